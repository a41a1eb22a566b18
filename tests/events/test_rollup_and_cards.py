"""A municipality's events counted per school, and the dashboard cards: right numbers, and a constant
number of SQL statements whatever the number of schools and events."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event as sa_event

from nastavnik.banks.models import MentorProfile
from nastavnik.events.services import event_rollup, municipal_rollup
from nastavnik.extensions import db
from nastavnik.periods import AcademicYear
from nastavnik.timeutil import today
from tests.events.conftest import add_people, make_event, make_teachers
from tests.factories import make_org, make_person


@contextmanager
def counted():
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)


def _schools(world, count: int):
    """``count`` schools under the municipality, each with two teachers at a municipal seminar."""
    schools = [make_org(name=f"СОШ № {100 + n}", parent=world.authority) for n in range(count)]
    seminar = make_event(world.authority, kind="seminar", days=-3, invited=schools)
    training = make_event(world.authority, kind="training", days=-2, invited=schools)
    for school in schools:
        people = make_teachers(school, 2, prefix=f"Ш{school.id}")
        add_people(seminar, people[:1], attendance="present")
        add_people(seminar, people[1:], attendance="absent")
        add_people(training, people[:1], attendance="present")
        db.session.add(MentorProfile(person_id=people[0].id, org_id=school.id, kind_codes="teacher_teacher"))
    db.session.commit()
    return schools, seminar


def test_attendance_per_school_of_a_municipal_seminar(world):
    seminar = make_event(world.authority, kind="seminar", days=-1, invited=[world.school, world.school2])
    add_people(seminar, make_teachers(world.school, 3, prefix="Первая"), attendance="present")
    add_people(seminar, make_teachers(world.school2, 2, prefix="Вторая"), attendance="present")
    add_people(seminar, make_teachers(world.school2, 1, prefix="Третья"), attendance="absent")
    db.session.commit()
    rows = {row.org.id: row for row in event_rollup(seminar)}
    assert (rows[world.school.id].listed, rows[world.school.id].present) == (3, 3)
    assert (rows[world.school2.id].listed, rows[world.school2.id].present, rows[world.school2.id].absent) == (3, 2, 1)
    assert all(row.invited for row in rows.values())


def test_the_event_rollup_takes_the_same_statements_for_2_and_8_schools(world):
    _, small = _schools(world, 2)
    _, large = _schools(world, 8)
    db.session.expire_all()
    small = db.session.get(type(small), small.id)
    large = db.session.get(type(large), large.id)
    assert small.invited_orgs and large.invited_orgs  # loaded beforehand: the rollup's own statements are counted
    with counted() as few:
        rows_small = event_rollup(small)
    with counted() as many:
        rows_large = event_rollup(large)
    assert len(rows_small) == 2 and len(rows_large) == 8
    assert len(few) == len(many) == 2


def test_the_municipal_rollup_counts_per_school_in_constant_statements(world):
    schools, _ = _schools(world, 3)
    more, _ = _schools(world, 9)
    year = AcademicYear.of(today())
    few_ids, many_ids = {s.id for s in schools}, {s.id for s in schools + more}
    with counted() as statements:
        rows = {row.org.id: row for row in municipal_rollup(few_ids, year.starts, year.ends)}
    with counted() as statements_more:
        municipal_rollup(many_ids, year.starts, year.ends)
    # the schools, one statement per counter (three of attendance; the kinds with certificates and
    # the trained mentors)
    assert len(statements) == len(statements_more) == 6
    row = rows[schools[0].id]
    assert (row.events, row.present, row.people, row.trained_mentors) == (2, 2, 1, 1)


def test_reports_see_the_same_attendance_per_school_through_the_counters(world):
    """The roll-up and the reports count with the same ``nastavnik_counters``: the municipality's
    subtree as the reports build it gives each school the roll-up's figures (none for the authority,
    whose own people did not attend)."""
    from nastavnik.reports.engine import run_counters
    from nastavnik.reports.scope import counter_scope

    schools, _ = _schools(world, 2)
    year = AcademicYear.of(today())
    rows = {row.org.id: row for row in municipal_rollup({s.id for s in schools}, year.starts, year.ends)}
    codes = ["events_attended", "event_attendances", "event_people_present", "mentors_trained"]
    counts = run_counters(codes, counter_scope([world.authority.id], today(), year.starts, year.ends))
    assert not counts.problems
    for school in schools:
        row = rows[school.id]
        assert [counts.get(code, school.id) for code in codes] == [
            row.events, row.present, row.people, row.trained_mentors] == [2, 2, 1, 1]
    assert counts.get("event_attendances", world.authority.id) == 0


def test_rollup_page_for_the_coordinator(world, as_user):
    _schools(world, 2)
    page = as_user("municipal").get("/events/rollup").get_data(as_text=True)
    assert "СОШ № 100" in page and "СОШ № 101" in page and "Наставников обучено" in page


def _cards(client) -> str:
    return client.get("/").get_data(as_text=True)


def test_dashboard_cards_show_upcoming_events_and_my_invitations(world, as_user):
    upcoming = make_event(world.school, kind="seminar", days=4, title="Семинар наставников")
    make_event(world.school, days=60, title="Далёкое")
    add_people(upcoming, [world.teacher], status="invited")  # the mentee user's person
    db.session.commit()
    curator_home = _cards(as_user("curator"))
    assert "Семинар наставников" in curator_home and "Далёкое" not in curator_home
    assert "<b>1</b> мероприятие в ближайшие 30 дней" in curator_home
    mentee_home = _cards(as_user("mentee"))
    assert "Мои приглашения: 1" in mentee_home and "Семинар наставников" in mentee_home


def test_dashboard_cards_take_constant_statements(app, world):
    from nastavnik.events import nastavnik_tpl_dashboard_cards

    curator = world.users["curator"]
    for n in range(2):
        make_event(world.school, days=n + 1)
    db.session.commit()
    with app.test_request_context():
        nastavnik_tpl_dashboard_cards(curator)  # the user's roles and the organisation tree, read once
        with counted() as few:
            nastavnik_tpl_dashboard_cards(curator)
    for n in range(12):
        event = make_event(world.school, days=n + 1)
        add_people(event, [make_person(world.school)])
    db.session.commit()
    with app.test_request_context():
        nastavnik_tpl_dashboard_cards(curator)
        with counted() as many:
            nastavnik_tpl_dashboard_cards(curator)
    assert len(few) == len(many) == 1  # the first five, the count of the next 30 days riding along


def test_the_card_names_the_next_five_and_counts_every_event_of_the_month(world):
    from nastavnik.events.services import upcoming_for

    soon = [make_event(world.school, days=days, title=f"Событие {days}") for days in (9, 2, 7, 1, 20, 3, 29)]
    make_event(world.school, days=5, status="cancelled")
    make_event(world.school, days=45)  # after the 30 days
    make_event(world.other_school, days=4)  # another municipality's school
    db.session.commit()
    events, total = upcoming_for(world.users["curator"], today())
    assert total == len(soon) == 7
    assert [e.id for e in events] == [e.id for e in sorted(soon, key=lambda e: e.starts_at)[:5]]
    assert upcoming_for(world.users["curator"], today() + timedelta(days=200)) == ([], 0)
