"""A world of n schools built like the demo, and a statement counter: for the tests that show a
page sends as many statements for 2 schools as for 4 (tests/test_dashboard_statements.py,
tests/test_list_statements.py)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import event

from nastavnik.extensions import db
from tests.factories import make_user


def world(schools: int) -> dict:
    """Region → municipality → МКУ УО → ``schools`` schools, each with people, banks and pairs."""
    from nastavnik.banks.models import MenteeProfile
    from nastavnik.demo import DemoWorld, _banks, _pair, _plugins_demo, _students, _teachers
    from nastavnik.orgs.models import Organisation
    from nastavnik.pairs.services import create_pair, issue_order
    from nastavnik.periods import AcademicYear
    from nastavnik.roadmaps.services import create_roadmap, templates
    from nastavnik.timeutil import today

    rng, day = random.Random(5), today()
    region = Organisation(kind="region", name="Край")
    municipality = Organisation(kind="municipality", name="Район", parent=region)
    authority = Organisation(kind="authority", name="МКУ УО", short_name="МКУ УО", parent=municipality)
    partner = Organisation(kind="partner", name="Партнёр", parent=municipality)
    orgs = [Organisation(kind="school", name=f"СОШ № {n + 1}", short_name=f"СОШ № {n + 1}", parent=authority)
            for n in range(schools)]
    db.session.add_all([region, municipality, authority, partner, *orgs])
    teachers = {s.short_name: _teachers(rng, s, 12, day) for s in orgs}
    students = {s.short_name: _students(rng, s, 10, day) for s in orgs}
    db.session.flush()
    banks = _banks(rng, teachers, day)
    year = AcademicYear.of(day).start_year
    for school in orgs:
        mentor, mentee = banks[school.short_name]
        _pair(school, mentor, mentee, day)  # ordered, with a programme and a meeting
        waiting = db.session.scalars(
            db.select(MenteeProfile).where(MenteeProfile.org_id == school.id, MenteeProfile.status == "in_bank")
        ).first()
        stalled = create_pair(org_id=school.id, kind_code="teacher_teacher", variation_code="",
                              mentors=[mentor], mentees=[waiting], academic_year=year)
        issue_order(school.id, f"{school.id}-од", day - timedelta(days=90), [stalled], day)  # no meeting since
    create_roadmap(templates()["kezhma_municipal_2022"], authority, year)  # shares for every school
    db.session.commit()
    users = {
        "curator": make_user("curator", "curator", orgs[0]),
        "municipal": make_user("municipal", "municipal", authority),
        "region": make_user("region", "municipal", region),
        "admin": make_user("admin", "admin", region),
        "mentor": make_user("mentor", "mentor", orgs[0], person=banks[orgs[0].short_name][0].person),
    }
    db.session.commit()
    demo = DemoWorld(rng=rng, day=day, region=region, municipality=municipality, authority=authority,
                     schools=orgs, partner=partner, teachers={s.id: teachers[s.short_name] for s in orgs},
                     students={s.id: students[s.short_name] for s in orgs}, users=dict(users))
    _plugins_demo(demo)
    return users



def counting(function) -> int:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        function()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)
