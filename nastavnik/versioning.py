"""Optimistic locking: a change made on a stale copy of a record is refused, never written over.

Models that users edit declare ``version_id_col``; their forms carry the version the user saw.
"""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from nastavnik.extensions import db


class Conflict(Exception):
    """The record changed since the user opened it."""


def check_version(record, expected_version: int | None) -> None:
    if expected_version is not None and getattr(record, "id", None) is not None and record.version != expected_version:
        raise Conflict


def commit_or_conflict() -> None:
    """Commit; a row changed between our read and our write becomes a Conflict, with nothing written."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict from None


def save_versioned(record, values: dict, expected_version: int | None) -> None:
    """Apply ``values`` unless someone else saved the record since ``expected_version``."""
    check_version(record, expected_version)
    for key, value in values.items():
        setattr(record, key, value)
    commit_or_conflict()
