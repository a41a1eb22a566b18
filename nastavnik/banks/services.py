"""Banks of mentors and mentees: entry (consent first), profiles, vocabulary, questionnaires, exports, import."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy import Date, Integer, String, and_, bindparam, case, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from nastavnik import access
from nastavnik.banks import bank_export
from nastavnik.banks.models import (
    MenteeProfile,
    MentorProfile,
    MentorQuestionnaire,
    Tag,
    mentee_tag,
    mentor_tag,
)
from nastavnik.banks.people_import import ImportPreview, PersonRow, natural_key
from nastavnik.consents.models import Consent
from nastavnik.consents.services import (
    SUSPENDED,
    export_eligible_clause,
    processing_allowed,
    processing_allowed_clause,
    valid_consent_id,
)
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.orgs.services import scope_select, scoped
from nastavnik.pairs.models import LIVE_STATUSES, Pair, PairMember
from nastavnik.participants.models import Person
from nastavnik.periods import AcademicYear
from nastavnik.plugins.manager import registry
from nastavnik.programmes.models import Programme
from nastavnik.timeutil import today, utcnow
from nastavnik.versioning import save_versioned
from nastavnik.web.paging import known_total, page_of_rows, page_rows, rows_of_page
from nastavnik.web.uploads import write_whole
from nastavnik.web.words import plural

PD_CONSENT = "согласие на обработку персональных данных"


class BankRefusal(Exception):
    """A person cannot enter a bank; ``message`` (Russian) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- choices


def kind_choices() -> list[tuple[str, str]]:
    return [(code, kind.title) for code, kind in registry().kinds.items()]


def category_choices(kind_code: str) -> list[tuple[str, str]]:
    return [(c.code, c.title) for c in registry().kind(kind_code).mentee_categories]


def variation_choices(kind_code: str) -> list[tuple[str, str]]:
    return [(c.code, c.title) for c in registry().kind(kind_code).variations]


def all_variation_choices() -> list[tuple[str, str]]:
    """Every installed form's variations, labelled with the form (codes are unique per installation)."""
    return [
        (c.code, f"{kind.title}: {c.title}") for kind in registry().kinds.values() for c in kind.variations
    ]


def variation_kinds() -> dict[str, str]:
    """Variation code → the code of the form it belongs to."""
    return {c.code: code for code, kind in registry().kinds.items() for c in kind.variations}


def variation_titles(codes: Iterable[str]) -> list[str]:
    titles = dict(all_variation_choices())
    return [titles.get(code, code) for code in codes if code]


def active_tags() -> list[Tag]:
    return list(db.session.scalars(select(Tag).where(~Tag.archived).order_by(Tag.group, Tag.title)))


# ---------------------------------------------------------------- lists


@dataclass
class BankFilters:
    q: str = ""
    org_id: int | None = None
    kind: str = ""
    status: str = ""
    tag_id: int | None = None
    page: int = 1


