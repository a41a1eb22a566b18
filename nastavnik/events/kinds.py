"""Виды мероприятий: the nine common ones (through ``nastavnik_event_kinds``, like any plugin's),
plus the kinds users add for their organisation (``EventKindRow``), seen in its whole subtree."""

from __future__ import annotations

import secrets

from flask import g, has_request_context
from sqlalchemy import select

from nastavnik.events.models import EventKindRow
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.plugins.registry import EventKind

BUILTIN = (
    EventKind("training", "обучение наставников", "training", certificates=True,
              description="школа наставника, установочные сессии, курсы для наставников"),
    EventKind("seminar", "семинар", "seminar"),
    EventKind("webinar", "вебинар", "seminar"),
    EventKind("round_table", "круглый стол", "public"),
    EventKind("conference", "конференция", "public"),
    EventKind("festival", "фестиваль / форум", "public"),
    EventKind("master_class", "мастер-класс", "seminar"),
    EventKind("final", "итоговое мероприятие", "public"),
    EventKind("info_meeting", "информационная встреча", "seminar"),
)


def _row_kind(row: EventKindRow) -> EventKind:
    return EventKind(row.code, row.title, row.group, row.certificates)


def _rows() -> list[EventKindRow]:
    """Every stored kind, once per request (a few dozen rows for a region)."""
    if has_request_context() and "event_kind_rows" in g:
        return g.event_kind_rows
    rows = list(db.session.scalars(select(EventKindRow).order_by(EventKindRow.title)))
    if has_request_context():
        g.event_kind_rows = rows
    return rows


def forget_cache() -> None:
    if has_request_context():
        g.pop("event_kind_rows", None)


def registered() -> dict[str, EventKind]:
    from nastavnik.plugins.manager import registry

    return registry().event_kinds


def kind(code: str) -> EventKind:
    """The kind by code: a plugin's, a stored one, or a stand-in saying the plugin is missing."""
    found = registered().get(code)
    if found is not None:
        return found
    for row in _rows():
        if row.code == code:
            return _row_kind(row)
    return EventKind(code, f"{code} (плагин не установлен)")


def title(code: str) -> str:
    return kind(code).title


def _ancestors(org_id: int) -> set[int]:
    ids, current = set(), db.session.get(Organisation, org_id)
    while current is not None:
        ids.add(current.id)
        current = current.parent
    return ids


def choices_for(org_id: int | None, keep: str = "") -> list[EventKind]:
    """Kinds offered for an event of ``org_id``: the plugins' and those of the organisation and its
    parents (a municipality's kinds serve its schools); ``keep`` stays offered even if archived."""
    path = _ancestors(org_id) if org_id else set()
    own = [
        _row_kind(row) for row in _rows()
        if row.org_id in path and (not row.archived or row.code == keep)
    ]
    return [*registered().values(), *own]


def codes_of_group(group: str) -> list[str]:
    """Codes of every kind of ``group``, plugins' and stored ones (archived kinds too: old events count)."""
    codes = [k.code for k in registered().values() if k.group == group]
    return codes + [row.code for row in _rows() if row.group == group and row.code not in codes]


def certificate_codes() -> list[str]:
    codes = [k.code for k in registered().values() if k.certificates]
    return codes + [row.code for row in _rows() if row.certificates and row.code not in codes]


def new_code() -> str:
    return f"k{secrets.token_hex(5)}"
