"""Orders as a school signs them, read back from the .docx: the form's legal basis, the director and
the curator from the school's requisites, the period, everyone named under «С приказом ознакомлены»;
orders on ending a pair and on replacing its mentor, names declined."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from sqlalchemy import select

from nastavnik.banks.models import MentorProfile
from nastavnik.extensions import db
from nastavnik.pairs.models import Order, OrderEntry, Pair
from nastavnik.pairs.services import create_pair, issue_order
from tests.banks.test_matching_web import make_mentee, make_mentor, year
from tests.factories import make_consent, make_person
from tests.pairs.test_consent_rule import mentee_profile, mentor_profile


def docx_text(response) -> str:
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def requisites(org) -> None:
    org.director_name, org.director_position = "Сидоров Пётр Иванович", "Директор"
    org.curator_name, org.curator_position = "Кураторова Анна Ивановна", "заместитель директора по УВР"


def teacher_pair(world, mentor_name=("Иванова", "Мария", "Петровна"), mentee_name=("Петрова", "Анна", "Ивановна")):
    last, first, middle = mentor_name
    mentor_person = make_person(world.school, last_name=last, first_name=first, middle_name=middle)
    make_consent(mentor_person, kind="mentor_duties")
    mentor = make_mentor(world.school, last, ["дисциплина"], capacity=2, person=mentor_person)
    last, first, middle = mentee_name
    mentee_person = make_person(world.school, last_name=last, first_name=first, middle_name=middle,
                                experience_years=1.0)
    make_consent(mentee_person)
    mentee = make_mentee(world.school, last, person=mentee_person)
    pair = create_pair(org_id=world.school.id, kind_code="teacher_teacher", variation_code="experienced_young",
                       mentors=[mentor], mentees=[mentee], academic_year=year())
    db.session.commit()
    return pair


def test_assignment_order_cites_the_form_names_the_people_and_states_the_period(curator, world):
    requisites(world.school)
    pair = teacher_pair(world)
    data = {"org": world.school.id, "number": "101-о", "issued_on": "01.09.2025", "ends_on": "31.05.2026",
            "pair_ids": [pair.id]}
    assert curator.post("/pairs/orders/new", data=data).status_code == 303
    order = db.session.scalar(select(Order))
    assert db.session.get(Pair, pair.id).ends_on == date(2026, 5, 31)
    text = docx_text(curator.get(f"/pairs/orders/{order.id}.docx"))
    assert "АЗ-1128/08" in text and "Р-145" not in text  # «учитель – учитель» cites its own act
    assert "на период с 01.09.2025 по 31.05.2026" in text
    assert "Куратору программы наставничества Кураторовой Анне Ивановне (заместитель директора по УВР)" in text
    assert "Директор\t________________ / П.И. Сидоров /" in text
    signers = text.split("С приказом ознакомлены:")[1]
    for name in ("Иванова М.П. (наставник)", "Петрова А.И. (наставляемый)", "Кураторова А.И. (куратор)"):
        assert f"{name}\t__________" in signers  # the teacher mentee too, and the curator the order names
    printed = curator.get(f"/pairs/orders/{order.id}").get_data(as_text=True)
    assert "П.И. Сидоров" in printed and "Петрова А.И. (наставляемый)" in printed


def test_pupils_order_cites_r145_and_asks_the_representative_to_sign(curator, world):
    mentor = mentor_profile(world.school, "Старшая")
    mentee = mentee_profile(world.school, "Младший")
    pair = create_pair(org_id=world.school.id, kind_code="student_student", variation_code="", mentors=[mentor],
                       mentees=[mentee], academic_year=year())
    order = issue_order(world.school.id, "5-о", date(2025, 9, 1), [pair], date.today(), ends_on=date(2026, 5, 31))
    db.session.commit()
    text = docx_text(curator.get(f"/pairs/orders/{order.id}.docx"))
    assert "Р-145" in text and "АЗ-1128/08" not in text
    assert "законный представитель несовершеннолетнего" in text.split("С приказом ознакомлены:")[1]


def test_curator_edits_own_school_requisites_only(curator, world, client):
    data = {"director_name": "Сидоров Пётр Иванович", "director_position": "Директор",
            "director_position_genitive": "директора", "curator_name": "Кураторова Анна Ивановна",
            "curator_position": "заместитель директора по УВР"}
    assert curator.post(f"/orgs/{world.school.id}/requisites", data=data).status_code == 303
    db.session.expire_all()
    assert world.school.director_name == "Сидоров Пётр Иванович"
    assert curator.post(f"/orgs/{world.other_school.id}/requisites", data=data).status_code == 404
    form = curator.get(f"/pairs/orders/new?org={world.school.id}").get_data(as_text=True)
    assert "Сидоров Пётр Иванович" in form and f"/orgs/{world.school.id}/requisites" in form


def test_admin_organisation_form_keeps_the_requisites(as_user, world):
    admin = as_user("admin")
    page = admin.get(f"/orgs/{world.school.id}/edit").get_data(as_text=True)
    assert "Руководитель: ФИО полностью" in page and "Должность куратора" in page


def test_mentor_cannot_edit_requisites(as_user, world):
    assert as_user("mentor").get(f"/orgs/{world.school.id}/requisites").status_code == 403


def test_order_on_ending_a_pair_declines_the_names(curator, world):
    requisites(world.school)
    pair = teacher_pair(world)
    issue_order(world.school.id, "101-о", date(2025, 9, 1), [pair], date.today())
    db.session.commit()
    data = {"initiator": "mentee", "ended_on": "10.10.2025", "reason": "перевод в другую школу",
            "order_number": "140-о", "order_date": "10.10.2025", "mode": "early"}
    response = curator.post(f"/pairs/{pair.id}/end", data=data)
    assert response.status_code == 303
    order = db.session.scalar(select(Order).where(Order.kind == "end"))
    assert response.headers["Location"].endswith(f"/pairs/orders/{order.id}")
    text = docx_text(curator.get(f"/pairs/orders/{order.id}.docx"))
    assert "О прекращении наставничества" in text
    assert (
        "Прекратить досрочно с 10.10.2025 наставничество Ивановой Марии Петровны в отношении Петровой Анны "
        "Ивановны (форма наставничества «учитель – учитель») по инициативе наставляемого. "
        "Основание: перевод в другую школу." in text
    )
    assert "Иванова М.П. (наставник)" in text.split("С приказом ознакомлены:")[1]
    assert f"/pairs/orders/{order.id}" in curator.get(f"/pairs/{pair.id}").get_data(as_text=True)
    printed = curator.get(f"/pairs/orders/{order.id}").get_data(as_text=True)  # the print view, no table
    assert "1. Прекратить досрочно с 10.10.2025 наставничество Ивановой Марии Петровны" in printed
    assert 'id="order-table"' not in printed


def test_replacing_the_mentor_moves_the_place_and_orders_it(curator, world):
    requisites(world.school)
    pair = teacher_pair(world)
    issue_order(world.school.id, "101-о", date(2025, 9, 1), [pair], date.today())
    new_person = make_person(world.school, last_name="Смирнова", first_name="Ольга", middle_name="Викторовна")
    new = make_mentor(world.school, "Смирнова", person=new_person)
    db.session.commit()
    old_profile_id = pair.mentors[0].mentor_profile_id
    member_id = pair.mentors[0].id
    data = {"member_id": member_id, "mentor_id": new.id, "effective_on": "01.12.2025",
            "reason": "длительный отпуск наставника", "order_number": "150-о", "order_date": "28.11.2025"}
    response = curator.post(f"/pairs/{pair.id}/replace-mentor", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    pair = db.session.get(Pair, pair.id)
    assert [m.person.last_name for m in pair.mentors] == ["Смирнова"]
    assert db.session.get(MentorProfile, old_profile_id).load == 0 and db.session.get(MentorProfile, new.id).load == 1
    entry = db.session.scalar(select(OrderEntry))
    assert entry.action == "replace_mentor" and entry.new_person_id == new_person.id
    text = docx_text(curator.get(f"/pairs/orders/{entry.order_id}.docx"))
    assert "Об изменении состава наставнической пары/группы" in text
    assert "Освободить Иванову Марию Петровну от обязанностей наставника Петровой Анны Ивановны" in text
    assert "Назначить Смирнову Ольгу Викторовну наставником Петровой Анны Ивановны с 01.12.2025." in text
    signers = text.split("С приказом ознакомлены:")[1]
    assert "Иванова М.П. (наставник)" in signers and "Смирнова О.В. (наставник)" in signers  # old and new


def test_replacing_with_a_mentor_without_consent_is_refused(curator, world):
    pair = teacher_pair(world)
    stranger = make_person(world.school, last_name="Безсогласия")
    profile = MentorProfile(person=stranger, person_id=stranger.id, org_id=world.school.id,
                            kind_codes="teacher_teacher", capacity=1, load=0, status="in_bank")
    db.session.add(profile)
    db.session.commit()
    data = {"member_id": pair.mentors[0].id, "mentor_id": profile.id, "effective_on": "01.12.2025",
            "reason": "замена", "order_number": "151-о", "order_date": "28.11.2025"}
    response = curator.post(f"/pairs/{pair.id}/replace-mentor", data=data)
    assert response.status_code == 422 and "Безсогласия" in response.get_data(as_text=True)
    assert db.session.scalar(select(OrderEntry)) is None
