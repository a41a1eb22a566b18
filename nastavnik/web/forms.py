"""The base class of every form: CSRF from Flask-WTF, WTForms' own messages in Russian."""

from flask_wtf import FlaskForm
from wtforms.meta import DefaultMeta


class Form(FlaskForm):
    class Meta:
        locales = ("ru_RU", "ru")

        def get_translations(self, form):
            # Flask-WTF only translates through Flask-Babel; WTForms' bundled Russian catalogue needs none.
            return DefaultMeta.get_translations(self, form)
