"""Организации-партнёры, соглашения о сотрудничестве, наставники от партнёров и мероприятия.

A partner is a core ``Organisation(kind="partner")`` under its municipality (so that
``Person.org_id`` of its employees points into the tree and the municipality's schools share one
register); this plugin keeps what the core does not know about it in ``partners_profile``.
Agreements and activities belong to a school (their ``org_id``): another school's answer 404.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

PARTNER_KINDS = {
    "enterprise": "предприятие",
    "university": "вуз",
    "college": "колледж",
    "ngo": "НКО",
    "authority": "орган власти",
}
AGREEMENT_STATES = {
    "pending": "не вступило в силу",
    "live": "действует",
    "expired": "истекло",
    "terminated": "расторгнуто",
}
ACTIVITY_KINDS = {
    "excursion": "экскурсия",
    "master_class": "мастер-класс",
    "career_day": "день профессий",
    "project": "проект",
    "practice": "профессиональная проба / практика",
}


class PartnerProfile(db.Model):
    """Карточка организации-партнёра: what the core organisation record does not hold."""

    __tablename__ = "partners_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # PARTNER_KINDS
    ogrn: Mapped[str] = mapped_column(String(15), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    okved: Mapped[str] = mapped_column(String(20), default="")  # основной код ОКВЭД
    profile: Mapped[str] = mapped_column(Text, default="")  # профиль деятельности, словами
    # Professional areas for matching a pupil's interests, comma-separated («энергетика, электротехника»).
    areas: Mapped[str] = mapped_column(String(500), default="")
    contact_name: Mapped[str] = mapped_column(String(300), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    org = relationship("Organisation", lazy="joined")

    @property
    def kind_title(self) -> str:
        return PARTNER_KINDS.get(self.kind, self.kind)

    @property
    def area_list(self) -> list[str]:
        return [a.strip() for a in self.areas.split(",") if a.strip()]


class Agreement(db.Model):
    """Соглашение о сотрудничестве школы с организацией-партнёром."""

    __tablename__ = "partners_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # школа
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    number: Mapped[str] = mapped_column(String(50))
    signed_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # None: бессрочно
    subject: Mapped[str] = mapped_column(Text, default="")
    kind_codes: Mapped[str] = mapped_column(String(500), default="")  # формы наставничества через запятую
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))  # координатор от школы
    terminated_on: Mapped[date | None] = mapped_column(Date)
    termination_reason: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    file_type: Mapped[str] = mapped_column(String(100), default="")
    file_content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    partner = relationship("Organisation", foreign_keys=[partner_id], lazy="joined")
    school = relationship("Organisation", foreign_keys=[org_id], lazy="joined")
    coordinator = relationship("Person")

    @property
    def kinds(self) -> list[str]:
        return [c for c in self.kind_codes.split(",") if c]

    def state_on(self, day: date) -> str:
        if self.terminated_on is not None and self.terminated_on <= day:
            return "terminated"
        if self.ends_on is not None and self.ends_on < day:
            return "expired"
        if self.starts_on > day:
            return "pending"
        return "live"

    def state_title_on(self, day: date) -> str:
        return AGREEMENT_STATES[self.state_on(day)]


class PartnerMentor(db.Model):
    """Наставник от партнёра: a ``Person`` of kind «partner_employee» with what working with pupils needs."""

    __tablename__ = "partners_mentor"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    post: Mapped[str] = mapped_column(String(300), default="")  # должность (или курс для студента)
    experience_years: Mapped[float | None] = mapped_column()  # стаж в профессии
    # «Справка об отсутствии судимости» (ст. 351.1 ТК РФ): required to mentor a minor.
    record_check_number: Mapped[str] = mapped_column(String(100), default="")
    record_check_on: Mapped[date | None] = mapped_column(Date)
    record_check_until: Mapped[date | None] = mapped_column(Date)
    briefing_on: Mapped[date | None] = mapped_column(Date)  # инструктаж пройден
    briefing_note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    person = relationship("Person", lazy="joined")

    def record_check_valid_on(self, day: date) -> bool:
        return (
            self.record_check_on is not None
            and self.record_check_on <= day
            and (self.record_check_until is None or day <= self.record_check_until)
        )


class Activity(db.Model):
    """Профориентационное мероприятие с партнёром: экскурсия, мастер-класс, день профессий, проект."""

    __tablename__ = "partners_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # школа
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # ACTIVITY_KINDS
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    participants: Mapped[int] = mapped_column(Integer, default=0)  # обучающихся-участников
    participants_note: Mapped[str] = mapped_column(Text, default="")  # классы, группы
    outcome: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    partner = relationship("Organisation", foreign_keys=[partner_id], lazy="joined")

    @property
    def kind_title(self) -> str:
        return ACTIVITY_KINDS.get(self.kind, self.kind)
