"""Every core counter against a hand-counted school: ages on the as-of date, pairs across the period's
ends, archived people, young specialists, scope by subtree."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from nastavnik.banks.models import MentorProfile
from nastavnik.extensions import db
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.participants.counters import years_ago
from nastavnik.participants.models import is_young_specialist
from nastavnik.plugins.manager import registry
from nastavnik.reports.scope import counter_scope
from tests.factories import make_org, make_person

AS_OF = date(2025, 9, 20)
START, END = date(2025, 9, 1), date(2026, 5, 31)


def count(code, *orgs, as_of=AS_OF, start=START, end=END) -> int:
    values = registry().counters[code].compute(counter_scope([o.id for o in orgs], as_of, start, end))
    return sum(values.values())


def pupil(org, born, **values):
    return make_person(org, kind="student", birth_date=born, **values)


def pair(org, status, starts, ended=None, mentors=(), mentees=(), kind="student_student", profile=None):
    p = Pair(org_id=org.id, kind_code=kind, status=status, academic_year=2025, starts_on=starts, ended_on=ended)
    db.session.add(p)
    for person in mentors:
        p.members.append(PairMember(person_id=person.id, role="mentor",
                                    mentor_profile_id=profile.id if profile else None))
    for person in mentees:
        p.members.append(PairMember(person_id=person.id, role="mentee"))
    db.session.flush()
    return p


@pytest.fixture
def school(world):
    """The hand-counted school (see each test for the tally)."""
    s = make_org(name="Школа счёта", parent=world.authority)
    people = dict(
        s10=pupil(s, date(2015, 9, 20)),  # 10 on the as-of date exactly
        s9=pupil(s, date(2015, 9, 21)),  # turns 10 the day after
        s18=pupil(s, date(2006, 9, 21)),  # still 18 (19 tomorrow)
        s19=pupil(s, date(2006, 9, 20)),  # 19 today
        s15=pupil(s, date(2010, 9, 20)),
        s14=pupil(s, date(2010, 9, 21)),
        left_before=pupil(s, date(2013, 1, 1), archived_at=datetime(2025, 9, 19, 12, tzinfo=UTC)),
        left_after=pupil(s, date(2013, 1, 1), archived_at=datetime(2025, 9, 21, 8, tzinfo=UTC)),
        no_birth=pupil(s, None),
        old=make_person(s, experience_years=20.0, experience_on=AS_OF, birth_date=date(1985, 1, 1)),
    )
    profile = MentorProfile(person_id=people["old"].id, org_id=s.id, origin="teacher")
    db.session.add(profile)
    db.session.flush()
    p = people
    pair(s, "active", date(2025, 5, 10), mentors=[p["s18"]], mentees=[p["s10"]])  # P1: from before the period
    pair(s, "finished", date(2024, 9, 1), date(2025, 8, 31), [p["old"]], [p["s14"]], profile=profile)  # ended the day before
    pair(s, "interrupted", date(2025, 10, 1), date(2025, 12, 1), [p["s15"]], [p["left_after"]])  # P3
    pair(s, "active", date(2026, 6, 1), mentors=[p["old"]], mentees=[p["s9"]], profile=profile)  # starts after the end
    pair(s, "finished", date(2025, 1, 10), date(2025, 9, 1), [p["old"]], [p["s10"], p["s19"]], profile=profile)  # P5
    pair(s, "forming", None, mentors=[p["old"]], mentees=[p["s14"]], profile=profile)  # no order: not a pair yet
    pair(s, "active", date(2025, 9, 5), mentors=[p["s18"]], mentees=[p["left_before"]])  # P7: mentee left
    return s


def test_ages_are_taken_on_the_as_of_date(school):
    assert count("pupils_total", school) == 8  # all but the one who left before the date
    assert count("pupils_10_18", school) == 5  # s10, s18, s15, s14, left_after
    assert count("pupils_15_18", school) == 2  # s18, s15
    # A day later s18 turns 19, s14 turns 15 and s9 turns 10.
    assert count("pupils_15_18", school, as_of=date(2025, 9, 21)) == 2  # s15, s14
    assert count("pupils_10_18", school, as_of=date(2025, 9, 21)) == 4  # s9 in; s18 out; left_after gone


def test_mentees_and_mentors_of_pairs_live_in_the_period(school):
    assert count("mentees_10_18", school) == 2  # s10 (twice, counted once), left_after
    assert count("mentors_15_18", school) == 2  # s18, s15
    assert count("mentees_total", school) == 3  # s10, left_after, s19
    assert count("mentors_total", school) == 3  # s18, s15, old
    assert count("mentees_age_10_14", school) == 2
    assert count("mentees_age_19_35", school) == 1
    assert count("mentors_age_15_18", school) == 2
    assert count("mentors_age_36_plus", school) == 1
    assert count("mentees_pupils", school) == 3
    assert count("mentors_origin_teacher", school) == 1  # old, through the bank record
    assert count("mentors_origin_unknown", school) == 2  # the pupils mentor without a bank record
    assert count("mentees_kind_student_student", school) == 3
    assert count("mentees_kind_teacher_teacher", school) == 0


def test_pairs_spanning_the_period_ends(school):
    assert count("pairs_live", school) == 4  # P1 (before start), P3, P5 (ended on the first day), P7
    assert count("pairs_started", school) == 2  # P3, P7
    assert count("pairs_completed", school) == 1  # P5; the one ended the day before is out
    assert count("pairs_interrupted", school) == 1  # P3
    assert count("pairs_active_on_date", school) == 2  # P1, P7 (P5 ended 01.09, P3 starts 01.10)
    assert count("pairs_kind_student_student", school) == 4
    # A period that ends the day before P3 starts and after P5 ended.
    assert count("pairs_live", school, start=date(2025, 9, 2), end=date(2025, 9, 30)) == 2


def test_an_archived_mentee_counts_only_while_on_roll(school):
    later = date(2025, 9, 22)  # left_after is gone by now
    assert count("mentees_10_18", school, as_of=later) == 1
    # left_before left on 19.09: on roll the day before, not on the day itself.
    assert count("mentees_total", school, as_of=date(2025, 9, 18)) == 4
    assert count("mentees_total", school, as_of=date(2025, 9, 19)) == 3


@pytest.fixture
def staff_school(world):
    s = make_org(name="Школа педагогов", parent=world.authority)
    t = dict(
        y1=make_person(s, experience_years=2.0, experience_on=AS_OF, birth_date=date(1998, 1, 1)),
        y2=make_person(s, experience_years=2.9, experience_on=date(2025, 1, 20), birth_date=date(1998, 1, 1)),
        y3=make_person(s, experience_years=1.0, experience_on=date(2024, 9, 20), birth_date=date(1999, 1, 1)),
        y4=make_person(s, experience_years=0.0, experience_on=AS_OF, birth_date=date(1989, 9, 20)),  # 36
        y5=make_person(s, experience_years=0.0, experience_on=AS_OF, birth_date=date(1990, 9, 20)),  # 35
        y6=make_person(s, experience_years=None),
        y7=make_person(s, experience_years=3.0, experience_on=AS_OF, birth_date=date(1995, 1, 1)),
        gone=make_person(s, experience_years=1.0, experience_on=AS_OF, archived_at=datetime(2025, 6, 1, tzinfo=UTC)),
        old=make_person(s, experience_years=20.0, experience_on=AS_OF),
    )
    pair(s, "active", date(2025, 9, 1), mentors=[t["old"]], mentees=[t["y1"], t["y2"]], kind="teacher_teacher")
    pair(s, "interrupted", date(2025, 11, 1), date(2026, 1, 10), [t["old"]], [t["y5"]], kind="teacher_teacher")
    pair(s, "active", date(2025, 9, 1), mentors=[t["old"]], mentees=[t["gone"]], kind="teacher_teacher")
    return s


def test_young_specialists_on_the_as_of_date(staff_school):
    assert count("staff_total", staff_school) == 8
    assert count("young_specialists", staff_school) == 4  # y1, y3 (1 + a year since), y5 (35), y7 (3.0)
    assert count("young_specialists_mentees", staff_school) == 2  # y1, y5
    assert count("mentees_young_specialists", staff_school) == 2
    assert count("mentees_other_staff", staff_school) == 1  # y2: 3.56 years by now
    assert count("mentees_kind_teacher_teacher", staff_school) == 3
    assert count("pairs_kind_teacher_teacher", staff_school) == 3  # a pair counts even if its mentee left


def test_the_sql_young_specialist_rule_agrees_with_the_python_one(app, world):
    rng = random.Random(7)
    s = make_org(name="Случайная школа", parent=world.authority)
    people = []
    for _ in range(200):
        recorded = date(2020, 1, 1).toordinal() + rng.randint(0, 2200)
        people.append(make_person(
            s, experience_years=rng.choice([None, 0.0, 0.5, 1.0, 2.0, 2.5, 2.9, 3.0, 4.0]),
            experience_on=rng.choice([None, date.fromordinal(recorded)]),
            birth_date=rng.choice([None, date(1985 + rng.randint(0, 15), rng.randint(1, 12), rng.randint(1, 28))]),
        ))
    config = app.config
    for day in (date(2024, 3, 1), AS_OF, date(2026, 1, 15)):
        expected = sum(
            is_young_specialist(p.experience_years, p.experience_on, p.birth_date, day,
                                config["YOUNG_SPECIALIST_MAX_YEARS"], config["YOUNG_SPECIALIST_MAX_AGE"])
            for p in people if p.experience_years is not None
        )
        assert count("young_specialists", s, as_of=day) == expected


def test_scope_is_the_subtree(school, world):
    other = pupil(world.school2, date(2013, 5, 5))
    pair(world.school2, "active", date(2025, 9, 1), mentors=[make_person(world.school2)], mentees=[other])
    assert count("mentees_10_18", school) == 2
    assert count("mentees_10_18", world.school2) == 1
    assert count("mentees_10_18", world.authority) == 3  # both schools under the МКУ УО
    assert count("mentees_10_18", world.municipality) == 3
    assert count("mentees_10_18", world.other_municipality) == 0


def test_years_ago_on_29_february():
    assert years_ago(date(2024, 2, 29), 10) == date(2014, 2, 28)
    assert years_ago(date(2025, 9, 20), 10) == date(2015, 9, 20)


def test_an_age_on_29_february(world):
    s = make_org(name="Високосная", parent=world.authority)
    pupil(s, date(2014, 2, 28))  # 10 on 29.02.2024
    pupil(s, date(2014, 3, 1))  # 9
    pupil(s, date(2012, 2, 29))  # 12
    assert count("pupils_10_18", s, as_of=date(2024, 2, 29)) == 2


def test_counters_of_one_table_share_one_statement(school):
    """The Р-145 counters of one scope: one pass over people, one over pair members, one over pairs."""
    from sqlalchemy import event

    scope = counter_scope([school.id], AS_OF, START, END)
    seen = []

    def listener(*args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        counters = registry().counters
        values = {code: sum(counters[code].compute(scope).values()) for code in (
            "pupils_10_18", "pupils_15_18", "young_specialists", "mentees_10_18", "mentors_15_18",
            "young_specialists_mentees", "mentees_total", "mentors_total", "pairs_live", "pairs_started")}
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(seen) == 3
    assert values["pupils_10_18"] == 5 and values["mentees_10_18"] == 2 and values["pairs_live"] == 4


def test_a_statement_made_once_per_scope_counts_each_scope_and_date(school, world):
    """The batches' statements are kept per subquery of organisations and run with each scope's dates: a
    school, another, the first again and the first on another date must each count their own."""
    from nastavnik.participants.counters import _STATEMENTS

    other = make_org(name="Другая школа", parent=world.authority)
    pupil(other, date(2012, 1, 1))
    expected = [("pupils_10_18", (school,), AS_OF, 5), ("pupils_10_18", (other,), AS_OF, 1),
                ("pupils_10_18", (school, other), AS_OF, 6), ("pupils_10_18", (school,), AS_OF, 5),
                ("pupils_10_18", (school,), date(2031, 9, 20), 2), ("mentees_10_18", (school,), AS_OF, 2),
                ("mentees_10_18", (other,), AS_OF, 0), ("pairs_live", (school,), AS_OF, 4),
                ("pairs_live", (school,), AS_OF, 0, date(2001, 9, 1), date(2002, 5, 31))]
    for code, orgs, as_of, number, *period in expected:
        start, end = period or (START, END)
        assert count(code, *orgs, as_of=as_of, start=start, end=end) == number, (code, orgs, as_of)
    assert any(key[0] == "people" for key in _STATEMENTS)  # the path under test is the cached one
