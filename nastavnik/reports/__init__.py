"""Отчёты: показатели как данные, форматы отчётов (свои и региональные плагины), сдача и проверка, реестры."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from markupsafe import Markup

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("reports", __name__, url_prefix="/reports")


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.reports import routes  # noqa: F401

    app.register_blueprint(bp)


@hookimpl
def nastavnik_report_formats():
    from nastavnik.reports.formats import FORMATS

    return FORMATS


@hookimpl
def nastavnik_fulfilment_rules():
    from nastavnik.reports.fulfilment import RULES

    return RULES


@hookimpl
def nastavnik_tpl_nav(user):
    if access.can(user, "reports.view"):
        return [("Отчёты", url_for("reports.index"))]
    return []


@hookimpl
def nastavnik_tpl_dashboard_cards(user):
    if not access.can(user, "reports.view"):
        return None
    from nastavnik.dashboard.cache import cached
    from nastavnik.orgs.services import Scope
    from nastavnik.reports.dashboard import card_rows, dashboard_root
    from nastavnik.timeutil import today

    root = dashboard_root(user)
    if root is None:
        return None
    day = today()
    # A region's indicators are thousands of figures: kept in the figure cache like the other cards.
    figures = cached(f"reports.card:{day.isoformat()}", Scope([root.id]), lambda: card_rows(root.id, day))
    return Markup(render_template(  # noqa: S704 - autoescaped
        "reports/_dashboard_card.html", root=root, day=day, rows=figures.value, as_of=figures.as_of))


@hookimpl
def nastavnik_demo_data(demo):
    from nastavnik.reports.demo import add_demo

    add_demo(demo)
