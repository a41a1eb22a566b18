from wtforms import PasswordField, SelectField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from nastavnik.auth.models import ROLES
from nastavnik.web.fields import TrimmedStringField
from nastavnik.web.forms import Form


class UserForm(Form):
    username = TrimmedStringField(
        "Логин",
        validators=[
            DataRequired("Укажите логин."),
            Regexp(r"^[A-Za-z0-9_.-]{3,80}$", message="Логин: 3–80 латинских букв, цифр или знаков _ . -"),
        ],
    )
    display_name = TrimmedStringField("Имя для отображения", validators=[DataRequired("Укажите имя."), Length(max=200)])
    password = PasswordField("Пароль", validators=[DataRequired("Задайте пароль."), Length(min=8, message="Пароль — не короче 8 символов.")])
    role = SelectField("Роль", choices=list(ROLES.items()))
    org_id = SelectField("Организация", coerce=int)


class PasswordResetForm(Form):
    """Новый пароль, заданный администратором (сообщается пользователю лично)."""

    password = PasswordField(
        "Новый пароль",
        validators=[DataRequired("Задайте новый пароль."), Length(min=8, message="Пароль — не короче 8 символов.")],
    )
    confirm = PasswordField(
        "Повторите пароль",
        validators=[DataRequired("Повторите пароль."), EqualTo("password", message="Пароли не совпадают.")],
    )
