"""A pooled connection idle for a while is checked before use and replaced when dead; one in use a
moment ago is not checked (extensions.ping_when_idle)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from nastavnik import extensions
from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.extensions import db
from tests.conftest import IN_REPO_PLUGINS


@pytest.fixture
def file_app(tmp_path):
    """An app on a SQLite file: a real pool, as in production (the tests' in-memory database has one
    shared connection)."""
    config = type("FileConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pool.sqlite'}"})
    app = create_app(config, plugins=IN_REPO_PLUGINS)
    app.instance_path = str(tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


def _pings(monkeypatch, engine) -> list:
    pinged = []
    real = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pinged.append(conn) or real(conn))
    return pinged


def test_a_connection_returned_a_moment_ago_is_not_pinged(file_app, monkeypatch):
    with file_app.app_context():
        engine = db.engine
        pinged = _pings(monkeypatch, engine)
        for _ in range(3):
            with engine.connect() as conn:
                assert conn.execute(text("SELECT 1")).scalar() == 1
        assert pinged == []


def test_an_idle_dead_connection_is_replaced_before_use(file_app, monkeypatch):
    with file_app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            dead = conn.connection.dbapi_connection
        dead.close()  # as a database server restarted while the connection sat in the pool
        monkeypatch.setattr(extensions, "PING_AFTER_IDLE", 0.0)
        pinged = _pings(monkeypatch, engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
            assert conn.connection.dbapi_connection is not dead
        assert pinged and pinged[0] is dead
