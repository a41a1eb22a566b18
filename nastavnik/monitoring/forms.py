from __future__ import annotations

from wtforms import BooleanField, HiddenField, RadioField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from nastavnik.monitoring.models import METHODS, TRIGGERS, WAVES
from nastavnik.monitoring.structs import (
    AUDIENCES,
    CHOICE_KINDS,
    GROWTH_ROLES,
    GROWTH_VALUE_KINDS,
    ITEM_KINDS,
    PURPOSES,
)
from nastavnik.pairs.models import PAIR_STATUSES
from nastavnik.web.fields import (
    CheckboxesField,
    RuDateField,
    RuDecimalField,
    RuIntegerField,
    RuSelectField,
    TrimmedStringField,
    TrimmedTextAreaField,
)
from nastavnik.web.forms import Form


def required(label: str):
    return DataRequired(f"Заполните поле «{label}».")


class OwnerForm(Form):
    """Which organisation keeps the questionnaire (a school, or the municipality for all its schools)."""

    org_id = RuSelectField("Организация", coerce=int, validators=[InputRequired("Выберите организацию.")])


class CopyForm(OwnerForm):
    title = TrimmedStringField("Название копии", validators=[required("Название копии"), Length(max=300)])


class QuestionnaireForm(Form):
    title = TrimmedStringField("Название", validators=[required("Название"), Length(max=300)])
    audience = RuSelectField("Кто отвечает", choices=list(AUDIENCES.items()))
    purpose = RuSelectField("Назначение", choices=list(PURPOSES.items()))
    kind_code = RuSelectField("Форма наставничества", choices=[])
    anonymous = BooleanField("Анонимная: ответы конкретного человека не видны никому, только сводка по группе")
    description = TrimmedTextAreaField("Обращение к респонденту (над вопросами)", validators=[Length(max=4000)])
    note = TrimmedTextAreaField("Примечание для куратора (на странице анкеты и на бланке)", validators=[Length(max=4000)])
    version = HiddenField()


class ItemForm(Form):
    kind = RuSelectField("Вид вопроса", choices=list(ITEM_KINDS.items()), default="scale10")
    text = TrimmedTextAreaField("Текст вопроса", validators=[required("Текст вопроса"), Length(max=2000)])
    hint = TrimmedStringField("Пояснение", validators=[Length(max=500)])
    options = TrimmedTextAreaField("Варианты ответа (каждый с новой строки)", validators=[Length(max=4000)])
    minimum = RuDecimalField("Число: не меньше", validators=[Optional()])
    maximum = RuDecimalField("Число: не больше", validators=[Optional()])
    subscale = TrimmedStringField("Подшкала (код, например «общение»)", validators=[Length(max=50)])
    required = BooleanField("Обязательный", default=True)
    reverse = BooleanField("Обратная шкала (высокий балл — плохо)")
    in_satisfaction = BooleanField("Учитывать в «% удовлетворённых»", default=True)
    version = HiddenField()

    def validate_options(self, field):
        if self.kind.data in CHOICE_KINDS:
            options = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
            if len(options) < 2:
                raise ValidationError("Для выбора из списка нужны хотя бы два варианта, каждый с новой строки.")
            if len(set(options)) != len(options):
                raise ValidationError("Варианты ответа повторяются.")

    def validate_maximum(self, field):
        if self.minimum.data is not None and field.data is not None and field.data < self.minimum.data:
            raise ValidationError("Верхняя граница меньше нижней.")


class CampaignForm(Form):
    questionnaire = RuSelectField("Анкета", choices=[], validators=[InputRequired("Выберите анкету.")])
    org_id = RuSelectField("Кто проводит", coerce=int, choices=[])
    title = TrimmedStringField("Название кампании", validators=[required("Название кампании"), Length(max=300)])
    wave = RuSelectField("Волна", choices=list(WAVES.items()), default="midterm")
    trigger = RadioField("Когда адресаты получают анкету", choices=list(TRIGGERS.items()), default="dates")
    offset_days = RuIntegerField("Через сколько дней после начала пары", default=14,
                                 validators=[Optional(), NumberRange(0, 365, "От 0 до 365 дней.")])
    opens_on = RuDateField("Начало", validators=[required("Начало")])
    closes_on = RuDateField("Окончание", validators=[required("Окончание")])
    kind_code = RuSelectField("Форма наставничества", choices=[])
    pair_statuses = CheckboxesField("Статус пар", choices=[(k, v) for k, v in PAIR_STATUSES.items()])
    academic_year = RuSelectField("Учебный год пар", coerce=int, choices=[])
    targets = CheckboxesField("Организации", coerce=int, choices=[])

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError("Окончание раньше начала.")

    def validate_targets(self, field):
        if not field.data:
            raise ValidationError("Отметьте хотя бы одну организацию.")


