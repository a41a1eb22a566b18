"""Fixtures: app, db, client, runner, a small world of organisations and users for every role."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest
from flask import g

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
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


def _fresh_g() -> None:
    for key in list(g):
        g.pop(key)


@pytest.fixture
def app(tmp_path):
    app = create_app(TestingConfig, plugins=IN_REPO_PLUGINS)
    app.instance_path = str(tmp_path)
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")  # create_app derived it from the real instance/
    # The app context below stays open, so requests would share its ``g`` (the logged-in user,
    # the org tree); give every request a fresh ``g`` as in production.
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()


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
