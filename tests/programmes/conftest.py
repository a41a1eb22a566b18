"""Pairs built directly with the models (the pairs UI is a separate capability)."""

from __future__ import annotations

from datetime import date

import pytest

from nastavnik.extensions import db
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.participants.models import Person
from nastavnik.periods import AcademicYear
from nastavnik.programmes.models import PlanItem, Programme
from nastavnik.timeutil import today
from tests.factories import make_person, make_user

STARTS = date(2025, 9, 1)


def make_pair(
    org, mentor: Person, mentee: Person, kind="teacher_teacher", status="active", starts_on=STARTS, **values
) -> Pair:
    pair = Pair(
        org_id=org.id,
        kind_code=kind,
        status=status,
        academic_year=AcademicYear.of(today()).start_year,
        starts_on=starts_on,
        **values,
    )
    pair.members = [
        PairMember(person_id=mentor.id, role="mentor"),
        PairMember(person_id=mentee.id, role="mentee"),
    ]
    db.session.add(pair)
    db.session.flush()
    return pair


def make_programme(pair: Pair, **values) -> Programme:
    values.setdefault("goal", "Адаптация молодого специалиста")
    programme = Programme(pair_id=pair.id, duration_months=9, **values)
    programme.items = [
        PlanItem(position=0, due_on=STARTS, content="Встреча-знакомство", responsible="наставник"),
        PlanItem(
            position=1, due_on=date(2025, 10, 1), content="Посещение уроков", responsible="наставляемый"
        ),
    ]
    db.session.add(programme)
    db.session.flush()
    return programme


@pytest.fixture
def mentor_person(world):
    return db.session.get(Person, world.users["mentor"].person_id)


@pytest.fixture
def pair(world, mentor_person):
    """The world's mentor (Наставникова) with the world's mentee teacher (Петрова) in СОШ № 3."""
    pair = make_pair(world.school, mentor_person, world.teacher)
    db.session.commit()
    return pair


@pytest.fixture
def programme(pair):
    programme = make_programme(pair)
    db.session.commit()
    return programme


@pytest.fixture
def other_mentor(world):
    """A mentor of the same school with a pair of their own."""
    person = make_person(world.school, last_name="Другая", first_name="Вера")
    user = make_user("mentor2", "mentor", world.school, person=person)
    mentee = make_person(world.school, last_name="Молодой", first_name="Иван")
    own_pair = make_pair(world.school, person, mentee)
    db.session.commit()
    return user, own_pair
