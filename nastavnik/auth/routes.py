from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user

from nastavnik import access
from nastavnik.auth import bp
from nastavnik.auth.forms import LoginForm
from nastavnik.auth.services import AccountDisabled, authenticate, is_locked
from nastavnik.web.htmx import is_htmx


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login is a phishing aid (browsers read "/\x" as "//x").
    local = target and target.startswith("/") and not target.startswith("//") and "\\" not in target
    if local and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.index")


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
        addr = request.remote_addr or "-"
        if is_locked(form.username.data, addr):
            form.password.errors.append(
                "Слишком много неудачных попыток входа. Подождите несколько минут и попробуйте снова."
            )
            status = 429
        else:
            try:
                user = authenticate(form.username.data, form.password.data, addr)
            except AccountDisabled:
                form.username.errors.append("Учётная запись отключена. Обратитесь к администратору.")
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
    logout_user()
    flash("Вы вышли из системы.", "info")
    return redirect(url_for("auth.login"), code=303)
