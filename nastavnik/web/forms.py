"""The base class of every form: CSRF from Flask-WTF, WTForms' own messages in Russian."""

from collections.abc import Mapping

from flask_wtf import FlaskForm
from wtforms.meta import DefaultMeta


class Form(FlaskForm):
    class Meta:
        locales = ("ru_RU", "ru")

        def get_translations(self, form):
            # Flask-WTF only translates through Flask-Babel; WTForms' bundled Russian catalogue needs none.
            return DefaultMeta.get_translations(self, form)


class FieldCheck:
    """Check values with a form's own field validators, outside a request: the same limits and messages.

    For data that reaches the database other than through the form (imports). Only each field's own
    validators run; the form's cross-field checks (``validate_<field>`` methods) stay with the caller.
    One instance checks many rows (building a form per row costs a millisecond); not thread-safe.
    """

    def __init__(self, form_class: type[Form]) -> None:
        self.form = form_class(formdata=None, meta={"csrf": False})

    def errors(self, values: Mapping[str, str]) -> dict[str, str]:
        """The first error of each field in ``values``."""
        errors = {}
        for name, value in values.items():
            field = self.form[name]
            # Field.process() without its MultiDict: the same steps for one posted value.
            field.process_errors, field.raw_data = [], [value]
            try:
                field.process_formdata([value])
            except ValueError as exc:
                field.process_errors.append(exc.args[0])
            if not field.validate(self.form):
                errors[name] = field.errors[0]
        return errors
