"""A coordinator's dashboard is kept whole for a minute per session (nastavnik/dashboard/pages.py)."""

from __future__ import annotations

import pytest

from nastavnik.auth.models import User
from nastavnik.dashboard import pages
from nastavnik.extensions import db
from tests.factories import make_person


@pytest.fixture
def coordinator(app, world, as_user, monkeypatch):
    """The world's municipal user, whose three organisations count as many, on a clock tests move."""
    app.config["DASHBOARD_CACHE_MIN_ORGS"] = 3
    clock = [1000.0]
    monkeypatch.setattr(pages, "_now", lambda: clock[0])
    pages.clear()
    client = as_user("municipal")
    client.clock = clock
    yield client
    pages.clear()


def _new_teacher(world):
    make_person(world.school, last_name="Новикова", first_name="Вера")
    db.session.commit()


def _teachers(page: str) -> str:
    return page.split('id="summary-h"')[1].split("</b>")[0]


def test_a_coordinators_dashboard_is_kept_dated_and_made_again_on_request(coordinator, world):
    first = coordinator.get("/").text
    assert 'id="page-as-of"' in first and "Собрать сейчас" in first
    _new_teacher(world)
    assert coordinator.get("/").text == first  # kept: the new teacher is not counted yet
    fresh = coordinator.get("/?fresh=1").text
    assert _teachers(fresh) != _teachers(first)
    assert coordinator.get("/").text == fresh  # the page made on request is the one kept now


def test_a_kept_page_expires(coordinator, world, app):
    first = coordinator.get("/").text
    _new_teacher(world)
    coordinator.clock[0] += app.config["DASHBOARD_CACHE_SECONDS"] + 1
    assert _teachers(coordinator.get("/").text) != _teachers(first)


def test_a_schools_dashboard_is_always_live(app, world, curator):
    app.config["DASHBOARD_CACHE_MIN_ORGS"] = 3
    first = curator.get("/").text
    assert 'id="page-as-of"' not in first
    _new_teacher(world)
    assert _teachers(curator.get("/").text) != _teachers(first)


def test_anything_the_user_posts_drops_their_kept_pages(coordinator, world):
    first = coordinator.get("/").text
    _new_teacher(world)
    coordinator.post("/")  # any POST, even one refused
    assert _teachers(coordinator.get("/").text) != _teachers(first)


@pytest.mark.parametrize("change", ["sessions_ended", "switched_off"])
def test_a_kept_page_is_not_served_once_the_session_is_over(coordinator, world, change):
    """An admin ends the sessions or switches the account off, in another process: the copy kept
    here must not be handed to the old cookie."""
    assert coordinator.get("/").status_code == 200
    user = db.session.get(User, world.users["municipal"].id)
    if change == "sessions_ended":
        user.end_sessions()
    else:
        user.is_active_account = False
    db.session.commit()
    response = coordinator.get("/")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_a_kept_page_is_not_served_to_another_browser_with_the_copied_cookie(coordinator):
    assert coordinator.get("/").status_code == 200
    response = coordinator.get("/", headers={"User-Agent": "другой браузер"})
    assert response.status_code == 302 and "/auth/login" in response.location


def test_a_kept_page_is_not_served_to_another_address_with_the_copied_cookie(coordinator):
    assert coordinator.get("/").status_code == 200
    response = coordinator.get("/", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert response.status_code == 302 and "/auth/login" in response.location


def test_a_page_with_a_message_is_neither_served_from_nor_kept(coordinator):
    kept = coordinator.get("/").text
    with coordinator.session_transaction() as session:
        session["_flashes"] = [("message", "Изменения сохранены")]
    with_message = coordinator.get("/").text
    assert "Изменения сохранены" in with_message
    assert coordinator.get("/").text == kept


def test_the_it_admin_sets_the_bounds_in_the_environment():
    from nastavnik.config import from_environment

    found = from_environment({"NASTAVNIK_DASHBOARD_CACHE_SECONDS": "0", "NASTAVNIK_DASHBOARD_CACHE_MIN_ORGS": "50"})
    assert found == {"DASHBOARD_CACHE_SECONDS": 0, "DASHBOARD_CACHE_MIN_ORGS": 50}
