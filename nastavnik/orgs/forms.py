from wtforms import SelectField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from nastavnik.orgs.models import ORG_KINDS
from nastavnik.web.fields import TrimmedStringField
from nastavnik.web.forms import Form


class RequisitesForm(Form):
    """Кто подписывает приказы и соглашения, кто куратор программы наставничества."""

    director_name = TrimmedStringField("Руководитель: ФИО полностью", validators=[Length(max=300)])
    director_position = TrimmedStringField("Должность руководителя", validators=[Length(max=200)])
    director_position_genitive = TrimmedStringField(
        "Должность руководителя в родительном падеже («в лице …»)", validators=[Length(max=200)]
    )
    curator_name = TrimmedStringField("Куратор программы наставничества: ФИО полностью", validators=[Length(max=300)])
    curator_position = TrimmedStringField("Должность куратора", validators=[Length(max=200)])


REQUISITES = ("director_name", "director_position", "director_position_genitive", "curator_name", "curator_position")


class OrganisationForm(RequisitesForm):
    parent_id = SelectField("Входит в", coerce=int, validators=[Optional()])
    kind = SelectField("Вид", choices=list(ORG_KINDS.items()))
    name = TrimmedStringField("Полное наименование", validators=[DataRequired("Укажите наименование."), Length(max=500)])
    short_name = TrimmedStringField("Краткое наименование", validators=[Length(max=200)])
    inn = TrimmedStringField("ИНН", validators=[Optional(), Regexp(r"^\d{10}(\d{2})?$", message="ИНН — 10 или 12 цифр.")])
