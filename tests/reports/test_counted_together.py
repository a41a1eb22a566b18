"""Twin test: counters counted together (one statement for the people, members and pairs batches, only the
counters asked for) give, cell by cell, what each counter gives on its own.

The data has the edge cases: ages on both sides of each bound, archived before, on and after the date,
anonymised people, pairs in every status starting and ending on the period's bounds, a person in two
pairs and in both roles, a partner's employee mentoring at a school, mentors from the bank, a college,
several schools of a municipality and a school of another one.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from nastavnik.banks.models import MENTOR_ORIGINS, MentorProfile
from nastavnik.extensions import db
from nastavnik.pairs.models import PAIR_STATUSES, Pair, PairMember
from nastavnik.participants.counters import count_together, years_ago
from nastavnik.plugins.manager import registry
from nastavnik.reports import engine
from nastavnik.reports.scope import counter_scope
from tests.factories import make_org, make_person

START, END = date(2025, 9, 1), date(2026, 5, 31)
DATES = [  # (as of, period start, period end): the period's bounds and a day either side of them
    (date(2025, 9, 20), START, END),
    (START, START, END),
    (END, START, END),
    (START - timedelta(days=1), START, END),
    (END + timedelta(days=1), START, END),
]


def grouped_codes() -> list[str]:
    return sorted(code for code, counter in registry().counters.items()
                  if hasattr(counter.compute, "count_together"))


def moment(day: date, hours: int = 12) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hours)


def people_at(org, as_of: date, rng: random.Random) -> list:
    """Pupils, students and staff on both sides of every bound, some archived or anonymised."""
    people = []
    for years in (9, 10, 14, 15, 18, 19, 20, 36):
        for shift in (-1, 0, 1):
            born = years_ago(as_of, years) + timedelta(days=shift)
            people.append(make_person(org, kind="student", birth_date=born))
    people.append(make_person(org, kind="student", birth_date=None))
    for experience in (0.0, 2.9, 2.96, 3.0, 3.1, None):
        for born in (years_ago(as_of, 35), years_ago(as_of, 36) + timedelta(days=1), years_ago(as_of, 36), None):
            people.append(make_person(org, kind="staff", experience_years=experience, birth_date=born,
                                      experience_on=rng.choice([None, START, as_of, END])))
    people.append(make_person(org, kind="graduate", birth_date=date(2004, 1, 1)))
    people.append(make_person(org, kind="partner_employee", birth_date=date(1990, 1, 1)))
    for person in rng.sample(people, len(people) // 4):  # left before, on, after the date; anonymised
        choice = rng.randrange(4)
        if choice == 3:
            person.anonymised_at = moment(START)
        else:
            person.archived_at = moment(as_of + timedelta(days=choice - 1), hours=rng.choice([0, 12, 23]))
    return people


def pairs_at(org, people, rng: random.Random, profiles: list) -> None:
    """Pairs in every status, starting and ending on, before and after the period's bounds."""
    days = [None, START - timedelta(days=1), START, START + timedelta(days=1), date(2025, 12, 1),
            END - timedelta(days=1), END, END + timedelta(days=1)]
    for status in PAIR_STATUSES:
        for _ in range(6):
            starts = rng.choice(days[1:]) if status != "forming" else rng.choice(days)
            ended = rng.choice(days) if status in ("finished", "interrupted") else None
            pair = Pair(org_id=org.id, kind_code=rng.choice(["student_student", "teacher_teacher"]), status=status,
                        academic_year=2025, starts_on=starts, ended_on=ended)
            mentor, *mentees = rng.sample(people, rng.randint(2, 4))
            profile = rng.choice([None, *profiles])
            pair.members = [PairMember(person_id=mentor.id, role="mentor",
                                       mentor_profile_id=profile.id if profile else None)]
            pair.members += [PairMember(person_id=m.id, role="mentee") for m in mentees]
            db.session.add(pair)


