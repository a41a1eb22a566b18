from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from nastavnik.web.forms import Form


class LoginForm(Form):
    username = StringField("Логин", validators=[DataRequired("Введите логин."), Length(max=80)])
    password = PasswordField("Пароль", validators=[DataRequired("Введите пароль.")])
