"""Pairs: manual creation, order (.docx and print), early end, unmatched and support, stalled pairs, access."""

from __future__ import annotations

import io
from datetime import date, timedelta

from docx import Document
from sqlalchemy import select

from nastavnik.banks.models import MenteeProfile, MentorProfile
from nastavnik.extensions import db
from nastavnik.pairs.models import Order, Pair, SupportRecord
from nastavnik.programmes.models import Meeting
from tests.banks.test_matching_web import KIND, make_mentee, make_mentor
from tests.factories import make_consent, make_person


def _pair(client, world, mentor, mentees, variation="experienced_young"):
    data = {
        "org_id": world.school.id,
        "kind_code": KIND,
        "variation_code": variation,
        "mentor_ids": [mentor.id],
        "mentee_ids": [m.id for m in mentees],
    }
    return client.post("/pairs/new", data=data)


def _setup(world, duties=True, capacity=2):
    mentor = make_mentor(world.school, "Наставкина", ["дисциплина"], capacity=capacity)
    if duties:
        make_consent(mentor.person, kind="mentor_duties")
    mentee = make_mentee(world.school, "Юнова", ["дисциплина"])
    db.session.commit()
    return mentor, mentee


def test_manual_pair_takes_a_slot(curator, world):
    mentor, mentee = _setup(world)
    response = _pair(curator, world, mentor, [mentee])
    assert response.status_code == 303
    pair = db.session.scalar(select(Pair))
    assert pair.status == "forming" and not pair.is_group
    assert db.session.get(MentorProfile, mentor.id).load == 1
    assert db.session.get(MenteeProfile, mentee.id).status == "in_pair"
    html = curator.get(f"/pairs/{pair.id}").get_data(as_text=True)
    assert "учитель – учитель" in html and "опытный педагог – молодой специалист" in html


def test_full_mentor_is_refused_with_a_clear_message(curator, world):
    mentor, mentee = _setup(world, capacity=1)
    mentor.load = 1
    db.session.commit()
    response = _pair(curator, world, mentor, [mentee])
    assert response.status_code == 422  # a full mentor is not even offered
    assert db.session.scalar(select(Pair)) is None


def test_group_needs_a_form_that_allows_groups(curator, world, app):
    mentor, mentee = _setup(world)
    second = make_mentee(world.school, "Вторая", [])
    db.session.commit()
    assert _pair(curator, world, mentor, [mentee, second]).status_code == 303
    assert db.session.scalar(select(Pair)).is_group


def test_missing_plugin_shows_placeholder(curator, world):
    mentor, mentee = _setup(world)
    _pair(curator, world, mentor, [mentee])
    pair = db.session.scalar(select(Pair))
    pair.kind_code = "removed_form"
    db.session.commit()
    response = curator.get(f"/pairs/{pair.id}")
    assert response.status_code == 200 and "removed_form (плагин не установлен)" in response.get_data(
        as_text=True
    )
    assert "плагин не установлен" in curator.get("/pairs/").get_data(as_text=True)


def test_order_requires_mentor_duties_consent(curator, world):
    mentor, mentee = _setup(world, duties=False)
    _pair(curator, world, mentor, [mentee])
    pair = db.session.scalar(select(Pair))
    data = {"org": world.school.id, "number": "15-о", "issued_on": "01.09.2025", "pair_ids": [pair.id]}
    response = curator.post("/pairs/orders/new", data=data)
    assert response.status_code == 422
    assert (
        "Нет действующего согласия наставника на возложение дополнительных обязанностей: "
        in response.get_data(as_text=True)
    )
    assert db.session.get(Pair, pair.id).status == "forming"


def test_order_activates_pairs_and_docx_lists_them(curator, world):
    mentor, mentee = _setup(world)
    _pair(curator, world, mentor, [mentee])
    pair = db.session.scalar(select(Pair))
    data = {"org": world.school.id, "number": "15-о", "issued_on": "01.09.2025", "pair_ids": [pair.id]}
    assert curator.post("/pairs/orders/new", data=data).status_code == 303
    order = db.session.scalar(select(Order))
    pair = db.session.get(Pair, pair.id)
    assert pair.status == "active" and pair.order_id == order.id and pair.starts_on == date(2025, 9, 1)
    response = curator.get(f"/pairs/orders/{order.id}.docx")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "ПРИКАЗ" in text and "№ 15-о" in text and "01.09.2025" in text and world.school.title in text
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "№ п/п",
        "Наставник",
        "Наставляемый(е)",
        "Форма / вариация",
        "Сроки",
    ]
    row = [c.text for c in table.rows[1].cells]
    assert row[0] == "1" and row[1].startswith("Наставкина") and row[2].startswith("Юнова")
    assert row[3] == "учитель – учитель / опытный педагог – молодой специалист"
    printed = curator.get(f"/pairs/orders/{order.id}").get_data(as_text=True)
    assert "Наставкина" in printed and "№ 15-о" in printed


