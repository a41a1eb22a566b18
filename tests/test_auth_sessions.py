"""Issue 12: sessions end on the server, lock-outs per account and per address with a wait told in
minutes, equal work for unknown logins, weak passwords refused, proxy and HTTPS settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from nastavnik.app import create_app
from nastavnik.auth import services
from nastavnik.auth.models import LoginFailure, User
from nastavnik.config import TestingConfig
from nastavnik.extensions import db
from nastavnik.timeutil import utcnow
from tests.conftest import IN_REPO_PLUGINS, login
from tests.factories import PASSWORD, make_org, make_user

LOCKED = "Слишком много неудачных попыток входа"


def _post(client, username, password=PASSWORD, **kwargs):
    return client.post("/auth/login", data={"username": username, "password": password}, **kwargs)


def _copy_session(app, client):
    """A second browser holding a copy of ``client``'s session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


# --- Sessions end on the server -----------------------------------------------------------------


def test_copied_cookie_stops_working_after_logout(app, world, client):
    login(client, "curator")
    thief = _copy_session(app, client)
    assert thief.get("/participants/").status_code == 200  # the copy works while the session lives
    assert client.post("/auth/logout").status_code == 303
    assert thief.get("/participants/").status_code == 302  # … and not after logout
    assert login(client, "curator").get("/participants/").status_code == 200  # signing in again works


def test_admin_password_reset_ends_open_sessions(app, world, as_user):
    session = login(app.test_client(), "curator")
    assert session.get("/participants/").status_code == 200
    admin = as_user("admin")
    curator = world.users["curator"]
    done = admin.post(f"/admin/users/{curator.id}", data={"password": "lampa-sosna-7", "confirm": "lampa-sosna-7"})
    assert done.status_code == 303
    assert session.get("/participants/").status_code == 302


