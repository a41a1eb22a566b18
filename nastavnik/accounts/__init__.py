"""Учётные записи участников: куратор создаёт их для людей своей школы и печатает листки входа."""

from flask import Blueprint, render_template, url_for
from markupsafe import Markup

from nastavnik import access
from nastavnik.plugins import hookimpl

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


@hookimpl
def nastavnik_load_blueprints(app):
    from nastavnik.accounts import routes  # noqa: F401 - registers the views on bp

    app.register_blueprint(bp)


@hookimpl
def nastavnik_tpl_nav(user):
    if access.can(user, "accounts.edit") and not access.can(user, "admin.users"):
        return [("Учётные записи", url_for("accounts.index"))]
    return []


@hookimpl
def nastavnik_tpl_person_sections(person, user):
    from nastavnik.accounts.services import person_account_state

    if not access.can(user, "accounts.edit", person.org_id):
        return None
    state = person_account_state(user, person)
    return Markup(render_template("accounts/_person_account.html", person=person, state=state))  # noqa: S704
