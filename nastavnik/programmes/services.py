"""Персонализированные программы: кто что видит, создание по шаблону, встречи, завершение, банк практик.

The one access rule of this capability is :func:`pair_access`; every page and every HTMX fragment
goes through it (via :func:`require_pair`), so a fragment can never show more than its page.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from flask import abort
from sqlalchemy import Integer, bindparam, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import load_only, selectinload

from nastavnik import access
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation, OrganisationLink
from nastavnik.orgs.services import load_ancestors, scope_select
from nastavnik.pairs.models import LIVE_STATUSES, PAIR_STATUSES, Pair, PairMember
from nastavnik.pairs.services import members_of_pairs, names_of
from nastavnik.participants.models import Person
from nastavnik.periods import AcademicYear, ru_date
from nastavnik.plugins.manager import hook, registry
from nastavnik.plugins.registry import ProgrammeTemplate
from nastavnik.programmes.models import Meeting, PlanItem, Programme
from nastavnik.versioning import check_version, commit_or_conflict
from nastavnik.web.paging import Page, page_of_rows
from nastavnik.web.words import plural

# Levels of access to a pair's programme and meetings, weakest first.
LEVELS = ("view", "feedback", "edit")


class AlreadyExists(Exception):
    """The pair already has a programme (one programme per pair)."""


# --- Access -------------------------------------------------------------------------------------


def member_role(user, pair: Pair) -> str | None:
    """«mentor» / «mentee» when the user's own person is a member of the pair."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return None
    for member in pair.members:
        if member.person_id == person_id:
            return member.role
    return None


def pair_access(user, pair: Pair) -> str | None:
    """What ``user`` may do with the programme and meetings of ``pair``.

    - ``"edit"``: a curator/director of the pair's school (pairs.edit) or a mentor of the pair;
    - ``"feedback"``: a mentee of the pair — reads and adds their own feedback to meetings;
    - ``"view"``: municipal coordinators and observers (pairs.view);
    - ``None``: everyone else — the pair is not even shown to exist (404).
    """
    return access_level(user, pair.org_id, lambda: member_role(user, pair))


def access_level(user, org_id: int, role, scopes: tuple | None = None) -> str | None:
    """:func:`pair_access` of a pair of ``org_id``; ``role()``: the user's role among its members
    (asked only when the scope does not decide, as it may read the members); ``scopes``: the user's
    :func:`pair_scopes`, when a list asks for many pairs."""
    if not getattr(user, "is_authenticated", False):
        return None
    edit, view = scopes or pair_scopes(user)
    if org_id in edit:
        return "edit"
    role = role()
    if role == "mentor":
        return "edit"
    if role == "mentee":
        return "feedback"
    if org_id in view:
        return "view"
    return None


def pair_scopes(user) -> tuple:
    """Where the user edits pairs and where they see them (what :func:`access_level` reads)."""
    return access.scope(user, "pairs.edit"), access.scope(user, "pairs.view")


def allows(level: str | None, need: str) -> bool:
    return level is not None and LEVELS.index(level) >= LEVELS.index(need)


def require_pair(user, pair: Pair | None, need: str = "view") -> str:
    """404 when the user may not see the pair at all, 403 when they see it but may not do ``need``."""
    level = pair_access(user, pair) if pair is not None else None
    if level is None:
        abort(404)
    if not allows(level, need):
        abort(403)
    return level


def member_pair_ids(user) -> set[int]:
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return set()
    return set(db.session.scalars(_member_pairs_statement(), {"person_id": person_id}))


@cache
def _member_pairs_statement():
    """Built once, the person bound at execution: every list of pairs asks it."""
    return select(PairMember.pair_id).where(PairMember.person_id == bindparam("person_id", type_=Integer))


