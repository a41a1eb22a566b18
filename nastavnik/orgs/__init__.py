"""Организации: дерево управления образованием."""

from flask import Blueprint, url_for

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("orgs", __name__, url_prefix="/orgs")


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.orgs import routes  # noqa: F401

    app.register_blueprint(bp)


@hookimpl
def nastavnik_tpl_nav(user):
    if access.can(user, "orgs.view"):
        return [("Организации", url_for("orgs.index"))]
    return []
