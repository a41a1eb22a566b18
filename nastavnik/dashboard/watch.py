"""Ended sessions, heard by every worker process: PostgreSQL's LISTEN and NOTIFY, SQLite's file polled.

A kept coordinator's page (pages.py) may be handed back only while its session holds. Asking the
database on every request costs a round trip, and under load (bench/bench_load.py) that round trip
was most of a kept page's cost: on PostgreSQL 570 pages a second with it, 960 without; on SQLite 700
and 1,020 (each query lets the server's other threads take Python's lock). So each process watches
for accounts whose sessions end (logout, password reset, switch-off: the session version or the «on»
flag changes; accounts are switched off, never deleted) and drops their kept pages, and a kept page
is served without asking the database while the process is sure it is watching:

- PostgreSQL: the transaction that ends the sessions also sends NOTIFY with the account's id,
  delivered when it commits; each process listens on a connection of its own, and its pages go a
  moment after the commit. It is sure while its own heartbeat (a notice it sends every
  ``HEARTBEAT`` seconds, as any other is sent) comes back in time — not behind PgBouncer in
  transaction mode, where a LISTEN hears nothing.
- SQLite (a database file; one machine): each process looks every ``POLL`` seconds whether anyone
  committed to the file (``PRAGMA data_version``) and, if so, compares the accounts' session versions
  with what it saw before; the pages go within ``POLL`` seconds of the commit.

Whenever the process cannot be sure — before the watch has looked once, after its connection broke,
when it has not looked for a while — kept pages are checked against the database as before.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import uuid
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine

from nastavnik.auth.models import User

CHANNEL = "nastavnik_sessions"
HEARTBEAT = 5.0  # seconds between the listener's notices to itself
RETRY = 5.0  # seconds before watching again after the connection broke
POLL = 1.0  # seconds between two looks at a SQLite file

log = logging.getLogger(__name__)
_now = time.monotonic
_watches: weakref.WeakKeyDictionary[Engine, Watch] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


@event.listens_for(User, "after_update")
def _account_changed(mapper, connection, account: User) -> None:
    """Tell every process (at commit) that ``account``'s sessions may have ended."""
    state = inspect(account)
    ended = state.attrs.session_version.history.has_changes() or state.attrs.is_active_account.history.has_changes()
    if ended and connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_notify(:channel, :id)"), {"channel": CHANNEL, "id": str(account.id)})


def hears_all(engine: Engine) -> bool:
    """Whether this process is sure, right now, to hear every session ended on ``engine``'s database."""
    watch = _watches.get(engine)
    return watch is not None and watch.hears()


def start(engine: Engine, on_ended: Callable[[str], None], on_lost: Callable[[], None]) -> None:
    """Watch ``engine``'s database, once per engine and process: ``on_ended(id)`` for each account whose
    sessions ended, ``on_lost()`` whenever an end may have been missed. Not for a database in memory,
    which no other process sees (nor, on SQLite, another connection)."""
    url = engine.url
    kind = {"postgresql": Listener, "sqlite": Poller}.get(engine.dialect.name)
    if kind is None or (kind is Poller and (url.database in (None, "", ":memory:") or "memory" in str(url.query))):
        return
    with _lock:
        watch = _watches.get(engine)
        if watch is not None and watch.pid == os.getpid() and watch.is_alive():
            return
        watch = _watches[engine] = kind(engine, on_ended, on_lost)
        watch.start()  # under the lock: a second request must not find it not yet alive and start another


