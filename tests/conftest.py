"""Fixtures: app, db, client, runner, a small world of organisations and users for every role."""

from __future__ import annotations

import os
import re
import sqlite3
import time
from dataclasses import dataclass

import pytest
from flask import g
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.dashboard import forget_kept
from nastavnik.extensions import db as _db
from plugins.partners import plugin as partners
from plugins.student_student import plugin as student_student
from plugins.teacher_teacher import plugin as teacher_teacher
from tests.factories import PASSWORD, make_consent, make_org, make_person, make_user

IN_REPO_PLUGINS = [teacher_teacher, student_student, partners]
ROLES = ("admin", "municipal", "director", "curator", "mentor", "mentee", "observer")


def pytest_report_header(config):
    url = os.environ.get("NASTAVNIK_TEST_DATABASE_URL", "sqlite://")
    return f"nastavnik test database: {re.sub(r'//[^@]*@', '//***@', url)}"


def pytest_configure(config):
    """Under pytest-xdist each worker gets a PostgreSQL database of its own, named after the given one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("NASTAVNIK_TEST_DATABASE_URL", "")
    if not worker or not url.startswith("postgresql"):
        return
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            connection.execute(text(f'CREATE DATABASE "{name}"'))  # the role needs CREATEDB (.ci/test-postgres.sh)
    engine.dispose()
    worker_url = base.set(database=name).render_as_string(hide_password=False)
    os.environ["NASTAVNIK_TEST_DATABASE_URL"] = worker_url
    TestingConfig.SQLALCHEMY_DATABASE_URI = worker_url


def _fresh_g() -> None:
    for key in list(g):
        g.pop(key)


# --- An empty schema for every test, cheaply ---------------------------------------------------------
# Building ~70 tables per test cost more than most tests themselves (on PostgreSQL about a second a
# test). An in-memory SQLite database is copied from a template built once; a PostgreSQL schema is
# built once per run and emptied after each test, its id sequences restarted.

_sqlite_template: tuple[frozenset, sqlite3.Connection] | None = None
_postgres_ready: set[str] = set()


def _public_tables(connection) -> set[str]:
    query = text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return set(connection.execute(query).scalars())


def create_schema() -> None:
    """An empty schema of every model in the current app's database (what ``db.create_all()`` gives)."""
    global _sqlite_template
    engine = _db.engine
    tables = frozenset(_db.metadata.tables)
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        if _sqlite_template is None or _sqlite_template[0] != tables:
            template = sqlite3.connect(":memory:", check_same_thread=False)
            _db.metadata.create_all(create_engine("sqlite://", creator=lambda: template, poolclass=StaticPool))
            _sqlite_template = (tables, template)
        with engine.connect() as connection:
            _sqlite_template[1].backup(connection.connection.driver_connection)
    elif engine.dialect.name == "postgresql":
        url = engine.url.render_as_string(hide_password=False)
        with engine.begin() as connection:
            if url not in _postgres_ready:  # left over from an earlier run: start clean
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
                _postgres_ready.add(url)
            if not tables <= _public_tables(connection):  # first test, or a test dropped them
                _db.metadata.create_all(connection)
    else:
        _db.create_all()


def drop_schema() -> None:
    """Undo :func:`create_schema`: SQLite memory goes with its engine, PostgreSQL keeps its tables, emptied."""
    _db.session.remove()
    engine = _db.engine
    if engine.dialect.name == "postgresql":
        try:
            with engine.begin() as connection:
                present = _public_tables(connection)
                for table in reversed(_db.metadata.sorted_tables):
                    if table.name in present:
                        connection.execute(table.delete())
                connection.execute(text(
                    "DO $$ DECLARE s record; BEGIN FOR s IN SELECT sequencename FROM pg_sequences"
                    " WHERE schemaname = current_schema() LOOP"
                    " EXECUTE format('ALTER SEQUENCE %I RESTART', s.sequencename); END LOOP; END $$"
                ))
        except DBAPIError:  # rows the ordered deletes cannot remove: the next test starts clean
            _postgres_ready.discard(engine.url.render_as_string(hide_password=False))
    elif engine.url.database not in (None, "", ":memory:"):
        _db.drop_all()
    engine.dispose()


_shared: dict = {}


