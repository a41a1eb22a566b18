"""One-time sign-in codes: printed on a slip by the curator, used once to set one's own password."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from nastavnik.auth.models import SignInCode, User
from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

# Easy to read off paper and type on a phone: no 0/o, 1/l/i; 12 characters ≈ 59 bits.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
GROUPS, GROUP = 3, 4
_DUMMY = "sha256$0000000000000000$" + "0" * 64


def new_code() -> str:
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP)) for _ in range(GROUPS))


def normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def hash_code(code: str) -> str:
    # A random 59-bit code needs no slow hash; the salt keeps equal codes from having equal hashes.
    salt = secrets.token_hex(8)
    return f"sha256${salt}${hashlib.sha256((salt + normalise(code)).encode()).hexdigest()}"


def code_matches(stored: str, code: str) -> bool:
    _, salt, digest = stored.split("$", 2)
    return hmac.compare_digest(digest, hashlib.sha256((salt + normalise(code)).encode()).hexdigest())


def issue(user: User, issued_by: User | None, reason: str = "new") -> tuple[str, SignInCode]:
    """A fresh code for ``user``; codes issued before it stop working. Returns (code, record):
    the code itself is shown once, on the slip, and never stored."""
    db.session.execute(delete(SignInCode).where(SignInCode.user_id == user.id, SignInCode.used_at.is_(None)))
    code = new_code()
    record = SignInCode(
        user_id=user.id, code_hash=hash_code(code), reason=reason,
        expires_at=utcnow() + timedelta(days=current_app.config["SIGN_IN_CODE_DAYS"]),
        issued_by_id=issued_by.id if issued_by is not None else None,
    )
    db.session.add(record)
    return code, record


def valid_code(user: User | None, code: str) -> SignInCode | None:
    """The unused, unexpired code of ``user`` that matches; the same work for an unknown login."""
    records = []
    if user is not None:
        records = db.session.scalars(
            select(SignInCode).where(SignInCode.user_id == user.id, SignInCode.used_at.is_(None))
        ).all()
    now = utcnow()
    found = None
    for record in records or [None]:
        matches = code_matches(record.code_hash if record else _DUMMY, code)
        expires = record.expires_at if record else now
        expires = expires if expires.tzinfo else expires.replace(tzinfo=now.tzinfo)
        if record is not None and matches and expires > now:
            found = record
    return found
