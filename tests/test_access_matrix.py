"""Routes × roles: every endpoint is declared, and allow/deny follows access.PERMISSIONS.

The expectations are derived from ``access.grants`` and each view's ``.access`` declaration, so
routes added by later capabilities are covered without editing this file.
"""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import func, select

from nastavnik import access
from nastavnik.audit.models import AuditEntry
from nastavnik.consents.models import Consent
from nastavnik.extensions import db
from nastavnik.participants.models import Person
from tests.conftest import ROLES, login
from tests.factories import make_consent, make_person, make_user

ALLOWED = {200, 204, 302, 303, 400, 404, 409, 422}
SPECIAL = {"login", "public"}


def _rules(app):
    """(endpoint, rule, method) for every non-static endpoint; logout last since it ends the session."""
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        found.setdefault(rule.endpoint, (rule, method))
    return sorted(found.items(), key=lambda item: (item[0] == "auth.logout", item[0]))


def _ids(world) -> dict[str, int]:
    """URL argument → an id of a record in the world's school (the users' own school)."""
    consent = world.teacher.consents[0]
    return {
        "person_id": world.teacher.id,
        "student_id": world.student.id,
        "consent_id": consent.id,
        "org_id": world.school.id,
        "school_id": world.school.id,
        "user_id": world.users["curator"].id,
    }


def _url(app, rule, ids) -> str:
    values = {arg: ids.get(arg, 1) for arg in rule.arguments}  # unknown ids: 1, and a 404 is fine
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _expected(role: str, declared: tuple[str, ...]) -> str:
    """allow | deny: a view needs every permission it declares."""
    if set(declared) & SPECIAL:
        return "allow"
    return "allow" if all(access.grants(role, permission) for permission in declared) else "deny"


def test_every_endpoint_declares_access(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not endpoint.endswith(".static") and getattr(view, "access", None) is None
    ]
    assert undeclared == []


@pytest.mark.own_app  # adds a route
def test_undeclared_view_is_refused(app, world, client):
    app.add_url_rule("/undeclared-probe", "undeclared_probe", lambda: "leak")
    login(client, "admin")
    response = client.get("/undeclared-probe")
    assert response.status_code == 403
    assert b"leak" not in response.data


@pytest.mark.parametrize("hx", [False, True], ids=["plain", "htmx"])
def test_anonymous_is_sent_to_login(app, world, client, hx):
    headers = {"HX-Request": "true"} if hx else {}
    ids = _ids(world)
    for endpoint, (rule, method) in _rules(app):
        if "public" in app.view_functions[endpoint].access:
            continue
        url = _url(app, rule, ids)
        response = client.open(url, method=method, headers=headers)
        if hx:
            assert response.status_code == 401, (endpoint, response.status_code)
            assert response.headers["HX-Redirect"].startswith("/auth/login"), endpoint
        else:
            assert response.status_code in (302, 303), (endpoint, response.status_code)
            assert response.headers["Location"].startswith("/auth/login"), endpoint


@pytest.mark.parametrize("role", ROLES)
def test_matrix(app, world, client, role):
    ids = _ids(world)
    login(client, role)
    checked = {"allow": 0, "deny": 0}
    for endpoint, (rule, method) in _rules(app):
        declared = app.view_functions[endpoint].access
        expected = _expected(role, declared)
        url = _url(app, rule, ids)
        response = client.open(url, method=method, data={} if method == "POST" else None)
        status = response.status_code
        assert status != 500, (role, endpoint)
        if expected == "deny":
            assert status == 403, (role, endpoint, declared, status)
        elif expected == "allow":
            assert status in ALLOWED, (role, endpoint, declared, status, response.data[:300])
            if status in (302, 303) and endpoint != "auth.logout":  # allowed: never bounced to login
                assert not response.headers["Location"].startswith("/auth/login"), (role, endpoint)
        checked[expected] = checked.get(expected, 0) + 1
        if endpoint == "auth.logout":
            login(client, role)
    assert checked["allow"] > 0
    if role in ("mentor", "mentee", "observer"):
        assert checked["deny"] > 0


def test_matrix_expectations_match_policy():
    """The helper itself: a curator may edit participants, a mentor may not, nobody but admin administers."""
    assert _expected("curator", ("participants.edit",)) == "allow"
    assert _expected("mentor", ("participants.edit",)) == "deny"
    assert _expected("curator", ("admin.plugins",)) == "deny"
    assert _expected("admin", ("admin.plugins",)) == "allow"
    assert _expected("mentee", ("login",)) == "allow"


# --- Another school's records by id -----------------------------------------------------------


