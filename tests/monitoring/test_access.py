"""Access: a mentee sees only their own questionnaires; another school's campaign answers 404; a school sees a
municipal campaign only for itself; only the school's staff and the pair's mentor see growth records."""

from __future__ import annotations

from sqlalchemy import func, select

from nastavnik.extensions import db
from nastavnik.monitoring import services
from nastavnik.monitoring.models import GrowthRecord, Recipient, Response, Swot
from tests.conftest import login
from tests.factories import make_person, make_user
from tests.monitoring.conftest import TODAY, make_campaign, make_pair, make_questionnaire


def test_mentee_sees_only_own_questionnaires(world, mentees, client, as_user):
    mine = make_campaign(make_questionnaire(world.school, [{"kind": "scale10"}]), world.school)
    mentors_only = make_campaign(make_questionnaire(world.school, [{"kind": "scale10"}], audience="mentor"),
                                 world.school, title="Для наставников")
    other_person = make_person(world.school, last_name="Другой")
    make_user("mentee2", "mentee", world.school, person=other_person)
    db.session.commit()
    as_user("mentee")
    page = client.get("/monitoring/my")
    assert f"/monitoring/answer/{mine.id}" in page.text and f"/monitoring/answer/{mentors_only.id}" not in page.text
    assert client.get(f"/monitoring/answer/{mentors_only.id}").status_code == 404
    for url in (f"/monitoring/campaigns/{mine.id}", f"/monitoring/campaigns/{mine.id}/results", "/monitoring/"):
        assert client.get(url).status_code == 403  # no monitoring permission at all
    login(client, "mentee2")  # not a recipient of any campaign
    assert client.get(f"/monitoring/answer/{mine.id}").status_code == 404
    item = mine.questionnaire_version.items[0]
    assert client.post(f"/monitoring/answer/{mine.id}", data={f"q{item.id}": "5"}).status_code == 404
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_another_schools_campaign_answers_404(world, mentees, as_user):
    campaign = make_campaign(make_questionnaire(world.school, [{"kind": "scale10"}]), world.school)
    recipient = db.session.scalar(select(Recipient).where(Recipient.campaign_id == campaign.id))
    client = as_user("curator_other")
    urls = ["", "/results", "/respondents", f"/respondents/{recipient.id}", "/links", "/paper", "/print", "/swot",
            "/export.xlsx", "/export.docx", "/edit", "/chart/items.svg", "/chart/orgs.svg"]
    for url in urls:
        response = client.get(f"/monitoring/campaigns/{campaign.id}{url}")
        assert response.status_code == 404, (url, response.status_code)
        assert "Петрова" not in response.text
    for url, data in (("/state", {"action": "close"}), ("/swot", {"strengths": "взлом"}),
                      ("/paper", {"recipient": f"r:{recipient.id}"}), (f"/links/{recipient.id}/renew", {})):
        assert client.post(f"/monitoring/campaigns/{campaign.id}{url}", data=data).status_code == 404, url
    assert campaign.status == "open" and db.session.scalar(select(func.count(Swot.id))) == 0
    assert f'/monitoring/campaigns/{campaign.id}"' not in client.get("/monitoring/").text


def test_school_sees_a_municipal_campaign_only_for_itself(world, mentees, as_user):
    mentor = make_person(world.school2, last_name="Наставник")
    make_pair(world.school2, mentor, make_person(world.school2, last_name="Соседкина"))
    db.session.commit()
    campaign = make_campaign(make_questionnaire(world.authority, [{"kind": "scale10"}], anonymous=False),
                             world.authority, targets=[world.school, world.school2])
    client = as_user("curator")
    page = client.get(f"/monitoring/campaigns/{campaign.id}/respondents")
    assert page.status_code == 200 and "Петрова" in page.text and "Соседкина" not in page.text
    other = db.session.scalar(select(Recipient).where(Recipient.org_id == world.school2.id))
    assert client.get(f"/monitoring/campaigns/{campaign.id}/results", query_string={"org": world.school2.id}
                      ).status_code == 404
    assert client.post(f"/monitoring/campaigns/{campaign.id}/state", data={"action": "close"}).status_code == 403
    assert client.get(f"/monitoring/campaigns/{campaign.id}/respondents/{other.id}").status_code == 404
    municipal = as_user("municipal")
    whole = municipal.get(f"/monitoring/campaigns/{campaign.id}/respondents")
    assert "Соседкина" in whole.text and "Петрова" in whole.text


def test_named_answers_only_for_non_anonymous_questionnaires(world, mentees, curator):
    campaign = make_campaign(make_questionnaire(world.school, [{"kind": "scale10"}]), world.school)
    recipient = db.session.scalar(select(Recipient).where(Recipient.campaign_id == campaign.id))
    services.submit(campaign, recipient, {campaign.questionnaire_version.items[0].id: [(4.0, None)]}, channel="app",
                    day=TODAY)
    assert curator.get(f"/monitoring/campaigns/{campaign.id}/respondents/{recipient.id}").status_code == 403
    page = curator.get(f"/monitoring/campaigns/{campaign.id}/respondents")
    assert "Петрова" in page.text and "/respondents/" not in page.text  # who answered: yes; what: no
    campaign.questionnaire.anonymous = False
    db.session.commit()
    assert "4" in curator.get(f"/monitoring/campaigns/{campaign.id}/respondents/{recipient.id}").text


def test_growth_records_are_seen_by_the_school_and_the_pairs_mentor_only(world, mentees, client, as_user):
    pair = mentees[0]  # mentor: user «mentor»; mentee: user «mentee»
    member = pair.mentees[0]
    as_user("mentor")
    response = client.post(f"/monitoring/growth/pair/{pair.id}/member/{member.id}/entry",
                           data={"tt_methods": "2", "tt_confidence": "6", "tt_open_lessons": "0", "tt_category": "0"})
    assert response.status_code == 422 and "от 1 до 5" in response.text
    assert db.session.scalar(select(func.count(GrowthRecord.id))) == 0
    response = client.post(f"/monitoring/growth/pair/{pair.id}/member/{member.id}/entry",
                           data={"tt_methods": "2", "tt_confidence": "3", "tt_open_lessons": "0", "tt_category": "0"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Сохранено" in response.text and 'role="status"' in response.text
    record = db.session.scalar(select(GrowthRecord).where(GrowthRecord.code == "tt_methods"))
    assert record.recorded_by_id == world.users["mentor"].id and record.recorded_at is not None
    as_user("mentee")
    assert client.get(f"/monitoring/growth/pair/{pair.id}").status_code == 404
    assert client.get(f"/monitoring/growth/pair/{mentees[1].id}").status_code == 404
    as_user("curator_other")
    assert client.get(f"/monitoring/growth/pair/{pair.id}").status_code == 404
    as_user("observer")
    page = client.get(f"/monitoring/growth/pair/{pair.id}")
    assert page.status_code == 200 and "<form" not in page.text.split('id="growth-members"')[1]
