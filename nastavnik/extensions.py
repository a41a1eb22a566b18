"""Flask extensions, created unbound and bound in create_app."""

import sqlite3
import time

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, SessionTransaction

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()


@event.listens_for(Engine, "connect")
def _sqlite_connection(dbapi_connection, connection_record):
    """SQLite's lower() folds ASCII only; Russian names need Python's, as PostgreSQL does."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("lower", 1, lambda value: value.lower() if value is not None else None,
                                         deterministic=True)
        # Write-ahead log: a long read (the region's export, 20 s) no longer locks every writer out
        # («database is locked» at the next login); a no-op for an in-memory database.
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:  # another process holds the old-mode file now: a later connection switches
            pass
        finally:
            cursor.close()


# Whether the session's transaction has written anything: a request that only read may then end it
# with COMMIT (see app.end_reads_with_commit). A flush, or any statement but a SELECT sent through
# the session, counts as a write until the transaction ends.
@event.listens_for(db.session, "after_flush")
def _flushed(session: Session, flush_context) -> None:
    session.info["wrote"] = True


@event.listens_for(db.session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info["wrote"] = True


@event.listens_for(db.session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop("wrote", None)


def has_written(session: Session) -> bool:
    """Whether ``session``'s transaction wrote or holds changes not yet flushed."""
    return bool(session.info.get("wrote") or session.new or session.dirty or session.deleted)


PING_AFTER_IDLE = 10.0  # seconds


def ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use when it has been idle for ``PING_AFTER_IDLE`` seconds: the
    database server may have restarted since (a dead one is replaced, as ``pool_pre_ping`` would). One
    returned a moment ago is used as is: pinging on every checkout cost a round trip on every request,
    half of what a kept coordinator page asks of PostgreSQL under load."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE:
            return  # just opened, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("соединение с базой данных потеряно") from error  # the pool opens another
