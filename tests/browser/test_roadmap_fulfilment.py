"""On a phone-wide screen a curator changes a status and confirms an offer of the app (HTMX): the
plan's counters follow in place, nothing scrolls sideways (issues 7 and 11)."""

from datetime import date

import pytest

from nastavnik.banks.models import MentorProfile
from nastavnik.extensions import db
from nastavnik.participants.models import Person
from nastavnik.roadmaps.builtin import load_builtin
from nastavnik.roadmaps.models import RoadmapItem
from nastavnik.roadmaps.services import create_roadmap
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

NO_SIDEWAYS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_status_and_offer_at_390_px(page, live_server, live_app, world):
    with live_app.app_context():
        school = db.session.merge(world.school)
        roadmap = create_roadmap(load_builtin("penza_school30_2022"), school, 2025, template_code="penza_school30_2022")
        teacher = db.session.get(Person, world.teacher.id)
        db.session.add(MentorProfile(person=teacher, person_id=teacher.id, org_id=school.id, status="in_bank"))
        db.session.commit()
        roadmap_id = roadmap.id
        first_id = roadmap.items()[0].id
        bank_id = next(i.id for i in roadmap.items() if i.number == "3.2")

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "curator")
    page.goto(f"{live_server}/roadmaps/{roadmap_id}")
    assert page.evaluate(NO_SIDEWAYS)
    summary = page.locator("#roadmap-summary")
    assert "выполнено" not in summary.inner_text()

    row = page.locator(f"#item-{first_id}")
    row.locator("select[name=status]").select_option("done")
    row.locator("input[name=done_on]").fill(date.today().strftime("%d.%m.%Y"))
    row.get_by_role("button", name="Сохранить статус").click()
    page.locator(f"#item-{first_id}").get_by_text("Сохранено.").wait_for()
    assert "выполнено: 1" in page.locator("#roadmap-summary").inner_text()  # swapped out of band

    offer = page.locator(f"#item-{bank_id}")
    assert "Приложение: в базе 1 наставник с действующим согласием." in offer.inner_text()
    offer.get_by_role("button", name="Отметить выполненным").click()
    done = page.locator(f"#item-{bank_id}")
    done.get_by_text("Подтверждения добавлены.").wait_for()
    assert "База наставников (Excel)" in done.inner_text()
    assert "выполнено: 2" in page.locator("#roadmap-summary").inner_text()
    assert page.url == f"{live_server}/roadmaps/{roadmap_id}" and page.evaluate(NO_SIDEWAYS)
    with live_app.app_context():
        db.session.expire_all()
        item = db.session.get(RoadmapItem, bank_id)
        assert item.status == "done" and len(item.evidence) == 2
