from __future__ import annotations

from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from nastavnik.agreements.models import INITIATORS, PAY_KINDS
from nastavnik.participants.declension import GENDERS
from nastavnik.web.fields import RuDateField, RuDecimalField, TrimmedStringField, TrimmedTextAreaField
from nastavnik.web.forms import Form


class AgreementForm(Form):
    number = TrimmedStringField("Номер соглашения", validators=[DataRequired("Укажите номер."), Length(max=50)])
    signed_on = RuDateField("Дата соглашения", validators=[DataRequired("Укажите дату соглашения.")])
    content = TrimmedTextAreaField(
        "Содержание работы по наставничеству", validators=[DataRequired("Опишите содержание работы."), Length(max=4000)]
    )
    work_form = TrimmedStringField(
        "Форма выполнения", validators=[DataRequired("Укажите форму выполнения."), Length(max=300)]
    )
    starts_on = RuDateField("Срок: с", validators=[DataRequired("Укажите начало срока.")])
    ends_on = RuDateField("Срок: по", validators=[DataRequired("Укажите окончание срока.")])
    pay_kind = SelectField(
        "Выплата за наставничество",
        choices=[("", ""), *PAY_KINDS.items()],
        validators=[DataRequired("Выберите вид выплаты.")],
    )
    pay_value = RuDecimalField("Размер (руб., % или коэффициент)", validators=[Optional()])
    local_act = TrimmedStringField(
        "Локальный акт / коллективный договор", validators=[Length(max=500)]
    )
    pay_terms = TrimmedTextAreaField("Условия выплаты", validators=[Length(max=2000)])
    version = HiddenField()

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("Окончание срока раньше его начала.")


class TerminateForm(Form):
    ended_by = SelectField(
        "Кто прекращает", choices=[("", ""), *INITIATORS.items()], validators=[DataRequired("Укажите инициатора.")]
    )
    notice_on = RuDateField("Дата письменного уведомления", validators=[DataRequired("Укажите дату уведомления.")])
    requested_on = RuDateField("Прекратить с (если позже трёх рабочих дней)", validators=[Optional()])
    reason = TrimmedTextAreaField("Причина", validators=[Length(max=2000)])
    version = HiddenField()


class NameFormsForm(Form):
    """ФИО в падежах, исправленные вручную: пустое поле склоняется автоматически."""

    gender = SelectField("Род для склонения", choices=list(GENDERS.items()))
    genitive = TrimmedStringField("Родительный (кого?)", validators=[Length(max=300)])
    dative = TrimmedStringField("Дательный (кому?)", validators=[Length(max=300)])
    accusative = TrimmedStringField("Винительный (кого?)", validators=[Length(max=300)])
    instrumental = TrimmedStringField("Творительный (кем?)", validators=[Length(max=300)])
