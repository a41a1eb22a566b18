"""Twins: the list pages that read plain rows (pairs, programmes) show the very pairs, names, orders,
programmes and access that the records' definitions give — for every role, filter and page.

The rows are read by hand-made statements for speed (bench/bench_lists.py); the definitions are the
ORM queries and properties every other page uses (``list_pairs_query``, ``visible_pairs_query``,
``Person.full_name``, ``pair_title``, ``pair_access``). A wrong access filter, a lost tie-break in the
order, a member in the wrong column or a wrong total would make them differ.
"""

from __future__ import annotations

import math
from dataclasses import astuple
from datetime import UTC, date, datetime

import pytest
from flask import url_for

from nastavnik.extensions import db
from nastavnik.pairs.models import Order, Pair, PairMember
from nastavnik.pairs.services import NEWEST_FIRST, PairFilters, list_pairs_query, pairs_page
from nastavnik.programmes import services as programmes
from nastavnik.programmes.models import Programme
from nastavnik.web.urls import id_url
from tests.factories import make_person, make_user

SIZES = (2, 3, 100)
FILTERS = (PairFilters(), PairFilters(status="active"), PairFilters(kind="teacher_student"), PairFilters(status="finished", kind="teacher_teacher"))


@pytest.fixture
def pairs(world):
    """Pairs in both schools of the municipality and in another one; the mentor and the mentee users
    are members of some of them, in their school and outside it."""
    school, school2, other = world.school, world.school2, world.other_school
    mentor = world.users["mentor"].person
    mentee = world.users["mentee"].person
    people = [make_person(org, last_name=f"Фамилия{n}", middle_name="" if n % 3 else "Отчество")
              for n, org in enumerate([school] * 6 + [school2] * 3 + [other] * 3)]
    people[1].anonymised_at = datetime(2025, 1, 1, tzinfo=UTC)
    people[1].last_name = "Обезличено"
    same_moment = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)  # equal times: the id breaks the tie
    spec = [  # org, status, kind, year, created_at, mentors, mentees, order number
        (school, "active", "teacher_teacher", 2025, same_moment, [mentor], [people[0]], "12-од"),
        (school, "forming", "teacher_student", 2025, same_moment, [people[2]], [people[3], people[4]], None),
        (school, "finished", "teacher_teacher", 2024, datetime(2024, 9, 1, tzinfo=UTC), [people[5]],
         [mentee], "7-од"),
        (school, "active", "teacher_student", 2025, datetime(2025, 10, 1, tzinfo=UTC), [people[1]],
         [people[3]], "13-од"),
        (school, "interrupted", "teacher_teacher", 2025, datetime(2025, 11, 1, tzinfo=UTC), [], [people[4]],
         None),
        (school2, "active", "teacher_teacher", 2025, datetime(2025, 9, 2, tzinfo=UTC), [mentor],
         [people[6]], "1-од"),
        (school2, "forming", "teacher_student", 2024, datetime(2025, 9, 3, tzinfo=UTC), [people[7]],
         [people[8]], None),
        (other, "active", "teacher_teacher", 2025, datetime(2025, 9, 4, tzinfo=UTC), [people[9]],
         [mentee], "5-од"),
        (other, "finished", "teacher_student", 2023, datetime(2023, 9, 4, tzinfo=UTC), [people[10]],
         [people[11]], "2-од"),
    ]
    made = []
    for org, status, kind, year, created_at, mentors, mentees, number in spec:
        order = Order(org_id=org.id, number=number, issued_on=date(2025, 9, 15)) if number else None
        pair = Pair(org_id=org.id, status=status, kind_code=kind, academic_year=year, created_at=created_at,
                    is_group=len(mentees) > 1, order=order)
        pair.members = [PairMember(person_id=p.id, role="mentor") for p in mentors] + [
            PairMember(person_id=p.id, role="mentee") for p in mentees]
        db.session.add(pair)
        made.append(pair)
    db.session.flush()
    db.session.add_all([Programme(pair_id=made[0].id), Programme(pair_id=made[2].id, status="completed"),
                        Programme(pair_id=made[5].id), Programme(pair_id=made[7].id)])
    # A curator of the second school who mentors a pair of the first: the scope and the membership.
    world.users["curator_mentor"] = make_user("curator_mentor", "curator", school2, person=mentor)
    db.session.commit()
    return made


def _pages(expected: list, page_of) -> None:
    """Every page of every size (and one past the end) holds the slice of ``expected`` it should."""
    for size in SIZES:
        last = max(math.ceil(len(expected) / size), 1)
        for number in range(1, last + 2):
            page = page_of(number, size)
            shown = min(number, last)
            assert (page.total, page.number) == (len(expected), shown), (size, number)
            assert [astuple(row) for row in page.items] == expected[(shown - 1) * size:shown * size], (size, number)


def _names(members) -> str:
    return ", ".join(m.person.full_name for m in members)


@pytest.mark.parametrize("username", ["admin", "municipal", "director", "curator", "observer", "mentor", "mentee",
                                      "curator_other", "curator_mentor"])
