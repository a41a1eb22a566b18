"""Мероприятия (обучение наставников, семинары, круглые столы …), новости и страница для сайта школы."""

from flask import Blueprint, render_template, url_for
from markupsafe import Markup

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("events", __name__, url_prefix="/events")

# Roles whose dashboard shows the upcoming events they run or are invited to as a school.
_CARD_ROLES = {"curator", "director", "municipal", "observer"}


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.events import news_routes, routes  # noqa: F401

    app.register_blueprint(bp)


@hookimpl
def nastavnik_tpl_nav(user):
    if access.can(user, "events.view"):
        return [("Мероприятия", url_for("events.index"))]
    if user.person_id is not None:
        return [("Приглашения и сертификаты", url_for("events.mine"))]
    return []


@hookimpl
def nastavnik_event_kinds():
    from nastavnik.events.kinds import BUILTIN

    return list(BUILTIN)


@hookimpl
def nastavnik_fulfilment_rules():
    """«Обучение наставников», семинары, круглые столы → events; «информационная кампания» → news."""
    from nastavnik.events.fulfilment import rules

    return rules()


@hookimpl
def nastavnik_counters():
    from nastavnik.events.counters import counters

    return counters()


@hookimpl
def nastavnik_mentor_notes(org_id, person_ids, day):
    from nastavnik.events.training import mentor_notes

    return mentor_notes(org_id, person_ids, day)


@hookimpl
def nastavnik_demo_data(demo):
    from nastavnik.events.demo import add_demo

    add_demo(demo)


@hookimpl
def nastavnik_tpl_dashboard_cards(user):
    """Upcoming events (staff of schools and the municipality) and the user's own invitations:
    three statements whatever the number of events."""
    from nastavnik.events.services import my_invitations, upcoming_for
    from nastavnik.timeutil import today

    day = today()
    show_events = bool(user.role_codes() & _CARD_ROLES) and access.can(user, "events.view")
    events, total = upcoming_for(user, day) if show_events else ([], 0)
    invitations = my_invitations(user, day)
    if not show_events and not invitations:
        return None
    html = render_template(
        "events/_dashboard_card.html", events=events, total=total, invitations=invitations,
        show_events=show_events,
    )
    return Markup(html)  # noqa: S704 - render_template autoescapes
