"""The order «О закреплении наставнических пар/групп» as a Word document (python-docx)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from nastavnik.periods import ru_date

HEADERS = ("№", "Наставник", "Наставляемый(е)", "Форма / вариация", "Сроки")


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


def build_order_docx(order, org_title: str, rows: Sequence[tuple[str, ...]]) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    for text in (org_title, "ПРИКАЗ"):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).bold = True
    line = doc.add_paragraph(f"от {ru_date(order.issued_on)}\t\t\t\t\t№ {order.number}")
    line.alignment = WD_ALIGN_PARAGRAPH.LEFT
    title = doc.add_paragraph()
    title.add_run(order.title or "О закреплении наставнических пар/групп").bold = True
    doc.add_paragraph(
        "В соответствии с Положением о системе наставничества педагогических работников и Положением "
        "о программе наставничества образовательной организации ПРИКАЗЫВАЮ:"
    )
    doc.add_paragraph("1. Закрепить наставнические пары/группы в следующем составе:")
    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    doc.add_paragraph("2. Наставникам разработать персонализированные программы наставничества.")
    doc.add_paragraph("3. Контроль за исполнением приказа возложить на куратора программы наставничества.")
    doc.add_paragraph("\nРуководитель\t\t\t\t\t\t________________")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
