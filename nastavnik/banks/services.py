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

from sqlalchemy import and_, bindparam, case, func, or_, select
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
)
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.pairs.models import LIVE_STATUSES, Pair, PairMember
from nastavnik.participants.models import Person
from nastavnik.periods import AcademicYear
from nastavnik.plugins.manager import registry
from nastavnik.timeutil import today, utcnow
from nastavnik.versioning import save_versioned
from nastavnik.web.paging import known_total, page_rows, rows_of_page
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


def tag_titles(profiles: Sequence[MenteeProfile | MentorProfile]) -> dict[int, list[str]]:
    """Profile id → its tags' titles, for a page of a bank in one query (not one per row)."""
    if not profiles:
        return {}
    titles: dict[int, list[str]] = {}
    rows = db.session.execute(_tag_titles_statement(isinstance(profiles[0], MenteeProfile)),
                              {"profile_ids": [p.id for p in profiles]})
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


# The exports read plain rows, not records: a region's bank is 60,000 lines, and building a record,
# its person, organisation, consents, tags and pairs for each was most of the time (bench_exports).

EXPORT_BATCH = 500  # rows read at a time; their tags, pairs and consents are looked up per batch


def _full_name(last: str, first: str, middle: str) -> str:
    return " ".join(part for part in (last, first, middle) if part)  # as Person.full_name


def _contacts(phone: str, email: str) -> str:
    return ", ".join(part for part in (phone, email) if part)


def _batches(query):
    """The rows of ``query`` in batches, streamed from the database."""
    yield from db.session.execute(query.execution_options(yield_per=EXPORT_BATCH)).partitions()


def _export_query(model, columns, org_ids, day: date):
    """The bank's people with a valid consent to processing (and not archived or anonymised), by name."""
    return (
        select(model.id, model.person_id, *columns, Person.last_name, Person.first_name, Person.middle_name,
               Person.phone, Person.email,
               func.coalesce(func.nullif(Organisation.short_name, ""), Organisation.name).label("place"))
        .join(Person, model.person_id == Person.id)
        .join(Organisation, Organisation.id == Person.org_id)
        .where(model.org_id.in_(org_ids), export_eligible_clause(day))
        .order_by(Person.last_name, Person.first_name, model.id)
    )


MENTEE_COLUMNS = (MenteeProfile.kind_code, MenteeProfile.request_text, MenteeProfile.entered_on)
MENTOR_COLUMNS = (
    MentorProfile.kind_codes, MentorProfile.variation_codes, MentorProfile.achievements, MentorProfile.interests,
    MentorProfile.time_place, MentorProfile.case_url, MentorProfile.preferred_age_min, MentorProfile.preferred_age_max,
)


def _consenting(person_ids, day: date) -> set[int]:
    """Who of ``person_ids`` has a consent to processing valid on ``day`` — by the model's own rule,
    checked again in Python after the SQL filter (a bank must never leak a person who did not consent)."""
    rows = db.session.execute(  # read through the covering index (person_id, kind, dates)
        select(Consent.person_id, Consent.signed_on, Consent.valid_until, Consent.withdrawn_on)
        .where(Consent.person_id.in_(list(person_ids)), Consent.kind == "pd_processing")
    )
    return {row.person_id for row in rows if Consent.is_valid_on(row, day)}


def _tags_of(link, owner, profile_ids) -> dict[int, list[str]]:
    titles: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(owner, Tag.title).join(Tag, Tag.id == link.c.tag_id).where(owner.in_(profile_ids)).order_by(Tag.title)
    )
    for profile_id, title in rows:
        titles.setdefault(profile_id, []).append(title)
    return titles


