"""Roadmaps on the web: adopting templates, import, statuses, evidence, export and access."""

from __future__ import annotations

import html
import io
import re
from datetime import date

import docx
import openpyxl
import pytest
from sqlalchemy import func, select

from nastavnik.extensions import db as _db
from nastavnik.roadmaps.builtin import load_builtin
from nastavnik.roadmaps.models import Roadmap, RoadmapEvidence, RoadmapItem
from nastavnik.roadmaps.services import create_roadmap, document_type, parse_responsible
from tests.roadmaps.test_tables import SEED_003_ROWS

SEED_COLUMNS = [
    "№ п/п",
    "Наименование мероприятия",
    "Срок реализации",
    "Ответственный исполнитель",
    "Результат, вид документа",
]
# Seed 000's own headings («№п/п», «Сроки реализации»), kept in its exports.
PENZA_COLUMNS = [
    "№п/п",
    "Наименование мероприятия",
    "Сроки реализации",
    "Ответственный исполнитель",
    "Результат, вид документа",
]
HX = {"HX-Request": "true"}
PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """Statuses are judged on a fixed day inside the 2025/2026 academic year."""
    day = date(2025, 10, 15)
    monkeypatch.setattr("nastavnik.roadmaps.routes.today", lambda: day)
    return day


def roadmap_count() -> int:
    return _db.session.scalar(select(func.count(Roadmap.id)))


def adopt(client, org_id, code="penza_school30_2022", year=2025, years=1, action="save", **extra):
    data = {
        "template": code,
        "org_id": org_id,
        "academic_year": year,
        "year_count": years,
        "shift_dates": "y",
        "action": action,
        **extra,
    }
    return client.post("/roadmaps/adopt", data=data)


def only_roadmap() -> Roadmap:
    return _db.session.scalars(select(Roadmap).where(Roadmap.parent_roadmap_id.is_(None))).one()


def texts(roadmap: Roadmap) -> list[tuple[str, str, str, str]]:
    return [(i.name, i.deadline_text, i.responsible_text, i.result_text) for i in roadmap.items()]


def school_roadmap(world, code="penza_school30_2022", shift: bool = True) -> Roadmap:
    """The template for 2025/2026, its years moved (``shift``) or as written (as an import would)."""
    roadmap = create_roadmap(load_builtin(code), world.school, 2025, shift_dates=shift)
    _db.session.commit()
    return roadmap


# -- adopting ------------------------------------------------------------------------------------------------


def test_adopting_seed_000_dates_september_items_in_september_2025(as_user, world):
    client = as_user("curator")
    preview = adopt(client, world.school.id, action="preview")
    assert preview.status_code == 200
    assert "сентябрь 2025" in preview.text and roadmap_count() == 0  # a preview saves nothing

    response = adopt(client, world.school.id)
    assert response.status_code == 303
    roadmap = only_roadmap()
    assert roadmap.template_code == "penza_school30_2022" and len(roadmap.template_version) == 64
    september = [i for i in roadmap.items() if i.deadline_text == "Ежегодно, сентябрь"]
    assert len(september) == 6  # one academic year: one occurrence per yearly item
    assert all((i.due_start, i.due_end) == (date(2025, 9, 1), date(2025, 9, 30)) for i in september)
    assert {i.occurrence_label for i in september} == {"сентябрь 2025"}
    first = roadmap.items()[0]
    # the plan is the school's: the year moved in the text with the date (issue 7: no document years)
    assert first.deadline_text == "Октябрь 2025" and first.due_end == date(2025, 10, 31)
    assert (first.responsible_kind, first.responsible_role, first.document_type) == (
        "role",
        "director",
        "приказ",
    )
    whole_year = next(i for i in roadmap.items() if i.deadline_text == "В течение года")
    assert (whole_year.due_start, whole_year.due_end) == (date(2025, 9, 1), date(2026, 8, 31))


