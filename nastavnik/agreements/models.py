"""Наставничество в сфере труда (ст. 351.8 ТК РФ): дополнительные соглашения с наставниками."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.extensions import db
from nastavnik.pairs.models import Pair
from nastavnik.participants.models import Person
from nastavnik.timeutil import utcnow

PAY_KINDS = {
    "fixed": "фиксированная сумма в месяц",
    "percent": "процент от должностного оклада",
    "coefficient": "коэффициент за каждого наставляемого",
    "local_act": "по локальному нормативному акту / коллективному договору",
}
INITIATORS = {"employer": "работодатель", "employee": "работник (наставник)"}
NOTICE_WORKING_DAYS = 3  # ст. 351.8 ТК РФ: «не менее чем за три рабочих дня»


class MentorAgreement(db.Model):
    """Дополнительное соглашение к трудовому договору наставника (ст. 351.8 ТК РФ)."""

    __tablename__ = "mentor_agreement"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)  # наставник-работник
    number: Mapped[str] = mapped_column(String(50))
    signed_on: Mapped[date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)  # содержание работы по наставничеству
    work_form: Mapped[str] = mapped_column(String(300))  # форма выполнения
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    pay_kind: Mapped[str] = mapped_column(String(20))
    pay_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))  # рубли, проценты или коэффициент
    pay_terms: Mapped[str] = mapped_column(Text, default="")  # условия выплаты
    local_act: Mapped[str] = mapped_column(String(500), default="")  # локальный акт / коллективный договор
    # Досрочное прекращение: кто, когда предупредил, с какой даты прекращается.
    ended_by: Mapped[str] = mapped_column(String(20), default="")
    notice_on: Mapped[date | None] = mapped_column(Date)
    terminated_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    person: Mapped[Person] = relationship(lazy="joined")
    pair: Mapped[Pair] = relationship()

    @property
    def pay_kind_title(self) -> str:
        return PAY_KINDS.get(self.pay_kind, self.pay_kind)

    @property
    def last_day(self) -> date:
        """The last day the agreement runs: its end, or the end after an early notice."""
        return self.terminated_on or self.ends_on

    def state_on(self, day: date) -> str:
        if self.terminated_on is not None and self.terminated_on < day:
            return "прекращено досрочно"
        if self.terminated_on is not None:
            return "прекращается досрочно"
        if day < self.starts_on:
            return "ещё не вступило в силу"
        return "истекло" if self.ends_on < day else "действует"
