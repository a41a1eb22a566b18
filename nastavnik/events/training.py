"""A mentor's training status («обучение пройдено», date and hours) follows from attendance at events of
kinds with certificates; the banks and matching show it through ``nastavnik_mentor_notes``, and a
school may set that mentors without training are not offered in matching."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache

from sqlalchemy import bindparam, select

from nastavnik.consents.services import suspended_person_ids
from nastavnik.events import kinds
from nastavnik.events.models import Certificate, Event, EventSettings, Participant
from nastavnik.extensions import db
from nastavnik.periods import ru_date
from nastavnik.plugins.registry import MentorNote
from nastavnik.web.words import plural

NOTE_CODE = "events.training"
NOTE_TITLE = "Обучение наставников"


@dataclass
class Training:
    """What a person's attended trainings add up to."""

    last_on: date
    last_title: str
    hours: float = 0.0
    count: int = 0
    certificates: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        from nastavnik.events.certificates import hours_text

        hours = f", {hours_text(self.hours)}" if self.hours else ""
        if self.count == 1:
            return f"обучение пройдено {ru_date(self.last_on)}{hours} («{self.last_title}»)"
        times = plural(self.count, "мероприятие", "мероприятия", "мероприятий")
        total = f", всего {hours_text(self.hours)}" if self.hours else ""
        return f"обучение пройдено: {times}, последнее {ru_date(self.last_on)}{total}"


def statuses(person_ids, day: date) -> dict[int, Training]:
    """Training of each person who attended one by ``day`` (one query whatever the number of people)."""
    person_ids = list(person_ids)
    codes = kinds.certificate_codes()
    if not person_ids or not codes:
        return {}
    rows = db.session.execute(_statuses_statement(), {"person_ids": person_ids, "codes": codes,
                                                      "until": datetime.combine(day, time.max)})
    found: dict[int, Training] = {}
    for person_id, starts_at, title, hours, number, year in rows:
        training = found.setdefault(person_id, Training(starts_at.date(), title))
        training.last_on, training.last_title = starts_at.date(), title
        training.hours += hours or 0
        training.count += 1
        if number is not None:
            training.certificates.append(f"{number:03d}/{year}")
    return found


@cache
def _statuses_statement():
    """Built once, the people, kinds and day bound at execution: the banks' mentor list asks it on
    every page, and building it cost more than running it for a school."""
    return (
        select(Participant.person_id, Event.starts_at, Event.title, Event.hours, Certificate.number, Certificate.year)
        .join(Event, Event.id == Participant.event_id)
        .outerjoin(Certificate, Certificate.participant_id == Participant.id)
        .where(
            Participant.person_id.in_(bindparam("person_ids", expanding=True)),
            Participant.attendance == "present",
            Event.kind_code.in_(bindparam("codes", expanding=True)),
            Event.status != "cancelled",
            Event.starts_at <= bindparam("until", type_=Event.starts_at.type),
        )
        .order_by(Event.starts_at)
    )


def settings_of(org_id: int) -> EventSettings:
    """The stored settings of the organisation, or defaults (not added to the session)."""
    return db.session.get(EventSettings, org_id) or EventSettings(org_id=org_id, untrained_mentors="flag")


def mentor_notes(org_id: int | None, person_ids, day: date) -> dict[int, MentorNote]:
    """Training notes of the mentors whose data may be processed on ``day`` (152-ФЗ, the one consent
    rule): a suspended mentor gets no note — the banks show them as suspended, matching leaves them out."""
    person_ids = list(person_ids)
    if not person_ids:
        return {}
    suspended = suspended_person_ids(person_ids, day)
    person_ids = [pid for pid in person_ids if pid not in suspended]
    if not person_ids:
        return {}
    trained = statuses(person_ids, day)
    exclude = org_id is not None and settings_of(org_id).untrained_mentors == "exclude"
    notes = {}
    for person_id in person_ids:
        training = trained.get(person_id)
        if training is not None:
            notes[person_id] = MentorNote(NOTE_CODE, NOTE_TITLE, training.text)
        else:
            text = "обучение наставников не пройдено"
            if exclude:
                text += " — по настройке школы не предлагается при подборе"
            notes[person_id] = MentorNote(NOTE_CODE, NOTE_TITLE, text, ok=False, exclude=exclude)
    return notes
