"""Реестры для сайта школы: наставники и эффективные практики — only people with a valid consent to
the distribution of their personal data (ст. 10.1 152-ФЗ, consent kind ``pd_distribution``).

A mentor without that consent is not listed at all; a practice whose mentor has none is listed
without the name, and the texts of a practice have the participants' names removed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import xlsxwriter
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nastavnik.banks.models import MentorProfile
from nastavnik.consents.services import valid_consent_clause
from nastavnik.extensions import db
from nastavnik.pairs.models import Pair
from nastavnik.participants.models import Person
from nastavnik.periods import ru_date
from nastavnik.plugins.manager import registry
from nastavnik.programmes.models import Programme
from nastavnik.programmes.services import scrub
from nastavnik.reports.xlsx import WORKBOOK_OPTIONS

PUBLICATION = "pd_distribution"
REGISTERS = {
    "mentors": "Реестр наставников",
    "practices": "Реестр эффективных практик наставничества",
}


@dataclass
class Register:
    code: str
    title: str
    org_title: str
    day: date
    columns: list[str]
    rows: list[list[str]]
    note: str


def _publishable(day: date):
    return valid_consent_clause(day, PUBLICATION) & Person.archived_at.is_(None) & Person.anonymised_at.is_(None)


def mentors_register(org, day: date) -> Register:
    profiles = db.session.scalars(
        select(MentorProfile).join(Person, Person.id == MentorProfile.person_id)
        .where(MentorProfile.org_id == org.id, MentorProfile.status.in_(("in_bank", "assigned")), _publishable(day))
        .options(selectinload(MentorProfile.tags))
        .order_by(Person.last_name, Person.first_name)
    ).all()
    reg = registry()
    rows = [[
        p.person.full_name,
        p.person.position or p.person.kind_short,
        ", ".join(reg.kind(code).title for code in p.kinds),
        ", ".join(t.title for t in p.tags),
        p.achievements,
        p.case_url,
    ] for p in profiles]
    return Register(
        "mentors", REGISTERS["mentors"], org.title, day,
        ["ФИО наставника", "Должность / место работы", "Формы наставничества", "Компетенции",
         "Достижения", "Кейс / отзыв"], rows,
        "В реестр включены только наставники, давшие согласие на распространение персональных данных "
        "(ст. 10.1 Федерального закона № 152-ФЗ), действующее на дату реестра.",
    )


def practices_register(org, day: date) -> Register:
    programmes = db.session.scalars(
        select(Programme).join(Pair, Pair.id == Programme.pair_id)
        .where(Pair.org_id == org.id, Programme.status == "completed", Programme.effective_practice.is_(True))
        .options(selectinload(Programme.pair).selectinload(Pair.members))
        .order_by(Programme.completed_on.desc(), Programme.id)
    ).all()
    people = {m.person_id for p in programmes for m in p.pair.members if m.role == "mentor"}
    may_publish = set(db.session.scalars(
        select(Person.id).where(Person.id.in_(people), _publishable(day))
    )) if people else set()
    reg = registry()
    rows = []
    for programme in programmes:
        pair = programme.pair
        mentors = [m.person for m in pair.members if m.role == "mentor" and m.person_id in may_publish]
        rows.append([
            reg.kind(pair.kind_code).title,
            scrub(programme.goal, pair),
            scrub(programme.actual_results or programme.planned_results, pair),
            f"{ru_date(pair.starts_on)} – {ru_date(programme.completed_on)}",
            ", ".join(m.full_name for m in mentors) or "—",
        ])
    return Register(
        "practices", REGISTERS["practices"], org.title, day,
        ["Форма наставничества", "Цель программы", "Результаты", "Сроки", "Наставник"], rows,
        "Имена участников из текстов удалены; наставник назван только при его согласии на распространение "
        "персональных данных (ст. 10.1 Федерального закона № 152-ФЗ).",
    )


def build(code: str, org, day: date) -> Register:
    return {"mentors": mentors_register, "practices": practices_register}[code](org, day)


def to_xlsx(register: Register) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    sheet = book.add_worksheet("Реестр")
    title = book.add_format({"bold": True, "font_size": 12})
    head = book.add_format({"bold": True, "border": 1, "text_wrap": True, "bg_color": "#E8EEF4", "valign": "top"})
    text = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    sheet.write_string(0, 0, f"{register.title}: {register.org_title}", title)
    sheet.write_string(1, 0, f"на {ru_date(register.day)}")
    for col, name in enumerate(register.columns):
        sheet.write_string(3, col, name, head)
        sheet.set_column(col, col, 34 if col else 30)
    for index, row in enumerate(register.rows, start=4):
        for col, value in enumerate(row):
            sheet.write_string(index, col, value or "", text)
    sheet.write_string(5 + len(register.rows), 0, register.note)
    sheet.freeze_panes(4, 0)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(3)
    book.close()
    return output.getvalue()


def to_docx(register: Register) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.5))
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(11)
    document.add_heading(f"{register.title}", level=1)
    document.add_paragraph(f"{register.org_title}, на {ru_date(register.day)}")
    table = document.add_table(rows=1, cols=len(register.columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, register.columns, strict=True):
        cell.text = name
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in register.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value or ""
    if not register.rows:
        document.add_paragraph("Записей нет.")
    document.add_paragraph(register.note)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
