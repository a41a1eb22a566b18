from flask import abort, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from nastavnik import access
from nastavnik.accounts import services as accounts
from nastavnik.admin import bp
from nastavnik.admin.forms import PasswordResetForm, RoleForm, UserEditForm, UserForm
from nastavnik.auth.forms import PASSWORD_HINT
from nastavnik.auth.models import ROLES, RoleAssignment, User
from nastavnik.auth.services import create_user, log_account, set_new_password
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.participants.models import Person
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
FOUND_AT_MOST = 20


@bp.route("/plugins")
@access.rule("admin.plugins")
def plugins():
    from nastavnik.plugins.failures import counts

    state = plugin_state()
    return render_template(
        "admin/plugins.html", infos=list(state.infos.values()), registry=state.registry,
        contribution_titles=CONTRIBUTION_TITLES, failures=counts(),
    )


# --- Linking an account to a participant -------------------------------------------------------------


def _find_people(query: str) -> list[Person]:
    """People matching every word of ``query`` (a surname, a name, or «№ 123»), at most 20."""
    words = [w for w in query.lower().replace("№", " ").split() if w][:4]
    if not words:
        return []
    select_people = select(Person).where(Person.kind != "parent", Person.anonymised_at.is_(None))
    for word in words:
        if word.isdigit():
            select_people = select_people.where(Person.id == int(word))
        else:
            select_people = select_people.where(or_(*(
                func.lower(column).like(f"{word}%") for column in (Person.last_name, Person.first_name, Person.middle_name)
            )))
    return list(db.session.scalars(select_people.order_by(Person.last_name, Person.first_name).limit(FOUND_AT_MOST)))


def _person_choices(form, current: Person | None) -> list[Person]:
    found = _find_people(form.person_q.data or "")
    chosen = _chosen_person(form)
    people = [p for p in (current, chosen) if p is not None] + found
    return list(dict.fromkeys(people))


def _chosen_person(form) -> Person | None:
    value = (form.person_id.data or "").strip()
    return db.session.get(Person, int(value)) if value.isdigit() and int(value) else None


def _check_person(form, account: User | None) -> Person | None:
    """The person chosen in the form, after the rules: a valid consent, nobody else's account."""
    person = _chosen_person(form)
    if person is None:
        return None
    reason = accounts.refusal(person)
    if reason:
        form.person_id.errors = [f"Нельзя связать с «{person.full_name}»: {reason}."]
        return None
    other = accounts.account_of(person)
    if other is not None and (account is None or other.id != account.id):
        form.person_id.errors = [f"«{person.full_name}» уже связан(а) с учётной записью «{other.username}»."]
    return person


def _org_choices():
    return [(o.id, o.title) for o in db.session.scalars(select(Organisation).order_by(Organisation.name))]


@bp.route("/users", methods=["GET", "POST"])
@access.rule("admin.users")
def users():
    form = UserForm()
    form.org_id.choices = _org_choices()
    searching = "find" in request.form
    if not searching and form.validate_on_submit():
        person = _check_person(form, None)
        taken = db.session.scalar(select(User.id).where(func.lower(User.username) == form.username.data.lower()))
        if taken:
            form.username.errors.append("Такой логин уже есть.")
        elif not form.person_id.errors:
            user = create_user(form.username.data, form.password.data or None, form.display_name.data,
                               roles=[(form.role.data, form.org_id.data)])
            db.session.flush()
            log_account("account_create", user, {"role": [None, ROLES[form.role.data]]})
            accounts.link_person(user, person)
            if not form.password.data:
                slip = accounts.reset_with_code(user, current_user)
                db.session.commit()
                return render_template("accounts/slips.html", slips=[slip], refused=(),
                                       back=url_for("admin.user", user_id=user.id))
            db.session.commit()
            flash(f"Пользователь «{form.username.data}» создан.", "success")
            return redirect_to(url_for("admin.users"))
    accounts_list = db.session.scalars(select(User).order_by(User.is_active_account.desc(), User.username)).all()
    status = 422 if form.is_submitted() and not searching else 200
    return render_template("admin/users.html", form=form, accounts=accounts_list, hint=PASSWORD_HINT,
                           people=_person_choices(form, None), searching=searching), status


