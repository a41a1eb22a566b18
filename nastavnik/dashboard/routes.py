from __future__ import annotations

from collections import Counter

from flask import current_app, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nastavnik import access
from nastavnik.auth.models import RoleAssignment, User
from nastavnik.consents.services import consent_state
from nastavnik.dashboard import bp
from nastavnik.extensions import db
from nastavnik.orgs.services import education_orgs
from nastavnik.participants.models import Person
from nastavnik.plugins.templating import nav_links, run_hook
from nastavnik.timeutil import today


def school_summary(org_ids: set[int]) -> dict[int, Counter]:
    """Counts per organisation: staff, students, young specialists, consent states."""
    config, day = current_app.config, today()
    people = db.session.scalars(
        select(Person)
        .where(Person.org_id.in_(org_ids), Person.kind != "parent", Person.archived_at.is_(None))
        .options(selectinload(Person.consents))
    ).all()
    summary: dict[int, Counter] = {}
    for person in people:
        counts = summary.setdefault(person.org_id, Counter())
        counts[person.kind] += 1
        counts["consent_" + consent_state(person, day, config["CONSENT_EXPIRING_DAYS"])] += 1
        if person.is_young_specialist(day, config["YOUNG_SPECIALIST_MAX_YEARS"], config["YOUNG_SPECIALIST_MAX_AGE"]):
            counts["young"] += 1
    return summary


def curators_of(org_ids: set[int]) -> list[User]:
    """Whom a mentor, mentee or observer asks: the curators and directors of their school."""
    if not org_ids:
        return []
    rows = db.session.execute(
        select(User, RoleAssignment.role)
        .join(RoleAssignment)
        .where(RoleAssignment.org_id.in_(org_ids), RoleAssignment.role.in_(("curator", "director")), User.is_active_account)
        .order_by(RoleAssignment.role, User.display_name)
    ).all()
    return list(dict.fromkeys(user for user, _ in rows))  # a curator who is also director: once


@bp.route("/")
@access.login_only
def index():
    org_ids = access.scope(current_user, "participants.view")
    schools = education_orgs(org_ids)
    summary = school_summary({o.id for o in schools}) if schools else {}
    total = sum(summary.values(), Counter())
    person = current_user.person
    role_codes = current_user.role_codes()
    own_orgs = {r.org_id for r in current_user.roles}
    cards = run_hook("nastavnik_tpl_dashboard_cards", user=current_user)
    return render_template(
        "dashboard/index.html", schools=schools, summary=summary, total=total,
        roles=current_user.roles, person=person, role_codes=role_codes, cards=cards,
        observer_only="observer" in role_codes and not role_codes - {"observer", "mentor", "mentee"},
        # What a mentor/mentee/observer may open: every section a plugin offers them, named in the menu.
        sections=nav_links(current_user),
        my_state=consent_state(person, today(), current_app.config["CONSENT_EXPIRING_DAYS"]) if person else None,
        contacts=[u for u in curators_of(own_orgs) if u.id != current_user.id]
        if role_codes & {"mentor", "mentee", "observer"} else [],
    )
