"""A municipal roadmap (seed 001) shared with every school, and its roll-up across schools."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from nastavnik.extensions import db as _db
from nastavnik.roadmaps.models import Roadmap, RoadmapItem
from nastavnik.roadmaps.services import rollup
from nastavnik.web.words import plural_word
from tests.conftest import login
from tests.factories import make_org, make_user

DAY = date(2025, 10, 15)
PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("nastavnik.roadmaps.routes.today", lambda: DAY)


@pytest.fixture
def municipal_roadmap(world, as_user):
    """Seed 001 adopted for 2025/2026 by the municipal coordinator, with four schools below."""
    world.school3 = make_org(name="СОШ № 5", parent=world.authority)
    world.school4 = make_org(name="ООШ № 6", parent=world.authority)
    make_user("curator3", "curator", world.school3)
    _db.session.commit()
    client = as_user("municipal")
    response = client.post(
        "/roadmaps/adopt",
        data={
            "template": "kezhma_municipal_2022",
            "org_id": world.authority.id,
            "academic_year": 2025,
            "year_count": 1,
            "shift_dates": "y",
            "action": "save",
        },
    )
    assert response.status_code == 303
    client.post("/auth/logout")
    return _db.session.scalars(select(Roadmap).where(Roadmap.parent_roadmap_id.is_(None))).one()


def share(roadmap: Roadmap, school) -> Roadmap:
    return next(child for child in roadmap.children if child.org_id == school.id)


def test_every_school_gets_the_items_of_oo(municipal_roadmap, world):
    roadmap = municipal_roadmap
    assert roadmap.level == "municipality"
    assert {child.org_id for child in roadmap.children} == {
        world.school.id,
        world.school2.id,
        world.school3.id,
        world.school4.id,
    }
    assigned = [item for item in roadmap.items() if "ОО" in item.responsible_text]
    mine = share(roadmap, world.school).items()
    assert len(mine) == len(assigned) == 19
    assert [item.parent_item_id for item in mine] == [item.id for item in assigned]
    assert all(item.responsible_org_id == world.school.id for item in mine)
    # «МКУ УО Кежемского района» stays with the authority; the two «1.5» both exist, flagged
    first = roadmap.items()[0]
    assert (first.responsible_kind, first.responsible_org_id) == ("org", world.authority.id)
    assert [i.number for i in roadmap.items()].count("1.5") == 2
    assert any("1.5 повторяется" in flag for flag in roadmap.items()[4].flags)


def test_school_sees_its_share_and_the_municipal_plan_read_only(municipal_roadmap, world, as_user):
    roadmap = municipal_roadmap
    client = as_user("curator")
    listing = client.get("/roadmaps/").text
    assert f'href="/roadmaps/{share(roadmap, world.school).id}"' in listing and roadmap.title in listing
    assert f'href="/roadmaps/{share(roadmap, world.school2).id}"' not in listing

    municipal_page = client.get(f"/roadmaps/{roadmap.id}")
    assert municipal_page.status_code == 200 and "status-form" not in municipal_page.text
    municipal_item = roadmap.items()[0]
    assert (
        client.post(f"/roadmaps/items/{municipal_item.id}/status", data={"status": "done"}).status_code == 403
    )
    assert client.get(f"/roadmaps/{share(roadmap, world.school2).id}").status_code == 404
    assert client.get(f"/roadmaps/{roadmap.id}/rollup").status_code == 404  # other schools' progress
    assert client.get(f"/roadmaps/{share(roadmap, world.school).id}").status_code == 200

    client.post("/auth/logout")
    login(client, "curator_other")
    assert client.get(f"/roadmaps/{roadmap.id}").status_code == 404


def close_with_evidence(client, item: RoadmapItem) -> None:
    evidence = client.post(
        f"/roadmaps/items/{item.id}/evidence",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(PDF), "prikaz.pdf"), "title": "Приказ"},
    )
    assert evidence.status_code == 303
    status = client.post(
        f"/roadmaps/items/{item.id}/status",
        data={"status": "done", "done_on": "20.09.2025", "version": item.version},
    )
    assert status.status_code == 303, status.text[:300]


def test_rollup_counts_done_and_overdue_schools(municipal_roadmap, world, as_user, client):
    roadmap = municipal_roadmap
    item = next(i for i in roadmap.items() if i.number == "1.6")  # «Август-сентябрь 2022» → until 30.09.2025
    assert item.due_end == date(2025, 9, 30)
    for username, school in (("curator", world.school), ("curator3", world.school3)):
        login(client, username)
        child = next(i for i in share(roadmap, school).items() if i.parent_item_id == item.id)
        close_with_evidence(client, child)
        client.post("/auth/logout")

    _db.session.expire_all()
    line = next(r for r in rollup(_db.session.get(Roadmap, roadmap.id), DAY) if r.item.id == item.id)
    assert (line.done, line.total, line.overdue) == (2, 4, 2)
    assert line.text == "выполнено в 2 из 4, просрочено в 2"

    login(client, "municipal")
    page = client.get(f"/roadmaps/{roadmap.id}/rollup")
    assert page.status_code == 200
    assert "выполнено в <b>2 из 4</b>, просрочено в <b>2</b>" in page.text
    assert ">Приказ</a>" in page.text  # the school's evidence opens from the roll-up
    # an item not yet due is nowhere overdue
    later = next(r for r in rollup(_db.session.get(Roadmap, roadmap.id), DAY) if r.item.number == "2.2")
    assert (later.done, later.overdue) == (0, 0)


def test_dashboard_card_lists_overdue_items(municipal_roadmap, world, app):
    from nastavnik.roadmaps.services import attention_items, attention_summary

    overdue, upcoming = attention_items(world.users["curator"], DAY)
    assert overdue and all(item.roadmap.org_id == world.school.id for item in overdue)
    assert all(item.due_end < DAY for item in overdue)
    assert all(DAY <= item.due_end for item in upcoming)
    with app.test_request_context():
        from flask import render_template

        attention = attention_summary(world.users["curator"], DAY)
        html = render_template("roadmaps/_dashboard_card.html", attention=attention)
    late = plural_word(len(overdue), "мероприятие просрочено", "мероприятия просрочены", "мероприятий просрочено")
    assert f"<b>{len(overdue)}</b> {late}" in html
    assert html.count("<li>") == min(len(overdue), 5) + min(len(upcoming), 5)


def test_dashboard_shows_the_card_to_coordinators_only(municipal_roadmap, as_user, client):
    page = as_user("municipal").get("/")
    assert page.status_code == 200 and 'id="roadmaps-card-h"' in page.text and "просрочено" in page.text
    client.post("/auth/logout")
    assert 'id="roadmaps-card-h"' not in as_user("observer").get("/").text


def test_list_counts_in_sql_follow_the_schools_statuses(municipal_roadmap, world):
    """The roadmaps list counts in one GROUP BY (status_counts_of) what each row shows (display_status):
    a municipal item handed to schools is done, cancelled, overdue or in progress by their rows."""
    from nastavnik.roadmaps.services import preload_shares, status_counts, status_counts_of

    roadmap = municipal_roadmap
    rolled = [i for i in roadmap.items() if i.rolled_up]
    later = next(i for i in rolled if i.due_end and i.due_end > DAY)  # in progress, not overdue
    items = [*[i for i in rolled if i is not later][:3], later]
    assert len(items) == 4
    states = (("done", "done", "done", "done"), ("cancelled",) * 4, ("cancelled", "done", "cancelled", "cancelled"),
              ("done", "in_progress", "planned", "planned"))
    for item, wanted in zip(items, states, strict=True):
        for child, status in zip(sorted(item.child_items, key=lambda c: c.id), wanted, strict=False):
            child.status = status
    _db.session.commit()
    _db.session.expire_all()
    roadmaps = [_db.session.get(Roadmap, roadmap.id), *(share(roadmap, s) for s in (world.school, world.school3))]
    for each in roadmaps:
        preload_shares(each)
    expected = {each.id: status_counts(each.items(), DAY) for each in roadmaps}
    assert {"done", "cancelled", "in_progress", "overdue"} <= set(expected[roadmap.id])
    assert status_counts_of([each.id for each in roadmaps], DAY) == expected
