"""Programmes: created from the form plugin's template, edited with conflicts, plan rows by HTMX,
completion, and the bank of effective practices shared within a municipality."""

from __future__ import annotations

from datetime import date, timedelta

from nastavnik.banks.models import MenteeProfile, Tag
from nastavnik.extensions import db
from nastavnik.pairs.models import Pair
from nastavnik.programmes.models import PlanItem, Programme
from nastavnik.programmes.services import add_months
from nastavnik.timeutil import today
from tests.factories import make_person, make_user
from tests.programmes.conftest import STARTS, make_pair

TEMPLATE = "teacher_young_specialist_adaptation"


def _programme_of(pair) -> Programme | None:
    return db.session.scalar(db.select(Programme).where(Programme.pair_id == pair.id))


def _form(**overrides) -> dict:
    data = {
        "template_code": TEMPLATE,
        "goal": "Адаптация в школе",
        "tasks": "1. Освоить документацию",
        "difficulties": "дисциплина на уроке",
        "strengths": "ИКТ",
        "duration_months": "9",
        "planned_results": "открытый урок",
    }
    return data | overrides


def test_add_months_keeps_the_day_or_takes_the_last_one():
    assert add_months(date(2025, 9, 1), 6) == date(2026, 3, 1)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2025, 12, 15), 0) == date(2025, 12, 15)


def test_new_page_offers_the_plugin_template_prefilled(world, pair, curator):
    tag = Tag(title="дисциплина на уроке")
    profile = MenteeProfile(
        person_id=world.teacher.id,
        org_id=world.school.id,
        kind_code="teacher_teacher",
        academic_year=2025,
        request_text="Трудно выстроить работу с родителями",
        tags=[tag],
    )
    db.session.add(profile)
    db.session.flush()
    pair.mentees[0].mentee_profile_id = profile.id
    db.session.commit()

    page = curator.get(f"/programmes/pair/{pair.id}/new").get_data(as_text=True)

    assert "Адаптация молодого специалиста (9 месяцев)" in page
    assert "Успешная адаптация молодого специалиста" in page  # goal from the template
    assert "Трудно выстроить работу с родителями" in page and "дисциплина на уроке" in page
    assert "01.09.2025" in page  # the plan preview is dated from the pair's start


def test_programme_from_template_dates_plan_items_from_the_pair_start(world, pair, curator):
    response = curator.post(f"/programmes/pair/{pair.id}/new", data=_form())

    assert response.status_code == 303
    programme = _programme_of(pair)
    assert programme.template_code == TEMPLATE and programme.goal == "Адаптация в школе"
    items = sorted(programme.items, key=lambda i: i.position)
    assert len(items) == 10
    assert items[0].due_on == STARTS and items[0].content.startswith("Встреча-знакомство")
    open_lesson = next(i for i in items if i.content.startswith("Открытый урок"))
    assert open_lesson.due_on == add_months(STARTS, 6) == date(2026, 3, 1)
    assert response.headers["Location"].endswith(f"/programmes/{programme.id}")


def test_plan_is_dated_from_today_when_the_pair_has_no_start(world, mentor_person, curator):
    pair = make_pair(world.school, mentor_person, world.teacher, starts_on=None)
    db.session.commit()
    curator.post(f"/programmes/pair/{pair.id}/new", data=_form())
    items = sorted(_programme_of(pair).items, key=lambda i: i.position)
    assert items[0].due_on == today()


def test_student_form_has_its_own_short_template(world, curator):
    mentor = make_person(world.school, kind="student", last_name="Отличник", class_name="10А")
    pair = make_pair(world.school, mentor, world.student, kind="student_student")
    db.session.commit()
    page = curator.get(f"/programmes/pair/{pair.id}/new").get_data(as_text=True)
    assert "успевающий – неуспевающий" in page.lower()
    curator.post(
        f"/programmes/pair/{pair.id}/new",
        data=_form(template_code="student_achiever_underachiever", duration_months="4"),
    )
    programme = _programme_of(pair)
    assert programme.duration_months == 4
    assert max(i.due_on for i in programme.items) <= add_months(STARTS, 3)


def test_duration_must_be_3_to_12_months(pair, curator):
    for bad, message in (
        ("13", "от 3 до 12 месяцев"),
        ("2", "от 3 до 12 месяцев"),
        ("девять", "целое число"),
    ):
        response = curator.post(f"/programmes/pair/{pair.id}/new", data=_form(duration_months=bad))
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert _programme_of(pair) is None  # nothing half-written


