"""Alembic migrations build exactly the schema of the models, from empty, on SQLite and PostgreSQL."""

from __future__ import annotations

import os

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.extensions import db
from tests.conftest import IN_REPO_PLUGINS

POSTGRES_URL = os.environ.get("NASTAVNIK_TEST_DATABASE_URL", "")
BACKENDS = [pytest.param("sqlite", id="sqlite")]
if POSTGRES_URL.startswith("postgresql"):
    BACKENDS.append(pytest.param("postgresql", id="postgresql"))


def _drop_everything(url: str) -> None:
    """Every table, including alembic_version and tables no model knows any more."""
    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        meta.drop_all(engine)
    finally:
        engine.dispose()


@pytest.fixture
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    _drop_everything(POSTGRES_URL)
    yield POSTGRES_URL
    _drop_everything(POSTGRES_URL)


@pytest.fixture
def migrated_app(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("NASTAVNIK_INSTANCE_PATH", str(tmp_path))
    config = {key: value for key, value in vars(TestingConfig).items() if key.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = database_url
    app = create_app(config, plugins=IN_REPO_PLUGINS)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_migrations_build_the_models_schema(migrated_app):
    assert _tables() == set()
    flask_migrate.upgrade(revision="heads")
    missing = set(db.metadata.tables) - _tables()
    assert missing == set(), f"tables without a migration: {sorted(missing)}"
    assert _differences() == []


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_downgrade_to_base_and_up_again(migrated_app):
    flask_migrate.upgrade(revision="heads")
    flask_migrate.downgrade(revision="base")
    assert _tables() <= {"alembic_version"}
    flask_migrate.upgrade(revision="heads")  # a downgrade that leaves debris breaks this
    assert _differences() == []


PLUGIN_TABLES = {"partners_profile", "partners_agreement", "partners_mentor", "partners_activity"}


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_plugin_branch_applies_and_downgrades_alone(migrated_app):
    """The partners plugin's own branch (label «partners») comes and goes without touching the core."""
    flask_migrate.upgrade(revision="heads")
    assert PLUGIN_TABLES <= _tables()
    flask_migrate.downgrade(revision="partners@base")
    assert not PLUGIN_TABLES & _tables()
    assert {"person", "organisation", "pair"} <= _tables()  # the core stays
    flask_migrate.upgrade(revision="partners@head")
    assert PLUGIN_TABLES <= _tables()
    assert _differences() == []
