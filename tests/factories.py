"""Plain ``make_*(**overrides)`` helpers for test data."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from nastavnik.auth.services import create_user
from nastavnik.consents.models import SELF, Consent
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.participants.models import Person

PASSWORD = "correct-horse-1"
_seq = count(1)


def make_org(**values) -> Organisation:
    values.setdefault("kind", "school")
    values.setdefault("name", f"Школа {next(_seq)}")
    org = Organisation(**values)
    db.session.add(org)
    db.session.flush()
    return org


def make_person(org, **values) -> Person:
    n = next(_seq)
    values.setdefault("kind", "staff")
    values.setdefault("last_name", f"Иванов{n}")
    values.setdefault("first_name", "Пётр")
    values.setdefault("middle_name", "Сергеевич")
    if values["kind"] == "staff":
        values.setdefault("position", "учитель")
        values.setdefault("birth_date", date(1985, 5, 17))
    if values["kind"] == "student":
        values.setdefault("class_name", "7Б")
        values.setdefault("birth_date", date.today() - timedelta(days=13 * 365))
    person = Person(org=org, **values)
    db.session.add(person)
    db.session.flush()
    return person


def make_consent(person, kind="pd_processing", **values) -> Consent:
    values.setdefault("signatory_name", person.full_name)
    values.setdefault("signatory_relation", SELF)
    values.setdefault("signed_on", date.today() - timedelta(days=10))
    consent = Consent(person=person, kind=kind, **values)
    db.session.add(consent)
    db.session.flush()
    return consent


def make_user(username, role=None, org=None, person=None, password=PASSWORD):
    roles = [(role, org.id)] if role else []
    user = create_user(username, password, username.title(), roles=roles, person_id=person.id if person else None)
    db.session.flush()
    return user
