"""Fixes found walking issue 4: editing an item's words, checking flags, linking a person, choosing the
right owner of a municipal template, deleting a roadmap, what counts as «due soon»."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from nastavnik.extensions import db as _db
from nastavnik.roadmaps.models import Roadmap, RoadmapItem
from nastavnik.roadmaps.services import refresh_flags
from tests.conftest import login
from tests.factories import make_org, make_person, make_user

DAY = date(2025, 10, 15)
HX = {"HX-Request": "true"}
YEAR_FLAG = "год 2035 вне периода дорожной карты — возможно, опечатка"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("nastavnik.roadmaps.routes.today", lambda: DAY)


def adopt(client, code: str, org_id: int, action: str = "save", years: int = 1):
    return client.post(
        "/roadmaps/adopt",
        data={"template": code, "org_id": org_id, "academic_year": 2025, "year_count": years,
              "shift_dates": "y", "action": action},
    )  # fmt: skip


def top_roadmap() -> Roadmap:
    return _db.session.scalars(
        select(Roadmap).where(Roadmap.parent_roadmap_id.is_(None)).order_by(Roadmap.id.desc())
    ).first()


def edit_data(item: RoadmapItem, **changes) -> dict:
    prefix = f"item{item.id}-"
    data = {
        "number": item.number,
        "name": item.name,
        "content": item.content,
        "deadline_text": item.deadline_text,
        "responsible_text": item.responsible_text,
        "result_text": item.result_text,
        "responsible_person_id": item.responsible_person_id or 0,
        "version": item.version,
        **changes,
    }
    return {prefix + key: value for key, value in data.items()}


@pytest.fixture
def kezhma(client, world) -> Roadmap:
    login(client, "municipal")
    assert adopt(client, "kezhma_municipal_2022", world.authority.id).status_code == 303
    return top_roadmap()


# -- editing the words of an item ------------------------------------------------------------------------


def test_fixing_april_2032_redates_the_item_clears_the_flag_and_reaches_the_schools(client, kezhma):
    # The plan is the school's own: adopted for 2025/2026, the template's years moved by 3 in its
    # text too, the document's typo with them («Апрель 2032г.» → «Апрель 2035г.»).
    item = next(i for i in kezhma.items() if i.deadline_text == "Апрель 2035г.")
    assert YEAR_FLAG in item.flags and item.due_end == date(2035, 4, 30)
    assert item.child_items  # «(ИМО, ОО)»: the schools have a copy

    form = client.get(f"/roadmaps/items/{item.id}/edit", headers=HX)
    assert (
        form.status_code == 200
        and form.text.lstrip().startswith("<tr")
        and f'id="item{item.id}-name"' in form.text
    )
    response = client.post(
        f"/roadmaps/items/{item.id}/edit", data=edit_data(item, deadline_text="Апрель 2026г.")
    )
    assert response.status_code == 303

    _db.session.expire_all()
    item = _db.session.get(RoadmapItem, item.id)
    assert item.deadline_text == "Апрель 2026г."
    assert (item.due_start, item.due_end) == (date(2026, 4, 1), date(2026, 4, 30))  # inside 2025/2026
    assert item.flags == [] and item.deadline_label == "апрель 2026"
    for child in item.child_items:
        assert (child.deadline_text, child.due_end, child.flags) == ("Апрель 2026г.", date(2026, 4, 30), [])
        assert child.status == "planned"


def test_a_typed_date_in_a_shifted_plan_is_taken_as_typed(client, world):
    """Issue 7, roadmaps 1: in seed 000 adopted for 2025/2026 (dates moved by 3 years), typing
    «до 15.10.2026» used to give 15.10.2029 (moved again). The plan's text says its own years now."""
    login(client, "curator")
    assert adopt(client, "penza_school30_2022", world.school.id).status_code == 303
    item = next(i for i in top_roadmap().items() if i.number == "1.1.")
    assert (item.deadline_text, item.due_end) == ("Октябрь 2025", date(2025, 10, 31))
    response = client.post(f"/roadmaps/items/{item.id}/edit", data=edit_data(item, deadline_text="до 15.10.2026"))
    assert response.status_code == 303
    _db.session.expire_all()
    item = _db.session.get(RoadmapItem, item.id)
    assert (item.deadline_text, item.due_end) == ("до 15.10.2026", date(2026, 10, 15))


def test_an_unreadable_deadline_is_kept_and_flagged(client, kezhma):
    item = kezhma.items()[0]
    response = client.post(
        f"/roadmaps/items/{item.id}/edit", data=edit_data(item, deadline_text="когда получится"), headers=HX
    )
    assert response.status_code == 200 and "Изменения сохранены." in response.text
    _db.session.expire_all()
    item = _db.session.get(RoadmapItem, item.id)
    assert item.deadline_text == "когда получится" and item.due_end is None
    assert "срок не распознан" in item.flags and "срок не распознан" in response.text