def mentee_export_rows(org_ids, day: date) -> Iterator[bank_export.MenteeBankRow]:
    """Only people with a valid consent: filtered in SQL, checked again per row. Streamed in batches."""
    from nastavnik.programmes.services import results_by_pair  # the «Результаты» column: completed programmes

    kinds = {code: kind.title for code, kind in registry().kinds.items()}
    for rows in _batches(_export_query(MenteeProfile, MENTEE_COLUMNS, org_ids, day)):
        tags = _tags_of(mentee_tag, mentee_tag.c.mentee_id, [p.id for p in rows])
        pairs = _latest_pairs_of_mentees([p.person_id for p in rows])
        results = results_by_pair(pair.pair_id for pair in pairs.values())
        consenting = _consenting([p.person_id for p in rows] + [m.person_id for m in pairs.values() if m.person_id],
                                 day)
        for p in rows:
            pair = pairs.get(p.person_id)
            mentor = pair if pair and pair.person_id else None
            yield bank_export.MenteeBankRow(
                full_name=_full_name(p.last_name, p.first_name, p.middle_name),
                has_consent=p.person_id in consenting,
                contacts=_contacts(p.phone, p.email),
                request=", ".join(tags.get(p.id, []) + ([p.request_text] if p.request_text else [])),
                entered_on=p.entered_on,
                mentor_name=mentor.full_name if mentor and mentor.person_id in consenting else "",
                mentor_workplace=mentor.place if mentor else "",
                form=kinds.get(p.kind_code) or registry().kind(p.kind_code).title,
                place=p.place,
                finished_on=pair.ended_on if pair else None,
                results=results.get(pair.pair_id, "") if pair else "",
            )


def mentor_export_rows(org_ids, day: date) -> Iterator[bank_export.MentorBankRow]:
    kinds = {code: kind.title for code, kind in registry().kinds.items()}
    for rows in _batches(_export_query(MentorProfile, MENTOR_COLUMNS, org_ids, day)):
        tags = _tags_of(mentor_tag, mentor_tag.c.mentor_id, [p.id for p in rows])
        mentees_of = _live_mentees_by_mentor([p.person_id for p in rows])
        mentee_ids = [m.person_id for mentees in mentees_of.values() for m in mentees]
        consenting = _consenting([p.person_id for p in rows] + mentee_ids, day)
        for p in rows:
            variations = [c for c in p.variation_codes.split(",") if c]
            age = (
                f"{p.preferred_age_min}–{plural(p.preferred_age_max, 'год', 'года', 'лет')}"
                if p.preferred_age_min and p.preferred_age_max
                else ""
            )
            yield bank_export.MentorBankRow(
                full_name=_full_name(p.last_name, p.first_name, p.middle_name),
                has_consent=p.person_id in consenting,
                contacts=_contacts(p.phone, p.email),
                workplace=p.place,
                competences=tags.get(p.id, []),
                achievements=p.achievements,
                interests=p.interests,
                desired_mentee_age=age,
                meeting_time_place=p.time_place,
                form=", ".join(kinds.get(c) or registry().kind(c).title for c in p.kind_codes.split(",") if c)
                + (f" ({'; '.join(variation_titles(variations))})" if variations else ""),
                place=p.place,
                mentee_names=[m.full_name for m in mentees_of.get(p.person_id, []) if m.person_id in consenting],
                case_url=p.case_url,
            )


@dataclass
class _Other:
    """The other side of a pair, as an export names it."""

    person_id: int | None
    full_name: str = ""
    place: str = ""
    ended_on: date | None = None
    pair_id: int | None = None


@cache
def _export_aliases():
    # Made once: an alias adapts its columns on first use, which cost every batch of an export
    # (125 batches for a region's mentee bank) a good part of its query's time.
    return aliased(PairMember), aliased(PairMember), aliased(Person), aliased(Organisation)


