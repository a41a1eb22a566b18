"""Registers for the school site list only people with a valid consent to publication (ст. 10.1 152-ФЗ)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from docx import Document
from openpyxl import load_workbook

from nastavnik.banks.models import MentorProfile
from nastavnik.extensions import db
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.programmes.models import Programme
from tests.factories import make_consent, make_person


def _mentor(world, last_name, *consents):
    person = make_person(world.school, last_name=last_name, first_name="Анна", position="учитель математики")
    for kind, values in consents:
        make_consent(person, kind, **values)
    db.session.add(MentorProfile(person_id=person.id, org_id=world.school.id, achievements="«Педагог года»"))
    return person


def test_only_mentors_who_consented_to_publication_are_listed(as_user, world):
    yesterday = date.today() - timedelta(days=1)
    _mentor(world, "Согласная", ("pd_distribution", {}))
    _mentor(world, "Безсогласия", ("pd_processing", {}))  # processing only: not publication
    _mentor(world, "Отозвавшая", ("pd_distribution", {"withdrawn_on": yesterday}))
    _mentor(world, "Истёкшая", ("pd_distribution", {"valid_until": yesterday}))
    db.session.commit()
    client = as_user("curator")
    for ext in ("xlsx", "docx", "html"):
        response = client.get(f"/reports/registers/mentors.{ext}?org_id={world.school.id}")
        assert response.status_code == 200
        if ext == "xlsx":
            text = " ".join(str(c.value) for row in load_workbook(io.BytesIO(response.data)).active.iter_rows()
                            for c in row if c.value)
        elif ext == "docx":
            document = Document(io.BytesIO(response.data))
            text = " ".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
        else:
            text = response.data.decode()
            assert "/reports" not in text and "csrf" not in text  # nothing of the app on a page to publish
        assert "Согласная Анна" in text
        for name in ("Безсогласия", "Отозвавшая", "Истёкшая"):
            assert name not in text, (ext, name)
    assert as_user("curator_other").get(f"/reports/registers/mentors.xlsx?org_id={world.school.id}").status_code == 404


def test_a_practice_names_its_mentor_only_with_consent_and_never_the_mentee(as_user, world):
    mentor = _mentor(world, "Наставница")
    mentee = make_person(world.school, last_name="Подопечная", first_name="Вера")
    pair = Pair(org_id=world.school.id, kind_code="teacher_teacher", status="finished", academic_year=2025,
                starts_on=date(2025, 9, 1), ended_on=date(2026, 5, 1))
    pair.members = [PairMember(person_id=mentor.id, role="mentor"), PairMember(person_id=mentee.id, role="mentee")]
    db.session.add(Programme(pair=pair, goal="Помочь Подопечной освоить планирование", status="completed",
                             completed_on=date(2026, 5, 1), effective_practice=True, actual_results="Открытый урок"))
    db.session.commit()
    page = as_user("curator").get(f"/reports/registers?org_id={world.school.id}").data.decode()
    assert "Открытый урок" in page and "Подопечн" not in page and "Наставница" not in page
    make_consent(mentor, "pd_distribution")
    db.session.commit()
    page = as_user("curator").get(f"/reports/registers/practices.html?org_id={world.school.id}").data.decode()
    assert "Наставница Анна" in page and "Подопечн" not in page
