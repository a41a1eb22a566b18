"""Organisation scope: a subquery on the closure of the tree, kept up to date, never a list of ids."""

from __future__ import annotations

import re

import flask_migrate
from sqlalchemy import event, select, text

from nastavnik import access
from nastavnik.extensions import db
from nastavnik.orgs.models import OrganisationLink
from nastavnik.orgs.services import Scope, rebuild_tree, subtree_ids
from nastavnik.participants.models import Person
from tests.factories import make_org, make_person


def _links() -> set[tuple[int, int, int]]:
    return set(db.session.execute(select(OrganisationLink.ancestor_id, OrganisationLink.descendant_id,
                                         OrganisationLink.depth)).tuples())


def test_the_closure_follows_new_and_moved_organisations(app):
    region = make_org(kind="region", name="Край")
    first = make_org(kind="authority", name="УО 1", parent=region)
    second = make_org(kind="authority", name="УО 2", parent=region)
    school = make_org(name="СОШ", parent=first)
    branch = make_org(name="Филиал", parent=school)
    assert subtree_ids([first.id]) == {first.id, school.id, branch.id}
    assert (region.id, branch.id, 3) in _links()

    school.parent = second  # moved with everything under it
    db.session.flush()
    assert subtree_ids([first.id]) == {first.id}
    assert subtree_ids([second.id]) == {second.id, school.id, branch.id}
    assert (second.id, branch.id, 2) in _links() and (first.id, branch.id, 2) not in _links()

    kept = _links()
    rebuild_tree(db.session.connection())  # what a bulk load calls: the same closure from parent_id
    assert _links() == kept


def test_several_organisations_in_one_flush_parents_first(app):
    from nastavnik.orgs.models import Organisation

    region = Organisation(kind="region", name="Край")
    authority = Organisation(kind="authority", name="УО", parent=region)
    school = Organisation(kind="school", name="СОШ", parent=authority)
    db.session.add_all([school, authority, region])
    db.session.flush()
    assert subtree_ids([region.id]) == {region.id, authority.id, school.id}


def test_scope_checks_one_organisation_and_filters_in_sql(world):
    municipal = access.scope(world.users["municipal"], "participants.view")
    assert world.school.id in municipal and world.school2.id in municipal
    assert world.other_school.id not in municipal and world.region.id not in municipal
    assert 10**9 not in municipal and None not in municipal
    people = db.session.scalars(select(Person.last_name).where(Person.org_id.in_(municipal))).all()
    assert "Петрова" in people and "Чужой" not in people

    admin = access.scope(world.users["admin"], "participants.view")
    assert admin and world.other_school.id in admin and 10**9 not in admin
    assert not access.scope(world.users["mentor"], "participants.view")  # mentors hold no list permission
    assert set(access.scope(world.users["curator"], "participants.view")) == {world.school.id}


def test_scope_union_and_organisations_above(world):
    both = Scope([world.school.id]) | Scope([world.other_school.id])
    assert world.other_school.id in both and world.school2.id not in both
    above = set(db.session.scalars(Scope([world.school.id]).above()))
    assert above == {world.region.id, world.municipality.id, world.authority.id, world.school.id}
    assert Scope([world.school.id]).lies_under(world.municipality.id)
    assert not Scope([world.school.id]).lies_under(world.other_municipality.id)


def _statements_of(client, url: str) -> list[str]:
    seen: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    return seen


def _longest_in_list(statements: list[str]) -> int:
    """The most values any ``IN (…)`` of these statements lists (a subquery lists none)."""
    groups = [g for s in statements for g in re.findall(r"IN \(([^()]*)\)", s) if "SELECT" not in g.upper()]
    return max((g.count(",") + 1 for g in groups), default=0)


def test_a_region_list_sends_no_list_of_organisation_ids(world, client, as_user):
    """The statements of a municipal list stay the same size when the municipality doubles."""
    for number in range(5):
        school = make_org(name=f"Школа {number}", parent=world.authority)
        for _ in range(6):  # a full page already: its records are read by their 25 ids
            make_person(school)
    db.session.commit()
    as_user("municipal")
    client.get("/participants/")
    before = max(len(s) for s in _statements_of(client, "/participants/"))
    for number in range(60):
        make_person(make_org(name=f"Новая школа {number}", parent=world.authority))
    db.session.commit()
    client.get("/participants/")  # the user and roles that the commit expired are read again, as before
    after = _statements_of(client, "/participants/")
    assert max(len(s) for s in after) == before
    assert any("organisation_link" in s for s in after)
    # Every list a municipality opens: no IN list as long as its 65 schools (a page is 25 rows).
    for url in ("/participants/", "/banks/mentees", "/banks/mentors", "/pairs/", "/recognition/", "/roadmaps/"):
        assert _longest_in_list(_statements_of(client, url)) < 60, url


def test_migration_fills_the_closure_of_existing_organisations(tmp_path, monkeypatch):
    """0013 computes the closure of the organisations that were there before it."""
    from nastavnik.app import create_app
    from nastavnik.config import TestingConfig
    from tests.conftest import IN_REPO_PLUGINS
    from tests.test_migrations import POSTGRES_URL, _drop_everything

    url = POSTGRES_URL or f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    if POSTGRES_URL:
        _drop_everything(url)
    monkeypatch.setenv("NASTAVNIK_INSTANCE_PATH", str(tmp_path))
    config = {key: value for key, value in vars(TestingConfig).items() if key.isupper()}
    app = create_app(config | {"SQLALCHEMY_DATABASE_URI": url}, plugins=IN_REPO_PLUGINS)
    try:
        with app.app_context():
            flask_migrate.upgrade(revision="0004_roadmap_checked_flags")
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO organisation (id, parent_id, kind, name, short_name, inn, archived) "
                                  "VALUES (1, NULL, 'region', 'Край', '', '', false), "
                                  "(2, 1, 'authority', 'УО', '', '', false), (3, 2, 'school', 'СОШ', '', '', false)"))
            flask_migrate.upgrade(revision="0013")
            assert subtree_ids([1]) == {1, 2, 3} and subtree_ids([2]) == {2, 3}
            assert (1, 3, 2) in _links()
            db.session.remove()  # its open transaction would hold a lock the downgrade waits for (PostgreSQL)
            flask_migrate.downgrade(revision="0004_roadmap_checked_flags")
            db.engine.dispose()
    finally:
        if POSTGRES_URL:
            _drop_everything(url)


def test_a_few_ids_are_filtered_by_the_scope_without_reading_all_of_it(app, world):
    """``{invited schools} & scope`` (events, monitoring) checks those few ids against the tree: the
    scope's own ids are not read (a region's scope is 2,000 organisations)."""
    municipal = access.scope(world.users["municipal"], "participants.view")
    few = {world.school.id, world.other_school.id, 10**9}
    with app.test_request_context():
        assert few & municipal == {world.school.id} == municipal & few
        assert few - municipal == {world.other_school.id, 10**9}
        admin = Scope(everything=True)
        assert few & admin == {world.school.id, world.other_school.id}
    assert municipal._ids is None and admin._ids is None  # never read whole
    assert municipal & Scope([world.school.id]) == {world.school.id}  # two scopes: by their ids