def _account(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _is_last_active_admin(user: User) -> bool:
    others = db.session.scalar(
        select(func.count(User.id.distinct()))
        .join(RoleAssignment)
        .where(RoleAssignment.role == "admin", User.is_active_account, User.id != user.id)
    )
    return "admin" in user.role_codes() and not others


def _user_page(account, form=None, edit_form=None, role_form=None, status=200, searching=False):
    form = form or PasswordResetForm(formdata=None, login=account.username)
    if edit_form is None:
        edit_form = UserEditForm(formdata=None, obj=account)
        edit_form.person_id.data = str(account.person_id or 0)
    if role_form is None:
        role_form = RoleForm(formdata=None)
        role_form.org_id.choices = [("", "")] + _org_choices()
    return render_template(
        "admin/user.html", account=account, form=form, edit_form=edit_form, role_form=role_form,
        people=_person_choices(edit_form, account.person), hint=PASSWORD_HINT, searching=searching,
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@access.rule("admin.users")
def user(user_id):
    """Учётная запись: сброс пароля, отключение и включение."""
    account = _account(user_id)
    if request.method == "GET":
        return _user_page(account)
    form = PasswordResetForm(login=account.username)
    if form.validate_on_submit():
        # a forgotten password often ends in a lock-out: the new one must work at once
        set_new_password(account, form.password.data, "password_reset")
        db.session.commit()
        flash(f"Пароль пользователя «{account.username}» изменён, открытые сеансы завершены. "
              "Сообщите пароль пользователю лично.", "success")
        return redirect_to(url_for("admin.user", user_id=account.id))
    return _user_page(account, form=form, status=422)


@bp.route("/users/<int:user_id>/edit", methods=["POST"])
@access.rule("admin.users")
def edit_user(user_id):
    """Имя и связь с участником («кто вы среди участников»)."""
    account = _account(user_id)
    form = UserEditForm()
    if "find" in request.form:
        return _user_page(account, edit_form=form, searching=True)
    if not form.validate():
        return _user_page(account, edit_form=form, status=422)
    person = _check_person(form, account)
    if form.person_id.errors:
        return _user_page(account, edit_form=form, status=422)
    if form.display_name.data != account.display_name:
        log_account("account_edit", account, {"display_name": [account.display_name, form.display_name.data]})
        account.display_name = form.display_name.data
    accounts.link_person(account, person)
    db.session.commit()
    flash("Учётная запись сохранена.", "success")
    return redirect_to(url_for("admin.user", user_id=account.id))


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@access.rule("admin.users")
def roles(user_id):
    account = _account(user_id)
    remove = request.form.get("remove", type=int)
    if remove is not None:
        assignment = next((r for r in account.roles if r.id == remove), None) or abort(404)
        if assignment.role == "admin" and _is_last_active_admin(account) and \
                sum(r.role == "admin" for r in account.roles) == 1:
            flash("Это последний действующий администратор: сначала назначьте другого.", "error")
            return redirect_to(url_for("admin.user", user_id=account.id))
        log_account("role_remove", account, {"role": [f"{assignment.role_title} — {assignment.org.title}", None]})
        account.roles.remove(assignment)
        account.end_sessions()  # fewer rights take effect everywhere at once
        db.session.commit()
        flash("Роль снята.", "success")
        return redirect_to(url_for("admin.user", user_id=account.id))
    form = RoleForm()
    form.org_id.choices = [("", "")] + _org_choices()
    if not form.validate():
        return _user_page(account, role_form=form, status=422)
    if any(r.role == form.role.data and r.org_id == form.org_id.data for r in account.roles):
        flash("Такая роль уже есть.", "info")
        return redirect_to(url_for("admin.user", user_id=account.id))
    assignment = RoleAssignment(role=form.role.data, org_id=form.org_id.data)
    account.roles.append(assignment)
    db.session.flush()
    log_account("role_add", account, {"role": [None, f"{assignment.role_title} — {db.session.get(Organisation, form.org_id.data).title}"]})
    db.session.commit()
    flash("Роль назначена.", "success")
    return redirect_to(url_for("admin.user", user_id=account.id))


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
    accounts.set_active(account, wanted == "1")
    db.session.commit()
    if account.is_active_account:
        flash(f"Учётная запись «{account.username}» снова действует.", "success")
    else:
        flash(f"Учётная запись «{account.username}» отключена: войти с ней больше нельзя.", "success")
    return redirect_to(url_for("admin.user", user_id=account.id))
