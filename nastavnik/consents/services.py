"""Who may appear in lists and exports, who lacks a consent, and anonymisation after retention."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from nastavnik.consents.models import Consent
from nastavnik.extensions import db
from nastavnik.orgs.services import Scope, scope_select
from nastavnik.participants.models import PERSONAL_FIELDS, Guardianship, Person
from nastavnik.timeutil import utcnow

Guardian = aliased(Person, name="guardian")


def _valid_on(day: date) -> tuple:
    """SQL conditions on ``Consent``: valid on ``day`` (``Consent.is_valid_on`` in Python)."""
    return (
        Consent.signed_on <= day,
        or_(Consent.valid_until.is_(None), Consent.valid_until >= day),
        or_(Consent.withdrawn_on.is_(None), Consent.withdrawn_on > day),
    )


def valid_consent_clause(day: date, kind: str = "pd_processing"):
    """SQL condition: the person has a consent of ``kind`` valid on ``day``."""
    return exists(select(Consent.id).where(Consent.person_id == Person.id, Consent.kind == kind, *_valid_on(day)))


def valid_consent_id(person_id, day: date, kind: str = "pd_processing"):
    """SQL: the id of the person's latest consent of ``kind`` valid on ``day`` (NULL when there is none),
    for a statement that reads that consent with its rows and checks it again by the model's own rule."""
    return (
        select(func.max(Consent.id))
        .where(Consent.person_id == person_id, Consent.kind == kind, *_valid_on(day))
        .scalar_subquery()
    )


def withdrawn_clause(day: date):
    """SQL condition: the person withdrew a consent to processing (and has no newer valid one)."""
    return and_(
        exists(
            select(Consent.id).where(
                Consent.person_id == Person.id,
                Consent.kind == "pd_processing",
                Consent.withdrawn_on.is_not(None),
                Consent.withdrawn_on <= day,
            )
        ),
        ~valid_consent_clause(day),
    )


# ---------------------------------------------------------------- the one rule (152-ФЗ)
#
# A person's data may be processed — in a bank, in matching, in a new pair or order, in any list or
# export — only while they have a valid consent to processing and are neither archived nor
# anonymised. Every path asks one of the three functions below; none re-states the rule.

SUSPENDED = "приостановлен: нет согласия"


def processing_allowed_clause(day: date):
    """SQL condition on ``Person``: the person's data may be processed on ``day``."""
    return and_(valid_consent_clause(day), Person.anonymised_at.is_(None), Person.archived_at.is_(None))


def processing_allowed(person: Person, day: date) -> bool:
    """Python twin of :func:`processing_allowed_clause` for a loaded person."""
    return person.archived_at is None and person.anonymised_at is None and has_valid_consent(person, day)


def suspended_person_ids(person_ids, day: date) -> set[int]:
    """Which of ``person_ids`` may not be processed on ``day`` (one query, for a page of a list)."""
    ids = list(set(person_ids))
    if not ids:
        return set()
    return set(db.session.scalars(_suspended_statement(), {"person_ids": ids, "day": day}))


@cache
def _suspended_statement():
    """Built once, the ids and the day bound at execution (see ``orgs.services.scope_select``)."""
    return select(Person.id).where(
        Person.id.in_(bindparam("person_ids", expanding=True)), ~processing_allowed_clause(bindparam("day", type_=Date))
    )


def export_eligible_clause(day: date):
    """Only people with a valid consent to processing, not archived, not anonymised."""
    return processing_allowed_clause(day)


def has_valid_consent(person: Person, day: date, kind: str = "pd_processing") -> bool:
    return any(c.kind == kind and c.is_valid_on(day) for c in person.consents)


def consent_state(person: Person, day: date, expiring_days: int) -> str:
    """Состояние согласия на обработку ПД: valid | expiring | expired | withdrawn | missing."""
    states = [c.state_on(day, expiring_days) for c in person.consents if c.kind == "pd_processing"]
    for state in ("valid", "expiring", "withdrawn", "expired"):
        if state in states:
            return state
    return "missing"


@cache
def _consents_of_statement():
    """Built once (see ``orgs.services.scope_select``), the ids bound at execution."""
    return select(Consent.person_id, Consent.kind, Consent.valid_until, Consent.withdrawn_on).where(
        Consent.person_id.in_(bindparam("person_ids", expanding=True))
    )


