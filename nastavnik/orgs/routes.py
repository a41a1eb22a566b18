from flask import flash, render_template
from flask_login import current_user
from sqlalchemy import select

from nastavnik import access
from nastavnik.extensions import db
from nastavnik.orgs import bp
from nastavnik.orgs.forms import OrganisationForm
from nastavnik.orgs.models import Organisation
from nastavnik.web.htmx import redirect_to


@bp.route("/")
@access.rule("orgs.view")
def index():
    ids = access.scope(current_user, "orgs.view")
    orgs = db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))).all()
    roots = [o for o in orgs if o.parent_id not in ids]
    return render_template("orgs/index.html", roots=sorted(roots, key=lambda o: o.name), visible=ids)


@bp.route("/new", methods=["GET", "POST"])
@access.rule("orgs.edit")
def create():
    form = OrganisationForm()
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.parent_id.choices = [(0, "— верхний уровень —")] + [(o.id, o.title) for o in orgs]
    if form.validate_on_submit():
        org = Organisation(
            parent_id=form.parent_id.data or None, kind=form.kind.data, name=form.name.data,
            short_name=form.short_name.data, inn=form.inn.data or "",
        )
        db.session.add(org)
        db.session.commit()
        flash(f"Организация «{org.title}» добавлена.", "success")
        return redirect_to("/orgs/")
    return render_template("orgs/form.html", form=form), 422 if form.is_submitted() else 200
