"""Each fulfilment rule of events (``nastavnik_fulfilment_rules``): what it offers to link, when it says
«done» and what it gives as evidence; its keywords find the seed roadmaps' lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import url_for

from nastavnik.events.models import NewsItem, NewsPost
from nastavnik.events.services import mark_attendance
from nastavnik.extensions import db
from nastavnik.plugins.manager import registry
from nastavnik.plugins.registry import FulfilmentCheck
from nastavnik.timeutil import today
from tests.events.conftest import add_people, make_event

SEEDS = Path(__file__).resolve().parents[2] / "nastavnik" / "roadmaps" / "data"


@pytest.fixture
def rules(app):
    return registry().fulfilment_rules


def _check(rules, code, org_id, record_id=None) -> FulfilmentCheck:
    with_request = rules[code].check
    return with_request(org_id, record_id)


def test_events_contribute_four_rules(rules):
    assert {"events.training", "events.seminar", "events.public", "events.news"} <= set(rules)


def test_training_is_done_when_held_with_an_attendance_list(app, world, rules, teachers):
    with app.test_request_context():
        assert not _check(rules, "events.training", world.school.id).done
        event = make_event(world.school, days=-2, title="Школа наставника")
        people = add_people(event, teachers)
        db.session.commit()
        assert (None, "Обучение наставников (мероприятие): в текущем учебном году") in rules["events.training"].records(world.school.id)
        assert (event.id, f"«Школа наставника», {event.day:%d.%m.%Y}") in rules["events.training"].records(world.school.id)
        pending = _check(rules, "events.training", world.school.id, event.id)
        assert not pending.done and "посещаемость не отмечена" in pending.summary
        assert not _check(rules, "events.training", world.school.id).done  # held, but no attendance list
        for person in people[:5]:
            mark_attendance(person, "present", world.users["curator"], today(), None)
        done = _check(rules, "events.training", world.school.id, event.id)
        assert done.done and "присутствовали 5 из 6 участников" in done.summary
        assert done.url == url_for("events.detail", event_id=event.id)
        assert [title.split(":")[0] for title, _ in done.evidence] == ["Лист регистрации"]
        assert done.evidence[0][1] == url_for("events.sheet", event_id=event.id)

        from nastavnik.events import certificates

        certificates.issue(event, world.users["curator"], today())
        done = _check(rules, "events.training", world.school.id)
        assert done.done
        assert [url for _, url in done.evidence] == [
            url_for("events.sheet", event_id=event.id), url_for("events.certificates_zip", event_id=event.id),
        ]
        assert "Сертификаты (5 сертификатов)" in done.evidence[1][0]


def test_a_future_or_cancelled_training_is_not_done(app, world, rules, teachers):
    with app.test_request_context():
        future = make_event(world.school, days=3)
        cancelled = make_event(world.school, days=-3, status="cancelled")
        add_people(cancelled, teachers, attendance="present")
        db.session.commit()
        assert "ещё не прошло" in _check(rules, "events.training", world.school.id, future.id).summary
        assert not _check(rules, "events.training", world.school.id, cancelled.id).done
        assert not _check(rules, "events.training", world.school.id).done


def test_a_school_s_mentors_trained_at_a_municipal_event_fulfil_its_line(app, world, rules, teachers):
    with app.test_request_context():
        event = make_event(world.authority, days=-5, invited=[world.school, world.school2])
        add_people(event, teachers[:2], attendance="present")
        db.session.commit()
        assert _check(rules, "events.training", world.school.id).done
        assert not _check(rules, "events.training", world.school2.id).done  # nobody of СОШ № 4 came
        assert _check(rules, "events.training", world.authority.id).done


def test_last_year_s_training_does_not_count_for_this_year(app, world, rules, teachers):
    with app.test_request_context():
        old = make_event(world.school, days=-400)
        add_people(old, teachers, attendance="present")
        db.session.commit()
        assert not _check(rules, "events.training", world.school.id).done
        assert _check(rules, "events.training", world.school.id, old.id).done


@pytest.mark.parametrize("code,kind", [("events.seminar", "seminar"), ("events.seminar", "webinar"),
                                       ("events.public", "round_table"), ("events.public", "conference"),
                                       ("events.public", "final")])
def test_seminars_and_public_events_are_done_the_same_way(app, world, rules, teachers, code, kind):
    with app.test_request_context():
        event = make_event(world.school, kind=kind, days=-1, title="Круглый стол")
        add_people(event, teachers[:3], attendance="present")
        training = make_event(world.school, days=-1)
        add_people(training, teachers[3:], attendance="present")
        db.session.commit()
        assert _check(rules, code, world.school.id, event.id).done
        assert _check(rules, code, world.school.id).summary.startswith("проведено «Круглый стол»")
        assert event.id in {record_id for record_id, _ in rules[code].records(world.school.id)}
        assert training.id not in {record_id for record_id, _ in rules[code].records(world.school.id)}


def test_news_are_done_when_at_least_one_is_marked_sent(app, world, rules):
    with app.test_request_context():
        news = NewsItem(org_id=world.school.id, published_on=today(), title="О наставничестве", text="…")
        db.session.add(news)
        db.session.commit()
        assert not _check(rules, "events.news", world.school.id).done
        pending = _check(rules, "events.news", world.school.id, news.id)
        assert not pending.done and "ещё не отмечена" in pending.summary
        db.session.add(NewsPost(news=news, channel="site", url="https://school.example/news/1", posted_on=today()))
        db.session.add(NewsPost(news=news, channel="social", url="https://vk.com/wall-1_1", posted_on=today()))
        db.session.commit()
        done = _check(rules, "events.news", world.school.id)
        assert done.done and "сайт школы, социальные сети" in done.summary
        assert [url for _, url in done.evidence] == ["https://school.example/news/1", "https://vk.com/wall-1_1"]
        assert _check(rules, "events.news", world.school.id, news.id).done
        assert not _check(rules, "events.news", world.school2.id).done  # another school's news do not count


def test_another_school_s_event_cannot_be_checked_through_a_link(app, world, rules, teachers):
    with app.test_request_context():
        event = make_event(world.school2, days=-1)
        add_people(event, [], attendance="present")
        db.session.commit()
        assert event.id not in {r for r, _ in rules["events.training"].records(world.school.id)}
        assert not _check(rules, "events.training", world.school.id, event.id).done


# -- keywords suggest the rules for the seed roadmaps' lines --------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zа-я0-9]+", text.lower().replace("ё", "е"))


def _hits(keyword: str, words: list[str]) -> bool:
    """The documented rule of suggestions: every stem of the keyword starts a word, in order, close by."""
    stems = _words(keyword)
    for start, word in enumerate(words):
        if word.startswith(stems[0]):
            position, found = start, True
            for stem in stems[1:]:
                nxt = [i for i in range(position + 1, min(position + 4, len(words))) if words[i].startswith(stem)]
                if not nxt:
                    found = False
                    break
                position = nxt[0]
            if found:
                return True
    return False


def _items(seed: str) -> dict[str, str]:
    data = json.loads(next(SEEDS.glob(f"{seed}_*.json")).read_text())
    return {item["number"]: f"{item['name']} {item.get('content', '')}"
            for section in data["sections"] for item in section["items"]}


@pytest.mark.parametrize("seed,number,code", [
    ("000", "4.2.", "events.training"),
    ("000", "6.2.", "events.public"),
    ("000", "6.3.", "events.public"),
    ("000", "7.1.", "events.news"),
    ("001", "2.1", "events.seminar"),
    ("001", "4.3", "events.training"),
    ("001", "5.2", "events.seminar"),
    ("004", "2.5.", "events.news"),
    ("004", "2.6.", "events.news"),
    ("004", "4.1.", "events.news"),
])
def test_keywords_find_the_seed_lines(rules, seed, number, code):
    words = _words(_items(seed)[number])
    assert any(_hits(keyword, words) for keyword in rules[code].keywords), (seed, number)


def test_keywords_do_not_claim_the_bank_lines(rules):
    words = _words(_items("000")["3.2"])  # «Формирование банка данных наставников …»
    for code in ("events.training", "events.seminar", "events.public"):
        assert not any(_hits(k, words) for k in rules[code].keywords), code
