from __future__ import annotations

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from nastavnik import access
from nastavnik.accounts import bp
from nastavnik.accounts import services as svc
from nastavnik.auth.models import User
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.orgs.services import education_orgs
from nastavnik.participants.models import Person
from nastavnik.plugins.manager import registry
from nastavnik.web.htmx import redirect_to


def _schools() -> list[Organisation]:
    return education_orgs(access.scope(current_user, "accounts.edit"))


def _school(org_id: int | None) -> Organisation:
    schools = _schools()
    if not schools:
        abort(404)
    if org_id is None:
        return schools[0]
    school = next((s for s in schools if s.id == org_id), None)
    return school or abort(404)


def _account(user_id: int) -> User:
    """An account the current user manages; 404 otherwise (another school's, or a higher role)."""
    account = db.session.get(User, user_id)
    if account is None or not svc.manages(current_user, account):
        abort(404)
    return account


def _slips(slips, refused=(), back=None):
    return render_template("accounts/slips.html", slips=slips, refused=refused, back=back)


@bp.route("/")
@access.rule("accounts.edit")
def index():
    school = _school(request.args.get("org", type=int))
    return render_template(
        "accounts/index.html", school=school, schools=_schools(),
        groups=svc.groups(school.id, registry().kinds), accounts=svc.school_accounts(school.id),
        manages=lambda account: svc.manages(current_user, account),
    )


@bp.route("/batch", methods=["GET", "POST"])
@access.rule("accounts.edit")
def batch():
    """Учётные записи для класса или банка: список с тем, кто получит запись, затем листки."""
    values = request.form if request.method == "POST" else request.args
    school = _school(values.get("org", type=int))
    group = values.get("group", "")[:120]
    people = svc.people_of(school.id, group)
    title = next((g.title for g in svc.groups(school.id, registry().kinds) if g.code == group), None)
    if title is None:
        abort(404)
    rows = []
    for person in people:
        account = svc.account_of(person)
        rows.append((person, account, svc.refusal(person), account is not None and svc.manages(current_user, account)))
    if request.method == "GET":
        creating = sum(1 for _, account, reason, _ in rows if account is None and reason is None)
        return render_template("accounts/batch.html", school=school, group=group, title=title, rows=rows,
                               creating=creating)
    reissue = request.form.get("reissue") == "1"
    slips, refused = [], []
    for person, account, reason, manageable in rows:
        if reason:
            refused.append((person, reason))
        elif account is None:
            slips.append(svc.create_account(person, current_user)[1])
        elif reissue and manageable and not account.has_password and account.is_active_account:
            slips.append(svc.reset_with_code(account, current_user))
    db.session.commit()
    if not slips:
        flash("Новых учётных записей нет: у всех уже есть учётная запись или нет согласия.", "info")
        return redirect_to(url_for("accounts.batch", org=school.id, group=group))
    return _slips(slips, refused, back=url_for("accounts.index", org=school.id))


@bp.route("/person/<int:person_id>", methods=["POST"])
@access.rule("accounts.edit")
def create_for_person(person_id):
    person = access.get_or_404(Person, person_id, "accounts.edit")
    try:
        _, slip = svc.create_account(person, current_user)
    except svc.AccountRefused as refused:
        flash(f"Учётная запись не создана: {refused.message}", "error")
        return redirect_to(url_for("participants.detail", person_id=person.id))
    db.session.commit()
    return _slips([slip], back=url_for("participants.detail", person_id=person.id))


@bp.route("/<int:user_id>/code", methods=["POST"])
@access.rule("accounts.edit")
def new_code(user_id):
    """Сброс пароля: прежний пароль перестаёт действовать, печатается листок с новым кодом."""
    account = _account(user_id)
    if not account.is_active_account:
        flash("Учётная запись отключена: сначала включите её.", "error")
        return redirect_to(_back(account))
    slip = svc.reset_with_code(account, current_user)
    db.session.commit()
    return _slips([slip], back=_back(account))


@bp.route("/<int:user_id>/active", methods=["POST"])
@access.rule("accounts.edit")
def set_active(user_id):
    account = _account(user_id)
    wanted = request.form.get("active")
    if wanted not in ("0", "1"):
        abort(400)
    if account.id == current_user.id:
        flash("Нельзя отключить собственную учётную запись.", "error")
        return redirect_to(_back(account))
    svc.set_active(account, wanted == "1")
    db.session.commit()
    state = "снова действует" if wanted == "1" else "отключена: войти с ней нельзя, открытые сеансы завершены"
    flash(f"Учётная запись «{account.username}» {state}.", "success")
    return redirect_to(_back(account))


def _back(account: User) -> str:
    if account.person_id is not None:
        return url_for("participants.detail", person_id=account.person_id)
    return url_for("admin.user", user_id=account.id)
