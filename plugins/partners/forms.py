from __future__ import annotations

from wtforms import FileField, HiddenField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from nastavnik.timeutil import today
from nastavnik.web.fields import (
    CheckboxesField,
    RuDateField,
    RuDecimalField,
    RuIntegerField,
    RuSelectField,
    TrimmedStringField,
    TrimmedTextAreaField,
    email_check,
)
from nastavnik.web.forms import Form
from plugins.partners.models import ACTIVITY_KINDS, PARTNER_KINDS
from plugins.partners.services import check_inn, check_ogrn


def required(label: str):
    return DataRequired(f"Заполните поле «{label}».")


def not_in_future(what: str):
    def check(form, field):
        if field.data and field.data > today():
            raise ValidationError(f"{what} не может быть в будущем.")

    return check


def _checked(checker):
    def check(form, field):
        if field.data:
            try:
                field.data = checker(field.data)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None

    return check


class PartnerForm(Form):
    name = TrimmedStringField("Полное наименование", validators=[required("Полное наименование"), Length(max=500)])
    short_name = TrimmedStringField("Краткое наименование", validators=[Length(max=200)])
    kind = RuSelectField("Вид организации", choices=[("", ""), *PARTNER_KINDS.items()], validators=[required("Вид организации")])
    inn = TrimmedStringField("ИНН", validators=[required("ИНН"), _checked(check_inn)])
    ogrn = TrimmedStringField("ОГРН", validators=[_checked(check_ogrn)])
    address = TrimmedStringField("Адрес", validators=[Length(max=500)])
    okved = TrimmedStringField("Основной ОКВЭД", validators=[Length(max=20)])
    profile = TrimmedTextAreaField("Профиль деятельности", validators=[Length(max=4000)])
    areas = TrimmedStringField("Профессиональные направления (для подбора)", validators=[Length(max=500)])
    contact_name = TrimmedStringField("Контактное лицо", validators=[Length(max=300)])
    contact_phone = TrimmedStringField("Телефон", validators=[Length(max=50)])
    contact_email = TrimmedStringField("Эл. почта", validators=[Length(max=200), email_check])
    version = HiddenField()


class AgreementForm(Form):
    number = TrimmedStringField("Номер", validators=[required("Номер"), Length(max=50)])
    signed_on = RuDateField("Дата заключения", validators=[InputRequired("Укажите дату заключения."), not_in_future("Дата заключения")])
    starts_on = RuDateField("Действует с", validators=[InputRequired("Укажите, с какого дня действует соглашение.")])
    ends_on = RuDateField("Действует по (пусто — бессрочно)", validators=[Optional()])
    subject = TrimmedTextAreaField("Предмет соглашения", validators=[required("Предмет соглашения"), Length(max=4000)])
    kind_codes = CheckboxesField("Формы наставничества")
    coordinator_id = RuSelectField("Координатор от школы", coerce=lambda v: int(v) if v else None, validators=[Optional()])
    file = FileField("Подписанное соглашение (PDF, DOCX, JPG, PNG; до 5 МБ)")
    version = HiddenField()

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("Срок действия не может закончиться раньше, чем начался.")


class TerminateForm(Form):
    terminated_on = RuDateField("Дата расторжения", validators=[InputRequired("Укажите дату расторжения.")])
    termination_reason = TrimmedTextAreaField("Основание", validators=[required("Основание"), Length(max=2000)])
    version = HiddenField()


class MentorForm(Form):
    last_name = TrimmedStringField("Фамилия", validators=[required("Фамилия"), Length(max=100)])
    first_name = TrimmedStringField("Имя", validators=[required("Имя"), Length(max=100)])
    middle_name = TrimmedStringField("Отчество", validators=[Length(max=100)])
    birth_date = RuDateField("Дата рождения", validators=[Optional(), not_in_future("Дата рождения")])
    phone = TrimmedStringField("Телефон", validators=[Length(max=50)])
    email = TrimmedStringField("Эл. почта", validators=[Length(max=200), email_check])
    post = TrimmedStringField("Должность (для студента — курс и направление)", validators=[required("Должность"), Length(max=300)])
    experience_years = RuDecimalField("Стаж в профессии, лет", validators=[Optional(), NumberRange(0, 70, "Стаж — от 0 до 70 лет.")])
    record_check_number = TrimmedStringField("Номер справки об отсутствии судимости", validators=[Length(max=100)])
    record_check_on = RuDateField("Справка выдана", validators=[Optional(), not_in_future("Дата выдачи справки")])
    record_check_until = RuDateField("Справка действительна до")  # no Optional(): the check below must run
    briefing_on = RuDateField("Инструктаж пройден", validators=[Optional(), not_in_future("Дата инструктажа")])
    briefing_note = TrimmedTextAreaField("Инструктаж: тема, кто проводил", validators=[Length(max=2000)])
    version = HiddenField()

    def validate_record_check_until(self, field):
        if self.record_check_on.data and not field.data:
            raise ValidationError("Укажите, до какого дня действительна справка.")
        if field.data and not self.record_check_on.data:
            raise ValidationError("Укажите и дату выдачи справки.")
        if field.data and self.record_check_on.data and field.data < self.record_check_on.data:
            raise ValidationError("Справка не может истечь раньше, чем выдана.")


class ConsentForm(Form):
    """A consent the core knows, recorded from the partner's page (the curator's scope stops at the school)."""

    kind = RuSelectField("Вид согласия", choices=[])
    signed_on = RuDateField("Дата подписания", validators=[InputRequired("Укажите дату подписания."), not_in_future("Дата подписания")])
    valid_until = RuDateField("Действует до (пусто — до отзыва)", validators=[Optional()])
    document_ref = TrimmedStringField("Где хранится оригинал / номер", validators=[Length(max=200)])


class BankForm(Form):
    capacity = RuIntegerField("Сколько наставляемых может вести", default=2, validators=[InputRequired("Укажите число наставляемых."), NumberRange(1, 10, "От 1 до 10.")])


class ActivityForm(Form):
    kind = RuSelectField("Вид", choices=[("", ""), *ACTIVITY_KINDS.items()], validators=[required("Вид")])
    title = TrimmedStringField("Название", validators=[required("Название"), Length(max=300)])
    held_on = RuDateField("Дата", validators=[InputRequired("Укажите дату.")])
    partner_id = RuSelectField("Партнёр", coerce=lambda v: int(v) if v else None, validators=[Optional()])
    participants = RuIntegerField("Участников (обучающихся)", validators=[InputRequired("Укажите число участников."), NumberRange(0, 5000, "От 0 до 5000.")])
    participants_note = TrimmedStringField("Кто участвовал (классы, группы)", validators=[Length(max=1000)])
    outcome = TrimmedTextAreaField("Результат", validators=[Length(max=4000)])
    version = HiddenField()
