"""Queries and changes of participants."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, func, or_, select

from nastavnik.consents.models import Consent
from nastavnik.consents.services import export_eligible_clause, valid_consent_clause, withdrawn_clause
from nastavnik.extensions import db
from nastavnik.participants.models import Guardianship, Person
from nastavnik.periods import ru_date
from nastavnik.timeutil import utcnow
from nastavnik.web import xlsx
from nastavnik.web.paging import count, known_total, rows_of_page

CONSENT_FILTERS = {
    "eligible": "можно выгружать (согласие действует)",
    "valid": "согласие действует",
    "expiring": "согласие скоро истекает",
    "missing": "нет согласия",
    "withdrawn": "согласие отозвано",
}


@dataclass
class Filters:
    q: str = ""
    org_id: int | None = None
    kind: str = ""
    consent: str = ""
    archived: bool = False
    page: int = 1


def _consent_condition(code: str, day: date, expiring_days: int):
    if code == "eligible":
        return export_eligible_clause(day)
    if code == "valid":
        return valid_consent_clause(day)
    if code == "withdrawn":
        return withdrawn_clause(day)
    if code == "missing":
        return ~exists(select(Consent.id).where(Consent.person_id == Person.id, Consent.kind == "pd_processing"))
    if code == "expiring":
        soon = day + timedelta(days=expiring_days)
        return exists(
            select(Consent.id).where(
                Consent.person_id == Person.id,
                Consent.kind == "pd_processing",
                Consent.withdrawn_on.is_(None),
                Consent.valid_until.between(day, soon),
            )
        )
    return None


def search(org_ids: set[int], filters: Filters, day: date, expiring_days: int, page_size: int):
    """A page of participants within ``org_ids`` and the total count."""
    query = select(Person).where(Person.org_id.in_(org_ids), Person.kind != "parent")
    if filters.q:
        for word in filters.q.split()[:4]:
            like = f"%{word.lower()}%"
            query = query.where(
                or_(
                    func.lower(Person.last_name).like(like),
                    func.lower(Person.first_name).like(like),
                    func.lower(Person.middle_name).like(like),
                    func.lower(Person.class_name).like(like),
                    func.lower(Person.position).like(like),
                )
            )
    if filters.org_id:
        query = query.where(Person.org_id == filters.org_id)
    if filters.kind:
        query = query.where(Person.kind == filters.kind)
    condition = _consent_condition(filters.consent, day, expiring_days)
    if condition is not None:
        query = query.where(condition)
    query = query.where(Person.archived_at.is_not(None) if filters.archived else Person.archived_at.is_(None))
    order = (Person.last_name, Person.first_name, Person.id)
    people, found = rows_of_page(query, Person, order, filters.page, page_size)
    total = known_total(filters.page, page_size, found)
    return people, count(query) if total is None else total


def has_history(person: Person) -> bool:
    """Anyone with consents, guardians or an account is archived, never deleted."""
    from nastavnik.auth.models import User

    return bool(
        person.consents
        or person.guardian_links
        or db.session.scalar(select(exists().where(User.person_id == person.id)))
        or db.session.scalar(select(exists().where(Guardianship.guardian_id == person.id)))
    )


def archive(person: Person) -> None:
    person.archived_at = utcnow()
    db.session.commit()


EXPORT_COLUMNS = (  # title, width
    ("ФИО", 36), ("Кто", 16), ("Организация", 28), ("Дата рождения", 14), ("Класс / должность", 22),
    ("Предметы", 28), ("Телефон", 18), ("Эл. почта", 32),
)


def export_query(org_ids, day: date):
    """People with a valid consent to processing, for the export (streamed: a region has 100,000)."""
    return (
        select(Person)
        .where(Person.org_id.in_(org_ids), Person.kind != "parent", export_eligible_clause(day))
        .order_by(Person.org_id, Person.last_name, Person.first_name, Person.id)
        .execution_options(yield_per=500)
    )


def write_participants(book: xlsx.Book, people: Iterable[Person], org_title: str, day: date) -> None:
    """Список участников с действующим согласием на обработку ПД, строка за строкой."""
    sheet = book.sheet("Участники", widths=[width for _, width in EXPORT_COLUMNS])
    sheet.row([f"Участники: {org_title}. Только лица с действующим согласием на обработку ПД на {ru_date(day)}"])
    sheet.skip()
    sheet.row([title for title, _ in EXPORT_COLUMNS], book.formats["header"])
    cell = book.formats["cell"]
    for person in people:
        sheet.row([
            person.full_name, person.kind_short, person.org.title, person.birth_date,
            person.class_name or person.position, person.subjects, person.phone, person.email,
        ], cell)
    ws = sheet.ws
    ws.freeze_panes(3, 1)
    ws.repeat_rows(2)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_footer("&LСодержит персональные данные (152-ФЗ)&RСтраница &P из &N")
