"""Authentication, sessions that end on the server, and throttling of repeated failed logins."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from nastavnik.auth.models import LoginFailure, RoleAssignment, User
from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

_dummy_hashes: dict[str, str] = {}


def load_user(token: str) -> User | None:
    """The session carries «id:session_version»; a cookie of an older version is refused."""
    user_id, _, version = (token or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    # One query for the account and its roles: this runs before every page.
    user = db.session.get(User, int(user_id), options=[joinedload(User.roles)])
    if user is None or user.session_version != int(version):
        return None
    return user


# --- Throttling ---------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives naive UTC back


def _unlocks_at(column, value: str, limit: int, since: datetime) -> datetime | None:
    """When the ``limit``-th newest failure leaves the window, or None when there are fewer."""
    times = db.session.scalars(
        select(LoginFailure.at).where(column == value, LoginFailure.at >= since)
        .order_by(LoginFailure.at.desc()).limit(limit)
    ).all()
    if len(times) < limit:
        return None
    return _aware(times[-1]) + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def locked_minutes(username: str, remote_addr: str) -> int | None:
    """Minutes to wait, or None. One account locks after a few failures wherever they come from;
    an address only after many, so one user's typos never lock out a school behind one NAT."""
    config, now = current_app.config, utcnow()
    since = now - timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    ends = [
        _unlocks_at(LoginFailure.username, username.lower(), config["LOGIN_MAX_FAILURES"], since),
        _unlocks_at(LoginFailure.remote_addr, remote_addr, config["LOGIN_MAX_FAILURES_PER_ADDRESS"], since),
    ]
    ends = [end for end in ends if end is not None and end > now]
    if not ends:
        return None
    return max(1, math.ceil((max(ends) - now).total_seconds() / 60))


def record_failure(username: str, remote_addr: str) -> None:
    now = utcnow()
    db.session.add(LoginFailure(username=username.lower()[:80], remote_addr=remote_addr[:64], at=now))
    # The table only has to remember the lock window; older rows go as new ones come.
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - timedelta(days=1)))
    db.session.commit()


def clear_failures(username: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username.lower()))


# --- Passwords ----------------------------------------------------------------------------------


def hash_method() -> str:
    # Tests configure a cheap method; production keeps werkzeug's default (scrypt).
    return current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"


def _dummy_hash() -> str:
    method = hash_method()
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash("no such user: the same work as a real check", method=method)
    return _dummy_hashes[method]


def verify_password(user: User | None, password: str) -> bool:
    """Exactly one hash verification whoever is asked about — an unknown login, an account without
    a password yet, a switched-off one — so the answer's timing does not tell who exists."""
    usable = user is not None and user.has_password
    matches = check_password_hash(user.password_hash if usable else _dummy_hash(), password)
    return usable and matches


class AccountDisabled(Exception):
    """The password is right but the administrator switched the account off."""


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def authenticate(username: str, password: str, remote_addr: str) -> User | None:
    user = find_user(username)
    if not verify_password(user, password):
        record_failure(username, remote_addr)
        return None
    if not user.is_active:
        raise AccountDisabled  # told only to whoever knows the password: it reveals nothing to a guesser
    clear_failures(username)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def create_user(username: str, password: str | None, display_name: str, roles=(), person_id=None) -> User:
    """``roles``: (role, org_id) pairs; ``password=None``: the account waits for a one-time code."""
    user = User(username=username, display_name=display_name, person_id=person_id)
    if password is None:
        user.clear_password()
    else:
        user.set_password(password)
    user.roles = [RoleAssignment(role=role, org_id=org_id) for role, org_id in roles]
    db.session.add(user)
    return user


def account_org_id(user: User) -> int | None:
    """Whose log an account's events go to: the person's school, else the first role's organisation."""
    if user.person is not None:
        return user.person.org_id
    return user.roles[0].org_id if user.roles else None


def log_account(action: str, user: User, changes: dict | None = None, by: User | None = None) -> None:
    from nastavnik.audit.services import record

    changes = {"login": [None, user.username], **(changes or {})}
    record(action, "user_account", user.id, changes, person_id=user.person_id, org_id=account_org_id(user), by=by)


def set_new_password(user: User, password: str, action: str, by: User | None = None) -> None:
    """A new password ends every open session of the user and lifts the lock-out of the account."""
    user.set_password(password)
    user.end_sessions()
    clear_failures(user.username)
    log_account(action, user, by=by)


def locked_message(minutes: int) -> str:
    from nastavnik.web.words import plural

    return f"Слишком много неудачных попыток входа. Попробуйте через {plural(minutes, 'минуту', 'минуты', 'минут')}."
