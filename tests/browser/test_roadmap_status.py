"""A curator marks a roadmap item done from the plan (HTMX), without leaving the page."""

import pytest

from nastavnik.extensions import db
from nastavnik.roadmaps.builtin import load_builtin
from nastavnik.roadmaps.models import RoadmapItem
from nastavnik.roadmaps.services import create_roadmap
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_inline_status_change(page, live_server, live_app, world):
    with live_app.app_context():
        roadmap = create_roadmap(load_builtin("penza_school30_2022"), db.session.merge(world.school), 2025)
        db.session.commit()
        roadmap_id, item_id = roadmap.id, roadmap.items()[1].id

    login(page, live_server, "curator")
    page.goto(f"{live_server}/roadmaps/{roadmap_id}")
    row = page.locator(f"#item-{item_id}")
    row.locator("select[name=status]").select_option("done")
    row.locator("input[name=done_on]").fill("25.09.2025")
    row.get_by_role("button", name="Сохранить").click()

    saved = page.locator(f"#item-{item_id}")
    saved.get_by_text("Сохранено.").wait_for()
    assert "выполнено" in saved.locator(".badge").inner_text()
    assert page.url == f"{live_server}/roadmaps/{roadmap_id}"  # swapped in place, no reload
    with live_app.app_context():
        db.session.expire_all()
        item = db.session.get(RoadmapItem, item_id)
        assert item.status == "done" and item.done_on.isoformat() == "2025-09-25"
