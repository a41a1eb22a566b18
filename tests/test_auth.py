"""Login, logout, throttling, inactive accounts, safe redirects, hashed passwords."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from nastavnik.auth.models import LoginFailure, User
from nastavnik.extensions import db, login_manager
from nastavnik.timeutil import utcnow
from tests.factories import PASSWORD

WRONG = "Неверный логин или пароль."
LOCKED = "Слишком много неудачных попыток входа"


def _post(client, username, password=PASSWORD, **kwargs):
    return client.post("/auth/login", data={"username": username, "password": password}, **kwargs)


def test_login_and_logout(world, client):
    response = _post(client, "curator")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Curator" in page  # display name in the header
    assert client.get("/participants/").status_code == 200

    response = client.post("/auth/logout")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login")
    response = client.get("/participants/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_logout_is_post_only(world, as_user):
    client = as_user("curator")
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/participants/").status_code == 200  # still logged in


def test_wrong_password_message_in_russian(world, client):
    response = _post(client, "curator", "wrong-password")
    assert response.status_code == 422
    assert WRONG in response.get_data(as_text=True)
    assert client.get("/participants/").status_code == 302


def test_empty_form_asks_for_fields(world, client):
    response = client.post("/auth/login", data={})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Введите логин." in text and "Введите пароль." in text


def test_throttled_after_max_failures_even_with_correct_password(app, world, client):
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert limit == 3
    for _ in range(limit):
        assert _post(client, "curator", "bad").status_code == 422
    response = _post(client, "curator")  # correct password, but locked
    assert response.status_code == 429
    assert LOCKED in response.get_data(as_text=True)
    assert client.get("/participants/").status_code == 302


def test_lock_expires_after_window(app, world, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _post(client, "curator", "bad")
    old = utcnow() - timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"] + 1)
    for failure in db.session.scalars(select(LoginFailure)):
        failure.at = old
    db.session.commit()
    assert _post(client, "curator").status_code == 303


def test_unknown_usernames_throttled_by_address(app, world, client):
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        assert _post(client, f"nobody{n}", "x").status_code == 422
    # Another account from the same address is locked too: guessing logins does not help.
    response = _post(client, "director")
    assert response.status_code == 429
    assert LOCKED in response.get_data(as_text=True)
    # … while the same account from another address still works.
    other = app.test_client()
    assert _post(other, "director", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 303


def test_successful_login_clears_own_failures(app, world, client):
    _post(client, "curator", "bad")
    assert _post(client, "curator").status_code == 303
    count = db.session.scalar(select(func.count(LoginFailure.id)).where(LoginFailure.username == "curator"))
    assert count == 0


def test_inactive_account_refused(world, client):
    user = world.users["curator"]
    user.is_active_account = False
    db.session.commit()
    response = _post(client, "curator")
    # whoever knows the password is told why (and whom to ask); a guesser learns nothing new
    assert response.status_code == 403
    assert "Учётная запись отключена. Обратитесь к администратору." in response.get_data(as_text=True)
    assert client.get("/participants/").status_code == 302
    wrong = client.post("/auth/login", data={"username": "curator", "password": "not-the-password"})
    assert wrong.status_code == 422 and WRONG in wrong.get_data(as_text=True)
    assert "отключена" not in wrong.get_data(as_text=True)


def test_deactivated_session_is_dropped(world, as_user):
    client = as_user("curator")
    user = world.users["curator"]
    user.is_active_account = False
    db.session.commit()
    assert client.get("/participants/").status_code == 302


def test_next_is_followed_only_for_local_paths(world, client):
    response = client.post(
        "/auth/login?next=/participants/", data={"username": "curator", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/participants/"
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil.example"):
        fresh = client.application.test_client()
        response = fresh.post(
            "/auth/login", query_string={"next": target}, data={"username": "curator", "password": PASSWORD}
        )
        assert response.status_code == 303
        assert "evil" not in response.headers["Location"], target


def test_unauthorized_redirect_remembers_next(world, client):
    response = client.get("/participants/?q=abc")
    assert response.status_code == 302
    assert "next=" in response.headers["Location"]
    assert "participants" in response.headers["Location"]


def test_passwords_are_hashed(world):
    user = db.session.scalar(select(User).where(User.username == "curator"))
    assert PASSWORD not in user.password_hash
    assert user.password_hash.split(":")[0] in ("pbkdf2", "scrypt")
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")


def test_production_hash_is_scrypt():
    user = User(username="x", display_name="x")
    user.set_password("secret-password")  # outside an app: the production default
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("secret-password")


def test_session_protection_and_cookie_flags(app):
    assert login_manager.session_protection == "strong"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_strong_session_protection_drops_session_from_other_agent(world, client):
    _post(client, "curator", headers={"User-Agent": "browser-A"})
    assert client.get("/participants/", headers={"User-Agent": "browser-A"}).status_code == 200
    # the same cookie from another client identity is not accepted
    assert client.get("/participants/", headers={"User-Agent": "browser-B"}).status_code == 302


def test_login_page_has_no_nav_for_anonymous(world, client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'name="username"' in page and 'type="password"' in page
    assert "Основное меню" not in page
