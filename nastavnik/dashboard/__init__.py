"""Главная страница: сводка по роли пользователя."""

from flask import Blueprint

from nastavnik.plugins import hookimpl

bp = Blueprint("dashboard", __name__)


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.dashboard import pages, routes  # noqa: F401

    app.register_blueprint(bp)
    app.before_request(pages.forget_on_change)