@pytest.fixture
def region(world):
    """Two schools and a college of the municipality, a school of another, each with its people and pairs."""
    rng = random.Random(12)
    college = make_org(kind="college", name="Техникум", parent=world.authority)
    orgs = [world.school, world.school2, college, world.other_school]
    outsider = make_person(make_org(kind="partner", name="Завод", parent=world.region), kind="partner_employee")
    for org in orgs:
        people = people_at(org, DATES[0][0], rng)
        profiles = []
        for origin, person in zip(MENTOR_ORIGINS, rng.sample(people, len(MENTOR_ORIGINS)), strict=False):
            profile = MentorProfile(person_id=person.id, org_id=org.id, origin=origin)
            db.session.add(profile)
            profiles.append(profile)
        db.session.flush()
        pairs_at(org, [*people, outsider], rng, profiles)
    db.session.commit()
    return world


def alone(code: str, root_ids, day, start, end) -> dict[int, int]:
    """The counter on its own: a fresh scope, its batch's statement."""
    values = registry().counters[code].compute(counter_scope(root_ids, day, start, end))
    return {int(k): int(v) for k, v in values.items()}


def together(codes, root_ids, day, start, end) -> dict[str, dict[int, int]]:
    scope = counter_scope(root_ids, day, start, end)
    counters = registry().counters
    count_together(scope, [counters[code].compute for code in codes])
    assert set(vars(scope)["_counted_together"]) == set(codes)  # the path under test was taken
    return {code: {int(k): int(v) for k, v in counters[code].compute(scope).items()} for code in codes}


def test_every_counter_counted_together_equals_the_counter_alone(region):
    codes = grouped_codes()
    assert {"pupils_10_18", "young_specialists", "mentees_10_18", "mentors_origin_teacher", "pairs_live"} <= set(codes)
    rng = random.Random(3)
    scopes = [[region.school.id], [region.authority.id], [region.region.id], [region.school2.id, region.other_school.id]]
    for root_ids in scopes:
        for day, start, end in DATES:
            expected = {code: alone(code, root_ids, day, start, end) for code in codes}
            assert any(expected[code] for code in codes)
            subsets = [codes, rng.sample(codes, 7), rng.sample(codes, 3), [rng.choice(codes)]]
            for subset in subsets:
                got = together(subset, root_ids, day, start, end)
                for code in subset:
                    assert got[code] == expected[code], (code, root_ids, day)


def test_the_report_counts_them_in_one_statement(region):
    """run_counters: the people, members and pairs counters of the Р-145 indicators in one statement, with
    the same figures as each counter alone."""
    codes = ["pupils_10_18", "pupils_15_18", "spo_students_15_19", "young_specialists", "mentees_10_18",
             "mentors_15_18", "spo_mentees_15_19", "young_specialists_mentees", "mentees_total", "mentors_total",
             "pairs_live"]
    day, start, end = DATES[0]
    expected = {code: alone(code, [region.authority.id], day, start, end) for code in codes}
    seen = []

    def listener(*args):
        seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        counts = engine.run_counters(codes, counter_scope([region.authority.id], day, start, end))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(seen) == 1 and "UNION ALL" in seen[0]
    assert counts.values == expected and not counts.problems


def test_when_counting_together_fails_each_counter_runs_alone(region, monkeypatch, caplog):
    from nastavnik.participants import counters as participants

    def broken(scope, counters):
        raise RuntimeError("сломано")

    codes = ["pupils_10_18", "mentees_10_18", "pairs_live"]
    day, start, end = DATES[0]
    expected = {code: alone(code, [region.authority.id], day, start, end) for code in codes}
    monkeypatch.setattr(participants, "count_together", broken)
    counts = engine.run_counters(codes, counter_scope([region.authority.id], day, start, end))
    assert counts.values == expected and not counts.problems
    assert "не посчитаны вместе" in caplog.text
