"""Pairs and groups: mentor slots under concurrency, orders, early ending, who sees which pair."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Date, Integer, String, bindparam, exists, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload, lazyload, load_only, selectinload
from sqlalchemy.orm.exc import StaleDataError

from nastavnik import access
from nastavnik.banks.models import MenteeProfile, MentorProfile
from nastavnik.consents.services import has_valid_consent, processing_allowed_clause
from nastavnik.extensions import db
from nastavnik.orgs.services import scope_select, scoped
from nastavnik.pairs.eligibility import first_ids_and_total, pairing_problems, pairs_without_consent_count
from nastavnik.pairs.models import (
    LIVE_STATUSES,
    ORDER_KINDS,
    PAIR_STATUSES,
    Order,
    OrderEntry,
    Pair,
    PairMember,
    SupportRecord,
)
from nastavnik.participants.models import Person
from nastavnik.plugins.manager import registry
from nastavnik.timeutil import today
from nastavnik.web.paging import Page, page_of_rows

END_INITIATORS = {"mentor": "наставник", "mentee": "наставляемый", "school": "образовательная организация"}


class PairError(Exception):
    """A pair cannot be created or changed; ``message`` is Russian and shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CapacityError(PairError):
    pass


# ---------------------------------------------------------------- mentor slots


def take_slot(mentor: MentorProfile) -> None:
    """Occupy one place of ``mentor`` in the current transaction, or raise CapacityError.

    One conditional UPDATE: the database checks ``load < capacity`` and increments in the same
    statement, so two curators confirming the last place at once cannot both succeed (the second
    UPDATE waits for the first transaction's row lock and then sees the new load).
    """
    try:
        result = db.session.execute(
            update(MentorProfile)
            .where(MentorProfile.id == mentor.id, MentorProfile.load < MentorProfile.capacity)
            # The status changes here too: an ORM write would bump the row version and make the
            # other curator's transaction fail with a stale-data error instead of this message.
            .values(load=MentorProfile.load + 1, status="assigned")
            .execution_options(synchronize_session=False)
        )
    except OperationalError:  # SQLite: the other writer held the lock past the busy timeout
        raise CapacityError(
            "Другой пользователь в этот момент закреплял пару с тем же наставником. Обновите страницу и повторите."
        ) from None
    if result.rowcount != 1:
        db.session.expire(mentor, ["load", "status"])
        raise CapacityError(
            f"У наставника «{mentor.person.full_name}» нет свободных мест "
            f"(занято {mentor.load} из {mentor.capacity}): пару не сохранили. Выберите другого наставника "
            "или увеличьте его нагрузку."
        )
    db.session.expire(mentor, ["load", "status"])


