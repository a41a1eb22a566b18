"""Roadmap export to .docx and .xlsx: the seed layout, and reading the files back."""

from __future__ import annotations

import datetime as dt
import io

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from nastavnik.roadmaps.export import export_docx, export_xlsx
from nastavnik.roadmaps.mapping import build_draft, find_header_row, guess_mapping
from nastavnik.roadmaps.structs import ItemDraft, RoadmapDraft, SectionDraft
from nastavnik.roadmaps.tables import read_docx_tables, read_xlsx_table

COLUMNS = [
    "№ п/п",
    "Наименование мероприятия",
    "Срок реализации",
    "Ответственный исполнитель",
    "Результат, вид документа",
]
STATUS_COLUMNS = ["Статус", "Отметка о выполнении"]


def common_draft() -> RoadmapDraft:
    """The common layout: a few rows of seed 004, numbered, with free-text deadlines."""
    return RoadmapDraft(
        title="План мероприятий (дорожная карта) внедрения Целевой модели наставничества обучающихся",
        approval_text="Приложение 1\nК приказу от 01.09.2020 № 328-01-02",
        sections=[
            SectionDraft("1", "Нормативное правовое регулирование внедрения методологии ( целевой модели) наставничества", items=[
                ItemDraft("1.1.", "Разработка дорожных карт внедрения целевой модели наставничества в МАОУ «Школа № 128»",
                          deadline_text="август", responsible_text="социальный педагог", result_text="дорожные карты"),
                ItemDraft("1.2.", "Разработка и утверждение распорядительных актов о внедрении ЦМН на уровне школы",
                          deadline_text="до 20.08.2020", responsible_text="заместитель директора А.В. Матасова",
                          result_text="приказы МАОУ «Школа № 128»"),
            ]),
            SectionDraft("2", "Организационная, методическая, экспертно-консультационная поддержка", items=[
                ItemDraft("2.1.", "Формирование перечня партнерских организаций", deadline_text="до 31.08.2020",
                          responsible_text="социальный педагог", result_text="перечень партнерских организаций"),
            ]),
            SectionDraft("7", "Координация и управление реализацией внедрения целевой модели наставничества", items=[
                ItemDraft("7.1.", "- контроль процедуры внедрения целевой модели наставничества;",
                          deadline_text="по 31 декабря 2020 г.", responsible_text="заместитель директора А.В. Матасова"),
            ]),
        ],
    )  # fmt: skip


def komi_draft() -> RoadmapDraft:
    """Seed 003: Roman stage numbers, tasks, unnumbered items with «Содержание деятельности»."""
    return RoadmapDraft(
        title="План мероприятий («дорожная карта») внедрения целевой модели наставничества",
        sections=[
            SectionDraft("1", "Подготовка условий для запуска Целевой модели наставничества",
                         task="обеспечение эффективных организационных, нормативно-правовых условий", items=[
                ItemDraft("", "Изучение методологии целевой модели наставничества",
                          content="1. Изучение нормативно-правовой базы 2. Подготовка нормативно-правовой базы",
                          deadline_text="Сентябрь 2023 г.", responsible_text="Заместитель директора по учебной работе",
                          result_text="- Создана школьной нормативно-правовая база"),
            ]),
            SectionDraft("II", "Реализация мероприятий в рамках Программы сопровождения",
                         task="обеспечение эффективных условий реализации Целевой модели наставничества", items=[
                ItemDraft("", "Мониторинг реализации целевой модели наставничества",
                          content="1. Анализ, оценка мероприятий", deadline_text="1 раз в полугодие",
                          responsible_text="Заместитель директора по учебной работе"),
            ]),
            SectionDraft("III", "Аналитический этап", task="обеспечение анализа реализации Программы"),
        ],
    )  # fmt: skip


def status_rows_for(draft: RoadmapDraft) -> list[dict]:
    rows = [
        {"status_label": "Выполнено", "done_on": dt.date(2020, 8, 18), "evidence": ["Дорожная карта.pdf"],
         "deadline_label": "до 31.08.2020"},
        {"status_label": "Просрочено", "done_on": None, "evidence": [], "deadline_label": "до 20.08.2020"},
        {"status_label": "Выполнено", "done_on": dt.date(2020, 8, 30),
         "evidence": ["Перечень партнёров.docx", "Соглашение.pdf"], "deadline_label": None},
        {"status_label": "Не начато", "done_on": None, "evidence": [], "deadline_label": None},
    ]  # fmt: skip
    assert len(rows) == len(draft.items())
    return rows


def reimport(rows: list[list[str]]) -> RoadmapDraft:
    header = find_header_row(rows)
    return build_draft(rows, guess_mapping(rows[header]), header)


# -- Word ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("make_draft", [common_draft, komi_draft])
def test_docx_round_trip(make_draft):
    draft = make_draft()
    tables = read_docx_tables(export_docx(draft))
    assert len(tables) == 1
    assert reimport(tables[0]).sections == draft.sections


def test_docx_round_trip_with_status_columns():
    draft = common_draft()
    rows = read_docx_tables(export_docx(draft, status_rows_for(draft)))[0]
    assert rows[0] == COLUMNS + STATUS_COLUMNS
    assert reimport(rows).sections == draft.sections


