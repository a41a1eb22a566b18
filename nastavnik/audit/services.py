"""Every change to an audited model (``__audited__ = True``) is written to the audit log in the same
transaction, so a change and its record are committed or rolled back together."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session

from nastavnik.audit.models import AuditEntry
from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

SKIPPED = {"version", "created_at", "updated_at"}
HIDDEN = "***"
_actor: ContextVar[str | None] = ContextVar("audit_actor", default=None)


@contextmanager
def acting_as(name: str):
    """Name the actor of changes made outside a request (CLI, cron)."""
    token = _actor.set(name)
    try:
        yield
    finally:
        _actor.reset(token)


def _who() -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.display_name
    return None, _actor.get() or "система"


def _plain(value):
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return value


def _changes(obj, action: str) -> dict:
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        if attr.key in SKIPPED:
            continue
        history = state.attrs[attr.key].history
        if action == "create":
            value = getattr(obj, attr.key)
            if value not in (None, ""):
                changes[attr.key] = [None, _plain(value)]
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[attr.key] = [_plain(old), _plain(new)]
    return changes


def _is_anonymising(obj, changes: dict) -> bool:
    return "anonymised_at" in changes and getattr(obj, "anonymised_at", None) is not None


def _entries(session: Session) -> list[dict]:
    user_id, actor = _who()
    rows = []
    groups = (("create", session.new), ("update", session.dirty), ("delete", session.deleted))
    for action, objects in groups:
        for obj in objects:
            if not getattr(obj, "__audited__", False):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            entry_action = action
            if _is_anonymising(obj, changes):  # never copy the data being destroyed into the log
                entry_action = "anonymise"
                changes = {key: [HIDDEN, HIDDEN] for key in changes if key != "anonymised_at"}
            person_id = obj.id if obj.__tablename__ == "person" else getattr(obj, "person_id", None)
            rows.append(
                dict(
                    at=utcnow(), user_id=user_id, actor=actor, action=entry_action,
                    entity=obj.__tablename__, entity_id=obj.id, person_id=person_id, changes=changes,
                )
            )
    return rows


def _after_flush(session: Session, flush_context) -> None:
    rows = _entries(session)
    if not rows:
        return
    from nastavnik.participants.models import Person

    connection = session.connection()
    for row in rows:
        if row["person_id"] is not None:
            row["org_id"] = connection.execute(select(Person.org_id).where(Person.id == row["person_id"])).scalar()
        connection.execute(insert(AuditEntry.__table__).values(**row))


def install() -> None:
    """Attach the listener once per process (the session class is shared by all apps)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def scrub_person_history(person_id: int) -> None:
    """After anonymisation the log keeps who changed what and when, but not the values."""
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.person_id == person_id)).all()
    for entry in entries:
        scrubbed = {key: [HIDDEN, HIDDEN] for key in (entry.changes or {})}
        db.session.execute(update(AuditEntry).where(AuditEntry.id == entry.id).values(changes=scrubbed))


def history(person_id: int) -> list[AuditEntry]:
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.person_id == person_id).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    ).all()
