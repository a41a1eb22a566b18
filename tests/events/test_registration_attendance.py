"""Registration and attendance: the curator creates an event, invites people and guests, the invited
answer, attendance is marked on the day (HTMX row or a plain form), a stale page gets 409."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from nastavnik.events.models import Event, Participant
from nastavnik.extensions import db
from nastavnik.timeutil import today
from tests.events.conftest import add_people, make_event
from tests.factories import make_consent, make_person

HX = {"HX-Request": "true"}


def _participant(event_id, person_id) -> Participant:
    return db.session.scalar(
        select(Participant).where(Participant.event_id == event_id, Participant.person_id == person_id)
    )


def test_curator_creates_a_training_and_invites_six_teachers(world, curator, teachers):
    day = today()
    response = curator.post("/events/new", data={
        "org_id": world.school.id, "kind_code": "training", "title": "Школа наставника",
        "day": day.strftime("%d.%m.%Y"), "starts": "14:30", "ends": "17:00", "place": "кабинет 21",
        "hours": "4", "audience_roles": ["mentors"], "audience_kinds": ["teacher_teacher"],
    })
    assert response.status_code == 303, response.data.decode()[:2000]
    event = db.session.scalars(select(Event)).one()
    assert (event.level, event.kind_code, event.hours, event.audience_roles) == ("school", "training", 4.0, "mentors")
    assert event.starts_at.strftime("%H:%M") == "14:30" and event.ends_at.strftime("%H:%M") == "17:00"

    page = curator.get(f"/events/{event.id}/invite").get_data(as_text=True)
    for teacher in teachers:
        assert teacher.full_name in page
    assert world.other_teacher.full_name not in page  # another municipality's teacher is not offered
    response = curator.post(f"/events/{event.id}/invite", data={"person_id": [t.id for t in teachers]})
    assert response.status_code == 303
    assert {p.person_id for p in event.participants} == {t.id for t in teachers}
    assert {p.status for p in event.participants} == {"invited"}
    assert {p.org_id for p in event.participants} == {world.school.id}

    # the same people again are not listed twice; someone of another municipality cannot be slipped in
    curator.post(f"/events/{event.id}/invite", data={"person_id": [teachers[0].id, world.other_teacher.id]})
    db.session.expire_all()
    assert len(event.participants) == 6


def test_guest_from_outside_is_added_by_name_and_organisation(world, curator):
    event = make_event(world.school)
    db.session.commit()
    response = curator.post(f"/events/{event.id}/invite", data={"action": "outsider", "outsider_name": ""})
    assert response.status_code == 422 and "ФИО гостя" in response.get_data(as_text=True)
    response = curator.post(f"/events/{event.id}/invite", data={
        "action": "outsider", "outsider_name": "Соколова Ирина Викторовна", "outsider_org": "КК ИПК",
        "outsider_position": "методист",
    })
    assert response.status_code == 303
    guest = db.session.scalars(select(Participant)).one()
    assert (guest.person_id, guest.name, guest.org_title, guest.status) == (None, "Соколова Ирина Викторовна", "КК ИПК", "registered")


def test_invited_mentee_registers_or_declines_and_sees_only_own(world, as_user, teachers):
    event = make_event(world.school, days=5)
    add_people(event, [world.teacher], status="invited")  # the world's mentee user
    other = make_event(world.school, days=6, title="Чужое")
    add_people(other, teachers[:1], status="invited")
    db.session.commit()
    client = as_user("mentee")
    mine = client.get("/events/mine").get_data(as_text=True)
    assert "Школа наставника" in mine and "Чужое" not in mine
    assert client.get(f"/events/{other.id}").status_code == 404
    assert client.get(f"/events/{event.id}").status_code == 200

    response = client.post(f"/events/mine/{event.id}/register", data={"answer": "registered"})
    assert response.status_code == 303
    assert _participant(event.id, world.teacher.id).status == "registered"
    client.post(f"/events/mine/{event.id}/register", data={"answer": "declined"})
    assert _participant(event.id, world.teacher.id).status == "declined"
    assert client.post(f"/events/mine/{other.id}/register", data={"answer": "registered"}).status_code == 404


def test_attendance_is_marked_on_the_day_not_before(world, curator, teachers):
    future = make_event(world.school, days=3)
    (early,) = add_people(future, teachers[:1])
    db.session.commit()
    response = curator.post(f"/events/participants/{early.id}/attendance", data={"attendance": "present"}, headers=HX)
    assert response.status_code == 422
    assert "в день мероприятия" in response.get_data(as_text=True)
    db.session.refresh(early)
    assert early.attendance == ""


def test_marking_attendance_with_htmx_swaps_the_row_and_updates_the_counts(world, curator, teachers):
    event = make_event(world.school)
    first, second, *_ = add_people(event, teachers)
    db.session.commit()
    response = curator.post(
        f"/events/participants/{first.id}/attendance",
        data={"attendance": "present", "version": first.version}, headers=HX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and f'id="participant-{first.id}"' in html
    assert 'id="attendance-counts" data-hx-swap-oob="true"' in html and "<b>1</b> из 6" in html
    assert 'role="status"' in html and f"{first.name}: присутствовал(а)" in html
    db.session.refresh(first)
    assert first.attendance == "present" and first.marked_at is not None
    db.session.refresh(event)
    assert event.status == "held"

    # without JavaScript: a plain form, a redirect back to the row
    response = curator.post(f"/events/participants/{second.id}/attendance", data={"attendance": "absent"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#participant-{second.id}")
    db.session.refresh(second)
    assert second.attendance == "absent"
    page = curator.get(f"/events/{event.id}/attendance").get_data(as_text=True)
    assert "Присутствуют <b>1</b> из 6" in page


def test_a_stale_row_answers_409_and_keeps_the_other_mark(world, curator, teachers):
    event = make_event(world.school)
    (person,) = add_people(event, teachers[:1])
    db.session.commit()
    seen = person.version
    curator.post(f"/events/participants/{person.id}/attendance", data={"attendance": "present", "version": seen})
    response = curator.post(
        f"/events/participants/{person.id}/attendance", data={"attendance": "absent", "version": seen}, headers=HX,
    )
    assert response.status_code == 409
    assert "изменил другой пользователь" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.attendance == "present"


def test_someone_who_came_without_confirming_is_registered_by_the_mark(world, curator, teachers):
    event = make_event(world.school)
    (person,) = add_people(event, teachers[:1], status="invited")
    db.session.commit()
    curator.post(f"/events/participants/{person.id}/attendance", data={"attendance": "present"})
    db.session.refresh(person)
    assert (person.status, person.attendance) == ("registered", "present")


def test_attendance_sheet_lists_everyone_but_those_who_declined(world, curator, teachers):
    event = make_event(world.school, title="Школа наставника")
    add_people(event, teachers[:3])
    add_people(event, teachers[3:4], status="declined")
    db.session.commit()
    page = curator.get(f"/events/{event.id}/sheet").get_data(as_text=True)
    assert "Лист регистрации участников" in page and "Подпись" in page and 'class="attendance-sheet"' in page
    for teacher in teachers[:3]:
        assert teacher.full_name in page
    assert teachers[3].full_name not in page


def test_invited_school_puts_its_own_people_on_a_municipal_list(world, as_user):
    event = make_event(world.authority, kind="seminar", days=4, invited=[world.school])
    own = make_person(world.school, last_name="Своя")
    foreign = make_person(world.school2, last_name="Соседняя")
    make_consent(own), make_consent(foreign)
    db.session.commit()
    client = as_user("curator")
    page = client.get(f"/events/{event.id}/invite").get_data(as_text=True)
    assert own.full_name in page and foreign.full_name not in page
    client.post(f"/events/{event.id}/invite", data={"person_id": [own.id, foreign.id]})
    db.session.expire_all()
    assert [p.person_id for p in event.participants] == [own.id]
    (participant,) = event.participants
    assert participant.status == "registered"  # the school sends its people: they are registered
    # the school cannot mark attendance at the municipality's event
    assert client.post(f"/events/participants/{participant.id}/attendance", data={"attendance": "present"}).status_code == 403
    assert client.get(f"/events/{event.id}/attendance").status_code == 403


def test_the_municipality_invites_a_teacher_and_her_school_joins_the_invitation(world, as_user):
    event = make_event(world.authority, kind="seminar", days=4)
    teacher = make_person(world.school2, last_name="Приглашённая")
    make_consent(teacher)
    db.session.commit()
    client = as_user("municipal")
    client.post(f"/events/{event.id}/invite", data={"person_id": [teacher.id]})
    db.session.expire_all()
    assert [link.org_id for link in event.invited_orgs] == [world.school2.id]


def test_editing_an_event_with_a_stale_version_answers_409(world, curator):
    event = make_event(world.school, days=2)
    db.session.commit()
    stale = event.version
    form = {"kind_code": "training", "title": "Новое название", "day": (today() + timedelta(days=2)).strftime("%d.%m.%Y"),
            "starts": "10:00", "place": "зал", "version": stale}
    assert curator.post(f"/events/{event.id}/edit", data=form).status_code == 303
    response = curator.post(f"/events/{event.id}/edit", data=form | {"title": "Другое"})
    assert response.status_code == 409
    db.session.refresh(event)
    assert event.title == "Новое название"


def test_bad_input_is_refused_at_the_field(world, curator):
    response = curator.post("/events/new", data={
        "org_id": world.school.id, "kind_code": "training", "title": "X", "day": "31.02.2026", "starts": "25:00",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ожидается ДД.ММ.ГГГГ" in html and "Неверное время «25:00»" in html
    assert "Укажите место проведения или ссылку." in html
    assert db.session.scalars(select(Event)).first() is None


def test_people_without_a_valid_consent_are_not_offered_nor_put_on_the_list(world, curator, teachers):
    """152-ФЗ: the list, the sheet and the certificates carry names — only of people who may be processed."""
    event = make_event(world.school, days=3)
    unconsented = make_person(world.school, last_name="Несогласова")
    db.session.commit()
    page = curator.get(f"/events/{event.id}/invite").get_data(as_text=True)
    assert teachers[0].full_name in page and unconsented.full_name not in page
    assert "действующим согласием на обработку" in page
    curator.post(f"/events/{event.id}/invite", data={"person_id": [teachers[0].id, unconsented.id]})
    curator.post(f"/events/{event.id}/invite", data={"all": "1"})
    db.session.expire_all()
    listed = {p.person_id for p in event.participants}
    assert {t.id for t in teachers} <= listed and unconsented.id not in listed
