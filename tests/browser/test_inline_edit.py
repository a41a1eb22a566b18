"""A curator fixes a typo in a participant's surname inline (HTMX), without leaving the list."""

import re

import pytest

from nastavnik.extensions import db
from nastavnik.participants.models import Person
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_inline_edit_of_a_row(page, live_server, live_app, world):
    login(page, live_server, "curator")
    page.goto(f"{live_server}/participants/?q=Петрова")
    row = page.locator(f"#person-{world.teacher.id}")
    row.get_by_role("link", name="Изменить").click()

    surname = page.locator(f"#row-form-{world.teacher.id}-last_name")
    surname.fill("Петровва")  # the typo the curator is about to fix …
    surname.fill("Петрова-Сидорова")
    page.get_by_role("button", name="Сохранить").click()

    saved = page.locator(f"#person-{world.teacher.id}")
    saved.get_by_role("link", name=re.compile("^Петрова-Сидорова Анна")).wait_for()
    assert page.url.startswith(f"{live_server}/participants/")  # still on the list: swapped in place
    assert saved.locator("input").count() == 0
    with live_app.app_context():
        db.session.expire_all()
        assert db.session.get(Person, world.teacher.id).last_name == "Петрова-Сидорова"


def test_inline_edit_shows_field_error_in_place(page, live_server, world):
    login(page, live_server, "curator")
    page.goto(f"{live_server}/participants/?q=Петрова")
    page.locator(f"#person-{world.teacher.id}").get_by_role("link", name="Изменить").click()
    page.locator(f"#row-form-{world.teacher.id}-last_name").fill("")
    page.get_by_role("button", name="Сохранить").click()
    error = page.locator(f"#row-form-{world.teacher.id}-last_name-error")
    error.wait_for()
    assert "Заполните поле «Фамилия»" in error.inner_text()


def test_search_works_with_javascript_off(browser, live_server, world):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    login(page, live_server, "curator")
    page.goto(f"{live_server}/participants/")
    page.get_by_label("Поиск").fill("Сидоров")
    page.get_by_role("button", name="Найти").click()
    assert page.locator("#participants tbody tr").count() == 1
    assert "Сидоров" in page.locator("#participants").inner_text()
    context.close()
