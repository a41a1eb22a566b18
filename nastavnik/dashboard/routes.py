from __future__ import annotations

from collections import Counter

from flask import current_app, render_template
from flask_login import current_user
from sqlalchemy import func, select

from nastavnik import access
from nastavnik.auth.models import RoleAssignment, User
from nastavnik.consents.services import consent_state, consent_state_column
from nastavnik.dashboard import bp
from nastavnik.extensions import db
from nastavnik.orgs.services import education_orgs
from nastavnik.participants.models import Person, is_young_specialist
from nastavnik.plugins.templating import nav_links, run_hook
from nastavnik.timeutil import today


def school_summary(org_ids: set[int]) -> dict[int, Counter]:
    """Counts per organisation: staff, students, young specialists, consent states.

    Counted in the database: a municipal or regional dashboard covers tens of thousands of people,
    too many to load as records on every visit (see bench/bench_dashboard.py).
    """
    config, day = current_app.config, today()
    live = (Person.org_id.in_(org_ids), Person.kind != "parent", Person.archived_at.is_(None))
    summary: dict[int, Counter] = {org_id: Counter() for org_id in org_ids}
    for org_id, kind, number in db.session.execute(
        select(Person.org_id, Person.kind, func.count()).where(*live).group_by(Person.org_id, Person.kind)
    ):
        summary[org_id][kind] += number
    state = consent_state_column(day, config["CONSENT_EXPIRING_DAYS"]).label("state")
    for org_id, consent, number in db.session.execute(
        select(Person.org_id, state, func.count()).where(*live).group_by(Person.org_id, state)
    ):
        summary[org_id]["consent_" + consent] += number
    limits = (day, config["YOUNG_SPECIALIST_MAX_YEARS"], config["YOUNG_SPECIALIST_MAX_AGE"])
    for org_id, years, recorded_on, born in db.session.execute(
        select(Person.org_id, Person.experience_years, Person.experience_on, Person.birth_date).where(
            *live, Person.kind == "staff", Person.experience_years.is_not(None)
        )
    ):
        summary[org_id]["young"] += is_young_specialist(years, recorded_on, born, *limits)
    return {org_id: counts for org_id, counts in summary.items() if counts}


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