def consent_states(person_ids, day: date, expiring_days: int) -> dict[int, str]:
    """:func:`consent_state` of many people from one light query (a page of a list), by the same rule."""
    found: dict[int, set[str]] = {}
    if person_ids:
        rows = db.session.execute(_consents_of_statement(), {"person_ids": list(person_ids)})
        for row in rows:
            if row.kind == "pd_processing":  # checked here: SQLite would rather scan every consent of a kind
                found.setdefault(row.person_id, set()).add(Consent.state_on(row, day, expiring_days))
    order = ("valid", "expiring", "withdrawn", "expired")
    return {person_id: next(s for s in order if s in states) for person_id, states in found.items()}


def consent_state_column(day: date, expiring_days: int):
    """SQL twin of :func:`consent_state`, for counting many people without loading them.

    Each consent to processing has one state; the person's is the best of them (valid, expiring,
    withdrawn, expired in that order) or «missing». One correlated subquery per person, read through
    the index (person_id, kind, dates): four EXISTS inside a CASE led PostgreSQL to hash every
    consent of the database for a municipality's 3,000 people (80 ms of the dashboard's 400)."""
    return _state_column(day, day + timedelta(days=expiring_days))


def consent_state_column_between(day, soon):
    """:func:`consent_state_column` from the day and the end of «скоро истекает», either of them a bound
    parameter (for a statement built once per process)."""
    return _state_column(day, soon)


def _state_column(day, soon):
    """:func:`consent_state_column` from the day and the end of «скоро истекает» (values or bound parameters)."""
    rank = case(
        (Consent.withdrawn_on <= day, 3),
        (or_(Consent.valid_until.is_(None), Consent.valid_until > soon), 1),
        (Consent.valid_until >= day, 2),
        else_=4,
    )
    best = (
        select(func.min(rank)).where(Consent.person_id == Person.id, Consent.kind == "pd_processing")
        .correlate(Person).scalar_subquery()
    )
    return case({1: "valid", 2: "expiring", 3: "withdrawn", 4: "expired"}, value=best, else_="missing")


GROUPS = ("missing", "expiring", "expired", "withdrawn")


def _lacking_people(in_scope, day, soon):
    """A SELECT of the people of ``in_scope`` whose consent state is not «valid», with that state (``_state_column``'s
    rule, the day and the end of «скоро истекает» values or bound parameters).

    Planned as two joins, not a subquery per person: those who hold a consent valid past ``soon`` are
    taken out by an anti-join, and the state of the rest (a region: 25,000 of 112,000) is the best of
    their other consents, joined and grouped. One correlated subquery per person made PostgreSQL
    estimate a region's page so dear that it compiled it (JIT, 0.45 s) before running it (0.4 s)."""
    valid_past_soon = exists().where(
        Consent.person_id == Person.id, Consent.kind == "pd_processing",
        or_(Consent.withdrawn_on.is_(None), Consent.withdrawn_on > day),
        or_(Consent.valid_until.is_(None), Consent.valid_until > soon),
    )
    # Every other consent to processing of such a person is withdrawn, expiring or expired.
    ending = aliased(Consent, name="ending")
    rank = case((ending.withdrawn_on <= day, 3), (ending.valid_until >= day, 2), (ending.valid_until < day, 4))
    state = case({2: "expiring", 3: "withdrawn", 4: "expired"}, value=func.min(rank), else_="missing")
    return (
        select(Person.id, Person.last_name, Person.first_name, state.label("state"))
        .outerjoin(ending, and_(ending.person_id == Person.id, ending.kind == "pd_processing",
                                or_(ending.withdrawn_on <= day, ending.valid_until <= soon)))
        .where(in_scope, Person.kind != "parent", Person.archived_at.is_(None), Person.anonymised_at.is_(None),
               ~valid_past_soon)
        .group_by(Person.id, Person.last_name, Person.first_name)
    )


def _lacking_query(in_scope, by_group: bool):
    """The statement of :func:`lacking`, its day, page and group bound at execution: the rows of the
    page (id, group, NULL) in each group shown, and each group's total (NULL, group, total).

    Each group's page is its own ORDER BY … LIMIT over the people found once (a CTE): a sort that keeps
    only the page's rows, where numbering all 25,000 of a region by name (a window) sorted them all."""
    people = _lacking_people(in_scope, bindparam("day", type_=Date), bindparam("soon", type_=Date)).cte("lacking")
    shown = [bindparam("group", type_=String)] if by_group else list(GROUPS)
    no_total = null().cast(Integer).label("total")
    pages = [
        select(people.c.id, people.c.state, people.c.last_name, people.c.first_name)
        .where(people.c.state == code)
        .order_by(people.c.last_name, people.c.first_name, people.c.id)
        .limit(bindparam("size", type_=Integer)).offset(bindparam("skip", type_=Integer))
        .subquery()
        for code in shown
    ]
    totals = select(null().cast(Integer), people.c.state, null().cast(String), null().cast(String),
                    func.count()).group_by(people.c.state)
    rows = union_all(*(select(*page.c, no_total) for page in pages), totals).subquery()
    return select(rows.c.id, rows.c.state, rows.c.total).order_by(
        rows.c.state, rows.c.last_name, rows.c.first_name, rows.c.id)


