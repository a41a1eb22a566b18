"""Optimistic locking: a change made on a stale copy of a record is refused, never written over.

Models that users edit declare ``version_id_col``; their forms carry the version the user saw.
"""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from nastavnik.extensions import db


class Conflict(Exception):
    """The record changed since the user opened it."""


UNKNOWN = -1  # a version no record has (versions start at 1): what a tampered form field reads as
MAX_VERSION = 2**31 - 1  # the column is a 32-bit INTEGER on PostgreSQL


def parse_version(value) -> int | None:
    """The version a form sent back: None when absent, UNKNOWN when it is not a version at all.

    A junk value ("abc", "1.5", a number past the column) is not an error of the user's to fix:
    the form they hold is not a genuine copy, so the edit is refused as stale (409) and the page
    shows the record as it is now, like any other conflict.
    """
    if value is None or isinstance(value, bool):
        return None if value is None else UNKNOWN
    if isinstance(value, int):
        return value if 0 <= value <= MAX_VERSION else UNKNOWN
    text = str(value).strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return UNKNOWN
    return parse_version(int(text))


def check_version(record, expected_version: int | str | None) -> None:
    expected = parse_version(expected_version)
    if expected is not None and getattr(record, "id", None) is not None and record.version != expected:
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
