from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from nastavnik.programmes.models import MEETING_FORMATS, MEETING_KINDS, PLAN_STATUSES
from nastavnik.timeutil import today
from nastavnik.web.fields import (
    RuDateField,
    RuIntegerField,
    RuSelectField,
    TrimmedStringField,
    TrimmedTextAreaField,
    VersionField,
)
from nastavnik.web.forms import Form

REQUIRED = "Заполните поле «{}»."
DURATION = "Срок программы — от 3 до 12 месяцев."


def required(label: str):
    return DataRequired(REQUIRED.format(label))


def not_in_future(what: str):
    def check(form, field):
        if field.data and field.data > today():
            raise ValidationError(f"{what} не может быть в будущем.")

    return check


class ProgrammeForm(Form):
    template_code = HiddenField()
    goal = TrimmedTextAreaField("Цель", validators=[required("Цель"), Length(max=4000)])
    tasks = TrimmedTextAreaField("Задачи", validators=[Length(max=8000)])
    difficulties = TrimmedTextAreaField("Затруднения / запрос наставляемого", validators=[Length(max=8000)])
    strengths = TrimmedTextAreaField("Сильные стороны наставляемого", validators=[Length(max=4000)])
    duration_months = RuIntegerField(
        "Срок, месяцев", validators=[InputRequired(DURATION), NumberRange(3, 12, DURATION)]
    )
    planned_results = TrimmedTextAreaField("Планируемые результаты", validators=[Length(max=8000)])
    version = VersionField()


class PlanItemForm(Form):
    due_on = RuDateField("Срок", validators=[Optional()])
    content = TrimmedTextAreaField("Содержание", validators=[required("Содержание"), Length(max=4000)])
    responsible = TrimmedStringField("Ответственный", validators=[Length(max=300)])
    result = TrimmedStringField("Результат, форма отчёта", validators=[Length(max=2000)])
    status = RuSelectField("Статус", choices=list(PLAN_STATUSES.items()), default="planned")
    version = HiddenField()


class MeetingForm(Form):
    kind = RuSelectField(
        "Вид встречи", choices=list(MEETING_KINDS.items()), validators=[required("Вид встречи")]
    )
    held_on = RuDateField("Дата", validators=[required("Дата")])
    format = RuSelectField("Формат", choices=list(MEETING_FORMATS.items()), default="offline")
    notes = TrimmedTextAreaField("Содержание, заметки", validators=[Length(max=8000)])
    mentor_feedback = TrimmedTextAreaField("Обратная связь наставника", validators=[Length(max=8000)])
    version = HiddenField()
    pair = None  # set by the view: the meeting's date is checked against the pair's start

    def validate_held_on(self, field):
        from nastavnik.programmes.services import meeting_date_problem

        problem = meeting_date_problem(self.pair, field.data, today()) if self.pair is not None else ""
        if problem:
            raise ValidationError(problem)

    def validate_mentor_feedback(self, field):
        if self.kind.data == "joint" and not (field.data or "").strip():
            raise ValidationError(
                "Для встречи «совместная работа» обратная связь наставника обязательна: запишите её."
            )


class FeedbackForm(Form):
    feedback = TrimmedTextAreaField(
        "Ваша обратная связь", validators=[required("Ваша обратная связь"), Length(max=8000)]
    )
    version = HiddenField()


class CompletionForm(Form):
    actual_results = TrimmedTextAreaField("Достигнутые результаты", validators=[Length(max=8000)])
    reflection = TrimmedTextAreaField(
        "Рефлексия (итоги, выводы)", validators=[required("Рефлексия"), Length(max=8000)]
    )
    completed_on = RuDateField(
        "Дата завершения", validators=[required("Дата завершения"), not_in_future("Дата завершения")]
    )
    effective_practice = BooleanField("Эффективная практика — в банк программ для других школ")
    confirm_open = BooleanField("Завершить, хотя не всё выполнено: невыполненное будет записано в итоги программы")
    version = VersionField()


class UseSampleForm(Form):
    pair_id = SelectField("Пара / группа", coerce=int, validate_choice=False)