def test_yearly_items_repeat_once_per_adopted_year(as_user, world):
    client = as_user("curator")
    assert adopt(client, world.school.id, years=3).status_code == 303
    roadmap = only_roadmap()
    item_1_2 = [i for i in roadmap.items() if i.number == "1.2."]
    assert [i.occurrence_label for i in item_1_2] == ["сентябрь 2025", "сентябрь 2026", "сентябрь 2027"]
    assert roadmap.year_label == "2025/2026 – 2027/2028"


def test_adopt_for_a_school_outside_scope_is_refused(as_user, world):
    client = as_user("curator")
    response = adopt(client, world.other_school.id)
    assert response.status_code == 422  # not among the choices
    assert roadmap_count() == 0


def test_responsible_and_document_keywords():
    assert parse_responsible("Куратор внедрения целевой модели наставничества") == ("role", "curator")
    assert parse_responsible("Заместитель директора по учебной работе") == ("role", "deputy")
    assert parse_responsible("Экспертный совет при МКУ УО Кежемского района") == ("role", "council")
    assert parse_responsible("МКУ УО Кежемского района") == ("org", "authority")
    assert parse_responsible("ИМО") == ("org", "methodical")
    assert parse_responsible("ОО") == ("org", "school")
    assert parse_responsible("Иванова И.И.") == ("text", "")
    assert document_type("База наставляемых с перечнем запросов") == "база"
    assert document_type("Аналитическая справка") == "аналитическая справка"
    assert document_type("Приказ о закреплении наставнических пар") == "приказ"


# -- import ----------------------------------------------------------------------------------------------------


