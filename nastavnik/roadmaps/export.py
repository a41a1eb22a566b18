"""Roadmap export to Word and Excel in the layout of the seed documents.

Both files read back through tables.py and mapping.py into the same sections and items: a section
is one bold row spanning the table, «1. Заголовок» with «Задача этапа – …» as its second line.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from nastavnik.roadmaps.structs import ItemDraft, RoadmapDraft, SectionDraft
from nastavnik.web import xlsx

FONT = "Times New Roman"
STATUS_HEADER = "Статус"
DONE_HEADER = "Отметка о выполнении"


@dataclass(frozen=True)
class _Column:
    header: str
    width_mm: float  # docx; xlsx widths derive from it
    value: str  # ItemDraft attribute


# Widths are scaled to the page together; «Статус» must hold «запланировано» on one line after scaling.
_NUMBER = _Column("№ п/п", 14, "number")
_NAME = _Column("Наименование мероприятия", 80, "name")
_CONTENT = _Column("Содержание деятельности", 70, "content")
_DEADLINE = _Column("Срок реализации", 32, "deadline_text")
_RESPONSIBLE = _Column("Ответственный исполнитель", 42, "responsible_text")
_RESULT = _Column("Результат, вид документа", 55, "result_text")
_STATUS = _Column(STATUS_HEADER, 38, "")
_DONE = _Column(DONE_HEADER, 38, "")
_STANDARD = (_NUMBER, _NAME, _CONTENT, _DEADLINE, _RESPONSIBLE, _RESULT)
_WIDTHS = {column.value: column.width_mm for column in _STANDARD}
_LEADING = ("number", "name")

# The text blocks above the table, in the order of seed 003.
TEXT_BLOCKS = (
    ("provisions", "Основные положения"),
    ("goal", "Цель"),
    ("tasks", "Задачи"),
    ("expected_results", "Ожидаемые результаты"),
    ("forms_text", "Формы наставничества"),
)

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def document_columns(own: list, items) -> list[tuple[str, str]]:
    """(field, heading) of the table in the document's own order and words (seed 003: «Этап,
    мероприятия этапа | Содержание деятельности | Планируемый результат | Сроки | Ответственные»);
    without its own headings, the five usual columns. A column the document lacks is added when some
    item has text for it, so nothing typed in the app is lost; «Содержание деятельности» and a
    number column only then."""
    filled = {column.value for column in _STANDARD if any(getattr(item, column.value) for item in items)}
    if not own:
        return [(c.value, c.header) for c in _STANDARD if c.value != "content" or "content" in filled]
    chosen = [(field, heading) for field, heading in own if field in _WIDTHS]
    present = {field for field, _ in chosen}
    missing = [(c.value, c.header) for c in _STANDARD if c.value not in present and c.value in filled]
    lead = [column for column in missing if column[0] in _LEADING]
    return lead + chosen + [column for column in missing if column[0] not in _LEADING]


def _columns(draft: RoadmapDraft, with_status: bool) -> list[_Column]:
    columns = [_Column(heading, _WIDTHS[field], field) for field, heading in document_columns(draft.columns, draft.items())]
    if with_status:
        columns += [_STATUS, _DONE]
    return columns


def text_blocks(draft: RoadmapDraft) -> list[tuple[str, str]]:
    """(heading, text) of the blocks the document has above its table."""
    return [(title, getattr(draft, name)) for name, title in TEXT_BLOCKS if getattr(draft, name)]


def _clean(text: str) -> str:
    return _ILLEGAL_XML.sub("", text or "")


def section_heading(section: SectionDraft) -> str:
    # «1.» (as seed 004 writes it) and «1» both give «1. Title», never «1.. Title».
    number = section.number.rstrip(".")
    return f"{number}. {section.title}".strip() if number else section.title


def section_task_line(section: SectionDraft) -> str:
    return f"Задача этапа – {section.task}" if section.task else ""


def _has_row(section: SectionDraft) -> bool:
    # The untitled section holding items above the first heading has no row of its own.
    return bool(section.number or section.title or section.task)


def _status_cells(status: dict | None) -> tuple[str, str]:
    if not status:
        return "", ""
    status_lines = [status.get("status_label") or "", status.get("deadline_label") or ""]
    done_on = status.get("done_on")
    done_lines = [f"выполнено {_format_date(done_on)}" if done_on else ""]
    done_lines += [str(name) for name in status.get("evidence") or []]
    return _join_lines(status_lines), _join_lines(done_lines)


def _format_date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def _join_lines(lines: Sequence[str]) -> str:
    return "\n".join(line for line in lines if line)


def _item_cells(item: ItemDraft, columns: list[_Column], status: dict | None, with_status: bool) -> list[str]:
    cells = [getattr(item, column.value) for column in columns if column.value]
    if with_status:
        cells += list(_status_cells(status))
    return [_clean(cell) for cell in cells]


def _rows(draft: RoadmapDraft, status_rows: list[dict] | None):
    """("section", [heading, task]) and ("item", cells) in document order."""
    with_status = status_rows is not None
    columns = _columns(draft, with_status)
    statuses = iter(status_rows or [])
    for section in draft.sections:
        if _has_row(section):
            yield "section", [_clean(section_heading(section)), _clean(section_task_line(section))]
        for item in section.items:
            yield "item", _item_cells(item, columns, next(statuses, None), with_status)


# -- Word ---------------------------------------------------------------------------------------


def export_docx(draft: RoadmapDraft, status_rows: list[dict] | None = None) -> bytes:
    document = docx.Document()
    _setup_page(document)
    if draft.approval_text:
        _paragraph(document, draft.approval_text, align="right")
    _paragraph(document, draft.title, bold=True, align="center")
    for heading, text in text_blocks(draft):
        _paragraph(document, heading, bold=True)
        _paragraph(document, text)
    columns = _columns(draft, status_rows is not None)
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    _fill_header(table, columns)
    for kind, cells in _rows(draft, status_rows):
        if kind == "section":
            _add_section_row(table, cells)
        else:
            _add_item_row(table, cells)
    _set_widths(table, columns)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _setup_page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(15)
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    # Without eastAsia/cs fonts Word may fall back to another face for Cyrillic in some setups.
    run_properties = style.element.get_or_add_rPr()
    fonts = run_properties.get_or_add_rFonts()
    for attribute in ("w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    # The template says en-US, which would spell-check every Russian word as an error.
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "ru-RU")
    run_properties.append(language)


def _paragraph(container, text: str, bold: bool = False, align: str = "left") -> None:
    paragraph = container.add_paragraph()
    paragraph.alignment = getattr(WD_ALIGN_PARAGRAPH, align.upper())
    _add_runs(paragraph, _clean(text), bold, None)


def _add_runs(paragraph, text: str, bold: bool, size: float | None) -> None:
    for index, line in enumerate(text.split("\n")):
        run = paragraph.add_run()
        if index:
            run.add_break()
        run.add_text(line)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)


def _set_cell(cell, text: str, bold: bool = False) -> None:
    # One paragraph per line, as in a hand-made table.
    lines = text.split("\n")
    _add_runs(cell.paragraphs[0], lines[0], bold, 11)
    for line in lines[1:]:
        _add_runs(cell.add_paragraph(), line, bold, 11)


def _fill_header(table, columns: list[_Column]) -> None:
    row = table.rows[0]
    for cell, column in zip(row.cells, columns, strict=True):
        _set_cell(cell, column.header, bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    header_flag = OxmlElement("w:tblHeader")
    header_flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header_flag)  # repeat on every page


def _add_section_row(table, lines: list[str]) -> None:
    row = table.add_row()
    merged = row.cells[0].merge(row.cells[-1])
    heading, task = lines
    _set_cell(merged, heading, bold=True)
    if task:
        _add_runs(merged.add_paragraph(), task, False, 11)


def _add_item_row(table, cells: list[str]) -> None:
    row = table.add_row()
    for cell, text in zip(row.cells, cells, strict=True):
        _set_cell(cell, text)


def _set_widths(table, columns: list[_Column]) -> None:
    scale = min(1.0, 257 / sum(column.width_mm for column in columns))  # A4 landscape less margins
    widths = [column.width_mm * scale for column in columns]
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)  # w:gridCol, which LibreOffice follows
    for row in table.rows:
        spans: dict[object, float] = {}
        cells = {}
        for cell, width in zip(row.cells, widths, strict=True):
            spans[cell._tc] = spans.get(cell._tc, 0) + width  # a merged cell spans several columns
            cells[cell._tc] = cell
        for tc, cell in cells.items():
            cell.width = Mm(spans[tc])


# -- Excel --------------------------------------------------------------------------------------

_POINTS_PER_LINE = 15
_CHARS_PER_MM = 0.5  # Times New Roman 11 in Excel's width units, roughly


def export_xlsx(draft: RoadmapDraft, status_rows: list[dict] | None = None) -> bytes:
    return xlsx.to_bytes(lambda book: write_xlsx(book, draft, status_rows))


def write_xlsx(book: xlsx.Book, draft: RoadmapDraft, status_rows: list[dict] | None = None) -> None:
    """The roadmap in the seeds' columns, through the shared .xlsx helper (text stays text)."""
    sheet = book.sheet("Дорожная карта")
    formats = _xlsx_formats(book)
    columns = _columns(draft, status_rows is not None)
    widths = [column.width_mm * _CHARS_PER_MM for column in columns]
    for index, width in enumerate(widths):
        sheet.ws.set_column(index, index, width)
    last = len(columns) - 1
    header_row = _xlsx_heading(sheet, draft, formats, widths)
    sheet.row([column.header for column in columns], formats["header"])
    for kind, cells in _rows(draft, status_rows):
        if kind == "section":
            text = _join_lines(cells)
            sheet.merged(text, last, formats["section"], height=_row_height([text], [sum(widths)]))
        else:
            sheet.row(cells, formats["cell"], height=_row_height(cells, widths))
    _xlsx_page_setup(sheet.ws, header_row)


