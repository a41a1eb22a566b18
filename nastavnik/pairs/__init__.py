"""Наставнические пары и группы, приказы о закреплении."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from markupsafe import Markup

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("pairs", __name__, url_prefix="/pairs")


@hookimpl
def nastavnik_person_visible_to(user, person):
    """A mentor or mentee may open the records of the people of their own live pairs."""
    from nastavnik.pairs.services import shares_live_pair

    return shares_live_pair(user, person)


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.pairs import routes  # noqa: F401
    from nastavnik.pairs.eligibility import live_pairs_of

    app.register_blueprint(bp)
    app.add_template_global(live_pairs_of, "live_pairs_of")  # the person page names the pairs to decide on


@hookimpl
def nastavnik_tpl_nav(user):
    if access.can(user, "pairs.view"):
        return [("Пары", url_for("pairs.index"))]
    if user.person_id is not None:
        return [("Мои пары", url_for("pairs.index"))]
    return []


@hookimpl
def nastavnik_tpl_dashboard_cards(user):
    if not access.can(user, "pairs.view"):
        return None
    from nastavnik.dashboard.cache import cached
    from nastavnik.pairs.eligibility import pairs_without_consent
    from nastavnik.pairs.services import card_figures, pairs_by_id
    from nastavnik.timeutil import today

    scope = access.scope(user, "pairs.view")
    days = current_app.config["STALLED_PAIR_DAYS"]
    figures = cached(f"pairs.card:{days}", scope, lambda: card_figures(scope, days, today()))
    html = render_template(
        "pairs/_dashboard_card.html", counts=figures.value["counts"], stalled_total=figures.value["stalled"],
        stalled=pairs_by_id(figures.value["stalled_ids"]), days=days,
        # the count as of the figures, the pairs named checked again now
        unconsented_total=figures.value.get("unconsented", 0),
        unconsented=pairs_without_consent(scope, today(), figures.value.get("unconsented_ids", [])),
        as_of=figures.as_of.astimezone() if figures.as_of else None,
    )
    return Markup(html)  # noqa: S704 - render_template autoescapes


@hookimpl
def nastavnik_counters():
    from nastavnik.pairs.counters import COUNTERS

    return COUNTERS


@hookimpl
def nastavnik_fulfilment_rules():
    """«Приказ о закреплении наставнических пар» in a roadmap → orders."""
    from nastavnik.pairs.fulfilment import rules

    return rules()