class Watch(threading.Thread, ABC):
    """One process's watch on one database, on a connection of its own; it ends when its engine is gone."""

    def __init__(self, engine: Engine, on_ended: Callable[[str], None], on_lost: Callable[[], None]) -> None:
        super().__init__(name="nastavnik-sessions-watch", daemon=True)
        self.pid = os.getpid()  # a forked worker starts its own
        self._engine = weakref.ref(engine)  # the app's: the watch must not keep it alive
        self._on_ended, self._on_lost = on_ended, on_lost
        self._heard: float | None = None  # when the watch last made sure it misses nothing

    def hears(self) -> bool:
        heard = self._heard
        return heard is not None and _now() - heard < 3 * self.interval

    @property
    @abstractmethod
    def interval(self) -> float:
        """Seconds between two looks; a watch that has not looked for three is not trusted."""

    def run(self) -> None:
        told = False  # the log says once that notices are lost, not every RETRY seconds while they are
        while self._engine() is not None:
            try:
                self._listen()
            except Exception:  # the database went away or refused: kept pages are checked until it is back
                if not told or self._heard is not None:
                    log.warning("сеансы: наблюдение за базой прервано, страницы координаторов сверяются с базой",
                                exc_info=True)
                told = True
            self._heard = None
            self._on_lost()
            time.sleep(RETRY)

    def _listen(self) -> None:
        """Watch until the connection breaks (an exception) or the engine is gone (a return)."""
        engine = self._engine()
        if engine is None:
            return
        conn = self._connect(engine)
        del engine  # not held while watching
        try:
            self._watch(conn)
        finally:
            conn.close()

    @abstractmethod
    def _connect(self, engine: Engine):
        """A DB-API connection of the watch's own to ``engine``'s database."""

    @abstractmethod
    def _watch(self, conn) -> None:
        """Look on ``conn`` until the engine is gone, calling ``_on_ended`` and setting ``_heard``."""


class Listener(Watch):
    """PostgreSQL: LISTEN on a connection of its own, a heartbeat every ``HEARTBEAT`` seconds."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self._token = f"heartbeat {uuid.uuid4().hex}"  # this watch's own notices
        self.backend_pid: int | None = None  # the listening connection's server process
        self._deaf_told = False

    @property
    def interval(self) -> float:
        return HEARTBEAT

    def _connect(self, engine: Engine):
        pooled = engine.raw_connection()
        pooled.detach()  # out of the pool, for as long as the watch lives
        return pooled.dbapi_connection

    def _watch(self, conn) -> None:
        conn.autocommit = True
        conn.execute(f"LISTEN {CHANNEL}")
        self._on_lost()  # anything kept before the LISTEN may have missed its notice
        self.backend_pid = conn.info.backend_pid
        while self._beat():
            for notice in conn.notifies(timeout=HEARTBEAT):
                if notice.payload == self._token:
                    self._heard = _now()
                elif notice.payload.isdigit():
                    self._on_ended(notice.payload)
            if self._heard is None and not self._deaf_told:  # said once: the check goes on meanwhile
                log.warning("сеансы: контрольное уведомление PostgreSQL не вернулось (PgBouncer в режиме "
                            "transaction?); страницы координаторов сверяются с базой на каждом запросе")
                self._deaf_told = True

    def _beat(self) -> bool:
        """Send this watch's heartbeat, as any notice is sent: through a pooled connection, not the
        listening one (behind PgBouncer in transaction mode a LISTEN hears nothing, and only a notice
        sent on the listening connection itself would come back). False once the engine is gone."""
        engine = self._engine()
        if engine is None:
            return False
        pooled = engine.raw_connection()
        try:
            cursor = pooled.cursor()
            cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, self._token))
            cursor.close()
            pooled.commit()
        finally:
            pooled.close()
        return True


class Poller(Watch):
    """SQLite: every ``POLL`` seconds, whether anyone committed to the file and whose sessions ended."""

    @property
    def interval(self) -> float:
        return POLL

    def _connect(self, engine: Engine):
        return sqlite3.connect(engine.url.database)  # made in this thread, which alone uses it; it only reads

    def _watch(self, conn) -> None:
        seen, accounts = None, None
        while self._engine() is not None:
            version = conn.execute("PRAGMA data_version").fetchone()[0]  # changes when another connection commits
            if version != seen:
                now = dict(conn.execute("SELECT id, session_version || ':' || is_active_account FROM user_account"))
                if accounts is None:
                    self._on_lost()  # anything kept before this first look may have missed its end
                else:
                    for account_id in [a for a, state in accounts.items() if now.get(a) != state]:
                        self._on_ended(str(account_id))
                seen, accounts = version, now
            self._heard = _now()
            time.sleep(POLL)