def visible_pairs_query(user, statuses: tuple[str, ...] | None = None):
    """SQL: pairs whose programme the user may at least read (a region's are 60,000: page them)."""
    org_ids = access.scope(user, "pairs.view")
    conditions = [Pair.id.in_(member_pair_ids(user))]
    if org_ids:
        conditions.append(Pair.org_id.in_(org_ids))
    query = select(Pair).where(or_(*conditions))
    if statuses:
        query = query.where(Pair.status.in_(statuses))
    return query


NEWEST_FIRST = (Pair.academic_year.desc(), Pair.id.desc())


@dataclass(frozen=True, slots=True)
class ProgrammeRow:
    """A row of the programmes list: a pair, its programme and what the user may do with it."""

    id: int  # the pair's
    kind_code: str
    academic_year: int
    status: str
    title: str  # :func:`pair_title`
    programme_id: int | None
    programme_status: str | None
    level: str | None  # :func:`pair_access`

    @property
    def status_title(self) -> str:
        return PAIR_STATUSES.get(self.status, self.status)


def programmes_page(user, number: int, size: int) -> Page:
    """Page ``number`` of :func:`visible_pairs_query` (:data:`NEWEST_FIRST`) as :class:`ProgrammeRow` rows.

    The same pairs, programmes and access as the records' (a test compares them for every role), read
    as plain rows: the page with its programmes, then its members' names (and a count when the page
    does not tell the total)."""
    scope = access.scope(user, "pairs.view")
    person_id = getattr(user, "person_id", None)
    if not scope and person_id is None:
        return Page([], 0, 1, size)  # sees no pair at all
    params = {**(scope.params() if scope else {}), "person_id": person_id}
    page = page_of_rows(*_programmes_page_statements(bool(scope), scope.everything, person_id is not None), params,
                        number, size)
    members = members_of_pairs([row.id for row in page.items])
    scopes = pair_scopes(user)
    # The access of each row is decided by the scopes; the ancestors of a row's organisation are
    # read at once, and only when a scope's roots do not hold it already (a school's own pairs).
    load_ancestors({row.org_id for row in page.items
                    if any(found and row.org_id not in found.roots for found in scopes)})
    page.items = [_programme_row(user, scopes, row, members.get(row.id, [])) for row in page.items]
    return page


def _programme_row(user, scopes: tuple, row, members: list) -> ProgrammeRow:
    person_id = getattr(user, "person_id", None)

    def role() -> str | None:  # :func:`member_role` among the row's members
        return next((m.role for m in members if person_id is not None and m.person_id == person_id), None)

    mentors = names_of(members, "mentor", Person.short_name) or "—"
    mentees = names_of(members, "mentee", Person.short_name) or "—"
    return ProgrammeRow(row.id, row.kind_code, row.academic_year, row.status, f"{mentors} → {mentees}",
                        row.programme_id, row.programme_status, access_level(user, row.org_id, role, scopes))


@cache
def _programmes_page_statements(scoped: bool, everything: bool, own: bool):
    """The page's statement and its count, once per shape, the values bound at execution."""
    pair, programme = Pair.__table__, Programme.__table__
    visible = []
    if own:
        visible.append(pair.c.id.in_(select(PairMember.pair_id).where(
            PairMember.person_id == bindparam("person_id", type_=Integer))))
    if scoped:
        visible.append(pair.c.org_id.in_(scope_select(everything)))
    where = or_(*visible)
    keys = (
        select(pair.c.id).where(where)
        .order_by(pair.c.academic_year.desc(), pair.c.id.desc())
        .limit(bindparam("page_limit", type_=Integer)).offset(bindparam("page_offset", type_=Integer))
        .subquery("page_keys")
    )
    page = (
        select(pair.c.id, pair.c.org_id, pair.c.kind_code, pair.c.academic_year, pair.c.status,
               programme.c.id.label("programme_id"), programme.c.status.label("programme_status"))
        .join_from(keys, pair, pair.c.id == keys.c.id).outerjoin(programme, programme.c.pair_id == pair.c.id)
        .order_by(pair.c.academic_year.desc(), pair.c.id.desc())
    )
    return page, select(func.count()).select_from(pair).where(where)


