"""The order «О закреплении наставнических пар/групп» as a Word document (python-docx).

Laid out as a school's order is: A4, Times New Roman 14, margins 30/15/20/20 mm, the school's full
name, «ПРИКАЗ», date and number on one line, the title, the preamble «В соответствии с …
ПРИКАЗЫВАЮ:», numbered clauses with the table of pairs, «Контроль … оставляю за собой», the
director's signature line and «С приказом ознакомлены» for the mentors. The print view uses the
same texts (``order_texts``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from nastavnik.periods import AcademicYear, ru_date

HEADERS = ("№ п/п", "Наставник", "Наставляемый(е)", "Форма / вариация", "Сроки")
COLUMN_WIDTHS = (Cm(1.2), Cm(4.4), Cm(4.4), Cm(3.9), Cm(2.6))  # 16.5 cm: the text width of A4 at 30/15 mm
FONT = "Times New Roman"
PREAMBLE = (
    "В соответствии с Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в Российской Федерации», "
    "распоряжением Министерства просвещения Российской Федерации от 25.12.2019 № Р-145 «Об утверждении "
    "методологии (целевой модели) наставничества обучающихся», Положением о системе наставничества "
    "образовательной организации, на основании письменных согласий наставников"
)


def order_texts(order, pairs: Sequence) -> dict:
    """The wording shared by the .docx and the print view."""
    years = sorted({p.academic_year for p in pairs})
    period = f" на {AcademicYear(years[0])} учебный год" if len(years) == 1 else ""
    return {
        "title": order.title or "О закреплении наставнических пар/групп",
        "preamble": PREAMBLE,
        "clauses": [
            f"Закрепить наставнические пары/группы{period} в следующем составе:",
            "Наставникам совместно с наставляемыми в течение месяца разработать персонализированные "
            "программы наставничества и представить их куратору.",
            "Куратору программы наставничества обеспечить сопровождение наставнических пар/групп "
            "и учёт проведённых встреч.",
            "Контроль за исполнением приказа оставляю за собой.",
        ],
        "mentors": sorted({m.person.full_name for p in pairs for m in p.mentors}),
    }


def order_rows(pairs: Sequence, registry) -> list[tuple[str, ...]]:
    """One line per pair: the same rows feed the .docx and the print view."""
    rows = []
    for number, pair in enumerate(pairs, start=1):
        kind = registry.kind(pair.kind_code)
        variation = dict((c.code, c.title) for c in kind.variations).get(pair.variation_code, "")
        terms = (
            f"{ru_date(pair.starts_on)} – {ru_date(pair.ends_on)}"
            if pair.ends_on
            else f"с {ru_date(pair.starts_on)}"
        )
        rows.append(
            (
                str(number),
                "\n".join(m.person.full_name for m in pair.mentors),
                "\n".join(m.person.full_name for m in pair.mentees),
                kind.title + (f" / {variation}" if variation else ""),
                terms,
            )
        )
    return rows


def _set_font(style, size: int) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    # Word takes Cyrillic from the «hAnsi»/«cs» slots and East Asian text from «eastAsia»: set them all.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)


def _page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)


def _paragraph(doc, text: str = "", *, bold=False, align=None, indent=True, space_after=0):
    paragraph = doc.add_paragraph()
    if text:
        paragraph.add_run(text).bold = bold
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if align is None else align
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Cm(1.25) if indent else None
    fmt.space_after = Pt(space_after)
    return paragraph


def _two_sides(doc, left: str, right: str, *, space_before=0):
    """«left ……… right» on one line: a right tab stop at the text edge, as typists do."""
    paragraph = _paragraph(doc, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(165), WD_TAB_ALIGNMENT.RIGHT)
    paragraph.paragraph_format.space_before = Pt(space_before)
    paragraph.add_run(f"{left}\t{right}")
    return paragraph


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _cell(cell, text: str, width, bold: bool) -> None:
    """One paragraph per line: a group lists several people in one cell."""
    cell.width = width
    for index, line in enumerate(text.split("\n")):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.paragraph_format.first_line_indent = None
        if index == 0:
            paragraph.text = ""
        run = paragraph.add_run(line)
        run.bold, run.font.size = bold, Pt(12)


def _table(doc, rows: Sequence[tuple[str, ...]]) -> None:
    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _repeat_header(table.rows[0])
    for cell, text, width in zip(table.rows[0].cells, HEADERS, COLUMN_WIDTHS, strict=True):
        _cell(cell, text, width, bold=True)
    for row in rows:
        for cell, text, width in zip(table.add_row().cells, row, COLUMN_WIDTHS, strict=True):
            _cell(cell, text, width, bold=False)
    for column, width in zip(table.columns, COLUMN_WIDTHS, strict=True):
        column.width = width


def build_order_docx(
    order, org_title: str, rows: Sequence[tuple[str, ...]], texts: dict | None = None
) -> bytes:
    """The order as .docx bytes; ``texts`` from :func:`order_texts` (a bare default otherwise)."""
    texts = texts or order_texts(order, [])
    doc = Document()
    _page(doc)
    _set_font(doc.styles["Normal"], 14)
    normal = doc.styles["Normal"].paragraph_format
    normal.space_after, normal.line_spacing = Pt(0), 1.0
    _paragraph(doc, org_title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=12)
    _paragraph(doc, "ПРИКАЗ", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=12)
    _two_sides(doc, ru_date(order.issued_on), f"№ {order.number}")
    title = _paragraph(doc, texts["title"], bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, indent=False)
    title.paragraph_format.space_before, title.paragraph_format.space_after = Pt(12), Pt(12)
    _paragraph(doc, texts["preamble"])
    _paragraph(
        doc, "ПРИКАЗЫВАЮ:", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT
    ).paragraph_format.space_before = Pt(6)
    first, *rest = texts["clauses"]
    _paragraph(doc, f"1. {first}", space_after=6)
    _table(doc, rows)
    for number, clause in enumerate(rest, start=2):
        _paragraph(doc, f"{number}. {clause}").paragraph_format.space_before = Pt(6 if number == 2 else 0)
    _two_sides(doc, "Директор", "________________ / ________________ /", space_before=36)
    if texts["mentors"]:
        _paragraph(doc, "С приказом ознакомлены:", indent=False).paragraph_format.space_before = Pt(24)
        for name in texts["mentors"]:
            _two_sides(doc, name, "__________  «___» ________ 20___ г.", space_before=6)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
