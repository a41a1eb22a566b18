"""Every change to an audited model (``__audited__ = True``) is written to the audit log in the same
transaction, so a change and its record are committed or rolled back together."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

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
    if isinstance(value, Decimal):  # money and rates: JSON has no decimal, and a float would round
        return format(value.normalize(), "f").replace(".", ",")
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


def _collection_changes(obj, action: str) -> dict:
    """Changes of the collections a model names in ``__audited_collections__`` ({"tags": "title"}):
    the whole list before and after, by the attribute that names an element."""
    changes = {}
    state = inspect(obj)
    for name, label in getattr(obj, "__audited_collections__", {}).items():
        history = state.attrs[name].history
        if action == "create":
            new = sorted(getattr(item, label) for item in getattr(obj, name))
            if new:
                changes[name] = [None, new]
        elif history.has_changes():
            kept = [getattr(item, label) for item in history.unchanged]
            old = sorted(kept + [getattr(item, label) for item in history.deleted])
            new = sorted(kept + [getattr(item, label) for item in history.added])
            if old != new:
                changes[name] = [old, new]
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
            changes = _changes(obj, action) | _collection_changes(obj, action)
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
    # One query and one insert per flush: an import writes hundreds of entries at once.
    person_ids = {row["person_id"] for row in rows if row["person_id"] is not None}
    query = select(Person.id, Person.org_id).where(Person.id.in_(person_ids))
    orgs = {pid: org_id for pid, org_id in connection.execute(query)} if person_ids else {}
    for row in rows:
        row["org_id"] = orgs.get(row["person_id"])
    connection.execute(insert(AuditEntry.__table__), rows)


def install() -> None:
    """Attach the listener once per process (the session class is shared by all apps)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def record(action: str, entity: str, entity_id: int | None, changes: dict, person_id=None, org_id=None,
           by=None) -> None:
    """Write an entry for an event that is not a column change (a password reset, a sign-in code,
    a link between an account and a person), in the caller's transaction. ``by``: the acting user
    when nobody is logged in yet (a password set with a one-time code)."""
    user_id, actor = (by.id, by.display_name) if by is not None else _who()
    db.session.add(AuditEntry(
        at=utcnow(), user_id=user_id, actor=actor, action=action, entity=entity, entity_id=entity_id,
        person_id=person_id, org_id=org_id, changes=changes,
    ))


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


# --- Reading the log -----------------------------------------------------------------------------

ENTITY_TITLES = {
    "person": "участник", "consent": "согласие", "guardianship": "законный представитель",
    "mentor_profile": "наставник в банке", "mentee_profile": "наставляемый в банке", "tag": "тег (словарь)",
    "event": "мероприятие", "event_participant": "участник мероприятия", "event_certificate": "сертификат",
    "news_item": "новость", "news_post": "размещение новости",
}
ENTITY_TITLES["user_account"] = "учётная запись"
# Column names as a curator reads them; a model may add its own with ``__audit_labels__``.
FIELD_TITLES = {
    "org_id": "организация", "kind": "вид", "last_name": "фамилия", "first_name": "имя", "middle_name": "отчество",
    "birth_date": "дата рождения", "email": "эл. почта", "phone": "телефон", "snils": "СНИЛС",
    "personnel_number": "табельный номер", "position": "должность", "subjects": "предметы",
    "experience_years": "педагогический стаж, лет", "experience_on": "стаж указан на дату", "hired_on": "дата приёма",
    "qualification_category": "квалификационная категория", "class_name": "класс", "notes": "примечание",
    "archived_at": "в архиве с", "anonymised_at": "обезличен", "relation": "кем приходится",
    "signatory_name": "подписал(а)", "signatory_relation": "кто подписал", "purposes": "цели обработки",
    "document_ref": "где хранится оригинал", "signed_on": "дата подписания", "valid_until": "действует до",
    "withdrawn_on": "отозвано", "withdrawal_reason": "основание отзыва", "status": "состояние",
}
FIELD_TITLES |= {  # accounts
    "login": "логин", "display_name": "имя", "person": "участник", "role": "роль", "code_expires": "код действует до",
}


def _model(entity: str):
    for mapper in db.Model.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == entity:
            return mapper.class_
    return None


def _titled(values, code):
    """A code by its model's ``__audit_values__`` entry: a dict of titles or a function."""
    return values(code) if callable(values) else values.get(code, code)


def _value(key: str, value, orgs: dict, values: dict):
    from nastavnik.consents.models import CONSENT_KINDS
    from nastavnik.participants.models import PERSON_KINDS, QUALIFICATION_CATEGORIES

    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(_value(key, item, orgs, values)) for item in value)
    if key in values:
        return _titled(values[key], value)
    if isinstance(value, bool):
        return "да" if value else "нет"
    if key == "org_id":
        return orgs.get(value, f"№{value}")
    if key == "kind":
        return {**PERSON_KINDS, **CONSENT_KINDS}.get(value, value)
    if key == "qualification_category":
        return QUALIFICATION_CATEGORIES.get(value, value)
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return value


def readable_changes(entry: AuditEntry, orgs: dict[int, str]) -> list[tuple[str, object, object]]:
    """(label, old, new) in Russian — every field by its Russian label, every coded value by its
    title (a model says how with ``__audit_labels__`` and ``__audit_values__``); technical ids are
    left out (the row itself says whose record it is)."""
    model = _model(entry.entity)
    labels = FIELD_TITLES | getattr(model, "__audit_labels__", {})
    values = getattr(model, "__audit_values__", {})
    rows = []
    for key, pair in (entry.changes or {}).items():
        if key == "id" or (key.endswith("_id") and key != "org_id"):
            continue
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append((labels.get(key, key), _value(key, old, orgs, values), _value(key, new, orgs, values)))
    return rows


def entry_context(entries) -> dict:
    """What the log templates need besides the entries: names of people and organisations."""
    from nastavnik.orgs.models import Organisation
    from nastavnik.participants.models import Person

    person_ids = {e.person_id for e in entries if e.person_id}
    people = (
        {p.id: p.short_name for p in db.session.scalars(select(Person).where(Person.id.in_(person_ids)))}
        if person_ids else {}
    )
    # Only the organisations the entries name (a moved record's org_id), not the region's 2,000.
    org_ids = {
        value for e in entries for key, pair in (e.changes or {}).items() if key == "org_id"
        for value in (pair if isinstance(pair, list) else [pair]) if isinstance(value, int)
    }
    orgs = (
        {o.id: o.title for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))}
        if org_ids else {}
    )
    return {"people": people, "orgs": orgs, "readable_changes": readable_changes, "entity_titles": ENTITY_TITLES}
