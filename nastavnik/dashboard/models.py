"""Сводные цифры, посчитанные недавно: общие для всех процессов сервера (см. dashboard.cache)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.extensions import db


class FigureCache(db.Model):
    """Дорогие цифры (сводка региона — 200 000 человек) и когда их посчитали."""

    __tablename__ = "figure_cache"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float] = mapped_column(Float, default=0.0)  # how long the computation took
    # While one process recomputes a stale value, the others keep showing the stale one.
    refreshing_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