def _new_app():
    app = create_app(TestingConfig, plugins=IN_REPO_PLUGINS)
    # The app context of a test stays open, so requests would share its ``g`` (the logged-in user,
    # the org tree); give every request a fresh ``g`` as in production.
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    return app


@pytest.fixture(scope="session", autouse=True)
def _modules_imported_before_any_patch():
    """One app built before any test: a module binds ``from nastavnik.timeutil import today`` when it is
    first imported, and a test whose autouse fixture patches ``timeutil.today`` before its app is built
    would otherwise fix that date for every later test of the worker (a pair then refused a consent
    signed «in the future» in test_dashboard_statements, depending on the order xdist gave). Modules
    that the code imports only inside functions (the demo data, exports) are imported here too.

    That app is then every test's (see ``app``)."""
    import importlib
    import pkgutil

    import nastavnik

    for module in pkgutil.walk_packages(nastavnik.__path__, "nastavnik."):
        importlib.import_module(module.name)
    _shared["app"] = _new_app()
    _shared["config"] = dict(_shared["app"].config)


@pytest.fixture
def app(request, tmp_path):
    """The worker's app, its configuration reset for each test, on an empty database.

    Building an app compiles a URL builder for each of its ~250 routes: 0.2 s, more than most tests
    take, twice 1,600 times a run. So tests share one; a test that adds routes (which Flask allows only
    before the first request) is marked ``own_app`` and gets a new one."""
    app = _new_app() if request.node.get_closest_marker("own_app") else _shared["app"]
    app.config.clear()
    app.config.update(_shared["config"])
    app.instance_path = str(tmp_path)
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")  # create_app derived it from the real instance/
    # What a process keeps between requests (scope sizes, coordinators' pages) is from another test's database.
    forget_kept()
    with app.app_context():
        create_schema()
        yield app
        drop_schema()
    app.config.clear()
    app.config.update(_shared["config"])


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class World:
    """Регион → муниципалитет → МКУ УО → две школы; второй муниципалитет со своей школой."""

    region: object
    municipality: object
    authority: object
    school: object
    school2: object
    other_municipality: object
    other_school: object
    teacher: object
    student: object
    other_teacher: object
    users: dict


@pytest.fixture
def world(app) -> World:
    region = make_org(kind="region", name="Красноярский край")
    municipality = make_org(kind="municipality", name="Кежемский район", parent=region)
    authority = make_org(kind="authority", name="МКУ УО", parent=municipality)
    school = make_org(name="СОШ № 3", parent=authority)
    school2 = make_org(name="СОШ № 4", parent=authority)
    other_m = make_org(kind="municipality", name="Другой район", parent=region)
    other_school = make_org(name="СОШ № 1 другого района", parent=other_m)
    teacher = make_person(school, last_name="Петрова", first_name="Анна", experience_years=2.0)
    student = make_person(school, kind="student", last_name="Сидоров", first_name="Миша")
    make_consent(teacher)
    make_consent(student, signatory_name="Сидорова Мария", signatory_relation="мать")
    other_teacher = make_person(other_school, last_name="Чужой", first_name="Олег")
    mentor_person = make_person(school, last_name="Наставникова", first_name="Ольга")
    users = {
        "admin": make_user("admin", "admin", region),
        "municipal": make_user("municipal", "municipal", authority),
        "director": make_user("director", "director", school),
        "curator": make_user("curator", "curator", school),
        "mentor": make_user("mentor", "mentor", school, person=mentor_person),
        "mentee": make_user("mentee", "mentee", school, person=teacher),
        "observer": make_user("observer", "observer", school),
        "curator_other": make_user("curator_other", "curator", other_school),
    }
    _db.session.commit()
    return World(region, municipality, authority, school, school2, other_m, other_school, teacher, student,
                 other_teacher, users)


def eventually(condition, seconds: float = 10.0) -> bool:
    """Whether ``condition()`` comes true within ``seconds``: what another process does (a PostgreSQL
    notice, say) arrives a moment after its commit, not at once."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def login(client, username: str, password: str = PASSWORD):
    response = client.post("/auth/login", data={"username": username, "password": password})
    assert response.status_code == 303, response.data.decode()[:500]
    return client


@pytest.fixture
def as_user(client, world):
    """``as_user("curator")`` logs the client in as that user of the world."""

    def log_in(username: str):
        return login(client, username)

    return log_in


@pytest.fixture
def curator(as_user):
    return as_user("curator")


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app