def test_own_password_change_ends_other_sessions_but_keeps_this_one(app, world, client):
    login(client, "curator")
    other_device = login(app.test_client(), "curator")
    response = client.post(
        "/auth/password", data={"current": PASSWORD, "password": "lampa-sosna-7", "confirm": "lampa-sosna-7"}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert client.get("/participants/").status_code == 200
    assert other_device.get("/participants/").status_code == 302
    assert _post(app.test_client(), "curator", "lampa-sosna-7").status_code == 303


def test_wrong_current_password_is_refused_and_counted(app, world, client):
    login(client, "curator")
    response = client.post("/auth/password", data={"current": "nope", "password": "lampa-sosna-7",
                                                   "confirm": "lampa-sosna-7"})
    assert response.status_code == 422
    assert "Неверный текущий пароль." in response.get_data(as_text=True)
    assert db.session.scalar(select(LoginFailure.username)) == "curator"


def test_session_of_an_older_version_is_refused(world):
    user = world.users["curator"]
    token = user.get_id()
    assert services.load_user(token) is user
    user.end_sessions()
    assert services.load_user(token) is None
    assert services.load_user(str(user.id)) is None  # a cookie from before session versions
    assert services.load_user("x:1") is None


# --- Throttling ---------------------------------------------------------------------------------


def test_one_users_typos_do_not_lock_out_the_school_behind_one_address(app, world, client):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert _post(client, "curator", "typo").status_code == 422
    locked = _post(client, "curator")
    assert locked.status_code == 429 and LOCKED in locked.get_data(as_text=True)
    # the account is locked from any address …
    assert _post(app.test_client(), "curator", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 429
    # … while a colleague at the same address signs in
    assert _post(app.test_client(), "director").status_code == 303


def test_many_failures_from_one_address_lock_that_address_only(app, world, client):
    per_address = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    assert per_address > app.config["LOGIN_MAX_FAILURES"]
    for n in range(per_address):
        _post(client, f"guess{n}", "x")
    assert _post(client, "director").status_code == 429
    assert _post(app.test_client(), "director", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 303


@pytest.mark.parametrize(("minutes_ago", "wait"), [(0, "15 минут"), (3, "12 минут"), (13, "2 минуты"),
                                                   (14.5, "1 минуту")])
def test_the_user_is_told_how_long_to_wait(app, world, client, minutes_ago, wait):
    assert app.config["LOGIN_LOCK_MINUTES"] == 15
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _post(client, "curator", "typo")
    for failure in db.session.scalars(select(LoginFailure)):
        failure.at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    text = _post(client, "curator").get_data(as_text=True)
    assert f"Попробуйте через {wait}." in text


def test_failures_are_kept_in_the_database_and_old_ones_purged(app, world, client):
    db.session.add(LoginFailure(username="old", remote_addr="1.2.3.4", at=utcnow() - timedelta(days=2)))
    db.session.commit()
    _post(client, "curator", "typo")
    rows = db.session.execute(select(LoginFailure.username, LoginFailure.remote_addr)).all()
    assert rows == [("curator", "127.0.0.1")]


# --- Equal work for known and unknown logins ----------------------------------------------------


@pytest.fixture
def verifications(monkeypatch):
    calls = []
    real = services.check_password_hash

    def counting(pwhash, password):
        calls.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    return calls


def test_every_login_attempt_costs_exactly_one_hash_verification(world, client, verifications):
    pending = make_user("pending", "mentee", world.school)
    pending.clear_password()
    disabled = make_user("disabled", "mentee", world.school)
    disabled.is_active_account = False
    db.session.commit()
    attempts = [("nobody-at-all", "whatever-1"), ("curator", "wrong-password"), ("pending", "anything-1"),
                ("disabled", PASSWORD), ("disabled", "wrong-password"), ("curator", PASSWORD)]
    for username, password in attempts:
        verifications.clear()
        _post(client, username, password)
        assert len(verifications) == 1, username
    # the unknown login was checked against a hash of the same method as real ones
    verifications.clear()
    _post(client, "nobody-at-all", "x")
    assert verifications[0].split("$")[0] == db.session.get(User, world.users["curator"].id).password_hash.split("$")[0]


# --- Weak passwords -----------------------------------------------------------------------------

WEAK = ["12345678", "password", "qwerty123", "йцукенгшщ", "short1"]


@pytest.mark.parametrize("weak", WEAK + ["curator", "curator2025"])
def test_admin_reset_refuses_weak_passwords(world, as_user, weak):
    curator = world.users["curator"]
    response = as_user("admin").post(f"/admin/users/{curator.id}", data={"password": weak, "confirm": weak})
    assert response.status_code == 422
    assert 'id="password-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("weak", WEAK + ["newuser", "newuser01"])
def test_admin_user_form_refuses_weak_passwords(world, as_user, weak):
    admin = as_user("admin")
    response = admin.post("/admin/users", data={"username": "newuser", "display_name": "Новый", "password": weak,
                                                "role": "curator", "org_id": world.school.id})
    assert response.status_code == 422
    assert 'id="password-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "newuser")) is None


def test_messages_at_the_field_are_russian(world, as_user):
    admin = as_user("admin")
    curator = world.users["curator"]

    def error(password):
        html = admin.post(f"/admin/users/{curator.id}", data={"password": password, "confirm": password})
        return html.get_data(as_text=True)

    assert "Пароль слишком короткий: нужно не меньше 8 символов." in error("abc")
    assert "Пароль не должен совпадать с логином или содержать его." in error("curator-777")
    assert "Это один из самых распространённых паролей" in error("password")


def test_change_password_refuses_weak_ones(world, client):
    login(client, "curator")
    response = client.post("/auth/password", data={"current": PASSWORD, "password": "12345678", "confirm": "12345678"})
    assert response.status_code == 422
    assert _post(client.application.test_client(), "curator").status_code == 303  # old password still works


@pytest.mark.parametrize("weak", ["12345678", "password", "boss"])
def test_create_admin_cli_refuses_weak_passwords(app, runner, weak):
    result = runner.invoke(args=["nastavnik", "create-admin", "--username", "boss", "--password", weak])
    assert result.exit_code != 0
    assert "арол" in result.output  # «Пароль …» or «… паролей …», in Russian
    assert db.session.scalar(select(User)) is None


def test_create_admin_cli_accepts_a_good_password(app, runner):
    result = runner.invoke(args=["nastavnik", "create-admin", "--username", "boss", "--password", "lampa-sosna-7"])
    assert result.exit_code == 0, result.output


# --- Proxy and HTTPS ----------------------------------------------------------------------------


@pytest.fixture
def make_app(tmp_path):
    made = []

    def build(**overrides):
        config = {key: value for key, value in vars(TestingConfig).items() if key.isupper()} | overrides
        app = create_app(config, plugins=IN_REPO_PLUGINS)
        app.instance_path = str(tmp_path)
        context = app.app_context()
        context.push()
        db.create_all()
        make_user("curator", "curator", make_org())
        db.session.commit()
        made.append(context)
        return app

    yield build
    for context in made:
        db.session.remove()
        db.drop_all()
        context.pop()


def _failed_from(app, headers) -> str:
    app.test_client().post("/auth/login", data={"username": "curator", "password": "bad"}, headers=headers)
    return db.session.scalar(select(LoginFailure.remote_addr).order_by(LoginFailure.id.desc()))


def test_forwarded_for_is_ignored_without_proxy_fix(make_app):
    app = make_app()
    assert _failed_from(app, {"X-Forwarded-For": "203.0.113.7"}) == "127.0.0.1"


def test_forwarded_for_is_the_client_address_with_proxy_fix(make_app):
    app = make_app(PROXY_FIX=1)
    assert _failed_from(app, {"X-Forwarded-For": "203.0.113.7"}) == "203.0.113.7"
    # one trusted hop: only the address nginx itself appended counts, not what the client sent before it
    assert _failed_from(app, {"X-Forwarded-For": "6.6.6.6, 203.0.113.8"}) == "203.0.113.8"


def _login_cookie(app) -> str:
    response = app.test_client().post("/auth/login", data={"username": "curator", "password": PASSWORD})
    assert response.status_code == 303
    return response.headers["Set-Cookie"]


def test_cookies_are_secure_and_hsts_sent_over_https(make_app):
    app = make_app(HTTPS=True, HSTS_SECONDS=31536000)
    assert "Secure" in _login_cookie(app)
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    headers = app.test_client().get("/auth/login").headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000"


def test_plain_http_by_default(make_app):
    app = make_app()
    assert "Secure" not in _login_cookie(app)
    assert "Strict-Transport-Security" not in app.test_client().get("/auth/login").headers
