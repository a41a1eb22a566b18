"""Import of staff/student lists on the web: bad files, row errors, preview → confirm, re-import, all-or-nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from nastavnik.banks import services as bank_services
from nastavnik.extensions import db
from nastavnik.participants.models import Person

HEADER = ["№", "ФИО", "Дата рождения", "Должность", "Предметы", "Пед. стаж", "Категория", "Табельный номер"]
GOOD = [
    [1, "Волкова Ирина Сергеевна", "12.03.1990", "учитель", "математика", "3,5", "первая", "T-1"],
    [2, "ЗАЙЦЕВ Павел Олегович", "01.09.1985", "учитель истории", "история", "12", "высшая", ""],
]


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Кадровый список МБОУ СОШ № 3"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, name="kadry.xlsx", org_id=None, kind="staff"):
    return client.post(
        "/banks/import",
        data={"file": (io.BytesIO(data), name), "kind": kind, "org_id": org_id},
        content_type="multipart/form-data",
    )


def token_of(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('name="token" value="')[1].split('"')[0]


def people_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def test_rejects_wrong_type_and_content(curator, world):
    response = upload(curator, b"hello", name="list.txt", org_id=world.school.id)
    assert response.status_code == 422
    assert "Файл «list.txt» не поддерживается: загрузите таблицу .xlsx или .csv." in response.get_data(
        as_text=True
    )
    fake = upload(curator, b"ID;name\n1;2", name="fake.xlsx", org_id=world.school.id)
    assert fake.status_code == 422
    assert "не является книгой Excel (.xlsx)" in fake.get_data(as_text=True)


def test_size_limit(app, curator, world):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    response = upload(curator, b"x" * 5000, name="big.csv", org_id=world.school.id)
    assert response.status_code == 413


def test_bad_rows_are_shown_per_field_and_nothing_is_written(curator, world):
    before = people_count()
    rows = [
        GOOD[0],
        [2, "Петров", "31.02.1990", "учитель", "", "", "", ""],
        [3, "Сидорова Анна", "01.01.1990", "", "", "стаж большой", "", ""],
    ]
    response = upload(curator, xlsx(rows), org_id=world.school.id)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Строка 4, «ФИО»: указано только «Петров» — нужны как минимум фамилия и имя" in html
    assert "Строка 4, «Дата рождения»: такой даты нет: «31.02.1990» — проверьте день и месяц" in html
    assert "Строка 5, «Должность»: не заполнено" in html
    assert html.count('class="cell-error"') == 4  # the cells themselves are marked
    assert 'name="token"' not in html  # no confirmation offered for a file with errors
    assert people_count() == before


def test_preview_confirm_and_reimport_updates(curator, world):
    before = people_count()
    preview = upload(curator, xlsx(GOOD), org_id=world.school.id)
    assert preview.status_code == 200
    assert "Волкова" in preview.get_data(as_text=True)
    assert people_count() == before  # the preview writes nothing
    done = curator.post("/banks/import/confirm", data={"token": token_of(preview)}, follow_redirects=True)
    assert "Импорт выполнен: добавлено 2, обновлено 0." in done.get_data(as_text=True)
    volkova = db.session.scalar(select(Person).where(Person.last_name == "Волкова"))
    assert volkova.personnel_number == "T-1" and volkova.qualification_category == "first"
    assert volkova.experience_years == 3.5 and volkova.subjects == "математика"
    assert db.session.scalar(select(Person).where(Person.last_name == "Зайцев")).first_name == "Павел"

    changed = [list(GOOD[0]), list(GOOD[1])]
    changed[0][3] = "заместитель директора"
    changed[0][1] = "Волкова-Петрова Ирина Сергеевна"  # married: the табельный номер still finds her
    again = upload(curator, xlsx(changed), org_id=world.school.id)
    done = curator.post("/banks/import/confirm", data={"token": token_of(again)}, follow_redirects=True)
    assert "добавлено 0, обновлено 2." in done.get_data(as_text=True)
    assert people_count() == before + 2
    db.session.expire_all()
    volkova = db.session.get(Person, volkova.id)
    assert volkova.position == "заместитель директора" and volkova.last_name == "Волкова-Петрова"


def test_token_is_single_use_and_bound_to_uploader(as_user, world, client, app):
    curator = as_user("curator")
    preview = upload(curator, xlsx(GOOD), org_id=world.school.id)
    token = token_of(preview)
    stored = list((Path(app.instance_path) / "imports").glob(f"{token}.*"))
    assert len(stored) == 2
    client.post("/auth/logout")
    director = as_user("director")
    refused = director.post("/banks/import/confirm", data={"token": token}, follow_redirects=True)
    assert "не найден или устарел" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Person).where(Person.last_name == "Волкова")) is None
    client.post("/auth/logout")
    curator = as_user("curator")
    curator.post("/banks/import/confirm", data={"token": token})
    assert not list((Path(app.instance_path) / "imports").glob(f"{token}.*"))  # deleted after commit
    second = curator.post("/banks/import/confirm", data={"token": token}, follow_redirects=True)
    assert "не найден или устарел" in second.get_data(as_text=True)


def test_all_or_nothing(curator, world, monkeypatch):
    before = people_count()
    preview = upload(curator, xlsx(GOOD), org_id=world.school.id)
    real = bank_services._row_values
    calls = []

    def failing(row, kind, day):
        calls.append(row)
        if len(calls) == 2:
            raise RuntimeError("сбой на второй строке")
        return real(row, kind, day)

    monkeypatch.setattr(bank_services, "_row_values", failing)
    with pytest.raises(RuntimeError):
        curator.post("/banks/import/confirm", data={"token": token_of(preview)})
    db.session.rollback()
    assert people_count() == before


def test_csv_students_and_scope(as_user, world):
    curator = as_user("curator")
    data = "ФИО;Дата рождения;Класс\nОрлов Никита Ильич;05.05.2012;7 б\n".encode("cp1251")
    preview = upload(curator, data, name="7b.csv", org_id=world.school.id, kind="student")
    assert preview.status_code == 200
    curator.post("/banks/import/confirm", data={"token": token_of(preview)})
    orlov = db.session.scalar(select(Person).where(Person.last_name == "Орлов"))
    assert orlov.kind == "student" and orlov.class_name == "7Б"
    other = upload(curator, data, name="7b.csv", org_id=world.other_school.id, kind="student")
    assert other.status_code in (404, 422)