def release_slot(mentor_profile_id: int) -> None:
    """Free one place; a mentor whose last pair ended is «в базе» again, not «закреплён».

    Plain UPDATEs like take_slot: an ORM write would bump the row version under a concurrent confirm.
    """
    db.session.execute(
        update(MentorProfile)
        .where(MentorProfile.id == mentor_profile_id, MentorProfile.load > 0)
        .values(load=MentorProfile.load - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(MentorProfile)
        .where(
            MentorProfile.id == mentor_profile_id,
            MentorProfile.status == "assigned",
            MentorProfile.load <= 0,
        )
        .values(status="in_bank")
        .execution_options(synchronize_session=False)
    )
    mentor = db.session.get(MentorProfile, mentor_profile_id)
    if mentor is not None:
        db.session.expire(mentor, ["load", "status"])


# ---------------------------------------------------------------- creating pairs


def create_pair(
    *,
    org_id: int,
    kind_code: str,
    variation_code: str,
    mentors: Sequence[MentorProfile],
    mentees: Sequence[MenteeProfile],
    academic_year: int,
    starts_on: date | None = None,
    ends_on: date | None = None,
    match_run_id: int | None = None,
    day: date | None = None,
) -> Pair:
    """A new pair/group «формируется»; takes a place of every mentor. The caller commits."""
    if not mentors or not mentees:
        raise PairError("В паре должен быть хотя бы один наставник и хотя бы один наставляемый.")
    problems = pairing_problems(kind_code, [m.person for m in mentors], [m.person for m in mentees], day or today())
    if problems:
        raise PairError("Пару составить нельзя. " + " ".join(problems))
    kind = registry().kind(kind_code)
    is_group = len(mentees) > 1 or len(mentors) > 1
    if is_group and not kind.groups_allowed:
        raise PairError(
            f"Форма «{kind.title}» не допускает групп: выберите одного наставника и одного наставляемого."
        )
    mentor_people = {m.person_id for m in mentors}
    if mentor_people & {m.person_id for m in mentees}:
        raise PairError("Один и тот же человек не может быть наставником и наставляемым в одной паре.")
    for mentee in mentees:
        if mentee.status not in ("in_bank", "unmatched"):
            raise PairError(f"«{mentee.person.full_name}» уже в паре или выбыл из базы наставляемых.")
    pair = Pair(
        org_id=org_id,
        kind_code=kind_code,
        variation_code=variation_code,
        is_group=is_group,
        status="forming",
        academic_year=academic_year,
        starts_on=starts_on,
        ends_on=ends_on,
        match_run_id=match_run_id,
    )
    db.session.add(pair)
    for mentor in mentors:
        take_slot(mentor)
        pair.members.append(
            PairMember(person_id=mentor.person_id, role="mentor", mentor_profile_id=mentor.id)
        )
    for mentee in mentees:
        mentee.status = "in_pair"
        pair.members.append(
            PairMember(person_id=mentee.person_id, role="mentee", mentee_profile_id=mentee.id)
        )
    try:
        db.session.flush()
    except StaleDataError:  # the mentee's record changed meanwhile (e.g. paired by someone else)
        raise PairError(
            "Запись наставляемого только что изменил другой пользователь. Обновите страницу и повторите."
        ) from None
    return pair


# ---------------------------------------------------------------- orders


def is_school_employee(person, org_id: int) -> bool:
    """A worker of the school under the Labour Code (not a pupil, a graduate or a partner's employee)."""
    return person.kind == "staff" and person.org_id == org_id


def missing_duties_consents(pairs: Sequence[Pair], day: date) -> list[str]:
    """Mentors employed by the school who have no valid written consent to the additional duties
    («mentor_duties»). A labour-law consent: never demanded from a pupil or another outside mentor."""
    names = []
    for pair in pairs:
        for member in pair.mentors:
            if not is_school_employee(member.person, pair.org_id):
                continue
            if not has_valid_consent(member.person, day, "mentor_duties"):
                names.append(member.person.full_name)
    return sorted(set(names))


def issue_order(
    org_id: int, number: str, issued_on: date, pairs: Sequence[Pair], day: date, ends_on: date | None = None
) -> Order:
    """Fix forming pairs by an order: they become active from the order's date, until their planned
    end (``ends_on`` for those without one: the order states the period). The caller commits."""
    if not pairs:
        raise PairError("Отметьте хотя бы одну формирующуюся пару.")
    for pair in pairs:
        if pair.status != "forming" or pair.org_id != org_id:
            raise PairError("В приказ можно включить только формирующиеся пары этой организации.")
    problems = [
        problem
        for pair in pairs
        for problem in pairing_problems(
            pair.kind_code, [m.person for m in pair.mentors], [m.person for m in pair.mentees], day
        )
    ]
    if problems:
        raise PairError("Приказ не издан. " + " ".join(dict.fromkeys(problems)))
    missing = missing_duties_consents(pairs, day)
    if missing:
        raise PairError(
            "Нет действующего согласия наставника на возложение дополнительных обязанностей: "
            + ", ".join(missing)
            + ". Внесите согласие, затем издайте приказ."
        )
    if ends_on is not None and ends_on <= issued_on:
        raise PairError("Срок закрепления должен заканчиваться позже даты приказа.")
    order = _new_order(org_id, number, issued_on, "pairs")
    for pair in pairs:
        pair.order = order
        pair.status = "active"
        pair.starts_on = pair.starts_on or issued_on
        pair.ends_on = pair.ends_on or ends_on
    db.session.flush()
    return order


def change_orders(pair_id: int) -> list[Order]:
    """Orders on ending or changing the pair (the assignment order is ``pair.order``)."""
    query = select(Order).where(Order.id.in_(select(OrderEntry.order_id).where(OrderEntry.pair_id == pair_id)))
    return list(db.session.scalars(query.order_by(Order.issued_on, Order.id)))


def _new_order(org_id: int, number: str, issued_on: date, kind: str) -> Order:
    taken = db.session.scalar(
        select(exists().where(Order.org_id == org_id, Order.number == number, Order.issued_on == issued_on))
    )
    if taken:
        raise PairError(f"Приказ № {number} от этой даты уже есть.")
    order = Order(org_id=org_id, number=number, issued_on=issued_on, kind=kind, title=ORDER_KINDS[kind])
    db.session.add(order)
    return order


def end_order(pair: Pair, number: str, issued_on: date) -> Order:
    """The order on ending a pair (after :func:`end_pair`): finished or interrupted, from its end date."""
    order = _new_order(pair.org_id, number, issued_on, "end")
    action = "interrupt" if pair.status == "interrupted" else "finish"
    order.entries.append(OrderEntry(pair=pair, action=action, effective_on=pair.ended_on, note=pair.end_reason))
    db.session.flush()
    return order


def replace_mentor(
    pair: Pair, old: PairMember, new: MentorProfile, *, effective_on: date, reason: str, number: str,
    issued_on: date, day: date,
) -> Order:
    """Give a live pair another mentor, by an order «об изменении состава»: the new mentor takes a place,
    the old one's is freed; the order keeps who was replaced. The caller commits."""
    if pair.status not in LIVE_STATUSES:
        raise PairError("Пара завершена или прервана: наставника заменить нельзя.")
    if old.pair_id != pair.id or old.role != "mentor":
        raise PairError("Выберите наставника этой пары.")
    if new.person_id in {m.person_id for m in pair.members}:
        raise PairError(f"«{new.person.full_name}» уже участвует в этой паре.")
    if pair.kind_code not in new.kinds:
        raise PairError(f"«{new.person.full_name}» не работает в форме «{registry().kind(pair.kind_code).title}».")
    problems = pairing_problems(pair.kind_code, [new.person], [m.person for m in pair.mentees], day)
    if problems:
        raise PairError("Замена невозможна. " + " ".join(problems))
    order = _new_order(pair.org_id, number, issued_on, "change")
    order.entries.append(
        OrderEntry(pair=pair, action="replace_mentor", person_id=old.person_id, new_person_id=new.person_id,
                   effective_on=effective_on, note=reason)
    )
    take_slot(new)
    if old.mentor_profile_id:
        release_slot(old.mentor_profile_id)
    old.person_id, old.mentor_profile_id = new.person_id, new.id
    db.session.flush()
    db.session.expire(old, ["person"])
    return order


# ---------------------------------------------------------------- ending


def end_pair(
    pair: Pair, *, reason: str, initiator: str, ended_on: date, user_id: int | None, early: bool
) -> None:
    """Finish or interrupt a live pair: release the mentors' places, return mentees to the bank
    when interrupted. The caller commits."""
    if pair.status not in LIVE_STATUSES:
        raise PairError("Пара уже завершена или прервана.")
    if initiator not in END_INITIATORS:
        raise PairError("Укажите, кто инициировал завершение.")
    pair.status = "interrupted" if early else "finished"
    pair.ended_on, pair.end_reason, pair.end_initiator, pair.ended_by_id = (
        ended_on,
        reason,
        initiator,
        user_id,
    )
    for member in pair.members:
        if member.role == "mentor" and member.mentor_profile_id:
            release_slot(member.mentor_profile_id)
        if member.role == "mentee" and member.mentee_profile_id:
            mentee = db.session.get(MenteeProfile, member.mentee_profile_id)
            mentee.status = "in_bank" if early else "finished"


# ---------------------------------------------------------------- who sees what


def member_pair_ids(person_id: int | None):
    return select(PairMember.pair_id).where(PairMember.person_id == person_id)


def visible_pairs_clause(user):
    """Pairs in the user's scope, plus the pairs the user is a member of."""
    org_ids = access.scope(user, "pairs.view")
    own = Pair.id.in_(member_pair_ids(user.person_id)) if user.person_id else None
    if own is None:
        return Pair.org_id.in_(org_ids)
    return or_(Pair.org_id.in_(org_ids), own)


def can_view_pair(user, pair: Pair) -> bool:
    if access.can(user, "pairs.view", pair.org_id):
        return True
    return user.person_id is not None and any(m.person_id == user.person_id for m in pair.members)


def shares_live_pair(user, person) -> bool:
    """Relation check: a mentor/mentee sees the people of their own live pairs."""
    if not getattr(user, "is_authenticated", False) or user.person_id is None:
        return False
    mine = (
        select(PairMember.pair_id)
        .join(Pair)
        .where(PairMember.person_id == user.person_id, Pair.status.in_(LIVE_STATUSES))
    )
    query = select(exists().where(PairMember.person_id == person.id, PairMember.pair_id.in_(mine)))
    return bool(db.session.scalar(query))


@dataclass
class PairFilters:
    status: str = ""
    org_id: int | None = None
    kind: str = ""


NEWEST_FIRST = (Pair.created_at.desc(), Pair.id.desc())


@cache
def members_by_name():
    """Loader option for lists that name a pair's people: members and their names, nothing more
    (a person's organisation and other columns are left out of 25 rows × 2 people). One object for
    the process, so that the statement of a page's records is built once (see ``web.paging``)."""
    from nastavnik.participants.models import Person

    return selectinload(Pair.members).joinedload(PairMember.person).options(
        lazyload(Person.org), load_only(Person.last_name, Person.first_name, Person.middle_name, Person.anonymised_at)
    )


def list_pairs_query(user, filters: PairFilters):
    """SQL: the pairs the user sees, filtered (a region's are 60,000: page them, newest first)."""
    query = select(Pair).where(visible_pairs_clause(user))
    if filters.status:
        query = query.where(Pair.status == filters.status)
    if filters.org_id:
        query = query.where(Pair.org_id == filters.org_id)
    if filters.kind:
        query = query.where(Pair.kind_code == filters.kind)
    return query


def list_pairs(user, filters: PairFilters) -> list[Pair]:
    query = list_pairs_query(user, filters).options(selectinload(Pair.members), joinedload(Pair.order))
    return list(db.session.scalars(query.order_by(*NEWEST_FIRST)))


def forming_count(user) -> int:
    """Pairs waiting for an order, among those the user sees."""
    scope = access.scope(user, "pairs.view")
    if scope:
        statement = _forming_statement(scope.everything, bool(user.person_id))
        return db.session.scalar(statement, {**scope.params(), "person_id": user.person_id}) or 0
    return db.session.scalar(
        select(func.count()).select_from(Pair).where(visible_pairs_clause(user), Pair.status == "forming")
    ) or 0


def _visible_pairs_bound(everything: bool, own: bool):
    """:func:`visible_pairs_clause` of a non-empty scope, its roots and person bound at execution."""
    visible = Pair.org_id.in_(scope_select(everything))
    if not own:
        return visible
    mine = select(PairMember.pair_id).where(PairMember.person_id == bindparam("person_id", type_=Integer))
    return or_(visible, Pair.id.in_(mine))


@cache
def _forming_statement(everything: bool, own: bool):
    return select(func.count()).select_from(Pair).where(_visible_pairs_bound(everything, own), Pair.status == "forming")


# ---------------------------------------------------------------- the list page, as rows


@dataclass(frozen=True, slots=True)
class PairRow:
    """A row of the pairs list: what the list shows of a pair (the same as the record's)."""

    id: int
    kind_code: str
    is_group: bool
    status: str
    order_number: str | None
    order_issued_on: date | None
    mentors: str  # full names, comma-separated, in the order of ``Pair.members``
    mentees: str

    @property
    def status_title(self) -> str:
        return PAIR_STATUSES.get(self.status, self.status)


def pairs_page(user, filters: PairFilters, number: int, size: int) -> Page:
    """Page ``number`` of :func:`list_pairs_query` (newest first) as :class:`PairRow` rows.

    The same pairs in the same order as the records' page (a test compares them for every role):
    read as plain rows — the page with its order, then the names of its members, and a count only
    when the page does not tell the total — because building the records of 25 pairs and 50 people
    cost more than the SQL."""
    scope = access.scope(user, "pairs.view")
    if not scope and user.person_id is None:
        return Page([], 0, 1, size)  # sees no pair at all
    shape = (bool(scope), scope.everything, user.person_id is not None, bool(filters.status), bool(filters.org_id),
             bool(filters.kind))
    params = {**(scope.params() if scope else {}), "person_id": user.person_id, "status": filters.status,
              "org_id": filters.org_id, "kind": filters.kind}
    page = page_of_rows(*_page_statements(*shape), params, number, size)
    members = members_of_pairs([row.id for row in page.items])
    page.items = [
        PairRow(row.id, row.kind_code, row.is_group, row.status, row.number, row.issued_on,
                names_of(members.get(row.id, []), "mentor"), names_of(members.get(row.id, []), "mentee"))
        for row in page.items
    ]
    return page


@cache
def _page_statements(scoped: bool, everything: bool, own: bool, status: bool, org: bool, kind: bool):
    """The page's statement and its count, once per shape, the values bound at execution."""
    pair, order = Pair.__table__, Order.__table__
    mine = pair.c.id.in_(select(PairMember.pair_id).where(PairMember.person_id == bindparam("person_id", type_=Integer)))
    where = [_visible_pairs_bound(everything, own) if scoped else mine]
    if status:
        where.append(pair.c.status == bindparam("status", type_=String))
    if org:
        where.append(pair.c.org_id == bindparam("org_id", type_=Integer))
    if kind:
        where.append(pair.c.kind_code == bindparam("kind", type_=String))
    # The page's keys are found on the narrow columns; only its 25 pairs are then joined to their order.
    keys = (
        select(pair.c.id).where(*where)
        .order_by(pair.c.created_at.desc(), pair.c.id.desc())
        .limit(bindparam("page_limit", type_=Integer)).offset(bindparam("page_offset", type_=Integer))
        .subquery("page_keys")
    )
    page = (
        select(pair.c.id, pair.c.kind_code, pair.c.is_group, pair.c.status, order.c.number, order.c.issued_on,
              )
        .join_from(keys, pair, pair.c.id == keys.c.id).outerjoin(order, order.c.id == pair.c.order_id)
        .order_by(pair.c.created_at.desc(), pair.c.id.desc())
    )
    return page, select(func.count()).select_from(pair).where(*where)


def members_of_pairs(pair_ids: list[int]) -> dict[int, list]:
    """Pair id → its members as plain rows (``person_id``, ``role`` and the person's name columns,
    which ``Person.full_name`` / ``short_name`` read as from a record), in the order of
    ``Pair.members``, for a page of pairs in one statement."""
    if not pair_ids:
        return {}
    members: dict[int, list] = {}
    for row in db.session.connection().execute(_members_statement(), {"pair_ids": pair_ids}):
        members.setdefault(row.pair_id, []).append(row)
    return members


def names_of(members: list, role: str, name=Person.full_name) -> str:
    """The names of the members in ``role``, comma-separated (``name``: the record's property)."""
    return ", ".join(name.fget(m) for m in members if m.role == role)


@cache
def _members_statement():
    member, person = PairMember.__table__, Person.__table__
    return (
        select(member.c.pair_id, member.c.person_id, member.c.role, person.c.last_name, person.c.first_name, person.c.middle_name,
               person.c.anonymised_at)
        .join(person, person.c.id == member.c.person_id)
        .where(member.c.pair_id.in_(bindparam("pair_ids", expanding=True)))
        .order_by(member.c.pair_id, member.c.role.desc(), member.c.id)
    )


def pairs_of_mentor(person_id: int) -> list[Pair]:
    """Every pair the person mentors, live ones first (for the mentor's card in the bank)."""
    pairs = db.session.scalars(
        select(Pair)
        .where(
            Pair.id.in_(
                select(PairMember.pair_id).where(
                    PairMember.person_id == person_id, PairMember.role == "mentor"
                )
            )
        )
        .options(selectinload(Pair.members))
        .order_by(Pair.id.desc())
    ).all()
    return sorted(pairs, key=lambda p: p.status not in LIVE_STATUSES)


def _stalled_ids(org_ids):
    """Ids of active pairs with no meeting since ``:cutoff`` (counting from the start if none)."""
    from nastavnik.programmes.models import Meeting

    cutoff = bindparam("cutoff", type_=Date)
    last = select(func.max(Meeting.held_on)).where(Meeting.pair_id == Pair.id).scalar_subquery()
    # An active pair always has starts_on (set by the order); a fresh pair is not stalled yet.
    return select(Pair.id).where(
        Pair.org_id.in_(org_ids),
        Pair.status == "active",
        or_(last < cutoff, last.is_(None) & (Pair.starts_on < cutoff)),
    )


CARD_PAIRS = 10  # stalled pairs named on the dashboard; the rest are counted


def card_figures(org_ids, days: int, day: date) -> dict:
    """The dashboard card's figures, JSON-ready: counts by status, and stalled pairs (count, first ids)."""
    stalled, stalled_ids = first_ids_and_total(org_ids, _stalled_ids, CARD_PAIRS,
                                               {"cutoff": day - timedelta(days=days)})
    unconsented, unconsented_ids = pairs_without_consent_count(org_ids, day, CARD_PAIRS)
    return {
        "counts": dashboard_counts(org_ids),
        "stalled": stalled,
        "stalled_ids": stalled_ids,
        "unconsented": unconsented,
        "unconsented_ids": unconsented_ids,
    }


def pairs_by_id(pair_ids) -> list[Pair]:
    """Pairs with their members, in one query each, in the order of ``pair_ids``."""
    if not pair_ids:
        return []
    found = {p.id: p for p in db.session.scalars(_pairs_by_id_statement(), {"pair_ids": list(pair_ids)}).unique()}
    return [found[i] for i in pair_ids if i in found]


@cache
def _pairs_by_id_statement():
    """Built once, the ids bound at execution (see ``orgs.services.scope_select``). The members and their
    names joined in: a dashboard names a few pairs in three cards, one statement each."""
    from nastavnik.participants.models import Person

    members = joinedload(Pair.members).joinedload(PairMember.person).options(
        lazyload(Person.org), load_only(Person.last_name, Person.first_name, Person.middle_name, Person.anonymised_at)
    )
    return select(Pair).where(Pair.id.in_(bindparam("pair_ids", expanding=True))).options(members)


UNMATCHED_ORDER = (MenteeProfile.status.desc(), MenteeProfile.entered_on, MenteeProfile.id)


def unmatched_query(org_ids, day: date | None = None):
    """Mentees still waiting for a pair (people without a valid consent are out of the list)."""
    return (
        select(MenteeProfile)
        .join(Person, Person.id == MenteeProfile.person_id)
        .where(
            MenteeProfile.org_id.in_(org_ids),
            MenteeProfile.status.in_(("unmatched", "in_bank")),
            processing_allowed_clause(day or today()),
        )
    )


def unmatched_listing(org_ids, day: date):
    """:func:`unmatched_query` for a list page: (statement, its values), the statement built once per
    process when ``org_ids`` is a scope (see ``web.paging.rows_of_page``), else (statement, None).

    The same rows, but each waiting mentee's person is asked about by its own probe (see
    :func:`_mentee_may_be_processed`)."""
    if isinstance(org_ids, access.Scope) and org_ids:
        return _unmatched_statement(org_ids.everything), {"day": day, **org_ids.params()}
    return _unmatched_of(MenteeProfile.org_id.in_(org_ids), day), None


@cache
def _unmatched_statement(everything: bool):
    return _unmatched_of(MenteeProfile.org_id.in_(scope_select(everything)), bindparam("day", type_=Date))


def _unmatched_of(in_scope, day):
    return select(MenteeProfile).where(
        in_scope, MenteeProfile.status.in_(("unmatched", "in_bank")), _mentee_may_be_processed(day)
    )


def _mentee_may_be_processed(day):
    """SQL condition on ``MenteeProfile``: its person may be processed on ``day`` (``processing_allowed_clause``).

    Asked per waiting mentee (a region: 5,600) through the person's key and the consent index. As a join,
    PostgreSQL read all 200,000 people into a hash for them, twice a page (its rows, its count); OFFSET 0
    keeps the EXISTS a subquery of its own, which PostgreSQL does not turn back into such a join."""
    person = select(Person.id).where(Person.id == MenteeProfile.person_id, processing_allowed_clause(day))
    return exists(person.offset(0))


def support_records_of(mentee_ids) -> dict[int, list[SupportRecord]]:
    """The support records of a page of mentees, in one query."""
    records: dict[int, list[SupportRecord]] = {}
    if mentee_ids:
        for record in db.session.scalars(_support_records_statement(), {"mentee_ids": list(mentee_ids)}):
            records.setdefault(record.mentee_profile_id, []).append(record)
    return records


@cache
def _support_records_statement():
    """Built once, the ids bound at execution."""
    return (
        select(SupportRecord).where(SupportRecord.mentee_profile_id.in_(bindparam("mentee_ids", expanding=True)))
        .order_by(SupportRecord.happened_on, SupportRecord.id)
    )


def support_records(mentee_id: int) -> list[SupportRecord]:
    return list(
        db.session.scalars(
            select(SupportRecord)
            .where(SupportRecord.mentee_profile_id == mentee_id)
            .order_by(SupportRecord.happened_on)
        )
    )


def free_mentors(org_ids: set[int], kind_code: str | None = None, day: date | None = None) -> list[MentorProfile]:
    """Mentors with a free place (and a valid consent) for the manual pairing form."""
    query = (
        select(MentorProfile)
        .join(Person, Person.id == MentorProfile.person_id)
        .where(
            MentorProfile.org_id.in_(org_ids),
            MentorProfile.status.in_(("in_bank", "assigned")),
            MentorProfile.load < MentorProfile.capacity,
            processing_allowed_clause(day or today()),
        )
    )
    mentors = list(db.session.scalars(query))
    if kind_code:
        mentors = [m for m in mentors if kind_code in m.kinds]
    return sorted(mentors, key=lambda m: m.person.full_name)


def dashboard_counts(org_ids) -> dict[str, int]:
    statement, params = scoped(_status_counts, org_ids)
    return {status: n for status, n in db.session.execute(statement, params)}


def _status_counts(org_ids):
    return select(Pair.status, func.count()).where(Pair.org_id.in_(org_ids)).group_by(Pair.status)
