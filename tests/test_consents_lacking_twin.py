"""The consents overview's statement against the rule in words, for every role's scope.

``lacking`` finds a region's 25,000 people without a valid consent among 112,000 by an anti-join
(who holds a consent valid past «скоро истекает») and a grouped join (the best of the others), so
that PostgreSQL plans it as two hash joins. This twin takes every person of the scope, asks
``consent_state`` (the Python rule the person's page shows), groups and sorts them by name, and both
must give the same people on every page of every group, and the same totals.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from nastavnik import access
from nastavnik.consents.services import GROUPS, consent_state, lacking
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.participants.models import Person
from nastavnik.timeutil import today, utcnow
from tests.factories import make_consent, make_person, make_user

EXPIRING = 30


def _cases(day):
    """Consents (as ``make_consent`` values) of one person, by what they must come to."""
    d = timedelta
    return {
        "нет": [],
        "другое": [{"kind": "pd_distribution"}],  # only a consent to distribution: missing
        "бессрочное": [{}],
        "долгое": [{"valid_until": day + d(days=EXPIRING + 1)}],
        "кгранице": [{"valid_until": day + d(days=EXPIRING)}],  # the last day of «скоро истекает»
        "сегодня": [{"valid_until": day}],  # valid today, expiring
        "вчера": [{"valid_until": day - d(days=1)}],
        "отозвано": [{"withdrawn_on": day}],
        "отзывзавтра": [{"withdrawn_on": day + d(days=1)}],  # valid until the withdrawal takes effect
        "отзывзавтраистекает": [{"withdrawn_on": day + d(days=1), "valid_until": day + d(days=5)}],
        "обновлённое": [{"withdrawn_on": day - d(days=30), "signed_on": day - d(days=60)},
                        {"signed_on": day - d(days=5)}],
        "отозваноиистекло": [{"withdrawn_on": day - d(days=3)},
                             {"valid_until": day - d(days=10), "signed_on": day - d(days=400)}],
        "истеклоиистекает": [{"valid_until": day - d(days=10), "signed_on": day - d(days=400)},
                             {"valid_until": day + d(days=3)}],
        "отозваноиистекает": [{"withdrawn_on": day - d(days=1)}, {"valid_until": day + d(days=3)}],
        "отозваноидолгое": [{"withdrawn_on": day - d(days=1)}, {"valid_until": day + d(days=90)}],
        "будущее": [{"signed_on": day + d(days=3)}],  # states ignore the signing day, as consent_state does
        "дваистекших": [{"valid_until": day - d(days=2)}, {"valid_until": day - d(days=20)}],
    }


@pytest.fixture
def population(world):
    """Every case in each school of the world, with namesakes, parents, archived and anonymised people."""
    day = today()
    for school in (world.school, world.school2, world.other_school):
        for n, (name, consents) in enumerate(_cases(day).items()):
            kind = "student" if n % 3 == 0 else "staff"
            person = make_person(school, kind=kind, last_name=f"Случай{name}", first_name="Анна")
            for values in consents:
                make_consent(person, **values)
        for first in ("Вера", "Анна", "Анна"):  # namesakes: ordered by first name, then by id
            make_person(school, last_name="Тёзкина", first_name=first)
        make_person(school, kind="parent", last_name="Родителева")  # representatives are not listed
        make_person(school, last_name="Архивная", archived_at=utcnow())
        make_person(school, last_name="Обезличенная", anonymised_at=utcnow())
    world.users["region"] = make_user("region", "municipal", world.region)
    db.session.commit()
    return world


def _under(org: Organisation, roots) -> bool:
    while org is not None:
        if org.id in roots:
            return True
        org = org.parent
    return False


def _by_the_rule(user, day) -> dict[str, list[int]]:
    """Everyone of the user's scope who lacks a valid consent, by ``consent_state``, sorted by name."""
    roles = [r for r in user.roles if access.grants(r.role, "consents.view")]
    everything = any(r.role == "admin" for r in user.roles)
    roots = {r.org_id for r in roles}
    groups: dict[str, list[Person]] = {code: [] for code in GROUPS}
    for person in db.session.scalars(select(Person)):
        if not (everything or _under(person.org, roots)):
            continue
        if person.kind == "parent" or person.archived_at or person.anonymised_at:
            continue
        state = consent_state(person, day, EXPIRING)
        if state != "valid":
            groups[state].append(person)
    return {code: [p.id for p in sorted(people, key=lambda p: (p.last_name, p.first_name, p.id))]
            for code, people in groups.items()}


@pytest.mark.parametrize("username", ["curator", "curator_other", "observer", "municipal", "region", "admin"])
def test_every_page_of_every_group_as_the_rule_says(population, username):
    day, size = today(), 2
    user = population.users[username]
    expected = _by_the_rule(user, day)
    assert any(expected.values())
    scope = access.scope(user, "consents.view")
    # The overview: the first page of each group, and every group's total.
    ids, totals = lacking(scope, day, EXPIRING, None, 1, size)
    assert ids == {code: found[:size] for code, found in expected.items()}
    assert totals == {code: len(found) for code, found in expected.items()}
    # One group, page by page (and one page past its end).
    for code, found in expected.items():
        for first in range(1, len(found) + size + 1, size):
            ids, totals = lacking(scope, day, EXPIRING, code, first, size)
            assert ids[code] == found[first - 1:first - 1 + size], (code, first)
            assert all(not ids[other] for other in GROUPS if other != code)
            assert totals == {c: len(f) for c, f in expected.items()}


def test_a_list_of_organisations_gives_the_same_as_the_scope(population):
    """``lacking`` also takes plain ids (the statement is then built for them, not cached)."""
    day, user = today(), population.users["municipal"]
    scope = access.scope(user, "consents.view")
    assert lacking(set(scope.ids), day, EXPIRING, None, 1, 3) == lacking(scope, day, EXPIRING, None, 1, 3)
    assert lacking(set(scope.ids), day, EXPIRING, "expired", 2, 3) == lacking(scope, day, EXPIRING, "expired", 2, 3)


def test_each_role_sees_only_its_people_on_the_page(population, as_user):
    """Over HTTP: a curator sees no other school's cases, a municipal coordinator no other district's,
    the region everyone's; a mentor may not open the overview at all."""
    html = {name: as_user(name).get("/consents/?group=missing").get_data(as_text=True)
            for name in ("curator", "municipal", "region")}
    other = population.other_school.title
    totals = {name: lacking(access.scope(population.users[name], "consents.view"), today(), EXPIRING,
                            "missing", 1, 25)[1]["missing"] for name in html}
    assert totals["curator"] < totals["municipal"] < totals["region"]
    for name, page in html.items():
        assert f"Нет согласия: {totals[name]}" in page
    assert other not in html["curator"] and other not in html["municipal"] and other in html["region"]
    assert as_user("mentor").get("/consents/").status_code == 403
