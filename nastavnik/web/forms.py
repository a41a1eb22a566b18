"""The base class of every form: CSRF from Flask-WTF, WTForms' own messages in Russian."""

from collections.abc import Mapping

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.meta import DefaultMeta


class Form(FlaskForm):
    class Meta:
        locales = ("ru_RU", "ru")

        def get_translations(self, form):
            # Flask-WTF only translates through Flask-Babel; WTForms' bundled Russian catalogue needs none.
            return DefaultMeta.get_translations(self, form)


def field_errors(form_class: type[Form], values: Mapping[str, str]) -> dict[str, str]:
    """The first error of each field in ``values`` as ``form_class`` reports it; no request needed.

    For data that reaches the database other than through the form (imports): it obeys the same
    limits and validators, with the same messages. Only each field's own validators run; the form's
    cross-field checks (``validate_<field>`` methods) stay with the caller.
    """
    form = form_class(formdata=MultiDict(values), meta={"csrf": False})
    errors = {}
    for name in values:
        field = form[name]
        if not field.validate(form):
            errors[name] = field.errors[0]
    return errors
