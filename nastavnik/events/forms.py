"""Forms of events, news and the school's site page (Russian messages from the base Form)."""

from __future__ import annotations

import re
from datetime import time

from flask_wtf.file import FileField
from wtforms import BooleanField, Field, HiddenField, RadioField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from nastavnik.events.models import (
    AUDIENCE_ROLES,
    DOCUMENT_KINDS,
    GROUPS,
    POST_CHANNELS,
    UNTRAINED,
)
from nastavnik.web.fields import (
    CheckboxesField,
    RuDateField,
    RuDecimalField,
    RuSelectField,
    TrimmedStringField,
    TrimmedTextAreaField,
)
from nastavnik.web.forms import Form

REQUIRED = "Заполните это поле."


class RuTimeField(Field):
    """Time typed as ЧЧ:ММ («09:30», «9.30»)."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"placeholder": "ЧЧ:ММ", "inputmode": "numeric", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%H:%M") if self.data else ""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", text)
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            self.data = None
            raise ValueError(f"Неверное время «{text}»: ожидается ЧЧ:ММ, например 14:30.")
        self.data = time(int(match.group(1)), int(match.group(2)))


def http_url(form, field):
    if field.data and not re.match(r"^https?://\S+$", field.data):
        raise ValidationError("Ссылка должна начинаться с http:// или https://.")


class EventForm(Form):
    org_id = RuSelectField("Организатор", coerce=int)
    kind_code = RuSelectField("Вид мероприятия", validators=[DataRequired(REQUIRED)])
    title = TrimmedStringField("Название", validators=[DataRequired(REQUIRED), Length(max=300)])
    day = RuDateField("Дата", validators=[InputRequired("Укажите дату в формате ДД.ММ.ГГГГ.")])
    starts = RuTimeField("Начало", validators=[InputRequired("Укажите время начала, например 14:30.")])
    ends = RuTimeField("Окончание", validators=[Optional()])
    place = TrimmedStringField("Место проведения", validators=[Length(max=300)])
    link_url = TrimmedStringField("Ссылка (для дистанционного участия)", validators=[Length(max=1000), http_url])
    organisers = TrimmedTextAreaField("Организаторы и ведущие", validators=[Length(max=2000)])
    audience_roles = CheckboxesField("Для кого", choices=list(AUDIENCE_ROLES.items()))
    audience_kinds = CheckboxesField("Формы наставничества")
    invited_orgs = CheckboxesField("Приглашённые школы", coerce=int)
    programme = TrimmedTextAreaField("Программа", validators=[Length(max=10_000)])
    hours = RuDecimalField("Объём обучения, часов (для сертификата)", validators=[Optional(), NumberRange(0.5, 500, "От 0,5 до 500 часов.")])
    version = HiddenField()

    def validate_ends(self, field):
        if field.data and self.starts.data and field.data <= self.starts.data:
            raise ValidationError("Окончание должно быть позже начала.")

    def validate_place(self, field):
        if not field.data and not self.link_url.data:
            raise ValidationError("Укажите место проведения или ссылку.")


class OutsiderForm(Form):
    outsider_name = TrimmedStringField("ФИО гостя", validators=[DataRequired(REQUIRED), Length(max=300)])
    outsider_org = TrimmedStringField("Организация", validators=[Length(max=300)])
    outsider_position = TrimmedStringField("Должность", validators=[Length(max=200)])
    publication_consent_ref = TrimmedStringField(
        "Согласие на распространение ПД (где хранится; пусто — нет)", validators=[Length(max=200)]
    )


class ReportForm(Form):
    report = TrimmedTextAreaField("Краткий отчёт", validators=[Length(max=10_000)])
    version = HiddenField()


class MaterialForm(Form):
    file = FileField("Файл (PDF, DOCX, XLSX, JPG, PNG; до 5 МБ)")
    link_url = TrimmedStringField("или ссылка", validators=[Length(max=1000)])
    title = TrimmedStringField("Описание", validators=[Length(max=300)])


class PhotoForm(Form):
    file = FileField("Фотография (JPG или PNG, до 5 МБ)")
    caption = TrimmedStringField("Подпись", validators=[Length(max=500)])
    tags = CheckboxesField("Кто на фото", coerce=str)
    people_confirmed = BooleanField("На фото отмечены все, кого можно узнать (или людей на фото нет)")


class PhotoTagsForm(Form):
    tags = CheckboxesField("Кто на фото", coerce=str)
    people_confirmed = BooleanField("На фото отмечены все, кого можно узнать (или людей на фото нет)")


class NewsForm(Form):
    org_id = RuSelectField("Организация", coerce=int)
    title = TrimmedStringField("Заголовок", validators=[DataRequired(REQUIRED), Length(max=300)])
    published_on = RuDateField("Дата", validators=[InputRequired("Укажите дату в формате ДД.ММ.ГГГГ.")])
    event_id = RuSelectField("О мероприятии", coerce=lambda v: int(v) if v not in (None, "", "None") else None)
    text = TrimmedTextAreaField("Текст", validators=[DataRequired(REQUIRED), Length(max=20_000)])
    photos = CheckboxesField("Фотографии", coerce=int)
    on_site = BooleanField("Показывать на странице для сайта школы")
    version = HiddenField()


class PostForm(Form):
    channel = RuSelectField("Куда отправлено", choices=[("", "— выберите —"), *POST_CHANNELS.items()])
    url = TrimmedStringField("Ссылка на публикацию", validators=[Length(max=1000), http_url])
    posted_on = RuDateField("Дата размещения", validators=[InputRequired("Укажите дату в формате ДД.ММ.ГГГГ.")])

    def validate_channel(self, field):
        if not field.data:
            raise ValidationError("Выберите, куда отправлена новость.")


class SiteDocumentForm(Form):
    file = FileField("Файл (PDF, DOCX, XLSX, JPG, PNG; до 5 МБ)")
    doc_kind = RuSelectField("Вид документа", choices=list(DOCUMENT_KINDS.items()))
    title = TrimmedStringField("Название", validators=[DataRequired(REQUIRED), Length(max=300)])
    number = TrimmedStringField("Номер", validators=[Length(max=50)])
    dated = RuDateField("Дата", validators=[Optional()])
    public = BooleanField("Публиковать на странице для сайта")


class SettingsForm(Form):
    untrained_mentors = RadioField("Наставник без обучения", choices=list(UNTRAINED.items()))
    site_url = TrimmedStringField("Адрес страницы на сайте школы", validators=[Length(max=500), http_url])
    site_intro = TrimmedTextAreaField("Вступительный текст страницы", validators=[Length(max=5000)])
    version = HiddenField()


class KindForm(Form):
    org_id = RuSelectField("Для кого (организация и все ниже)", coerce=int)
    title = TrimmedStringField("Название вида", validators=[DataRequired(REQUIRED), Length(max=200)])
    group = RuSelectField("Каким пунктам дорожной карты соответствует", choices=list(GROUPS.items()))
    certificates = BooleanField("Выдавать сертификаты (обучение наставников)")
