"""The register of partners, live agreements, the справка rule, the mentor pool and the counters.

Who sees what: the register of a municipality (its partner organisations and their mentors) is
shared by every school under it, so a user sees a partner when they hold ``partners.view`` anywhere
under the partner's municipality. Agreements and activities belong to one school and are scoped
like every other school record (``access.get_or_404``).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from nastavnik import access
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.participants.counters import scope_statement
from nastavnik.participants.models import Person
from nastavnik.timeutil import today
from plugins.partners.models import Activity, Agreement, PartnerMentor, PartnerProfile

EXPIRY_WARNING_DAYS = 60
RECORD_CHECK_LAW = "ст. 351.1 ТК РФ"


# ---------------------------------------------------------------- ИНН / ОГРН


def check_inn(value: str) -> str:
    """The ИНН of an organisation (10 digits) or an entrepreneur (12), checked by its check digits."""
    try:
        return stdnum_inn.validate(value)
    except StdnumError as exc:
        raise ValueError(_number_message("ИНН", exc, "10 цифр у организации или 12 у ИП")) from None


def check_ogrn(value: str) -> str:
    """ОГРН (13 digits) or ОГРНИП (15), checked by its check digit."""
    try:
        return stdnum_ogrn.validate(value)
    except StdnumError as exc:
        raise ValueError(_number_message("ОГРН", exc, "13 цифр (ОГРНИП — 15)")) from None


def _number_message(name: str, exc: StdnumError, length: str) -> str:
    kind = type(exc).__name__
    if kind == "InvalidLength":
        return f"{name} состоит из {length}."
    if kind == "InvalidFormat":
        return f"{name} — только цифры."
    if kind == "InvalidChecksum":
        return f"{name}: не сходится контрольная цифра — проверьте, нет ли опечатки."
    return f"{name} указан неверно."


# ---------------------------------------------------------------- who sees the register


def _municipality_of(org_id: int, parents: dict[int, int | None], kinds: dict[int, str]) -> int | None:
    while org_id is not None:
        if kinds.get(org_id) == "municipality":
            return org_id
        org_id = parents.get(org_id)
    return None


def register_ids(user, permission: str = "partners.view") -> set[int]:
    """Municipalities whose register of partners ``user`` may open with ``permission``."""
    ids = access.scope(user, permission)
    if not ids:
        return set()
    rows = db.session.execute(select(Organisation.id, Organisation.parent_id, Organisation.kind)).all()
    parents = {row.id: row.parent_id for row in rows}
    kinds = {row.id: row.kind for row in rows}
    found = {_municipality_of(org_id, parents, kinds) for org_id in ids}
    found |= {org_id for org_id in ids if kinds.get(org_id) == "municipality"}
    return {m for m in found if m is not None}


def can_see_partner(user, partner: Organisation, permission: str = "partners.view") -> bool:
    return partner.kind == "partner" and partner.parent_id in register_ids(user, permission)


def partner_or_404(partner_id: int, permission: str = "partners.view") -> Organisation:
    """A partner organisation of a register the user may open; 404 otherwise (as for another school)."""
    from flask import abort
    from flask_login import current_user

    if not access.can(current_user, permission):
        abort(403)
    partner = db.session.get(Organisation, partner_id)
    if partner is None or not can_see_partner(current_user, partner, permission):
        abort(404)
    return partner


def partners_of(municipality_ids: set[int]) -> list[tuple[Organisation, PartnerProfile | None]]:
    rows = db.session.execute(
        select(Organisation, PartnerProfile)
        .outerjoin(PartnerProfile, PartnerProfile.org_id == Organisation.id)
        .where(Organisation.kind == "partner", Organisation.parent_id.in_(municipality_ids), ~Organisation.archived)
        .order_by(Organisation.name)
    ).all()
    return [(org, profile) for org, profile in rows]


def profile_of(partner: Organisation) -> PartnerProfile | None:
    return db.session.scalar(select(PartnerProfile).where(PartnerProfile.org_id == partner.id))


def mentors_of(partner_id: int) -> list[PartnerMentor]:
    return list(
        db.session.scalars(
            select(PartnerMentor)
            .join(Person, Person.id == PartnerMentor.person_id)
            .where(Person.org_id == partner_id, Person.archived_at.is_(None))
            .order_by(Person.last_name, Person.first_name)
        )
    )


def partner_person_visible(user, person: Person) -> bool:
    """A partner's employee is seen by whoever may open the register of their partner."""
    return person.kind == "partner_employee" and person.org is not None and can_see_partner(user, person.org)


