"""The order «О закреплении наставнических пар/групп» as a Word document (python-docx).

Laid out as a school's order is: A4, Times New Roman 14, margins 30/15/20/20 mm, the school's full
name, «ПРИКАЗ», date and number on one line, the title, the preamble «В соответствии с …
ПРИКАЗЫВАЮ:», numbered clauses with the table of pairs, «Контроль … оставляю за собой», the
director's signature line and «С приказом ознакомлены» for everyone the order names. Orders on
ending a pair or replacing its mentor have the same layout without the table, the names declined
(«назначить наставником Иванову Марию Петровну»). The print view uses the same texts (``order_texts``).
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

from nastavnik.participants.declension import decline_full_name, initials_name, person_in_case, short_name
from nastavnik.periods import ru_date
from nastavnik.timeutil import today

HEADERS = ("№ п/п", "Наставник", "Наставляемый(е)", "Форма / вариация", "Сроки")
COLUMN_WIDTHS = (Cm(1.2), Cm(4.4), Cm(4.4), Cm(3.9), Cm(2.6))  # 16.5 cm: the text width of A4 at 30/15 mm
FONT = "Times New Roman"
LAW_273 = "Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в Российской Федерации»"
LOCAL_ACT = "Положением о системе наставничества образовательной организации"
INITIATOR_GENITIVE = {"mentor": "наставника", "mentee": "наставляемого", "school": "образовательной организации"}


def _preamble(kinds, tail: str) -> str:
    """«В соответствии с …»: the law and the school's Положение, then what each form of mentoring cites.

    A plugin names its act in the nominative («распоряжение … № Р-145»), so the acts follow a colon."""
    bases = list(dict.fromkeys(k.legal_basis for k in kinds if getattr(k, "legal_basis", "")))
    cited = f"{' и' if tail else ','} с учётом документов: " + "; ".join(bases) if bases else ""
    return f"В соответствии с {LAW_273}, {LOCAL_ACT}{tail}{cited}"


def _period(pairs: Sequence, issued_on) -> str:
    spans = {(p.starts_on or issued_on, p.ends_on) for p in pairs}
    if len(spans) != 1:
        return " на сроки, указанные в таблице,"
    ((start, end),) = spans
    return f" на период с {ru_date(start)} по {ru_date(end)}" if end else f" с {ru_date(start)}"


def _signers(pairs: Sequence, org, extra=()) -> list[dict]:
    """Everyone the order names, for «С приказом ознакомлены»: mentors, mentees, then the curator."""
    seen, people = set(), []
    for person, role in [*extra, *((m.person, "наставник") for p in pairs for m in p.mentors),
                         *((m.person, "наставляемый") for p in pairs for m in p.mentees)]:
        if person.id in seen:
            continue
        seen.add(person.id)
        minor = person.kind == "student" and person.is_minor_on(today())
        people.append({"name": person.short_name, "role": role, "minor": minor})  # «Иванова М.П.»: fits the line
    if org is not None and org.curator_name:
        people.append({"name": short_name(org.curator_name), "role": "куратор", "minor": False})
    return people


def _curator_clause(org, text: str) -> str:
    if org is not None and org.curator_name:
        who = decline_full_name(org.curator_name, "dative")
        position = f" ({org.curator_position})" if org.curator_position else ""
        return f"Куратору программы наставничества {who}{position} {text}"
    return f"Куратору программы наставничества {text}"


def _signature(org) -> tuple[str, str]:
    position = (org.director_position if org is not None else "") or "Директор"
    name = initials_name(org.director_name) if org is not None and org.director_name else "________________"
    return position, f"________________ / {name} /"


def order_texts(order, pairs: Sequence, org=None, registry=None) -> dict:
    """The wording shared by the .docx and the print view, for every kind of order."""
    if order.kind in ("end", "change"):
        return _change_texts(order, org, registry)
    kinds = [registry.kind(code) for code in dict.fromkeys(p.kind_code for p in pairs)] if registry else []
    position, signature = _signature(org)
    return {
        "title": order.title or "О закреплении наставнических пар/групп",
        "preamble": _preamble(kinds, ", на основании письменных согласий участников"),
        "clauses": [
            f"Закрепить наставнические пары/группы{_period(pairs, order.issued_on)} в следующем составе:",
            "Наставникам совместно с наставляемыми в течение месяца разработать персонализированные "
            "программы наставничества и представить их куратору.",
            _curator_clause(org, "обеспечить сопровождение наставнических пар/групп и учёт проведённых встреч."),
            "Контроль за исполнением приказа оставляю за собой.",
        ],
        "table": True,
        "director_position": position,
        "director_signature": signature,
        "signers": _signers(pairs, org),
    }


def _names(members, case: str) -> str:
    return ", ".join(person_in_case(m.person if hasattr(m, "person") else m, case) for m in members)


def _change_texts(order, org, registry) -> dict:
    """«О прекращении» / «Об изменении состава»: one or two clauses per entry, names declined."""
    clauses, pairs, extra = [], [], []
    for entry in order.entries:
        pair = entry.pair
        pairs.append(pair)
        kind = registry.kind(pair.kind_code).title if registry else pair.kind_code
        mentees = _names(pair.mentees, "genitive")
        when = ru_date(entry.effective_on)
        note = f" Основание: {entry.note}." if entry.note else ""
        if entry.action == "replace_mentor":
            clauses.append(
                f"Освободить {person_in_case(entry.person, 'accusative')} от обязанностей наставника {mentees} "
                f"(форма наставничества «{kind}») с {when}.{note}"
            )
            clauses.append(f"Назначить {person_in_case(entry.new_person, 'accusative')} наставником {mentees} с {when}.")
            extra.append((entry.person, "наставник"))
        elif entry.action == "finish":
            clauses.append(
                f"Завершить с {when} наставничество {_names(pair.mentors, 'genitive')} в отношении {mentees} "
                f"(форма наставничества «{kind}») в связи с окончанием срока.{note}"
            )
        else:
            initiator = INITIATOR_GENITIVE.get(pair.end_initiator, "")
            clauses.append(
                f"Прекратить досрочно с {when} наставничество {_names(pair.mentors, 'genitive')} в отношении "
                f"{mentees} (форма наставничества «{kind}»)" + (f" по инициативе {initiator}" if initiator else "")
                + f".{note}"
            )
    clauses.append(_curator_clause(org, "внести изменения в базы наставников и наставляемых."))
    clauses.append("Контроль за исполнением приказа оставляю за собой.")
    kinds = [registry.kind(code) for code in dict.fromkeys(p.kind_code for p in pairs)] if registry else []
    position, signature = _signature(org)
    return {
        "title": order.title,
        "preamble": _preamble(kinds, ""),
        "clauses": clauses,
        "table": False,
        "director_position": position,
        "director_signature": signature,
        "signers": _signers(pairs, org, extra),
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


def signature_block(doc, texts: dict) -> None:
    """The director's signature, then «С приказом ознакомлены» with a line for everyone named."""
    _two_sides(doc, texts["director_position"], texts["director_signature"], space_before=36)
    if texts["signers"]:
        _paragraph(doc, "С приказом ознакомлены:", indent=False).paragraph_format.space_before = Pt(24)
        for signer in texts["signers"]:
            _two_sides(doc, f"{signer['name']} ({signer['role']})", "__________  «___» ________ 20___ г.", space_before=6)
            if signer["minor"]:
                _two_sides(doc, "законный представитель несовершеннолетнего", "__________  «___» ________ 20___ г.")


