"""Главная страница: сводка по роли пользователя."""

from flask import Blueprint

from nastavnik.plugins import hookimpl

bp = Blueprint("dashboard", __name__)


def forget_kept() -> None:
    """Drop what this process keeps between requests: scope sizes and coordinators' pages (after the
    database under it was replaced, as between tests)."""
    from nastavnik.dashboard import cache, pages

    cache.forget_sizes()
    pages.clear()


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.dashboard import pages, routes  # noqa: F401

    app.register_blueprint(bp)
    app.before_request(pages.forget_on_change)
