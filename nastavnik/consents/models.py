"""Согласия (152-ФЗ): на обработку ПД, на распространение, наставника на доп. обязанности, на закрепление."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

CONSENT_KINDS = {
    "pd_processing": "На обработку персональных данных",
    "pd_distribution": "На распространение персональных данных",
    "mentor_duties": "Наставника на возложение дополнительных обязанностей",
    "pair_assignment": "На закрепление в наставнической паре/группе",
}
SELF = "сам(а)"
RELATIONS = (SELF, "мать", "отец", "опекун", "попечитель", "законный представитель")
STATES = {"valid": "действует", "expiring": "скоро истекает", "expired": "истёк", "withdrawn": "отозвано"}


class Consent(db.Model):
    """Согласие субъекта персональных данных (или его законного представителя)."""

    __tablename__ = "consent"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    signatory_name: Mapped[str] = mapped_column(String(300))
    signatory_relation: Mapped[str] = mapped_column(String(50), default=SELF)
    signatory_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    purposes: Mapped[str] = mapped_column(Text, default="")
    document_ref: Mapped[str] = mapped_column(String(200), default="")  # номер/место хранения бумажного согласия
    signed_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # None: до отзыва
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    person = relationship("Person", foreign_keys=[person_id], back_populates="consents")

    @property
    def kind_title(self) -> str:
        return CONSENT_KINDS.get(self.kind, self.kind)

    def is_valid_on(self, day: date) -> bool:
        if self.withdrawn_on is not None and self.withdrawn_on <= day:
            return False
        return self.signed_on <= day and (self.valid_until is None or day <= self.valid_until)

    def state_on(self, day: date, expiring_days: int = 30) -> str:
        if self.withdrawn_on is not None and self.withdrawn_on <= day:
            return "withdrawn"
        if self.valid_until is not None and self.valid_until < day:
            return "expired"
        if self.valid_until is not None and self.valid_until <= day + timedelta(days=expiring_days):
            return "expiring"
        return "valid"

    @property
    def by_representative(self) -> bool:
        return self.signatory_relation != SELF


# Whether someone's consent is valid, expiring, expired or withdrawn is read from the index alone:
# four such questions per person when a region's 110,000 are counted (migration 0013).
Index("ix_consent_person_id_kind_dates", Consent.person_id, Consent.kind, Consent.withdrawn_on, Consent.valid_until,
      Consent.signed_on)