def visible_pairs(user, statuses: tuple[str, ...] | None = None) -> list[Pair]:
    """Pairs whose programme the user may at least read, newest first."""
    query = visible_pairs_query(user, statuses).options(selectinload(Pair.members))
    return db.session.scalars(query.order_by(*NEWEST_FIRST)).all()


def own_pairs(user, statuses: tuple[str, ...]) -> list[Pair]:
    """The pairs the user's own person belongs to (as mentor or mentee), newest first."""
    ids = member_pair_ids(user)
    if not ids:
        return []
    query = select(Pair).where(Pair.id.in_(ids), Pair.status.in_(statuses)).options(selectinload(Pair.members))
    return db.session.scalars(query.order_by(*NEWEST_FIRST)).all()


def programme_of(pair: Pair) -> Programme | None:
    return db.session.scalar(select(Programme).where(Programme.pair_id == pair.id))


def programmes_by_pair(pair_ids, brief: bool = False) -> dict[int, Programme]:
    """The pairs' programmes; ``brief``: only what a list shows (not the long texts)."""
    pair_ids = list(pair_ids)  # a generator is never falsy: an empty one sent a statement for nothing
    if not pair_ids:
        return {}
    rows = db.session.scalars(_programmes_statement(brief), {"pair_ids": pair_ids}).all()
    return {p.pair_id: p for p in rows}


@cache
def _programmes_statement(brief: bool):
    """Built once, the ids bound at execution (a list page asks it for its 25 pairs)."""
    query = select(Programme).where(Programme.pair_id.in_(bindparam("pair_ids", expanding=True)))
    return query.options(load_only(Programme.pair_id, Programme.status)) if brief else query


def pair_title(pair: Pair) -> str:
    mentors = ", ".join(m.person.short_name for m in pair.mentors) or "—"
    mentees = ", ".join(m.person.short_name for m in pair.mentees) or "—"
    return f"{mentors} → {mentees}"


# --- Templates and dates ------------------------------------------------------------------------


def kind_title(kind_code: str) -> str:
    return registry().kind(kind_code).title


def kind_missing(kind_code: str) -> bool:
    return bool(getattr(registry().kind(kind_code), "missing", False))


def templates_for(kind_code: str) -> list[ProgrammeTemplate]:
    """Templates the form's plugin supplies; none when the plugin is missing."""
    if kind_missing(kind_code):
        return []
    found: list[ProgrammeTemplate] = []
    for answer in hook().nastavnik_programme_templates(kind_code=kind_code):
        found.extend(t for t in answer or [] if isinstance(t, ProgrammeTemplate) and t.kind_code == kind_code)
    return found


def find_template(kind_code: str, code: str) -> ProgrammeTemplate | None:
    return next((t for t in templates_for(kind_code) if t.code == code), None)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, later: date) -> int:
    return max((later.year - start.year) * 12 + later.month - start.month, 0)


def start_of(pair: Pair, day: date) -> date:
    return pair.starts_on or day


@dataclass(frozen=True)
class PlanRow:
    due_on: date | None
    content: str
    responsible: str
    result: str


def fitted_offset(offset: int, template_months: int, months: int) -> int:
    """A template's month offset stretched or squeezed to a programme of ``months`` months: the last
    month of the template stays the last month of the programme, and nothing runs past it."""
    if template_months <= 1 or months <= 0:
        return min(offset, max(months - 1, 0))
    return min(round(offset * (months - 1) / (template_months - 1)), months - 1)


def template_plan(template: ProgrammeTemplate | None, start: date, months: int | None = None) -> list[PlanRow]:
    """The template's plan dated from ``start`` and fitted to the programme's length (``months``;
    the template's own length when None)."""
    if template is None:
        return []
    months = months or template.duration_months
    return [
        PlanRow(add_months(start, fitted_offset(offset, template.duration_months, months)), content, responsible, result)
        for offset, content, responsible, result in template.plan
    ]


