"""Показатели (паспорта), ручные значения, сборы отчётов и сохранённые прогоны отчётов."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

FORMULAS = {
    "share": "доля: N / D × 100",
    "sum": "сумма счётчиков",
    "manual": "вводится вручную",
}
RUN_STATUSES = {"draft": "черновик", "submitted": "сдан", "accepted": "принят", "returned": "возвращён"}
ENTRY_KINDS = {"denominator": "знаменатель (D) вручную", "value": "значение вручную"}


class Indicator(db.Model):
    """Паспорт показателя: как его определяет региональный акт («Сведения о методике расчёта»)."""

    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(20), default="%")
    definition: Mapped[str] = mapped_column(Text, default="")
    time_characteristic: Mapped[str] = mapped_column(Text, default="")
    formula: Mapped[str] = mapped_column(String(10), default="share")  # share | sum | manual
    numerator: Mapped[str] = mapped_column(Text, default="")  # counter code(s), «a + b» for a sum
    denominator: Mapped[str] = mapped_column(String(100), default="")
    min_value: Mapped[float | None] = mapped_column(Float)  # range of a manual value
    max_value: Mapped[float | None] = mapped_column(Float)
    collection_method: Mapped[str] = mapped_column(Text, default="")
    responsible: Mapped[str] = mapped_column(String(300), default="")
    provider: Mapped[str] = mapped_column(String(200), default="")  # who installs the counters it needs
    source_note: Mapped[str] = mapped_column(Text, default="")  # «сверить с актуальной редакцией региона»
    position: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    targets: Mapped[list[IndicatorTarget]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="IndicatorTarget.academic_year"
    )

    @property
    def numerator_codes(self) -> list[str]:
        return [c.strip() for c in self.numerator.split("+") if c.strip()]

    @property
    def counter_codes(self) -> list[str]:
        codes = self.numerator_codes if self.formula != "manual" else []
        return codes + ([self.denominator] if self.formula == "share" and self.denominator else [])

    @property
    def is_share(self) -> bool:
        return self.formula == "share"

    @property
    def formula_title(self) -> str:
        return FORMULAS.get(self.formula, self.formula)

    def target_for(self, academic_year: int) -> float | None:
        """The target of the year, else the latest earlier one (a target stands until changed)."""
        earlier = [t for t in self.targets if t.academic_year <= academic_year]
        return earlier[-1].value if earlier else None


class IndicatorTarget(db.Model):
    """Целевое значение показателя на учебный год."""

    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("indicator_id", "academic_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    academic_year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)

    indicator: Mapped[Indicator] = relationship(back_populates="targets")


class IndicatorEntry(db.Model):
    """Значение, введённое организацией вручную на учебный год: знаменатель, который приложение не знает
    полностью («ОО-1 на 20.09: 412»), или значение ручного показателя — всегда с источником."""

    __tablename__ = "indicator_entry"
    __table_args__ = (UniqueConstraint("indicator_id", "org_id", "academic_year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    academic_year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # denominator | value
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    indicator: Mapped[Indicator] = relationship()


class ReportCollection(db.Model):
    """Сбор отчётов: муниципалитет собирает с школ (регион — с муниципалитетов) форму на дату в срок."""

    __tablename__ = "report_collection"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # who collects
    format_code: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text)
    as_of: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    org = relationship("Organisation")


class ReportRun(db.Model):
    """Прогон отчёта: параметры, каждая ячейка с N и D, кто и когда, версия плагина формы.

    Once submitted, its figures never change (``nastavnik.reports.services`` refuses any change
    to them at flush); a returned report is corrected by a new run.
    """

    __tablename__ = "report_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    format_code: Mapped[str] = mapped_column(String(100), index=True)
    format_title: Mapped[str] = mapped_column(Text, default="")
    format_version: Mapped[str] = mapped_column(String(50), default="")
    plugin: Mapped[str] = mapped_column(String(200), default="")
    plugin_version: Mapped[str] = mapped_column(String(50), default="")
    level: Mapped[str] = mapped_column(String(20), default="school")
    as_of: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # columns, rows, cells, per-org and total values
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    collection_id: Mapped[int | None] = mapped_column(ForeignKey("report_collection.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    org = relationship("Organisation")
    collection: Mapped[ReportCollection | None] = relationship()
    created_by = relationship("User", foreign_keys=[created_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])

    @property
    def status_title(self) -> str:
        return RUN_STATUSES.get(self.status, self.status)

    @property
    def is_frozen(self) -> bool:
        return self.status != "draft"
