"""Authentication and throttling of repeated failed logins."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

from nastavnik.auth.models import LoginFailure, RoleAssignment, User
from nastavnik.extensions import db
from nastavnik.timeutil import utcnow


def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def is_locked(username: str, remote_addr: str) -> bool:
    """Too many failures for this login, or from this address, within the lock window."""
    window = utcnow() - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    count = db.session.scalar(
        select(func.count(LoginFailure.id)).where(
            LoginFailure.at >= window,
            or_(LoginFailure.username == username.lower(), LoginFailure.remote_addr == remote_addr),
        )
    )
    return count >= current_app.config["LOGIN_MAX_FAILURES"]


class AccountDisabled(Exception):
    """The password is right but the administrator switched the account off."""


def authenticate(username: str, password: str, remote_addr: str) -> User | None:
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is not None and not user.is_active and user.check_password(password):
        raise AccountDisabled  # told only to whoever knows the password: it reveals nothing to a guesser
    if user is None or not user.is_active or not user.check_password(password):
        db.session.add(LoginFailure(username=username.lower(), remote_addr=remote_addr))
        db.session.commit()
        return None
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username.lower()))
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def create_user(username: str, password: str, display_name: str, roles=(), person_id=None) -> User:
    """``roles``: (role, org_id) pairs."""
    user = User(username=username, display_name=display_name, person_id=person_id)
    user.set_password(password)
    user.roles = [RoleAssignment(role=role, org_id=org_id) for role, org_id in roles]
    db.session.add(user)
    return user
