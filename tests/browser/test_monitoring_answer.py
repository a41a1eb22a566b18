"""Answering a questionnaire with JavaScript off, on a phone-size screen: a pupil through a personal one-time
link (no account), and a mentee from «мои анкеты»."""

from __future__ import annotations

import re

import pytest
from flask import url_for
from sqlalchemy import func, select

from nastavnik.extensions import db
from nastavnik.monitoring import services
from nastavnik.monitoring.models import Recipient, Response
from tests.browser.conftest import login
from tests.factories import make_person
from tests.monitoring.conftest import make_campaign, make_pair, make_questionnaire

pytestmark = pytest.mark.browser
ITEMS = [{"kind": "scale10", "text": "Насколько полезными были встречи?"},
         {"kind": "frequency", "text": "Как часто вы встречались?"},
         {"kind": "text", "text": "Что было особенно ценным?", "required": False}]


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="ru-RU", java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_pupil_answers_by_link_with_javascript_off(phone, live_server, live_app, world):
    mentor = make_person(world.school, kind="student", class_name="10А")
    pupil = make_person(world.school, kind="student", class_name="7Б", last_name="Ученикова")
    make_pair(world.school, mentor, pupil, kind="student_student")
    campaign = make_campaign(make_questionnaire(world.school, ITEMS), world.school)
    recipient = db.session.scalar(select(Recipient).where(Recipient.campaign_id == campaign.id))
    services.issue_links([recipient], campaign.closes_on)
    db.session.commit()
    with live_app.test_request_context():
        path = url_for("monitoring.answer_link", campaign_id=campaign.id, token=services.link_token(recipient))

    phone.goto(live_server + path)
    assert phone.get_by_role("navigation").count() == 0  # the page shows only the questionnaire
    _no_sideways_scroll(phone)
    phone.get_by_role("button", name="Отправить ответы").click()
    alert = phone.get_by_role("alert")
    assert "Вопрос 1" in alert.inner_text() and "Вопрос 2" in alert.inner_text()
    first = campaign.questionnaire_version.items[0].id
    assert phone.locator(f"#q{first}-error").inner_text() == "Ответьте на этот вопрос."

    phone.get_by_role("group", name=re.compile("Насколько полезными")).get_by_label("8", exact=True).check()
    phone.get_by_label("редко (1 раз в месяц)").check()
    phone.get_by_label(re.compile("Что было особенно ценным")).fill("Разобрали дроби")
    phone.get_by_role("button", name="Отправить ответы").click()
    assert "Спасибо! Ваши ответы сохранены." in phone.get_by_role("status").inner_text()
    _no_sideways_scroll(phone)

    phone.goto(live_server + path)  # the link is single use
    assert "уже ответили" in phone.get_by_role("status").inner_text()
    with live_app.app_context():
        db.session.expire_all()
        (response,) = db.session.scalars(select(Response)).all()
        assert response.channel == "link" and {a.value for a in response.answers if a.value is not None} == {8.0, 1.0}


def test_mentee_answers_from_my_questionnaires_with_javascript_off(phone, live_server, live_app, world):
    mentor = make_person(world.school, last_name="Наставникова")
    make_pair(world.school, mentor, world.teacher)
    make_campaign(make_questionnaire(world.school, ITEMS), world.school, title="Промежуточная волна")
    db.session.commit()
    login(phone, live_server, "mentee")
    phone.get_by_role("link", name="Ответить на анкету").click()
    _no_sideways_scroll(phone)
    phone.get_by_role("group", name=re.compile("Насколько полезными")).get_by_label("10", exact=True).check()
    phone.get_by_label("часто (1 раз в неделю и чаще)").check()
    phone.get_by_role("button", name="Отправить ответы").click()
    phone.wait_for_url(f"{live_server}/monitoring/my")
    assert "ответ отправлен" in phone.content()
    with live_app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1
