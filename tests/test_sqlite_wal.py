"""On the embedded SQLite a long read (a region's export streams for many seconds) does not lock
writers out: the database file runs in write-ahead-log mode, so a login or a save made meanwhile
commits instead of failing with «database is locked» (a 503 to the user)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from tests.conftest import IN_REPO_PLUGINS


@pytest.fixture
def file_app(tmp_path):
    if not TestingConfig.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
        pytest.skip("SQLite's journal mode: the PostgreSQL run has MVCC")

    class FileConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'school.sqlite'}"
        SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"timeout": 0.5}}  # fail fast if the writer waits

    app = create_app(FileConfig, plugins=IN_REPO_PLUGINS)
    with app.app_context():
        db.create_all()
        for n in range(300):
            db.session.add(Organisation(kind="school", name=f"Школа {n}"))
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_a_write_commits_while_a_long_read_is_under_way(file_app):
    with db.engine.connect() as reader:
        assert reader.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        rows = reader.execute(text("SELECT id, name FROM organisation ORDER BY id"))
        assert rows.fetchmany(10)  # the read is open, as an export streaming its rows is
        db.session.add(Organisation(kind="school", name="Школа, внесённая во время выгрузки"))
        db.session.commit()
        assert len(rows.fetchall()) == 290  # the read goes on with the rows as they were when it began
    assert db.session.query(Organisation).count() == 301