def test_end_early_returns_mentee_to_bank_and_frees_slot(curator, world):
    mentor, mentee = _setup(world)
    _pair(curator, world, mentor, [mentee])
    pair = db.session.scalar(select(Pair))
    response = curator.post(
        f"/pairs/{pair.id}/end",
        data={"mode": "early", "initiator": "mentee", "ended_on": "15.10.2025", "reason": "переезд"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    pair = db.session.get(Pair, pair.id)
    assert pair.status == "interrupted" and pair.end_initiator == "mentee" and pair.end_reason == "переезд"
    assert pair.ended_by_id == world.users["curator"].id and pair.ended_on == date(2025, 10, 15)
    assert db.session.get(MenteeProfile, mentee.id).status == "in_bank"
    assert db.session.get(MentorProfile, mentor.id).load == 0
    missing = curator.post(f"/pairs/{pair.id}/end", data={"initiator": "mentee", "ended_on": "15.10.2025"})
    assert missing.status_code == 422  # no reason given


def test_unmatched_list_with_support_records(curator, world):
    mentee = make_mentee(world.school, "Одинокова", [])
    mentee.status = "unmatched"
    db.session.commit()
    assert "Одинокова" in curator.get("/pairs/unmatched").get_data(as_text=True)
    response = curator.post(
        f"/pairs/unmatched/{mentee.id}/support",
        data={"happened_on": "10.10.2025", "text": "консультация педагога-психолога"},
    )
    assert response.status_code == 303
    assert db.session.scalar(select(SupportRecord)).text == "консультация педагога-психолога"
    assert "консультация педагога-психолога" in curator.get("/pairs/unmatched").get_data(as_text=True)


def test_stalled_pairs_flagged_on_dashboard(curator, world, app):
    mentor, mentee = _setup(world)
    _pair(curator, world, mentor, [mentee])
    pair = db.session.scalar(select(Pair))
    pair.status, pair.starts_on = "active", date.today() - timedelta(days=60)
    db.session.commit()
    assert 'id="stalled-pairs"' in curator.get("/").get_data(as_text=True)
    db.session.add(Meeting(pair_id=pair.id, kind="intro", held_on=date.today() - timedelta(days=3)))
    db.session.commit()
    assert 'id="stalled-pairs"' not in curator.get("/").get_data(as_text=True)
    app.config["STALLED_PAIR_DAYS"] = 2
    assert 'id="stalled-pairs"' in curator.get("/").get_data(as_text=True)


def test_mentor_sees_only_own_pairs(as_user, world, client):
    mentor_person = world.users["mentor"].person
    own_mentor = make_mentor(world.school, "", person=mentor_person, capacity=2)
    make_consent(mentor_person, kind="mentor_duties")
    own_mentee = make_mentee(world.school, "Своя")
    other_mentor = make_mentor(world.school, "Чужой-наставник")
    other_mentee = make_mentee(world.school, "Чужая-наставляемая")
    db.session.commit()
    curator = as_user("curator")
    _pair(curator, world, own_mentor, [own_mentee])
    _pair(curator, world, other_mentor, [other_mentee])
    own, other = db.session.scalars(select(Pair).order_by(Pair.id)).all()
    client.post("/auth/logout")
    mentor = as_user("mentor")
    listing = mentor.get("/pairs/").get_data(as_text=True)
    assert "Своя" in listing and "Чужая-наставляемая" not in listing
    assert mentor.get(f"/pairs/{own.id}").status_code == 200
    assert mentor.get(f"/pairs/{other.id}").status_code == 404
    # Relation check: the mentor may open the card of their own mentee, not of another pair's.
    assert mentor.get(f"/participants/{own_mentee.person_id}").status_code == 200
    assert mentor.get(f"/participants/{other_mentee.person_id}").status_code == 404
    assert mentor.post(f"/pairs/{own.id}/end", data={}).status_code == 403


def test_other_school_gets_404(as_user, world):
    curator = as_user("curator")
    mentor, mentee = _setup(world)
    _pair(curator, world, mentor, [mentee])
    pair = db.session.scalar(select(Pair))
    curator.post(
        "/pairs/orders/new",
        data={"org": world.school.id, "number": "1", "issued_on": "01.09.2025", "pair_ids": [pair.id]},
    )
    order = db.session.scalar(select(Order))
    curator.post("/auth/logout")
    other = as_user("curator_other")
    assert other.get(f"/pairs/{pair.id}").status_code == 404
    assert other.get(f"/pairs/orders/{order.id}.docx").status_code == 404
    assert other.get(f"/banks/mentees/{mentee.id}").status_code == 404
    assert other.get(f"/banks/mentors/{mentor.id}/edit").status_code == 404
    assert "Юнова" not in other.get("/pairs/").get_data(as_text=True)


def test_person_without_pair_is_not_visible_to_mentor(as_user, world):
    stranger = make_person(world.school, last_name="Посторонний")
    db.session.commit()
    assert as_user("mentor").get(f"/participants/{stranger.id}").status_code == 404
