from flask import abort, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import delete, func, select

from nastavnik import access
from nastavnik.admin import bp
from nastavnik.admin.forms import PasswordResetForm, UserForm
from nastavnik.auth.models import LoginFailure, RoleAssignment, User
from nastavnik.auth.services import create_user
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.plugins.manager import plugin_state
from nastavnik.web.htmx import redirect_to

# What a plugin's hook implementations add, in an IT admin's words.
CONTRIBUTION_TITLES = {
    "nastavnik_mentoring_kinds": "форма наставничества",
    "nastavnik_report_formats": "форма отчёта",
    "nastavnik_partner_organisations": "организация-партнёр",
    "nastavnik_programme_templates": "шаблон программы",
    "nastavnik_roadmap_templates": "шаблон дорожной карты",
    "nastavnik_counters": "счётчик",
    "nastavnik_fulfilment_rules": "правило выполнения пункта дорожной карты",
}


@bp.route("/plugins")
@access.rule("admin.plugins")
def plugins():
    from nastavnik.plugins.failures import counts

    state = plugin_state()
    return render_template(
        "admin/plugins.html", infos=list(state.infos.values()), registry=state.registry,
        contribution_titles=CONTRIBUTION_TITLES, failures=counts(),
    )


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
            return redirect_to(url_for("admin.users"))
    accounts = db.session.scalars(select(User).order_by(User.is_active_account.desc(), User.username)).all()
    status = 422 if form.is_submitted() else 200
    return render_template("admin/users.html", form=form, accounts=accounts), status


def _account(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _is_last_active_admin(user: User) -> bool:
    others = db.session.scalar(
        select(func.count(User.id.distinct()))
        .join(RoleAssignment)
        .where(RoleAssignment.role == "admin", User.is_active_account, User.id != user.id)
    )
    return "admin" in user.role_codes() and not others


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@access.rule("admin.users")
def user(user_id):
    """Учётная запись: сброс пароля, отключение и включение."""
    account = _account(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        account.set_password(form.password.data)
        # a forgotten password often ends in a lock-out: the new one must work at once
        db.session.execute(delete(LoginFailure).where(LoginFailure.username == account.username.lower()))
        db.session.commit()
        flash(f"Пароль пользователя «{account.username}» изменён. Сообщите его пользователю лично.", "success")
        return redirect_to(url_for("admin.user", user_id=account.id))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/user.html", account=account, form=form), status


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@access.rule("admin.users")
def set_active(user_id):
    account = _account(user_id)
    wanted = request.form.get("active")
    if wanted not in ("0", "1"):
        abort(400)
    if wanted == "0":
        if account.id == current_user.id:
            flash("Нельзя отключить собственную учётную запись.", "error")
            return redirect_to(url_for("admin.user", user_id=account.id))
        if _is_last_active_admin(account):
            flash("Это последний действующий администратор: сначала назначьте другого.", "error")
            return redirect_to(url_for("admin.user", user_id=account.id))
    account.is_active_account = wanted == "1"
    db.session.commit()
    if account.is_active_account:
        flash(f"Учётная запись «{account.username}» снова действует.", "success")
    else:
        flash(f"Учётная запись «{account.username}» отключена: войти с ней больше нельзя.", "success")
    return redirect_to(url_for("admin.user", user_id=account.id))
