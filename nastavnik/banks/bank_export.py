"""Excel export of the two banks with the Р-145 columns (база наставляемых, база наставников).

Pure Python: the web layer builds the rows (only people who consented to the processing of their
personal data) and sends the returned bytes as a download.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict

import xlsxwriter

MENTEE_SHEET = "База наставляемых"
MENTOR_SHEET = "База наставников"

DATE_FORMAT = "dd.mm.yyyy"
HEADER_ROW = 4  # 0-based: three title lines and a blank one above it
_MAX_URL_LENGTH = 2079  # Excel's limit for a hyperlink


class BankHeader(TypedDict):
    organisation: str  # «МБОУ «СОШ № 30» г. Пензы»
    academic_year: str  # «2025/2026»
    as_of: date


@dataclass(kw_only=True)
class MenteeBankRow:
    """A line of the база наставляемых; has_consent has no default on purpose (see _refuse_without_consent)."""

    full_name: str
    has_consent: bool
    contacts: str = ""  # own, or the legal representatives' for a minor
    request: str = ""  # «запрос»
    entered_on: date | None = None  # дата вхождения в программу
    mentor_name: str = ""
    mentor_workplace: str = ""  # место работы/учёбы наставника
    form: str = ""  # форма наставничества
    place: str = ""  # место реализации
    finished_on: date | None = None
    results: str = ""
    case_url: str = ""  # ссылка на кейс/отзыв на сайте организации


@dataclass(kw_only=True)
class MentorBankRow:
    """A line of the база наставников."""

    full_name: str
    has_consent: bool
    contacts: str = ""
    workplace: str = ""  # место работы/учёбы
    competences: list[str] = field(default_factory=list)
    achievements: str = ""  # важные для программы достижения
    interests: str = ""
    desired_mentee_age: str = ""  # «14–16 лет», free text
    meeting_time_place: str = ""  # время/ресурс и место встреч
    form: str = ""
    place: str = ""
    terms: str = ""  # сроки, as the programme states them («сентябрь–май», «01.09.2025–31.05.2026»)
    mentee_names: list[str] = field(default_factory=list)
    case_url: str = ""  # ссылка на кейс/отзыв и фото


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    value: Callable[[object], object]
    kind: str = "text"  # text | date | url


def _lines(items: Sequence[str]) -> str:
    return "\n".join(item for item in items if item)


MENTEE_COLUMNS: tuple[Column, ...] = (
    Column("ФИО", 30, lambda r: r.full_name),
    Column("Контакты (или контакты законных представителей)", 26, lambda r: r.contacts),
    Column("Запрос", 34, lambda r: r.request),
    Column("Дата вхождения в программу", 13, lambda r: r.entered_on, "date"),
    Column("ФИО наставника", 28, lambda r: r.mentor_name),
    Column("Место работы/учёбы наставника", 26, lambda r: r.mentor_workplace),
    Column("Форма наставничества", 18, lambda r: r.form),
    Column("Место реализации", 20, lambda r: r.place),
    Column("Дата завершения", 13, lambda r: r.finished_on, "date"),
    Column("Результаты", 24, lambda r: r.results),
    Column("Ссылка на кейс/отзыв на сайте организации", 20, lambda r: r.case_url, "url"),
)

MENTOR_COLUMNS: tuple[Column, ...] = (
    Column("ФИО", 30, lambda r: r.full_name),
    Column("Контакты", 24, lambda r: r.contacts),
    Column("Место работы/учёбы", 26, lambda r: r.workplace),
    Column("Основные компетенции", 30, lambda r: _lines(r.competences)),
    Column("Важные для программы достижения", 30, lambda r: r.achievements),
    Column("Интересы", 22, lambda r: r.interests),
    Column("Желаемый возраст наставляемых", 14, lambda r: r.desired_mentee_age),
    Column("Время/ресурс и место встреч", 24, lambda r: r.meeting_time_place),
    Column("Форма наставничества", 18, lambda r: r.form),
    Column("Место реализации", 20, lambda r: r.place),
    Column("Сроки", 16, lambda r: r.terms),
    Column("ФИО наставляемых", 30, lambda r: _lines(r.mentee_names)),
    Column("Ссылка на кейс/отзыв, фото", 20, lambda r: r.case_url, "url"),
)


def export_mentee_bank(rows: Sequence[MenteeBankRow], header: BankHeader) -> bytes:
    return _export(MENTEE_SHEET, MENTEE_COLUMNS, rows, header)


def export_mentor_bank(rows: Sequence[MentorBankRow], header: BankHeader) -> bytes:
    return _export(MENTOR_SHEET, MENTOR_COLUMNS, rows, header)


def _refuse_without_consent(rows: Sequence[MenteeBankRow | MentorBankRow]) -> None:
    """The last guard: the web layer filters, but a bank must never leak a person who did not consent (152-ФЗ)."""
    for number, row in enumerate(rows, start=1):
        if row.has_consent is not True:
            raise ValueError(
                f"Запись {number} («{row.full_name}»): нет согласия на обработку персональных данных — "
                "такие записи в банк не выгружаются."
            )


def _check_header(header: BankHeader) -> None:
    missing = [key for key in ("organisation", "academic_year", "as_of") if not header.get(key)]
    if missing:
        raise ValueError(f"header lacks {', '.join(missing)}")


def _export(sheet_name: str, columns: Sequence[Column], rows: Sequence, header: BankHeader) -> bytes:
    _refuse_without_consent(rows)
    _check_header(header)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"title": sheet_name, "company": header["organisation"]})
    formats = _formats(workbook)
    sheet = workbook.add_worksheet(sheet_name)
    _write_title(sheet, sheet_name, len(columns), header, formats)
    _write_table(sheet, columns, rows, formats)
    _page_setup(sheet, len(columns), len(rows))
    workbook.close()
    return buffer.getvalue()


def _formats(workbook: xlsxwriter.Workbook) -> dict:
    base = {"font_name": "Times New Roman", "font_size": 11}
    cell = {**base, "border": 1, "text_wrap": True, "valign": "top"}
    return {
        "title": workbook.add_format({**base, "bold": True, "font_size": 14}),
        "subtitle": workbook.add_format(base),
        "header": workbook.add_format(
            {**cell, "bold": True, "align": "center", "valign": "vcenter", "bg_color": "#E7E6E6"}
        ),
        "text": workbook.add_format(cell),
        "number": workbook.add_format({**cell, "align": "center"}),
        "date": workbook.add_format({**cell, "num_format": DATE_FORMAT, "align": "center"}),
        "url": workbook.add_format({**cell, "font_color": "blue", "underline": 1}),
    }


def _write_title(sheet, title: str, width: int, header: BankHeader, formats: dict) -> None:
    last_column = width  # the «№ п/п» column comes first
    sheet.merge_range(0, 0, 0, last_column, title, formats["title"])
    sheet.merge_range(1, 0, 1, last_column, header["organisation"], formats["subtitle"])
    period = f"{header['academic_year']} учебный год, по состоянию на {header['as_of']:%d.%m.%Y}"
    sheet.merge_range(2, 0, 2, last_column, period, formats["subtitle"])


def _write_table(sheet, columns: Sequence[Column], rows: Sequence, formats: dict) -> None:
    sheet.set_column(0, 0, 5)
    sheet.write_string(HEADER_ROW, 0, "№ п/п", formats["header"])
    for index, column in enumerate(columns, start=1):
        sheet.set_column(index, index, column.width)
        sheet.write_string(HEADER_ROW, index, column.title, formats["header"])
    for offset, row in enumerate(rows, start=1):
        line = HEADER_ROW + offset
        sheet.write_number(line, 0, offset, formats["number"])
        for index, column in enumerate(columns, start=1):
            _write_cell(sheet, line, index, column, column.value(row), formats)
        sheet.set_row(line, _row_height(columns, row))


LINE_HEIGHT = 15  # points per line of Times New Roman 11


def _row_height(columns: Sequence[Column], row) -> float:
    """Neither Excel nor LibreOffice grows a row for wrapped text written by xlsxwriter: estimate it."""
    lines = 1
    for column in columns:
        value = column.value(row)
        if column.kind != "text" or not value:
            continue
        per_line = max(int(column.width * 1.1), 1)  # characters of Times 11 per unit of column width
        cell_lines = sum(max(math.ceil(len(part) / per_line), 1) for part in str(value).split("\n"))
        lines = max(lines, cell_lines)
    return lines * LINE_HEIGHT + 3


def _write_cell(sheet, line: int, index: int, column: Column, value: object, formats: dict) -> None:
    if column.kind == "date" and isinstance(value, date):
        sheet.write_datetime(line, index, value, formats["date"])
    elif column.kind == "url" and _is_link(value):
        sheet.write_url(line, index, str(value), formats["url"], string=str(value))
    elif value is None or value == "":
        sheet.write_blank(line, index, None, formats["text"])  # keeps the border
    else:
        # write_string, never write(): a name or request starting with «=» must not become a formula
        sheet.write_string(line, index, str(value), formats["text"])


def _is_link(value: object) -> bool:
    text = str(value or "")
    return text.startswith(("http://", "https://")) and len(text) <= _MAX_URL_LENGTH and " " not in text


def _page_setup(sheet, width: int, row_count: int) -> None:
    sheet.freeze_panes(HEADER_ROW + 1, 2)  # header row, «№» and ФИО stay in view
    sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + max(row_count, 1), width)
    sheet.set_row(HEADER_ROW, 45)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    sheet.repeat_rows(HEADER_ROW)
    sheet.set_footer("&CСтраница &P из &N")
