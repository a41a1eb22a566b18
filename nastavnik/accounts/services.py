"""Accounts of a school's people: who may get one, logins, roles, one-time codes, the log.

A curator or director (``accounts.edit``) manages only accounts of people of their own schools
whose roles are «наставник» / «наставляемый»: staff holding a higher role are the admin's, and an
account with a role outside the manager's schools is the admin's too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from sqlalchemy import func, literal, select

from nastavnik import access
from nastavnik.auth.codes import issue
from nastavnik.auth.models import RoleAssignment, User
from nastavnik.auth.services import create_user, log_account
from nastavnik.banks.models import MenteeProfile, MentorProfile
from nastavnik.consents.services import has_valid_consent
from nastavnik.extensions import db
from nastavnik.pairs.models import LIVE_STATUSES, Pair, PairMember
from nastavnik.participants.models import Person
from nastavnik.periods import AcademicYear
from nastavnik.timeutil import today
from nastavnik.web.words import translit

MANAGED_ROLES = ("mentor", "mentee")
LIVE_MENTEE = ("in_bank", "in_pair", "unmatched")


class AccountRefused(Exception):
    """The person cannot get an account; ``message`` (Russian) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Who may have an account, and under which login ------------------------------------------------


def refusal(person: Person, day: date | None = None) -> str | None:
    """Why ``person`` may not get an account, or None. 152-ФЗ: no account without a valid consent."""
    if person.anonymised_at is not None:
        return "данные обезличены"
    if person.is_archived:
        return "участник в архиве"
    if person.kind == "parent":
        return "законные представители учётных записей не получают"
    if not has_valid_consent(person, day or today()):
        return "нет действующего согласия на обработку персональных данных"
    return None


def account_of(person: Person) -> User | None:
    return db.session.scalar(select(User).where(User.person_id == person.id).order_by(User.id))


