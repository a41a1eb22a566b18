"""Events: who sees what, invitations and registration, attendance, roll-ups per school.

Access: an event belongs to its organiser (``Event.org_id``); users with ``events.view`` on the
organiser see it, and so do those of a school invited to a municipal event. Editing needs
``events.edit`` on the organiser. The curator of an invited school may put its own people on the list
(«nominate»). Mentors and mentees hold no list permission: they see the events they are on the list of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import abort
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import contains_eager

from nastavnik import access
from nastavnik.consents.services import processing_allowed_clause
from nastavnik.events.models import Event, EventInvitedOrg, Participant
from nastavnik.extensions import db
from nastavnik.orgs.models import EDUCATION_KINDS, Organisation
from nastavnik.participants.models import Person
from nastavnik.plugins.manager import registry
from nastavnik.plugins.registry import CounterScope
from nastavnik.timeutil import today, utcnow
from nastavnik.versioning import check_version, commit_or_conflict

UPCOMING_DAYS = 30
LEVEL_ORDER = {"edit": 3, "nominate": 2, "view": 1}


class EventError(ValueError):
    """A refusal whose Russian message is shown at the row or the form as is."""


# -- access -------------------------------------------------------------------------------------------


def visible_clause(user, permission: str = "events.view"):
    """SQL: events the user sees through a role (organiser or invited organisation in scope)."""
    ids = access.scope(user, permission)
    if not ids:
        return Event.id.is_(None)
    invited = exists(
        select(EventInvitedOrg.event_id).where(
            EventInvitedOrg.event_id == Event.id, EventInvitedOrg.org_id.in_(ids)
        )
    )
    return or_(Event.org_id.in_(ids), invited)


def access_level(user, event: Event) -> str | None:
    """«edit» (organiser's staff), «nominate» (an invited school's curator), «view», or None."""
    if access.can(user, "events.edit", event.org_id):
        return "edit"
    invited = {link.org_id for link in event.invited_orgs}
    if invited & access.scope(user, "events.edit"):
        return "nominate"
    if access.can(user, "events.view", event.org_id) or invited & access.scope(user, "events.view"):
        return "view"
    return None


def event_or_404(event_id: int, user, need: str = "view") -> tuple[Event, str]:
    """The event and the user's level; 404 when it is missing or out of reach, 403 when seen but
    not editable at the level asked."""
    event = db.session.get(Event, event_id)
    level = access_level(user, event) if event is not None else None
    if level is None:
        abort(404)
    if LEVEL_ORDER[level] < LEVEL_ORDER[need]:
        abort(403)
    return event, level


def participant_or_404(participant_id: int, user, need: str = "edit") -> tuple[Participant, str]:
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        abort(404)
    event, level = event_or_404(participant.event_id, user, "view")
    if need == "edit" and level != "edit":
        # An invited school's curator manages only the people it sent.
        if not (level == "nominate" and participant.org_id in access.scope(user, "events.edit")):
            abort(403)
    return participant, level


def own_participation(user, event: Event) -> Participant | None:
    if user.person_id is None:
        return None
    return db.session.scalar(
        select(Participant).where(Participant.event_id == event.id, Participant.person_id == user.person_id)
    )


def organiser_choices(user) -> list[Organisation]:
    """Where the user may organise events: education organisations and municipal bodies in scope."""
    ids = access.scope(user, "events.edit")
    if not ids:
        return []
    return db.session.scalars(
        select(Organisation)
        .where(
            Organisation.id.in_(ids),
            ~Organisation.archived,
            Organisation.kind.in_((*EDUCATION_KINDS, "authority", "methodical", "municipality")),
        )
        .order_by(Organisation.kind != "authority", Organisation.name)
    ).all()


def schools_under(org_id: int) -> list[Organisation]:
    """Schools a municipal organiser may invite: education organisations of its municipality."""
    org = db.session.get(Organisation, org_id)
    root = org
    while root is not None and root.kind not in ("municipality", "region"):
        root = root.parent
    from nastavnik.orgs.services import education_orgs, subtree_ids

    return education_orgs(subtree_ids([(root or org).id]))


# -- lists ----------------------------------------------------------------------------------------


@dataclass
class Filters:
    when: str = "upcoming"  # upcoming | past | all
    kind: str = ""
    org_id: int | None = None


def event_list(user, filters: Filters, day: date) -> list[Event]:
    query = select(Event).where(visible_clause(user))
    start = datetime.combine(day, time.min)
    if filters.when == "upcoming":
        query = query.where(Event.starts_at >= start).order_by(Event.starts_at)
    elif filters.when == "past":
        query = query.where(Event.starts_at < start).order_by(Event.starts_at.desc())
    else:
        query = query.order_by(Event.starts_at.desc())
    if filters.kind:
        query = query.where(Event.kind_code == filters.kind)
    if filters.org_id:
        query = query.where(Event.org_id == filters.org_id)
    return list(db.session.scalars(query.limit(300)))


def counts_by_event(event_ids: list[int]) -> dict[int, dict[str, int]]:
    """Invited (not declined), registered and present per event, in one grouped query."""
    result: dict[int, dict[str, int]] = {i: {"listed": 0, "registered": 0, "present": 0} for i in event_ids}
    if not event_ids:
        return result
    rows = db.session.execute(
        select(
            Participant.event_id,
            func.count(Participant.id).filter(Participant.status != "declined"),
            func.count(Participant.id).filter(Participant.status == "registered"),
            func.count(Participant.id).filter(Participant.attendance == "present"),
        )
        .where(Participant.event_id.in_(event_ids))
        .group_by(Participant.event_id)
    )
    for event_id, listed, registered, present in rows:
        result[event_id] = {"listed": listed, "registered": registered, "present": present}
    return result


def upcoming_for(user, day: date, limit: int = 5) -> tuple[list[Event], int]:
    """The dashboard card: the next events the user sees, and how many there are in 30 days (1 query)."""
    start, end = datetime.combine(day, time.min), datetime.combine(day + timedelta(days=UPCOMING_DAYS), time.max)
    window = and_(visible_clause(user), Event.starts_at >= start, Event.starts_at <= end, Event.status != "cancelled")
    # the total rides along every row as a window count: one statement
    rows = db.session.execute(select(Event, func.count().over()).where(window).order_by(Event.starts_at).limit(limit)).all()
    return [event for event, _ in rows], (rows[0][1] if rows else 0)


def my_invitations(user, day: date, upcoming_only: bool = True) -> list[Participant]:
    """The events the user's person is on the list of (one query, events joined)."""
    if user.person_id is None:
        return []
    query = (
        select(Participant)
        .join(Event, Event.id == Participant.event_id)
        .where(Participant.person_id == user.person_id, Event.status != "cancelled")
    )
    if upcoming_only:
        query = query.where(Event.starts_at >= datetime.combine(day, time.min)).order_by(Event.starts_at)
    else:
        query = query.order_by(Event.starts_at.desc())
    return list(db.session.scalars(query.options(contains_eager(Participant.event))).unique())


