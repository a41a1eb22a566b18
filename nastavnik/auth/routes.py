from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from nastavnik import access
from nastavnik.auth import bp
from nastavnik.auth.codes import valid_code
from nastavnik.auth.forms import PASSWORD_HINT, ChangePasswordForm, CodeSignInForm, LoginForm
from nastavnik.auth.services import (
    AccountDisabled,
    authenticate,
    find_user,
    locked_message,
    locked_minutes,
    record_failure,
    set_new_password,
    verify_password,
)
from nastavnik.extensions import db
from nastavnik.timeutil import utcnow
from nastavnik.web.htmx import is_htmx

DISABLED = "Учётная запись отключена. Обратитесь к администратору."
BAD_CODE = "Неверный логин или код, или срок кода истёк. Попросите у куратора новый листок."


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login is a phishing aid (browsers read "/\x" as "//x").
    local = target and target.startswith("/") and not target.startswith("//") and "\\" not in target
    if local and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.index")


def _address() -> str:
    return request.remote_addr or "-"  # the client's, once ProxyFix has read X-Forwarded-For


def unauthorized():
    if is_htmx():
        return "", 401, {"HX-Redirect": url_for("auth.login")}
    flash("Войдите, чтобы продолжить.", "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


@bp.route("/login", methods=["GET", "POST"])
@access.public
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        wait = locked_minutes(form.username.data, _address())
        if wait:
            form.password.errors.append(locked_message(wait))
            status = 429
        else:
            try:
                user = authenticate(form.username.data, form.password.data, _address())
            except AccountDisabled:
                form.username.errors.append(DISABLED)
                return render_template("auth/login.html", form=form), 403
            if user is not None:
                login_user(user)
                return redirect(_safe_next(request.args.get("next")), code=303)
            form.password.errors.append("Неверный логин или пароль.")
            status = 422
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@access.login_only
def logout():
    # A copy of the cookie (another tab, another computer, a stolen one) stops working too.
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash("Вы вышли из системы.", "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/code", methods=["GET", "POST"])
@access.public
def code_sign_in():
    """Вход по одноразовому коду с листка: человек сам задаёт себе пароль."""
    form = CodeSignInForm()
    if request.method == "GET" and request.args.get("login"):
        form.username.data = request.args["login"][:80]
    status = 200
    if form.validate_on_submit():
        wait = locked_minutes(form.username.data, _address())
        user = find_user(form.username.data)
        record = None if wait else valid_code(user, form.code.data)
        if wait:
            form.code.errors.append(locked_message(wait))
            status = 429
        elif record is None:
            record_failure(form.username.data, _address())
            form.code.errors.append(BAD_CODE)
            status = 422
        elif not user.is_active:
            form.username.errors.append(DISABLED)
            status = 403
        else:
            record.used_at = utcnow()
            set_new_password(user, form.password.data, "password_set", by=user)
            user.last_login_at = utcnow()
            db.session.commit()
            login_user(user)
            flash("Пароль задан, вы вошли. Дальше входите с логином и этим паролем; код с листка больше не действует.",
                  "success")
            return redirect(url_for("dashboard.index"), code=303)
    elif form.is_submitted():
        status = 422
    return render_template("auth/code.html", form=form, hint=PASSWORD_HINT), status


@bp.route("/password", methods=["GET", "POST"])
@access.login_only
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        wait = locked_minutes(current_user.username, _address())
        if wait:
            form.current.errors.append(locked_message(wait))
            status = 429
        elif not verify_password(current_user, form.current.data):
            record_failure(current_user.username, _address())
            form.current.errors.append("Неверный текущий пароль.")
            status = 422
        else:
            user = current_user._get_current_object()
            set_new_password(user, form.password.data, "password_change")
            db.session.commit()
            login_user(user)  # this browser stays signed in with the new session version; the others end
            flash("Пароль изменён. Открытые на других устройствах сеансы завершены.", "success")
            return redirect(url_for("dashboard.index"), code=303)
    elif form.is_submitted():
        status = 422
    return render_template("auth/password.html", form=form, hint=PASSWORD_HINT), status
