"""Forms of reports: a run's options, manual values, indicator passports, collections, review."""

from __future__ import annotations

from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from nastavnik.periods import AcademicYear
from nastavnik.reports.models import FORMULAS
from nastavnik.web.fields import (
    RuDateField,
    RuDecimalField,
    RuIntegerField,
    TrimmedStringField,
    TrimmedTextAreaField,
)
from nastavnik.web.forms import Form


class RunForm(Form):
    org_id = SelectField("Организация", coerce=int, validators=[InputRequired("Выберите организацию.")])
    as_of = RuDateField("По состоянию на", validators=[DataRequired("Укажите дату, на которую составляется отчёт.")])
    period_start = RuDateField("Отчётный период: с", validators=[Optional()])
    period_end = RuDateField("по", validators=[Optional()])
    collection_id = SelectField("Сбор", coerce=int, validators=[Optional()])

    def validate_period_end(self, field):
        if self.period_start.data and field.data and field.data < self.period_start.data:
            raise ValidationError("Конец периода раньше его начала.")

    def period(self):
        """The period; by default the academic year of the as-of date."""
        year = AcademicYear.of(self.as_of.data)
        return self.period_start.data or year.starts, self.period_end.data or year.ends


def run_form_with_manual(cells) -> type[RunForm]:
    """A RunForm with a number field per manual cell of the format, checked against its range."""

    class WithManual(RunForm):
        pass

    for cell in cells:
        low, high = cell.manual
        setattr(WithManual, f"manual_{cell.code}", RuDecimalField(
            f"{cell.code}: значение вручную", validators=[
                InputRequired("Введите значение."),
                NumberRange(low, high, f"Значение должно быть от {low:g} до {high:g}."),
            ]))
    return WithManual


class EntryForm(Form):
    """A manual value or a denominator override, always with its source."""

    value = RuDecimalField("Значение", validators=[InputRequired("Введите число.")])
    source = TrimmedStringField("Источник", validators=[
        DataRequired("Укажите источник, например «ОО-1 на 20.09: 412»."), Length(max=300)])
    version = HiddenField()


class IndicatorForm(Form):
    name = TrimmedTextAreaField("Наименование", validators=[DataRequired("Укажите наименование."), Length(max=1000)])
    unit = TrimmedStringField("Единица измерения", validators=[DataRequired("Укажите единицу."), Length(max=20)])
    definition = TrimmedTextAreaField("Определение и алгоритм расчёта", validators=[Length(max=4000)])
    time_characteristic = TrimmedStringField("Временная характеристика", validators=[Length(max=500)])
    formula = SelectField("Формула", choices=list(FORMULAS.items()))
    numerator = TrimmedStringField("Числитель: код счётчика (для суммы — коды через «+»)", validators=[Length(max=500)])
    denominator = TrimmedStringField("Знаменатель: код счётчика", validators=[Length(max=100)])
    min_value = RuDecimalField("Ручное значение: не меньше", validators=[Optional()])
    max_value = RuDecimalField("не больше", validators=[Optional()])
    collection_method = TrimmedTextAreaField("Метод сбора информации", validators=[Length(max=1000)])
    responsible = TrimmedStringField("Ответственный за сбор данных", validators=[Length(max=300)])
    source_note = TrimmedTextAreaField("Источник формулировки / что сверить", validators=[Length(max=1000)])
    target_year = TrimmedStringField("Целевое значение: учебный год", validators=[Optional()],
                                     render_kw={"placeholder": "2026/2027"})
    target_value = RuDecimalField("Целевое значение", validators=[Optional()])
    version = HiddenField()

    def validate_numerator(self, field):
        if self.formula.data != "manual" and not field.data:
            raise ValidationError("Укажите код счётчика числителя.")

    def validate_denominator(self, field):
        if self.formula.data == "share" and not field.data:
            raise ValidationError("Для доли укажите код счётчика знаменателя.")

    def validate_max_value(self, field):
        if field.data is not None and self.min_value.data is not None and field.data < self.min_value.data:
            raise ValidationError("Верхняя граница меньше нижней.")

    def validate_target_year(self, field):
        if field.data:
            try:
                AcademicYear.parse(field.data)
            except ValueError as exc:
                raise ValidationError(str(exc).capitalize()) from None
        elif self.target_value.data is not None:
            raise ValidationError("Укажите учебный год целевого значения.")


class CollectionForm(Form):
    format_code = SelectField("Форма отчёта", validators=[DataRequired("Выберите форму.")])
    title = TrimmedStringField("Название сбора", validators=[DataRequired("Назовите сбор."), Length(max=300)])
    as_of = RuDateField("По состоянию на", validators=[DataRequired("Укажите дату.")])
    period_start = RuDateField("Отчётный период: с", validators=[DataRequired("Укажите начало периода.")])
    period_end = RuDateField("по", validators=[DataRequired("Укажите конец периода.")])
    opens_on = RuDateField("Приём отчётов: с", validators=[DataRequired("Укажите начало приёма.")])
    closes_on = RuDateField("по", validators=[DataRequired("Укажите окончание приёма.")])

    def validate_period_end(self, field):
        if self.period_start.data and field.data and field.data < self.period_start.data:
            raise ValidationError("Конец периода раньше его начала.")

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError("Окончание приёма раньше его начала.")


class VersionForm(Form):
    version = RuIntegerField("Версия", validators=[InputRequired()])


class ReviewForm(VersionForm):
    decision = SelectField("Решение", choices=[("accept", "принять"), ("return", "вернуть на доработку")])
    comment = TrimmedTextAreaField("Комментарий (обязателен при возврате)", validators=[Length(max=2000)])


