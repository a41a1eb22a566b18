"""Faults: a process killed mid-import, a database that cannot be reached.

(A full disk during an upload is in test_evidence.py.)
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.extensions import db
from tests.conftest import IN_REPO_PLUGINS, login
from tests.factories import make_org, make_person, make_user

REPO = Path(__file__).resolve().parents[2]
ROWS = 400
LEAKS = ("Traceback", "sqlite", "SELECT", "OperationalError", "psycopg", "connection", "File \"")


def _config(url: str) -> dict:
    config = {key: value for key, value in vars(TestingConfig).items() if key.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = url
    return config


def _letters(n: int) -> str:
    """A distinct suffix without digits (names with digits are refused): 0 → «а», 33 → «ба»."""
    alphabet = "абвгдежзиклмнопрстуфхцчшщэюя"
    suffix = ""
    while True:
        n, digit = divmod(n, len(alphabet))
        suffix = alphabet[digit] + suffix
        if n == 0:
            return suffix


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
            for table in ("person", "audit_entry", "consent", "organisation", "user_account")
        }


def test_kill_9_during_an_import_leaves_no_partial_rows(tmp_path):
    path = tmp_path / "school.sqlite"
    app = create_app(_config(f"sqlite:///{path}"), plugins=IN_REPO_PLUGINS)
    app.instance_path = str(tmp_path)
    with app.app_context():
        db.create_all()
        school = make_org(name="СОШ № 3")
        make_user("curator", "curator", school)
        make_person(school, last_name="Старожилова", first_name="Анна")
        db.session.commit()
        db.engine.dispose()
    before = _counts(path)
    csv_file = tmp_path / "kadry.csv"
    lines = ["ФИО;Дата рождения;Должность"]
    lines += [f"Импортов{_letters(n)} Иван Петрович;01.02.1980;учитель" for n in range(ROWS)]
    csv_file.write_text("\n".join(lines), encoding="utf-8")

    child = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "tests.hostile.import_child", f"sqlite:///{path}", str(tmp_path), str(csv_file), str(ROWS)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        said = []
        for line in child.stdout:
            said.append(line.strip())
            if line.startswith("READY TO COMMIT"):
                break
        assert said and said[-1] == f"READY TO COMMIT {ROWS}", (said, child.stderr.read() if child.poll() else "")
        # Every row of the file is in the database file's transaction now: kill it there.
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert _counts(path) == before  # not one of the 400 people, not one audit entry


# --- the database cannot be reached ------------------------------------------------------------------------


def _assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Сервис временно недоступен" in html and "База данных сейчас недоступна" in html
    assert response.headers["Retry-After"] == "60"
    for leak in LEAKS:
        assert leak not in html, leak


def test_database_gone_under_a_logged_in_user_is_a_russian_503(tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    app = create_app(_config(f"sqlite:///{folder / 'school.sqlite'}"), plugins=IN_REPO_PLUGINS)
    app.instance_path = str(tmp_path)
    with app.app_context():
        db.create_all()
        make_user("curator", "curator", make_org(name="СОШ № 3"))
        db.session.commit()
        client = login(app.test_client(), "curator")
        db.session.remove()
        db.engine.dispose()
        shutil.rmtree(folder)  # the disk with the database is gone: «unable to open database file»
        _assert_unavailable_page(client.get("/participants/"))
        _assert_unavailable_page(client.get("/participants/", headers={"HX-Request": "true"}))
        _assert_unavailable_page(client.post("/participants/new", data={"last_name": "Новая"}))


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://nastavnik:nothing@127.0.0.1:1/nastavnik?connect_timeout=2",
        "sqlite:////proc/nonexistent/nastavnik.sqlite",
    ],
    ids=["postgresql_refused", "sqlite_unopenable"],
)
def test_unreachable_database_at_login_is_a_russian_503(tmp_path, url):
    app = create_app(_config(url), plugins=IN_REPO_PLUGINS)
    app.instance_path = str(tmp_path)
    client = app.test_client()
    assert client.get("/auth/login").status_code == 200  # the login page itself needs no database
    _assert_unavailable_page(client.post("/auth/login", data={"username": "curator", "password": "x" * 12}))
