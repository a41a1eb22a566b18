"""Flask extensions, created unbound and bound in create_app."""

import sqlite3

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

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
