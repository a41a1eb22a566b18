"""What a scanner sends gets an answer, never a 500: junk versions, ids too large, oversized fields.

The scanner of issue 12 got 81 answers of 500. Each test here walks the routes the way it did.
"""

from __future__ import annotations

import re

import pytest
from flask import url_for
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from nastavnik.audit.models import AuditEntry
from nastavnik.banks.models import MenteeProfile, MentorProfile
from nastavnik.consents.models import Consent
from nastavnik.extensions import db
from nastavnik.participants.models import Person
from nastavnik.programmes.models import Programme
from nastavnik.versioning import UNKNOWN, parse_version
from nastavnik.web.converters import MAX_ID
from tests.banks.test_matching_web import make_mentee, make_mentor
from tests.conftest import login
from tests.hostile.forms import form_with, page_forms
from tests.programmes.conftest import make_pair, make_programme

HX = {"HX-Request": "true"}
HUGE = "99999999999999999999"  # past 64 bits: OverflowError in SQLite, «out of range» in PostgreSQL
JUNK_VERSIONS = ["abc", "1.5", "-", "１", HUGE, "-99999999999999999999", "1e3", "0x10", " ", "NaN"]


@pytest.fixture
def records(world):
    mentor = db.session.get(Person, world.users["mentor"].person_id)
    pair = make_pair(world.school, mentor, world.teacher)
    programme = make_programme(pair)
    mentee_profile = make_mentee(world.school, "Банкова")
    mentor_profile = make_mentor(world.school, "Опытнова", capacity=2)
    db.session.commit()
    return {
        "person": world.teacher,
        "consent": world.teacher.consents[0],
        "programme": programme,
        "mentee": mentee_profile,
        "mentor": mentor_profile,
    }


# The six edit routes of the finding, and the participants' row edit beside them:
# (name, page with the form, url posted to, model, headers).
EDIT_ROUTES = [
    ("participant", "/participants/{person}/edit", Person, "person"),
    ("participant_row", "/participants/{person}/row/edit", Person, "person"),
    ("mentee_entry", "/banks/mentees/{mentee}/edit", MenteeProfile, "mentee"),
    ("mentor_entry", "/banks/mentors/{mentor}/edit", MentorProfile, "mentor"),
    ("programme", "/programmes/{programme}/edit", Programme, "programme"),
    ("programme_complete", "/programmes/{programme}/complete", Programme, "programme"),
    ("consent_withdraw", "/consents/{consent}/withdraw", Consent, "consent"),
]
# What the served form leaves empty but must be filled for the edit to be otherwise valid.
FILL = {"programme_complete": {"reflection": "Итоги подведены.", "confirm_open": "y"}}


def _url(template: str, records) -> str:
    return template.format(**{key: record.id for key, record in records.items()})


def _state(model, record_id):
    db.session.expire_all()
    record = db.session.get(model, record_id)
    columns = [column.key for column in model.__table__.columns]
    return {key: getattr(record, key) for key in columns}, db.session.scalar(select(func.count(AuditEntry.id)))


@pytest.mark.parametrize(("name", "template", "model", "key"), EDIT_ROUTES, ids=[r[0] for r in EDIT_ROUTES])
def test_junk_version_is_a_conflict_with_a_message(app, records, as_user, name, template, model, key):
    client = as_user("curator")
    url = _url(template, records)
    headers = {"HX-Request": "true"} if name == "participant_row" else {}
    page = client.get(url, headers=headers)
    assert page.status_code == 200
    form = form_with(page.get_data(as_text=True), url, "version")
    before = _state(model, records[key].id)
    for junk in [*JUNK_VERSIONS, None]:
        data = form.data(version=junk, **FILL.get(name, {}))
        if junk is None:
            del data["version"]
        response = client.post(url, data=data, headers=headers)
        assert response.status_code == 409, (name, junk, response.status_code)
        html = response.get_data(as_text=True)
        assert re.search(r"изменил другой пользователь|обновите страницу", html, re.IGNORECASE), html[:2000]
        assert _state(model, records[key].id) == before  # nothing written, not even an audit entry


