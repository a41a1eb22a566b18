"""Meetings of the five kinds (seed 004); «совместная работа» counts only with feedback from both sides."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nastavnik.extensions import db
from nastavnik.programmes.models import MEETING_KINDS, Meeting
from nastavnik.timeutil import today
from tests.programmes.conftest import make_pair

TODAY = today().strftime("%d.%m.%Y")


def _meeting(client, pair, **overrides):
    data = {
        "kind": "intro",
        "held_on": TODAY,
        "format": "offline",
        "notes": "Познакомились",
        "mentor_feedback": "",
    }
    return client.post(f"/programmes/pair/{pair.id}/meetings/new", data=data | overrides)


def _meetings(pair) -> list[Meeting]:
    return db.session.scalars(db.select(Meeting).where(Meeting.pair_id == pair.id).order_by(Meeting.id)).all()


def test_the_five_kinds_of_seed_004():
    assert list(MEETING_KINDS.values()) == [
        "встреча-знакомство",
        "пробная рабочая встреча",
        "встреча-планирование",
        "совместная работа",
        "итоговая встреча",
    ]


@pytest.mark.parametrize("kind", ["intro", "trial", "planning", "final"])
def test_mentor_logs_a_meeting_of_each_kind(pair, as_user, kind):
    mentor = as_user("mentor")
    response = _meeting(mentor, pair, kind=kind, format="online")
    assert response.status_code == 303
    [meeting] = _meetings(pair)
    assert meeting.kind == kind and meeting.format == "online" and meeting.held_on == today()
    listing = mentor.get(f"/programmes/pair/{pair.id}/meetings").get_data(as_text=True)
    assert MEETING_KINDS[kind] in listing and "дистанционно" in listing


def test_joint_meeting_requires_the_mentors_feedback(pair, as_user):
    for who in ("mentor", "curator"):
        client = as_user(who)
        response = _meeting(client, pair, kind="joint", mentor_feedback="  ")
        assert response.status_code == 422
        assert "обратная связь наставника обязательна" in response.get_data(as_text=True)
        client.post("/auth/logout")
    assert _meetings(pair) == []


def test_joint_meeting_is_incomplete_until_the_mentee_answers(pair, client, as_user):
    mentor = as_user("mentor")
    assert _meeting(mentor, pair, kind="joint", mentor_feedback="Разобрали урок").status_code == 303
    [meeting] = _meetings(pair)
    listing = mentor.get(f"/programmes/pair/{pair.id}/meetings").get_data(as_text=True)
    assert "нет обратной связи наставляемого" in listing
    client.post("/auth/logout")

    mentee = as_user("mentee")
    page = mentee.get(f"/programmes/pair/{pair.id}/meetings").get_data(as_text=True)
    assert "Ваша обратная связь" in page
    # only their own feedback: other fields in the post are ignored
    response = mentee.post(
        f"/programmes/meetings/{meeting.id}/feedback",
        data={"feedback": "Было полезно", "mentor_feedback": "подмена", "notes": "подмена"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.mentee_feedback == "Было полезно"
    assert meeting.mentor_feedback == "Разобрали урок" and meeting.notes == "Познакомились"
    listing = mentee.get(f"/programmes/pair/{pair.id}/meetings").get_data(as_text=True)
    assert "нет обратной связи" not in listing and "проведена" in listing


def test_feedback_by_htmx_returns_the_row_and_empty_feedback_is_refused(pair, client, as_user):
    mentor = as_user("mentor")
    _meeting(mentor, pair, kind="joint", mentor_feedback="Разобрали урок")
    [meeting] = _meetings(pair)
    client.post("/auth/logout")
    mentee = as_user("mentee")
    url = f"/programmes/meetings/{meeting.id}/feedback"

    empty = mentee.post(url, data={"feedback": " "}, headers={"HX-Request": "true"})
    assert empty.status_code == 422 and "Заполните поле" in empty.get_data(as_text=True)
    plain_empty = mentee.post(url, data={"feedback": ""})
    assert plain_empty.status_code == 422 and "<html" in plain_empty.get_data(as_text=True)

    row = mentee.post(url, data={"feedback": "Спасибо"}, headers={"HX-Request": "true"})
    html = row.get_data(as_text=True)
    assert (
        row.status_code == 200
        and html.lstrip().startswith(f'<tr id="meeting-{meeting.id}"')
        and "<html" not in html
    )
    assert "Спасибо" in html


def test_mentors_feedback_goes_to_the_mentor_column(pair, as_user):
    mentor = as_user("mentor")
    _meeting(mentor, pair, kind="trial")
    [meeting] = _meetings(pair)
    mentor.post(f"/programmes/meetings/{meeting.id}/feedback", data={"feedback": "Договорились о плане"})
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.mentor_feedback == "Договорились о плане" and meeting.mentee_feedback == ""


def test_curator_is_not_a_side_of_the_meeting(pair, as_user):
    curator = as_user("curator")
    _meeting(curator, pair)
    [meeting] = _meetings(pair)
    assert (
        curator.post(f"/programmes/meetings/{meeting.id}/feedback", data={"feedback": "x"}).status_code == 403
    )


def test_mentee_cannot_log_or_edit_meetings(pair, client, as_user):
    mentor = as_user("mentor")
    _meeting(mentor, pair)
    [meeting] = _meetings(pair)
    client.post("/auth/logout")
    mentee = as_user("mentee")
    assert _meeting(mentee, pair, kind="final").status_code == 403
    assert mentee.get(f"/programmes/pair/{pair.id}/meetings/new").status_code == 403
    assert (
        mentee.post(
            f"/programmes/meetings/{meeting.id}/edit", data={"kind": "final", "held_on": TODAY}
        ).status_code
        == 403
    )
    assert len(_meetings(pair)) == 1


def test_future_date_and_bad_input_are_refused(pair, as_user):
    mentor = as_user("mentor")
    tomorrow = (today() + timedelta(days=1)).strftime("%d.%m.%Y")
    response = _meeting(mentor, pair, held_on=tomorrow)
    assert response.status_code == 422 and "не может быть позже сегодняшнего дня" in response.get_data(as_text=True)
    bad_date = _meeting(mentor, pair, held_on="2025-09-01")
    assert bad_date.status_code == 422 and "ДД.ММ.ГГГГ" in bad_date.get_data(as_text=True)
    bad_kind = _meeting(mentor, pair, kind="party")
    assert bad_kind.status_code == 422 and "Выберите значение из списка" in bad_kind.get_data(as_text=True)
    assert _meetings(pair) == []


def test_htmx_meeting_form_errors_come_back_as_the_form_fragment(pair, as_user):
    mentor = as_user("mentor")
    response = mentor.post(
        f"/programmes/pair/{pair.id}/meetings/new",
        data={"kind": "joint", "held_on": TODAY},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="meeting-form"' in html and "<html" not in html
    ok = mentor.post(
        f"/programmes/pair/{pair.id}/meetings/new",
        data={"kind": "intro", "held_on": TODAY},
        headers={"HX-Request": "true"},
    )
    assert ok.status_code == 204 and ok.headers["HX-Redirect"].endswith(
        f"/programmes/pair/{pair.id}/meetings"
    )


def test_meeting_on_a_forming_pair_is_allowed_with_a_warning(world, mentor_person, as_user):
    forming = make_pair(world.school, mentor_person, world.student, status="forming")
    db.session.commit()
    mentor = as_user("mentor")
    assert "не закреплена приказом" in mentor.get(f"/programmes/pair/{forming.id}/meetings/new").get_data(
        as_text=True
    )
    response = _meeting(mentor, forming)
    assert response.status_code == 303
    assert len(_meetings(forming)) == 1
    page = mentor.get(response.headers["Location"]).get_data(as_text=True)
    assert "не закреплена приказом" in page
    db.session.refresh(forming)
    assert forming.status == "forming"  # pairs become active by order, not by a meeting


def test_editing_a_meeting_keeps_the_mentees_feedback(pair, client, as_user):
    mentor = as_user("mentor")
    _meeting(mentor, pair, kind="joint", mentor_feedback="Разобрали урок")
    [meeting] = _meetings(pair)
    meeting.mentee_feedback = "Полезно"
    db.session.commit()
    response = mentor.post(
        f"/programmes/meetings/{meeting.id}/edit",
        data={
            "kind": "joint",
            "held_on": TODAY,
            "format": "offline",
            "notes": "Урок 7Б",
            "mentor_feedback": "Разобрали урок подробно",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.notes == "Урок 7Б" and meeting.mentee_feedback == "Полезно"