def docx_bytes(rows: list[list[str]]) -> bytes:
    document = docx.Document()
    document.add_paragraph("План мероприятий")
    width = len(rows[0])
    table = document.add_table(rows=0, cols=width)
    for cells in rows:
        row = table.add_row()
        filled = [c for c in cells if c]
        if len(filled) == 1 and cells[0]:  # a stage row spans the table, as in the seed
            row.cells[0].merge(row.cells[-1]).text = cells[0]
            continue
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str):
    return client.post(
        "/roadmaps/import",
        data={"step": "upload", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def map_and_save(client, page: str, world, title="Загружено", **extra):
    """Submit step 2 with the hidden rows and the pre-filled mapping the page offers."""
    rows_json = re.search(r'name="rows_json" type="hidden" value="([^"]*)"', page).group(1)
    data = {
        "step": "map",
        "action": "save",
        "rows_json": html.unescape(rows_json),
        "org_id": world.school.id,
        "academic_year": 2025,
        "year_count": 1,
        "title": title,
        "level": "school",
    }
    data["header_row"] = re.search(r'<option value="(-?\d+)" selected', page).group(1)
    for column, chosen in re.findall(
        r'<select id="col_(\d+)" name="col_\d+">.*?<option value="(\w+)" selected', page
    ):
        data[f"col_{column}"] = chosen
    data.update(extra)
    return client.post("/roadmaps/import", data=data)


def test_import_docx_with_seed_003_table_gives_the_builtin_items(as_user, world):
    client = as_user("curator")
    step2 = upload(client, docx_bytes(SEED_003_ROWS), "zakharvan.docx")
    assert step2.status_code == 200
    assert "Октябрь 2023- Апрель 2024г." in step2.text and "1 раз в полугодие" in step2.text  # preview
    assert roadmap_count() == 0
    assert map_and_save(client, step2.text, world).status_code == 303
    imported = only_roadmap()

    builtin = school_roadmap(world, "zakharvan_2023", shift=False)
    assert texts(imported) == texts(builtin)
    assert [(s.number, s.title, s.task) for s in imported.sections] == [
        (s.number, s.title, s.task) for s in builtin.sections
    ]
    halfyear = [i for i in imported.items() if i.deadline_text == "1 раз в полугодие"]
    assert [(i.due_start, i.due_end) for i in halfyear] == [
        (date(2025, 9, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 5, 31)),
    ]


def seed_004_paste() -> str:
    draft = load_builtin("nn_school128_2020")
    lines = [
        "\t".join(
            [
                "№ п/п",
                "Наименование мероприятий",
                "Срок реализации",
                "Ответственный исполнитель",
                "Результат. Вид документа",
            ]
        )
    ]
    for section in draft.sections:
        lines.append(f"{section.number} {section.title}")
        for item in section.items:
            lines.append(
                "\t".join(
                    [item.number, item.name, item.deadline_text, item.responsible_text, item.result_text]
                )
            )
    return "\n".join(lines)


def test_pasted_seed_004_gives_the_builtin_items(as_user, world):
    client = as_user("curator")
    step2 = client.post("/roadmaps/import", data={"step": "upload", "text": seed_004_paste()})
    assert step2.status_code == 200 and "с 1 по 15 сентября 2020 г." in step2.text
    assert map_and_save(client, step2.text, world).status_code == 303
    imported = only_roadmap()
    builtin = school_roadmap(world, "nn_school128_2020", shift=False)
    assert texts(imported) == texts(builtin)
    assert [i.number for i in imported.items()] == [i.number for i in builtin.items()]
    # an import is taken as written for its year: «до 20.08.2020» stays in 2020
    assert next(i for i in imported.items() if i.number == "1.2.").due_end == date(2020, 8, 20)


def test_unreadable_deadline_is_kept_and_flagged(as_user, world):
    client = as_user("curator")
    text = "№ п/п\tНаименование мероприятия\tСрок реализации\n1.1\tСовещание\tкогда получится\n"
    step2 = client.post("/roadmaps/import", data={"step": "upload", "text": text})
    assert "срок не распознан" in step2.text
    assert map_and_save(client, step2.text, world).status_code == 303
    item = only_roadmap().items()[0]
    assert item.deadline_text == "когда получится" and item.due_end is None
    assert "срок не распознан" in item.flags


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"just text", "plan.txt", "можно загрузить документ Word (.docx) или книгу Excel (.xlsx)"),
        (b"not a zip", "plan.docx", "не удалось прочитать как документ Word"),
        (b"not a zip", "plan.xlsx", "не удалось прочитать как книгу Excel"),
        (None, "no_table.docx", "в документе нет таблицы"),
    ],
)
def test_bad_files_get_a_russian_message_and_save_nothing(as_user, world, data, name, message):
    if data is None:
        document = docx.Document()
        document.add_paragraph("Только текст, без таблицы")
        out = io.BytesIO()
        document.save(out)
        data = out.getvalue()
    response = upload(as_user("curator"), data, name)
    assert response.status_code == 422
    assert message in response.text
    assert roadmap_count() == 0


def test_empty_paste_and_wrong_columns_save_nothing(as_user, world):
    client = as_user("curator")
    empty = client.post("/roadmaps/import", data={"step": "upload", "text": "  \n "})
    assert empty.status_code == 422 and "вставленный текст пустой" in empty.text

    workbook = openpyxl.Workbook()
    workbook.active.append(["Фамилия", "Телефон"])
    workbook.active.append(["Иванов", "123"])
    out = io.BytesIO()
    workbook.save(out)
    step2 = upload(client, out.getvalue(), "people.xlsx")
    assert step2.status_code == 200
    saved = map_and_save(client, step2.text, world)
    assert saved.status_code == 422
    assert "не выбрана колонка «Наименование мероприятия»" in saved.text
    assert roadmap_count() == 0

    tampered = map_and_save(client, step2.text, world, rows_json="{broken")
    assert tampered.status_code == 422 and "загрузите файл ещё раз" in tampered.text


# -- statuses -----------------------------------------------------------------------------------------------


