from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField("Логин", validators=[DataRequired("Введите логин."), Length(max=80)])
    password = PasswordField("Пароль", validators=[DataRequired("Введите пароль.")])