# -- invitations, registration, attendance -----------------------------------------------------------


def candidates(event: Event, user, level: str, q: str = "", only: str = "", limit: int = 200) -> list[Person]:
    """People the user may put on the list: staff (and, for pupils' events, students) of the organiser
    — or of the invited schools for a municipal event — minus those already listed, and only those
    whose data may be processed today (the one consent rule, 152-ФЗ): the list, the attendance sheet
    and the certificates carry their names."""
    from nastavnik.banks.models import MenteeProfile, MentorProfile

    if level == "edit":
        orgs = {event.org_id} | {link.org_id for link in event.invited_orgs}
        from nastavnik.orgs.services import subtree_ids

        orgs = subtree_ids(orgs) & access.scope(user, "participants.view")
    else:
        orgs = {link.org_id for link in event.invited_orgs} & access.scope(user, "events.edit")
    if not orgs:
        return []
    listed = select(Participant.person_id).where(
        Participant.event_id == event.id, Participant.person_id.is_not(None)
    )
    query = select(Person).where(
        Person.org_id.in_(orgs),
        Person.archived_at.is_(None),
        Person.anonymised_at.is_(None),
        Person.kind.in_(("staff", "student", "partner_employee", "graduate")),
        Person.id.not_in(listed),
        processing_allowed_clause(today()),
    )
    if q:
        query = query.where(func.lower(Person.last_name).startswith(q.strip().lower()))
    if only == "mentors":
        query = query.where(exists(select(MentorProfile.id).where(MentorProfile.person_id == Person.id)))
    elif only == "mentees":
        query = query.where(exists(select(MenteeProfile.id).where(MenteeProfile.person_id == Person.id)))
    elif only == "staff":
        query = query.where(Person.kind == "staff")
    return list(db.session.scalars(query.order_by(Person.last_name, Person.first_name).limit(limit)))


def invite(event: Event, people: list[Person], status: str = "invited") -> list[Participant]:
    """Put people on the list (those already on it are skipped); a municipal event also invites
    each person's school, so the roll-up shows it."""
    listed = {p.person_id for p in event.participants}
    invited = {link.org_id for link in event.invited_orgs}
    added = []
    for person in people:
        if person.id in listed:
            continue
        participant = Participant(event=event, person=person, org_id=person.org_id, status=status)
        db.session.add(participant)
        added.append(participant)
        listed.add(person.id)
        if event.level == "municipality" and person.org_id not in invited and person.org_id != event.org_id:
            event.invited_orgs.append(EventInvitedOrg(org_id=person.org_id))
            invited.add(person.org_id)
    db.session.commit()
    return added


