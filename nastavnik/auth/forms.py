from flask_login import current_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from nastavnik.auth.passwords import StrongPassword
from nastavnik.web.forms import Form

PASSWORD_HINT = "Не короче 8 символов; не логин и не простые слова вроде «12345678». Надёжнее всего — фраза из нескольких слов."  # noqa: S105, E501


class LoginForm(Form):
    username = StringField("Логин", validators=[DataRequired("Введите логин."), Length(max=80)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField("Пароль", validators=[DataRequired("Введите пароль.")],
                             render_kw={"autocomplete": "current-password"})


def _new_password(label="Новый пароль", username="username"):
    return PasswordField(label, validators=[DataRequired("Придумайте пароль."), StrongPassword(username)],
                         render_kw={"autocomplete": "new-password"})


def _confirm():
    return PasswordField(
        "Повторите пароль",
        validators=[DataRequired("Повторите пароль."), EqualTo("password", message="Пароли не совпадают.")],
        render_kw={"autocomplete": "new-password"},
    )


class CodeSignInForm(Form):
    """Первый вход (или вход после сброса) по коду с листка: человек сам задаёт пароль."""

    username = StringField("Логин", validators=[DataRequired("Введите логин с листка."), Length(max=80)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    code = StringField("Код с листка", validators=[DataRequired("Введите код с листка."), Length(max=40)],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"})
    password = _new_password()
    confirm = _confirm()


class ChangePasswordForm(Form):
    current = PasswordField("Текущий пароль", validators=[DataRequired("Введите текущий пароль.")],
                            render_kw={"autocomplete": "current-password"})
    password = _new_password(username=lambda form: current_user.username)
    confirm = _confirm()