def test_status_change_with_htmx_returns_the_row(as_user, world, fixed_today):
    roadmap = school_roadmap(world)
    item = roadmap.items()[1]
    client = as_user("curator")
    response = client.post(
        f"/roadmaps/items/{item.id}/status",
        data={"status": "done", "done_on": "01.10.2025", "version": item.version},
        headers=HX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="item-{item.id}"')
    assert "выполнено" in response.text and "01.10.2025" in response.text
    _db.session.expire_all()
    item = _db.session.get(RoadmapItem, item.id)
    assert (item.status, item.done_on) == ("done", date(2025, 10, 1))


def test_plain_status_change_redirects_and_done_without_date_means_today(as_user, world, fixed_today):
    roadmap = school_roadmap(world)
    item = roadmap.items()[1]
    response = as_user("curator").post(
        f"/roadmaps/items/{item.id}/status", data={"status": "done", "version": item.version}
    )
    assert response.status_code == 303 and response.location.endswith(
        f"/roadmaps/{roadmap.id}#item-{item.id}"
    )
    _db.session.expire_all()
    assert _db.session.get(RoadmapItem, item.id).done_on == fixed_today


def test_stale_version_answers_409_with_the_current_row(as_user, world):
    roadmap = school_roadmap(world)
    item = roadmap.items()[1]
    client = as_user("curator")
    stale = item.version
    assert (
        client.post(
            f"/roadmaps/items/{item.id}/status", data={"status": "in_progress", "version": stale}, headers=HX
        ).status_code
        == 200
    )
    response = client.post(
        f"/roadmaps/items/{item.id}/status", data={"status": "cancelled", "version": stale}, headers=HX
    )
    assert response.status_code == 409
    assert "изменил другой пользователь" in response.text and "в работе" in response.text
    _db.session.expire_all()
    assert _db.session.get(RoadmapItem, item.id).status == "in_progress"

    plain = client.post(f"/roadmaps/items/{item.id}/status", data={"status": "cancelled", "version": stale})
    assert plain.status_code == 409 and "изменил другой пользователь" in plain.text


def test_bad_done_date_answers_422_in_the_row(as_user, world):
    item = school_roadmap(world).items()[0]
    response = as_user("curator").post(
        f"/roadmaps/items/{item.id}/status",
        data={"status": "done", "done_on": "32.13.2025", "version": item.version},
        headers=HX,
    )
    assert response.status_code == 422 and "Статус не сохранён" in response.text


def test_overdue_is_derived_not_stored(world, fixed_today):
    item = school_roadmap(world).items()[1]  # «Ежегодно, сентябрь» → due 30.09.2025
    assert item.status == "planned" and item.display_status(fixed_today) == "overdue"
    item.status = "done"
    assert item.display_status(fixed_today) == "done"


# -- evidence --------------------------------------------------------------------------------------------------


def post_evidence(client, item, data: bytes | None = None, name: str = "", **fields):
    form = dict(fields)
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post(
        f"/roadmaps/items/{item.id}/evidence", data=form, content_type="multipart/form-data", headers=HX
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (PDF, "order.exe", "Недопустимый тип файла"),
        (b"", "order.pdf", "Файл пустой"),
        (b"MZ\x90\x00 not a pdf", "order.pdf", "не похоже на PDF"),
        (b"PK\x03\x04 broken", "order.docx", "не похоже на DOCX"),
        (PDF + b"0" * (5 * 1024 * 1024), "order.pdf", "не более 5 МБ"),
    ],
)
def test_evidence_upload_checks_type_magic_and_size(as_user, world, data, name, message):
    item = school_roadmap(world).items()[0]
    response = post_evidence(as_user("curator"), item, data, name)
    assert response.status_code == 422 and message in response.text
    assert _db.session.scalar(select(func.count(RoadmapEvidence.id))) == 0


def test_evidence_file_and_link_are_kept_and_downloadable(as_user, world):
    item = school_roadmap(world).items()[0]
    client = as_user("curator")
    response = post_evidence(client, item, PDF, "prikaz.pdf", title="Приказ № 5")
    assert response.status_code == 200 and "Приказ № 5" in response.text
    assert post_evidence(client, item, link_url=f"/participants/{world.teacher.id}").status_code == 200
    assert post_evidence(client, item, link_url="javascript:alert(1)").status_code == 422
    file_evidence, link = _db.session.scalars(select(RoadmapEvidence).order_by(RoadmapEvidence.id)).all()
    download = client.get(f"/roadmaps/evidence/{file_evidence.id}")
    assert download.status_code == 200 and download.data == PDF
    assert client.get(f"/roadmaps/evidence/{link.id}").status_code == 303


