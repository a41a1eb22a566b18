"""Банки наставников и наставляемых."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from markupsafe import Markup

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("banks", __name__, url_prefix="/banks")


@bp.app_template_filter("ru_score")
def ru_score(value) -> str:
    """A matching score as Russians write it: «66,7»."""
    return f"{float(value or 0):.1f}".replace(".", ",")


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.banks import routes  # noqa: F401
    from nastavnik.banks.notes import for_profiles

    app.register_blueprint(bp)
    app.jinja_env.globals["mentor_notes"] = for_profiles  # training status etc. beside each mentor


@hookimpl
def nastavnik_tpl_nav(user):
    links = []
    if access.can(user, "banks.view"):
        links.append(("Банки", url_for("banks.mentees")))
    if access.can(user, "matching.run"):
        links.append(("Подбор", url_for("banks.settings")))
    from nastavnik.banks.services import may_apply_as_mentor

    if may_apply_as_mentor(user):
        links.append(("Анкета наставника", url_for("banks.questionnaire")))
    return links


@hookimpl
def nastavnik_tpl_dashboard_cards(user):
    if not access.can(user, "banks.view"):
        return None
    from nastavnik.banks.services import dashboard_counts
    from nastavnik.dashboard.cache import cached

    scope = access.scope(user, "banks.view")
    figures = cached("banks.card", scope, lambda: dashboard_counts(scope))
    html = render_template(
        "banks/_dashboard_card.html", counts=figures.value,
        as_of=figures.as_of.astimezone() if figures.as_of else None,
    )
    return Markup(html)  # noqa: S704 - render_template autoescapes


@hookimpl
def nastavnik_fulfilment_rules():
    """«Формирование базы наставников / наставляемых» in a roadmap → the banks."""
    from nastavnik.banks.fulfilment import rules

    return rules()
