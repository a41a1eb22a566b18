"""Issue 12: a programme full of personal data goes to the shared bank with none of it — every field
of the shared record, the bank's pages and the copy another school takes as a sample."""

from __future__ import annotations

import dataclasses
from datetime import date

from nastavnik.extensions import db
from nastavnik.participants.models import Guardianship, Person
from nastavnik.programmes.models import PlanItem
from nastavnik.programmes.sharing import depersonalise, shared_practice
from tests.factories import make_person, make_user
from tests.programmes.conftest import make_pair, make_programme

# Everything below is personal data of the pair's people (or of others at the school) and must not leak.
SECRETS = [
    "Петрова", "Петровой", "Анна", "Анной", "Викторовна", "Викторовной", "Наставникова", "Наставниковой",
    "Ольга", "Ольгой", "Ивановна", "Сидорова", "Мария", "Марией", "Кузнецова", "Светлана", "Михайловна",
    "+7 (912) 345-67-89", "912", "8-922-111-22-33", "45-67-89", "anna.petrova@school3.ru", "@", "14.03.1998",
    "14 марта 1998", "7Б", "7 «Б»", "123-456-789 01", "А. В.", "О.И.",
]


def _programme_full_of_personal_data(world):
    mentor = make_person(world.school, last_name="Наставникова", first_name="Ольга", middle_name="Ивановна",
                         phone="+7 (912) 345-67-89", email="olga@school3.ru")
    mentee = make_person(world.school, kind="student", last_name="Петрова", first_name="Анна",
                         middle_name="Викторовна", birth_date=date(2011, 3, 14), class_name="7Б",
                         phone="8-922-111-22-33", email="anna.petrova@school3.ru")
    mother = Person(kind="parent", org=world.school, last_name="Сидорова", first_name="Мария", middle_name="")
    db.session.add(Guardianship(student=mentee, guardian=mother, relation="мать"))
    make_person(world.school, last_name="Кузнецова", first_name="Светлана", middle_name="Михайловна")  # the director
    pair = make_pair(world.school, mentor, mentee, kind="student_student")
    text = (
        "Наставник Наставникова Ольга Ивановна (тел. +7 (912) 345-67-89) помогает Петровой Анне Викторовне, "
        "ученице 7 «Б» (7Б), родилась 14.03.1998 (14 марта 1998 г.), эл. почта anna.petrova@school3.ru, "
        "СНИЛС 123-456-789 01, дом. тел. 45-67-89. Мать — Сидорова Мария, звонить Марией по 8-922-111-22-33. "
        "Согласовано с Кузнецовой С. М. и О.И. Наставниковой; отчёт Петрова А. В. сдаёт Светлане Михайловне."
    )
    programme = make_programme(pair, goal="Адаптация. " + text, tasks=text, planned_results=text,
                               actual_results=text, difficulties=text, strengths=text, reflection=text,
                               status="completed", effective_practice=True, completed_on=date(2026, 5, 20))
    programme.items.append(PlanItem(position=2, due_on=date(2025, 11, 1), content=text, responsible="Наставникова О.И.",
                                    result=text))
    db.session.commit()
    return programme


def _assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked in {where}: {text[:300]}"


def test_every_field_of_the_shared_record_is_free_of_personal_data(world):
    programme = _programme_full_of_personal_data(world)
    shared = shared_practice(programme)
    for field in dataclasses.fields(shared):
        value = getattr(shared, field.name)
        _assert_clean(repr(value), f"SharedPractice.{field.name}")
    assert shared.goal.startswith("Адаптация.")  # the programme itself survives
    assert "[участник]" in shared.tasks and "[телефон]" in shared.tasks or "[номер]" in shared.tasks
    assert len(shared.plan) == 3


def test_the_bank_pages_and_the_copied_sample_are_free_of_personal_data(world, as_user, client):
    programme = _programme_full_of_personal_data(world)
    make_user("curator2", "curator", world.school2)  # another school of the municipality
    target = make_pair(world.school2, make_person(world.school2, last_name="Опытная"),
                       make_person(world.school2, kind="student", last_name="Новенькая"), kind="student_student")
    db.session.commit()
    neighbour = as_user("curator2")
    listing = neighbour.get("/programmes/practices")
    assert listing.status_code == 200
    _assert_clean(listing.get_data(as_text=True), "the bank's list")
    page = neighbour.get(f"/programmes/practices/{programme.id}")
    assert page.status_code == 200
    _assert_clean(page.get_data(as_text=True).replace(f"practices/{programme.id}", ""), "the practice page")
    chosen = neighbour.post(f"/programmes/practices/{programme.id}/use", data={"pair_id": target.id})
    assert chosen.status_code == 303
    form = neighbour.get(chosen.headers["Location"]).get_data(as_text=True)
    assert "Адаптация." in form
    _assert_clean(form.split("<main", 1)[1].replace("Опытная", "").replace("Новенькая", ""), "the copied sample")


def test_ordinary_words_and_years_survive(world):
    make_person(world.school, last_name="Вера", first_name="Вера")
    # a capitalised word that starts like a name is removed (privacy first); the same word mid-sentence stays
    text = "Важно верить в ученика; 2025/2026 учебный год, 5 встреч, 10 часов, этап 2-3, урок 45 минут."
    assert depersonalise(text, world.school.id) == text