@pytest.mark.parametrize(("name", "template", "model", "key"), EDIT_ROUTES, ids=[r[0] for r in EDIT_ROUTES])
def test_the_forms_own_version_still_saves(app, records, as_user, name, template, model, key):
    """The guard above must not refuse honest edits: the form as served saves."""
    client = as_user("curator")
    url = _url(template, records)
    headers = {"HX-Request": "true"} if name == "participant_row" else {}
    form = form_with(client.get(url, headers=headers).get_data(as_text=True), url, "version")
    data = form.data(**FILL.get(name, {}))
    response = client.post(url, data=data, headers=headers)
    assert response.status_code in (200, 303), (name, response.status_code, response.get_data(as_text=True)[:1500])


def test_parse_version():
    assert parse_version(None) is None and parse_version("") is None and parse_version("  ") is None
    assert parse_version("7") == 7 and parse_version(" 7 ") == 7 and parse_version(3) == 3
    for junk in ("abc", "1.5", HUGE, "-1", "1e3", "１", "NaN", 2**40):
        assert parse_version(junk) == UNKNOWN, junk


# --- ids too large for the database ---------------------------------------------------------------


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        ints = [arg for arg, converter in rule._converters.items() if isinstance(converter, IntegerConverter)]
        if ints:
            yield rule, ints


def test_every_id_argument_is_a_bounded_int(app):
    """No route takes an id with a converter that would let a huge number through (<id>, <path:id>)."""
    unbounded = [
        (rule.rule, arg)
        for rule in app.url_map.iter_rules()
        for arg, converter in rule._converters.items()
        if arg.endswith("_id") and not (isinstance(converter, IntegerConverter) and converter.max == MAX_ID)
    ]
    assert unbounded == []


def test_huge_id_is_404_on_every_id_route(app, world, as_user):
    client = as_user("curator")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is counted as the 500 a user would see
    rules = list(_int_rules(app))
    assert len(rules) > 40  # the walk really covers the app's id routes
    wrong = []
    for rule, ints in rules:
        values = {arg: 1 for arg in rule.arguments}
        for arg in ints:  # the huge value in each position, since another id may be checked first
            huge_path = _path_with(app, rule, values, arg)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                status = client.open(huge_path, method=method, data={}).status_code
                if status != 404:
                    wrong.append((rule.rule, arg, method, status))
    assert wrong == []


def _path(app, rule, values) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _path_with(app, rule, values, huge_arg) -> str:
    """The URL with ``huge_arg`` set to HUGE (url_for refuses it, so it is put in by hand)."""
    marker = 7_654_321
    path = _path(app, rule, {**values, huge_arg: marker})
    assert str(marker) in path
    return path.replace(str(marker), HUGE)


# --- the outside scanner ----------------------------------------------------------------------------

OVERSIZED = "Я" * 70_000
JUNK_QUERY = {
    "org": HUGE,
    "org_id": HUGE,
    "page": HUGE,
    "kind": "<script>",
    "q": OVERSIZED[:5000],
    "year": HUGE,
    "status": "x" * 300,
    "person": HUGE,
    "pair": HUGE,
}


def _junk_form(fields: dict[str, list[str]]) -> list[dict]:
    """Variants of a real form: every field huge; every field a number past 64 bits; every field -1 and a junk version."""
    oversized = {name: OVERSIZED for name in fields if name not in ("csrf_token",)}
    numbers = {name: HUGE for name in fields}
    return [
        {**fields, **oversized},
        {**fields, **numbers},
        {**fields, **{name: "-1" for name in fields}, "version": "abc"},
    ]


