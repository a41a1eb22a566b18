"""Failures of plugins while the app serves requests, counted in the database (every worker process
sees the same figures) and shown on the plugins page: a plugin failing on every request must not
look «работает»."""

from __future__ import annotations

import logging
import traceback
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

log = logging.getLogger(__name__)


class PluginFailure(db.Model):
    """Сбои плагина во время работы: сколько, когда последний и какой."""

    __tablename__ = "plugin_failure"

    plugin: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_where: Mapped[str] = mapped_column(String(200), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")


def record(plugin: str, where: str, exc: BaseException) -> None:
    """Count one failure of ``plugin``, in a transaction of its own (the request's may be broken)."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    table = PluginFailure.__table__
    now = utcnow()
    try:
        with db.engine.begin() as connection:
            done = connection.execute(
                update(table).where(table.c.plugin == plugin).values(
                    count=table.c.count + 1, last_at=now, last_where=where[:200], last_error=error
                )
            )
            if done.rowcount == 0:
                connection.execute(table.insert().values(
                    plugin=plugin, count=1, first_at=now, last_at=now, last_where=where[:200], last_error=error
                ))
    except Exception:  # noqa: BLE001 - counting must never be the second failure of a request
        log.exception("Не удалось записать сбой плагина %s", plugin)


def culprit(exc: BaseException, plugins: dict[str, str]) -> str | None:
    """The plugin whose code raised ``exc``: the innermost traceback frame inside a plugin's package.

    :param plugins: plugin name -> its module path (``plugins.partners.plugin``).
    """
    packages = {name: module.rpartition(".")[0] if module.endswith(".plugin") else module
                for name, module in plugins.items() if module}
    found = None
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        module = frame.f_globals.get("__name__", "")
        for name, package in packages.items():
            if module == package or module.startswith(package + "."):
                found = name
    return found


def counts() -> dict[str, PluginFailure]:
    return {row.plugin: row for row in db.session.scalars(select(PluginFailure))}


def record_unhandled(exc: BaseException, where: str) -> None:
    """For the 500 handler: charge the failure to the external plugin whose code raised it, if any."""
    from nastavnik.plugins.manager import plugin_state

    state = plugin_state()
    external = {info.name: info.module for info in state.external()}
    name = culprit(exc, external)
    if name is not None:
        record(name, where, exc)


__all__ = ["PluginFailure", "counts", "culprit", "record", "record_unhandled"]