def test_renumbering_a_duplicate_clears_the_flag_on_both(client, kezhma):
    first, second = [i for i in kezhma.items() if i.number == "1.5"]
    assert "номер 1.5 повторяется" in first.flags and "номер 1.5 повторяется" in second.flags
    assert (
        client.post(f"/roadmaps/items/{second.id}/edit", data=edit_data(second, number="1.8")).status_code
        == 303
    )
    _db.session.expire_all()
    assert _db.session.get(RoadmapItem, first.id).flags == []
    assert _db.session.get(RoadmapItem, second.id).flags == []


def test_stale_version_answers_409_and_writes_nothing(client, kezhma):
    item = kezhma.items()[0]
    stale = edit_data(item, name="Моё исправление")
    client.post(f"/roadmaps/items/{item.id}/edit", data=edit_data(item, name="Чужое исправление"))
    response = client.post(f"/roadmaps/items/{item.id}/edit", data=stale, headers=HX)
    assert response.status_code == 409 and "изменил другой пользователь" in response.text
    assert "Чужое исправление" in response.text  # the form shows what is saved now
    _db.session.expire_all()
    assert _db.session.get(RoadmapItem, item.id).name == "Чужое исправление"


def test_empty_name_answers_422_at_the_field(client, kezhma):
    item = kezhma.items()[0]
    response = client.post(f"/roadmaps/items/{item.id}/edit", data=edit_data(item, name="  "))
    assert response.status_code == 422 and "Укажите наименование мероприятия." in response.text
    _db.session.expire_all()
    assert _db.session.get(RoadmapItem, item.id).name != ""


def test_school_cannot_edit_the_municipal_plan(client, kezhma):
    item = kezhma.items()[0]
    client.post("/auth/logout")
    login(client, "curator")
    assert client.get(f"/roadmaps/items/{item.id}/edit").status_code == 403
    assert client.post(f"/roadmaps/items/{item.id}/edit", data=edit_data(item, name="x")).status_code == 403


# -- flags: checked, and back ----------------------------------------------------------------------------------


def test_a_flag_can_be_marked_checked_and_back(client, kezhma):
    item = next(i for i in kezhma.items() if i.number == "1.5")
    flag = "номер 1.5 повторяется"
    response = client.post(
        f"/roadmaps/items/{item.id}/flags",
        data={"flag": flag, "action": "check", "version": item.version},
        headers=HX,
    )
    assert response.status_code == 200 and "✓ проверено: номер 1.5 повторяется" in response.text
    _db.session.expire_all()
    item = _db.session.get(RoadmapItem, item.id)
    assert (
        item.checked_flags == [flag] and item.open_flags == [] and item.flags == [flag]
    )  # visible, not lost

    stale = client.post(
        f"/roadmaps/items/{item.id}/flags", data={"flag": flag, "action": "uncheck", "version": 1}
    )
    assert stale.status_code == 409
    client.post(
        f"/roadmaps/items/{item.id}/flags", data={"flag": flag, "action": "uncheck", "version": item.version}
    )
    _db.session.expire_all()
    assert _db.session.get(RoadmapItem, item.id).open_flags == [flag]


def test_checked_flag_survives_an_edit_that_keeps_it(client, kezhma):
    item = next(i for i in kezhma.items() if i.number == "1.5")
    client.post(
        f"/roadmaps/items/{item.id}/flags", data={"flag": "номер 1.5 повторяется", "version": item.version}
    )
    _db.session.expire_all()
    item = _db.session.get(RoadmapItem, item.id)
    client.post(f"/roadmaps/items/{item.id}/edit", data=edit_data(item, result_text="Приказы"))
    _db.session.expire_all()
    assert _db.session.get(RoadmapItem, item.id).checked_flags == ["номер 1.5 повторяется"]


def test_yearly_repeats_are_not_flagged_as_duplicates(client, world):
    login(client, "curator")
    adopt(client, "penza_school30_2022", world.school.id, years=2)
    roadmap = top_roadmap()
    refresh_flags(roadmap)
    assert not any("повторяется" in flag for item in roadmap.items() for flag in item.flags)
    assert [i.number for i in roadmap.items()].count("2.1.") == 2


# -- a responsible person ----------------------------------------------------------------------------------------


def test_linking_a_staff_member_puts_the_item_in_their_list(client, world):
    teacher_user = make_user("petrova", "observer", world.school, person=world.teacher)
    _db.session.commit()
    login(client, "curator")
    adopt(client, "penza_school30_2022", world.school.id)
    item = top_roadmap().items()[0]
    form = client.get(f"/roadmaps/items/{item.id}/edit").text
    assert "Петрова А." in form and world.other_teacher.last_name not in form  # own school's staff only

    outsider = client.post(
        f"/roadmaps/items/{item.id}/edit", data=edit_data(item, responsible_person_id=world.other_teacher.id)
    )
    assert outsider.status_code == 422
    response = client.post(
        f"/roadmaps/items/{item.id}/edit", data=edit_data(item, responsible_person_id=world.teacher.id)
    )
    assert response.status_code == 303
    _db.session.expire_all()
    item = _db.session.get(RoadmapItem, item.id)
    assert (item.responsible_kind, item.responsible_person_id) == ("person", world.teacher.id)
    assert item.responsible_text == "Директор"  # the document's words stay
    assert "👤 Петрова А." in client.get(f"/roadmaps/{item.roadmap_id}").text

    client.post("/auth/logout")
    login(client, teacher_user.username)
    assert item.name[:50] in client.get("/roadmaps/mine").text