def test_missing_plugin_still_allows_a_blank_programme(world, mentor_person, curator):
    pair = make_pair(world.school, mentor_person, world.teacher, kind="employer_student")
    db.session.commit()
    page = curator.get(f"/programmes/pair/{pair.id}/new").get_data(as_text=True)
    assert "не установлен" in page

    response = curator.post(f"/programmes/pair/{pair.id}/new", data=_form(template_code=TEMPLATE))
    assert response.status_code == 303
    programme = _programme_of(pair)
    assert programme.template_code == "" and programme.items == []  # a template of another form is ignored


def test_one_programme_per_pair(programme, curator):
    response = curator.get(f"/programmes/pair/{programme.pair_id}/new")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/programmes/{programme.id}")


def test_edit_conflict_answers_409_and_keeps_the_other_change(programme, curator):
    url = f"/programmes/{programme.id}/edit"
    stale = programme.version
    assert curator.post(url, data=_form(goal="Первая правка", version=stale)).status_code == 303

    response = curator.post(url, data=_form(goal="Вторая правка поверх", version=stale))

    assert response.status_code == 409
    assert "изменил другой пользователь" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).goal == "Первая правка"


def test_edit_validates_duration(programme, curator):
    response = curator.post(
        f"/programmes/{programme.id}/edit", data=_form(duration_months="24", version=programme.version)
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).duration_months == 9