def ends_on(programme: Programme) -> date | None:
    """The last day of the programme: its start plus its length."""
    start = programme.pair.starts_on if programme.pair else None
    return add_months(start, programme.duration_months) - timedelta(days=1) if start else None


def summer_warning(start: date, months: int) -> str:
    """The plan of a school programme should not run into the summer holidays; said, not forbidden."""
    end = add_months(start, months) - timedelta(days=1)
    year_end = date(AcademicYear.of(start).start_year + 1, 5, 31)
    if end <= year_end:
        return ""
    return (
        f"Программа на {plural(months, 'месяц', 'месяца', 'месяцев')} с {ru_date(start)} заканчивается "
        f"{ru_date(end)} — после окончания учебного года ({ru_date(year_end)}). Сократите срок, если летом "
        "пара не работает."
    )


def redate_plan(programme: Programme, old_months: int, new_months: int) -> int:
    """After the programme's length changed, move the planned (not yet done) items proportionally, so
    that the plan fits the new length; returns how many items moved."""
    start = programme.pair.starts_on if programme.pair else None
    if start is None or old_months == new_months or old_months <= 0:
        return 0
    end = add_months(start, new_months) - timedelta(days=1)
    moved = 0
    for item in programme.items:
        if item.status != "planned" or item.due_on is None or item.due_on < start:
            continue
        days = (item.due_on - start).days * new_months / old_months
        due = min(start + timedelta(days=round(days)), end)
        if due != item.due_on:
            item.due_on, moved = due, moved + 1
    return moved


def mentee_prefill(pair: Pair) -> str:
    """The mentees' requests from the bank (text and tags) — the starting point for «затруднения»."""
    from nastavnik.banks.models import MenteeProfile

    parts = []
    mentees = pair.mentees
    for member in mentees:
        if member.mentee_profile_id is None:
            continue
        profile = db.session.get(MenteeProfile, member.mentee_profile_id)
        if profile is None:
            continue
        tags = ", ".join(t.title for t in profile.tags)
        text = "; ".join(p for p in (profile.request_text.strip(), f"запросы: {tags}" if tags else "") if p)
        if text:
            parts.append(f"{member.person.short_name}: {text}" if len(mentees) > 1 else text)
    return "\n".join(parts)


# --- Changes ------------------------------------------------------------------------------------

PROGRAMME_FIELDS = ("goal", "tasks", "difficulties", "strengths", "duration_months", "planned_results")


def create_programme(pair: Pair, values: dict, template_code: str, plan: list[PlanRow]) -> Programme:
    """One commit: the programme and its plan, or nothing (a second programme for the pair is refused)."""
    programme = Programme(pair_id=pair.id, template_code=template_code, **values)
    programme.items = [
        PlanItem(
            position=i, due_on=row.due_on, content=row.content, responsible=row.responsible, result=row.result
        )
        for i, row in enumerate(plan)
    ]
    db.session.add(programme)
    try:
        db.session.commit()
    except IntegrityError:  # someone created it a moment ago (pair_id is unique)
        db.session.rollback()
        raise AlreadyExists from None
    return programme


def add_item(programme: Programme, values: dict) -> PlanItem:
    position = max((i.position for i in programme.items), default=-1) + 1
    item = PlanItem(position=position, **values)
    programme.items.append(item)
    db.session.commit()
    return item


def sorted_items(programme: Programme) -> list[PlanItem]:
    return sorted(programme.items, key=lambda i: (i.due_on or date.max, i.position, i.id or 0))


def next_item(programme: Programme) -> PlanItem | None:
    return next((i for i in sorted_items(programme) if i.status == "planned"), None)


