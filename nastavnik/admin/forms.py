from wtforms import HiddenField, PasswordField, SelectField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from nastavnik.auth.models import ROLES
from nastavnik.auth.passwords import StrongPassword
from nastavnik.web.fields import TrimmedStringField
from nastavnik.web.forms import Form


class PersonLinkMixin:
    """«Кто это среди участников»: a search box and the chosen person (0 — nobody)."""

    person_q = TrimmedStringField("Найти участника", validators=[Length(max=100)],
                                  render_kw={"placeholder": "фамилия, имя или № участника"})
    person_id = HiddenField()  # rendered as radio buttons by the template, from person_choices


class UserForm(PersonLinkMixin, Form):
    username = TrimmedStringField(
        "Логин",
        validators=[
            DataRequired("Укажите логин."),
            Regexp(r"^[A-Za-z0-9_.-]{3,80}$", message="Логин: 3–80 латинских букв, цифр или знаков _ . -"),
        ],
    )
    display_name = TrimmedStringField("Имя для отображения", validators=[DataRequired("Укажите имя."), Length(max=200)])
    password = PasswordField("Пароль", validators=[Optional(), StrongPassword()],
                             render_kw={"autocomplete": "new-password"})
    role = SelectField("Роль", choices=list(ROLES.items()))
    org_id = SelectField("Организация", coerce=int)


class UserEditForm(PersonLinkMixin, Form):
    display_name = TrimmedStringField("Имя для отображения", validators=[DataRequired("Укажите имя."), Length(max=200)])


class RoleForm(Form):
    role = SelectField("Роль", choices=[("", "")] + list(ROLES.items()), validators=[DataRequired("Выберите роль.")])
    org_id = SelectField("Организация", coerce=lambda v: int(v) if str(v).isdigit() else None,
                         validators=[DataRequired("Выберите организацию.")])


class PasswordResetForm(Form):
    """Новый пароль, заданный администратором (сообщается пользователю лично)."""

    password = PasswordField(
        "Новый пароль",
        validators=[DataRequired("Задайте новый пароль."), StrongPassword(lambda form: form.login)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Повторите пароль",
        validators=[DataRequired("Повторите пароль."), EqualTo("password", message="Пароли не совпадают.")],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, login: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.login = login
