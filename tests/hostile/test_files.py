"""Hostile and broken files: every reader is bounded, says which bound in Russian, and writes nothing.

The bound on work is measured by counting the rows openpyxl hands out and by tracemalloc's peak, never
by wall-clock time. Before the fix a 4.7 KB sheet claiming 100 000 rows took 70 s and 2.7 GB in the
roadmap import, and a 200 KB zip bomb 49 s and 1.3 GB.
"""

from __future__ import annotations

import io
import itertools
import json
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from sqlalchemy import func, select

from nastavnik.banks.people_import import ImportFileError, read_table
from nastavnik.extensions import db
from nastavnik.participants.models import Person
from nastavnik.roadmaps.models import Roadmap
from nastavnik.roadmaps.tables import read_docx_tables, read_pasted_table, read_xlsx_table
from nastavnik.web import uploads
from nastavnik.web.uploads import EMPTY_RUN, Limits, UploadReader, UploadRejected
from tests.hostile import files

NBSP = "\u00a0"
UNPACKED = "распаковывается больше чем в 50 МБ (64 МБ) — допускается не более 50 МБ"
DTD = "содержит объявление DTD или XML-сущности"


@contextmanager
def counted_rows(limit: int = 20_000):
    """Count the rows and cells openpyxl's read-only sheets hand out; fail fast past ``limit`` rows."""
    counter = {"rows": 0, "cells": 0}
    original = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for row in original(self, *args, **kwargs):
            counter["rows"] += 1
            counter["cells"] += len(row)
            assert counter["rows"] <= limit, "the reader walks the sheet's claimed size"
            yield row

    ReadOnlyWorksheet._cells_by_row = counting
    try:
        yield counter
    finally:
        ReadOnlyWorksheet._cells_by_row = original


