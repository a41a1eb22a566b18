"""Kinds of events: the nine common ones, a plugin's own through ``nastavnik_event_kinds``, the ones
users add for their organisation; a stored event whose kind's plugin is gone says so."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.events import kinds
from nastavnik.events.models import EventKindRow
from nastavnik.events.training import statuses
from nastavnik.extensions import db
from nastavnik.timeutil import today
from tests.conftest import IN_REPO_PLUGINS, login
from tests.events import duplicate_event_kind, kind_plugin
from tests.events.conftest import add_people, make_event, make_teachers
from tests.factories import make_org, make_user

NINE = ["обучение наставников", "семинар", "вебинар", "круглый стол", "конференция", "фестиваль / форум",
        "мастер-класс", "итоговое мероприятие", "информационная встреча"]


def test_the_nine_common_kinds_come_through_the_hook(app):
    assert [k.title for k in kinds.registered().values()] == NINE
    assert [k.code for k in kinds.registered().values() if k.certificates] == ["training"]


@pytest.fixture
def plugin_app(tmp_path):
    app = create_app(TestingConfig, plugins=[*IN_REPO_PLUGINS, kind_plugin])
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()


def test_a_plugin_adds_a_training_kind_that_counts_as_training(plugin_app):
    school = make_org(name="СОШ № 9")
    make_user("cur9", "curator", school)
    (teacher,) = make_teachers(school, 1)
    event = make_event(school, kind="young_teacher_school", days=-1)
    add_people(event, [teacher], attendance="present")
    db.session.commit()
    assert kinds.title("young_teacher_school") == "школа молодого педагога"
    assert "young_teacher_school" in kinds.codes_of_group("training")
    assert teacher.id in statuses([teacher.id], today())
    client = login(plugin_app.test_client(), "cur9")
    assert "школа молодого педагога" in client.get("/events/new").get_data(as_text=True)


def test_a_plugin_reusing_a_core_code_is_broken_and_skipped():
    app = create_app(TestingConfig, plugins=[*IN_REPO_PLUGINS, duplicate_event_kind])
    state = app.extensions["nastavnik"]
    assert state.infos["duplicate_event_kind"].state == "broken"
    assert "seminar" in state.infos["duplicate_event_kind"].error
    assert state.registry.event_kinds["seminar"].title == "семинар"


def test_an_event_whose_kind_plugin_is_gone_says_so(world, curator):
    event = make_event(world.school, kind="young_teacher_school", days=2, title="Школа молодого педагога")
    db.session.commit()
    page = curator.get(f"/events/{event.id}").get_data(as_text=True)
    assert "young_teacher_school (плагин не установлен)" in page


def test_a_school_adds_its_own_kind_its_schools_see_a_municipality_s(world, as_user):
    client = as_user("curator")
    response = client.post("/events/kinds", data={
        "org_id": world.school.id, "title": "педагогическая мастерская", "group": "seminar",
    })
    assert response.status_code == 303
    row = db.session.scalars(select(EventKindRow)).one()
    assert (row.title, row.group, row.certificates) == ("педагогическая мастерская", "seminar", False)
    assert row.code in kinds.codes_of_group("seminar")
    assert "педагогическая мастерская" in client.get("/events/new").get_data(as_text=True)
    # the same title twice is refused at the field
    again = client.post("/events/kinds", data={"org_id": world.school.id, "title": "Педагогическая мастерская",
                                              "group": "seminar"})
    assert again.status_code == 422 and "Такой вид мероприятия уже есть." in again.get_data(as_text=True)
    # another school of the municipality does not see it; a municipality's kind reaches every school
    assert [k.title for k in kinds.choices_for(world.school2.id)] == NINE
    municipal = as_user("municipal")
    municipal.post("/events/kinds", data={"org_id": world.authority.id, "title": "форум наставников",
                                          "group": "public", "certificates": ""})
    assert "форум наставников" in [k.title for k in kinds.choices_for(world.school2.id)]
    # renamed and archived: no longer offered for new events, still the title of old ones
    client.post(f"/events/kinds/{row.id}", data={"title": "мастерская наставника", "version": row.version})
    db.session.refresh(row)
    client.post(f"/events/kinds/{row.id}", data={"archived": "1", "version": row.version})
    db.session.refresh(row)
    assert row.archived and kinds.title(row.code) == "мастерская наставника"
    assert "мастерская наставника" not in [k.title for k in kinds.choices_for(world.school.id)]
    assert as_user("curator_other").post(f"/events/kinds/{row.id}", data={"archived": "0"}).status_code == 404