def test_scanner_as_curator_gets_no_500(app, world, records, as_user):
    client = as_user("curator")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    crashes = []

    def probe(method, url, **kwargs):
        response = client.open(url, method=method, **kwargs)
        if response.status_code >= 500:
            crashes.append((method, url[:120], response.status_code))
        return response

    ids = {
        "person_id": records["person"].id,
        "consent_id": records["consent"].id,
        "programme_id": records["programme"].id,
        "profile_id": records["mentee"].id,
        "pair_id": records["programme"].pair_id,
        "org_id": world.school.id,
        "school_id": world.school.id,
        "student_id": world.student.id,
    }
    seen = 0
    posted = set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule)):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static") or rule.endpoint == "auth.logout":
            continue
        url = _path(app, rule, {arg: ids.get(arg, 1) for arg in rule.arguments})
        seen += 1
        if "GET" in rule.methods:
            probe("GET", url, query_string=JUNK_QUERY)
            for headers in ({}, HX):
                clean = probe("GET", url, headers=headers)  # the forms as a user gets them
                html = clean.get_data(as_text=True) if clean.mimetype == "text/html" else ""
                for form in page_forms(html, url):
                    key = (form.action, tuple(sorted(form.fields)))
                    if form.method != "POST" or key in posted or form.action.endswith("/logout"):
                        continue
                    posted.add(key)
                    for data in _junk_form(form.fields):
                        probe("POST", form.action, data=data, headers=headers)
        if "POST" in rule.methods:
            probe("POST", url, data={name: HUGE for name in ("org_id", "person_id", "version", "kind", "id")})
            probe("POST", url, data={"version": "abc", "title": OVERSIZED, "name": OVERSIZED})
    assert seen > 80 and len(posted) > 30
    assert crashes == [], "\n".join(map(str, crashes))


def test_scanner_leaves_the_world_as_it_was(app, world, records, as_user):
    """The junk above is refused, not stored: a huge surname never lands in the database."""
    client = as_user("curator")
    url = f"/participants/{world.teacher.id}/edit"
    form = form_with(client.get(url).get_data(as_text=True), url, "version")
    response = client.post(url, data=form.data(last_name=OVERSIZED))
    assert response.status_code == 422
    assert "Значение не должно содержать более 100 символов." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, world.teacher.id).last_name == "Петрова"
    assert db.session.scalar(select(func.max(func.length(Person.last_name)))) < 100


def test_login_with_a_huge_org_in_session_is_not_500(app, world, client):
    login(client, "curator")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for path in ("/participants/", "/banks/mentees", "/programmes/", "/roadmaps/", "/"):
        assert client.get(path, query_string={"org": HUGE, "page": HUGE}).status_code < 500, path


def test_get_or_404_refuses_ids_past_the_column_without_asking_the_database(app, world):
    from werkzeug.exceptions import NotFound

    from nastavnik import access

    with app.test_request_context():
        for junk in (2**31, 10**20, 0, -1, "1"):
            with pytest.raises(NotFound):
                access.get_or_404(Person, junk, "participants.view")


def test_a_matching_exclusion_with_unknown_people_is_404_and_the_settings_page_survives(app, world, as_user):
    """The scanner stored an exclusion for person -1; the settings page then failed for good."""
    from nastavnik.banks.models import MatchExclusion

    client = as_user("curator")
    url = f"/banks/settings/exclusions?org={world.school.id}&kind=teacher_teacher"
    for mentee, mentor in ((HUGE, HUGE), ("-1", "-1"), ("-1", str(world.teacher.id)), ("abc", "")):
        response = client.post(url, data={"mentee_person_id": mentee, "mentor_person_id": mentor})
        assert response.status_code == 404, (mentee, mentor)
    assert db.session.scalar(select(func.count(MatchExclusion.id))) == 0
    assert client.get(f"/banks/settings?org={world.school.id}&kind=teacher_teacher").status_code == 200


def test_junk_version_on_never_saved_matching_settings_is_a_conflict(app, world, as_user):
    client = as_user("curator")
    url = f"/banks/settings?org={world.school.id}&kind=teacher_teacher"
    form = form_with(client.get(url).get_data(as_text=True), url, "version")
    response = client.post(url, data=form.data(version="abc"))
    assert response.status_code == 409
    assert "Настройки изменил другой пользователь" in response.get_data(as_text=True)


@pytest.mark.own_app  # adds a route
def test_a_number_past_the_column_anywhere_in_a_query_is_404(app, world, as_user):
    """The net behind the converter and db_id: an id from anywhere that reaches a query."""
    from nastavnik import access

    def probe():
        return str(db.session.get(Person, 10**20))

    app.add_url_rule("/probe-overflow", "probe_overflow", access.login_only(probe))
    client = as_user("curator")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/probe-overflow")
    assert response.status_code == 404
    assert "Страница или запись не найдена" in response.get_data(as_text=True)
