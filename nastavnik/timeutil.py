"""Time helpers: one place to ask "now" and "today", so tests can reason about them."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return date.today()
