"""Сертификаты об обучении: номера из реестра организатора и документ Word.

Numbers are unique per organiser and calendar year of issue, also when two people issue at the same
moment: the register's last number lives in one counter row, moved by a single ``UPDATE … SET
last_number = last_number + n … RETURNING`` inside the transaction that inserts the certificates.
The row lock (PostgreSQL) or the database write lock (SQLite) makes the second issuer wait for the
first one's commit and then continue after its numbers. A unique constraint on (organiser, year,
number) guards the register besides, and one on the participant refuses a second certificate when
the same event is issued twice at once (the whole second issue is rolled back, its numbers with it).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from nastavnik.events import kinds
from nastavnik.events.models import Certificate, CertificateCounter, Event, Participant
from nastavnik.extensions import db
from nastavnik.periods import ru_date
from nastavnik.web.words import plural


class CertificateError(ValueError):
    """The certificates could not be issued; the message is shown as is."""


def _ensure_counter(org_id: int, year: int) -> None:
    """The register's row for the year, created once; a concurrent creator's row is kept as is."""
    dialect = db.session.get_bind().dialect.name
    values = {"org_id": org_id, "year": year, "last_number": 0}
    if dialect == "postgresql":
        statement = postgresql.insert(CertificateCounter).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(CertificateCounter).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - the supported databases are the two above
        if db.session.get(CertificateCounter, (org_id, year)) is not None:
            return
        statement = CertificateCounter.__table__.insert().values(**values)
    db.session.execute(statement)


def take_numbers(org_id: int, year: int, count: int) -> list[int]:
    """Reserve ``count`` consecutive numbers of the register (inside the caller's transaction)."""
    _ensure_counter(org_id, year)
    last = db.session.execute(
        update(CertificateCounter)
        .where(CertificateCounter.org_id == org_id, CertificateCounter.year == year)
        .values(last_number=CertificateCounter.last_number + count)
        .returning(CertificateCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return list(range(last - count + 1, last + 1))


def is_training(event: Event) -> bool:
    return kinds.kind(event.kind_code).certificates


def waiting(event: Event) -> list[Participant]:
    """Attendees without a certificate yet."""
    return [p for p in event.participants if p.attendance == "present" and p.certificate is None]


def issue(event: Event, user, day: date) -> list[Certificate]:
    """A certificate for every attendee who has none, numbered from the organiser's register."""
    if not is_training(event):
        raise CertificateError("Сертификаты выдаются только за обучение (вид мероприятия без сертификатов).")
    if event.day > day:
        raise CertificateError("Мероприятие ещё не прошло: сертификаты выдаются после него.")
    people = waiting(event)
    if not people:
        raise CertificateError("Всем присутствовавшим сертификаты уже выданы (или никто не отмечен присутствующим).")
    participant_ids = [p.id for p in people]
    try:
        numbers = take_numbers(event.org_id, day.year, len(people))
        issued = [
            Certificate(
                participant_id=participant.id, event_id=event.id, org_id=event.org_id,
                person_id=participant.person_id, year=day.year, number=number, issued_on=day,
                hours=event.hours, issued_by_id=user.id if user else None,
            )
            for participant, number in zip(people, numbers, strict=True)
        ]
        db.session.add_all(issued)
        db.session.commit()
    except (IntegrityError, OperationalError):
        db.session.rollback()
        raise CertificateError(
            "Сертификаты этого мероприятия в тот же момент выдавал другой пользователь: ничего не записано. "
            "Обновите страницу — выданные им сертификаты уже в списке."
        ) from None
    return list(db.session.scalars(
        select(Certificate).where(Certificate.participant_id.in_(participant_ids)).order_by(Certificate.number)
    ))


# -- the document ---------------------------------------------------------------------------------


def _feminine(participant: Participant) -> bool | None:
    """By the patronymic (the surest sign in a Russian name); None when it does not say."""
    if participant.person is not None:
        middle = participant.person.middle_name or ""
    else:
        middle = (participant.outsider_name.split() or [""])[-1]
    middle = middle.lower()
    if re.search(r"(вна|чна|кызы)$", middle):
        return True
    if re.search(r"(вич|ич|оглы)$", middle):
        return False
    return None


def hours_text(hours: float) -> str:
    """«16 часов», «1,5 ч.»"""
    if float(hours).is_integer():
        return plural(int(hours), "час", "часа", "часов")
    return f"{hours:g}".replace(".", ",") + " ч."


def passed_word(participant: Participant) -> str:
    return {True: "прошла", False: "прошёл", None: "прошёл(а)"}[_feminine(participant)]


@dataclass
class CertificateText:
    number: str
    name: str
    position: str
    passed: str
    course: str
    details: str
    organiser: str
    issued: str


def text_of(certificate: Certificate) -> CertificateText:
    participant, event = certificate.participant, certificate.event
    position = ", ".join(part for part in (participant.position, participant.org_title) if part)
    details = f"{ru_date(event.day)}"
    if certificate.hours:
        details += f", в объёме {hours_text(certificate.hours)}"
    if event.place:
        details += f", {event.place}"
    return CertificateText(
        number=certificate.register_number,
        name=participant.name,
        position=position,
        passed=passed_word(participant),
        course=event.title,
        details=details,
        organiser=event.org.name,
        issued=ru_date(certificate.issued_on),
    )


def _paragraph(document, text: str, size: int, bold: bool = False, space_after: int = 6, color=None):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(space_after)
    run = paragraph.add_run(text)
    run.font.size, run.bold = Pt(size), bold
    if color:
        run.font.color.rgb = color
    return paragraph


def _page(document, certificate: Certificate) -> None:
    text = text_of(certificate)
    _paragraph(document, text.organiser, 12, space_after=24)
    _paragraph(document, "СЕРТИФИКАТ", 36, bold=True, space_after=2, color=RGBColor(0x1F, 0x3F, 0x78))
    _paragraph(document, f"№ {text.number}", 14, space_after=18)
    _paragraph(document, "Настоящий сертификат подтверждает, что", 14)
    _paragraph(document, text.name, 22, bold=True, space_after=2)
    if text.position:
        _paragraph(document, text.position, 12, space_after=12)
    _paragraph(document, f"{text.passed} обучение по программе", 14)
    _paragraph(document, f"«{text.course}»", 18, bold=True)
    _paragraph(document, text.details, 13, space_after=30)
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.text = "Руководитель организации\n\n______________ / ______________\n\nМ. П."
    right.text = f"Дата выдачи: {text.issued}\n\nРегистрационный номер: {text.number}"
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(12)


def _document() -> Document:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(14)
    return document


def to_docx(certificates: list[Certificate]) -> bytes:
    """One landscape A4 page per certificate."""
    document = _document()
    for index, certificate in enumerate(certificates):
        if index:
            document.add_page_break()
        _page(document, certificate)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def file_name(certificate: Certificate) -> str:
    name = re.sub(r"[^\w-]+", "_", certificate.participant.name).strip("_") or "uchastnik"
    return f"sertifikat_{certificate.number:03d}-{certificate.year}_{name}.docx"


def to_zip(certificates: list[Certificate]) -> bytes:
    """Every certificate as its own .docx, plus all of them in one file for printing."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            archive.writestr(file_name(certificate), to_docx([certificate]))
        archive.writestr("vse_sertifikaty_dlya_pechati.docx", to_docx(certificates))
    return output.getvalue()
