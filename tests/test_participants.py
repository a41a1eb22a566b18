"""Participants: list and filters, page vs fragment, create/edit with field errors, inline edit,
conflicts, archive/delete, export of eligible people only, guardians, young specialists."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import select, update

from nastavnik.consents.models import Consent
from nastavnik.extensions import db
from nastavnik.participants.models import Guardianship, Person
from nastavnik.timeutil import today
from tests.factories import make_person

HX = {"HX-Request": "true"}
VALID_SNILS = "112-233-445 95"


def field_error(html: str, field: str) -> str:
    """The error text tied to ``field`` (the <p class="error" id="<field>-error">)."""
    found = re.findall(rf'id="{field}-error">([^<]*)<', html)
    return " ".join(found)


def staff_form(world, **overrides) -> dict:
    data = {
        "kind": "staff",
        "org_id": str(world.school.id),
        "last_name": "Кузнецова",
        "first_name": "Ирина",
        "middle_name": "Павловна",
        "birth_date": "12.03.1990",
        "email": "kuz@example.ru",
        "phone": "",
        "snils": "",
        "personnel_number": "",
        "position": "учитель",
        "subjects": "математика",
        "experience_years": "1,5",
        "hired_on": "01.09.2023",
        "qualification_category": "",
        "class_name": "",
        "notes": "",
    }
    return data | overrides


def student_form(world, **overrides) -> dict:
    birth = today() - timedelta(days=12 * 366)
    return (
        staff_form(
            world,
            kind="student",
            last_name="Орлов",
            first_name="Ваня",
            position="",
            subjects="",
            experience_years="",
            hired_on="",
            class_name="6А",
            birth_date=birth.strftime("%d.%m.%Y"),
            email="",
        )
        | overrides
    )


def names(html: str) -> list[str]:
    return re.findall(r'<tr id="person-\d+">\s*<td><a [^>]*>([^<]*)</a>', html)


# --- List ---------------------------------------------------------------------------------------


def test_list_shows_own_school_sorted(world, curator):
    html = curator.get("/participants/").get_data(as_text=True)
    assert [n.split()[0] for n in names(html)] == ["Наставникова", "Петрова", "Сидоров"]
    assert "Найдено: 3" in html
    assert "Чужой" not in html


@pytest.mark.parametrize("query", ["Петрова", "петрова", "ПЕТР", "анна"])
def test_search_by_name_is_case_insensitive(world, curator, query):
    html = curator.get("/participants/", query_string={"q": query}).get_data(as_text=True)
    assert [n.split()[0] for n in names(html)] == ["Петрова"]


def test_search_by_class(world, curator):
    html = curator.get("/participants/?q=7б").get_data(as_text=True)
    assert [n.split()[0] for n in names(html)] == ["Сидоров"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"kind": "student"}, ["Сидоров"]),
        ({"kind": "staff"}, ["Наставникова", "Петрова"]),
        ({"consent": "eligible"}, ["Петрова", "Сидоров"]),
        ({"consent": "valid"}, ["Петрова", "Сидоров"]),
        ({"consent": "missing"}, ["Наставникова"]),
        ({"consent": "withdrawn"}, []),
        ({"kind": "nonsense"}, ["Наставникова", "Петрова", "Сидоров"]),  # unknown filter ignored
    ],
)
def test_filters(world, curator, args, expected):
    html = curator.get("/participants/", query_string=args).get_data(as_text=True)
    assert [n.split()[0] for n in names(html)] == expected


def test_consent_filter_expiring_and_withdrawn(world, curator):
    world.teacher.consents[0].valid_until = today() + timedelta(days=5)
    world.student.consents[0].withdrawn_on = today()
    db.session.commit()
    html = curator.get("/participants/?consent=expiring").get_data(as_text=True)
    assert [n.split()[0] for n in names(html)] == ["Петрова"]
    html = curator.get("/participants/?consent=withdrawn").get_data(as_text=True)
    assert [n.split()[0] for n in names(html)] == ["Сидоров"]
    html = curator.get("/participants/?consent=eligible").get_data(as_text=True)
    assert [n.split()[0] for n in names(html)] == ["Петрова"]  # expiring is still valid


def test_org_filter(world, as_user):
    make_person(world.school2, last_name="Школьникова")
    db.session.commit()
    client = as_user("municipal")
    html = client.get(f"/participants/?org={world.school2.id}").get_data(as_text=True)
    assert [n.split()[0] for n in names(html)] == ["Школьникова"]
    html = client.get(f"/participants/?org={world.school.id}").get_data(as_text=True)
    assert "Школьникова" not in html and "Петрова" in html


def test_pagination(app, world, curator):
    app.config["PAGE_SIZE"] = 2
    first = curator.get("/participants/").get_data(as_text=True)
    second = curator.get("/participants/?page=2").get_data(as_text=True)
    assert len(names(first)) == 2 and "Найдено: 3" in first
    assert [n.split()[0] for n in names(second)] == ["Сидоров"]
    assert 'aria-current="page">2<' in second
    assert "page=2" in first  # a link to the next page
    assert names(curator.get("/participants/?page=99").get_data(as_text=True)) == []


def test_htmx_returns_fragment_and_plain_the_page(world, curator):
    fragment = curator.get("/participants/?q=Петр", headers=HX)
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="participants"' in body
    assert "HX-Request" in fragment.headers["Vary"]
    page = curator.get("/participants/?q=Петр")
    text = page.get_data(as_text=True)
    assert "<html" in text and 'id="participants-table"' in text and 'id="participants"' in text
    assert "HX-Request" in page.headers["Vary"]


def test_htmx_empty_state(world, curator):
    body = curator.get("/participants/?q=несуществующий", headers=HX).get_data(as_text=True)
    assert "<html" not in body
    assert 'class="empty"' in body and "Никого не нашлось" in body


def test_boosted_request_gets_full_page(world, curator):
    body = curator.get("/participants/", headers=HX | {"HX-Boosted": "true"}).get_data(as_text=True)
    assert "<html" in body


# --- Create -------------------------------------------------------------------------------------


def test_create_staff(world, curator):
    response = curator.post("/participants/new", data=staff_form(world, snils="11223344595"))
    assert response.status_code == 303
    person = db.session.scalar(select(Person).where(Person.last_name == "Кузнецова"))
    assert response.headers["Location"] == f"/participants/{person.id}"
    assert person.org_id == world.school.id
    assert person.birth_date == date(1990, 3, 12)
    assert person.experience_years == 1.5 and person.experience_on == today()
    assert person.snils == VALID_SNILS


def test_create_student(world, curator):
    response = curator.post("/participants/new", data=student_form(world))
    assert response.status_code == 303
    person = db.session.scalar(select(Person).where(Person.last_name == "Орлов"))
    assert person.kind == "student" and person.class_name == "6А"


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ("student", {"class_name": ""}, ("class_name", "Заполните поле «Класс / курс»")),
        ("student", {"birth_date": ""}, ("birth_date", "укажите дату рождения")),
        (
            "staff",
            {"birth_date": "31.02.2020"},
            ("birth_date", "Неверная дата «31.02.2020»: ожидается ДД.ММ.ГГГГ"),
        ),
        ("staff", {"birth_date": "2020-01-01"}, ("birth_date", "ожидается ДД.ММ.ГГГГ")),
        ("staff", {"birth_date": "01.01.2020"}, ("birth_date", "Проверьте дату рождения")),
        ("staff", {"hired_on": "01.01.2999"}, ("hired_on", "Дата приёма не может быть в будущем.")),
        ("staff", {"email": "not-an-email"}, ("email", "Неверный адрес электронной почты.")),
        ("staff", {"snils": "112-233-445 96"}, ("snils", "СНИЛС: не сходится контрольное число.")),
        ("staff", {"snils": "123"}, ("snils", "СНИЛС состоит из 11 цифр.")),
        ("staff", {"last_name": "  "}, ("last_name", "Заполните поле «Фамилия».")),
        ("staff", {"position": ""}, ("position", "Для педагога это обязательно")),
        ("staff", {"experience_years": "много"}, ("experience_years", "Введите число")),
    ],
)
def test_create_field_errors(world, curator, form, field, message):
    data = (student_form if form == "student" else staff_form)(world, **field)
    before = db.session.scalar(select(db.func.count(Person.id)))
    response = curator.post("/participants/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    name, text = message
    assert text in field_error(html, name), field_error(html, name) or html[:2000]
    assert 'aria-invalid="true"' in html
    assert "Форма не сохранена" in html
    assert db.session.scalar(select(db.func.count(Person.id))) == before


def test_create_in_foreign_org_refused(world, curator):
    response = curator.post("/participants/new", data=staff_form(world, org_id=str(world.other_school.id)))
    assert response.status_code == 422  # not among the choices
    assert db.session.scalar(select(Person).where(Person.last_name == "Кузнецова")) is None


# --- Full edit and conflicts --------------------------------------------------------------------


def _edit_form(person, **overrides) -> dict:
    data = {
        "kind": person.kind,
        "org_id": str(person.org_id),
        "last_name": person.last_name,
        "first_name": person.first_name,
        "middle_name": person.middle_name,
        "birth_date": "17.05.1985",
        "email": "",
        "phone": "",
        "snils": "",
        "personnel_number": "",
        "position": person.position,
        "subjects": "",
        "experience_years": "2",
        "hired_on": "",
        "qualification_category": "",
        "class_name": person.class_name,
        "notes": "",
        "version": str(person.version),
    }
    return data | overrides


def test_full_edit_saves(world, curator):
    teacher = world.teacher
    response = curator.post(
        f"/participants/{teacher.id}/edit", data=_edit_form(teacher, last_name="Петрова-Ким")
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Person, teacher.id).last_name == "Петрова-Ким"


def test_full_edit_conflict_keeps_other_users_value(world, curator):
    teacher = world.teacher
    stale = _edit_form(teacher, last_name="Моя правка")
    db.session.execute(
        update(Person)
        .where(Person.id == teacher.id)
        .values(last_name="Чужая правка", version=Person.version + 1)
    )
    db.session.commit()
    response = curator.post(f"/participants/{teacher.id}/edit", data=stale)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Запись изменил другой пользователь" in html
    assert 'value="Чужая правка"' in html  # the form now shows the current data
    db.session.expire_all()
    assert db.session.get(Person, teacher.id).last_name == "Чужая правка"


def test_full_edit_invalid_is_422(world, curator):
    response = curator.post(
        f"/participants/{world.teacher.id}/edit", data=_edit_form(world.teacher, email="x@")
    )
    assert response.status_code == 422
    assert "Неверный адрес" in field_error(response.get_data(as_text=True), "email")


# --- Inline row edit ----------------------------------------------------------------------------


def test_row_edit_get_returns_inputs(world, curator):
    response = curator.get(f"/participants/{world.teacher.id}/row/edit", headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert f'<tr id="person-{world.teacher.id}" class="editing">' in html
    assert 'name="last_name"' in html and 'value="Петрова"' in html
    assert f'name="version" value="{world.teacher.version}"' in html


def test_row_edit_without_htmx_redirects_to_full_form(world, curator):
    response = curator.get(f"/participants/{world.teacher.id}/row/edit")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/participants/{world.teacher.id}/edit"


def test_row_edit_post_saves_and_triggers(world, curator):
    teacher = world.teacher
    data = {
        "last_name": "Петрова",
        "first_name": "Анна",
        "middle_name": "Сергеевна",
        "email": "a@school.ru",
        "phone": "",
        "position": "завуч",
        "version": str(teacher.version),
    }
    response = curator.post(f"/participants/{teacher.id}/row/edit", data=data, headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "participant-saved"
    html = response.get_data(as_text=True)
    assert f'<tr id="person-{teacher.id}">' in html and "<input" not in html
    assert "завуч" in html and "Петрова Анна Сергеевна" in html
    db.session.expire_all()
    saved = db.session.get(Person, teacher.id)
    assert (saved.middle_name, saved.position, saved.email) == ("Сергеевна", "завуч", "a@school.ru")


def test_row_edit_invalid_is_422_with_row_errors(world, curator):
    teacher = world.teacher
    data = {"last_name": "", "first_name": "Анна", "email": "bad", "version": str(teacher.version)}
    response = curator.post(f"/participants/{teacher.id}/row/edit", data=data, headers=HX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Заполните поле «Фамилия»." in html and "Неверный адрес электронной почты." in html
    db.session.expire_all()
    assert db.session.get(Person, teacher.id).last_name == "Петрова"


def test_row_edit_stale_version_is_409(world, curator):
    teacher = world.teacher
    stale_version = teacher.version
    db.session.execute(
        update(Person).where(Person.id == teacher.id).values(first_name="Мария", version=Person.version + 1)
    )
    db.session.commit()
    data = {"last_name": "Петрова", "first_name": "Аня", "version": str(stale_version)}
    response = curator.post(f"/participants/{teacher.id}/row/edit", data=data, headers=HX)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Запись изменил другой пользователь" in html
    assert 'value="Мария"' in html
    db.session.expire_all()
    assert db.session.get(Person, teacher.id).first_name == "Мария"


def test_row_cancel_returns_display_row(world, curator):
    response = curator.get(f"/participants/{world.teacher.id}/row", headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<tr id="person-{world.teacher.id}">' in html and "<input" not in html


# --- Archive and delete -------------------------------------------------------------------------


def test_archive_and_restore(world, curator):
    pid = world.teacher.id
    response = curator.post(f"/participants/{pid}/archive")
    assert response.status_code == 303
    listed = [n.split()[0] for n in names(curator.get("/participants/").get_data(as_text=True))]
    assert listed == ["Наставникова", "Сидоров"]
    archived = curator.get("/participants/?archived=1").get_data(as_text=True)
    assert [n.split()[0] for n in names(archived)] == ["Петрова"]
    eligible = curator.get("/participants/?consent=eligible").get_data(as_text=True)
    assert [n.split()[0] for n in names(eligible)] == ["Сидоров"]
    curator.post(f"/participants/{pid}/archive", data={"restore": "1"})
    assert "Петрова" in names(curator.get("/participants/").get_data(as_text=True))[1]


def test_delete_refused_for_person_with_consents(world, curator):
    pid = world.teacher.id
    response = curator.post(f"/participants/{pid}/delete", follow_redirects=True)
    assert "можно только перенести в архив" in response.get_data(as_text=True)
    assert db.session.get(Person, pid) is not None


def test_delete_allowed_for_fresh_person(world, curator):
    fresh = make_person(world.school, last_name="Ошибочный")
    db.session.commit()
    fresh_id = fresh.id
    response = curator.post(f"/participants/{fresh_id}/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/participants/"
    db.session.expire_all()
    assert db.session.get(Person, fresh_id) is None


def test_delete_refused_for_person_with_account(world, curator):
    mentor_person_id = world.users["mentor"].person_id
    curator.post(f"/participants/{mentor_person_id}/delete")
    db.session.expire_all()
    assert db.session.get(Person, mentor_person_id) is not None


# --- Export -------------------------------------------------------------------------------------


def export_names(client, **args) -> list[str]:
    response = client.get("/participants/export.xlsx", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return [row[0] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]


def test_export_contains_only_eligible(world, curator):
    assert sorted(n.split()[0] for n in export_names(curator)) == ["Петрова", "Сидоров"]


def test_export_drops_withdrawn_consent_at_once(world, curator):
    consent = world.teacher.consents[0]
    response = curator.post(
        f"/consents/{consent.id}/withdraw",
        data={"withdrawn_on": today().strftime("%d.%m.%Y"), "version": str(consent.version)},
    )
    assert response.status_code == 303
    assert [n.split()[0] for n in export_names(curator)] == ["Сидоров"]


def test_export_excludes_expired_and_archived(world, curator):
    world.teacher.consents[0].valid_until = today() - timedelta(days=1)
    world.student.archived_at = db.func.now()
    db.session.commit()
    assert export_names(curator) == []


def test_export_of_other_org_is_404(world, curator):
    assert curator.get(f"/participants/export.xlsx?org={world.other_school.id}").status_code == 404


# --- Guardians and young specialists ------------------------------------------------------------


def test_add_guardian(world, curator):
    sid = world.student.id
    data = {
        "last_name": "Сидорова",
        "first_name": "Мария",
        "middle_name": "",
        "relation": "мать",
        "phone": "+7 900 000-00-00",
        "email": "",
    }
    response = curator.post(f"/participants/{sid}/guardians", data=data)
    assert response.status_code == 303
    link = db.session.scalar(select(Guardianship).where(Guardianship.student_id == sid))
    assert link.relation == "мать" and link.guardian.kind == "parent"
    assert link.guardian.org_id == world.school.id
    page = curator.get(f"/participants/{sid}").get_data(as_text=True)
    assert "Сидорова Мария — мать" in re.sub(r"<[^>]+>", "", page)
    assert f'href="/participants/{link.guardian.id}"' in page  # the curator can open and correct the guardian
    # parents are not participants of the list
    assert "Сидорова" not in curator.get("/participants/").get_data(as_text=True)


def test_add_guardian_invalid(world, curator):
    response = curator.post(f"/participants/{world.student.id}/guardians", data={"relation": "мать"})
    assert response.status_code == 422
    assert "Заполните поле «Фамилия»." in response.get_data(as_text=True)


def test_guardian_only_for_students(world, curator):
    data = {"last_name": "Х", "first_name": "У", "relation": "мать"}
    assert curator.post(f"/participants/{world.teacher.id}/guardians", data=data).status_code == 400


def test_young_specialist_model():
    day = date(2025, 10, 1)
    young = Person(
        kind="staff", birth_date=date(2000, 1, 1), experience_years=1.0, experience_on=date(2025, 9, 1)
    )
    assert young.is_young_specialist(day, max_years=3, max_age=35)
    assert not young.is_young_specialist(day, max_years=0, max_age=35)  # experience limit
    assert not young.is_young_specialist(day, max_years=3, max_age=24)  # age limit
    assert young.experience_on_date(date(2027, 9, 1)) == 3.0  # experience keeps growing
    assert not young.is_young_specialist(date(2028, 9, 1), max_years=3, max_age=35)
    student = Person(kind="student", birth_date=date(2012, 1, 1), experience_years=0.0)
    assert not student.is_young_specialist(day, 3, 35)
    unknown = Person(kind="staff", birth_date=date(2000, 1, 1), experience_years=None)
    assert not unknown.is_young_specialist(day, 3, 35)


def test_young_specialist_badge_follows_config(app, world, curator):
    young = make_person(
        world.school,
        last_name="Молодая",
        birth_date=today() - timedelta(days=25 * 366),
        experience_years=2.0,
        experience_on=today(),
    )
    db.session.commit()
    assert "молодой специалист" in curator.get(f"/participants/{young.id}").get_data(as_text=True)
    assert "молодой специалист" not in curator.get(f"/participants/{world.teacher.id}").get_data(as_text=True)
    app.config["YOUNG_SPECIALIST_MAX_YEARS"] = 1
    assert "молодой специалист" not in curator.get(f"/participants/{young.id}").get_data(as_text=True)
    app.config["YOUNG_SPECIALIST_MAX_YEARS"] = 3
    app.config["YOUNG_SPECIALIST_MAX_AGE"] = 24
    assert "молодой специалист" not in curator.get(f"/participants/{young.id}").get_data(as_text=True)


def test_detail_shows_consents_and_history_to_curator(world, curator):
    html = curator.get(f"/participants/{world.teacher.id}").get_data(as_text=True)
    assert "Согласия" in html and "История изменений" in html


def test_consent_records_unchanged_by_person_edit(world, curator):
    count = db.session.scalar(select(db.func.count(Consent.id)))
    curator.post(f"/participants/{world.teacher.id}/edit", data=_edit_form(world.teacher, last_name="Иная"))
    assert db.session.scalar(select(db.func.count(Consent.id))) == count


# --- Walk-through fixes: layout, print, focus ------------------------------------------------------


def test_detail_actions_are_not_forms_inside_a_paragraph(world, curator):
    html = curator.get(f"/participants/{world.teacher.id}").get_data(as_text=True)
    assert '<div class="actions no-print">' in html
    assert not re.search(r'<p class="actions[^"]*">\s*<a[^>]*>Изменить</a>\s*<form', html)


def test_org_column_only_for_several_schools(world, as_user):
    curator_html = as_user("curator").get("/participants/").get_data(as_text=True)
    assert '<th scope="col">Организация</th>' not in curator_html and 'id="org"' not in curator_html
    municipal = as_user("municipal")
    html = municipal.get("/participants/").get_data(as_text=True)
    assert '<th scope="col">Организация</th>' in html and 'id="org"' in html
    one = municipal.get("/participants/", query_string={"org": world.school.id}).get_data(as_text=True)
    assert '<th scope="col">Организация</th>' not in one and 'id="org"' in one


def test_print_caption_names_the_selection(world, curator):
    html = curator.get("/participants/", query_string={"kind": "staff", "consent": "eligible"}).get_data(
        as_text=True
    )
    caption = re.search(r'<caption class="print-only">(.*?)</caption>', html, re.S).group(1)
    assert "Педагог / работник ОО" in caption and "можно выгружать" in caption
    assert f"На {today():%d.%m.%Y}" in caption
    assert '<th scope="col" class="no-print">' in html


def test_row_edit_keeps_keyboard_focus(world, curator):
    teacher = world.teacher
    html = curator.get(f"/participants/{teacher.id}/row/edit", headers=HX).get_data(as_text=True)
    assert re.search(
        r'<input[^>]*autofocus[^>]*id="row-form-\d+-last_name"|<input[^>]*id="row-form-\d+-last_name"[^>]*autofocus',
        html,
    )
    data = {
        "last_name": "Петрова",
        "first_name": "Анна",
        "email": "bad",
        "phone": "",
        "position": "учитель",
        "version": str(teacher.version),
    }
    bad = curator.post(f"/participants/{teacher.id}/row/edit", headers=HX, data=data).get_data(as_text=True)
    focused = re.findall(r"<input[^>]*autofocus[^>]*>", bad)
    assert len(focused) == 1 and "-email" in focused[0]
    saved = curator.post(f"/participants/{teacher.id}/row/edit", headers=HX, data=data | {"email": ""})
    assert re.search(r'<a href="/participants/\d+" autofocus>Петрова', saved.get_data(as_text=True))


def test_new_student_form_folds_teacher_fields(world, curator):
    html = curator.get("/participants/new", query_string={"kind": "student"}).get_data(as_text=True)
    assert "<h1>Новый обучающийся</h1>" in html
    assert '<details class="more"><summary>Поля педагога</summary>' in html
    assert 'id="position"' in html  # folded, still there without JavaScript
    staff = curator.get("/participants/new", query_string={"kind": "staff"}).get_data(as_text=True)
    assert "<h1>Новый педагог</h1>" in staff and "Поля обучающегося" in staff


def test_error_summary_links_to_fields(world, curator):
    response = curator.post("/participants/new", data={"kind": "student", "org_id": str(world.school.id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<a href="#last_name">Фамилия</a>: Заполните поле «Фамилия».' in html
    assert re.search(
        r'<label for="last_name">Фамилия <span class="req" aria-hidden="true">\*</span></label>', html
    )


def test_student_gets_no_experience_date(world, curator):
    data = {
        "kind": "student",
        "org_id": str(world.school.id),
        "last_name": "Без",
        "first_name": "Стажа",
        "birth_date": (today() - timedelta(days=12 * 366)).strftime("%d.%m.%Y"),
        "class_name": "6А",
        "qualification_category": "",
    }
    assert curator.post("/participants/new", data=data).status_code == 303
    person = db.session.scalar(select(Person).where(Person.last_name == "Без"))
    assert person.experience_on is None


def test_guardian_page_links_back_to_students(world, curator):
    student = world.student
    mother = make_person(world.school, kind="parent", last_name="Сидорова", first_name="Мария")
    db.session.add(Guardianship(student=student, guardian=mother, relation="мать"))
    db.session.commit()
    html = curator.get(f"/participants/{mother.id}").get_data(as_text=True)
    assert "Законный представитель обучающихся" in html
    assert f'href="/participants/{student.id}"' in html
    assert 'id="consents-h"' not in html  # a representative's own consent is not asked for


def test_experience_and_age_in_russian(world, curator):
    html = curator.get(f"/participants/{world.teacher.id}").get_data(as_text=True)
    assert "2 года" in html  # experience_years=2.0 in the world
    assert re.search(r"\(\d+ (год|года|лет)\)", html)


def test_export_uses_short_kinds_and_marks_personal_data(world, curator):
    data = curator.get("/participants/export.xlsx").data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.cell(row=4, column=2).value in ("Педагог", "Обучающийся")
    assert "персональные данные" in sheet.oddFooter.left.text
