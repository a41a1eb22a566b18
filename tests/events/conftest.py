"""Events built directly with the models; the web tests go through the views."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from nastavnik.events.models import Event, EventInvitedOrg, Participant
from nastavnik.extensions import db
from nastavnik.timeutil import today
from tests.factories import make_consent, make_person


def make_event(org, kind="training", days=0, level=None, invited=(), **values) -> Event:
    """An event ``days`` from today (negative: past) at 14:30, organised by ``org``."""
    day = today() + timedelta(days=days)
    values.setdefault("title", "Школа наставника")
    values.setdefault("place", "кабинет 21")
    values.setdefault("hours", 4)
    event = Event(
        org_id=org.id, kind_code=kind, level=level or ("school" if org.kind == "school" else "municipality"),
        starts_at=datetime.combine(day, time(14, 30)), **values,
    )
    event.invited_orgs = [EventInvitedOrg(org_id=o.id) for o in invited]
    db.session.add(event)
    db.session.flush()
    return event


def add_people(event, people, attendance="", status="registered") -> list[Participant]:
    added = [Participant(event_id=event.id, person=p, org_id=p.org_id, status=status, attendance=attendance)
             for p in people]
    db.session.add_all(added)
    db.session.flush()
    db.session.expire(event, ["participants"])
    return added


def make_teachers(org, count, prefix="Учитель", consent=True):
    people = []
    for n in range(count):
        person = make_person(org, last_name=f"{prefix}{'абвгдежзик'[n % 10]}ова", first_name="Мария",
                             middle_name="Ивановна")
        if consent:
            make_consent(person)
        people.append(person)
    return people


@pytest.fixture
def teachers(world):
    people = make_teachers(world.school, 6)
    db.session.commit()
    return people
