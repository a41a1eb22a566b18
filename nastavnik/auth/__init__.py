"""Вход и выход, пользователи и их роли."""

from flask import Blueprint

from nastavnik.plugins import hookimpl

bp = Blueprint("auth", __name__, url_prefix="/auth")


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.auth import routes  # noqa: F401 - registers the views on bp
    from nastavnik.auth.services import load_user
    from nastavnik.extensions import login_manager

    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(routes.unauthorized)
    app.register_blueprint(bp)
