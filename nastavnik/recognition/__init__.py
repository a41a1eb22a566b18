"""Мотивация и признание наставников: награды, конкурсы, поощрения, портфолио, кандидаты к награждению."""

from flask import Blueprint, url_for

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("recognition", __name__, url_prefix="/recognition")


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.recognition import routes  # noqa: F401

    app.register_blueprint(bp)


@hookimpl
def nastavnik_tpl_nav(user):
    if access.can(user, "recognition.view"):
        return [("Признание", url_for("recognition.index"))]
    if user.person_id is not None:
        return [("Моё портфолио", url_for("recognition.portfolio", person_id=user.person_id))]
    return []