def build_order_docx(
    order, org_title: str, rows: Sequence[tuple[str, ...]], texts: dict | None = None
) -> bytes:
    """The order as .docx bytes; ``texts`` from :func:`order_texts` (a bare default otherwise)."""
    texts = texts or order_texts(order, [])
    doc = new_document()
    _paragraph(doc, org_title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=12)
    _paragraph(doc, "ПРИКАЗ", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=12)
    _two_sides(doc, ru_date(order.issued_on), f"№ {order.number}")
    title = _paragraph(doc, texts["title"], bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, indent=False)
    title.paragraph_format.space_before, title.paragraph_format.space_after = Pt(12), Pt(12)
    _paragraph(doc, texts["preamble"])
    _paragraph(
        doc, "ПРИКАЗЫВАЮ:", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT
    ).paragraph_format.space_before = Pt(6)
    clauses = list(texts["clauses"])
    if texts.get("table"):
        _paragraph(doc, f"1. {clauses[0]}", space_after=6)
        _table(doc, rows)
        rest = clauses[1:]
    else:
        rest = clauses
    first = 2 if texts.get("table") else 1
    for number, clause in enumerate(rest, start=first):
        _paragraph(doc, f"{number}. {clause}").paragraph_format.space_before = Pt(6 if number == first else 0)
    signature_block(doc, texts)
    return to_bytes(doc)


def new_document():
    """An A4 document in Times New Roman 14 with a school order's margins."""
    doc = Document()
    _page(doc)
    _set_font(doc.styles["Normal"], 14)
    normal = doc.styles["Normal"].paragraph_format
    normal.space_after, normal.line_spacing = Pt(0), 1.0
    return doc


def to_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
