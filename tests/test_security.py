"""CSRF (plain and HTMX), security headers, autoescaping, upload size, no external assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from nastavnik.extensions import db
from nastavnik.participants.models import Person
from tests.factories import PASSWORD, make_person

ROOT = Path(__file__).resolve().parent.parent
CSRF_MESSAGE = "Форма устарела или отправлена не со страницы приложения (нет CSRF-токена)"
TEMPLATE_DIRS = [ROOT / "templates", *sorted((ROOT / "plugins").glob("*/templates"))]
TEMPLATES = sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html"))


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html
    )
    assert found, "no CSRF token in the page"
    return found.group(1)


def _login_with_token(client, username="curator"):
    token = _token(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    return client


def _new_person(world) -> dict:
    return {
        "kind": "staff",
        "org_id": str(world.school.id),
        "last_name": "Токенова",
        "first_name": "Анна",
        "position": "учитель",
        "qualification_category": "",
    }


def test_login_without_token_refused(csrf_app, world, client):
    response = client.post("/auth/login", data={"username": "curator", "password": PASSWORD})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    assert client.get("/participants/").status_code == 302  # not logged in


def test_post_without_token_is_400_in_russian(csrf_app, world, client):
    _login_with_token(client)
    response = client.post("/participants/new", data=_new_person(world))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert CSRF_MESSAGE in html and "<html" in html
    assert db.session.scalar(select(Person).where(Person.last_name == "Токенова")) is None


def test_htmx_post_without_token_is_400_fragment(csrf_app, world, client):
    _login_with_token(client)
    teacher = world.teacher
    response = client.post(
        f"/participants/{teacher.id}/row/edit",
        headers={"HX-Request": "true"},
        data={"last_name": "Взлом", "first_name": "А", "version": str(teacher.version)},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert CSRF_MESSAGE in html and "<html" not in html
    db.session.expire_all()
    assert db.session.get(Person, teacher.id).last_name == "Петрова"


def test_wrong_token_refused(csrf_app, world, client):
    _login_with_token(client)
    response = client.post("/participants/new", data=_new_person(world) | {"csrf_token": "forged"})
    assert response.status_code == 400


def test_htmx_token_in_header_passes(csrf_app, world, client):
    _login_with_token(client)
    page = client.get("/participants/").get_data(as_text=True)
    token = re.search(r'data-hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    teacher = world.teacher
    response = client.post(
        f"/participants/{teacher.id}/row/edit",
        headers={"HX-Request": "true", "X-CSRFToken": token},
        data={
            "last_name": "Петрова",
            "first_name": "Анна",
            "middle_name": "",
            "email": "",
            "phone": "",
            "position": "завуч",
            "version": str(teacher.version),
        },
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Person, teacher.id).position == "завуч"


def test_plain_form_token_passes(csrf_app, world, client):
    _login_with_token(client)
    token = _token(client.get("/participants/new?kind=staff").get_data(as_text=True))
    response = client.post("/participants/new", data=_new_person(world) | {"csrf_token": token})
    assert response.status_code == 303


def test_logout_requires_token(csrf_app, world, client):
    _login_with_token(client)
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/participants/").status_code == 200  # still logged in


def test_security_headers(world, curator):
    response = curator.get("/participants/")
    csp = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    login_page = curator.get("/auth/login")
    assert login_page.headers["Cache-Control"] == "no-store"


def test_error_pages_have_headers_too(world, curator):
    response = curator.get("/participants/999999")
    assert response.status_code == 404
    assert "Страница или запись не найдена" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_static_is_cacheable(client):
    response = client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    assert b"htmx" in response.data[:2000]


def test_autoescaping(world, curator):
    evil = make_person(world.school, last_name="<script>alert(1)</script>", first_name='"onmouseover="x')
    db.session.commit()
    for url in ("/participants/", f"/participants/{evil.id}", f"/participants/{evil.id}/row"):
        html = curator.get(url).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "<script>alert(1)" not in html, url
        assert '"onmouseover="x' not in html, url
    fragment = curator.get(f"/participants/{evil.id}/row/edit", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "<script>alert(1)" not in fragment


def test_request_too_large_is_413_in_russian(app, world, curator):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = curator.post("/participants/new", data={"notes": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Файл слишком большой: допускается не более 1 МБ." in response.get_data(as_text=True)
    assert db.session.scalar(select(Person).where(Person.notes != "")) is None


def test_base_layout_uses_local_htmx(world, curator):
    html = curator.get("/").get_data(as_text=True)
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html
    assert (ROOT / "nastavnik/static/vendor/htmx.min.js").exists()


def test_base_template_references_vendor_htmx():
    assert "filename='vendor/htmx.min.js'" in (ROOT / "templates/base.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_external_urls_or_inline_code(path):
    text = path.read_text(encoding="utf-8")
    hosts = re.findall(r"https?://([A-Za-z0-9][A-Za-z0-9.-]*)", text)
    assert hosts == [], f"external URLs in {path.name}: {hosts}"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script> (CSP forbids it)"
    assert not re.search(r"\sstyle\s*=", text), "style= attribute (CSP forbids it)"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler (CSP forbids it)"


def test_every_view_has_an_access_rule(app):
    for endpoint, view in app.view_functions.items():
        if endpoint == "static" or endpoint.endswith(".static"):
            continue
        assert getattr(view, "access", None), endpoint
