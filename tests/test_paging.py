"""Paging: the total and the page number are right whether or not the COUNT runs."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import joinedload

from nastavnik.extensions import db
from nastavnik.participants.models import Person
from nastavnik.web.paging import known_total, paginate
from tests.factories import make_org, make_person

ORDER = (Person.last_name, Person.id)


@pytest.fixture
def seven(app):
    school = make_org(name="СОШ № 7")
    for n in range(7):
        make_person(school, last_name=f"Фамилия{n}")
    db.session.commit()
    return select(Person).where(Person.org_id == school.id)


@pytest.fixture
def counts(app):
    """How many COUNT statements ran."""
    found = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT COUNT"):
            found.append(statement)

    event.listen(db.engine, "before_cursor_execute", keep)
    yield found
    event.remove(db.engine, "before_cursor_execute", keep)


@pytest.mark.parametrize(
    ("number", "size", "names", "total", "shown", "counted"),
    [
        (1, 10, [f"Фамилия{n}" for n in range(7)], 7, 1, False),  # one page that is not full: no COUNT
        (1, 3, ["Фамилия0", "Фамилия1", "Фамилия2"], 7, 1, True),  # a full page: only a COUNT knows the total
        (3, 3, ["Фамилия6"], 7, 3, False),  # the last page tells the total by itself
        (2, 7, ["Фамилия0", "Фамилия1", "Фамилия2", "Фамилия3", "Фамилия4", "Фамилия5", "Фамилия6"], 7, 1, True),
        (9, 3, ["Фамилия6"], 7, 3, True),  # past the end: clamped to the last page
    ],
)
def test_a_page_and_its_total(seven, counts, number, size, names, total, shown, counted):
    page = paginate(seven, Person, ORDER, number, size)
    assert [p.last_name for p in page.items] == names
    assert (page.total, page.number) == (total, shown)
    assert bool(counts) is counted


def test_an_empty_list_is_one_empty_page(app, counts):
    page = paginate(select(Person).where(Person.id < 0), Person, ORDER, 1, 25)
    assert (page.items, page.total, page.number, page.pages) == ([], 0, 1, 1)
    assert not counts


def test_the_records_keep_the_loader_options_of_the_list(seven, counts):
    page = paginate(seven.options(joinedload(Person.guardian_links)), Person, ORDER, 1, 3)
    assert all("guardian_links" in vars(p) for p in page.items)  # loaded with the page, not one by one later


def test_known_total():
    assert known_total(1, 25, 0) == 0
    assert known_total(2, 25, 0) is None  # past the end: unknown
    assert known_total(2, 25, 24) == 49
    assert known_total(2, 25, 25) is None


@pytest.mark.parametrize("number", [1, 2, 3, 9])
def test_a_statement_built_once_pages_as_the_same_query_with_its_values(seven, counts, number):
    from sqlalchemy import bindparam

    school_id = db.session.scalar(seven.with_only_columns(Person.org_id).limit(1))
    built_once = select(Person).where(Person.org_id == bindparam("school"))
    page = paginate(built_once, Person, ORDER, number, 3, {"school": school_id})
    same = paginate(seven, Person, ORDER, number, 3)
    assert ([p.id for p in page.items], page.total, page.number) == ([p.id for p in same.items], same.total, same.number)


@pytest.mark.parametrize(
    ("number", "size", "names", "total", "shown", "counted"),
    [
        (1, 10, [f"Фамилия{n}" for n in range(7)], 7, 1, False),
        (1, 3, ["Фамилия0", "Фамилия1", "Фамилия2"], 7, 1, True),
        (3, 3, ["Фамилия6"], 7, 3, False),
        (9, 3, ["Фамилия6"], 7, 3, True),  # past the end: clamped to the last page
    ],
)
def test_a_page_of_plain_rows_and_its_total(seven, counts, number, size, names, total, shown, counted):
    from sqlalchemy import bindparam, func

    from nastavnik.web.paging import page_of_rows

    school_id = db.session.scalar(seven.with_only_columns(Person.org_id).limit(1))
    where = Person.org_id == bindparam("school")
    rows = select(Person.id, Person.last_name).where(where).order_by(*ORDER).limit(bindparam("page_limit")).offset(
        bindparam("page_offset"))
    page = page_of_rows(rows, select(func.count()).where(where), {"school": school_id}, number, size)
    assert [row.last_name for row in page.items] == names
    assert (page.total, page.number) == (total, shown)
    assert bool(counts) is counted
