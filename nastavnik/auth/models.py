"""Пользователи, их роли в организациях и неудачные попытки входа."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

ROLES = {
    "admin": "Администратор",
    "municipal": "Муниципальный координатор",
    "director": "Руководитель ОО",
    "curator": "Куратор внедрения",
    "mentor": "Наставник",
    "mentee": "Наставляемый",
    "observer": "Наблюдатель",
}


# No hash starts with "!": werkzeug refuses it, and the account waits for a one-time code.
NO_PASSWORD = "!"  # noqa: S105 - a marker, not a password


class User(UserMixin, db.Model):
    """Учётная запись; может быть связана с участником (Person)."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Part of the session cookie (see get_id): raising it ends every open session of the user.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    person = relationship("Person", foreign_keys=[person_id])

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive accounts
        return self.is_active_account

    def get_id(self) -> str:
        """What the session and remember cookies carry: the id and the session version, so a copied
        cookie stops working once the version is raised (logout, password change, switch-off)."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 1) + 1

    @property
    def has_password(self) -> bool:
        """False for an account waiting for its first sign-in with a one-time code."""
        return not self.password_hash.startswith(NO_PASSWORD)

    def clear_password(self) -> None:
        self.password_hash = NO_PASSWORD

    def set_password(self, password: str) -> None:
        # Tests configure a cheap method; production keeps werkzeug's default (scrypt).
        method = current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None
        self.password_hash = generate_password_hash(password, method=method or "scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def role_codes(self) -> set[str]:
        return {r.role for r in self.roles}

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleAssignment(db.Model):
    """Роль пользователя в организации; действует на всё поддерево организации."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "org_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="roles")
    org = relationship("Organisation", lazy="joined")

    @property
    def role_title(self) -> str:
        return ROLES.get(self.role, self.role)


class LoginFailure(db.Model):
    """Неудачная попытка входа: по ним ограничивается подбор пароля."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class SignInCode(db.Model):
    """Одноразовый код входа: куратор печатает его на листке, человек входит с ним и задаёт пароль.

    Хранится только хэш; код действует один раз и до ``expires_at``; новый код отменяет прежние."""

    __tablename__ = "sign_in_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(String(20), default="new")  # new | reset
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
