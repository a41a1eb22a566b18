"""Персонализированные программы наставничества, план и встречи с обратной связью."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

MEETING_KINDS = {
    "intro": "встреча-знакомство",
    "trial": "пробная рабочая встреча",
    "planning": "встреча-планирование",
    "joint": "совместная работа",
    "final": "итоговая встреча",
}
MEETING_FORMATS = {"offline": "очно", "online": "дистанционно"}
PLAN_STATUSES = {"planned": "запланировано", "done": "выполнено", "cancelled": "отменено"}


class Programme(db.Model):
    """Персонализированная программа наставничества пары/группы."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), unique=True)
    template_code: Mapped[str] = mapped_column(String(100), default="")
    goal: Mapped[str] = mapped_column(Text, default="")
    tasks: Mapped[str] = mapped_column(Text, default="")
    difficulties: Mapped[str] = mapped_column(Text, default="")  # затруднения / запрос наставляемого
    strengths: Mapped[str] = mapped_column(Text, default="")
    duration_months: Mapped[int] = mapped_column(Integer, default=9)  # 3–12
    planned_results: Mapped[str] = mapped_column(Text, default="")
    actual_results: Mapped[str] = mapped_column(Text, default="")
    reflection: Mapped[str] = mapped_column(Text, default="")
    effective_practice: Mapped[bool] = mapped_column(default=False)  # в банк программ для других школ
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | completed
    completed_on: Mapped[date | None] = mapped_column(Date)
    # What was still open when the programme was completed anyway (plan items, missing feedback).
    open_at_completion: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    pair = relationship("Pair")
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="PlanItem.position"
    )


class PlanItem(db.Model):
    """Пункт плана программы: дата, содержание, ответственный, результат, статус."""

    __tablename__ = "plan_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    due_on: Mapped[date | None] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(300), default="")
    result: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="planned")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    programme: Mapped[Programme] = relationship(back_populates="items")


class Meeting(db.Model):
    """Встреча пары/группы; для «совместной работы» обратная связь обеих сторон обязательна."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    format: Mapped[str] = mapped_column(String(20), default="offline")
    notes: Mapped[str] = mapped_column(Text, default="")
    mentor_feedback: Mapped[str] = mapped_column(Text, default="")
    mentee_feedback: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    pair = relationship("Pair")
