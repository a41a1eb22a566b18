"""Issue 12: shared reference data (the tag vocabulary) is changed only by its owner — the
administrator for the shared vocabulary, the municipality for its own, a school for its own tags."""

from __future__ import annotations

from sqlalchemy import select

from nastavnik.banks import services as svc
from nastavnik.banks.models import Tag
from nastavnik.extensions import db
from tests.conftest import login
from tests.factories import make_user


def _tag(title, org=None):
    tag = Tag(title=title, org_id=org.id if org else None)
    db.session.add(tag)
    db.session.commit()
    return tag


def _rename(client, tag, title="Переименовано"):
    return client.post(f"/banks/tags/{tag.id}", data={"title": title, "group": ""})


def _archive(client, tag):
    return client.post(f"/banks/tags/{tag.id}", data={"action": "archive"})


def test_another_schools_curator_cannot_rename_or_archive_a_shared_tag(world, as_user):
    shared = _tag("Методика урока")
    client = as_user("curator_other")
    assert _rename(client, shared).status_code == 403
    assert _archive(client, shared).status_code == 403
    db.session.refresh(shared)
    assert (shared.title, shared.archived) == ("Методика урока", False)


def test_a_schools_own_tags_are_its_curators_and_invisible_elsewhere(world, as_user, app):
    curator = as_user("curator")
    response = curator.post("/banks/tags", data={"title": "Робототехника", "group": ""})
    assert response.status_code == 303
    own = db.session.scalar(select(Tag).where(Tag.title == "Робототехника"))
    assert own.org_id == world.school.id
    assert _rename(curator, own, "Робототехника и ТРИЗ").status_code == 303

    make_user("curator2", "curator", world.school2)
    db.session.commit()
    neighbour = login(app.test_client(), "curator2")
    assert _rename(neighbour, own).status_code == 404  # the same municipality, another school
    assert _archive(login(app.test_client(), "curator_other"), own).status_code == 404
    assert "Робототехника" not in neighbour.get("/banks/tags").get_data(as_text=True)
    db.session.refresh(own)
    assert (own.title, own.archived) == ("Робототехника и ТРИЗ", False)


def test_the_municipality_owns_its_vocabulary(world, as_user, app):
    municipal = as_user("municipal")
    assert municipal.post("/banks/tags", data={"title": "Наставничество в ДОО", "group": ""}).status_code == 303
    tag = db.session.scalar(select(Tag).where(Tag.title == "Наставничество в ДОО"))
    assert tag.org_id == world.authority.id
    assert _archive(municipal, tag).status_code == 303

    curator = login(app.test_client(), "curator")
    assert "Наставничество в ДОО" in curator.get("/banks/tags").get_data(as_text=True)  # a school below sees it
    assert _rename(curator, tag).status_code == 403  # … and cannot change it
    assert _rename(login(app.test_client(), "curator_other"), tag).status_code == 404  # another municipality


def test_the_admin_changes_the_shared_vocabulary(world, as_user):
    shared = _tag("Классное руководство")
    assert _rename(as_user("admin"), shared, "Классное руководство (5–9)").status_code == 303
    db.session.refresh(shared)
    assert shared.title == "Классное руководство (5–9)"


def test_observers_add_nothing(world, as_user):
    assert as_user("observer").post("/banks/tags", data={"title": "X"}).status_code == 403


def test_a_tag_typed_in_a_profile_becomes_the_schools_own_not_anothers(world):
    foreign = _tag("Шахматы", world.other_school)
    shared = _tag("Проектная деятельность")
    tags = svc.resolve_tags([foreign.id, shared.id], "шахматы, Проектная деятельность", may_create=True,
                            org_id=world.school.id)
    db.session.flush()
    assert shared in tags and foreign not in tags  # another school's tag is neither taken by id nor by title
    own = next(t for t in tags if t.title == "шахматы")
    assert own.org_id == world.school.id
