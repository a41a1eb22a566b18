"""Several worker processes on one database behave as one: two waitress processes on loopback ports.

What a deployment with several workers (waitress or gunicorn processes) must not lose: login
throttling counted in the database, figures kept by one process served by the other, the
organisation tree changed through one and seen by the other, a session valid in both, and a stale
edit refused (409) whichever process the two editors reached. On the PostgreSQL stage the processes
share the PostgreSQL database; otherwise a SQLite file.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.extensions import db
from tests.conftest import IN_REPO_PLUGINS, eventually
from tests.factories import PASSWORD, make_consent, make_org, make_person, make_user

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """A user's browser talking to one worker (its own cookies; no redirects followed)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, port: int, cookies: http.cookiejar.CookieJar | None = None) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = cookies if cookies is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), self._NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, username: str, password: str = PASSWORD) -> int:
        return self.request("/auth/login", {"username": username, "password": password})[0]


def _answers(port: int) -> bool:
    try:
        return Browser(port).request("/auth/login")[0] == 200
    except urllib.error.URLError:
        return False


@pytest.fixture
def database_url(tmp_path):
    url = os.environ.get("NASTAVNIK_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else f"sqlite:///{tmp_path / 'shared.sqlite'}"


@pytest.fixture
def seeded(database_url, tmp_path):
    """The schema and a small world in the shared database, made by this (third) process."""
    config = {key: value for key, value in vars(TestingConfig).items() if key.isupper()}
    app = create_app(config | {"SQLALCHEMY_DATABASE_URI": database_url}, plugins=IN_REPO_PLUGINS)
    app.instance_path = str(tmp_path)
    with app.app_context():
        db.create_all()
        region = make_org(kind="region", name="Край")
        authority = make_org(kind="authority", name="МКУ УО", parent=region)
        school = make_org(name="СОШ № 1", parent=authority)
        person = make_person(school, last_name="Петрова", first_name="Анна")
        make_consent(person)
        make_user("admin", "admin", region)
        make_user("municipal", "municipal", authority)
        make_user("curator", "curator", school)
        make_user("director", "director", school)
        db.session.commit()
        world = {"authority": authority.id, "school": school.id, "person": person.id}
    yield world
    engine = create_engine(database_url)
    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)
    engine.dispose()


@pytest.fixture
def workers(database_url, seeded, tmp_path):
    """Two app processes serving the same database on two loopback ports."""
    ports = [_free_port(), _free_port()]
    env = os.environ | {"NASTAVNIK_DATABASE_URL": database_url, "NASTAVNIK_INSTANCE_PATH": str(tmp_path)}
    processes = [
        subprocess.Popen([sys.executable, "-m", "tests.worker_server", database_url, str(port)], cwd=ROOT, env=env)  # noqa: S603
        for port in ports
    ]
    try:
        deadline = time.monotonic() + 60
        for port in ports:
            while not _answers(port):
                assert time.monotonic() < deadline, "a worker did not start"
                assert all(p.poll() is None for p in processes), "a worker exited"
                time.sleep(0.2)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def test_two_workers_share_throttling_figures_tree_sessions_and_versions(workers, seeded):
    first, second = workers

    # A session made by one worker is valid in the other (the same key, the user in the database).
    curator_a = Browser(first)
    assert curator_a.log_in("curator") == 303
    curator_b = Browser(second, curator_a.cookies)
    assert curator_b.request("/participants/")[0] == 200

    # Figures kept by one worker are served by the other, «по состоянию на …».
    municipal_a, municipal_b = Browser(first), Browser(second)
    assert municipal_a.log_in("municipal") == 303 and municipal_b.log_in("municipal") == 303
    assert 'id="summary-as-of"' not in municipal_a.request("/")[1]  # computed, and kept in the database
    status, page = municipal_b.request("/")
    assert status == 200 and 'id="summary-as-of"' in page and "по состоянию на" in page

    # The organisation tree changed through one worker is the tree of the other at once.
    admin = Browser(first)
    assert admin.log_in("admin") == 303
    status, _ = admin.request("/orgs/new", {"kind": "school", "name": "СОШ № 2", "short_name": "СОШ № 2",
                                            "parent_id": seeded["authority"], "inn": ""})
    assert status == 303
    assert "СОШ № 2" in municipal_b.request("/participants/")[1]  # in the organisation filter

    # The coordinator logs out through one worker: the page the other keeps for that session is not
    # handed to a copy of the cookie (its watch drops it: a notice on PostgreSQL, a look at the file on SQLite).
    assert 'id="page-as-of"' in municipal_a.request("/")[1]  # kept by the first worker
    copied = http.cookiejar.CookieJar()
    for cookie in municipal_a.cookies:
        copied.set_cookie(cookie)
    assert Browser(second, municipal_a.cookies).request("/auth/logout", {})[0] == 303
    assert eventually(lambda: Browser(first, copied).request("/")[0] == 302)

    # A stale edit is refused whichever worker it reaches.
    person = seeded["person"]
    form = curator_a.request(f"/participants/{person}/edit")[1]
    version = re.search(r'name="version"[^>]*value="(\d+)"', form) or re.search(r'value="(\d+)"[^>]*name="version"', form)
    assert version, "the edit form carries the version the user saw"
    fields = {"kind": "staff", "org_id": seeded["school"], "last_name": "Петрова", "first_name": "Анна",
              "version": version.group(1)}
    assert curator_b.request(f"/participants/{person}/edit", fields | {"middle_name": "Сергеевна"})[0] == 303
    assert curator_a.request(f"/participants/{person}/edit", fields | {"middle_name": "Игоревна"})[0] == 409

    # Login throttling (last: today a lock also holds the address): failures counted by one worker
    # lock the account in the other.
    for _ in range(3):
        assert Browser(first).log_in("director", "wrong-password") != 303
    locked = Browser(second)
    assert locked.log_in("director") != 303
    assert locked.request("/")[0] == 302  # not logged in: sent to the login page
