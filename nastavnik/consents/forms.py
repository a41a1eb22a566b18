from __future__ import annotations

from wtforms import SelectField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from nastavnik.consents.models import CONSENT_KINDS, RELATIONS, SELF
from nastavnik.timeutil import today
from nastavnik.web.fields import RuDateField, TrimmedStringField, TrimmedTextAreaField, VersionField
from nastavnik.web.forms import Form


class ConsentForm(Form):
    kind = SelectField("Вид согласия", choices=list(CONSENT_KINDS.items()))
    signatory_relation = SelectField("Кто подписал", choices=[(r, r) for r in RELATIONS])
    signatory_name = TrimmedStringField(
        "ФИО подписавшего", validators=[DataRequired("Укажите ФИО подписавшего."), Length(max=300)]
    )
    # InputRequired, not DataRequired: the latter would replace «Неверная дата …» with «Укажите …».
    signed_on = RuDateField("Дата подписания", validators=[InputRequired("Укажите дату подписания.")])
    valid_until = RuDateField("Действует до (пусто — до отзыва)")
    purposes = TrimmedTextAreaField("Цели обработки", validators=[Length(max=2000)])
    document_ref = TrimmedStringField("Где хранится бумажный оригинал / номер", validators=[Length(max=200)])

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def validate_signed_on(self, field):
        if field.data and field.data > today():
            raise ValidationError("Дата подписания не может быть в будущем.")

    def validate_valid_until(self, field):
        if field.data and self.signed_on.data and field.data < self.signed_on.data:
            raise ValidationError("Срок действия не может закончиться раньше даты подписания.")

    def validate_signatory_relation(self, field):
        # 152-ФЗ: за несовершеннолетнего согласие даёт законный представитель.
        if self.person is not None and field.data == SELF and self.person.is_minor_on(self.signed_on.data or today()):
            raise ValidationError(
                "Участник несовершеннолетний: согласие подписывает законный представитель (мать, отец, опекун)."
            )


class WithdrawForm(Form):
    withdrawn_on = RuDateField("Дата отзыва", validators=[InputRequired("Укажите дату отзыва.")])
    withdrawal_reason = TrimmedTextAreaField("Основание / примечание", validators=[Length(max=2000)])
    version = VersionField()

    def validate_withdrawn_on(self, field):
        if field.data and field.data > today():
            raise ValidationError("Дата отзыва не может быть в будущем.")
