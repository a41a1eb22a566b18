from __future__ import annotations

from wtforms import SelectField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from nastavnik.participants.models import PERSON_KINDS, QUALIFICATION_CATEGORIES
from nastavnik.periods import years_between
from nastavnik.timeutil import today
from nastavnik.web.fields import (
    RuDateField,
    RuDecimalField,
    TrimmedStringField,
    TrimmedTextAreaField,
    VersionField,
    email_check,
    snils_check,
)
from nastavnik.web.forms import Form

REQUIRED = "Заполните поле «{}»."


def required(label: str):
    return DataRequired(REQUIRED.format(label))


class NameMixin:
    last_name = TrimmedStringField("Фамилия", validators=[required("Фамилия"), Length(max=100)])
    first_name = TrimmedStringField("Имя", validators=[required("Имя"), Length(max=100)])
    middle_name = TrimmedStringField("Отчество", validators=[Length(max=100)])


class PersonForm(NameMixin, Form):
    kind = SelectField("Кто это", choices=list(PERSON_KINDS.items()), validators=[required("Кто это")])
    org_id = SelectField("Организация", coerce=int, validators=[required("Организация")])
    birth_date = RuDateField("Дата рождения")  # no Optional(): it would skip validate_birth_date
    email = TrimmedStringField("Электронная почта", validators=[Length(max=200), email_check])
    phone = TrimmedStringField("Телефон", validators=[Length(max=50)])
    snils = TrimmedStringField("СНИЛС", validators=[snils_check])
    personnel_number = TrimmedStringField("Табельный номер", validators=[Length(max=50)])
    position = TrimmedStringField("Должность", validators=[Length(max=200)])
    subjects = TrimmedStringField("Предметы (через запятую)", validators=[Length(max=500)])
    experience_years = RuDecimalField(
        "Педагогический стаж, лет", validators=[Optional(), NumberRange(0, 60, "Стаж — от 0 до 60 лет.")]
    )
    hired_on = RuDateField("Дата приёма на работу", validators=[Optional()])
    qualification_category = SelectField("Квалификационная категория", choices=list(QUALIFICATION_CATEGORIES.items()))
    class_name = TrimmedStringField("Класс / курс", validators=[Length(max=20)])
    notes = TrimmedTextAreaField("Примечание", validators=[Length(max=2000)])
    version = VersionField()

    def validate_birth_date(self, field):
        if field.data is None:
            if self.kind.data == "student":
                raise ValidationError("Для обучающегося укажите дату рождения: от неё зависят согласия.")
            return
        age = years_between(field.data, today())
        limits = {"student": (5, 25), "staff": (16, 90)}.get(self.kind.data, (0, 110))
        if not limits[0] <= age <= limits[1]:
            raise ValidationError(f"Проверьте дату рождения: возраст {age} — так не бывает для «{PERSON_KINDS[self.kind.data].lower()}».")

    def validate_class_name(self, field):
        if self.kind.data == "student" and not field.data:
            raise ValidationError(REQUIRED.format("Класс / курс") + " Для обучающегося это обязательно.")

    def validate_position(self, field):
        if self.kind.data == "staff" and not field.data:
            raise ValidationError(REQUIRED.format("Должность") + " Для педагога это обязательно.")

    def validate_hired_on(self, field):
        if field.data and field.data > today():
            raise ValidationError("Дата приёма не может быть в будущем.")


class RowForm(NameMixin, Form):
    """Quick inline edit of a row of the list."""

    class_name = TrimmedStringField("Класс", validators=[Length(max=20)])
    position = TrimmedStringField("Должность", validators=[Length(max=200)])
    email = TrimmedStringField("Электронная почта", validators=[Length(max=200), email_check])
    phone = TrimmedStringField("Телефон", validators=[Length(max=50)])
    version = VersionField()


class GuardianForm(NameMixin, Form):
    relation = SelectField(
        "Кем приходится",
        choices=[(r, r) for r in ("мать", "отец", "опекун", "попечитель", "законный представитель")],
    )
    phone = TrimmedStringField("Телефон", validators=[Length(max=50)])
    email = TrimmedStringField("Электронная почта", validators=[Length(max=200), email_check])
