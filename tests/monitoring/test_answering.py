"""Answering: in the app («мои анкеты»), by a personal one-time link, on paper; closed, used and second answers."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from nastavnik.extensions import db
from nastavnik.monitoring import services
from nastavnik.monitoring.models import Recipient, Response
from nastavnik.pairs.models import Pair
from tests.factories import make_person
from tests.monitoring.conftest import TODAY, make_campaign, make_pair, make_questionnaire


def _responses() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Response.id)))


def _scale_campaign(world, **values):
    questionnaire = make_questionnaire(world.school, [{"kind": "scale10"}, {"kind": "text", "required": False}])
    return make_campaign(questionnaire, world.school, **values), questionnaire.latest.items


def test_mentee_answers_in_the_app_once(world, mentees, client, as_user):
    campaign, (scale, text) = _scale_campaign(world)
    as_user("mentee")
    mine = client.get("/monitoring/my")
    assert "Ответить" in mine.text and campaign.questionnaire.title in mine.text
    assert "Мои анкеты" in client.get("/").text  # the dashboard card
    bad = client.post(f"/monitoring/answer/{campaign.id}", data={f"q{scale.id}": "11"})
    assert bad.status_code == 422 and "Выберите оценку от 1 до 10." in bad.text and _responses() == 0
    ok = client.post(f"/monitoring/answer/{campaign.id}", data={f"q{scale.id}": "8", f"q{text.id}": "Всё понравилось"})
    assert ok.status_code == 303 and _responses() == 1
    again = client.post(f"/monitoring/answer/{campaign.id}", data={f"q{scale.id}": "1"})
    assert again.status_code == 409 and "уже получен" in again.text and _responses() == 1
    assert "ответ отправлен" in client.get("/monitoring/my").text


def test_closed_campaign_refuses_with_a_message_and_changes_nothing(world, mentees, client, as_user):
    campaign, (scale, _) = _scale_campaign(world)
    services.close_campaign(campaign)
    db.session.commit()
    as_user("mentee")
    response = client.post(f"/monitoring/answer/{campaign.id}", data={f"q{scale.id}": "8"})
    assert response.status_code == 409 and "Анкетирование завершено" in response.text and _responses() == 0


def _issue(curator, campaign, klass="без класса", expires=None):
    response = curator.post(f"/monitoring/campaigns/{campaign.id}/links",
                            data={"class": klass, "expires_on": (expires or campaign.closes_on).strftime("%d.%m.%Y")})
    assert response.status_code == 303, response.text[:500]
    page = curator.get(f"/monitoring/campaigns/{campaign.id}/links", query_string={"class": klass})
    return re.findall(r"/monitoring/l/\d+/[0-9]+-[0-9a-f]{32}", page.text), page


def _student_campaign(world):
    """Pupils in «ученик – ученик» pairs, class 7Б: they have no accounts."""
    mentors = [make_person(world.school, kind="student", class_name="10А") for _ in range(2)]
    pupils = [make_person(world.school, kind="student", class_name="7Б") for _ in range(2)]
    for mentor, pupil in zip(mentors, pupils, strict=True):
        make_pair(world.school, mentor, pupil, kind="student_student")
    db.session.commit()
    return _scale_campaign(world)


def test_one_time_link_single_use_expiry_and_wrong_campaign(world, client, curator):
    campaign, (scale, _) = _student_campaign(world)
    links, page = _issue(curator, campaign, "7Б")
    assert len(links) == 2 and "<svg" in page.text  # a QR code per pupil, drawn on the server
    curator.post("/auth/logout")
    first = links[0]
    shown = client.get(first)
    assert shown.status_code == 200 and "Отправить ответы" in shown.text
    assert "Основное меню" not in shown.text  # only the questionnaire
    assert client.post(first, data={f"q{scale.id}": "9"}).status_code == 200 and _responses() == 1
    used = client.post(first, data={f"q{scale.id}": "2"})
    assert used.status_code == 409 and "уже ответили" in used.text and _responses() == 1
    # The same token under another campaign's address is refused.
    other, _ = _scale_campaign(world)
    token = first.rsplit("/", 1)[1]
    wrong = client.get(f"/monitoring/l/{other.id}/{token}")
    assert wrong.status_code == 404 and "для другой анкеты" in wrong.text
    forged = client.get(first[:-4] + "0000")
    assert forged.status_code == 404 and "недействительна" in forged.text
    # Expiry: the second link expired yesterday.
    recipient = db.session.get(Recipient, int(links[1].rsplit("/", 1)[1].split("-")[0]))
    recipient.link_expires_on = TODAY - timedelta(days=1)
    db.session.commit()
    expired = client.post(links[1], data={f"q{scale.id}": "9"})
    assert expired.status_code == 409 and "истёк" in expired.text and _responses() == 1


def test_renewed_link_replaces_the_lost_one(world, client, curator):
    campaign, (scale, _) = _student_campaign(world)
    links, _ = _issue(curator, campaign, "7Б")
    recipient_id = int(links[0].rsplit("/", 1)[1].split("-")[0])
    assert curator.post(f"/monitoring/campaigns/{campaign.id}/links/{recipient_id}/renew").status_code == 303
    renewed, _ = _issue(curator, campaign, "7Б")
    assert links[0] not in renewed
    assert client.get(links[0]).status_code == 404


def test_paper_answers_are_marked_as_entered_by_the_curator(world, mentees, curator):
    campaign, (scale, _) = _scale_campaign(world)
    recipient = db.session.scalar(select(Recipient).where(Recipient.campaign_id == campaign.id))
    missing = curator.post(f"/monitoring/campaigns/{campaign.id}/paper", data={f"q{scale.id}": "7"})
    assert missing.status_code == 422 and "Укажите, чей это бланк" in missing.text
    ok = curator.post(f"/monitoring/campaigns/{campaign.id}/paper",
                      data={"recipient": f"r:{recipient.id}", f"q{scale.id}": "7"})
    assert ok.status_code == 303
    anonymous = curator.post(f"/monitoring/campaigns/{campaign.id}/paper",
                             data={"recipient": f"o:{world.school.id}", f"q{scale.id}": "5"})
    assert anonymous.status_code == 303
    rows = db.session.scalars(select(Response).order_by(Response.id)).all()
    assert [(r.channel, r.entered_by_id, r.recipient_id) for r in rows] == [
        ("paper", world.users["curator"].id, recipient.id), ("paper", world.users["curator"].id, None)]
    page = curator.get(f"/monitoring/campaigns/{campaign.id}/respondents")
    assert "на бумаге (внёс куратор)" in page.text


def test_pair_start_trigger_adds_people_when_due(world, mentees):
    mentees[0].starts_on = TODAY - timedelta(days=20)
    for pair in mentees[1:]:
        pair.starts_on = TODAY - timedelta(days=5)
    questionnaire = make_questionnaire(world.school, [{"kind": "scale10"}])
    campaign = make_campaign(questionnaire, world.school, trigger="pair_start", offset_days=14, wave="entry",
                             opens=TODAY - timedelta(days=60))
    recipients = db.session.scalars(select(Recipient).where(Recipient.campaign_id == campaign.id)).all()
    assert [r.person_id for r in recipients] == [world.teacher.id]
    assert recipients[0].due_on == TODAY - timedelta(days=6)
    assert services.sync_recipients(campaign, TODAY + timedelta(days=9)) == 5
    assert db.session.get(Pair, mentees[0].id).status == "active"
