"""Дополнительное соглашение о наставничестве (ст. 351.8 ТК РФ) as a Word document.

Laid out like the order (same page, font and signature lines, see ``pairs.order_docx``). It states
what the article asks for — content, period and form of the work, the amount and conditions of pay —
and the early end on three working days' notice. Names are declined: «в лице директора Сидорова
Петра Ивановича», «наставничество в отношении Петровой Анны Ивановны».
"""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from nastavnik.agreements.models import INITIATORS, NOTICE_WORKING_DAYS
from nastavnik.agreements.services import pay_text
from nastavnik.pairs.order_docx import _paragraph, _two_sides, new_document, to_bytes
from nastavnik.participants.declension import (
    decline_full_name,
    initials_name,
    is_female,
    person_in_case,
    stored_forms,
)
from nastavnik.periods import ru_date


def agreement_texts(agreement, org, kind_title: str) -> dict:
    """The wording shared by the .docx and the page."""
    mentor = agreement.person
    mentees = [m.person for m in agreement.pair.mentees]
    mentee_words = ", ".join(
        person_in_case(p, "genitive") + (f" ({p.position})" if p.position else "") for p in mentees
    )
    director = (
        f"{org.director_position_genitive or 'директора'} {decline_full_name(org.director_name, 'genitive')}"
        if org.director_name
        else f"{org.director_position_genitive or 'директора'} ____________________"
    )
    works = "работника" if len(mentees) == 1 else "работников"
    content = agreement.content.strip()
    forms = stored_forms(mentor.id)
    mentor_female = is_female(mentor.full_name, forms.gender if forms else "")
    director_female = bool(org.director_name) and is_female(org.director_name)
    clauses = [
        "В соответствии со статьёй 351.8 Трудового кодекса Российской Федерации, с письменного согласия "
        f"Работника, Работодатель поручает Работнику наставничество в отношении {works}: {mentee_words} — "
        "оказание помощи в овладении навыками работы на рабочем месте.",
        f"Содержание работы по наставничеству: {content}" + ("" if content.endswith((".", "!", "?")) else "."),
        f"Срок выполнения работы: с {ru_date(agreement.starts_on)} по {ru_date(agreement.ends_on)}.",
        f"Форма выполнения работы: {agreement.work_form} (форма наставничества «{kind_title}»).",
        f"Размер и условия выплаты за наставничество: {pay_text(agreement, len(mentees))}. "
        "Выплата является стимулирующей и производится ежемесячно в течение срока наставничества.",
        "Работодатель и Работник вправе досрочно прекратить выполнение Работником работы по наставничеству, "
        f"предупредив об этом другую сторону в письменной форме не менее чем за {NOTICE_WORKING_DAYS} рабочих дня.",
        "Остальные условия трудового договора остаются неизменными. Соглашение вступает в силу со дня его "
        "подписания и составлено в двух экземплярах, по одному для каждой стороны.",
    ]
    ended = None
    if agreement.terminated_on is not None:
        ended = (
            f"Соглашение прекращено досрочно по инициативе: {INITIATORS.get(agreement.ended_by, agreement.ended_by)}; "
            f"уведомление от {ru_date(agreement.notice_on)}, последний день работы по наставничеству — "
            f"{ru_date(agreement.terminated_on)}." + (f" Причина: {agreement.end_reason}" if agreement.end_reason else "")
        )
    return {
        "title": f"Дополнительное соглашение № {agreement.number}",
        "subtitle": "к трудовому договору от «___» ____________ 20___ г. № ______ (о наставничестве)",
        "date": ru_date(agreement.signed_on),
        "parties": (
            f"{org.name}, именуемое в дальнейшем «Работодатель», в лице {director}, "
            f"{'действующей' if director_female else 'действующего'} на основании Устава, с одной стороны, и "
            f"{mentor.full_name}" + (f", {mentor.position}" if mentor.position else "")
            + f", {'именуемая' if mentor_female else 'именуемый'} в дальнейшем «Работник», с другой стороны, "
            "заключили настоящее дополнительное соглашение о нижеследующем:"
        ),
        "clauses": clauses,
        "ended": ended,
        "employer": f"{org.director_position or 'Директор'} ________________ / "
        + (initials_name(org.director_name) if org.director_name else "________________") + " /",
        "employee": f"Работник ________________ / {initials_name(mentor.full_name)} /",
    }


def build_agreement_docx(texts: dict) -> bytes:
    doc = new_document()
    _paragraph(doc, texts["title"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, texts["subtitle"], align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=12)
    _two_sides(doc, "", texts["date"])
    _paragraph(doc, texts["parties"]).paragraph_format.space_before = Pt(12)
    for number, clause in enumerate(texts["clauses"], start=1):
        _paragraph(doc, f"{number}. {clause}").paragraph_format.space_before = Pt(3)
    if texts["ended"]:
        _paragraph(doc, texts["ended"], bold=True).paragraph_format.space_before = Pt(12)
    _paragraph(doc, "Подписи сторон:", indent=False).paragraph_format.space_before = Pt(12)
    _paragraph(doc, f"Работодатель: {texts['employer']}", indent=False).paragraph_format.space_before = Pt(12)
    _paragraph(doc, texts["employee"], indent=False).paragraph_format.space_before = Pt(12)
    _paragraph(doc, "Экземпляр соглашения получил(а): ________________ «___» ____________ 20___ г.", indent=False
               ).paragraph_format.space_before = Pt(12)
    return to_bytes(doc)
