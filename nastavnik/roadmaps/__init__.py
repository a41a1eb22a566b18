"""Дорожные карты внедрения целевой модели наставничества."""

from flask import Blueprint, render_template, url_for
from markupsafe import Markup

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("roadmaps", __name__, url_prefix="/roadmaps")

# Roles whose dashboard shows what is overdue or due soon in their roadmaps.
_CARD_ROLES = {"curator", "director", "municipal"}


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.roadmaps import routes  # noqa: F401

    app.register_blueprint(bp)


@hookimpl
def nastavnik_tpl_nav(user):
    if access.can(user, "roadmaps.view"):
        return [("Дорожные карты", url_for("roadmaps.index"))]
    if user.person_id is not None:  # a teacher named responsible for an item: their own list
        from nastavnik.roadmaps.services import is_responsible_anywhere

        if is_responsible_anywhere(user.person_id):
            return [("Мои мероприятия", url_for("roadmaps.mine"))]
    return []


@hookimpl
def nastavnik_roadmap_templates():
    from nastavnik.roadmaps.builtin import builtin_templates

    return builtin_templates()


@hookimpl
def nastavnik_tpl_dashboard_cards(user):
    if not (user.role_codes() & _CARD_ROLES) or not access.can(user, "roadmaps.edit"):
        return None
    from nastavnik.dashboard.cache import cached
    from nastavnik.roadmaps.services import attention_figures, attention_from
    from nastavnik.timeutil import today

    scope, day = access.scope(user, "roadmaps.edit"), today()
    figures = cached(f"roadmaps.card:{day.isoformat()}", scope, lambda: attention_figures(scope, day))
    html = render_template(
        "roadmaps/_dashboard_card.html", attention=attention_from(figures.value),
        as_of=figures.as_of.astimezone() if figures.as_of else None,
    )
    return Markup(html)  # noqa: S704 - render_template autoescapes
