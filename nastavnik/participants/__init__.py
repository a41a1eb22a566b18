"""Участники: база людей школы и муниципалитета."""

from flask import Blueprint, url_for

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("participants", __name__, url_prefix="/participants")


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.participants import routes  # noqa: F401

    app.register_blueprint(bp)


@hookimpl
def nastavnik_tpl_nav(user):
    if access.can(user, "participants.view"):
        return [("Участники", url_for("participants.index"))]
    return []


@hookimpl
def nastavnik_counters():
    from nastavnik.participants.counters import COUNTERS

    return COUNTERS
