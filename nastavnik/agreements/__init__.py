"""Наставничество в сфере труда (ст. 351.8 ТК РФ): дополнительные соглашения, досрочное прекращение,
реестр выплат для бухгалтерии. Пары «работник – работник» школы; другие пары соглашения не требуют."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from markupsafe import Markup

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("agreements", __name__, url_prefix="/agreements")


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.agreements import routes  # noqa: F401

    app.register_blueprint(bp)


@hookimpl
def nastavnik_demo_data(demo):
    from nastavnik.agreements.demo import add

    add(demo)


@hookimpl
def nastavnik_tpl_nav(user):
    if access.can(user, "agreements.edit"):
        return [("Соглашения", url_for("agreements.index"))]
    return []


@hookimpl
def nastavnik_tpl_pair_sections(user, pair):
    """On the pair's page: what ст. 351.8 asks of this pair (nothing, if it does not apply)."""
    from nastavnik.agreements.services import applies, needs
    from nastavnik.timeutil import today

    if not applies(pair):
        return None
    can_edit = access.can(user, "agreements.edit", pair.org_id)
    html = render_template("agreements/_pair.html", pair=pair, needs=needs(pair, today()), can_edit=can_edit)
    return Markup(html)  # noqa: S704 - render_template autoescapes


CARD_PAIRS = 10  # named on the dashboard card; the rest are counted


@hookimpl
def nastavnik_tpl_dashboard_cards(user):
    if not access.can(user, "agreements.edit"):
        return None
    from nastavnik.agreements.services import missing_agreements
    from nastavnik.dashboard.cache import cached
    from nastavnik.pairs.services import pairs_by_id

    live = []

    def figures():
        total, missing = missing_agreements(scope, CARD_PAIRS)
        live.extend(missing)
        return {"total": total, "ids": [p.id for p in missing]}

    scope = access.scope(user, "agreements.edit")
    found = cached("agreements.card", scope, figures)  # a region's count reads every live pair
    if not found.value["total"]:
        return None
    return Markup(render_template(  # noqa: S704 - autoescaped
        "agreements/_dashboard_card.html", total=found.value["total"],
        missing=live if found.as_of is None else pairs_by_id(found.value["ids"]), as_of=found.as_of))
