"""Issue 7: the curator creates accounts for a class, prints the slips (8 to an A4 portrait sheet), and
a pupil signs in with the code on a phone-size screen and sets a password."""

import re

import pytest

from nastavnik.extensions import db
from tests.browser.conftest import login
from tests.factories import make_consent, make_person

pytestmark = pytest.mark.browser


def test_slips_for_a_class_then_sign_in_on_a_phone(browser, page, live_server, world):
    for n in range(8):
        make_consent(make_person(world.school, kind="student", last_name=f"Ученикова{n}", class_name="7Б"))
    db.session.commit()
    login(page, live_server, "curator")
    page.goto(f"{live_server}/accounts/")
    page.get_by_role("link", name="учётные записи и листки: 7Б класс").click()
    page.get_by_role("button", name=re.compile("^Создать 9 учётных записей")).click()
    slips = page.locator(".slip")
    assert slips.count() == 9

    page.emulate_media(media="print")
    lefts = {round(box["x"]) for box in (slips.nth(i).bounding_box() for i in range(8))}
    assert len(lefts) == 2  # two columns on paper
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 2  # 9 slips: 8 on the first sheet
    assert re.search(rb"/MediaBox\s*\[0 0 594\.9\d* 841\.9\d*\]", pdf)  # A4 portrait
    page.emulate_media(media="screen")

    login_name = slips.first.locator("dd.slip-mono").first.inner_text()
    code = slips.first.locator(".slip-code").inner_text()
    phone = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True).new_page()
    phone.goto(f"{live_server}/auth/login")
    phone.get_by_role("link", name="Войти по коду и задать пароль").click()
    phone.get_by_label("Логин").fill(login_name)
    phone.get_by_label("Код с листка").fill(code)
    phone.get_by_label("Новый пароль").fill("qwerty123")
    phone.get_by_label("Повторите пароль").fill("qwerty123")
    phone.get_by_role("button", name="Задать пароль и войти").click()
    assert "распространённых паролей" in phone.locator("#password-error").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_label("Новый пароль").fill("лампа сосна трамвай")
    phone.get_by_label("Повторите пароль").fill("лампа сосна трамвай")
    phone.get_by_role("button", name="Задать пароль и войти").click()
    phone.wait_for_url(f"{live_server}/")
    assert "Пароль задан, вы вошли" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.context.close()
