"""A curator runs the cohort matching, pins a proposal on the draft screen (HTMX) and publishes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nastavnik.banks.models import MatchProposal, MentorProfile
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.pairs.models import Pair
from tests.banks.test_matching_web import make_mentee, make_mentor
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_pin_and_publish_on_the_draft_screen(page, live_server, live_app, world):
    with live_app.app_context():
        school = db.session.get(Organisation, world.school.id)
        make_mentor(school, "Математикова", ["оценивание"], "математика", 25, 1, "highest")
        make_mentor(school, "Историкова", ["дисциплина"], "история", 15, 1, "first")
        make_mentee(school, "Молодова", ["оценивание"], "математика")
        make_mentee(school, "Новикова", ["дисциплина"], "история")
        db.session.commit()

    login(page, live_server, "curator")
    page.goto(f"{live_server}/pairs/match/new")
    page.get_by_label("Организация").select_option(str(world.school.id))
    page.get_by_role("button", name="Подобрать").click()
    page.wait_for_url(f"{live_server}/pairs/match/*")

    row = page.locator("#proposals tr", has_text="Молодова")
    assert "общий предмет: математика" in row.inner_text()
    url_before = page.url
    row.get_by_role("button", name="Закрепить").click()
    page.locator("#proposals tr", has_text="Молодова").get_by_role("button", name="Открепить").wait_for()
    assert page.url == url_before  # swapped in place by htmx, no reload
    assert "закреплена" in page.locator("#proposals tr", has_text="Молодова").inner_text()

    page.get_by_role("button", name="Опубликовать").click()
    page.wait_for_url(f"{live_server}/pairs/?status=forming")
    assert "Опубликовано пар: 2" in page.content()

    with live_app.app_context():
        pairs = db.session.scalars(select(Pair)).all()
        assert len(pairs) == 2 and {p.status for p in pairs} == {"forming"}
        states = {p.mentee.person.last_name: p.state for p in db.session.scalars(select(MatchProposal))}
        assert states == {"Молодова": "published", "Новикова": "published"}
        assert all(m.load == 1 for m in db.session.scalars(select(MentorProfile)))
