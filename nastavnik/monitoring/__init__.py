"""Мониторинг: анкеты, кампании (волны), ответы, рост участников и результаты."""

from flask import Blueprint, url_for
from markupsafe import Markup

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.monitoring import routes  # noqa: F401

    app.register_blueprint(bp)


@hookimpl
def nastavnik_tpl_nav(user):
    if access.can(user, "monitoring.view"):
        return [("Мониторинг", url_for("monitoring.index"))]
    if user.person_id is not None:
        return [("Мои анкеты", url_for("monitoring.mine"))]
    return []


@hookimpl
def nastavnik_tpl_dashboard_cards(user):
    """«Мои анкеты» for everyone due to answer; open campaigns with their response rates for curators."""
    from nastavnik.monitoring.routes import dashboard_card

    html = dashboard_card(user)
    return Markup(html) if html else None  # noqa: S704 - render_template autoescapes


@hookimpl
def nastavnik_questionnaires(kind_code):
    from nastavnik.monitoring.builtin import core_questionnaires

    return core_questionnaires(kind_code)


@hookimpl
def nastavnik_counters():
    from nastavnik.monitoring.counters import counters

    return counters()


@hookimpl
def nastavnik_fulfilment_rules():
    from nastavnik.monitoring.counters import fulfilment_rules

    return fulfilment_rules()


@hookimpl
def nastavnik_cli(cli):
    from nastavnik.monitoring.cli import monitoring_tick

    cli.add_command(monitoring_tick)


@hookimpl
def nastavnik_demo_data(demo):
    from nastavnik.monitoring.demo import add_demo

    add_demo(demo)

