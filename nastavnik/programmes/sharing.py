"""What leaves a school for the shared bank of effective practices carries no personal data.

Free texts of a programme are written by people about people: names in every case («Петровой
Анне»), patronymics, initials, phones, e-mails, birth dates, classes. Before any of it is shown to
another school (or copied into another school's programme) every text goes through
:func:`depersonalise`: the names of everyone recorded at the programme's school are removed in any
declension, and patterns that identify a person whoever they are (a patronymic, a surname with
initials, a phone, an e-mail, a date, a class letter, a document number) are replaced by a mark.
The shared record (:class:`SharedPractice`) holds only these cleaned texts and facts about the
programme itself, never a field of a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import select

from nastavnik.extensions import db
from nastavnik.participants.models import Person

PERSON, PHONE, EMAIL, DATE, CLASS, NUMBER = "[участник]", "[телефон]", "[эл. почта]", "[дата]", "[класс]", "[номер]"
MONTHS = "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
UP, LOW = "А-ЯЁ", "а-яё"
_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), EMAIL),
    # dates: 12.03.2011, 12/03/11, 12 марта 2011 (birth dates above all)
    (re.compile(rf"\b(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])[./-](?:\d{{4}}|\d{{2}})\b|\b\d{{1,2}}\s+(?:{MONTHS})(?:\s+\d{{4}}(?:\s*г\.?)?)?",
                re.IGNORECASE), DATE),
    # a long run of digits: phones with a country code, СНИЛС, passport, policy numbers
    (re.compile(r"(?<![\w])\+?\d(?:[\s()\-]{0,2}\d){9,}(?![\w])"), NUMBER),
    (re.compile(r"(?<![\w])\d{2,3}-\d{2}-\d{2}(?![\w])"), PHONE),  # a local phone: 23-45-67
    # patronymics in any case, with the name before them: «Мария Петровна», «Ивану Сергеевичу»
    (re.compile(rf"\b(?:[{UP}][{LOW}]+\s+)?[{UP}][{LOW}]+(?:ович|евич|ьич|овн|евн|ичн|инич)[{LOW}]{{0,3}}\b"), PERSON),
    # initials: «Петрова А. В.», «А.В. Петрова», «Петрова А.»
    (re.compile(rf"\b[{UP}][{LOW}]+\s+[{UP}]\.\s?(?:[{UP}]\.)?|\b[{UP}]\.\s?(?:[{UP}]\.\s?)?[{UP}][{LOW}]+"), PERSON),
    (re.compile(rf"(?<![\w])[{UP}]\.\s?[{UP}]\.?"), PERSON),  # initials left beside a removed name: «О.И.»
    # a class: 7Б, 7 «Б», 11-А
    (re.compile(rf"(?<![\w])(?:[1-9]|1[01])\s?[-–]?\s?[«\"]?[{UP}][»\"]?(?![\w])"), CLASS),
]
_REPEATED = re.compile(r"\[участник\](?:\s+\[участник\])+")
_ENDING = re.compile(r"[аяийыоеьуё]+$", re.IGNORECASE)


def _stem(name: str) -> str:
    name = (name or "").strip()
    return _ENDING.sub("", name) if len(name) > 3 else name


class Depersonaliser:
    """Removes the names of a school's people and person-identifying patterns from texts."""

    def __init__(self, names: set[str]):
        stems = sorted({s for s in (_stem(n) for n in names) if len(s) >= 3 and s[:1].isupper()}, key=len, reverse=True)
        # Names are capitalised in Russian: matching the capitalised stem keeps «верить» when «Вера» goes.
        self.names = re.compile(rf"\b(?:{'|'.join(map(re.escape, stems))})[{LOW}]{{0,4}}\b") if stems else None

    def __call__(self, text: str) -> str:
        text = text or ""
        if self.names is not None:
            text = self.names.sub(PERSON, text)
        for pattern, mark in _PATTERNS:
            text = pattern.sub(mark, text)
        return _REPEATED.sub(PERSON, text)


def for_school(org_id: int) -> Depersonaliser:
    """The depersonaliser of a school: the names of everyone recorded there, once per request."""
    cache = g.setdefault("depersonalisers", {}) if has_request_context() else {}
    if org_id not in cache:
        names: set[str] = set()
        for row in db.session.execute(
            select(Person.last_name, Person.first_name, Person.middle_name).where(Person.org_id == org_id)
        ):
            names.update(part for part in row if part)
        cache[org_id] = Depersonaliser(names)
    return cache[org_id]


def depersonalise(text: str, org_id: int, extra_names=()) -> str:
    clean = for_school(org_id)
    if extra_names:
        text = Depersonaliser(set(extra_names))(text)
    return clean(text)


@dataclass(frozen=True)
class SharedPractice:
    """The whole record another school sees: the programme's own facts and cleaned texts only."""

    id: int
    kind_code: str
    org_id: int
    academic_year: int
    duration_months: int
    goal: str
    tasks: str
    planned_results: str
    actual_results: str
    plan: tuple[tuple[int, str, str, str], ...]  # (month offset, content, responsible, result)


def member_names(pair) -> set[str]:
    """The pair's people and their representatives, wherever they are recorded."""
    names: set[str] = set()
    for member in pair.members:
        person = member.person
        people = [person] + [link.guardian for link in person.guardian_links]
        for someone in people:
            names.update(p for p in (someone.last_name, someone.first_name, someone.middle_name) if p)
    return names


def shared_practice(programme) -> SharedPractice:
    from nastavnik.programmes.services import months_between, sorted_items

    pair = programme.pair
    names = member_names(pair)

    def clean(text: str) -> str:
        return depersonalise(text, pair.org_id, names)

    items = sorted_items(programme)
    dated = [i.due_on for i in items if i.due_on]
    start = pair.starts_on or (min(dated) if dated else None)
    plan = tuple(
        (months_between(start, i.due_on) if start and i.due_on else 0, clean(i.content), clean(i.responsible),
         clean(i.result))
        for i in items
    )
    return SharedPractice(
        id=programme.id, kind_code=pair.kind_code, org_id=pair.org_id, academic_year=pair.academic_year,
        duration_months=programme.duration_months, goal=clean(programme.goal), tasks=clean(programme.tasks),
        planned_results=clean(programme.planned_results), actual_results=clean(programme.actual_results), plan=plan,
    )
