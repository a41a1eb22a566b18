"""A coordinator's dashboard is kept whole for a minute per session (nastavnik/dashboard/pages.py)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from nastavnik.auth.models import User
from nastavnik.dashboard import pages, watch
from nastavnik.extensions import db
from tests.conftest import eventually
from tests.factories import make_person

POSTGRES = os.environ.get("NASTAVNIK_TEST_DATABASE_URL", "").startswith("postgresql")


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
    # Where a watch runs (PostgreSQL here), the page is dropped when the notice arrives, after the commit.
    assert eventually(lambda: coordinator.get("/").status_code == 302)
    assert "/auth/login" in coordinator.get("/").location


@pytest.fixture
def heard(coordinator):
    """PostgreSQL: this process hears every ended session (watch.py), and the coordinator's page is kept."""
    assert coordinator.get("/").status_code == 200  # keeping the first page starts the watch
    assert eventually(lambda: watch.hears_all(db.engine)), "the watch did not hear its own heartbeat"
    page = coordinator.get("/").text  # the first page went when the LISTEN began; this one is kept
    assert coordinator.get("/").text == page
    return page


@pytest.fixture
def statements(db):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL stage only: LISTEN and NOTIFY")
def test_while_ended_sessions_are_heard_a_kept_page_asks_the_database_nothing(heard, coordinator, statements):
    assert coordinator.get("/").text == heard
    assert statements == []


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL stage only: LISTEN and NOTIFY")
def test_sessions_ended_by_another_process_drop_the_kept_page(heard, coordinator, world, monkeypatch, app):
    monkeypatch.setattr(pages, "_session_holds", lambda token: True)  # only the notice can drop the page
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])  # another worker's own connection
    try:
        with Session(other) as session:
            session.get(User, world.users["municipal"].id).end_sessions()
            session.commit()
    finally:
        other.dispose()
    db.session.expire_all()  # the test's requests share its session, which still holds the old account
    assert eventually(lambda: coordinator.get("/").status_code == 302)


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL stage only: LISTEN and NOTIFY")
def test_when_the_watch_loses_its_connection_kept_pages_are_checked_again(heard, coordinator, statements):
    listener = watch._watches[db.engine].backend_pid
    with db.engine.begin() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": listener})
    assert eventually(lambda: not watch.hears_all(db.engine))  # it listens again after RETRY seconds
    coordinator.get("/")  # the page kept before is gone; this one is made and kept again
    statements.clear()
    assert coordinator.get("/").status_code == 200
    assert [s for s in statements if "user_account" in s], "a kept page is checked while notices may be missed"
    assert eventually(lambda: watch.hears_all(db.engine), seconds=3 * watch.RETRY)  # and the watch listens again


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL stage only: LISTEN and NOTIFY")
def test_a_watch_that_hears_nothing_keeps_checking_and_says_why(app, monkeypatch, caplog):
    """Behind PgBouncer in transaction mode a LISTEN hears nothing: its heartbeat never comes back."""
    monkeypatch.setattr(watch, "HEARTBEAT", 0.2)
    monkeypatch.setattr(watch.Listener, "_beat", lambda self: self._engine() is not None)  # sent, never heard
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])  # a watch of its own, started here
    try:
        watch.start(engine, lambda account: None, lambda: None)
        assert eventually(lambda: "контрольное уведомление" in caplog.text)
        assert not watch.hears_all(engine)
    finally:
        engine.dispose()


def test_on_sqlite_a_watch_looks_at_the_file_for_ended_sessions(tmp_path, monkeypatch):
    """Another process (here: another engine) ends a session in the database file: the watch sees it."""
    monkeypatch.setattr(watch, "POLL", 0.05)
    engine = create_engine(f"sqlite:///{tmp_path / 'shared.sqlite'}")
    db.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([User(username="a", display_name="А", password_hash="x"),
                         User(username="b", display_name="Б", password_hash="x")])
        session.commit()
    ended, lost = [], []
    try:
        watch.start(engine, ended.append, lambda: lost.append(True))
        assert eventually(lambda: watch.hears_all(engine)) and lost  # what was kept before it looked is dropped
        other = create_engine(engine.url)
        with Session(other) as session:
            session.get(User, 2).end_sessions()
            session.commit()
        other.dispose()
        assert eventually(lambda: ended == ["2"])
    finally:
        engine.dispose()


def test_a_database_in_memory_is_not_watched():
    engine = create_engine("sqlite://")
    watch.start(engine, lambda account: None, lambda: None)
    assert not watch.hears_all(engine)


def test_a_page_made_while_a_session_ended_is_not_kept(coordinator, world, monkeypatch):
    from nastavnik.dashboard import routes

    real = routes.render_template

    def notice_arrives_meanwhile(*args, **kwargs):
        pages._drop_account(str(world.users["municipal"].id))  # as the watch does on a notice
        return real(*args, **kwargs)

    monkeypatch.setattr(routes, "render_template", notice_arrives_meanwhile)
    assert coordinator.get("/").status_code == 200
    assert not pages._pages  # the session the page was made for may be over


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