def include_in_bank(mentor: PartnerMentor, capacity: int, day: date):
    """Put the partner's employee into the bank of mentors (the core's consent check applies).

    Their competences are the partner's professional areas, so that the core's «запросы и
    компетенции» criterion sees what a pupil interested in the trade is looking for. The caller commits.
    """
    from nastavnik.banks.services import add_mentor, resolve_tags

    profile = add_mentor(mentor.person, day)
    profile.capacity = capacity
    partner = profile_of(mentor.person.org)
    profile.tags = resolve_tags([], ", ".join(partner.area_list) if partner else "", may_create=True)
    if mentor.briefing_on:
        profile.training = f"инструктаж пройден {mentor.briefing_on:%d.%m.%Y}"
    return profile


# ---------------------------------------------------------------- agreements


def live_clause(day: date):
    """SQL condition: the agreement is in force on ``day``."""
    return and_(
        Agreement.starts_on <= day,
        or_(Agreement.ends_on.is_(None), Agreement.ends_on >= day),
        or_(Agreement.terminated_on.is_(None), Agreement.terminated_on > day),
    )


def covers_clause(kind_code: str):
    """SQL condition: the agreement covers the form (an agreement naming no form covers all of them)."""
    return or_(Agreement.kind_codes == "", ("," + Agreement.kind_codes + ",").contains(f",{kind_code},", autoescape=True))


def pool_partner_ids(org_id: int, kind_code: str, day: date) -> list[int]:
    """Partners with an agreement in force with the school ``org_id`` that covers the form."""
    return list(
        db.session.scalars(
            select(Agreement.partner_id)
            .where(Agreement.org_id == org_id, live_clause(day), covers_clause(kind_code))
            .distinct()
        )
    )


def agreements_of(org_ids: set[int], partner_id: int | None = None) -> list[Agreement]:
    query = select(Agreement).where(Agreement.org_id.in_(org_ids))
    if partner_id is not None:
        query = query.where(Agreement.partner_id == partner_id)
    return list(db.session.scalars(query.order_by(Agreement.signed_on.desc(), Agreement.id.desc())))


def expiring_agreements(org_ids: set[int], day: date) -> list[Agreement]:
    """Agreements in force that end within ``EXPIRY_WARNING_DAYS`` or ended within the last 30 days
    (one statement, whatever the number of schools)."""
    return list(
        db.session.scalars(
            select(Agreement)
            .where(
                Agreement.org_id.in_(org_ids),
                Agreement.terminated_on.is_(None),
                Agreement.ends_on.between(day - timedelta(days=30), day + timedelta(days=EXPIRY_WARNING_DAYS)),
            )
            .order_by(Agreement.ends_on)
        )
    )


# ---------------------------------------------------------------- the справка rule (ст. 351.1 ТК РФ)


def pairing_refusals(mentors, mentees, day: date | None = None) -> dict[tuple[int, int], str]:
    """A partner's employee without a valid «справка об отсутствии судимости» mentors no minor.

    One query for the whole set of mentors; pairs of adults, or with mentors who are not partner
    employees, are never refused here.
    """
    day = day or today()
    partner_people = [m for m in mentors if m.kind == "partner_employee"]
    minors = [e for e in mentees if e.is_minor_on(day)]
    if not partner_people or not minors:
        return {}
    records = {
        r.person_id: r
        for r in db.session.scalars(
            select(PartnerMentor).where(PartnerMentor.person_id.in_([m.id for m in partner_people]))
        )
    }
    refused = {}
    for mentor in partner_people:
        why = record_check_problem(records.get(mentor.id), day)
        if why:
            for mentee in minors:
                refused[(mentor.id, mentee.id)] = why
    return refused


def record_check_problem(record: PartnerMentor | None, day: date) -> str:
    """Why the mentor may not work with a minor, or "" when the справка is valid."""
    if record is None or record.record_check_on is None:
        return (
            f"нет справки об отсутствии судимости ({RECORD_CHECK_LAW}): работник партнёра не может быть "
            "наставником несовершеннолетнего, пока справка не внесена"
        )
    if record.record_check_on > day:
        return f"справка об отсутствии судимости датирована будущим днём ({record.record_check_on:%d.%m.%Y})"
    if record.record_check_until is not None and record.record_check_until < day:
        return (
            f"справка об отсутствии судимости истекла {record.record_check_until:%d.%m.%Y} ({RECORD_CHECK_LAW}): "
            "нужна новая справка, чтобы работать с несовершеннолетним"
        )
    return ""


