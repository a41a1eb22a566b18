from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from nastavnik.pairs.services import END_INITIATORS
from nastavnik.web.fields import CheckboxesField, RuDateField, TrimmedStringField
from nastavnik.web.forms import Form


class PairForm(Form):
    org_id = SelectField("Организация", coerce=int)
    kind_code = SelectField("Форма наставничества", validators=[DataRequired("Выберите форму.")])
    variation_code = SelectField("Вариация", validate_choice=False)
    mentor_ids = CheckboxesField(
        "Наставник(и)", coerce=int, validators=[DataRequired("Выберите наставника.")]
    )
    mentee_ids = CheckboxesField(
        "Наставляемый(е)", coerce=int, validators=[DataRequired("Выберите наставляемого.")]
    )
    ends_on = RuDateField("Плановое окончание", validators=[Optional()])


class OrderForm(Form):
    number = TrimmedStringField(
        "Номер приказа", validators=[DataRequired("Укажите номер приказа."), Length(max=50)]
    )
    issued_on = RuDateField("Дата приказа", validators=[DataRequired("Укажите дату приказа.")])
    ends_on = RuDateField("Закрепить по", validators=[Optional()])
    pair_ids = CheckboxesField(
        "Пары и группы", coerce=int, validators=[DataRequired("Отметьте хотя бы одну пару.")]
    )


class EndForm(Form):
    initiator = SelectField("Кто инициировал", choices=list(END_INITIATORS.items()))
    ended_on = RuDateField("Дата", validators=[DataRequired("Укажите дату.")])
    reason = TextAreaField("Причина", validators=[DataRequired("Укажите причину."), Length(max=2000)])
    order_number = TrimmedStringField("Номер приказа о прекращении", validators=[Optional(), Length(max=50)])
    order_date = RuDateField("Дата приказа", validators=[Optional()])

    def validate_order_date(self, field):
        if self.order_number.data and not field.data:
            raise ValidationError("Укажите дату приказа (или оставьте номер пустым — тогда приказ не издаётся).")


class ReplaceMentorForm(Form):
    member_id = SelectField("Кого заменить", coerce=int)
    mentor_id = SelectField("Новый наставник", coerce=int, validate_choice=False)
    effective_on = RuDateField("С какой даты", validators=[DataRequired("Укажите дату замены.")])
    reason = TextAreaField("Основание", validators=[DataRequired("Укажите основание."), Length(max=2000)])
    order_number = TrimmedStringField(
        "Номер приказа", validators=[DataRequired("Укажите номер приказа."), Length(max=50)]
    )
    order_date = RuDateField("Дата приказа", validators=[DataRequired("Укажите дату приказа.")])


class SupportForm(Form):
    happened_on = RuDateField("Дата", validators=[DataRequired("Укажите дату.")])
    text = TextAreaField(
        "Что сделано (психолого-педагогическое сопровождение)",
        validators=[DataRequired("Опишите сопровождение."), Length(max=4000)],
    )
