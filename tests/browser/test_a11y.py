"""Accessibility and valid HTML of every capability's main pages, for every role (issue 7).

The app is filled with the demo data (tables with rows, forms with values), then for each role the
dashboard and every page its menu offers — so a capability added later is checked as soon as it has
a menu entry — plus a few record pages are checked:
- axe-core (injected through Playwright; the app's CSP is not bypassed: ``evaluate`` runs outside it)
  with the WCAG 2.1 A/AA rules and axe's best practices: 0 violations;
- the Nu Html Checker (vnu.jar, Java) over the HTML the server sent: 0 errors.
Both come from npm at pinned versions (the Makefile's ``$(AXE)`` and ``$(VNU)``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.demo import DEMO_PASSWORD, build_demo
from nastavnik.extensions import db
from nastavnik.pairs.models import Pair
from nastavnik.participants.models import Person
from nastavnik.plugins.templating import nav_links
from nastavnik.programmes.models import Programme
from tests.conftest import IN_REPO_PLUGINS

pytestmark = pytest.mark.browser

ROLES = ("admin", "municipal", "director", "curator", "mentor", "mentee", "observer")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _tool(variable: str, name: str) -> Path | None:
    path = os.environ.get(variable)
    if path and Path(path).exists():
        return Path(path)
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} не найден ({variable}): под CI проверка доступности не пропускается")
    pytest.skip(f"{name} не найден: запустите через make test-browser ({variable})")
    return None


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The demo installation served on 127.0.0.1, as `make run` would show it."""
    folder = tmp_path_factory.mktemp("a11y")
    config = type("A11yConfig", (TestingConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite'}", "WTF_CSRF_ENABLED": True,
        # the demo's municipality counts as large: its kept page and kept figures say «по состоянию на …»,
        # and those hints are checked too
        "DASHBOARD_CACHE_SECONDS": 60, "DASHBOARD_CACHE_MIN_ORGS": 2, "FIGURES_CACHE_MIN_ORGS": 2,
    })
    app = create_app(config, plugins=IN_REPO_PLUGINS)
    with app.app_context():
        db.create_all()
        build_demo()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.drop_all()


def _pages_of(app, username: str) -> list[str]:
    """The dashboard, every menu entry of the user, and a few record pages they may open."""
    from nastavnik.auth.models import User

    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == username))
        urls = ["/"] + [url for _, url in nav_links(user)]
        if username in ("curator", "director", "municipal", "observer", "admin"):
            pair = db.session.scalar(select(Pair).order_by(Pair.id))
            programme = db.session.scalar(select(Programme).order_by(Programme.id))
            person = db.session.scalar(select(Person).where(Person.kind == "student").order_by(Person.id))
            urls += [f"/pairs/{pair.id}", f"/programmes/{programme.id}", f"/participants/{person.id}"]
        if username in ("mentor", "mentee"):
            pair = db.session.scalar(select(Pair).order_by(Pair.id))
            urls += [f"/programmes/pair/{pair.id}/meetings"]
        urls += _event_pages(username)
    return list(dict.fromkeys(urls))


def _event_pages(username: str) -> list[str]:
    """Events: an event, its attendance and sheet, news, the site page (issue 11)."""
    from nastavnik.events.models import Event, NewsItem

    event = db.session.scalar(select(Event).order_by(Event.id))
    if username in ("mentor", "mentee"):
        return [f"/events/{event.id}"] if username == "mentor" else []
    news = db.session.scalar(select(NewsItem).order_by(NewsItem.id))
    school = event.org_id
    urls = [f"/events/{event.id}", f"/events/{event.id}/sheet", "/events/news", f"/events/news/{news.id}",
            f"/events/site/{school}", "/events/rollup"]
    if username != "observer":
        urls += [f"/events/{event.id}/attendance", f"/events/{event.id}/invite", "/events/new", "/events/kinds",
                 "/events/settings", f"/events/news/{news.id}/edit"]
    return urls


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base}/")


def _axe(page, source: str) -> list[dict]:
    page.evaluate(source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    return [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"],
         "where": [n["target"][0] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


@pytest.fixture(scope="module")
def vnu():
    """The Nu Html Checker as a local service: one JVM for the whole module, a POST per page."""
    jar = _tool("NASTAVNIK_VNU", "vnu.jar")
    java = shutil.which("java")
    if java is None:
        if os.environ.get("CI") == "true":
            pytest.fail("java не найдена: под CI проверка HTML не пропускается")
        pytest.skip("java не найдена: проверка HTML (vnu) пропущена")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 - our own java and the pinned jar
        [java, "-Xss4m", "-cp", str(jar), "-Dnu.validator.servlet.bind-address=127.0.0.1",
         "nu.validator.servlet.Main", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/?out=json&level=error"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("vnu не запустился")
            time.sleep(0.5)

    def check(html: str) -> list[str]:
        request = urllib.request.Request(url, data=html.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - our local vnu service
            messages = json.load(answer).get("messages", [])
        return [f"{m.get('lastLine', '?')}: {m.get('message')}" for m in messages if m.get("type") == "error"]

    yield check
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize("username", ROLES)
def test_main_pages_have_no_axe_violations_and_valid_html(demo_server, browser, vnu, username):
    axe_source = _tool("NASTAVNIK_AXE", "axe-core").read_text()
    app, base = demo_server
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    violations, html_errors = {}, {}
    try:
        _login(page, base, username)
        for url in _pages_of(app, username):
            response = page.goto(base + url)
            assert response.status == 200, f"{url}: {response.status}"
            found = _axe(page, axe_source)
            if found:
                violations[url] = found
            errors = vnu(response.text())  # what the server sent, not the live DOM
            if errors:
                html_errors[url] = errors
            if url == "/" and username in ("municipal", "admin"):
                assert 'id="page-as-of"' in response.text(), "the kept page's «по состоянию на» went unchecked"
    finally:
        context.close()
    assert violations == {}, json.dumps(violations, ensure_ascii=False, indent=1)
    assert html_errors == {}, json.dumps(html_errors, ensure_ascii=False, indent=1)


def test_login_page_is_accessible_and_announces_errors(demo_server, browser, vnu):
    axe_source = _tool("NASTAVNIK_AXE", "axe-core").read_text()
    _, base = demo_server
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    try:
        response = page.goto(f"{base}/auth/login")
        assert vnu(response.text()) == []
        page.get_by_role("button", name="Войти").click()  # an empty form: its errors are announced
        assert _axe(page, axe_source) == []
        assert "Введите логин" in page.get_by_role("alert").inner_text()
    finally:
        context.close()
