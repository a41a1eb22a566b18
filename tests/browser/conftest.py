"""Browser tests: the app served in a thread on 127.0.0.1, driven by Playwright in Debian's chromium.

Playwright's own browser download is never used (no internet): the executable comes from
NASTAVNIK_CHROMIUM or /usr/bin/chromium. `make test-browser` installs chromium when it can.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.extensions import db as _db
from tests.conftest import IN_REPO_PLUGINS
from tests.factories import PASSWORD

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _chromium() -> str | None:
    path = os.environ.get("NASTAVNIK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if os.path.exists(path) else None


@pytest.fixture
def app(tmp_path):
    """A file database (the server thread and the test share it) and CSRF on, as in production."""
    config = type("BrowserConfig", (TestingConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.sqlite'}",
        "WTF_CSRF_ENABLED": True,
    })
    app = create_app(config, plugins=IN_REPO_PLUGINS)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()


@pytest.fixture
def live_app(app):
    return app


@pytest.fixture
def live_server(app, world):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium не найден: под CI браузерные тесты не пропускаются")
        pytest.skip("chromium не установлен (make test-browser ставит его через apt-get)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def login(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base_url}/")