def finish_pair(pair: Pair, ended_on: date, user_id: int | None, initiator: str) -> None:
    """Finish the pair through the pairs capability, which owns the mentor's load and the mentee's
    bank status; without it, only the pair's own fields are set."""
    try:
        from nastavnik.pairs import services as pair_services
    except ImportError:
        pair_services = None
    end_pair = getattr(pair_services, "end_pair", None)
    if end_pair is not None:
        end_pair(
            pair,
            reason="Программа наставничества завершена",
            initiator=initiator,
            ended_on=ended_on,
            user_id=user_id,
            early=False,
        )
        return
    release_pair = getattr(pair_services, "release_pair", None)
    if release_pair is not None:
        release_pair(pair)
    pair.status, pair.ended_on, pair.ended_by_id = "finished", ended_on, user_id


def open_at_completion(programme: Programme) -> list[str]:
    """What is still open: plan items not done, «совместная работа» meetings without both feedbacks."""
    items = [i for i in sorted_items(programme) if i.status == "planned"]
    meetings = [m for m in meetings_of(programme.pair) if missing_feedback(m)]
    found = []
    if items:
        listed = "; ".join(f"{ru_date(i.due_on) or 'без срока'} — {i.content[:80]}" for i in items)
        found.append(f"{plural(len(items), 'пункт', 'пункта', 'пунктов')} плана не выполнено: {listed}")
    if meetings:
        listed = "; ".join(f"{ru_date(m.held_on)} ({', '.join(missing_feedback(m))})" for m in meetings)
        found.append(f"{plural(len(meetings), 'встреча', 'встречи', 'встреч')} без обратной связи: {listed}")
    return found


def complete(
    programme: Programme, values: dict, expected_version: int, user_id: int | None, initiator: str
) -> None:
    """Close the programme and finish its pair, in one commit; what was left open is recorded with it."""
    check_version(programme, expected_version)
    for key, value in values.items():
        setattr(programme, key, value)
    programme.open_at_completion = "\n".join(open_at_completion(programme))
    programme.status = "completed"
    finish_pair(programme.pair, values["completed_on"], user_id, initiator)
    commit_or_conflict()


# --- Meetings -----------------------------------------------------------------------------------


def missing_feedback(meeting: Meeting) -> list[str]:
    """What keeps a «совместная работа» meeting from counting as complete."""
    if meeting.kind != "joint":
        return []
    missing = []
    if not meeting.mentor_feedback.strip():
        missing.append("нет обратной связи наставника")
    if not meeting.mentee_feedback.strip():
        missing.append("нет обратной связи наставляемого")
    return missing


def meeting_date_problem(pair: Pair, held_on: date | None, day: date) -> str:
    """Why a meeting cannot be dated ``held_on``: before the pair began, or later than today."""
    if held_on is None:
        return ""
    if held_on > day:
        return f"Дата встречи не может быть позже сегодняшнего дня ({ru_date(day)}): записывается прошедшая встреча."
    if pair.starts_on and held_on < pair.starts_on:
        return f"Пара работает с {ru_date(pair.starts_on)}: встреча не может быть раньше начала работы пары."
    return ""


def results_by_pair(pair_ids) -> dict[int, str]:
    """Achieved results of completed programmes, for the «Результаты» column of the mentee bank."""
    ids = list(pair_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Programme.pair_id, Programme.actual_results).where(
            Programme.pair_id.in_(ids), Programme.status == "completed"
        )
    )
    return {pair_id: text for pair_id, text in rows if text}


def meetings_of(pair: Pair) -> list[Meeting]:
    return db.session.scalars(
        select(Meeting).where(Meeting.pair_id == pair.id).order_by(Meeting.held_on.desc(), Meeting.id.desc())
    ).all()


# --- Bank of programmes («база эффективных программ») ---------------------------------------------


def _municipality_of(org_id: int) -> int:
    """The nearest municipality above ``org_id`` (itself when there is none), in one query."""
    municipality = db.session.scalar(
        select(Organisation.id)
        .join(OrganisationLink, OrganisationLink.ancestor_id == Organisation.id)
        .where(OrganisationLink.descendant_id == org_id, Organisation.kind == "municipality")
        .order_by(OrganisationLink.depth)
        .limit(1)
    )
    return municipality or org_id


