from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from flask import current_app, render_template, request
from flask_login import current_user
from sqlalchemy import Date, bindparam, func, or_, select
from sqlalchemy.orm import aliased

from nastavnik import access
from nastavnik.auth.models import RoleAssignment, User
from nastavnik.consents.services import consent_state, consent_state_column_between
from nastavnik.dashboard import bp, pages
from nastavnik.dashboard.cache import cached, scope_size
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation, OrganisationLink
from nastavnik.orgs.services import org_options, scoped
from nastavnik.participants.models import Person, is_young_specialist
from nastavnik.plugins.templating import nav_links, run_hook
from nastavnik.timeutil import today, utcnow


def school_summary(org_ids) -> dict[int, Counter]:
    """Counts per organisation: staff, students, young specialists, consent states.

    ``org_ids``: ids or a scope (a subquery). Counted in the database, two statements whatever
    the number of organisations: a region covers 200,000 people (see bench/bench_dashboard.py).
    """
    config, day = current_app.config, today()
    max_years, max_age = config["YOUNG_SPECIALIST_MAX_YEARS"], config["YOUNG_SPECIALIST_MAX_AGE"]
    summary: dict[int, Counter] = defaultdict(Counter)
    statement, params = scoped(_people_by_state, org_ids)
    params |= {"day": day, "soon": day + timedelta(days=config["CONSENT_EXPIRING_DAYS"])}
    for org_id, kind, consent, number in db.session.execute(statement, params):
        summary[org_id][kind] += number
        summary[org_id]["consent_" + consent] += number
    # Only the candidates leave the database (experience only grows, age only grows); the exact
    # rule is then applied to each of them.
    statement, params = scoped(_young_candidates, org_ids)
    params |= {"max_years": max_years, "born_after": day - timedelta(days=366 * (max_age + 1))}
    for org_id, years, recorded_on, born in db.session.execute(statement, params):
        summary[org_id]["young"] += is_young_specialist(years, recorded_on, born, day, max_years, max_age)
    return {org_id: counts for org_id, counts in summary.items() if counts}


def _live(org_ids) -> tuple:
    return Person.org_id.in_(org_ids), Person.kind != "parent", Person.archived_at.is_(None)


def _people_by_state(org_ids):
    state = consent_state_column_between(bindparam("day", type_=Date), bindparam("soon", type_=Date)).label("state")
    return select(Person.org_id, Person.kind, state, func.count()).where(*_live(org_ids)).group_by(
        Person.org_id, Person.kind, state)


def _young_candidates(org_ids):
    return select(Person.org_id, Person.experience_years, Person.experience_on, Person.birth_date).where(
        *_live(org_ids), Person.kind == "staff", Person.experience_years <= bindparam("max_years"),
        or_(Person.birth_date.is_(None), Person.birth_date > bindparam("born_after", type_=Date)),
    )


BY_SCHOOL_UP_TO = 100  # above that many schools, the table goes by municipality


def summary_figures(scope) -> dict:
    """What the dashboard's summary shows, JSON-ready (it may be kept in the figures cache)."""
    schools = org_options(scope)
    if not schools:
        return {"rows": [], "total": {}, "by": "school"}
    per_school = school_summary(scope)
    total = sum(per_school.values(), Counter())
    if len(schools) <= BY_SCHOOL_UP_TO:
        rows = [{"id": s.id, "title": s.title, "counts": dict(per_school.get(s.id, {}))} for s in schools]
        return {"rows": rows, "total": dict(total), "by": "school"}
    municipality = aliased(Organisation)
    groups = db.session.execute(
        select(OrganisationLink.descendant_id, municipality.id, municipality.name)
        .join(municipality, municipality.id == OrganisationLink.ancestor_id)
        .where(OrganisationLink.descendant_id.in_(scope), municipality.kind == "municipality")
    ).all()
    rows: dict[int, dict] = {}
    for school_id, group_id, name in sorted(groups, key=lambda g: g[2]):
        row = rows.setdefault(group_id, {"id": group_id, "title": name, "counts": Counter()})
        row["counts"].update(per_school.get(school_id, {}))
    return {"rows": [r | {"counts": dict(r["counts"])} for r in rows.values()], "total": dict(total), "by": "municipality"}


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


@bp.before_request
def kept_dashboard():
    """A coordinator's dashboard made less than a minute ago for this session (see pages.py)."""
    if request.endpoint == "dashboard.index":
        return pages.kept_page()
    return None


@bp.route("/")
@access.login_only
def index():
    scope = access.scope(current_user, "participants.view")
    keep = bool(scope) and pages.may_keep() and scope_size(scope) >= current_app.config["DASHBOARD_CACHE_MIN_ORGS"]
    figures = cached("dashboard.summary", scope, lambda: summary_figures(scope)) if scope else None
    value = figures.value if figures else {"rows": [], "total": {}, "by": "school"}
    rows = [row | {"counts": Counter(row["counts"])} for row in value["rows"]]
    person = current_user.person
    role_codes = current_user.role_codes()
    own_orgs = {r.org_id for r in current_user.roles}
    cards = run_hook("nastavnik_tpl_dashboard_cards", user=current_user)
    page = render_template(
        "dashboard/index.html", rows=rows, by=value["by"], total=Counter(value["total"]),
        as_of=figures.as_of.astimezone() if figures and figures.as_of else None,
        built_at=utcnow().astimezone() if keep else None,
        roles=current_user.roles, person=person, role_codes=role_codes, cards=cards,
        observer_only="observer" in role_codes and not role_codes - {"observer", "mentor", "mentee"},
        # What a mentor/mentee/observer may open: every section a plugin offers them, named in the menu.
        sections=nav_links(current_user),
        my_state=consent_state(person, today(), current_app.config["CONSENT_EXPIRING_DAYS"]) if person else None,
        contacts=[u for u in curators_of(own_orgs) if u.id != current_user.id]
        if role_codes & {"mentor", "mentee", "observer"} else [],
    )
    if keep:
        pages.keep(page)
    return page