@contextmanager
def peak_memory():
    result = {}
    tracemalloc.start()
    try:
        yield result
    finally:
        result["mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()


# --- sparse sheets: the dimension lies ---------------------------------------------------------------


def test_sparse_sheet_claiming_100000_rows_is_read_in_bounded_rows_and_memory():
    data = files.sparse_sheet(rows=100_000, last_column="XFD")
    assert len(data) < 5_000
    with counted_rows() as counter, peak_memory() as memory:
        rows = read_table("kadry.xlsx", data)
    assert [list(row) for row in rows] == [["ФИО", "Должность", "Наименование"], ["Петрова Анна Ивановна", "учитель"]]
    assert counter["rows"] <= EMPTY_RUN + 3  # header, one row, the empty run: not 100 000
    assert counter["cells"] < 100  # not every row padded to the claimed 16 384 columns
    assert memory["mb"] < 20  # naive: 100 000 × 16 384 cells


def test_roadmap_xlsx_reader_ignores_the_claimed_size_too():
    data = files.sparse_sheet(rows=100_000, last_column="XFD")
    with counted_rows() as counter, peak_memory() as memory:
        rows = read_xlsx_table(data)
    assert rows[0] == ["ФИО", "Должность", "Наименование"]
    assert counter["rows"] <= EMPTY_RUN + 3
    assert counter["cells"] < 100
    assert memory["mb"] < 20


def test_20000_real_empty_styled_rows_stop_after_the_empty_run():
    data = files.styled_rows_sheet(rows=20_000)
    with counted_rows() as counter:
        rows = read_table("a.xlsx", data)
    assert [list(row) for row in rows] == [["ФИО", "Должность", "Наименование"]]
    assert counter["rows"] <= EMPTY_RUN + 2


def test_a_row_wider_than_the_column_limit_is_refused_with_the_limit():
    data = files.wide_row_sheet(columns=5_000)
    with pytest.raises(ImportFileError) as error:
        read_table("wide.xlsx", data)
    assert error.value.message == (
        "В файле «wide.xlsx» в строке 2 заполнено больше 200 столбцов — допускается не более 200. "
        "Удалите лишние столбцы."
    )


# --- zip bombs and lying archives ---------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["people", "roadmap"])
def test_zip_bomb_is_refused_before_anything_is_unpacked(reader):
    bomb = files.zip_bomb_xlsx(64)
    assert len(bomb) < 200_000
    with peak_memory() as memory:
        with pytest.raises((ImportFileError, UploadRejected)) as error:
            if reader == "people":
                read_table("bomb.xlsx", bomb)
            else:
                read_xlsx_table(bomb, UploadReader("bomb.xlsx"))
    assert f"Файл «bomb.xlsx» {UNPACKED}" in error.value.message
    assert memory["mb"] < 5  # the 64 MB were never inflated


def test_a_bomb_under_the_size_limit_is_caught_by_its_ratio():
    bomb = files.zip_bomb_xlsx(20)
    with pytest.raises(UploadRejected) as error:
        UploadReader("bomb.xlsx").check_package(bomb, "xlsx")
    assert "сжат подозрительно сильно: часть «xl/worksheets/sheet1.xml»" in error.value.message
    assert "допускается не более 100" in error.value.message


def test_an_archive_that_lies_about_its_sizes_is_damaged_not_read_to_the_end():
    data = files.lying_zip(declared=1000)
    with peak_memory() as memory, pytest.raises(ImportFileError, match="повреждён"):
        read_table("liar.xlsx", data)
    assert memory["mb"] < 10


def test_too_many_parts():
    with pytest.raises(UploadRejected, match=f"больше чем из 1{NBSP}000 частей — допускается не более 1{NBSP}000"):
        UploadReader("parts.xlsx").check_package(files.many_members_zip(2_000), "xlsx")


# --- XML: entities, DTDs, element floods -----------------------------------------------------------------


@pytest.mark.parametrize(
    "build", [files.docx_with_external_entity, files.docx_with_entity_expansion], ids=["xxe", "billion_laughs"]
)
def test_docx_with_a_dtd_is_refused(build):
    with pytest.raises(UploadRejected) as error:
        read_docx_tables(build(), UploadReader("plan.docx"))
    assert error.value.message.startswith(f"Файл «plan.docx» {DTD} (часть «word/document.xml»)")


def test_xlsx_with_an_external_entity_is_refused():
    with pytest.raises(ImportFileError, match=DTD):
        read_table("kadry.xlsx", files.xlsx_with_external_entity())


def test_an_element_flood_is_refused_before_python_docx_builds_the_tree(monkeypatch):
    data = files.docx_with_many_elements(paragraphs=20_000)  # 80 000 elements
    built = []
    monkeypatch.setattr("docx.Document", lambda *a, **k: built.append(1))
    with pytest.raises(UploadRejected) as error:
        read_docx_tables(data, UploadReader("flood.docx", Limits(xml_elements=50_000)))
    assert error.value.message == (
        f"Файл «flood.docx» слишком сложный: в нём больше 50{NBSP}000 элементов разметки — допускается "
        f"не более 50{NBSP}000. Разбейте его на несколько файлов."
    )
    assert built == []


def test_honest_files_still_read():
    assert read_docx_tables(files.roadmap_docx())[0] == files.ROADMAP_ROWS


# --- CSV and pasted text ---------------------------------------------------------------------------------


def test_csv_cell_over_131072_characters_is_a_message_not_a_crash():
    with pytest.raises(ImportFileError) as error:
        read_table("kadry.csv", files.csv_with_huge_cell(200_000))
    assert error.value.message == (
        f"В файле «kadry.csv», строка 2, есть ячейка длиннее 32{NBSP}767 символов — допускается не более 32{NBSP}767."
    )


def test_csv_cell_between_excels_limit_and_csvs_is_refused_too():
    with pytest.raises(ImportFileError, match="ячейка длиннее 32"):
        read_table("kadry.csv", files.csv_with_huge_cell(40_000))


def test_pasted_table_is_bounded_like_a_file():
    text = "№\tМероприятие\n" + "".join(f"{n}\tСовещание {n}\n" for n in range(1, 12))
    with pytest.raises(UploadRejected, match="больше 10 заполненных строк — допускается не более 10"):
        read_pasted_table(text, UploadReader(limits=Limits(rows=10)))


# --- the time bound -----------------------------------------------------------------------------------------


def test_reading_stops_at_the_deadline(monkeypatch):
    """A thread cannot be interrupted, so readers check the clock as they go; a fake clock proves they do."""
    ticks = itertools.count(0, 10)  # every look at the clock is ten seconds later
    monkeypatch.setattr(uploads, "clock", lambda: next(ticks))
    rows = [["ФИО", "Должность"]] + [[f"Иванов Иван {n}", "учитель"] for n in range(400)]
    data = "\n".join(";".join(row) for row in rows).encode()
    with pytest.raises(ImportFileError) as error:
        read_table("slow.csv", data)
    assert error.value.message.startswith("Файл «slow.csv» читается дольше 20 с — допускается не более 20 с")


# --- on the web: 422, the message, nothing written ---------------------------------------------------------


def people_upload(client, data: bytes, name: str, org_id: int):
    return client.post(
        "/banks/import",
        data={"file": (io.BytesIO(data), name), "kind": "staff", "org_id": org_id},
        content_type="multipart/form-data",
    )


def roadmap_upload(client, data: bytes, name: str):
    return client.post(
        "/roadmaps/import",
        data={"step": "upload", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _written(app) -> tuple:
    imports = Path(app.instance_path) / "imports"
    kept = sorted(p.name for p in imports.iterdir()) if imports.exists() else []
    return (
        db.session.scalar(select(func.count(Person.id))),
        db.session.scalar(select(func.count(Roadmap.id))),
        kept,
    )


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("bomb.xlsx", lambda: files.zip_bomb_xlsx(64), UNPACKED),
        ("sparse.xlsx", lambda: files.wide_row_sheet(1_000), "заполнено больше 200 столбцов"),
        ("xxe.xlsx", files.xlsx_with_external_entity, DTD),
        ("huge.csv", lambda: files.csv_with_huge_cell(200_000), "ячейка длиннее 32"),
    ],
)
def test_people_import_refuses_with_422_and_writes_nothing(app, world, curator, name, build, message):
    before = _written(app)
    response = people_upload(curator, build(), name, world.school.id)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _written(app) == before


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("bomb.xlsx", lambda: files.zip_bomb_xlsx(64), UNPACKED),
        ("xxe.docx", files.docx_with_external_entity, DTD),
        ("laughs.docx", files.docx_with_entity_expansion, DTD),
    ],
)
def test_roadmap_import_refuses_with_422_and_writes_nothing(app, world, curator, name, build, message):
    before = _written(app)
    response = roadmap_upload(curator, build(), name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"Таблица не загружена. Файл «{name}» " in html and message in html
    assert _written(app) == before


def test_sparse_roadmap_sheet_uploads_quickly_and_correctly(app, world, curator):
    with counted_rows() as counter:
        response = roadmap_upload(curator, files.sparse_sheet(), "sparse.xlsx")
    assert response.status_code == 200
    assert "Петрова Анна Ивановна" in response.get_data(as_text=True)
    assert counter["rows"] <= EMPTY_RUN + 3


def test_limits_are_settings(app, world, curator):
    app.config["UPLOAD_MAX_ROWS"] = 1
    response = people_upload(curator, "ФИО;Должность\nИванов Иван;учитель\n".encode(), "two.csv", world.school.id)
    assert response.status_code == 422
    assert "В файле «two.csv» больше 1 заполненной строки — допускается не более 1." in response.get_data(as_text=True)


def test_rows_posted_back_between_roadmap_import_steps_are_bounded(app, world, curator):
    app.config["UPLOAD_MAX_ROWS"] = 2
    rows = [["№", "Мероприятие"], ["1", "a"], ["2", "b"]]
    response = curator.post("/roadmaps/import", data={"step": "map", "rows_json": json.dumps(rows)})
    assert response.status_code == 422
    assert "больше 2 заполненных строк" in response.get_data(as_text=True)


# --- imports validate as the forms do --------------------------------------------------------------------


def test_a_32767_character_surname_is_refused_at_its_row_and_field_and_nothing_is_written(app, world, curator):
    before = _written(app)
    response = people_upload(curator, files.csv_with_long_surname(32_767), "kadry.csv", world.school.id)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Строка 2, «Фамилия»: значение не должно содержать более 100 символов" in html
    assert '<td class="cell-error">' + "Д" * 100 in html  # shown in the cell of the wrong field
    assert 'name="token"' not in html  # no way to confirm: all or nothing
    assert _written(app) == before


def test_import_uses_the_participant_forms_limits_for_every_field():
    from datetime import date

    from nastavnik.banks.people_import import parse_people

    rows = [
        ["ФИО", "Должность", "Табельный номер", "Предметы"],
        ["Иванова Анна " + "Ю" * 101, "учитель", "T-1", "математика"],
        ["Петрова Вера Ивановна", "у" * 201, "T-2", "физика"],
        ["Сидорова Ольга Петровна", "учитель", "Т" * 51, "химия"],
        ["Орлова Нина Павловна", "учитель", "T-4", ", ".join(f"предмет{'а' * n}" for n in range(40))],
        ["Лебедева Юлия Олеговна", "учитель", "T-5", "история"],
    ]
    preview = parse_people(rows, "staff", date(2026, 1, 1))
    assert preview.messages() == [
        "Строка 2, «ФИО»: отчество — значение не должно содержать более 100 символов",
        "Строка 3, «Должность»: значение не должно содержать более 200 символов",
        "Строка 4, «Табельный номер»: значение не должно содержать более 50 символов",
        "Строка 5, «Предметы»: значение не должно содержать более 500 символов",
    ]
    assert preview.rows[-1].ok


def test_xml_events_keep_memory_flat_on_a_long_stream():
    """The merged-cell scan and the package check stream whole worksheets: nothing behind stays alive."""
    body = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(20_000))
    xml = b'<?xml version="1.0"?><worksheet><sheetData>' + body + b"</sheetData></worksheet>"
    with peak_memory() as memory:
        ended = sum(1 for kind, _ in uploads.xml_events(io.BytesIO(xml)) if kind == "end")
    assert ended == 60_002
    assert memory["mb"] < 3  # the whole tree of 60 000 elements takes about 16 MB