# -- export and views ------------------------------------------------------------------------------------------


def test_exports_open_and_have_the_seed_columns(as_user, world):
    roadmap = school_roadmap(world)
    item = roadmap.items()[0]
    item.status, item.done_on = "done", date(2025, 10, 3)
    _db.session.commit()
    client = as_user("curator")
    document = docx.Document(io.BytesIO(client.get(f"/roadmaps/{roadmap.id}/export.docx").data))
    header = [cell.text for cell in document.tables[0].rows[0].cells]
    assert header[:5] == PENZA_COLUMNS  # the document's own headings (issue 7, roadmaps 8)
    assert "выполнено 03.10.2025" in "\n".join(c.text for row in document.tables[0].rows for c in row.cells)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/roadmaps/{roadmap.id}/export.xlsx").data)).active
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert any(row[:5] == PENZA_COLUMNS for row in rows)


def test_plan_timeline_print_and_mine(as_user, world):
    roadmap = school_roadmap(world)
    client = as_user("curator")
    plan = client.get(f"/roadmaps/{roadmap.id}")
    assert plan.status_code == 200
    assert (
        'class="item-row status-overdue"' in plan.text
        and 'class="item-row status-planned upcoming"' in plan.text
    )
    timeline = client.get(f"/roadmaps/{roadmap.id}/timeline")
    assert timeline.status_code == 200 and "Сентябрь 2025" in timeline.text and "Май 2026" in timeline.text
    assert client.get(f"/roadmaps/{roadmap.id}/print").status_code == 200
    mine = client.get("/roadmaps/mine")
    assert mine.status_code == 200
    assert "Проведение анкетирования" in mine.text  # «Куратор …» items belong to the curator
    director_mine = as_user("director").get("/roadmaps/mine")
    assert "Проведение анкетирования" not in director_mine.text and "Приказ директора" in director_mine.text


# -- access ----------------------------------------------------------------------------------------------------


def test_curator_of_another_municipality_gets_404(as_user, world):
    roadmap = school_roadmap(world)
    item = roadmap.items()[0]
    client = as_user("curator")
    assert post_evidence(client, item, PDF, "a.pdf").status_code == 200
    evidence_id = _db.session.scalar(select(RoadmapEvidence.id))
    client.post("/auth/logout")
    other = as_user("curator_other")
    assert roadmap.title not in other.get("/roadmaps/").text
    for url in (
        f"/roadmaps/{roadmap.id}",
        f"/roadmaps/{roadmap.id}/export.xlsx",
        f"/roadmaps/{roadmap.id}/timeline",
        f"/roadmaps/evidence/{evidence_id}",
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/roadmaps/items/{item.id}/status", data={"status": "done"}).status_code == 404
    assert post_evidence(other, item, PDF, "b.pdf").status_code == 404


@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_mentors_and_mentees_have_no_roadmap_lists(as_user, world, role):
    client = as_user(role)
    assert client.get("/roadmaps/").status_code == 403
    assert client.get("/roadmaps/adopt").status_code == 403
    mine = client.get("/roadmaps/mine")  # their own items, when a curator names them responsible
    assert mine.status_code == 200 and "За вами пока нет мероприятий" in mine.text
    assert 'href="/roadmaps/"' not in mine.text.split("<main", 1)[1]  # no link that would answer 403


def test_observer_reads_but_cannot_change(as_user, world):
    roadmap = school_roadmap(world)
    item = roadmap.items()[0]
    client = as_user("observer")
    page = client.get(f"/roadmaps/{roadmap.id}")
    assert page.status_code == 200 and "status-form" not in page.text
    assert client.post(f"/roadmaps/items/{item.id}/status", data={"status": "done"}).status_code == 403
