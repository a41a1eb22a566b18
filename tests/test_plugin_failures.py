"""Issue 7: a plugin that fails at request time is counted, and the plugins page says so."""

from __future__ import annotations

import pytest

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.extensions import db as _db
from nastavnik.plugins.failures import PluginFailure, culprit
from tests.conftest import IN_REPO_PLUGINS, _fresh_g, create_schema, drop_schema, login
from tests.plugins_fixtures import fails_at_request
from tests.programmes.conftest import make_pair


@pytest.fixture
def app(tmp_path):
    """Production error handling (no exception propagation), with the failing plugin installed."""
    app = create_app(TestingConfig, plugins=[*IN_REPO_PLUGINS, fails_at_request])
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    app.instance_path = str(tmp_path)
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    with app.app_context():
        create_schema()
        yield app
        drop_schema()


def _failures() -> PluginFailure | None:
    _db.session.expire_all()
    return _db.session.get(PluginFailure, "fails_at_request")


def test_a_failing_card_is_isolated_and_counted(world, client):
    login(client, "curator")
    for _ in range(3):
        page = client.get("/")
        assert page.status_code == 200
        assert "временно недоступен" in page.get_data(as_text=True)
    failed = _failures()
    assert failed.count == 3 and "card is broken" in failed.last_error
    assert "nastavnik_tpl_dashboard_cards" in failed.last_where


def test_an_unhandled_failure_is_charged_to_the_plugin(world, client):
    pair = make_pair(world.school, world.teacher, world.student)
    _db.session.commit()
    login(client, "curator")

    response = client.get(f"/programmes/pair/{pair.id}/new")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Traceback" not in page and "Внутренняя ошибка" in page
    failed = _failures()
    assert failed.count == 1 and "LookupError: templates table is gone" == failed.last_error
    assert failed.last_where == f"/programmes/pair/{pair.id}/new"


def test_the_plugins_page_says_it_fails(world, client):
    login(client, "curator")
    client.get("/")
    client.get("/")
    client.post("/auth/logout")
    login(client, "admin")

    page = client.get("/admin/plugins").get_data(as_text=True)

    row = page.split("<code>fails_at_request</code>")[1].split("</tr>")[0]
    assert "работает с ошибками" in row and "2 сбоя при работе" in row and "card is broken" in row
    assert "работает с ошибками" not in page.split("<code>teacher_teacher</code>")[1].split("</tr>")[0]


def test_culprit_is_the_innermost_plugin_frame():
    try:
        fails_at_request.nastavnik_programme_templates("x")
    except LookupError as exc:
        assert culprit(exc, {"fails_at_request": "tests.plugins_fixtures.fails_at_request"}) == "fails_at_request"
        assert culprit(exc, {"other": "plugins.other.plugin"}) is None
