"""Expensive figures, kept for a while in the database so that every worker process shares them.

A dashboard card computes its counts with ``cached(name, scope, compute)``. For a scope of at least
``FIGURES_CACHE_MIN_ORGS`` organisations (a region: 2,000 schools, 200,000 people) the value is
stored in ``figure_cache`` and served for ``FIGURES_CACHE_SECONDS`` to everyone asking for the same
figures of the same scope — in any process, since the store is the database. A school's or a
municipality's figures are always computed live, so a curator sees the record they just added.
Show ``Figures.as_of`` next to a stored value: «по состоянию на ДД.ММ.ГГГГ ЧЧ:ММ».

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
from sqlalchemy import delete, func, or_, select, update

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


_sizes: dict[str, tuple[float, int]] = {}
SIZE_SECONDS = 300


def scope_size(scope) -> int:
    """How many organisations ``scope`` spans. It only decides what is kept and for how long, and
    schools are added a few times a year: counted once in five minutes per process, not per page."""
    key = scope_key(scope)
    found = _sizes.get(key)
    if found is None or found[0] <= time.monotonic():
        size = db.session.scalar(select(func.count()).select_from(scope.__clause_element__().subquery()))
        found = _sizes[key] = (time.monotonic() + SIZE_SECONDS, size)
    return found[1]


def forget_sizes() -> None:
    _sizes.clear()


def _large(scope) -> bool:
    """Whether ``scope`` spans enough organisations for its figures to be kept."""
    return scope_size(scope) >= current_app.config["FIGURES_CACHE_MIN_ORGS"]


def cached(name: str, scope, compute: Callable[[], Any]) -> Figures:
    """``compute()`` — or, for a large ``scope``, the value stored by a recent computation.

    :param name: what the figures are, with anything else they depend on («pairs.card:30»).
    :param scope: the organisations they cover (``access.scope(...)``).
    :param compute: computes them, JSON-ready.
    """
    ttl = current_app.config["FIGURES_CACHE_SECONDS"]
    if ttl <= 0 or not scope or not _large(scope):
        return Figures(compute(), None)
    key = f"{name}:{scope_key(scope)}"
    now = utcnow()
    table = FigureCache.__table__
    # its own connection, the page's session untouched; COMMIT, as every read (app.end_reads_with_commit)
    with db.engine.begin() as conn:
        row = conn.execute(table.select().where(table.c.key == key)).first()
    if row is not None:
        computed_at = _aware(row.computed_at)
        if computed_at >= now - timedelta(seconds=ttl) or not _take_lease(key, now):
            return Figures(row.value, computed_at)
    started = time.perf_counter()
    value = compute()
    _store(key, value, now, time.perf_counter() - started)
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


def clear() -> None:
    """Drop every stored figure (after an import that changes many of them at once)."""
    with db.engine.begin() as conn:
        conn.execute(delete(FigureCache.__table__))
