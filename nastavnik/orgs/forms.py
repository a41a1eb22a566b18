from wtforms import SelectField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from nastavnik.orgs.models import ORG_KINDS
from nastavnik.web.fields import TrimmedStringField
from nastavnik.web.forms import Form


class OrganisationForm(Form):
    parent_id = SelectField("Входит в", coerce=int, validators=[Optional()])
    kind = SelectField("Вид", choices=list(ORG_KINDS.items()))
    name = TrimmedStringField("Полное наименование", validators=[DataRequired("Укажите наименование."), Length(max=500)])
    short_name = TrimmedStringField("Краткое наименование", validators=[Length(max=200)])
    inn = TrimmedStringField("ИНН", validators=[Optional(), Regexp(r"^\d{10}(\d{2})?$", message="ИНН — 10 или 12 цифр.")])