def _latest_pairs_of_mentees(person_ids: list[int]) -> dict[int, _Other]:
    """Each mentee's latest pair (its end date and first mentor), for a batch of the export in one query."""
    mentee, mentor, person, org = _export_aliases()
    rows = db.session.execute(
        select(mentee.person_id, Pair.id, Pair.ended_on, person.id, person.last_name, person.first_name,
               person.middle_name, org.short_name, org.name)
        .join(Pair, Pair.id == mentee.pair_id)
        .outerjoin(mentor, (mentor.pair_id == Pair.id) & (mentor.role == "mentor"))
        .outerjoin(person, person.id == mentor.person_id)
        .outerjoin(org, org.id == person.org_id)
        # An interrupted pair sent the mentee back to the bank: its mentor is no longer theirs.
        .where(mentee.person_id.in_(person_ids), mentee.role == "mentee", Pair.status != "interrupted")
        .order_by(Pair.id, mentor.id)
    )
    latest: dict[int, tuple[int, _Other]] = {}
    for mentee_id, pair_id, ended_on, mentor_id, last, first, middle, short, name in rows:
        kept = latest.get(mentee_id)
        if kept is None or kept[0] != pair_id:  # ordered by pair: a later pair replaces; its first mentor stays
            latest[mentee_id] = (pair_id, _Other(mentor_id, _full_name(last or "", first or "", middle or ""),
                                                 (short or name or "") if mentor_id else "", ended_on, pair_id))
    return {mentee_id: other for mentee_id, (_, other) in latest.items()}


def _live_mentees_by_mentor(person_ids: list[int]) -> dict[int, list[_Other]]:
    """The mentees of each mentor's live pairs, for a batch of the export in one query."""
    mentee, mentor, _, _ = _export_aliases()
    rows = db.session.execute(
        select(mentor.person_id, Pair.status, Person.id, Person.last_name, Person.first_name, Person.middle_name)
        .join(Pair, Pair.id == mentor.pair_id)
        .join(mentee, (mentee.pair_id == Pair.id) & (mentee.role == "mentee"))
        .join(Person, Person.id == mentee.person_id)
        # The status is checked below, not here: without statistics SQLite would walk every live pair
        # of the region through the status index instead of the 500 mentors' few pairs.
        .where(mentor.person_id.in_(person_ids), mentor.role == "mentor")
        .order_by(Pair.id, mentee.id)
    )
    by_mentor: dict[int, list[_Other]] = {}
    for mentor_id, status, person_id, last, first, middle in rows:
        if status in LIVE_STATUSES:
            by_mentor.setdefault(mentor_id, []).append(_Other(person_id, _full_name(last, first, middle)))
    return by_mentor


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


def dashboard_counts(org_ids: set[int]) -> dict[str, int]:
    """The dashboard card's counts: one statement per bank (a school's page sends about sixty)."""
    allowed = processing_allowed_clause(today())

    def counted(model, **conditions):
        sums = [func.coalesce(func.sum(case((condition, value), else_=0)), 0).label(name)
                for name, (condition, value) in conditions.items()]
        query = select(*sums).select_from(model).join(Person, Person.id == model.person_id)
        return db.session.execute(query.where(model.org_id.in_(org_ids))).one()._asdict()

    mentee, mentor = MenteeProfile.status, MentorProfile.status
    in_bank = mentor.in_(("in_bank", "assigned"))
    mentees = counted(
        MenteeProfile,
        mentees=(and_(mentee == "in_bank", allowed), 1),
        unmatched=(and_(mentee == "unmatched", allowed), 1),
        suspended_mentees=(and_(mentee.in_(("in_bank", "unmatched")), ~allowed), 1),
    )
    mentors = counted(
        MentorProfile,
        mentors=(and_(in_bank, allowed), 1),
        suspended_mentors=(and_(in_bank, ~allowed), 1),
        free=(and_(in_bank, MentorProfile.load < MentorProfile.capacity, allowed),
              MentorProfile.capacity - MentorProfile.load),
    )
    questionnaires = db.session.scalar(
        select(func.count()).select_from(MentorQuestionnaire).join(Person, Person.id == MentorQuestionnaire.person_id)
        .where(MentorQuestionnaire.org_id.in_(org_ids), MentorQuestionnaire.status == "submitted")
    )
    return {name: int(value) for name, value in (mentees | mentors).items()} | {"questionnaires": questionnaires or 0}
