"""Report fixtures: a world with pupils and pairs in two schools, and a municipal collection."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nastavnik.extensions import db
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.reports.indicators import ensure_indicators
from nastavnik.reports.models import ReportCollection
from nastavnik.timeutil import today
from tests.factories import make_person

AS_OF = date(2025, 9, 20)


def add_pair(org, mentor, mentee, starts, status="active", ended=None, kind="student_student"):
    pair = Pair(org_id=org.id, kind_code=kind, status=status, academic_year=starts.year, starts_on=starts,
                ended_on=ended)
    pair.members = [PairMember(person_id=mentor.id, role="mentor"), PairMember(person_id=mentee.id, role="mentee")]
    db.session.add(pair)
    return pair


@pytest.fixture
def pupils(world):
    """School: 4 pupils 10–18 (2 mentees, 1 mentor 15–18 of 2 pupils 15–18); school2: 2 pupils, 1 mentee."""
    s1, s2 = world.school, world.school2
    older = make_person(s1, kind="student", birth_date=date(2009, 1, 1))  # 16
    older2 = make_person(s1, kind="student", birth_date=date(2008, 5, 5))  # 17
    young = [make_person(s1, kind="student", birth_date=date(2013, 3, 3)) for _ in range(2)]
    world.student.birth_date = date(2000, 1, 1)  # the world's pupil is out of the age range
    add_pair(s1, older, young[0], date(2025, 9, 1))
    add_pair(s1, older, young[1], date(2025, 10, 1))
    other = make_person(s2, kind="student", birth_date=date(2012, 1, 1))
    make_person(s2, kind="student", birth_date=date(2012, 2, 2))
    add_pair(s2, make_person(s2), other, date(2025, 9, 10), kind="teacher_teacher")
    ensure_indicators()
    db.session.commit()
    return {"older": older, "older2": older2, "young": young, "other": other}


@pytest.fixture
def collection(world, pupils):
    c = ReportCollection(org_id=world.authority.id, format_code="r145", title="Показатели на 20.09.2025",
                         as_of=AS_OF, period_start=date(2025, 9, 1), period_end=date(2026, 8, 31),
                         opens_on=today() - timedelta(days=5), closes_on=today() + timedelta(days=10))
    db.session.add(c)
    db.session.commit()
    return c