def _latin(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", translit(text))


def suggest_username(person: Person) -> str:
    """«petrova.av»: surname and initials in Latin letters (passport transliteration), unique."""
    initials = "".join(_latin(part)[:1] for part in (person.first_name, person.middle_name))
    base = ".".join(p for p in (_latin(person.last_name)[:30] or "user", initials) if p)
    taken = set(db.session.scalars(select(func.lower(User.username)).where(User.username.ilike(f"{base}%"))))
    candidate, n = base, 1
    while candidate in taken or len(candidate) < 3:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def roles_for(person: Person) -> list[str]:
    """Mentor when in the mentor bank or mentoring a live pair; mentee likewise."""
    live_roles = set(db.session.scalars(
        select(PairMember.role).join(Pair).where(PairMember.person_id == person.id, Pair.status.in_(LIVE_STATUSES))
    ))
    roles = []
    mentor = db.session.scalar(select(MentorProfile.id).where(
        MentorProfile.person_id == person.id, MentorProfile.status != "inactive"))
    if mentor is not None or "mentor" in live_roles:
        roles.append("mentor")
    mentee = db.session.scalar(select(MenteeProfile.id).where(
        MenteeProfile.person_id == person.id, MenteeProfile.status.in_(LIVE_MENTEE)).limit(1))
    if mentee is not None or "mentee" in live_roles:
        roles.append("mentee")
    return roles


def sync_roles(user: User, person: Person) -> list[str]:
    """Add the mentor/mentee roles the person's banks and pairs call for, at the person's school."""
    have = {(r.role, r.org_id) for r in user.roles}
    added = []
    for role in roles_for(person):
        if (role, person.org_id) not in have:
            user.roles.append(RoleAssignment(role=role, org_id=person.org_id))
            added.append(role)
    return added


# --- Who manages an account -------------------------------------------------------------------------


def is_admin(user) -> bool:
    return access.can(user, "admin.users")


def manages(manager, account: User) -> bool:
    """May ``manager`` reset, switch off or re-issue a code for ``account``?"""
    if is_admin(manager):
        return True
    person = account.person
    if person is None or not access.can(manager, "accounts.edit", person.org_id):
        return False
    return all(r.role in MANAGED_ROLES and access.can(manager, "accounts.edit", r.org_id) for r in account.roles)


@dataclass
class PersonAccount:
    """What the person page shows about the account."""

    account: User | None
    refusal: str | None
    manageable: bool
    higher_roles: list[str]


def person_account_state(manager, person: Person) -> PersonAccount:
    account = account_of(person)
    higher = [r.role_title for r in account.roles if r.role not in MANAGED_ROLES] if account else []
    return PersonAccount(
        account=account, refusal=refusal(person),
        manageable=account is None or manages(manager, account), higher_roles=higher,
    )


# --- Creating accounts and codes ----------------------------------------------------------------------


@dataclass
class Slip:
    """Листок входа: кому, логин, одноразовый код, до какого времени, куда идти."""

    name: str
    detail: str
    school: str
    login: str
    code: str
    expires_at: datetime
    url: str


def _slip(person: Person | None, account: User, code: str, expires_at: datetime) -> Slip:
    detail = ""
    if person is not None:
        detail = person.class_name and f"{person.class_name} класс" if person.kind == "student" else person.position
    return Slip(
        name=person.full_name if person else account.display_name, detail=detail or "",
        school=person.org.title if person else "", login=account.username, code=code, expires_at=expires_at,
        url=url_for("auth.code_sign_in", _external=True),
    )


def create_account(person: Person, by) -> tuple[User, Slip]:
    """A new account for ``person`` with roles from their banks and pairs and a one-time code."""
    reason = refusal(person)
    if reason:
        raise AccountRefused(f"{person.full_name}: {reason}.")
    if account_of(person) is not None:
        raise AccountRefused(f"У участника «{person.full_name}» уже есть учётная запись.")
    roles = roles_for(person)
    user = create_user(suggest_username(person), None, person.full_name,
                       roles=[(role, person.org_id) for role in roles], person_id=person.id)
    db.session.flush()
    user.person = person
    titles = ", ".join(r.role_title for r in user.roles) or "без роли"
    log_account("account_create", user, {"person": [None, person.full_name], "role": [None, titles]})
    code, record = issue(user, by, "new")
    log_account("code_issue", user, {"code_expires": [None, record.expires_at.strftime("%d.%m.%Y")]})
    return user, _slip(person, user, code, record.expires_at)


def reset_with_code(account: User, by) -> Slip:
    """Сброс пароля куратором: the old password and every open session end; a new code is printed."""
    if account.person is not None:
        sync_roles(account, account.person)
    action = "password_reset" if account.has_password else "code_issue"  # a reprinted slip resets nothing
    account.clear_password()
    account.end_sessions()
    code, record = issue(account, by, "reset")
    log_account(action, account, {"code_expires": [None, record.expires_at.strftime("%d.%m.%Y")]})
    return _slip(account.person, account, code, record.expires_at)


def set_active(account: User, active: bool) -> None:
    account.is_active_account = active
    if not active:
        account.end_sessions()
    log_account("account_enable" if active else "account_disable", account)


def link_person(account: User, person: Person | None) -> None:
    """Link ``account`` to ``person`` (None: unlink), writing the change to the log."""
    old = account.person
    if (old.id if old else None) == (person.id if person else None):
        return
    if old is not None:
        log_account("person_unlink", account, {"person": [old.full_name, None]})
    account.person_id = person.id if person else None
    account.person = person
    if person is not None:
        log_account("person_link", account, {"person": [None, person.full_name]})


# --- Groups: a class, a bank ------------------------------------------------------------------------------


@dataclass
class Group:
    code: str  # "class:7Б" | "mentors:<kind>" | "mentees:<kind>"
    title: str
    count: int


def groups(org_id: int, kinds: dict) -> list[Group]:
    """Classes of the school and the banks of each form, with how many people each holds."""
    result = []
    classes = db.session.execute(
        select(Person.class_name, func.count()).where(
            Person.org_id == org_id, Person.kind == "student", Person.class_name != "",
            Person.archived_at.is_(None), Person.anonymised_at.is_(None),
        ).group_by(Person.class_name)
    ).all()
    for name, number in sorted(classes, key=lambda row: _class_key(row[0])):
        result.append(Group(f"class:{name}", f"{name} класс", number))
    for code, kind in kinds.items():
        mentors = len(people_of(org_id, f"mentors:{code}"))
        mentees = len(people_of(org_id, f"mentees:{code}"))
        result.append(Group(f"mentors:{code}", f"Банк наставников: {kind.title}", mentors))
        result.append(Group(f"mentees:{code}", f"Банк наставляемых: {kind.title}", mentees))
    return result


def _class_key(name: str):
    digits = re.match(r"\d+", name or "")
    return (int(digits.group()) if digits else 99, name)


def people_of(org_id: int, group: str) -> list[Person]:
    """The people of a group of the school, by name; [] for an unknown group."""
    what, _, value = group.partition(":")
    query = select(Person).where(Person.org_id == org_id, Person.archived_at.is_(None))
    if what == "class" and value:
        query = query.where(Person.kind == "student", Person.class_name == value)
    elif what == "mentors" and value:
        profiles = select(MentorProfile.person_id).where(
            MentorProfile.org_id == org_id, MentorProfile.status != "inactive",
            (literal(",") + MentorProfile.kind_codes + literal(",")).like(f"%,{value},%"),
        )
        query = query.where(Person.id.in_(profiles))
    elif what == "mentees" and value:
        profiles = select(MenteeProfile.person_id).where(
            MenteeProfile.org_id == org_id, MenteeProfile.kind_code == value,
            MenteeProfile.status.in_(LIVE_MENTEE), MenteeProfile.academic_year == AcademicYear.of(today()).start_year,
        )
        query = query.where(Person.id.in_(profiles))
    else:
        return []
    return list(db.session.scalars(query.order_by(Person.last_name, Person.first_name, Person.id)))


def school_accounts(org_id: int) -> list[User]:
    """Accounts linked to people of the school."""
    return list(db.session.scalars(
        select(User).join(Person, User.person_id == Person.id).where(Person.org_id == org_id)
        .order_by(Person.last_name, Person.first_name)
    ))
