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


def test_inline_text_edit_fixes_a_typo_and_a_flag_is_checked_in_place(page, live_server, live_app, world):
    with live_app.app_context():
        roadmap = create_roadmap(
            load_builtin("kezhma_municipal_2022"), db.session.merge(world.authority), 2025
        )
        db.session.commit()
        roadmap_id = roadmap.id
        typo_id = next(i.id for i in roadmap.items() if i.deadline_text == "Апрель 2035г.")  # 2032 moved with the plan
        duplicate_id = next(i.id for i in roadmap.items() if i.number == "1.5")

    login(page, live_server, "municipal")
    page.goto(f"{live_server}/roadmaps/{roadmap_id}")
    row = page.locator(f"#item-{typo_id}")
    assert "год 2035 вне периода" in row.inner_text()
    row.get_by_role("link", name="Изменить текст или исправить").click()
    editing = page.locator(f"#item-{typo_id}.editing-row")
    editing.locator(f"#item{typo_id}-deadline_text").fill("Апрель 2026г.")
    editing.get_by_role("button", name="Сохранить").click()

    saved = page.locator(f"#item-{typo_id}.item-row:not(.editing-row)")
    saved.get_by_text("Изменения сохранены.").wait_for()
    assert "Апрель 2026г." in saved.inner_text() and "2035" not in saved.inner_text()
    assert "01.04.2026" in saved.inner_text()

    duplicate = page.locator(f"#item-{duplicate_id}")
    duplicate.get_by_role("button", name="так и задумано").click()
    page.locator(f"#item-{duplicate_id}").get_by_text("✓ проверено: номер 1.5 повторяется").wait_for()
    assert page.url == f"{live_server}/roadmaps/{roadmap_id}"  # everything swapped in place
    with live_app.app_context():
        db.session.expire_all()
        assert db.session.get(RoadmapItem, typo_id).flags == []
        assert db.session.get(RoadmapItem, duplicate_id).checked_flags == ["номер 1.5 повторяется"]
