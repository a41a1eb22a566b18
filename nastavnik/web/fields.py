"""WTForms fields and validators that speak Russian and read dates as ДД.ММ.ГГГГ."""

from __future__ import annotations

import re

from wtforms import (
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from nastavnik.periods import parse_ru_date, ru_date
from nastavnik.versioning import UNKNOWN, parse_version

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RuDateField(Field):
    """A date typed as ДД.ММ.ГГГГ (a text input: works the same in every browser and with JS off)."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"placeholder": "ДД.ММ.ГГГГ", "inputmode": "numeric", "autocomplete": "off"}
        render_kw.update(kwargs.pop("render_kw", {}) or {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return ru_date(self.data) if self.data else ""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = parse_ru_date(text)
        except ValueError as exc:
            self.data = None
            message = str(exc)  # not .capitalize(): it would lower-case «ДД.ММ.ГГГГ»
            raise ValueError(message[:1].upper() + message[1:]) from None


class RuDecimalField(Field):
    """A non-negative number that accepts a decimal comma («3,5»)."""

    widget = TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:g}".replace(".", ",")

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip().replace(",", ".")
        if not text:
            self.data = None
            return
        try:
            self.data = float(text)
        except ValueError:
            self.data = None
            raise ValueError("Введите число, например 3 или 3,5.") from None


class TrimmedStringField(StringField):
    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip()


class TrimmedTextAreaField(TextAreaField):
    """A text area that gives "" (never None) when the field was not posted: the columns are NOT NULL."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip()


def email_check(form, field):
    if field.data and not EMAIL.match(field.data):
        raise ValidationError("Неверный адрес электронной почты.")


def snils_check(form, field):
    """СНИЛС: 11 цифр с контрольным числом."""
    if not field.data:
        return
    digits = re.sub(r"\D", "", field.data)
    if len(digits) != 11:
        raise ValidationError("СНИЛС состоит из 11 цифр.")
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits[:9]))
    check = total % 101 % 100
    if int(digits[9:]) != check:
        raise ValidationError("СНИЛС: не сходится контрольное число.")
    field.data = f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"


class VersionField(HiddenField):
    """The version of the record the form was filled from (optimistic locking, nastavnik.versioning).

    ``data`` is an int, or versioning.UNKNOWN when a submitted form lacks it or holds junk ("abc", a
    number past the column): a version no record has, so the edit is refused as stale (409) with
    the form's own conflict message, instead of int() failing with a 500 in every route or a
    missing field skipping the check. Forms that create a record simply ignore the field.
    """

    def process_formdata(self, valuelist):
        self.data = parse_version(valuelist[0] if valuelist else None)
        if self.data is None:
            self.data = UNKNOWN


class RuIntegerField(IntegerField):
    """An integer whose parse error is in Russian."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError("Введите целое число.") from None


class RuSelectField(SelectField):
    """A select that refuses a value outside its choices with a specific Russian message."""

    def pre_validate(self, form):
        if self.data not in {value for value, _ in self.choices}:
            raise ValidationError("Выберите значение из списка.")


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes: usable with JavaScript off and with a keyboard."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