def practice_org_ids(user) -> access.Scope:
    """Schools whose effective practices the user may reuse: their pairs.view scope, and for a
    curator/director every school of their municipality (read-only, without personal data)."""
    if not getattr(user, "is_authenticated", False):
        return access.Scope()
    ids = access.scope(user, "pairs.view")
    for role in user.roles:
        if access.grants(role.role, "pairs.edit"):
            ids |= access.Scope([_municipality_of(role.org_id)])
    return ids


def may_reuse_practices(user) -> bool:
    """``bool(practice_org_ids(user))``, without looking the municipality up."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(access.scope(user, "pairs.view")) or any(access.grants(r.role, "pairs.edit") for r in user.roles)


def practices_query(org_ids: set[int]):
    return (
        select(Programme)
        .join(Pair, Programme.pair_id == Pair.id)
        .where(
            Programme.status == "completed", Programme.effective_practice.is_(True), Pair.org_id.in_(org_ids)
        )
        .order_by(Programme.completed_on.desc(), Programme.id.desc())
    )


def practices(user) -> list[Programme]:
    org_ids = practice_org_ids(user)
    return db.session.scalars(practices_query(org_ids)).all() if org_ids else []


def practice_or_404(user, programme_id: int) -> Programme:
    org_ids = practice_org_ids(user)
    programme = (
        db.session.scalar(practices_query(org_ids).where(Programme.id == programme_id)) if org_ids else None
    )
    if programme is None:
        abort(404)
    return programme


def scrub(text: str, pair: Pair) -> str:
    """Remove personal data from a text shown outside the pair's school (see programmes/sharing.py)."""
    from nastavnik.programmes.sharing import depersonalise, member_names

    return depersonalise(text, pair.org_id, member_names(pair))


def practice_plan(programme: Programme) -> list[tuple[int, str, str, str]]:
    """The plan as (month offset, content, responsible, result), free of personal data, for reuse."""
    from nastavnik.programmes.sharing import shared_practice

    return list(shared_practice(programme).plan)


def as_template(programme: Programme) -> ProgrammeTemplate:
    """An effective practice as a template for another pair: only the shared (depersonalised) record."""
    from nastavnik.programmes.sharing import shared_practice

    shared = shared_practice(programme)
    return ProgrammeTemplate(
        code=f"practice:{programme.id}",
        title=f"Эффективная практика № {programme.id}",
        kind_code=shared.kind_code,
        goal=shared.goal,
        tasks=shared.tasks,
        planned_results=shared.planned_results,
        duration_months=shared.duration_months,
        plan=shared.plan,
    )


# --- Dashboard ----------------------------------------------------------------------------------


def _without_programme(org_ids):
    has_programme = exists(select(Programme.id).where(Programme.pair_id == Pair.id))
    return select(Pair).where(Pair.org_id.in_(org_ids), Pair.status.in_(LIVE_STATUSES), ~has_programme)


def live_pairs_without_programme(org_ids) -> list[Pair]:
    if not org_ids:
        return []
    return db.session.scalars(_without_programme(org_ids).options(selectinload(Pair.members)).order_by(Pair.id)).all()


CARD_PAIRS = 10  # pairs without a programme named on the dashboard; the rest are counted


def without_programme_figures(org_ids) -> dict:
    """JSON-ready: how many live pairs have no programme, and the first ones' ids (one statement)."""
    from nastavnik.pairs.eligibility import first_ids_and_total

    total, ids = first_ids_and_total(org_ids, _without_programme_ids, CARD_PAIRS)
    return {"total": total, "ids": ids}


def _without_programme_ids(org_ids):
    return _without_programme(org_ids).with_only_columns(Pair.id)