def test_plan_item_status_htmx_gets_the_row_plain_post_the_page(programme, curator):
    item = programme.items[0]
    url = f"/programmes/items/{item.id}/status"

    fragment = curator.post(url, data={"status": "done"}, headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert html.lstrip().startswith(f'<tr id="item-{item.id}"') and "<html" not in html
    assert "выполнено" in html
    db.session.expire_all()
    assert db.session.get(PlanItem, item.id).status == "done"

    plain = curator.post(url, data={"status": "cancelled"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/programmes/{programme.id}")
    db.session.expire_all()
    assert db.session.get(PlanItem, item.id).status == "cancelled"

    bad = curator.post(url, data={"status": "lost"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    db.session.expire_all()
    assert db.session.get(PlanItem, item.id).status == "cancelled"


def test_plan_items_add_edit_delete(programme, curator):
    added = curator.post(
        f"/programmes/{programme.id}/items",
        data={
            "due_on": "15.11.2025",
            "content": "Открытый урок",
            "responsible": "наставляемый",
            "status": "planned",
        },
        headers={"HX-Request": "true"},
    )
    assert added.status_code == 200 and 'id="plan"' in added.get_data(as_text=True)
    item = db.session.scalar(db.select(PlanItem).where(PlanItem.content == "Открытый урок"))
    assert item.due_on == date(2025, 11, 15) and item.position == 2

    invalid = curator.post(f"/programmes/{programme.id}/items", data={"due_on": "32.11.2025", "content": ""})
    assert invalid.status_code == 422
    assert "Заполните поле «Содержание»" in invalid.get_data(as_text=True)

    form = curator.get(f"/programmes/items/{item.id}/edit", headers={"HX-Request": "true"})
    assert 'class="editing"' in form.get_data(as_text=True) and "<html" not in form.get_data(as_text=True)
    edited = curator.post(
        f"/programmes/items/{item.id}/edit",
        data={"due_on": "20.11.2025", "content": "Открытый урок по физике", "status": "planned"},
    )
    assert edited.status_code == 303
    db.session.expire_all()
    assert db.session.get(PlanItem, item.id).content == "Открытый урок по физике"

    assert curator.post(f"/programmes/items/{item.id}/delete").status_code == 303
    assert db.session.get(PlanItem, item.id) is None


def _complete(client, programme, **overrides):
    data = {
        "actual_results": "Проведён открытый урок",
        "reflection": "Цели достигнуты",
        "completed_on": today().strftime("%d.%m.%Y"),
        "effective_practice": "y",
        "confirm_open": "y",  # the fixture's plan is still open: the user confirms (see the tests below)
        "version": programme.version,
    }
    return client.post(f"/programmes/{programme.id}/complete", data=data | overrides)


def test_completion_finishes_the_pair(programme, curator):
    response = _complete(curator, programme)

    assert response.status_code == 303
    db.session.expire_all()
    done = db.session.get(Programme, programme.id)
    pair = db.session.get(Pair, programme.pair_id)
    assert done.status == "completed" and done.effective_practice and done.completed_on == today()
    assert pair.status == "finished" and pair.ended_on == today()


def test_completion_needs_reflection_and_a_past_date(programme, curator):
    assert "Рефлексия" in _complete(curator, programme, reflection="").get_data(as_text=True)
    assert _complete(curator, programme, reflection="").status_code == 422
    future = (today() + timedelta(days=3)).strftime("%d.%m.%Y")
    response = _complete(curator, programme, completed_on=future)
    assert response.status_code == 422 and "не может быть в будущем" in response.get_data(as_text=True)
    stale = _complete(curator, programme, version=programme.version + 5)
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).status == "active"
    assert db.session.get(Pair, programme.pair_id).status == "active"


def test_practice_bank_is_shared_within_the_municipality_without_names(world, programme, client, as_user):
    _complete(as_user("curator"), programme)
    client.post("/auth/logout")
    make_user("curator2", "curator", world.school2)  # another school of the same municipality
    db.session.commit()

    neighbour = as_user("curator2")
    listing = neighbour.get("/programmes/practices")
    page = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert "Адаптация молодого специалиста" in page and "СОШ № 3" in page
    detail = neighbour.get(f"/programmes/practices/{programme.id}").get_data(as_text=True)
    assert "Встреча-знакомство" in detail and "Проведён открытый урок" in detail
    for name in (
        "Петрова",
        "Наставникова",
        "Цели достигнуты",
    ):  # participants and the reflection stay private
        assert name not in page and name not in detail
    client.post("/auth/logout")

    outsider = as_user("curator_other")  # another municipality
    assert "Адаптация молодого специалиста" not in outsider.get("/programmes/practices").get_data(
        as_text=True
    )
    assert outsider.get(f"/programmes/practices/{programme.id}").status_code == 404


def test_a_practice_without_the_flag_stays_out_of_the_bank(programme, curator):
    _complete(curator, programme, effective_practice="")
    assert "Адаптация молодого специалиста" not in curator.get("/programmes/practices").get_data(as_text=True)
    assert curator.get(f"/programmes/practices/{programme.id}").status_code == 404


def test_use_a_practice_as_a_sample_for_another_school(world, programme, client, as_user):
    programme.items[1].content = "Посещение уроков Наставниковой"  # a name slipped into the plan
    db.session.commit()
    _complete(as_user("curator"), programme)
    client.post("/auth/logout")
    make_user("curator2", "curator", world.school2)
    target = make_pair(
        world.school2,
        make_person(world.school2, last_name="Опытная"),
        make_person(world.school2, last_name="Новенькая"),
        starts_on=date(2026, 1, 12),
    )
    db.session.commit()
    neighbour = as_user("curator2")

    chosen = neighbour.post(f"/programmes/practices/{programme.id}/use", data={"pair_id": target.id})
    assert chosen.status_code == 303
    form_url = chosen.headers["Location"]
    assert f"/programmes/pair/{target.id}/new" in form_url
    page = neighbour.get(form_url).get_data(as_text=True)
    assert "Адаптация молодого специалиста" in page and "Наставниковой" not in page

    code = f"practice:{programme.id}"
    assert (
        neighbour.post(f"/programmes/pair/{target.id}/new", data=_form(template_code=code)).status_code == 303
    )
    copy = _programme_of(target)
    items = sorted(copy.items, key=lambda i: i.position)
    assert [i.due_on for i in items] == [date(2026, 1, 12), date(2026, 2, 12)]
    assert "Наставников" not in items[1].content

    # a pair the neighbour may not edit cannot be chosen
    assert (
        neighbour.post(
            f"/programmes/practices/{programme.id}/use", data={"pair_id": programme.pair_id}
        ).status_code
        == 404
    )


def test_dashboard_cards(world, programme, mentor_person, client, as_user):
    orphan = make_pair(world.school, mentor_person, make_person(world.school, last_name="Безпрограммный"))
    db.session.commit()
    mentor_page = as_user("mentor").get("/").get_data(as_text=True)
    assert "Встреча-знакомство" in mentor_page  # the next plan item
    assert (
        f"/programmes/pair/{programme.pair_id}/meetings/new" in mentor_page
        and "записать встречу" in mentor_page
    )
    client.post("/auth/logout")

    curator_page = as_user("curator").get("/").get_data(as_text=True)
    assert "пара без программы" in curator_page
    assert f"/programmes/pair/{orphan.id}/new" in curator_page
    assert f"/programmes/pair/{programme.pair_id}/new" not in curator_page