# ---------------------------------------------------------------- counters


def _pair_in_period(start: date, end: date):
    return and_(
        or_(Pair.starts_on.is_(None), Pair.starts_on <= end),
        or_(Pair.ended_on.is_(None), Pair.ended_on >= start),
        Pair.status != "forming",
    )


@cache
def _aliases():
    # Made once: an alias adapts its columns on first use, a cost paid on every call otherwise.
    return aliased(PairMember), aliased(PairMember), aliased(Person), aliased(Person)


# The two counters of indicator 5 Р-145 run on every report: their statements are made once per subquery of
# organisations, the period a parameter (scope_statement; making them cost more than running them).
PERIOD = {"start": bindparam("period_start"), "end": bindparam("period_end")}


def count_partners_with_mentors(scope) -> dict[int, int]:
    """Per school: partner organisations that supplied at least one mentor to its pairs in the period."""
    def build():
        mentor = _aliases()[2]
        return (
            select(Pair.org_id, func.count(func.distinct(mentor.org_id)))
            .join(PairMember, and_(PairMember.pair_id == Pair.id, PairMember.role == "mentor"))
            .join(mentor, mentor.id == PairMember.person_id)
            .where(
                Pair.org_id.in_(scope.org_ids),
                mentor.kind == "partner_employee",
                _pair_in_period(PERIOD["start"], PERIOD["end"]),
            )
            .group_by(Pair.org_id)
        )

    rows = db.session.execute(scope_statement(scope, "partners_with_mentors", build),
                              {"period_start": scope.start, "period_end": scope.end})
    return {org_id: n for org_id, n in rows}


def count_partners_total(scope) -> dict[int, int]:
    """Per school: partner organisations with a cooperation agreement in force at any time in the period."""
    def build():
        start, end = PERIOD["start"], PERIOD["end"]
        return (
            select(Agreement.org_id, func.count(func.distinct(Agreement.partner_id)))
            .where(
                Agreement.org_id.in_(scope.org_ids),
                Agreement.starts_on <= end,
                or_(Agreement.ends_on.is_(None), Agreement.ends_on >= start),
                or_(Agreement.terminated_on.is_(None), Agreement.terminated_on > start),
            )
            .group_by(Agreement.org_id)
        )

    rows = db.session.execute(scope_statement(scope, "partners_total", build),
                              {"period_start": scope.start, "period_end": scope.end})
    return {org_id: n for org_id, n in rows}


def count_pupils_in_partner_pairs(scope) -> dict[int, int]:
    """Per school: pupils who are mentees in a pair whose mentor is a partner's employee, in the period."""
    mentor_member, mentee_member, mentor, mentee = _aliases()
    rows = db.session.execute(
        select(Pair.org_id, func.count(func.distinct(mentee.id)))
        .join(mentor_member, and_(mentor_member.pair_id == Pair.id, mentor_member.role == "mentor"))
        .join(mentor, mentor.id == mentor_member.person_id)
        .join(mentee_member, and_(mentee_member.pair_id == Pair.id, mentee_member.role == "mentee"))
        .join(mentee, mentee.id == mentee_member.person_id)
        .where(
            Pair.org_id.in_(scope.org_ids),
            mentor.kind == "partner_employee",
            mentee.kind == "student",
            _pair_in_period(scope.start, scope.end),
        )
        .group_by(Pair.org_id)
    )
    return {org_id: n for org_id, n in rows}


def count_activity_participants(scope) -> dict[int, int]:
    """Per school: participants of career-guidance activities with partners held in the period."""
    rows = db.session.execute(
        select(Activity.org_id, func.sum(Activity.participants))
        .where(Activity.org_id.in_(scope.org_ids), Activity.held_on.between(scope.start, scope.end))
        .group_by(Activity.org_id)
    )
    return {org_id: int(n or 0) for org_id, n in rows}


def count_activities(scope) -> dict[int, int]:
    rows = db.session.execute(
        select(Activity.org_id, func.count(Activity.id))
        .where(Activity.org_id.in_(scope.org_ids), Activity.held_on.between(scope.start, scope.end))
        .group_by(Activity.org_id)
    )
    return {org_id: n for org_id, n in rows}