def _page(query, model, f: BankFilters, page_size: int) -> tuple[list, int]:
    """One page of ``query`` by name and the total count (the page is clamped to the last one)."""
    counted = query
    if not _asks_person(f):  # the names to order by; the count below needs no join (a region's bank is 60,000 rows)
        query = query.join(Person, model.person_id == Person.id)
    order = (Person.last_name, Person.first_name, model.id)
    f.page = max(f.page, 1)
    rows, found = rows_of_page(query, model, order, f.page, page_size)
    total = known_total(f.page, page_size, found)
    if total is None:  # a full page, or one past the end: only a count knows
        total = db.session.scalar(select(func.count()).select_from(counted.subquery())) or 0
        last = max((total + page_size - 1) // page_size, 1)
        if f.page > last:
            f.page = last
            rows = page_rows(query, model, order, f.page, page_size)
    return rows, total


def _asks_person(f: BankFilters) -> bool:
    return bool(f.q or f.status)


def _base(model, org_ids, f: BankFilters):
    """Profiles in scope; joined to their person only when a filter asks about the person."""
    query = select(model).where(model.org_id.in_(org_ids))
    return query.join(Person, model.person_id == Person.id) if _asks_person(f) else query


def _status_filter(query, status_column, status: str):
    """«приостановлен: нет согласия» is not stored: it is the consent rule, asked on every list."""
    if status == "suspended":
        return query.where(~processing_allowed_clause(today()))
    if status:
        return query.where(status_column == status, processing_allowed_clause(today()))
    return query


@cache
def _tag_titles_statement(mentees: bool):
    """Built once per bank, the ids bound at execution (see ``orgs.services.scope_select``)."""
    link = mentee_tag if mentees else mentor_tag
    owner = link.c.mentee_id if mentees else link.c.mentor_id
    return (
        select(owner, Tag.title).join(Tag, Tag.id == link.c.tag_id)
        .where(owner.in_(bindparam("profile_ids", expanding=True))).order_by(Tag.title)
    )


def tag_titles(profiles: Sequence[MenteeProfile | MentorProfile | BankRow], mentees: bool | None = None,
               ) -> dict[int, list[str]]:
    """Profile id → its tags' titles, for a page of a bank in one query (not one per row);
    ``mentees``: which bank, when the profiles are rows rather than records."""
    if not profiles:
        return {}
    titles: dict[int, list[str]] = {}
    if mentees is None:
        mentees = isinstance(profiles[0], MenteeProfile)
    rows = db.session.connection().execute(_tag_titles_statement(mentees), {"profile_ids": [p.id for p in profiles]})
    for profile_id, title in rows:
        titles.setdefault(profile_id, []).append(title)
    return titles


def _name_filter(query, q: str):
    for word in q.split()[:4]:
        like = f"%{word.lower()}%"
        query = query.where(
            or_(
                func.lower(Person.last_name).like(like),
                func.lower(Person.first_name).like(like),
                func.lower(Person.middle_name).like(like),
            )
        )
    return query


def search_mentees(org_ids: set[int], f: BankFilters, page_size: int) -> tuple[list[MenteeProfile], int]:
    query = _name_filter(_base(MenteeProfile, org_ids, f), f.q)
    if f.org_id:
        query = query.where(MenteeProfile.org_id == f.org_id)
    if f.kind:
        query = query.where(MenteeProfile.kind_code == f.kind)
    query = _status_filter(query, MenteeProfile.status, f.status)
    if f.tag_id:
        query = query.where(MenteeProfile.tags.any(Tag.id == f.tag_id))
    return _page(query, MenteeProfile, f, page_size)


def search_mentors(org_ids: set[int], f: BankFilters, page_size: int) -> tuple[list[MentorProfile], int]:
    query = _name_filter(_base(MentorProfile, org_ids, f), f.q)
    if f.org_id:
        query = query.where(MentorProfile.org_id == f.org_id)
    if f.kind:
        query = query.where(MentorProfile.kind_codes.like(f"%{f.kind}%"))
    query = _status_filter(query, MentorProfile.status, f.status)
    if f.tag_id:
        query = query.where(MentorProfile.tags.any(Tag.id == f.tag_id))
    return _page(query, MentorProfile, f, page_size)


# ---------------------------------------------------------------- the list pages, as rows
# What a bank's list shows of a page, read as plain rows: :func:`search_mentees` and
# :func:`search_mentors` are the definition (a test compares every page of both for each role and
# filter), but building 25 profile records with their person and organisation cost more than the SQL.

NAME_WORDS = 4  # words of the name search that count (see :func:`_name_filter`)


class BankRow(SimpleNamespace):
    """A row of a bank's list: the profile's columns, ``full_name``, ``org_title`` (the person's
    organisation) and ``suspended`` (the consent rule says no, as :func:`suspended_person_ids`)."""

    @property
    def full_name(self) -> str:
        return Person.full_name.fget(self)

    @property
    def kinds(self) -> list[str]:
        return MentorProfile.kinds.fget(self)

    @property
    def free_slots(self) -> int:
        return MentorProfile.free_slots.fget(self)


def bank_page(mentees: bool, scope, f: BankFilters, page_size: int) -> tuple[list[BankRow], int]:
    """Page ``f.page`` of a bank as :class:`BankRow` rows and the total (``f.page`` clamped to the last
    page): what :func:`search_mentees` / :func:`search_mentors` find, in the same order."""
    if not scope:
        f.page = 1
        return [], 0
    words = f.q.split()[:NAME_WORDS]
    status = "suspended" if f.status == "suspended" else bool(f.status)
    statement, count = _bank_statements(mentees, scope.everything, len(words), bool(f.org_id), bool(f.kind), status,
                                        bool(f.tag_id))
    params = {**scope.params(), "org_id": f.org_id, "status": f.status, "tag_id": f.tag_id, "day": today(),
              "kind": f.kind if mentees else f"%{f.kind}%"}
    params |= {f"word_{n}": f"%{word.lower()}%" for n, word in enumerate(words)}
    page = page_of_rows(statement, count, params, f.page, page_size)
    f.page = page.number
    return [BankRow(**row._mapping) for row in page.items], page.total


@cache
def _bank_statements(mentees: bool, everything: bool, words: int, org: bool, kind: bool, status, tag: bool):
    """The page's statement and its count, once per shape of the filters, their values bound at execution."""
    model = MenteeProfile if mentees else MentorProfile
    where = [model.org_id.in_(scope_select(everything))]
    for n in range(words):
        like = bindparam(f"word_{n}", type_=String)
        where.append(or_(func.lower(Person.last_name).like(like), func.lower(Person.first_name).like(like),
                         func.lower(Person.middle_name).like(like)))
    if org:
        where.append(model.org_id == bindparam("org_id", type_=Integer))
    if kind:
        where.append(MenteeProfile.kind_code == bindparam("kind", type_=String) if mentees
                     else MentorProfile.kind_codes.like(bindparam("kind", type_=String)))
    allowed = processing_allowed_clause(bindparam("day", type_=Date))
    if status == "suspended":
        where.append(~allowed)
    elif status:
        where += [model.status == bindparam("status", type_=String), allowed]
    if tag:
        where.append(model.tags.any(Tag.id == bindparam("tag_id", type_=Integer)))
    order = (Person.last_name, Person.first_name, model.id)
    keys = (
        select(model.id).join(Person, model.person_id == Person.id)
        .where(*where).order_by(*order)
        .limit(bindparam("page_limit", type_=Integer)).offset(bindparam("page_offset", type_=Integer))
        .subquery("page_keys")
    )
    columns = ((MenteeProfile.kind_code, MenteeProfile.category, MenteeProfile.request_text,
                MenteeProfile.academic_year, MenteeProfile.entered_on) if mentees
               else (MentorProfile.origin, MentorProfile.kind_codes, MentorProfile.load, MentorProfile.capacity))
    title = func.coalesce(func.nullif(Organisation.short_name, ""), Organisation.name)  # Organisation.title
    page = (
        select(model.id, model.person_id, model.status, *columns, Person.last_name, Person.first_name,
               Person.middle_name, title.label("org_title"), (~allowed).label("suspended"))
        .join_from(keys, model, model.id == keys.c.id).join(Person, model.person_id == Person.id)
        .outerjoin(Organisation, Organisation.id == Person.org_id)
        .order_by(*order)
    )
    counted = select(func.count()).select_from(model)
    if words or status:  # the count needs the person only when a filter asks about them (a region's bank: 60,000)
        counted = counted.join(Person, model.person_id == Person.id)
    return page, counted.where(*where)


# ---------------------------------------------------------------- entering a bank


def _check_consent(person: Person, day: date) -> None:
    if person.is_archived or person.anonymised_at is not None:
        raise BankRefusal(
            f"«{person.full_name}» в архиве: в банк можно включить только действующего участника."
        )
    if not processing_allowed(person, day):
        raise BankRefusal(
            f"Нельзя включить «{person.full_name}» в банк: нет действующего согласия на обработку "
            "персональных данных. Сначала внесите это согласие на странице участника."
        )


def add_mentee(person: Person, kind_code: str, academic_year: int, day: date) -> MenteeProfile:
    """A new entry of the mentee bank (one per person, form and academic year). The caller commits."""
    _check_consent(person, day)
    kind = registry().kind(kind_code)
    if getattr(kind, "missing", False):
        raise BankRefusal(f"Форма «{kind.title}» недоступна.")
    if person.kind not in kind.mentee_person_kinds:
        raise BankRefusal(
            f"«{person.full_name}» ({person.kind_title.lower()}) не может быть наставляемым в форме «{kind.title}»."
        )
    existing = db.session.scalar(
        select(MenteeProfile).where(
            MenteeProfile.person_id == person.id,
            MenteeProfile.kind_code == kind_code,
            MenteeProfile.academic_year == academic_year,
        )
    )
    if existing is not None:
        raise BankRefusal(
            f"«{person.full_name}» уже в базе наставляемых по форме «{kind.title}» на {AcademicYear(academic_year)} учебный год."
        )
    profile = MenteeProfile(
        person=person,
        person_id=person.id,
        org_id=person.org_id,
        kind_code=kind_code,
        academic_year=academic_year,
        entered_on=day,
        status="in_bank",
    )
    db.session.add(profile)
    return profile


def may_apply_as_mentor(user) -> bool:
    """Whether «Анкета наставника» is the user's to fill in: a person whom some form accepts as a mentor,
    not the bank's own editor; a pupil only once the school has made them a (peer) mentor — a pupil in
    the mentee role is never offered it (issue 7: it was shown to every pupil)."""
    person = user.person if user.person_id is not None else None
    if person is None or access.can(user, "banks.edit"):
        return False
    if not any(person.kind in kind.mentor_person_kinds for kind in registry().kinds.values()):
        return False
    return person.kind != "student" or "mentor" in user.role_codes()


def add_mentor(person: Person, day: date) -> MentorProfile:
    _check_consent(person, day)
    if db.session.scalar(select(MentorProfile.id).where(MentorProfile.person_id == person.id)) is not None:
        raise BankRefusal(f"«{person.full_name}» уже в базе наставников.")
    origin = {"student": "student_15_18", "graduate": "graduate", "partner_employee": "employee"}.get(
        person.kind, "teacher"
    )
    kinds = [code for code, kind in registry().kinds.items() if person.kind in kind.mentor_person_kinds]
    profile = MentorProfile(
        person=person,
        person_id=person.id,
        org_id=person.org_id,
        origin=origin,
        entered_on=day,
        kind_codes=",".join(kinds),
        status="in_bank",
        capacity=1,
        load=0,
    )
    db.session.add(profile)
    return profile


# ---------------------------------------------------------------- editing


def resolve_tags(ids: Iterable[int], new_titles: str, may_create: bool, org_id: int | None = None) -> list[Tag]:
    """Tags chosen from the vocabulary plus new ones typed by a curator (one per line or comma).

    ``org_id``: the profile's school — only tags that school sees are taken, and new ones become
    the school's own (see ``banks/vocabulary.py``)."""
    from nastavnik.banks.vocabulary import tags_of_school_clause

    seen = tags_of_school_clause(org_id) if org_id is not None else True
    tags = list(db.session.scalars(select(Tag).where(Tag.id.in_(list(ids)), seen))) if ids else []
    if may_create:
        for title in (t.strip() for t in new_titles.replace("\n", ",").split(",")):
            if not title:
                continue
            tag = db.session.scalar(select(Tag).where(func.lower(Tag.title) == title.lower(), seen).limit(1))
            if tag is None:
                tag = Tag(title=title[:200], group="", org_id=org_id)
                db.session.add(tag)
            if tag not in tags:
                tags.append(tag)
    return tags


def save_profile(
    profile: MenteeProfile | MentorProfile, values: dict, tags: list[Tag], expected_version: int | None
) -> None:
    """Apply ``values`` and tags unless someone else saved the record since ``expected_version``."""
    profile.tags = tags
    save_versioned(profile, values, expected_version)


# ---------------------------------------------------------------- questionnaire


def accept_questionnaire(q: MentorQuestionnaire, user_id: int, day: date) -> MentorProfile:
    """Create or update the mentor profile from the answers. The caller commits."""
    person = q.person
    profile = db.session.scalar(select(MentorProfile).where(MentorProfile.person_id == person.id))
    if profile is None:
        profile = add_mentor(person, day)
    else:
        _check_consent(person, day)
    answers = q.answers or {}
    profile.kind_codes = ",".join(answers.get("kind_codes") or []) or profile.kind_codes
    profile.capacity = max(int(answers.get("capacity") or profile.capacity or 1), profile.load, 1)
    for key in ("achievements", "interests", "time_place", "training"):
        if answers.get(key):
            setattr(profile, key, answers[key])
    profile.tags = resolve_tags(answers.get("tag_ids") or [], answers.get("new_tags") or "", may_create=True,
                                org_id=profile.org_id)
    if profile.status == "potential":
        profile.status = "in_bank"
    q.status, q.decided_by_id, q.decided_at = "accepted", user_id, utcnow()
    return profile


# ---------------------------------------------------------------- exports


# The exports read plain rows, not records: a region's bank is 60,000 lines. Each bank is one statement,
# streamed: tags aggregated; a mentee's latest pair, its mentor and results joined in; and with every
# person named, their consent to processing, checked again in Python (a bank must never leak a person
# who did not consent). Only a mentor's live mentees are looked up per batch of rows. Records, or each
# batch's tags, pairs, results and consents asked for apart, were most of the export's time (bench_exports).

EXPORT_BATCH = 500  # rows read from the database at a time


def _full_name(last: str, first: str, middle: str) -> str:
    return " ".join(part for part in (last, first, middle) if part)  # as Person.full_name


def _contacts(phone: str, email: str) -> str:
    return ", ".join(part for part in (phone, email) if part)


def _streamed(query):
    """The rows of ``query``, streamed from the database as plain rows (no ORM rows)."""
    return db.session.connection().execute(query.execution_options(yield_per=EXPORT_BATCH))


class _ConsentDates(NamedTuple):
    signed_on: date | None
    valid_until: date | None
    withdrawn_on: date | None


def _consent_columns(consent) -> tuple:
    return consent.signed_on, consent.valid_until, consent.withdrawn_on


def _consents(day: date, signed_on, valid_until, withdrawn_on) -> bool:
    """The consent read with a row (the latest one valid by the SQL rule), checked by the model's own rule."""
    return signed_on is not None and Consent.is_valid_on(_ConsentDates(signed_on, valid_until, withdrawn_on), day)


def _tag_titles(link, owner, owner_id, separator: str, *where):
    """A profile's tag titles in title order joined by ``separator`` (NULL without tags): a correlated subquery.

    PostgreSQL says it with string_agg(… ORDER BY title). SQLite's group_concat takes no ORDER BY before
    3.44, but aggregates an ordered subquery in its order (it never flattens one into an aggregate)."""
    titles = select(Tag.title).join(link, link.c.tag_id == Tag.id).where(owner == owner_id, *where)
    if db.session.get_bind().dialect.name == "postgresql":
        joined = func.string_agg(Tag.title, aggregate_order_by(literal(separator), Tag.title))
        return titles.with_only_columns(joined).scalar_subquery()
    ordered = titles.order_by(Tag.title).correlate(owner_id.table).subquery()
    return select(func.group_concat(ordered.c.title, separator)).scalar_subquery()


def _org_title(org):
    return func.coalesce(func.nullif(org.short_name, ""), org.name)  # as Organisation.title


@cache
def _export_aliases():
    # Made once: an alias adapts its columns on first use, which cost every export part of its statement.
    return SimpleNamespace(
        consent=aliased(Consent), member=aliased(PairMember), pair=aliased(Pair), mentor=aliased(PairMember),
        first=aliased(PairMember), mentor_person=aliased(Person), mentor_org=aliased(Organisation),
        mentor_consent=aliased(Consent),
    )


def _export_query(model, columns, org_ids, day: date):
    """The bank's people with a valid consent to processing (and not archived or anonymised), by name,
    with that consent's dates."""
    consent = _export_aliases().consent
    return (
        select(model.person_id, *columns, Person.last_name, Person.first_name, Person.middle_name, Person.phone,
               Person.email, _org_title(Organisation).label("place"), *_consent_columns(consent))
        .join(Person, model.person_id == Person.id)
        .join(Organisation, Organisation.id == Person.org_id)
        .outerjoin(consent, consent.id == valid_consent_id(Person.id, day))
        .where(model.org_id.in_(org_ids), export_eligible_clause(day))
        .order_by(Person.last_name, Person.first_name, model.id)
    )


def _mentee_export_query(org_ids, day: date):
    """The mentee bank's rows, each with its tags, its latest pair's end and results, and that pair's mentor."""
    a = _export_aliases()
    # An interrupted pair sent the mentee back to the bank: its mentor is no longer theirs.
    latest_pair = (
        select(func.max(a.member.pair_id)).join(a.pair, a.pair.id == a.member.pair_id)
        .where(a.member.person_id == MenteeProfile.person_id, a.member.role == "mentee",
               a.pair.status != "interrupted")
        .scalar_subquery()
    )
    first_mentor = select(func.min(a.first.id)).where(a.first.pair_id == Pair.id, a.first.role == "mentor")
    tags = _tag_titles(mentee_tag, mentee_tag.c.mentee_id, MenteeProfile.id, ", ")
    return (
        _export_query(MenteeProfile, (MenteeProfile.kind_code, MenteeProfile.request_text, MenteeProfile.entered_on,
                                      tags.label("tags")), org_ids, day)
        .add_columns(Pair.ended_on, Programme.actual_results, a.mentor_person.last_name, a.mentor_person.first_name,
                     a.mentor_person.middle_name, _org_title(a.mentor_org), *_consent_columns(a.mentor_consent))
        .outerjoin(Pair, Pair.id == latest_pair)
        .outerjoin(Programme, (Programme.pair_id == Pair.id) & (Programme.status == "completed"))
        .outerjoin(a.mentor, a.mentor.id == first_mentor.scalar_subquery())
        .outerjoin(a.mentor_person, a.mentor_person.id == a.mentor.person_id)
        .outerjoin(a.mentor_org, a.mentor_org.id == a.mentor_person.org_id)
        .outerjoin(a.mentor_consent, a.mentor_consent.id == valid_consent_id(a.mentor_person.id, day))
    )


def _kind_title(kinds: dict[str, str], code: str) -> str:
    return kinds.get(code) or registry().kind(code).title


def mentee_export_rows(org_ids, day: date) -> Iterator[bank_export.MenteeBankRow]:
    """Only people with a valid consent: filtered in SQL, checked again per row. Streamed."""
    kinds = {code: kind.title for code, kind in registry().kinds.items()}
    for (_, kind_code, request_text, entered_on, tags, last, first, middle, phone, email, place, signed_on,
         valid_until, withdrawn_on, ended_on, results, mentor_last, mentor_first, mentor_middle, mentor_place,
         *mentor_consent) in _streamed(_mentee_export_query(org_ids, day)):
        yield bank_export.MenteeBankRow(
            full_name=_full_name(last, first, middle),
            has_consent=_consents(day, signed_on, valid_until, withdrawn_on),
            contacts=_contacts(phone, email),
            # The tags, then the request's own words: as ", ".join([*tags, request_text]).
            request=(request_text or "") if tags is None else f"{tags}, {request_text}" if request_text else tags,
            entered_on=entered_on,
            mentor_name=_full_name(mentor_last, mentor_first, mentor_middle) if _consents(day, *mentor_consent)
            else "",
            mentor_workplace=mentor_place or "",
            form=_kind_title(kinds, kind_code),
            place=place,
            finished_on=ended_on,
            results=results or "",
        )


MENTOR_COLUMNS = (
    MentorProfile.kind_codes, MentorProfile.variation_codes, MentorProfile.achievements, MentorProfile.interests,
    MentorProfile.time_place, MentorProfile.case_url, MentorProfile.preferred_age_min, MentorProfile.preferred_age_max,
)


def mentor_export_rows(org_ids, day: date) -> Iterator[bank_export.MentorBankRow]:
    kinds = {code: kind.title for code, kind in registry().kinds.items()}
    forms: dict[tuple[str, str], str] = {}  # the same few forms and variations on every line: titled once
    ages: dict[tuple[int, int], str] = {}
    # Competences one per line (as bank_export's _lines: empty titles left out), joined in SQL.
    competences = _tag_titles(mentor_tag, mentor_tag.c.mentor_id, MentorProfile.id, "\n", Tag.title != "")
    query = _export_query(MentorProfile, (*MENTOR_COLUMNS, competences.label("competences")), org_ids, day)
    result = _streamed(query)
    # fetchmany, not partitions(): a batch is let go before the next is read, so no more than one is
    # held at a time (partitions() keeps the last one until the next has been read).
    while rows := result.fetchmany(EXPORT_BATCH):
        mentees_of = _live_mentees_by_mentor([row.person_id for row in rows], day)
        for (person_id, kind_codes, variation_codes, achievements, interests, time_place, case_url, age_min,
             age_max, titles, last, first, middle, phone, email, place, *consent) in rows:
            if (kind_codes, variation_codes) not in forms:
                forms[kind_codes, variation_codes] = _mentor_form(kinds, kind_codes, variation_codes)
            age = ""
            if age_min and age_max:
                if (age_min, age_max) not in ages:
                    ages[age_min, age_max] = f"{age_min}–{plural(age_max, 'год', 'года', 'лет')}"
                age = ages[age_min, age_max]
            yield bank_export.MentorBankRow(
                full_name=_full_name(last, first, middle),
                has_consent=_consents(day, *consent),
                contacts=_contacts(phone, email),
                workplace=place,
                competences=[titles] if titles else [],  # already one per line
                achievements=achievements,
                interests=interests,
                desired_mentee_age=age,
                meeting_time_place=time_place,
                form=forms[kind_codes, variation_codes],
                place=place,
                mentee_names=mentees_of.get(person_id, []),
                case_url=case_url,
            )
        rows = mentees_of = None


def _mentor_form(kinds: dict[str, str], kind_codes: str, variation_codes: str) -> str:
    """«форма, форма (вариация; вариация)» of a mentor's profile."""
    variations = [c for c in variation_codes.split(",") if c]
    return (", ".join(_kind_title(kinds, c) for c in kind_codes.split(",") if c)
            + (f" ({'; '.join(variation_titles(variations))})" if variations else ""))


def _live_mentees_by_mentor(person_ids: list[int], day: date) -> dict[int, list[str]]:
    """The names of each mentor's mentees in live pairs (only those who consent), for a batch of rows."""
    rows = db.session.connection().execute(
        _live_mentees_statement(db.session.get_bind().dialect.name == "postgresql"),
        {"person_ids": person_ids, "day": day},
    )
    by_mentor: dict[int, list[str]] = {}
    for mentor_id, status, last, first, middle, *consent in rows:
        if status in LIVE_STATUSES and _consents(day, *consent):
            by_mentor.setdefault(mentor_id, []).append(_full_name(last, first, middle))
    return by_mentor


@cache
def _live_mentees_statement(postgresql: bool):
    """The batch's mentors' pairs, each mentee of each with their valid consent: built once, the ids and
    the day bound at execution.

    The pair's status is checked in Python, not here: without statistics SQLite would walk every live pair
    of the region through the status index instead of the 500 mentors' few pairs. PostgreSQL, for its part,
    hashed the whole pair and pair_member tables for the batch's thousand pairs (the region's export: 52
    times); on PostgreSQL each pair's mentees are therefore read by a LATERAL subquery, through the pair's
    key and the members' pair index (OFFSET 0 keeps the planner from turning it back into a join)."""
    a = _export_aliases()
    columns = (Pair.status, Person.last_name, Person.first_name, Person.middle_name, *_consent_columns(a.consent))

    def with_mentees(statement):  # a pair's mentees, each with the consent valid on the day
        return (
            statement.join(a.member, (a.member.pair_id == Pair.id) & (a.member.role == "mentee"))
            .join(Person, Person.id == a.member.person_id)
            .outerjoin(a.consent, a.consent.id == valid_consent_id(Person.id, bindparam("day", type_=Date)))
        )

    batch = (a.mentor.person_id.in_(bindparam("person_ids", expanding=True)), a.mentor.role == "mentor")
    if not postgresql:
        return (
            with_mentees(select(a.mentor.person_id, *columns).join(Pair, Pair.id == a.mentor.pair_id))
            .where(*batch).order_by(Pair.id, a.member.id)
        )
    each = (
        with_mentees(select(*columns, a.member.id.label("member_id")).select_from(Pair))
        .where(Pair.id == a.mentor.pair_id).offset(0).lateral("mentee")
    )
    return (
        select(a.mentor.person_id, *(column for column in each.c if column.key != "member_id"))
        .select_from(a.mentor).join(each, true())
        .where(*batch).order_by(a.mentor.pair_id, each.c.member_id)
    )


BANK_STATUS_SUSPENDED = {"suspended": SUSPENDED}


def bank_header(title: str, day: date) -> bank_export.BankHeader:
    return {"organisation": title, "academic_year": AcademicYear.of(day).label, "as_of": day}


# ---------------------------------------------------------------- import: carrying the file


IMPORT_MAX_AGE = 24 * 3600


def _imports_dir(instance_path: str) -> Path:
    folder = Path(instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(instance_path: str, user_id: int, filename: str, data: bytes, meta: dict) -> str:
    """Keep the uploaded bytes server-side between preview and confirmation.

    The client only gets a random token; the file is bound to the uploader, so a token guessed or
    leaked to someone else is useless. Stale files (older than a day) are removed on every upload.
    """
    folder = _imports_dir(instance_path)
    cleanup_uploads(folder)
    token = secrets.token_urlsafe(24)
    info = meta | {"user_id": user_id, "filename": filename}
    try:  # both files or neither (a full disk raises StorageFull)
        write_whole(folder / f"{token}.bin", data)
        write_whole(folder / f"{token}.json", json.dumps(info, ensure_ascii=False).encode())
    except OSError:
        drop_upload(instance_path, token)
        raise
    return token


def load_upload(instance_path: str, token: str, user_id: int) -> tuple[bytes, dict] | None:
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    folder = _imports_dir(instance_path)
    data_path, meta_path = folder / f"{token}.bin", folder / f"{token}.json"
    if not data_path.exists() or not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text())
    if meta.get("user_id") != user_id or time.time() - data_path.stat().st_mtime > IMPORT_MAX_AGE:
        return None
    return data_path.read_bytes(), meta


def drop_upload(instance_path: str, token: str) -> None:
    folder = _imports_dir(instance_path)
    for suffix in (".bin", ".json"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)


def cleanup_uploads(folder: Path) -> None:
    now = time.time()
    for path in folder.glob("*.*"):
        if now - path.stat().st_mtime > IMPORT_MAX_AGE:
            path.unlink(missing_ok=True)


# ---------------------------------------------------------------- import: commit


CATEGORY_CODES = {
    "высшая": "highest",
    "первая": "first",
    "соответствие занимаемой должности": "conformity",
    "без категории": "none",
}


def _person_key(person: Person) -> tuple[str, ...]:
    if person.personnel_number:
        return ("tab", person.personnel_number)
    name = " ".join(person.full_name.lower().replace("ё", "е").split())
    return ("fio", name, person.birth_date.isoformat() if person.birth_date else "")


def _row_values(row: PersonRow, kind: str, day: date) -> dict:
    values = {
        "last_name": row.last_name,
        "first_name": row.first_name,
        "middle_name": row.middle_name,
    }
    optional = {
        "birth_date": row.birth_date,
        "phone": row.phone,
        "email": row.email,
        "snils": row.snils,
        "personnel_number": row.personnel_number,
        "hired_on": row.hired_on,
    }
    if kind == "staff":
        optional |= {
            "position": row.position,
            "subjects": ", ".join(row.subjects),
            "qualification_category": CATEGORY_CODES.get(row.category, ""),
        }
        if row.experience_years is not None:
            values |= {"experience_years": row.experience_years, "experience_on": day}
    else:
        optional["class_name"] = row.class_name
    # An empty cell does not erase what the school already knows.
    values |= {k: v for k, v in optional.items() if v not in (None, "")}
    return values


def apply_import(preview: ImportPreview, org_id: int, kind: str, day: date) -> tuple[int, int]:
    """Create or update people from a clean preview, all in the current transaction.

    Existing people of the organisation are matched by the importer's natural key (табельный
    номер, else ФИО + дата рождения), so a re-import updates instead of duplicating. The caller
    commits once; an exception means nothing is written.
    """
    if not preview.ok:
        raise ValueError("preview has errors")
    existing: dict[tuple[str, ...], Person] = {}
    for person in db.session.scalars(select(Person).where(Person.org_id == org_id, Person.kind == kind)):
        existing.setdefault(_person_key(person), person)
        if person.personnel_number:  # a file without табельный номер still finds them by name
            name = " ".join(person.full_name.lower().replace("ё", "е").split())
            existing.setdefault(
                ("fio", name, person.birth_date.isoformat() if person.birth_date else ""), person
            )
    created = updated = 0
    for row in preview.rows:
        values = _row_values(row, kind, day)
        person = existing.get(natural_key(row))
        if person is not None and person.experience_years == values.get("experience_years"):
            values.pop("experience_on", None)  # same стаж: keep the date it was recorded on
        if person is None:
            person = Person(org_id=org_id, kind=kind, **values)
            db.session.add(person)
            existing[natural_key(row)] = person
            created += 1
        else:
            for key, value in values.items():
                if getattr(person, key) != value:
                    setattr(person, key, value)
            updated += 1
    db.session.flush()
    return created, updated


def preview_cells(preview: ImportPreview) -> list[tuple[str, str]]:
    """(field, label) of the columns found, in file order, for the preview table."""
    from nastavnik.banks.people_import import FIELD_LABELS

    if preview.columns is None:
        return []
    ordered = sorted(preview.columns.columns.items(), key=lambda item: item[1])
    return [(name, FIELD_LABELS.get(name, name)) for name, _ in ordered]


def profile_summary(profiles: Sequence[MenteeProfile]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in profiles:
        counts[p.status] = counts.get(p.status, 0) + 1
    return counts


def dashboard_counts(org_ids) -> dict[str, int]:
    """The dashboard card's counts: both banks and the questionnaires in one statement."""
    statement, params = scoped(_card_counts, org_ids)
    row = db.session.execute(statement, params | {"day": today()}).one()
    return {name: int(value or 0) for name, value in row._asdict().items()}


def _card_counts(org_ids):
    # three one-row aggregates side by side: one round trip instead of three
    parts = [_mentee_counts(org_ids).subquery(), _mentor_counts(org_ids).subquery(),
             _questionnaire_count(org_ids).subquery()]
    return select(*(column for part in parts for column in part.c)).select_from(
        parts[0].join(parts[1], true()).join(parts[2], true()))


def _bank_sums(model, org_ids, **conditions):
    sums = [func.coalesce(func.sum(case((condition, value), else_=0)), 0).label(name)
            for name, (condition, value) in conditions.items()]
    return select(*sums).select_from(model).join(Person, Person.id == model.person_id).where(model.org_id.in_(org_ids))


def _mentee_counts(org_ids):
    allowed, mentee = processing_allowed_clause(bindparam("day", type_=Date)), MenteeProfile.status
    return _bank_sums(
        MenteeProfile, org_ids,
        mentees=(and_(mentee == "in_bank", allowed), 1),
        unmatched=(and_(mentee == "unmatched", allowed), 1),
        suspended_mentees=(and_(mentee.in_(("in_bank", "unmatched")), ~allowed), 1),
    )


def _mentor_counts(org_ids):
    allowed = processing_allowed_clause(bindparam("day", type_=Date))
    in_bank = MentorProfile.status.in_(("in_bank", "assigned"))
    return _bank_sums(
        MentorProfile, org_ids,
        mentors=(and_(in_bank, allowed), 1),
        suspended_mentors=(and_(in_bank, ~allowed), 1),
        free=(and_(in_bank, MentorProfile.load < MentorProfile.capacity, allowed),
              MentorProfile.capacity - MentorProfile.load),
    )


def _questionnaire_count(org_ids):
    return (
        select(func.count().label("questionnaires")).select_from(MentorQuestionnaire).join(Person, Person.id == MentorQuestionnaire.person_id)
        .where(MentorQuestionnaire.org_id.in_(org_ids), MentorQuestionnaire.status == "submitted")
    )