def test_docx_layout():
    draft = common_draft()
    document = docx.Document(io.BytesIO(export_docx(draft)))

    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    normal = document.styles["Normal"].font
    assert (normal.name, normal.size) == ("Times New Roman", Pt(12))

    approval, title = document.paragraphs[:2]
    assert approval.text == "Приложение 1\nК приказу от 01.09.2020 № 328-01-02"
    assert title.text == draft.title
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(run.bold for run in title.runs)

    table = document.tables[0]
    assert [cell.text for cell in table.rows[0].cells] == COLUMNS
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page

    section_row = table.rows[1]
    assert len({cell._tc for cell in section_row.cells}) == 1  # merged across the width
    assert section_row.cells[0].text == "1. " + draft.sections[0].title
    assert all(run.bold for p in section_row.cells[0].paragraphs for run in p.runs)

    item_row = table.rows[2]
    assert [cell.text for cell in item_row.cells] == [
        "1.1.", draft.sections[0].items[0].name, "август", "социальный педагог", "дорожные карты",
    ]  # fmt: skip
    assert {run.font.size for p in item_row.cells[1].paragraphs for run in p.runs} == {Pt(11)}
    assert not any(run.bold for p in item_row.cells[1].paragraphs for run in p.runs)


def test_docx_status_cells():
    draft = common_draft()
    table = docx.Document(io.BytesIO(export_docx(draft, status_rows_for(draft)))).tables[0]
    # Rows: header, section 1, 1.1, 1.2, section 2, 2.1
    assert [c.text for c in table.rows[2].cells[5:]] == [
        "Выполнено\nдо 31.08.2020",
        "выполнено 18.08.2020\nДорожная карта.pdf",
    ]
    assert [c.text for c in table.rows[3].cells[5:]] == ["Просрочено\nдо 20.08.2020", ""]
    assert table.rows[5].cells[6].text == "выполнено 30.08.2020\nПеречень партнёров.docx\nСоглашение.pdf"


def test_docx_komi_stage_row_carries_task():
    table = docx.Document(io.BytesIO(export_docx(komi_draft()))).tables[0]
    assert [cell.text for cell in table.rows[0].cells][2] == "Содержание деятельности"
    stage = table.rows[3].cells[0]
    assert stage.text == (
        "II. Реализация мероприятий в рамках Программы сопровождения\n"
        "Задача этапа – обеспечение эффективных условий реализации Целевой модели наставничества"
    )


# -- Excel --------------------------------------------------------------------------------------


@pytest.mark.parametrize("make_draft", [common_draft, komi_draft])
def test_xlsx_round_trip(make_draft):
    draft = make_draft()
    assert reimport(read_xlsx_table(export_xlsx(draft))).sections == draft.sections


def test_xlsx_layout():
    draft = common_draft()
    workbook = openpyxl.load_workbook(io.BytesIO(export_xlsx(draft, status_rows_for(draft))))
    sheet = workbook.worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert rows[0][0] == draft.approval_text
    assert rows[1][0] == draft.title and sheet["A2"].font.b
    header = rows.index(COLUMNS + STATUS_COLUMNS)
    assert header == 3
    assert sheet.freeze_panes == f"A{header + 2}"
    assert sheet.print_title_rows == f"${header + 1}:${header + 1}"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0  # 1 page wide

    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    for section_row in (header + 2, header + 5, header + 7):  # 1-based Excel rows
        assert f"A{section_row}:G{section_row}" in merged
        assert sheet.cell(section_row, 1).font.b
    assert sheet.cell(header + 2, 1).value == "1. " + draft.sections[0].title
    assert rows[header + 2][:5] == [
        "1.1.", draft.sections[0].items[0].name, "август", "социальный педагог", "дорожные карты",
    ]  # fmt: skip
    assert rows[header + 2][5:] == ["Выполнено\nдо 31.08.2020", "выполнено 18.08.2020\nДорожная карта.pdf"]
    assert sheet.cell(header + 3, 2).alignment.wrap_text
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


def test_xlsx_without_approval_starts_with_title():
    draft = komi_draft()
    sheet = openpyxl.load_workbook(io.BytesIO(export_xlsx(draft))).worksheets[0]
    assert sheet["A1"].value == draft.title
    assert [cell.value for cell in sheet[3]] == [
        "№ п/п", "Наименование мероприятия", "Содержание деятельности", "Срок реализации",
        "Ответственный исполнитель", "Результат, вид документа",
    ]  # fmt: skip
    assert sheet["A4"].value == (
        "1. Подготовка условий для запуска Целевой модели наставничества\n"
        "Задача этапа – обеспечение эффективных организационных, нормативно-правовых условий"
    )


def test_items_above_any_section_have_no_heading_row():
    draft = RoadmapDraft(
        title="Без разделов",
        sections=[SectionDraft("", "", items=[ItemDraft("1", "Встреча", deadline_text="май")])],
    )
    assert reimport(read_docx_tables(export_docx(draft))[0]).sections == draft.sections
    assert reimport(read_xlsx_table(export_xlsx(draft))).sections == draft.sections


def test_section_with_only_a_number_round_trips():
    draft = RoadmapDraft(
        title="Т",
        sections=[SectionDraft("3", "", items=[ItemDraft("3.1.", "Отчет", deadline_text="май")])],
    )
    assert reimport(read_docx_tables(export_docx(draft))[0]).sections == draft.sections