def _snapshot(world):
    db.session.expire_all()
    teacher = db.session.get(Person, world.teacher.id)
    consent = db.session.get(Consent, world.teacher.consents[0].id)
    return (
        teacher.version,
        teacher.last_name,
        teacher.archived_at,
        consent.withdrawn_on,
        consent.version,
        db.session.scalar(select(func.count(Consent.id))),
        db.session.scalar(select(func.count(AuditEntry.id))),
        db.session.scalar(select(func.count(Person.id))),
    )


@pytest.mark.parametrize("outsider", ["curator_other", "curator_school2"])
def test_other_school_records_are_404(app, world, client, outsider):
    if outsider == "curator_school2":
        make_user("curator_school2", "curator", world.school2)
        db.session.commit()
    consent_id = world.teacher.consents[0].id
    pid = world.teacher.id
    login(client, outsider)
    before = _snapshot(world)
    requests = [
        ("GET", f"/participants/{pid}", None),
        ("GET", f"/participants/{pid}/row", None),
        ("GET", f"/participants/{pid}/edit", None),
        (
            "POST",
            f"/participants/{pid}/edit",
            {"kind": "staff", "last_name": "Взлом", "first_name": "А", "position": "учитель", "version": "1"},
        ),
        ("GET", f"/participants/{pid}/row/edit", None),
        ("POST", f"/participants/{pid}/row/edit", {"last_name": "Взлом", "first_name": "А", "version": "1"}),
        ("POST", f"/participants/{pid}/archive", {}),
        ("POST", f"/participants/{pid}/delete", {}),
        (
            "POST",
            f"/participants/{world.student.id}/guardians",
            {"last_name": "Х", "first_name": "У", "relation": "мать"},
        ),
        ("GET", f"/consents/new/{pid}", None),
        (
            "POST",
            f"/consents/new/{pid}",
            {
                "kind": "pd_processing",
                "signatory_relation": "сам(а)",
                "signatory_name": "Взлом",
                "signed_on": "01.09.2024",
            },
        ),
        ("GET", f"/consents/person/{pid}", None),
        ("GET", f"/consents/{consent_id}/withdraw", None),
        ("POST", f"/consents/{consent_id}/withdraw", {"withdrawn_on": "01.09.2024", "version": "1"}),
    ]
    for method, url, data in requests:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.open(url, method=method, data=data, headers=headers)
            assert response.status_code == 404, (outsider, method, url, headers, response.status_code)
            assert "Петрова".encode() not in response.data
    assert _snapshot(world) == before


def test_other_school_not_listed_or_filterable(world, as_user):
    client = as_user("curator_other")
    page = client.get("/participants/").get_data(as_text=True)
    assert "Чужой" in page and "Петрова" not in page
    assert client.get(f"/participants/?org={world.school.id}").status_code == 404
    assert client.get(f"/participants/export.xlsx?org={world.school.id}").status_code == 404


def test_municipal_sees_both_schools_of_its_authority(world, as_user):
    make_person(world.school2, last_name="Школьникова", first_name="Вера")
    db.session.commit()
    client = as_user("municipal")
    page = client.get("/participants/").get_data(as_text=True)
    assert "Петрова" in page and "Школьникова" in page
    assert "Чужой" not in page
    assert client.get(f"/participants/{world.other_teacher.id}").status_code == 404
    assert client.get(f"/participants/?org={world.other_school.id}").status_code == 404
    assert client.get(f"/participants/?org={world.school2.id}").status_code == 200
    # municipal reads but does not edit
    assert client.get(f"/participants/{world.teacher.id}/edit").status_code == 403


@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_mentor_and_mentee_see_only_own_record(world, as_user, role):
    user = world.users[role]
    own = user.person_id
    other = world.users["mentor" if role == "mentee" else "mentee"].person_id
    client = as_user(role)
    response = client.get(f"/participants/{own}")
    assert response.status_code == 200
    assert client.get(f"/participants/{other}").status_code == 404
    assert client.get(f"/participants/{world.student.id}").status_code == 404
    assert client.get(f"/participants/{world.other_teacher.id}").status_code == 404
    assert client.get("/participants/").status_code == 403
    assert client.get(f"/consents/person/{own}").status_code == 403


def test_consent_of_other_school_cannot_be_withdrawn_by_guessing(world, as_user):
    foreign = make_consent(world.other_teacher)
    db.session.commit()
    client = as_user("curator")
    response = client.post(
        f"/consents/{foreign.id}/withdraw", data={"withdrawn_on": "01.09.2024", "version": "1"}
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Consent, foreign.id).withdrawn_on is None
