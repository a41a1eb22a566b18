"""Журнал аудита изменений персональных данных и согласий."""

from flask import Blueprint, url_for

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("audit", __name__, url_prefix="/audit")


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.audit import routes  # noqa: F401

    app.register_blueprint(bp)


@hookimpl
def nastavnik_tpl_nav(user):
    if access.can(user, "audit.view"):
        return [("Журнал", url_for("audit.index"))]
    return []
