from __future__ import annotations

from wtforms import FileField, HiddenField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from nastavnik.recognition.models import AWARD_LEVELS, CONTEST_RESULTS, CONTEST_STAGES, CONTESTS, TYPE_GROUPS
from nastavnik.timeutil import today
from nastavnik.web.fields import (
    RuDateField,
    RuDecimalField,
    RuIntegerField,
    RuSelectField,
    TrimmedStringField,
    TrimmedTextAreaField,
)
from nastavnik.web.forms import Form


def _int_or_none(value):
    return int(value) if value not in (None, "") else None


def not_in_future(form, field):
    if field.data and field.data > today():
        raise ValidationError("Дата не может быть в будущем.")


class _ForMentor(Form):
    person_id = RuSelectField("Наставник", coerce=_int_or_none, validators=[DataRequired("Выберите наставника.")])
    version = HiddenField()


class AwardForm(_ForMentor):
    type_id = RuSelectField("Вид награды", coerce=_int_or_none, validators=[DataRequired("Выберите вид награды.")])
    level = RuSelectField("Уровень", choices=[("", ""), *AWARD_LEVELS.items()], validators=[DataRequired("Выберите уровень.")])
    act_number = TrimmedStringField("Номер приказа (акта)", validators=[Length(max=100)])
    act_date = RuDateField("Дата приказа (акта)", validators=[InputRequired("Укажите дату приказа."), not_in_future])
    note = TrimmedTextAreaField("Примечание", validators=[Length(max=2000)])
    file = FileField("Скан (PDF, JPG, PNG; до 5 МБ)")


class ContestForm(_ForMentor):
    contest = RuSelectField("Конкурс", choices=[("", ""), *CONTESTS.items()], validators=[DataRequired("Выберите конкурс.")])
    title = TrimmedStringField("Название (для другого конкурса)", validators=[Length(max=300)])
    year = RuIntegerField("Год", validators=[InputRequired("Укажите год."), NumberRange(2000, 2100, "Год — от 2000 до 2100.")])
    stage = RuSelectField("Этап", choices=[("", ""), *CONTEST_STAGES.items()], validators=[DataRequired("Выберите этап.")])
    nomination = TrimmedStringField("Номинация", validators=[Length(max=300)])
    result = RuSelectField("Результат", choices=[("", ""), *CONTEST_RESULTS.items()], validators=[DataRequired("Выберите результат.")])

    def validate_title(self, field):
        if self.contest.data == "other" and not field.data:
            raise ValidationError("Укажите название конкурса.")


class IncentiveForm(_ForMentor):
    type_id = RuSelectField("Мера поощрения", coerce=_int_or_none, validators=[DataRequired("Выберите меру поощрения.")])
    granted_on = RuDateField("Дата", validators=[InputRequired("Укажите дату."), not_in_future])
    amount = RuDecimalField("Сумма выплаты, ₽ (если выплата)", validators=[Optional()])
    basis = TrimmedStringField("Основание (приказ, локальный акт)", validators=[Length(max=300)])
    note = TrimmedTextAreaField("Примечание", validators=[Length(max=2000)])


class TypeForm(Form):
    group = RuSelectField("Список", choices=list(TYPE_GROUPS.items()))
    title = TrimmedStringField("Название", validators=[DataRequired("Введите название."), Length(max=300)])