@cache
def _lacking_statement(everything: bool, by_group: bool):
    """Built once per shape (see ``orgs.services.scope_select``): a school's page ran it in less time
    than building it took."""
    return _lacking_query(Person.org_id.in_(scope_select(everything)), by_group)


def lacking(org_ids, day: date, expiring_days: int, group: str | None, first: int, size: int):
    """Who lacks a valid consent to processing, by group: (ids by group, count by group).

    One statement, whatever the scope: each person's state is computed once; the ids returned are
    those ``first``…``first + size - 1`` by name in each group (or in ``group`` only).
    """
    params = {"day": day, "soon": day + timedelta(days=expiring_days), "skip": first - 1, "size": size}
    if group:
        params["group"] = group
    if isinstance(org_ids, Scope):
        statement = _lacking_statement(org_ids.everything, bool(group))
        params.update(org_ids.params())
    else:
        statement = _lacking_query(Person.org_id.in_(org_ids), bool(group))
    rows = db.session.execute(statement, params).all() if org_ids else []
    ids: dict[str, list[int]] = {code: [] for code in GROUPS}
    totals: dict[str, int] = dict.fromkeys(GROUPS, 0)
    for person_id, code, total in rows:
        if person_id is None:
            totals[code] = total
        else:
            ids[code].append(person_id)
    return ids, totals


def due_for_anonymisation(day: date, retention_days: int) -> list[Person]:
    """People whose processing consent ended (withdrawn or expired) more than ``retention_days`` ago."""
    cutoff = day - timedelta(days=retention_days)
    ended_long_ago = exists(
        select(Consent.id).where(
            Consent.person_id == Person.id,
            Consent.kind == "pd_processing",
            or_(Consent.withdrawn_on <= cutoff, Consent.valid_until < cutoff),
        )
    )
    query = select(Person).where(Person.anonymised_at.is_(None), ended_long_ago, ~valid_consent_clause(day))
    return list(db.session.scalars(query))


def anonymise(person: Person) -> list[Person]:
    """Обезличивание: personal fields are cleared; the record stays for the counts it feeds.

    A student's legal representatives go with them, unless they still represent another student
    whose data is kept (their name and phone are still needed there). Returns the representatives
    anonymised along with ``person``."""
    guardians = orphaned_guardians(person)
    for someone in (person, *guardians):
        _anonymise_one(someone)
    return guardians


def orphaned_guardians(student: Person) -> list[Person]:
    """Representatives of ``student`` who represent no other non-anonymised student."""
    guardian_ids = [link.guardian_id for link in student.guardian_links]
    if not guardian_ids:
        return []
    still_needed = exists(
        select(Guardianship.id)
        .join(Person, Person.id == Guardianship.student_id)
        .where(
            Guardianship.guardian_id == Guardian.id,
            Guardianship.student_id != student.id,
            Person.anonymised_at.is_(None),
        )
    )
    # Only «законный представитель» records: a teacher who is also a parent keeps their own record.
    query = select(Guardian).where(
        Guardian.id.in_(guardian_ids),
        Guardian.kind == "parent",
        Guardian.anonymised_at.is_(None),
        ~still_needed,
    )
    return list(db.session.scalars(query))


def _anonymise_one(person: Person) -> None:
    from nastavnik.audit.services import scrub_person_history
    from nastavnik.participants.declension import PersonNameForms

    # The name in its cases is the name: a bulk delete, so not even the log keeps the forms.
    db.session.execute(delete(PersonNameForms).where(PersonNameForms.person_id == person.id))

    for name in PERSONAL_FIELDS:
        column = Person.__table__.c[name]
        setattr(person, name, None if column.nullable else "")
    person.last_name = f"Обезличен №{person.id}"
    person.first_name = "—"
    person.anonymised_at = utcnow()
    for consent in person.consents:  # the signatory's name and free text are personal data too
        consent.signatory_name = "—"
        consent.withdrawal_reason = ""
    scrub_person_history(person.id)