def test_the_pairs_list_shows_the_records_of_its_definition(app, world, pairs, username):
    user = world.users[username]
    for filters in FILTERS:
        with app.test_request_context():
            records = db.session.scalars(list_pairs_query(user, filters).order_by(*NEWEST_FIRST)).all()
            expected = [(p.id, p.kind_code, p.is_group, p.status, p.order.number if p.order else None,
                         p.order.issued_on if p.order else None, _names(p.mentors), _names(p.mentees)) for p in records]
            _pages(expected, lambda number, size, f=filters: pairs_page(user, f, number, size))


@pytest.mark.parametrize("username", ["admin", "municipal", "director", "curator", "observer", "mentor", "mentee",
                                      "curator_other", "curator_mentor"])
def test_the_programmes_list_shows_the_records_of_its_definition(app, world, pairs, username):
    user = world.users[username]
    with app.test_request_context():
        records = db.session.scalars(programmes.visible_pairs_query(user).order_by(*programmes.NEWEST_FIRST)).all()
        expected = []
        for p in records:
            programme = programmes.programme_of(p)
            expected.append((p.id, p.kind_code, p.academic_year, p.status, programmes.pair_title(p),
                             programme.id if programme else None, programme.status if programme else None,
                             programmes.pair_access(user, p)))
        _pages(expected, lambda number, size: programmes.programmes_page(user, number, size))


def test_a_member_sees_only_their_own_pairs_and_a_school_only_its_own(app, world, pairs):
    def shown(username, page_of):
        with app.test_request_context():
            return {row.id for row in page_of(world.users[username], 1, 100).items}

    def own(person):
        return {p.id for p in pairs if any(m.person_id == person.id for m in p.members)}

    def of(*orgs):
        return {p.id for p in pairs if p.org_id in {o.id for o in orgs}}

    for page_of in (lambda u, n, s: pairs_page(u, PairFilters(), n, s), programmes.programmes_page):
        assert shown("mentor", page_of) == own(world.users["mentor"].person) == {pairs[0].id, pairs[5].id}
        assert shown("mentee", page_of) == own(world.users["mentee"].person) == {pairs[2].id, pairs[7].id}
        assert shown("curator", page_of) == shown("observer", page_of) == of(world.school)
        assert shown("municipal", page_of) == of(world.school, world.school2)
        assert shown("curator_other", page_of) == of(world.other_school)
        assert shown("curator_mentor", page_of) == of(world.school2) | {pairs[0].id}


def test_the_pages_show_names_orders_programmes_and_links(client, world, pairs, as_user):
    as_user("curator")
    html = client.get("/pairs/").get_data(as_text=True)
    assert f'<a href="/pairs/{pairs[0].id}">Открыть</a>' in html
    assert "Наставникова Ольга Сергеевич" in html  # make_person's middle name
    assert "№ 12-од от 15.09.2025" in html
    assert f"{pairs[1].members[1].person.full_name}, {pairs[1].members[2].person.full_name}" in html
    html = client.get("/programmes/").get_data(as_text=True)
    assert f'href="/programmes/pair/{pairs[1].id}/new">составить программу' in html  # live, no programme
    assert f'href="/programmes/{programmes.programme_of(pairs[2]).id}">завершена' in html
    as_user("observer")
    assert "составить программу" not in client.get("/programmes/").get_data(as_text=True)


def test_a_link_built_once_is_the_link_of_each_id(app):
    with app.test_request_context():
        for endpoint, name in (("pairs.detail", "pair_id"), ("programmes.meetings", "pair_id"),
                               ("programmes.detail", "programme_id")):
            link = id_url(endpoint, name)
            for object_id in (1, 7, 98765432, 987654321, 2**31 - 1):
                assert link(object_id) == url_for(endpoint, **{name: object_id})


# ---------------------------------------------------------------- the banks


@pytest.fixture
def banks(world):
    """Both banks in both schools of the municipality and in another one: shared surnames (the first
    name and the id break the tie), people without consent (suspended), tags, forms and statuses."""
    from nastavnik.banks.models import MenteeProfile, MentorProfile, Tag
    from tests.factories import make_consent

    tags = [Tag(title="оценивание"), Tag(title="цифровые инструменты"), Tag(title="классное руководство")]
    db.session.add_all(tags)
    people = []
    for n, org in enumerate([world.school] * 6 + [world.school2] * 3 + [world.other_school] * 3):
        person = make_person(org, last_name=["Орлова", "Белов", "Орлова"][n % 3], first_name=["Анна", "Яна"][n % 2],
                             middle_name="" if n % 4 else "Игоревна")
        if n % 5:  # every fifth has no consent: suspended
            make_consent(person)
        people.append(person)
    people[7].archived_at = datetime(2025, 1, 1, tzinfo=UTC)
    for n, person in enumerate(people):
        db.session.add(MentorProfile(person_id=person.id, org_id=person.org_id, status=["active", "paused"][n % 2],
                                     kind_codes=["teacher_teacher", "teacher_student,teacher_teacher"][n % 2],
                                     capacity=2, load=n % 3, origin=["teacher", "graduate"][n % 2],
                                     tags=tags[n % 3:n % 3 + 1]))
        db.session.add(MenteeProfile(person_id=person.id, org_id=person.org_id, academic_year=2025,
                                     kind_code=["teacher_teacher", "teacher_student"][n % 2],
                                     status=["in_bank", "unmatched", "matched"][n % 3], request_text=f"запрос {n}",
                                     entered_on=date(2025, 9, 1 + n), tags=tags[:n % 3]))
    world.users["curator_mentor"] = make_user("curator_mentor", "curator", world.school2,
                                              person=world.users["mentor"].person)
    db.session.commit()
    return tags