def test_unlinking_the_person_gives_the_role_back(client, world):
    make_person(world.school, last_name="Завучева")
    _db.session.commit()
    login(client, "curator")
    adopt(client, "penza_school30_2022", world.school.id)
    item = top_roadmap().items()[0]
    client.post(
        f"/roadmaps/items/{item.id}/edit", data=edit_data(item, responsible_person_id=world.teacher.id)
    )
    _db.session.expire_all()
    item = _db.session.get(RoadmapItem, item.id)
    client.post(f"/roadmaps/items/{item.id}/edit", data=edit_data(item, responsible_person_id=0))
    _db.session.expire_all()
    item = _db.session.get(RoadmapItem, item.id)
    assert (item.responsible_kind, item.responsible_role, item.responsible_person_id) == (
        "role",
        "director",
        None,
    )


# -- adopting a municipal template ---------------------------------------------------------------------------


def test_municipal_template_defaults_to_the_authority_and_warns_about_an_org_without_schools(client, world):
    imo = make_org(kind="methodical", name="ИМО", parent=world.authority)
    _db.session.commit()
    login(client, "municipal")
    form = client.get("/roadmaps/adopt?template=kezhma_municipal_2022").text
    selected = form[form.index('name="org_id"') :]
    selected = selected[: selected.index("</select>")]
    assert (
        f'selected value="{world.authority.id}"' in selected
        or f'value="{world.authority.id}" selected' in selected
    )
    assert "Кежемский район: муниципальная целевая модель" in form  # templates say whose and for whom

    preview = adopt(client, "kezhma_municipal_2022", imo.id, action="preview")
    assert preview.status_code == 200 and "Под «ИМО» нет образовательных организаций" in preview.text
    preview = adopt(client, "kezhma_municipal_2022", world.authority.id, action="preview")
    assert "получат в свои планы: СОШ № 3, СОШ № 4" in preview.text


# -- deleting ---------------------------------------------------------------------------------------------------


def test_deleting_a_municipal_roadmap_takes_the_school_shares_along(client, world, kezhma):
    shares = [child.id for child in kezhma.children]
    page = client.get(f"/roadmaps/{kezhma.id}/delete")
    assert page.status_code == 200 and "удалятся планы 2 ОО" in page.text
    assert top_roadmap() is not None  # the GET only asks

    client.post("/auth/logout")
    login(client, "curator")
    assert client.post(f"/roadmaps/{shares[0]}/delete").status_code == 303  # a share is not deleted alone
    assert _db.session.get(Roadmap, shares[0]) is not None
    assert client.post(f"/roadmaps/{kezhma.id}/delete").status_code == 403

    client.post("/auth/logout")
    login(client, "municipal")
    response = client.post(f"/roadmaps/{kezhma.id}/delete")
    assert response.status_code == 303
    _db.session.expire_all()
    assert _db.session.scalars(select(Roadmap)).all() == []
    assert _db.session.scalars(select(RoadmapItem)).all() == []


# -- import: dates as written, or moved to the chosen year --------------------------------------------------


def test_import_can_move_dates_to_the_chosen_year(client, world):
    login(client, "curator")
    text = "№ п/п\tНаименование мероприятия\tСрок реализации\n1.1.\tПриказ\tдо 20.08.2020\n1.2.\tБаза\tсентябрь 2020 г."
    base = {"step": "map", "action": "save", "org_id": world.school.id, "academic_year": 2025, "year_count": 1,
            "title": "Импорт", "level": "school", "header_row": 0, "col_0": "number", "col_1": "name", "col_2": "deadline"}  # fmt: skip
    import json

    base["rows_json"] = json.dumps([line.split("\t") for line in text.split("\n")], ensure_ascii=False)
    assert client.post("/roadmaps/import", data=base).status_code == 303
    as_written = top_roadmap()
    assert [i.due_end for i in as_written.items()] == [date(2020, 8, 20), date(2020, 9, 30)]
    assert client.post("/roadmaps/import", data={**base, "shift_dates": "y"}).status_code == 303
    moved = top_roadmap()
    assert moved.id != as_written.id
    assert [i.due_end for i in moved.items()] == [date(2025, 8, 20), date(2025, 9, 30)]


# -- «due soon» ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "upcoming"),
    [
        (date(2025, 9, 1), date(2026, 8, 31), False),  # «в течение года»: under way, not due soon
        (date(2025, 11, 1), date(2025, 11, 30), True),  # a November item: due within 30 days
        (date(2025, 10, 1), date(2025, 10, 31), True),
        (date(2025, 11, 10), date(2026, 3, 31), True),  # starts within 30 days
        (date(2025, 12, 1), date(2025, 12, 31), False),
        (None, date(2025, 11, 1), True),
    ],
)
def test_what_is_due_soon(start, end, upcoming):
    item = RoadmapItem(due_start=start, due_end=end, status="planned")
    assert item.is_upcoming(DAY) is upcoming
