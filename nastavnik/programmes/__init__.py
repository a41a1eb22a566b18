"""Персонализированные программы наставничества и встречи."""

from flask import Blueprint, url_for
from markupsafe import Markup

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("programmes", __name__, url_prefix="/programmes")


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.programmes import routes  # noqa: F401

    app.register_blueprint(bp)


@hookimpl
def nastavnik_tpl_nav(user):
    from nastavnik.programmes.services import member_pair_ids

    if access.can(user, "pairs.view") or member_pair_ids(user):
        return [("Программы", url_for("programmes.index"))]
    return []


@hookimpl
def nastavnik_tpl_dashboard_cards(user) -> Markup | None:
    from nastavnik.programmes.routes import dashboard_cards

    return dashboard_cards(user)


@hookimpl
def nastavnik_fulfilment_rules():
    """«Разработка персонализированных программ» in a roadmap → programmes of the live pairs."""
    from nastavnik.programmes.fulfilment import rules

    return rules()
