"""What a curator tripped over in the issue 3 walkthrough, in pairs: mentor status, links, dates, empty runs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from nastavnik.banks.models import MatchRun, MentorProfile
from nastavnik.extensions import db
from nastavnik.pairs.models import Order, Pair
from nastavnik.programmes.models import Programme
from nastavnik.timeutil import today
from tests.banks.test_matching_web import KIND, make_mentee, make_mentor
from tests.conftest import login
from tests.factories import make_consent


def ru(day) -> str:
    return day.strftime("%d.%m.%Y")


def _pair(client, world, mentor, mentee) -> Pair:
    data = {
        "org_id": world.school.id,
        "kind_code": KIND,
        "mentor_ids": [mentor.id],
        "mentee_ids": [mentee.id],
    }
    assert client.post("/pairs/new", data=data).status_code == 303
    return db.session.scalars(select(Pair).order_by(Pair.id.desc())).first()


def _end(client, pair, day=None, mode="early"):
    data = {"mode": mode, "initiator": "school", "ended_on": ru(day or today()), "reason": "Перевод"}
    return client.post(f"/pairs/{pair.id}/end", data=data)


def _mentor(world, capacity=2):
    mentor = make_mentor(world.school, "Наставкина", ["дисциплина"], capacity=capacity)
    make_consent(mentor.person, kind="mentor_duties")
    return mentor


def test_mentor_is_back_in_bank_after_the_last_pair_ends(curator, world):
    mentor = _mentor(world)
    first, second = make_mentee(world.school, "Первая"), make_mentee(world.school, "Вторая")
    db.session.commit()
    one, two = _pair(curator, world, mentor, first), _pair(curator, world, mentor, second)
    assert db.session.get(MentorProfile, mentor.id).status == "assigned"
    assert _end(curator, one).status_code == 303
    db.session.expire_all()
    still = db.session.get(MentorProfile, mentor.id)
    assert (still.load, still.status) == (1, "assigned")  # one pair left: still «закреплён»
    assert _end(curator, two, mode="finish").status_code == 303
    db.session.expire_all()
    free = db.session.get(MentorProfile, mentor.id)
    assert (free.load, free.status) == (0, "in_bank")
    assert (
        "в базе" in curator.get("/banks/mentors").get_data(as_text=True).split(free.person.full_name)[1][:400]
    )


def test_inactive_mentor_is_not_made_available_by_an_ending(curator, world):
    mentor = _mentor(world)
    mentee = make_mentee(world.school, "Юнова")
    db.session.commit()
    pair = _pair(curator, world, mentor, mentee)
    db.session.get(MentorProfile, mentor.id).status = "inactive"  # e.g. on long leave
    db.session.commit()
    _end(curator, pair)
    db.session.expire_all()
    assert db.session.get(MentorProfile, mentor.id).status == "inactive"


def test_pair_page_links_to_programme_and_meetings(app, curator, world):
    mentor = _mentor(world)
    mentee = make_mentee(world.school, "Юнова", person=world.teacher)  # the world's mentee account
    db.session.commit()
    pair = _pair(curator, world, mentor, mentee)
    page = curator.get(f"/pairs/{pair.id}").get_data(as_text=True)
    assert f'href="/programmes/pair/{pair.id}/new"' in page and "составить программу" in page
    assert f'href="/programmes/pair/{pair.id}/meetings"' in page and "Встречи и обратная связь" in page
    assert f'href="/programmes/pair/{pair.id}/meetings/new"' in page
    assert "издать приказ о закреплении" in page and "начнётся с даты приказа" in page
    mentee_view = login(app.test_client(), "mentee").get(f"/pairs/{pair.id}").get_data(as_text=True)
    assert f"/programmes/pair/{pair.id}/meetings" in mentee_view
    assert f"/programmes/pair/{pair.id}/new" not in mentee_view  # a mentee does not write the programme
    assert "/meetings/new" not in mentee_view
    programme = Programme(pair_id=pair.id, goal="Адаптация", duration_months=9)
    db.session.add(programme)
    db.session.commit()
    page = curator.get(f"/pairs/{pair.id}").get_data(as_text=True)
    assert f'href="/programmes/{programme.id}"' in page and "Персонализированная программа" in page


def test_meetings_page_links_back_to_the_pair(curator, world):
    mentor, mentee = _mentor(world), make_mentee(world.school, "Юнова")
    db.session.commit()
    pair = _pair(curator, world, mentor, mentee)
    assert f'href="/pairs/{pair.id}">К паре' in curator.get(f"/programmes/pair/{pair.id}/meetings").get_data(
        as_text=True
    )


def test_end_date_neither_in_future_nor_before_start(curator, world):
    mentor, mentee = _mentor(world), make_mentee(world.school, "Юнова")
    db.session.commit()
    pair = _pair(curator, world, mentor, mentee)
    pair.starts_on = today() - timedelta(days=10)
    db.session.commit()
    future = _end(curator, pair, today() + timedelta(days=1))
    assert future.status_code == 422
    assert "Дата окончания ещё не наступила" in future.get_data(as_text=True)
    early = _end(curator, pair, today() - timedelta(days=11))
    assert early.status_code == 422
    assert f"Пара начала работу {ru(pair.starts_on)}: дата окончания не может быть раньше." in early.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(Pair, pair.id).status == "forming"  # nothing half-written
    assert _end(curator, pair).status_code == 303


def test_interrupted_pair_shows_its_actual_end(curator, world):
    mentor, mentee = _mentor(world), make_mentee(world.school, "Юнова")
    db.session.commit()
    pair = _pair(curator, world, mentor, mentee)
    _end(curator, pair)
    page = curator.get(f"/pairs/{pair.id}").get_data(as_text=True)
    assert f"по {ru(today())} (фактически)" in page and "Прервана" in page and "Перевод" in page


def test_cohort_run_for_a_form_with_nobody_waiting_is_refused(curator, world):
    _mentor(world)
    make_mentee(world.school, "Юнова")
    db.session.commit()
    page = curator.get("/pairs/match/new").get_data(as_text=True)
    assert f'<option value="{KIND}" selected>учитель – учитель — ждут пары: 1</option>' in page
    assert "ученик – ученик — ждут пары: 0" in page
    refused = curator.post("/pairs/match/new", data={"org": world.school.id, "kind": "student_student"})
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/pairs/match/new")
    assert db.session.scalar(select(MatchRun)) is None
    shown = curator.get("/pairs/match/new").get_data(as_text=True)
    assert "Подбирать некого: в базе наставляемых нет ожидающих пары по форме «ученик – ученик»" in shown


def test_forming_pairs_call_for_an_order(curator, world):
    mentor, mentee = _mentor(world), make_mentee(world.school, "Юнова")
    db.session.commit()
    _pair(curator, world, mentor, mentee)
    page = curator.get("/pairs/").get_data(as_text=True)
    assert "1 пара формируется: они станут активными после приказа." in page
    assert 'href="/pairs/orders/new"' in page.split('id="forming-note"')[1][:400]


def test_order_print_view_reads_like_an_order(curator, world):
    mentor, mentee = _mentor(world), make_mentee(world.school, "Юнова")
    db.session.commit()
    pair = _pair(curator, world, mentor, mentee)
    data = {"org": world.school.id, "number": "7-о", "issued_on": ru(today()), "pair_ids": [pair.id]}
    assert curator.post("/pairs/orders/new", data=data).status_code == 303
    order = db.session.scalar(select(Order))
    page = curator.get(f"/pairs/orders/{order.id}").get_data(as_text=True)
    for words in ("ПРИКАЗ", "№ 7-о", "В соответствии с", "ПРИКАЗЫВАЮ:", "Контроль за исполнением приказа оставляю за собой.",
                  "Директор", "С приказом ознакомлены:", mentor.person.full_name):  # fmt: skip
        assert words in page, words
