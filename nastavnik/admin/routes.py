from flask import flash, render_template
from sqlalchemy import func, select

from nastavnik import access
from nastavnik.admin import bp
from nastavnik.admin.forms import UserForm
from nastavnik.auth.models import User
from nastavnik.auth.services import create_user
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.plugins.manager import plugin_state
from nastavnik.web.htmx import redirect_to


@bp.route("/plugins")
@access.rule("admin.plugins")
def plugins():
    state = plugin_state()
    return render_template("admin/plugins.html", infos=list(state.infos.values()), registry=state.registry)


@bp.route("/users", methods=["GET", "POST"])
@access.rule("admin.users")
def users():
    form = UserForm()
    form.org_id.choices = [(o.id, o.title) for o in db.session.scalars(select(Organisation).order_by(Organisation.name))]
    if form.validate_on_submit():
        taken = db.session.scalar(select(User.id).where(func.lower(User.username) == form.username.data.lower()))
        if taken:
            form.username.errors.append("Такой логин уже есть.")
        else:
            create_user(form.username.data, form.password.data, form.display_name.data,
                        roles=[(form.role.data, form.org_id.data)])
            db.session.commit()
            flash(f"Пользователь «{form.username.data}» создан.", "success")
            return redirect_to("/admin/users")
    accounts = db.session.scalars(select(User).order_by(User.username)).all()
    status = 422 if form.is_submitted() else 200
    return render_template("admin/users.html", form=form, accounts=accounts), status
