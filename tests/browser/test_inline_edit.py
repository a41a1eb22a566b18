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


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_guardian_then_consent_signed_by_mother(browser, live_server, live_app, world, javascript):
    """A curator adds a student's mother, then the consent she signed; the form proposes her as the signatory,
    and the student becomes export-eligible. The same plain forms work with JavaScript off."""
    from nastavnik.consents.models import Consent
    from nastavnik.participants.models import Guardianship

    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    with live_app.app_context():
        student = Person(
            org_id=world.school.id,
            kind="student",
            last_name="Кузнецов",
            first_name="Артём",
            birth_date=world.student.birth_date,
            class_name="7А",
        )
        db.session.add(student)
        db.session.commit()
        student_id = student.id
    login(page, live_server, "curator")
    page.goto(f"{live_server}/participants/{student_id}")
    page.get_by_text("Добавить представителя").click()
    guardian_form = page.locator(f"form[action='/participants/{student_id}/guardians']")
    guardian_form.get_by_label("Фамилия").fill("Кузнецова")
    guardian_form.locator("#first_name").fill("Марина")
    guardian_form.get_by_label("Отчество").fill("Олеговна")
    guardian_form.get_by_label("Кем приходится").select_option("мать")
    guardian_form.get_by_role("button", name="Добавить").click()
    page.get_by_text("Законный представитель «Кузнецова Марина Олеговна» добавлен.").wait_for()

    page.get_by_role("link", name="Внести согласие").click()
    assert page.get_by_label("Кто подписал").input_value() == "мать"
    assert page.get_by_label("ФИО подписавшего").input_value() == "Кузнецова Марина Олеговна"
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_text("Согласие «на обработку персональных данных» внесено.").wait_for()
    assert "Кузнецова Марина Олеговна (мать)" in page.locator("#consents").inner_text()

    page.goto(f"{live_server}/participants/?q=Кузнецов&consent=eligible")
    assert "Кузнецов Артём" in page.locator("#participants").inner_text()
    with live_app.app_context():
        consent = db.session.scalar(db.select(Consent).where(Consent.person_id == student_id))
        link = db.session.scalar(db.select(Guardianship).where(Guardianship.student_id == student_id))
        assert consent.signatory_person_id == link.guardian_id
    context.close()
