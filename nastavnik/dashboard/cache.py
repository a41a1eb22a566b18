"""Expensive figures, kept for a while in the database so that every worker process shares them.

A dashboard card computes its counts with ``cached(key, compute)``. When computing took at least
``FIGURES_CACHE_MIN_MS`` (a region: hundreds of thousands of rows), the value is stored in
``figure_cache`` and served for ``FIGURES_CACHE_SECONDS`` to everyone asking the same key — in any
process, since the store is the database. Cheap figures (a school's) are always computed live.
Show ``Figures.as_of`` next to a cached value: «по состоянию на ДД.ММ.ГГГГ ЧЧ:ММ».

When a stored value is stale, one process recomputes it (it takes a lease for a minute) while the
others keep serving the stale value, so a busy region does not recompute it sixteen times at once.

The value must survive JSON: dicts with string keys, lists, numbers, strings.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, or_, update

from nastavnik.dashboard.models import FigureCache
from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

LEASE = timedelta(minutes=1)


@dataclass(frozen=True)
class Figures:
    value: Any
    as_of: datetime | None  # when it was computed, for a stored value; None: computed for this page


def scope_key(scope) -> str:
    """A cache key part naming an organisation scope (the same for every user with the same roots)."""
    return "all" if scope.everything else ",".join(str(r) for r in sorted(scope.roots))


def cached(key: str, compute: Callable[[], Any]) -> Figures:
    """``compute()``, or its stored value when a recent computation of ``key`` was slow."""
    ttl = current_app.config["FIGURES_CACHE_SECONDS"]
    if ttl <= 0:
        return Figures(compute(), None)
    now = utcnow()
    table = FigureCache.__table__
    with db.engine.connect() as conn:  # its own connection: the page's session stays untouched
        row = conn.execute(table.select().where(table.c.key == key)).first()
    if row is not None:
        computed_at = _aware(row.computed_at)
        if computed_at >= now - timedelta(seconds=ttl) or not _take_lease(key, now):
            return Figures(row.value, computed_at)
    started = time.perf_counter()
    value = compute()
    seconds = time.perf_counter() - started
    if seconds * 1000 >= current_app.config["FIGURES_CACHE_MIN_MS"]:
        _store(key, value, now, seconds)
    elif row is not None:
        _forget(key)  # it has become cheap: compute it live from now on
    return Figures(value, None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives naive datetimes back


def _take_lease(key: str, now: datetime) -> bool:
    """Only one process recomputes a stale value; True for the one that may."""
    table = FigureCache.__table__
    with db.engine.begin() as conn:
        result = conn.execute(
            update(table)
            .where(table.c.key == key, or_(table.c.refreshing_until.is_(None), table.c.refreshing_until < now))
            .values(refreshing_until=now + LEASE)
        )
    return result.rowcount == 1


def _store(key: str, value, now: datetime, seconds: float) -> None:
    table = FigureCache.__table__
    values = {"key": key, "value": value, "computed_at": now, "seconds": seconds, "refreshing_until": None}
    with db.engine.begin() as conn:
        dialect = conn.dialect.name
        if dialect in ("sqlite", "postgresql"):
            if dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert
            else:
                from sqlalchemy.dialects.postgresql import insert
            statement = insert(table).values(**values)
            conn.execute(statement.on_conflict_do_update(index_elements=[table.c.key], set_={
                name: statement.excluded[name] for name in ("value", "computed_at", "seconds", "refreshing_until")
            }))
        else:
            conn.execute(delete(table).where(table.c.key == key))
            conn.execute(table.insert().values(**values))


def _forget(key: str) -> None:
    table = FigureCache.__table__
    with db.engine.begin() as conn:
        conn.execute(delete(table).where(table.c.key == key))


def clear() -> None:
    """Drop every stored figure (after an import that changes many of them at once)."""
    with db.engine.begin() as conn:
        conn.execute(delete(FigureCache.__table__))
