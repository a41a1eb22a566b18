"""The unmatched list's statement against its plain definition, for every role's scope.

``unmatched_listing`` asks about each waiting mentee's person by a probe of its own (EXISTS … OFFSET 0,
so that PostgreSQL does not hash all the people of a region for it); ``unmatched_query`` joins the
person and says the rule as it reads. Both, and the rule in Python (``processing_allowed``), must give
the same mentees in the same order, on every page and in the count.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import select

from nastavnik import access
from nastavnik.banks.models import MenteeProfile
from nastavnik.consents.services import processing_allowed
from nastavnik.extensions import db
from nastavnik.pairs import services as svc
from nastavnik.timeutil import today, utcnow
from nastavnik.web.paging import paginate
from tests.banks.test_matching_web import make_mentee
from tests.factories import make_consent, make_person, make_user


@pytest.fixture
def waiting(world):
    """Mentees of every status in each school, and people whose data may not be processed."""
    day = today()
    for school in (world.school, world.school2, world.other_school):
        for n, status in enumerate(("in_bank", "unmatched", "in_pair", "finished", "in_bank", "unmatched")):
            mentee = make_mentee(school, f"Ждущий{n}")
            mentee.status = status
            mentee.entered_on = day - timedelta(days=n % 3)  # ties on the date: then by id
        lapsed = make_mentee(school, "Истёкший", person=make_person(school, last_name="Истёкший"))
        make_consent(lapsed.person, valid_until=day - timedelta(days=1))
        withdrawn = make_mentee(school, "Отозвавший")
        withdrawn.person.consents[0].withdrawn_on = day
        make_mentee(school, "Безсогласия", person=make_person(school, last_name="Безсогласия"))
        future = make_mentee(school, "Будущий", person=make_person(school, last_name="Будущий"))
        make_consent(future.person, signed_on=day + timedelta(days=2))  # not valid yet
        renewed = make_mentee(school, "Обновивший")
        make_consent(renewed.person, withdrawn_on=day - timedelta(days=5), signed_on=day - timedelta(days=50))
        make_mentee(school, "Архивный").person.archived_at = utcnow()
        make_mentee(school, "Обезличенный").person.anonymised_at = utcnow()
    # A profile in one school for a person of another: the profile's school decides the scope.
    moved = make_person(world.other_school, last_name="Перешедший")
    make_consent(moved)
    make_mentee(world.school2, "Перешедший", person=moved)
    world.users["region"] = make_user("region", "municipal", world.region)
    db.session.commit()
    return world


def _by_the_rule(scope, day) -> list[int]:
    mentees = db.session.scalars(select(MenteeProfile).order_by(*svc.UNMATCHED_ORDER))
    return [m.id for m in mentees if m.org_id in scope and m.status in ("unmatched", "in_bank")
            and processing_allowed(m.person, day)]


@pytest.mark.parametrize("username", ["curator", "curator_other", "observer", "municipal", "region", "admin"])
def test_every_page_and_the_count_as_the_plain_definition(waiting, username, app):
    day, size = today(), 3
    scope = access.scope(waiting.users[username], "pairs.view")
    plain = list(db.session.scalars(svc.unmatched_query(scope, day).order_by(*svc.UNMATCHED_ORDER)))
    assert [m.id for m in plain] == _by_the_rule(scope, day)
    assert plain, "the world gives every role someone waiting"
    for org_ids in (scope, set(scope.ids)):  # a scope (the statement built once) or plain ids
        query, params = svc.unmatched_listing(org_ids, day)
        pages = [paginate(query, MenteeProfile, svc.UNMATCHED_ORDER, n, size, params)
                 for n in range(1, math.ceil(len(plain) / size) + 2)]  # and one past the end: the last
        assert [m.id for page in pages[:-1] for m in page.items] == [m.id for m in plain]
        assert pages[-1].items == pages[-2].items
        assert {page.total for page in pages} == {len(plain)}


def test_each_role_sees_only_its_mentees_on_the_page(waiting, as_user):
    names = {}
    for username in ("curator", "municipal", "region"):
        html = as_user(username).get("/pairs/unmatched").get_data(as_text=True)
        names[username] = html.count('id="unmatched-')
    assert names == {"curator": 5, "municipal": 11, "region": 16}
    assert as_user("mentor").get("/pairs/unmatched").status_code == 403
