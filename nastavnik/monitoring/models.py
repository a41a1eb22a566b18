"""Мониторинг: анкеты (шаблон → версии → вопросы), кампании и адресаты, ответы, SWOT, рост участников.

A version that has answers is never changed in place: an edit makes the next version
(``services.editable_version``), so every stored answer keeps the exact question it answered.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.extensions import db
from nastavnik.monitoring.structs import AUDIENCES, ITEM_KINDS, PURPOSES, SCORED
from nastavnik.timeutil import utcnow

WAVES = {
    "entry": "входная",
    "midterm": "промежуточная",
    "final": "итоговая",
    "after_meeting": "после встречи",
    "pair_end": "при завершении пары",
}
TRIGGERS = {
    "dates": "в окно дат — всем адресатам сразу",
    "pair_start": "каждой паре через N дней после её начала",
    "pair_end": "каждой паре при завершении (программа выполнена)",
}
CAMPAIGN_STATUSES = {"scheduled": "запланирована", "open": "идёт", "closed": "закрыта"}
CHANNELS = {"app": "в приложении", "link": "по ссылке / QR-коду", "paper": "на бумаге (внёс куратор)"}
STAGES = {"entry": "входная", "final": "итоговая"}
METHODS = {
    "threshold": "доля респондентов со средним баллом не ниже порога",
    "mean_share": "средний балл в процентах от максимума",
}


class Questionnaire(db.Model):
    """Анкета организации: её версии и вопросы. ``source_code`` — образец, с которого она скопирована."""

    __tablename__ = "questionnaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    source_code: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(300))
    audience: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(20), default="satisfaction")
    kind_code: Mapped[str] = mapped_column(String(50), default="")
    anonymous: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)  # every edit: a new version_id
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    org = relationship("Organisation", lazy="joined")
    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number", cascade="all, delete-orphan"
    )

    @property
    def latest(self) -> QuestionnaireVersion:
        return self.versions[-1]

    @property
    def audience_title(self) -> str:
        return AUDIENCES.get(self.audience, self.audience)

    @property
    def purpose_title(self) -> str:
        return PURPOSES.get(self.purpose, self.purpose)


class QuestionnaireVersion(db.Model):
    """Версия анкеты: её вопросы неизменны, как только на неё получен хотя бы один ответ."""

    __tablename__ = "questionnaire_version"
    __table_args__ = (UniqueConstraint("questionnaire_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")
    items: Mapped[list[QuestionItem]] = relationship(
        back_populates="version", order_by="QuestionItem.position", cascade="all, delete-orphan"
    )


class QuestionItem(db.Model):
    """Вопрос: вид, текст, обязательность, обратная шкала, подшкала, участие в «% удовлетворённых»."""

    __tablename__ = "question_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=True)
    reverse: Mapped[bool] = mapped_column(default=False)
    subscale: Mapped[str] = mapped_column(String(50), default="")
    in_satisfaction: Mapped[bool] = mapped_column(default=False)
    options: Mapped[list] = mapped_column(JSON, default=list)
    minimum: Mapped[float | None] = mapped_column(Float)
    maximum: Mapped[float | None] = mapped_column(Float)

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="items")

    @property
    def kind_title(self) -> str:
        return ITEM_KINDS.get(self.kind, self.kind)

    @property
    def scored(self) -> bool:
        return self.kind in SCORED

    @property
    def bounds(self) -> tuple[int, int] | None:
        return SCORED.get(self.kind)


class Campaign(db.Model):
    """Кампания (волна) мониторинга: одна анкета, одна аудитория, окно дат, охват.

    Адресаты (``Recipient``) are written when the campaign opens and added daily by
    ``flask nastavnik monitoring-tick`` for the rolling triggers, so response rates and «мои анкеты»
    are plain counts.
    """

    __tablename__ = "monitoring_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # школа или МКУ УО
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    wave: Mapped[str] = mapped_column(String(20), default="midterm")
    trigger: Mapped[str] = mapped_column(String(20), default="dates")
    offset_days: Mapped[int] = mapped_column(Integer, default=0)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="scheduled", index=True)
    kind_code: Mapped[str] = mapped_column(String(50), default="")
    pair_statuses: Mapped[list] = mapped_column(JSON, default=list)
    academic_year: Mapped[int | None] = mapped_column(Integer)
    rhythm_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_rhythm.id"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    org = relationship("Organisation", lazy="joined")
    questionnaire: Mapped[Questionnaire] = relationship(lazy="joined")
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    targets: Mapped[list[CampaignOrg]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def target_ids(self) -> list[int]:
        return [t.org_id for t in self.targets]

    @property
    def wave_title(self) -> str:
        return WAVES.get(self.wave, self.wave)

    @property
    def status_title(self) -> str:
        return CAMPAIGN_STATUSES.get(self.status, self.status)


class CampaignOrg(db.Model):
    """Организация, которую охватывает кампания (муниципалитет запускает одну на все свои школы)."""

    __tablename__ = "monitoring_campaign_org"
    __table_args__ = (UniqueConstraint("campaign_id", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("monitoring_campaign.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)


class Recipient(db.Model):
    """Адресат кампании: участник (``key`` «p:<id>») или, для анкеты куратора, организация («o:<id>»).

    A personal one-time link is ``link_nonce`` (the link itself is an HMAC of it with the secret key,
    never stored), valid until ``link_expires_on`` and spent at ``link_used_at``.
    """

    __tablename__ = "monitoring_recipient"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("monitoring_campaign.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(30))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pair.id"))
    role: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    link_nonce: Mapped[str] = mapped_column(String(64), default="")
    link_expires_on: Mapped[date | None] = mapped_column(Date)
    link_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    campaign: Mapped[Campaign] = relationship()
    person = relationship("Person")
    org = relationship("Organisation")


class Response(db.Model):
    """Заполненная анкета. ``score`` — средний балл по вопросам удовлетворённости в долях максимума (0–1)."""

    __tablename__ = "monitoring_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("monitoring_campaign.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_recipient.id"), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10), default="app")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    score: Mapped[float | None] = mapped_column(Float)

    recipient: Mapped[Recipient | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan", back_populates="response")


class Answer(db.Model):
    """Ответ на вопрос: число (шкалы, да/нет, варианты, числа) или текст. Несколько вариантов — несколько строк."""

    __tablename__ = "monitoring_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("monitoring_response.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("question_item.id"), index=True)
    value: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")


class Swot(db.Model):
    """SWOT-анализ программы, который куратор составляет по ответам кампании, и выводы справки."""

    __tablename__ = "monitoring_swot"
    __table_args__ = (UniqueConstraint("campaign_id", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("monitoring_campaign.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    strengths: Mapped[str] = mapped_column(Text, default="")
    weaknesses: Mapped[str] = mapped_column(Text, default="")
    opportunities: Mapped[str] = mapped_column(Text, default="")
    threats: Mapped[str] = mapped_column(Text, default="")
    conclusions: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    org = relationship("Organisation")


class Rhythm(db.Model):
    """Ритм мониторинга школы: входная волна через N дней после начала пары, итоговая при завершении,
    полугодовые в заданные даты (ДД.ММ); кампании создаёт и открывает ``monitoring-tick``."""

    __tablename__ = "monitoring_rhythm"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    questionnaire_ids: Mapped[list] = mapped_column(JSON, default=list)
    entry_days: Mapped[int | None] = mapped_column(Integer)  # None: no entry wave
    final_wave: Mapped[bool] = mapped_column(default=True)
    halfyear_dates: Mapped[list] = mapped_column(JSON, default=list)  # ["01.12", "15.05"]
    window_days: Mapped[int] = mapped_column(Integer, default=14)
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Settings(db.Model):
    """Правило муниципалитета: как считать «% удовлетворённых» и минимальный размер группы.

    Set on a municipality's organisation (or its МКУ УО, or the region); a school takes the nearest
    one above it, else the defaults (порог 70 %, группа от 5).
    """

    __tablename__ = "monitoring_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    method: Mapped[str] = mapped_column(String(20), default="threshold")
    threshold_percent: Mapped[int] = mapped_column(Integer, default=70)
    min_group_size: Mapped[int] = mapped_column(Integer, default=5)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def method_title(self) -> str:
        return METHODS.get(self.method, self.method)


class GrowthCharacteristicRow(db.Model):
    """Характеристика роста, добавленная школой к тем, что даёт плагин формы."""

    __tablename__ = "monitoring_growth_characteristic"
    __table_args__ = (UniqueConstraint("org_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind_code: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    value_kind: Mapped[str] = mapped_column(String(20))
    options: Mapped[list] = mapped_column(JSON, default=list)
    minimum: Mapped[float | None] = mapped_column(Float)
    maximum: Mapped[float | None] = mapped_column(Float)
    higher_is_better: Mapped[bool] = mapped_column(default=True)
    unit: Mapped[str] = mapped_column(String(50), default="")


class GrowthRecord(db.Model):
    """Значение характеристики участника пары на входе или в конце, кто и когда его записал."""

    __tablename__ = "monitoring_growth_record"
    __table_args__ = (UniqueConstraint("pair_id", "person_id", "code", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind_code: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(60))
    stage: Mapped[str] = mapped_column(String(10))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    recorded_by = relationship("User")
