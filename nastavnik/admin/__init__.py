"""Администрирование установки: плагины, пользователи и роли."""

from flask import Blueprint, url_for

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("admin", __name__, url_prefix="/admin")


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.admin import routes  # noqa: F401

    app.register_blueprint(bp)


@hookimpl
def nastavnik_tpl_nav(user):
    if access.can(user, "admin.plugins"):
        return [("Плагины", url_for("admin.plugins")), ("Пользователи", url_for("admin.users"))]
    return []
