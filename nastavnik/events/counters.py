"""Counters of events for indicators and reports (``nastavnik_counters``)."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import and_, distinct, exists, func, select

from nastavnik.banks.models import MentorProfile
from nastavnik.events import kinds
from nastavnik.events.models import Event, Participant
from nastavnik.extensions import db
from nastavnik.plugins.registry import Counter, CounterScope


def _period(scope: CounterScope):
    return and_(
        Event.status != "cancelled",
        Event.starts_at >= datetime.combine(scope.start, time.min),
        Event.starts_at <= datetime.combine(min(scope.end, scope.as_of), time.max),
    )


def mentors_trained(scope: CounterScope) -> dict[int, int]:
    codes = kinds.certificate_codes()
    if not codes:
        return {}
    rows = db.session.execute(
        select(Participant.org_id, func.count(distinct(Participant.person_id)))
        .join(Event, Event.id == Participant.event_id)
        .where(
            _period(scope),
            Event.kind_code.in_(codes),
            Participant.attendance == "present",
            Participant.org_id.in_(scope.org_ids),
            exists(select(MentorProfile.id).where(MentorProfile.person_id == Participant.person_id)),
        )
        .group_by(Participant.org_id)
    )
    return dict(rows.all())


def _present_by_school(scope: CounterScope, measure) -> dict[int, int]:
    """``measure`` over the attendances of each organisation's people (the participant's organisation,
    so a municipal event counts for every school that sent someone)."""
    rows = db.session.execute(
        select(Participant.org_id, measure)
        .join(Event, Event.id == Participant.event_id)
        .where(_period(scope), Participant.attendance == "present", Participant.org_id.in_(scope.org_ids))
        .group_by(Participant.org_id)
    )
    return dict(rows.all())


def event_attendances(scope: CounterScope) -> dict[int, int]:
    return _present_by_school(scope, func.count(Participant.id))


def event_people_present(scope: CounterScope) -> dict[int, int]:
    return _present_by_school(scope, func.count(distinct(Participant.person_id)))


def events_attended(scope: CounterScope) -> dict[int, int]:
    return _present_by_school(scope, func.count(distinct(Participant.event_id)))


def events_held(scope: CounterScope) -> dict[int, int]:
    attended = exists(
        select(Participant.id).where(Participant.event_id == Event.id, Participant.attendance == "present")
    )
    rows = db.session.execute(
        select(Event.org_id, func.count(Event.id))
        .where(_period(scope), attended, Event.org_id.in_(scope.org_ids))
        .group_by(Event.org_id)
    )
    return dict(rows.all())


def counters() -> list[Counter]:
    return [
        Counter(
            code="mentors_trained",
            title="Наставники, прошедшие обучение",
            definition="Наставники банка, отмеченные присутствующими на мероприятиях с сертификатами "
            "(обучение наставников) за период; каждый человек считается один раз, по его организации.",
            compute=mentors_trained,
        ),
        Counter(
            code="events_held",
            title="Проведённые мероприятия",
            definition="Мероприятия организации за период, не отменённые, с отмеченной посещаемостью "
            "(хотя бы один участник присутствовал).",
            compute=events_held,
            unit="ед.",
        ),
        Counter(
            code="events_attended",
            title="Мероприятия, на которых были участники организации",
            definition="Мероприятия за период (свои и муниципальные), не отменённые, где хотя бы один "
            "человек организации отмечен присутствующим.",
            compute=events_attended,
            unit="ед.",
        ),
        Counter(
            code="event_attendances",
            title="Посещения мероприятий",
            definition="Отметки «присутствовал» у людей организации на мероприятиях за период, не "
            "отменённых; человек на двух мероприятиях считается дважды.",
            compute=event_attendances,
            unit="ед.",
        ),
        Counter(
            code="event_people_present",
            title="Участники мероприятий",
            definition="Люди организации, отмеченные присутствующими хотя бы на одном мероприятии "
            "за период; каждый человек считается один раз.",
            compute=event_people_present,
        ),
    ]
