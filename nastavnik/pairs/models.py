"""Наставнические пары и группы, приказы о закреплении, сопровождение неподобранных."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

PAIR_STATUSES = {
    "forming": "формируется",
    "active": "активна",
    "finished": "завершена",
    "interrupted": "прервана",
}
LIVE_STATUSES = ("forming", "active")


class Order(db.Model):
    """Приказ (о закреплении наставнических пар/групп и др.): номер и дата."""

    __tablename__ = "order_document"
    __table_args__ = (UniqueConstraint("org_id", "number", "issued_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="pairs")
    number: Mapped[str] = mapped_column(String(50))
    issued_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text, default="О закреплении наставнических пар/групп")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    pairs: Mapped[list[Pair]] = relationship(back_populates="order")
    entries: Mapped[list[OrderEntry]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEntry.id"
    )


ORDER_KINDS = {
    "pairs": "О закреплении наставнических пар/групп",
    "end": "О прекращении наставничества",
    "change": "Об изменении состава наставнической пары/группы",
}
ENTRY_ACTIONS = {"finish": "завершение", "interrupt": "досрочное прекращение", "replace_mentor": "замена наставника"}


class OrderEntry(db.Model):
    """Пункт приказа о прекращении или об изменении пары: что и с какой даты (история состава пары)."""

    __tablename__ = "order_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order_document.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # finish | interrupt | replace_mentor
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))  # наставник, которого освобождают
    new_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))  # новый наставник
    effective_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")  # основание / причина

    order: Mapped[Order] = relationship(back_populates="entries")
    pair: Mapped[Pair] = relationship()
    person = relationship("Person", foreign_keys=[person_id])
    new_person = relationship("Person", foreign_keys=[new_person_id])


class Pair(db.Model):
    """Наставническая пара или группа."""

    __tablename__ = "pair"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind_code: Mapped[str] = mapped_column(String(50))  # форма (код плагина)
    variation_code: Mapped[str] = mapped_column(String(50), default="")
    is_group: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="forming", index=True)
    academic_year: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # плановое окончание
    ended_on: Mapped[date | None] = mapped_column(Date)  # фактическое (завершена / прервана)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    end_initiator: Mapped[str] = mapped_column(String(20), default="")  # mentor | mentee | school
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order_document.id"))
    match_run_id: Mapped[int | None] = mapped_column(ForeignKey("match_run.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    order: Mapped[Order | None] = relationship(back_populates="pairs")
    members: Mapped[list[PairMember]] = relationship(
        back_populates="pair", cascade="all, delete-orphan", order_by="PairMember.role.desc(), PairMember.id"
    )

    @property
    def mentors(self) -> list[PairMember]:
        return [m for m in self.members if m.role == "mentor"]

    @property
    def mentees(self) -> list[PairMember]:
        return [m for m in self.members if m.role == "mentee"]

    @property
    def status_title(self) -> str:
        return PAIR_STATUSES.get(self.status, self.status)


class PairMember(db.Model):
    """Участник пары/группы в роли наставника или наставляемого."""

    __tablename__ = "pair_member"
    __table_args__ = (UniqueConstraint("pair_id", "person_id"),)  # never mentor and mentee of the same pair

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # mentor | mentee
    mentor_profile_id: Mapped[int | None] = mapped_column(ForeignKey("mentor_profile.id"))
    mentee_profile_id: Mapped[int | None] = mapped_column(ForeignKey("mentee_profile.id"))

    pair: Mapped[Pair] = relationship(back_populates="members")
    person = relationship("Person", lazy="joined")


class SupportRecord(db.Model):
    """Психолого-педагогическое сопровождение наставляемого, которому пока не подобран наставник."""

    __tablename__ = "support_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_profile_id: Mapped[int] = mapped_column(
        ForeignKey("mentee_profile.id", ondelete="CASCADE"), index=True
    )
    happened_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# A school's pairs of one status (dashboards, stalled pairs): SQLite would otherwise scan every
# active pair of the region through the status index (migration 0013).
Index("ix_pair_org_id_status", Pair.org_id, Pair.status)
