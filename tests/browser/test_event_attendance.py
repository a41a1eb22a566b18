"""A curator marks attendance on the day of the event: HTMX swaps the row in place, the focus stays on
the pressed button, the change is announced and the count moves; with JavaScript off the same buttons
work through a page reload. On a phone (390 px) the buttons are on screen, the page does not scroll sideways."""

from __future__ import annotations

import pytest

from nastavnik.events.models import Participant
from nastavnik.extensions import db
from tests.browser.conftest import login
from tests.events.conftest import add_people, make_event, make_teachers

pytestmark = pytest.mark.browser


def _event(live_app, world, count=3):
    with live_app.app_context():
        event = make_event(db.session.merge(world.school), title="Школа наставника")
        people = add_people(event, make_teachers(db.session.merge(world.school), count, prefix="Браузерная"))
        db.session.commit()
        return event.id, [p.id for p in people], [p.name for p in people]


def _attendance(live_app, participant_id) -> str:
    with live_app.app_context():
        db.session.expire_all()
        return db.session.get(Participant, participant_id).attendance


def test_marking_attendance_swaps_the_row_keeps_focus_and_announces(page, live_server, live_app, world):
    event_id, ids, names = _event(live_app, world)
    login(page, live_server, "curator")
    page.goto(f"{live_server}/events/{event_id}/attendance")

    present = page.get_by_role("button", name=f"Присутствует: {names[0]}")
    present.click()
    page.locator("#attendance-status").get_by_text(f"{names[0]}: присутствовал(а).").wait_for()
    assert page.url == f"{live_server}/events/{event_id}/attendance"  # swapped in place, no reload
    assert page.locator("#attendance-counts").inner_text() == "Присутствуют 1 из 3 участников."
    assert page.evaluate("document.activeElement.id") == f"present-{ids[0]}"
    assert page.locator(f"#present-{ids[0]}").get_attribute("aria-pressed") == "true"
    assert _attendance(live_app, ids[0]) == "present"

    # the keyboard goes on to the next row
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"present-{ids[1]}"
    page.keyboard.press("Enter")
    page.locator("#attendance-status").get_by_text(f"{names[1]}: присутствовал(а).").wait_for()
    page.get_by_role("button", name=f"Отсутствует: {names[2]}").click()
    page.locator("#attendance-status").get_by_text(f"{names[2]}: отсутствовал(а).").wait_for()
    assert page.locator("#attendance-counts").inner_text() == "Присутствуют 2 из 3 участников."
    assert [_attendance(live_app, i) for i in ids] == ["present", "present", "absent"]


def test_attendance_works_with_javascript_off(browser, live_server, live_app, world):
    event_id, ids, names = _event(live_app, world, count=2)
    context = browser.new_context(locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, live_server, "curator")
        page.goto(f"{live_server}/events/{event_id}/attendance")
        page.get_by_role("button", name=f"Присутствует: {names[1]}").click()
        page.wait_for_url(f"{live_server}/events/{event_id}/attendance#participant-{ids[1]}")
        assert f"{names[1]}: присутствовал(а)." in page.locator(".flashes").inner_text()
        assert _attendance(live_app, ids[1]) == "present"
    finally:
        context.close()


def test_attendance_on_a_phone_has_the_buttons_on_screen(browser, live_server, live_app, world):
    event_id, ids, names = _event(live_app, world, count=2)
    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        login(page, live_server, "curator")
        page.goto(f"{live_server}/events/{event_id}/attendance")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        button = page.get_by_role("button", name=f"Отсутствует: {names[0]}")
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        button.click()
        page.locator("#attendance-status").get_by_text(f"{names[0]}: отсутствовал(а).").wait_for()
        assert _attendance(live_app, ids[0]) == "absent"
    finally:
        context.close()
