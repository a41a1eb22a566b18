"""Excel export of the two banks with the Р-145 columns (база наставляемых, база наставников).

The web layer builds the rows (only people who consented to the processing of their personal data)
as an iterator and streams them into an ``xlsx.Book`` (``write_bank``); ``export_*_bank`` return bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict

from nastavnik.web import xlsx

MENTEE_SHEET = "База наставляемых"
MENTOR_SHEET = "База наставников"

HEADER_ROW = 4  # 0-based: three title lines and a blank one above it


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


def export_mentee_bank(rows: Iterable[MenteeBankRow], header: BankHeader) -> bytes:
    return xlsx.to_bytes(lambda book: write_bank(book, MENTEE_SHEET, MENTEE_COLUMNS, rows, header))


def export_mentor_bank(rows: Iterable[MentorBankRow], header: BankHeader) -> bytes:
    return xlsx.to_bytes(lambda book: write_bank(book, MENTOR_SHEET, MENTOR_COLUMNS, rows, header))


def _refuse_without_consent(number: int, row: MenteeBankRow | MentorBankRow) -> None:
    """The last guard: the web layer filters, but a bank must never leak a person who did not consent (152-ФЗ)."""
    if row.has_consent is not True:
        raise ValueError(
            f"Запись {number} («{row.full_name}»): нет согласия на обработку персональных данных — "
            "такие записи в банк не выгружаются."
        )


def _check_header(header: BankHeader) -> None:
    missing = [key for key in ("organisation", "academic_year", "as_of") if not header.get(key)]
    if missing:
        raise ValueError(f"header lacks {', '.join(missing)}")


def write_bank(book: xlsx.Book, sheet_name: str, columns: Sequence[Column], rows: Iterable, header: BankHeader) -> None:
    """Write a bank into ``book``, row by row as ``rows`` come (an iterator: the rows are not held)."""
    _check_header(header)
    book.workbook.set_properties({"title": sheet_name, "company": header["organisation"]})
    formats = _formats(book)
    sheet = book.sheet(sheet_name)
    _write_title(sheet, sheet_name, len(columns), header, formats)
    count = _write_table(sheet, columns, rows, formats)
    _page_setup(sheet.ws, len(columns), count)


def _formats(book: xlsx.Book) -> dict:
    return {**book.formats, "text": book.formats["cell"], "url": book.formats["link"]}


def _write_title(sheet: xlsx.Sheet, title: str, width: int, header: BankHeader, formats: dict) -> None:
    last_column = width  # the «№ п/п» column comes first
    sheet.merged(title, last_column, formats["title"])
    sheet.merged(header["organisation"], last_column, formats["subtitle"])
    period = f"{header['academic_year']} учебный год, по состоянию на {header['as_of']:%d.%m.%Y}"
    sheet.merged(period, last_column, formats["subtitle"])
    sheet.skip(HEADER_ROW - sheet.next_row)


def _write_table(sheet: xlsx.Sheet, columns: Sequence[Column], rows: Iterable, formats: dict) -> int:
    sheet.ws.set_column(0, 0, 5)
    for index, column in enumerate(columns, start=1):
        sheet.ws.set_column(index, index, column.width)
    sheet.row(["№ п/п", *(column.title for column in columns)], formats["header"], height=45)
    kinds = [formats["number"], *(formats["date"] if c.kind == "date" else formats["url"] if c.kind == "url"
                                  else formats["text"] for c in columns)]
    # Worked out once, not per cell: a region's bank is 60,000 rows of a dozen cells.
    values = [column.value for column in columns]
    cells = [_CELLS[column.kind] for column in columns]
    text_widths = [(index, _per_line(column)) for index, column in enumerate(columns) if column.kind == "text"]
    count = 0
    for count, row in enumerate(rows, start=1):
        _refuse_without_consent(count, row)
        line = [cell(value(row)) for value, cell in zip(values, cells, strict=True)]
        sheet.row([count, *line], formats=kinds, height=_row_height(text_widths, line))
    return count


def _text_cell(value) -> str | None:
    return value if value is None or type(value) is str else str(value)  # None and "" are both a blank cell


def _date_cell(value):
    return value if isinstance(value, date) else None


def _url_cell(value):
    return xlsx.Link(str(value)) if _is_link(value) else "" if value is None else str(value)


_CELLS = {"text": _text_cell, "date": _date_cell, "url": _url_cell}


LINE_HEIGHT = 15  # points per line of Times New Roman 11


def _per_line(column: Column) -> int:
    return max(int(column.width * 1.1), 1)  # characters of Times 11 per unit of column width


def _row_height(text_widths: Sequence[tuple[int, int]], cells: Sequence) -> float:
    """Neither Excel nor LibreOffice grows a row for wrapped text written by xlsxwriter: estimate it.

    ``text_widths``: (index, characters per line) of the text cells. A line of text that fits its
    column is one line, the least a row has, so only longer or multi-line texts are measured."""
    lines = 1
    for index, per_line in text_widths:
        text = cells[index]
        if text and (len(text) > per_line or "\n" in text):
            lines = max(lines, sum(-(-len(part) // per_line) or 1 for part in text.split("\n")))
    return lines * LINE_HEIGHT + 3


def _is_link(value: object) -> bool:
    return bool(value) and xlsx.Link(str(value)).valid


def _page_setup(sheet, width: int, row_count: int) -> None:
    sheet.freeze_panes(HEADER_ROW + 1, 2)  # header row, «№» and ФИО stay in view
    sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + max(row_count, 1), width)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    sheet.repeat_rows(HEADER_ROW)
    sheet.set_footer("&CСтраница &P из &N")