def _bank_filters(world, tags) -> list:
    from nastavnik.banks.services import BankFilters

    return [BankFilters(), BankFilters(q="орлова"), BankFilters(q="анна игоревна"), BankFilters(q="зз"),
            BankFilters(org_id=world.school2.id), BankFilters(kind="teacher_student"), BankFilters(status="suspended"),
            BankFilters(status="active"), BankFilters(status="in_bank"), BankFilters(tag_id=tags[1].id),
            BankFilters(q="яна", kind="teacher_teacher", tag_id=tags[0].id)]


@pytest.mark.parametrize("mentees", [True, False], ids=["mentees", "mentors"])
@pytest.mark.parametrize("username", ["admin", "municipal", "director", "curator", "observer", "mentor",
                                      "curator_other", "curator_mentor"])
def test_a_bank_list_shows_the_records_of_its_definition(app, world, banks, username, mentees):
    from dataclasses import replace

    from nastavnik import access
    from nastavnik.banks import services as svc
    from nastavnik.consents.services import suspended_person_ids
    from nastavnik.timeutil import today

    user = world.users[username]
    search = svc.search_mentees if mentees else svc.search_mentors
    columns = (("kind_code", "category", "request_text", "academic_year", "entered_on") if mentees
               else ("origin", "kind_codes", "load", "capacity", "kinds", "free_slots"))

    def shown(profile, person, org_title, suspended):
        return (profile.id, profile.person_id, profile.status, person.full_name, org_title, bool(suspended),
                *(getattr(profile, c) for c in columns))

    for filters in _bank_filters(world, banks):
        for size in SIZES:
            for number in (1, 2, 3, 9):
                with app.test_request_context():
                    scope = access.scope(user, "banks.view")
                    wanted = replace(filters, page=number)
                    records, total = search(scope, wanted, size)
                    paused = suspended_person_ids([p.person_id for p in records], today())
                    expected = [shown(p, p.person, p.person.org.title, p.person_id in paused) for p in records]
                    got = replace(filters, page=number)
                    rows, found = svc.bank_page(mentees, scope, got, size)
                    assert (found, got.page) == (total, wanted.page), (filters, size, number)
                    assert [shown(r, r, r.org_title, r.suspended) for r in rows] == expected, (filters, size, number)
                    if username == "curator" and not any((filters.q, filters.org_id, filters.kind, filters.status,
                                                          filters.tag_id)) and size == 100:
                        assert len(rows) == 6 and any(r.suspended for r in rows)  # the world is what it says


def test_the_bank_pages_show_names_schools_links_and_who_is_suspended(client, world, banks, as_user):
    from nastavnik.banks.models import MenteeProfile, MentorProfile

    as_user("curator")
    for url, model in (("/banks/mentors", MentorProfile), ("/banks/mentees", MenteeProfile)):
        html = client.get(url).get_data(as_text=True)
        first = db.session.scalars(db.select(model).where(model.org_id == world.school.id).order_by(model.id)).first()
        assert f'<a href="{url}/{first.id}">{first.person.full_name}</a><br><small>{world.school.title}</small>' in html
        assert "приостановлен: нет согласия" in html
    assert "Подобрать наставника" in client.get("/banks/mentees").get_data(as_text=True)


@pytest.mark.parametrize("username", ["admin", "municipal", "curator", "observer", "curator_other"])
def test_a_bank_filter_offers_the_tags_the_user_sees(app, world, username):
    from nastavnik.banks import vocabulary
    from nastavnik.banks.models import Tag

    db.session.add_all([Tag(title="общий"), Tag(title="в архиве", archived=True), Tag(title="школы", org_id=world.school.id),
                        Tag(title="района", org_id=world.authority.id), Tag(title="чужой", org_id=world.other_school.id)])
    db.session.commit()
    user = world.users[username]
    with app.test_request_context():
        expected = [(t.id, t.title, t.group, t.archived, t.org_id) for t in vocabulary.visible_tags(user, active_only=True)]
        assert [tuple(row) for row in vocabulary.visible_tag_options(user)] == expected
        assert "общий" in {row[1] for row in expected} and "в архиве" not in {row[1] for row in expected}
