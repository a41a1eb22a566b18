"""What other capabilities say about mentors (``nastavnik_mentor_notes``), for the banks and matching.

The events capability answers with the training status («обучение пройдено 14.10.2025, 4 часа» or
«обучение наставников не пройдено»). The mentor list and card show the notes (the Jinja global
``mentor_notes``); matching shows them among a suggestion's or a draft row's reasons, with no points;
a note with ``exclude`` (the school set «не предлагать наставников без обучения») takes the mentor out
of the matching of that school: suggestions list them as not fitting, with the note as the reason.
"""

from __future__ import annotations

from datetime import date

from nastavnik.matching import Reason
from nastavnik.plugins.manager import hook
from nastavnik.plugins.registry import MentorNote
from nastavnik.timeutil import today


def mentor_notes(person_ids, org_id: int | None = None, day: date | None = None) -> dict[int, list[MentorNote]]:
    """Notes per mentor person id, from every plugin (one hook call for the whole list)."""
    person_ids = [pid for pid in dict.fromkeys(person_ids) if pid is not None]
    if not person_ids:
        return {}
    found: dict[int, list[MentorNote]] = {}
    for answer in reversed(hook().nastavnik_mentor_notes(org_id=org_id, person_ids=person_ids, day=day or today())):
        for person_id, note in (answer or {}).items():
            if isinstance(note, MentorNote):
                found.setdefault(person_id, []).append(note)
    return found


def for_profiles(profiles) -> dict[int, list[MentorNote]]:
    """The template global: notes for the mentors of a list page or a card (never excluding)."""
    return mentor_notes([p.person_id for p in profiles])


def excluded(notes: dict[int, list[MentorNote]]) -> dict[int, str]:
    """Person id → why the mentor is kept out of this matching."""
    return {pid: "; ".join(n.text for n in found if n.exclude) for pid, found in notes.items() if any(n.exclude for n in found)}


def as_reasons(notes: list[MentorNote]) -> list[Reason]:
    """Notes as matching reasons with no weight: shown, never scored."""
    return [NoteReason(n.code, n.title, 1.0 if n.ok else 0.0, 0.0, 0.0, n.text, not n.ok) for n in notes]


def as_json(notes: list[MentorNote]) -> list[dict]:
    return [
        {"code": n.code, "title": n.title, "value": 1.0 if n.ok else 0.0, "weight": 0.0, "points": 0.0,
         "text": n.text, "is_gap": not n.ok, "note": True}
        for n in notes
    ]


class NoteReason(Reason):
    """A reason that only informs (``note``): the template lists it apart from the scored criteria."""

    note = True
