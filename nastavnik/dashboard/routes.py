from __future__ import annotations

from collections import Counter

from flask import current_app, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nastavnik import access
from nastavnik.consents.services import consent_state
from nastavnik.dashboard import bp
from nastavnik.extensions import db
from nastavnik.orgs.services import education_orgs
from nastavnik.participants.models import Person
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


@bp.route("/")
@access.login_only
def index():
    org_ids = access.scope(current_user, "participants.view")
    schools = education_orgs(org_ids)
    summary = school_summary({o.id for o in schools}) if schools else {}
    total = sum(summary.values(), Counter())
    return render_template(
        "dashboard/index.html", schools=schools, summary=summary, total=total,
        roles=current_user.roles, person=current_user.person,
    )
