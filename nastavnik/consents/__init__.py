"""Согласия на обработку персональных данных (152-ФЗ)."""

from flask import Blueprint, url_for

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("consents", __name__, url_prefix="/consents")


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.consents import routes  # noqa: F401

    app.register_blueprint(bp)


@hookimpl
def nastavnik_tpl_nav(user):
    if access.can(user, "consents.view"):
        return [("Согласия", url_for("consents.index"))]
    return []