class CampaignEditForm(Form):
    title = TrimmedStringField("Название кампании", validators=[required("Название кампании"), Length(max=300)])
    closes_on = RuDateField("Окончание", validators=[required("Окончание")])
    version = HiddenField()


class LinksForm(Form):
    expires_on = RuDateField("Ссылки действуют до", validators=[required("Ссылки действуют до")])


class SwotForm(Form):
    strengths = TrimmedTextAreaField("Сильные стороны", validators=[Length(max=8000)])
    weaknesses = TrimmedTextAreaField("Слабые стороны", validators=[Length(max=8000)])
    opportunities = TrimmedTextAreaField("Возможности", validators=[Length(max=8000)])
    threats = TrimmedTextAreaField("Угрозы", validators=[Length(max=8000)])
    conclusions = TrimmedTextAreaField("Выводы и предложения (в аналитическую справку)", validators=[Length(max=8000)])
    version = HiddenField()


class RhythmForm(Form):
    questionnaires = CheckboxesField("Анкеты ритма", coerce=int, choices=[])
    entry_days = RuIntegerField("Входная волна: через сколько дней после начала пары (пусто — без неё)",
                                validators=[Optional(), NumberRange(0, 365, "От 0 до 365 дней.")])
    final_wave = BooleanField("Итоговая волна при завершении программы пары", default=True)
    halfyear = TrimmedStringField("Полугодовые волны: даты ДД.ММ через запятую", validators=[Length(max=200)])
    window_days = RuIntegerField("Сколько дней открыта полугодовая волна", default=14,
                                 validators=[InputRequired("Укажите число дней."), NumberRange(1, 90, "От 1 до 90 дней.")])
    active = BooleanField("Ритм действует", default=True)
    version = HiddenField()

    def validate_halfyear(self, field):
        from nastavnik.monitoring.services import parse_day_months

        try:
            field.parsed = parse_day_months(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)[:1].upper() + str(exc)[1:]) from None


class SettingsForm(Form):
    org_id = RuSelectField("Муниципалитет (организация)", coerce=int, choices=[])
    method = RadioField("Как считать «% удовлетворённых»", choices=list(METHODS.items()), default="threshold")
    threshold_percent = RuIntegerField(
        "Порог, % от максимума (7 из 10 = 70 %)",
        validators=[InputRequired("Укажите порог."), NumberRange(1, 100, "Порог — от 1 до 100 %.")],
    )
    min_group_size = RuIntegerField(
        "Минимальный размер группы для показа ответов",
        validators=[InputRequired("Укажите размер группы."), NumberRange(1, 100, "От 1 до 100 человек.")],
    )
    version = HiddenField()


class CharacteristicForm(Form):
    title = TrimmedStringField("Характеристика", validators=[required("Характеристика"), Length(max=300)])
    role = RuSelectField("Для кого", choices=list(GROWTH_ROLES.items()), default="mentee")
    value_kind = RuSelectField("Как измеряется", choices=list(GROWTH_VALUE_KINDS.items()), default="scale5")
    minimum = RuDecimalField("Не меньше", validators=[Optional()])
    maximum = RuDecimalField("Не больше", validators=[Optional()])
    options = TrimmedTextAreaField("Ступени от низшей к высшей (каждая с новой строки)", validators=[Length(max=2000)])
    higher_is_better = BooleanField("Больше — лучше", default=True)

    def validate_options(self, field):
        if self.value_kind.data == "ordinal":
            if len([x for x in (field.data or "").splitlines() if x.strip()]) < 2:
                raise ValidationError("Укажите хотя бы две ступени, каждую с новой строки.")
