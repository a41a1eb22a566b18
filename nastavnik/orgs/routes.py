from flask import abort, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from nastavnik import access
from nastavnik.extensions import db
from nastavnik.orgs import bp
from nastavnik.orgs.forms import REQUISITES, OrganisationForm, RequisitesForm
from nastavnik.orgs.models import Organisation
from nastavnik.orgs.services import subtree_ids
from nastavnik.web.htmx import redirect_to


@bp.route("/")
@access.rule("orgs.view")
def index():
    orgs = db.session.scalars(
        select(Organisation).where(Organisation.id.in_(access.scope(current_user, "orgs.view"))).order_by(Organisation.name)
    ).all()
    children: dict[int, list[Organisation]] = {}
    for org in orgs:  # the tree from the rows already read, not one query per organisation
        children.setdefault(org.parent_id, []).append(org)
    visible = {o.id for o in orgs}
    roots = [o for o in orgs if o.parent_id not in visible]
    return render_template("orgs/index.html", roots=roots, children=children)


def _parent_choices(exclude: set[int]) -> list[tuple[int, str]]:
    orgs = db.session.scalars(
        select(Organisation).where(~Organisation.archived).order_by(Organisation.name)
    ).all()
    return [(0, "— верхний уровень —")] + [(o.id, f"{o.title} ({o.kind_title})") for o in orgs if o.id not in exclude]


def _fill(org: Organisation, form: OrganisationForm) -> None:
    org.parent_id = form.parent_id.data or None
    org.kind, org.name, org.short_name, org.inn = form.kind.data, form.name.data, form.short_name.data, form.inn.data or ""
    _fill_requisites(org, form)


def _fill_requisites(org: Organisation, form: RequisitesForm) -> None:
    for name in REQUISITES:
        setattr(org, name, getattr(form, name).data or "")


@bp.route("/<int:org_id>/requisites", methods=["GET", "POST"])
@access.rule("orgs.requisites")
def requisites(org_id):
    """Реквизиты для приказов: the curator or director of a school fills in their own school's."""
    org = db.session.get(Organisation, org_id) or abort(404)
    access.require("orgs.requisites", org.id)  # another school's: 404
    form = RequisitesForm(obj=org)
    if form.validate_on_submit():
        _fill_requisites(org, form)
        db.session.commit()
        flash("Реквизиты сохранены: приказы и соглашения назовут руководителя и куратора.", "success")
        return redirect_to(url_for("orgs.requisites", org_id=org.id))
    return render_template("orgs/requisites.html", form=form, org=org), 422 if form.is_submitted() else 200


@bp.route("/new", methods=["GET", "POST"])
@access.rule("orgs.edit")
def create():
    form = OrganisationForm()
    form.parent_id.choices = _parent_choices(set())
    if request.method == "GET" and request.args.get("parent", type=int):
        form.parent_id.data = request.args.get("parent", type=int)
    if form.validate_on_submit():
        org = Organisation()
        _fill(org, form)
        db.session.add(org)
        db.session.commit()
        flash(f"Организация «{org.title}» добавлена.", "success")
        return redirect_to(url_for("orgs.index"))
    return render_template("orgs/form.html", form=form, org=None), 422 if form.is_submitted() else 200


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@access.rule("orgs.edit")
def edit(org_id):
    org = db.session.get(Organisation, org_id) or abort(404)
    form = OrganisationForm(obj=org)
    # an organisation cannot be moved under itself or under anything it contains
    form.parent_id.choices = _parent_choices(subtree_ids([org.id]))
    if request.method == "GET":
        form.parent_id.data = org.parent_id or 0
    if form.validate_on_submit():
        _fill(org, form)
        db.session.commit()
        flash(f"Организация «{org.title}» сохранена.", "success")
        return redirect_to(url_for("orgs.index"))
    return render_template("orgs/form.html", form=form, org=org), 422 if form.is_submitted() else 200


@bp.route("/<int:org_id>/archive", methods=["POST"])
@access.rule("orgs.edit")
def archive(org_id):
    """В архив: организация исчезает из выбора и сводок; её участники и история сохраняются."""
    org = db.session.get(Organisation, org_id) or abort(404)
    action = request.form.get("action")
    if action not in ("archive", "restore"):
        abort(400)
    if action == "archive":
        live_children = [c.title for c in org.children if not c.archived]
        if live_children:
            flash(
                f"В «{org.title}» входят действующие организации ({', '.join(live_children)}): "
                "сначала перенесите их в архив или в другую организацию.", "error",
            )
            return redirect_to(url_for("orgs.edit", org_id=org.id))
        org.archived = True
        message = f"Организация «{org.title}» перенесена в архив."
    else:
        if org.parent is not None and org.parent.archived:
            flash(f"Сначала верните из архива «{org.parent.title}», куда она входит.", "error")
            return redirect_to(url_for("orgs.edit", org_id=org.id))
        org.archived = False
        message = f"Организация «{org.title}» возвращена из архива."
    db.session.commit()
    flash(message, "success")
    return redirect_to(url_for("orgs.index"))