def _xlsx_formats(book: xlsx.Book) -> dict:
    text = {"font_name": FONT, "font_size": 12, "text_wrap": True}
    cell = {**text, "font_size": 11, "valign": "top", "border": 1}
    return {
        "title": book.format(**{**text, "bold": True, "align": "center", "valign": "vcenter"}),
        "approval": book.format(**{**text, "align": "right", "valign": "top"}),
        "block_title": book.format(**{**text, "bold": True, "valign": "top"}),
        "block": book.format(**{**text, "valign": "top"}),
        "header": book.format(**{**cell, "bold": True, "align": "center", "valign": "vcenter"}),
        "section": book.format(**{**cell, "bold": True}),
        "cell": book.format(**cell),
    }


def _xlsx_heading(sheet: xlsx.Sheet, draft: RoadmapDraft, formats: dict, widths: list[float]) -> int:
    """Approval and title rows above the table; returns the header row index."""
    last = len(widths) - 1
    blocks = [(draft.approval_text, "approval"), (draft.title, "title")]
    for heading, text in text_blocks(draft):
        blocks += [(heading, "block_title"), (text, "block")]
    for text, style in blocks:
        text = _clean(text)
        if not text:
            continue
        sheet.merged(text, last, formats[style], height=_row_height([text], [sum(widths)]))
    sheet.skip()  # an empty row between the title and the table
    return sheet.next_row


def _row_height(texts: Sequence[str], widths: Sequence[float]) -> float:
    # Excel does not grow merged or pre-sized rows for wrapped text, so estimate the lines.
    lines = 1
    for text, width in zip(texts, widths, strict=False):
        chars = max(int(width * 1.1), 1)
        lines = max(lines, sum(max(1, math.ceil(len(part) / chars)) for part in text.split("\n")))
    return lines * _POINTS_PER_LINE


def _xlsx_page_setup(sheet, header_row: int) -> None:
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.6, right=0.6, top=0.6, bottom=0.6)
