"""Issue 11, «Done when»: the seed roadmaps' event and information-campaign lines are linked to the
events' rules on adoption; the plan offers them as done once the training is held (attendance sheet and
certificates as evidence) or a news item is marked as posted, and only the curator's confirmation marks
them — through the roadmaps' fulfilment machinery, not a copy of it."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from nastavnik.events import certificates
from nastavnik.events.models import Event, NewsItem, NewsPost
from nastavnik.extensions import db
from nastavnik.roadmaps.models import RoadmapItem
from tests.conftest import login
from tests.events.conftest import add_people, make_teachers
from tests.roadmaps.test_fulfilment import DAY, HX, adopt, item, row_of


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("nastavnik.roadmaps.routes.today", lambda: DAY)
    monkeypatch.setattr("nastavnik.timeutil.today", lambda: DAY)


def _confirm(client, row: RoadmapItem) -> RoadmapItem:
    response = client.post(f"/roadmaps/items/{row.id}/fulfil", data={"version": row.version}, headers=HX)
    assert response.status_code == 200, response.text
    db.session.expire_all()
    return db.session.get(RoadmapItem, row.id)


def test_seed_000_training_is_offered_with_the_sheet_and_certificates_and_marked_on_confirmation(client, world):
    login(client, "curator")
    plan = adopt(client, "penza_school30_2022", world.school.id)
    training_line = item(plan, "4.2.")
    assert training_line.link.rule_code == "events.training"
    row = row_of(client.get(f"/roadmaps/{plan.id}").text, training_line)
    assert "не проводилось" in row and "/fulfil" not in row

    held_on = date(2025, 10, 1)
    event = Event(org_id=world.school.id, kind_code="training", level="school", title="Школа наставника",
                  starts_at=datetime.combine(held_on, time(14, 30)), place="кабинет 21", hours=4)
    db.session.add(event)
    db.session.flush()
    teachers = make_teachers(world.school, 6)
    add_people(event, teachers[:5], attendance="present")
    add_people(event, teachers[5:], attendance="absent")
    certificates.issue(event, world.users["curator"], held_on)
    db.session.commit()

    row = row_of(client.get(f"/roadmaps/{plan.id}").text, training_line)
    assert "присутствовали 5 из 6 участников" in row and "Отметить выполненным" in row
    db.session.expire_all()
    assert db.session.get(RoadmapItem, training_line.id).status != "done"  # offered, never marked silently

    done = _confirm(client, training_line)
    assert (done.status, done.done_on) == ("done", DAY)
    urls = [e.link_url for e in done.evidence]
    assert f"/events/{event.id}/sheet" in urls and f"/events/{event.id}/certificates.zip" in urls
    assert any("5 сертификатов" in e.title for e in done.evidence)


def test_seed_004_information_campaign_lines_follow_news_marked_as_posted(client, world):
    login(client, "curator")
    plan = adopt(client, "nn_school128_2020", world.school.id)
    lines = [item(plan, "2.6."), item(plan, "4.1.")]
    assert [line.link.rule_code for line in lines] == ["events.news", "events.news"]
    news = NewsItem(org_id=world.school.id, published_on=date(2025, 10, 2), title="Школа наставника прошла",
                    text="…")
    db.session.add(news)
    db.session.commit()
    assert "Отметить выполненным" not in row_of(client.get(f"/roadmaps/{plan.id}").text, lines[1])

    db.session.add(NewsPost(news=news, channel="site", url="https://school128.example/news/7",
                            posted_on=date(2025, 10, 3)))
    db.session.commit()
    row = row_of(client.get(f"/roadmaps/{plan.id}").text, lines[1])
    assert "«Школа наставника прошла»" in row and "Отметить выполненным" in row
    done = _confirm(client, lines[1])
    assert done.status == "done"
    assert "https://school128.example/news/7" in [e.link_url for e in done.evidence]
