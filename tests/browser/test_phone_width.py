"""At 390 px (a phone) the curator's main pages do not scroll sideways: wide tables scroll in their own
`.table-wrap`, a long user name wraps in the header (issue 7: the person page was 702 px wide, the pair
list 729 px, the consents page 582 px, a long name in the header 439 px)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nastavnik.auth.models import User
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.participants.models import Person
from tests.banks.test_matching_web import make_mentee, make_mentor
from tests.browser.conftest import login
from tests.factories import make_consent, make_person

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _fill(world) -> int:
    """A school as the demo has it: long names, tags, a pupil with consents from a parent, withdrawn and
    expiring ones, and mentors and mentees in the banks."""
    school = db.session.get(Organisation, world.school.id)
    pupil = make_person(school, kind="student", last_name="Константинопольская", first_name="Александра",
                        middle_name="Владиславовна", class_name="10А")
    make_consent(pupil, signatory_name="Константинопольская Екатерина Владиславовна", signatory_relation="мать",
                 signed_on=date.today() - timedelta(days=400), valid_until=date.today() + timedelta(days=10))
    make_consent(pupil, kind="pd_distribution", signatory_name="Константинопольский Владислав Игоревич",
                 signatory_relation="отец", withdrawn_on=date.today() - timedelta(days=3))
    for n, name in enumerate(("Преображенская", "Университетская", "Новосибирцева", "Александрова-Петрова")):
        make_mentee(school, name, ["профессиональная адаптация", "оценивание"], "математика, информатика")
        make_mentor(school, f"{name}-наставник", ["дисциплина"], "история", 25 - n, 2, "highest")
    curator = db.session.get(User, world.users["curator"].id)
    curator.display_name = "Куратор наставничества МБОУ «Средняя общеобразовательная школа № 3»"
    db.session.commit()
    return pupil.id


def test_curator_pages_fit_a_phone(browser, live_server, live_app, world):
    with live_app.app_context():
        pupil_id = _fill(world)
        assert db.session.get(Person, pupil_id).consents
    context = browser.new_context(locale="ru-RU", viewport=PHONE)
    page = context.new_page()
    try:
        login(page, live_server, "curator")
        widths = {}
        for url in (f"/participants/{pupil_id}", "/participants/", "/banks/mentees", "/banks/mentors", "/consents/",
                    "/pairs/", "/"):
            response = page.goto(live_server + url)
            assert response.status == 200, url
            widths[url] = page.evaluate("document.documentElement.scrollWidth")
        assert widths == {url: w for url, w in widths.items() if w <= PHONE["width"]}, widths
        page.goto(f"{live_server}/participants/{pupil_id}")
        assert page.locator(".table-wrap tr[id^='consent-']").count() == 2  # the consents table scrolls inside its own box, not the page
    finally:
        context.close()


def test_matching_draft_and_roadmap_fit_a_phone(browser, live_server, live_app, world):
    """The two pages of issue 7's list that the curator test above does not open: the matching draft
    and a plan adopted from a seed (long item titles, several columns)."""
    from nastavnik.roadmaps.builtin import load_builtin
    from nastavnik.roadmaps.services import create_roadmap

    with live_app.app_context():
        _fill(world)
        school = db.session.get(Organisation, world.school.id)
        plan = create_roadmap(load_builtin("penza_school30_2022"), school, 2026, template_code="penza_school30_2022")
        db.session.commit()
        plan_id = plan.id
    context = browser.new_context(locale="ru-RU", viewport=PHONE)
    page = context.new_page()
    try:
        login(page, live_server, "curator")
        page.goto(f"{live_server}/pairs/match/new")
        page.get_by_label("Организация").select_option(str(world.school.id))
        page.get_by_role("button", name="Подобрать").click()
        page.wait_for_url(f"{live_server}/pairs/match/*")
        widths = {"draft": page.evaluate("document.documentElement.scrollWidth")}
        assert page.locator("#proposals tr").count() > 1  # the draft has rows to lay out
        for url in (f"/roadmaps/{plan_id}", f"/roadmaps/{plan_id}/timeline", "/roadmaps/mine"):
            assert page.goto(live_server + url).status == 200, url
            widths[url] = page.evaluate("document.documentElement.scrollWidth")
        assert widths == {key: w for key, w in widths.items() if w <= PHONE["width"]}, widths
    finally:
        context.close()