def add_outsider(event: Event, name: str, org_title: str, position: str, consent_ref: str,
                 sent_by: int | None = None) -> Participant:
    if not name.strip():
        raise EventError("Укажите ФИО гостя.")
    participant = Participant(
        event=event, outsider_name=name.strip()[:300], outsider_org=org_title.strip()[:300],
        outsider_position=position.strip()[:200], publication_consent_ref=consent_ref.strip()[:200],
        status="registered", org_id=sent_by,
    )
    db.session.add(participant)
    db.session.commit()
    return participant


def set_status(participant: Participant, status: str, expected_version: int | None) -> None:
    if status not in ("invited", "registered", "declined"):
        raise EventError("Неизвестное состояние регистрации.")
    if status == "declined" and participant.attendance == "present":
        raise EventError("Участник уже отмечен присутствующим: сначала снимите отметку.")
    check_version(participant, expected_version)
    participant.status = status
    commit_or_conflict()


def mark_attendance(participant: Participant, value: str, user, day: date, expected_version: int | None) -> None:
    """Present / absent / not marked. Marking starts on the day of the event; the first «present»
    makes the event «проведено»."""
    if value not in ("present", "absent", ""):
        raise EventError("Неизвестная отметка посещения.")
    event = participant.event
    if event.status == "cancelled":
        raise EventError("Мероприятие отменено: посещение не отмечается.")
    if event.day > day:
        raise EventError(f"Присутствие отмечают в день мероприятия ({event.day:%d.%m.%Y}) или позже.")
    if value == "" and participant.certificate is not None:
        raise EventError("Участнику уже выдан сертификат: отметку присутствия снять нельзя.")
    if value == "absent" and participant.certificate is not None:
        raise EventError("Участнику уже выдан сертификат: он не может быть отмечен отсутствующим.")
    check_version(participant, expected_version)
    participant.attendance = value
    participant.marked_at = utcnow() if value else None
    participant.marked_by_id = user.id if value else None
    if value == "present" and participant.status == "invited":
        participant.status = "registered"  # came without confirming first
    if value == "present" and event.status == "planned":
        event.status = "held"
    commit_or_conflict()


# -- roll-ups -------------------------------------------------------------------------------------


@dataclass
class SchoolRow:
    org: Organisation
    invited: bool
    listed: int = 0
    registered: int = 0
    present: int = 0
    absent: int = 0


def event_rollup(event: Event) -> list[SchoolRow]:
    """Attendance per school of one event: two statements whatever the number of schools."""
    counts = db.session.execute(
        select(
            Participant.org_id,
            func.count(Participant.id).filter(Participant.status != "declined"),
            func.count(Participant.id).filter(Participant.status == "registered"),
            func.count(Participant.id).filter(Participant.attendance == "present"),
            func.count(Participant.id).filter(Participant.attendance == "absent"),
        )
        .where(Participant.event_id == event.id)
        .group_by(Participant.org_id)
    ).all()
    by_org = {org_id: row for org_id, *row in counts}
    invited = {link.org_id for link in event.invited_orgs}
    ids = invited | {org_id for org_id in by_org if org_id is not None}
    orgs = db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)).all() if ids else []
    rows = []
    for org in orgs:
        listed, registered, present, absent = by_org.get(org.id, (0, 0, 0, 0))
        rows.append(SchoolRow(org, org.id in invited, listed, registered, present, absent))
    if None in by_org:  # guests sent by nobody in particular
        listed, registered, present, absent = by_org[None]
        rows.append(SchoolRow(Organisation(name="Гости (другие организации)"), False, listed, registered, present, absent))
    return rows


@dataclass
class RollupRow:
    org: Organisation
    events: int = 0  # events with someone of the school present
    present: int = 0  # attendances
    people: int = 0  # different people present
    trained_mentors: int = 0  # mentors of the bank present at a training


ROLLUP_COUNTERS = {  # RollupRow field -> the events' counter behind it (see nastavnik.events.counters)
    "events": "events_attended",
    "present": "event_attendances",
    "people": "event_people_present",
    "trained_mentors": "mentors_trained",
}


def municipal_rollup(org_ids: set[int], start: date, end: date) -> list[RollupRow]:
    """Per school of ``org_ids``: events attended, attendances, people and trained mentors in the period.

    The figures are the events' counters (``nastavnik_counters``), the same the reports use: one
    statement for the schools and one per counter, however many schools.
    """
    schools = db.session.scalars(
        select(Organisation)
        .where(Organisation.id.in_(org_ids), Organisation.kind.in_(EDUCATION_KINDS), ~Organisation.archived)
        .order_by(Organisation.name)
    ).all()
    rows = {org.id: RollupRow(org) for org in schools}
    if not rows:
        return []
    scope = CounterScope(
        org_ids=select(Organisation.id).where(Organisation.id.in_(list(rows))),
        as_of=end, start=start, end=end,
    )
    counters = registry().counters
    for field_name, code in ROLLUP_COUNTERS.items():
        for org_id, value in counters[code].compute(scope).items():
            if org_id in rows:
                setattr(rows[org_id], field_name, value)
    return list(rows.values())
