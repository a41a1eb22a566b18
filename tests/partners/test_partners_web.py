"""Partners plugin pages: the curator's path, access (404 outside the scope), uploads, the plugin disabled."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from nastavnik.app import create_app
from nastavnik.banks.models import MentorProfile
from nastavnik.config import TestingConfig
from nastavnik.extensions import db
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.timeutil import today
from plugins.partners.models import Activity, Agreement, PartnerMentor
from plugins.student_student import plugin as student_student
from plugins.teacher_teacher import plugin as teacher_teacher
from tests.conftest import login
from tests.factories import make_org, make_user
from tests.partners.helpers import KIND, make_agreement, make_partner, make_partner_mentor

PDF = b"%PDF-1.4\n% a tiny pdf\n"


def test_curator_adds_agreement_with_file_and_mentor_into_the_bank(curator, world):
    partner = make_partner(world.municipality)
    db.session.commit()
    response = curator.post(f"/p/partners/{partner.id}/agreements/new", data={
        "school_id": world.school.id, "number": "7-С", "signed_on": today().strftime("%d.%m.%Y"),
        "starts_on": today().strftime("%d.%m.%Y"), "ends_on": (today() + timedelta(days=365)).strftime("%d.%m.%Y"),
        "subject": "Профориентация и наставничество", "kind_codes": [KIND],
        "file": (io.BytesIO(PDF), "соглашение.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 303
    agreement = db.session.scalar(select(Agreement))
    assert agreement.org_id == world.school.id and agreement.kinds == [KIND]
    assert agreement.state_on(today()) == "live"
    download = curator.get(f"/p/partners/agreements/{agreement.id}/file")
    assert download.status_code == 200 and download.data == PDF
    page = curator.get(f"/p/partners/{partner.id}").get_data(as_text=True)
    assert "№ 7-С" in page and "действует" in page

    response = curator.post(f"/p/partners/{partner.id}/mentors/new", data={
        "last_name": "Громов", "first_name": "Виктор", "post": "инженер",
        "record_check_on": (today() - timedelta(days=5)).strftime("%d.%m.%Y"),
    })
    assert response.status_code == 422  # a справка without its validity is refused at the field
    assert "Укажите, до какого дня действительна справка." in response.get_data(as_text=True)
    response = curator.post(f"/p/partners/{partner.id}/mentors/new", data={
        "last_name": "Громов", "first_name": "Виктор", "post": "инженер",
        "record_check_on": (today() - timedelta(days=5)).strftime("%d.%m.%Y"),
        "record_check_until": (today() + timedelta(days=360)).strftime("%d.%m.%Y"),
    })
    assert response.status_code == 303
    mentor = db.session.scalar(select(PartnerMentor))
    assert mentor.person.kind == "partner_employee" and mentor.person.org_id == partner.id
    refused = curator.post(f"/p/partners/mentors/{mentor.id}/bank", data={"capacity": 2}, follow_redirects=True)
    assert "нет действующего согласия" in refused.get_data(as_text=True)  # the core's rule, unchanged
    curator.post(f"/p/partners/mentors/{mentor.id}/consents", data={
        "kind": "pd_processing", "signed_on": today().strftime("%d.%m.%Y")})
    curator.post(f"/p/partners/mentors/{mentor.id}/bank", data={"capacity": 2})
    profile = db.session.scalar(select(MentorProfile))
    assert profile.person_id == mentor.person_id and profile.capacity == 2 and KIND in profile.kinds
    assert [t.title for t in profile.tags] == ["электротехника", "энергетика"]  # the partner's areas


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("вирус.exe", b"MZ...", "Недопустимый тип файла"),
        ("скан.pdf", b"not a pdf", "не похоже на PDF"),
        ("огромный.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024 + 1), "слишком большой"),
    ],
)
def test_agreement_file_is_bounded(curator, world, name, data, message):
    partner = make_partner(world.municipality)
    db.session.commit()
    response = curator.post(f"/p/partners/{partner.id}/agreements/new", data={
        "school_id": world.school.id, "number": "1", "signed_on": today().strftime("%d.%m.%Y"),
        "starts_on": today().strftime("%d.%m.%Y"), "subject": "s", "file": (io.BytesIO(data), name),
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Agreement)) is None  # nothing half-written


def test_terminating_sets_the_state(curator, world):
    partner = make_partner(world.municipality)
    agreement = make_agreement(world.school, partner)
    db.session.commit()
    response = curator.post(f"/p/partners/agreements/{agreement.id}/terminate", data={
        "terminated_on": today().strftime("%d.%m.%Y"), "termination_reason": "по соглашению сторон",
        "version": agreement.version})
    assert response.status_code == 303
    assert db.session.get(Agreement, agreement.id).state_on(today()) == "terminated"
    stale = curator.post(f"/p/partners/agreements/{agreement.id}/edit", data={
        "number": "2", "signed_on": today().strftime("%d.%m.%Y"), "starts_on": today().strftime("%d.%m.%Y"),
        "subject": "s", "version": 1})
    assert stale.status_code == 409  # the page was opened before the termination


# ---------------------------------------------------------------- access


@pytest.fixture
def others(world):
    """A partner of another municipality; an agreement, an activity and a mentor of another school."""
    foreign = make_partner(world.other_municipality, "Чужой район")
    foreign_mentor = make_partner_mentor(foreign, "Чужаков", in_bank=False)
    shared = make_partner(world.municipality, "Общий")
    school2_agreement = make_agreement(world.school2, shared, number="2-С", file_name="x.pdf", file_content=PDF)
    foreign_agreement = make_agreement(world.other_school, foreign, number="3-С")
    activity = Activity(org_id=world.school2.id, kind="excursion", title="Чужая экскурсия", held_on=today(), participants=3)
    db.session.add(activity)
    db.session.commit()
    return dict(foreign=foreign, foreign_mentor=foreign_mentor, shared=shared, school2_agreement=school2_agreement,
                foreign_agreement=foreign_agreement, activity=activity)


def test_other_schools_and_municipalities_answer_404(curator, world, others):
    foreign, shared = others["foreign"], others["shared"]
    for url in [
        f"/p/partners/{foreign.id}", f"/p/partners/{foreign.id}/edit", f"/p/partners/{foreign.id}/agreements/new",
        f"/p/partners/{foreign.id}/mentors/new", f"/p/partners/mentors/{others['foreign_mentor'].id}",
        f"/p/partners/agreements/{others['school2_agreement'].id}/edit",
        f"/p/partners/agreements/{others['school2_agreement'].id}/file",
        f"/p/partners/agreements/{others['foreign_agreement'].id}/terminate",
        f"/p/partners/activities/{others['activity'].id}/edit",
        f"/participants/{others['foreign_mentor'].person_id}",
        f"/p/partners/{world.school.id}",  # a school is not a partner
    ]:
        assert curator.get(url).status_code == 404, url
    # The municipal register is shared: the partner is seen, but not school 4's agreement with it.
    page = curator.get(f"/p/partners/{shared.id}").get_data(as_text=True)
    assert "Общий" in page and "2-С" not in page
    assert "Чужой район" not in curator.get("/p/partners/").get_data(as_text=True)
    assert "Чужая экскурсия" not in curator.get("/p/partners/activities").get_data(as_text=True)


def test_roles(client, world, others):
    shared = others["shared"]
    mentor = make_partner_mentor(shared, "Виден", in_bank=False)
    db.session.commit()
    login(client, "observer")
    assert client.get(f"/p/partners/{shared.id}").status_code == 200
    assert client.get(f"/participants/{mentor.person_id}").status_code == 200  # through the visibility hook
    assert client.get(f"/p/partners/{shared.id}/edit").status_code == 403
    client.post("/auth/logout")
    login(client, "mentor")
    assert client.get("/p/partners/").status_code == 403
    client.post("/auth/logout")
    login(client, "municipal")
    assert client.get(f"/p/partners/agreements/{others['school2_agreement'].id}/file").status_code == 200
    assert client.get(f"/p/partners/{others['foreign'].id}").status_code == 404


# ---------------------------------------------------------------- the plugin disabled


def test_disabled_plugin_leaves_the_app_running_and_says_so(tmp_path, world, app):
    """Data made with the plugin on, read by an app with the plugin off (same database)."""
    partner = make_partner(world.municipality)
    mentor = make_partner_mentor(partner, in_bank=False)
    pair = Pair(org_id=world.school.id, kind_code=KIND, status="active", academic_year=2025, starts_on=today())
    pair.members = [PairMember(person_id=mentor.person_id, role="mentor"), PairMember(person_id=world.student.id, role="mentee")]
    db.session.add(pair)
    db.session.commit()
    config = {k: v for k, v in vars(TestingConfig).items() if k.isupper()}
    config["DISABLED_PLUGINS"] = ("partners",)
    if db.engine.dialect.name == "sqlite":  # an in-memory database lives in its one connection: share it
        shared = db.engine.raw_connection().driver_connection
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"creator": lambda: shared}
    from plugins.partners import plugin as partners

    off = create_app(config, plugins=[teacher_teacher, student_student, partners])
    state = off.extensions["nastavnik"]
    assert state.infos["partners"].state == "disabled"
    assert KIND not in state.registry.kinds
    assert not any(rule.rule.startswith("/p/partners") for rule in off.url_map.iter_rules())
    with off.app_context():
        client = off.test_client()
        login(client, "curator")
        page = client.get(f"/pairs/{pair.id}")
        assert page.status_code == 200
        assert "employer_pupil (плагин не установлен)" in page.get_data(as_text=True)
        assert "плагин не установлен" in client.get("/pairs/").get_data(as_text=True)
        assert client.get("/").status_code == 200
        assert client.get(f"/p/partners/{partner.id}").status_code == 404


def test_disabled_plugin_adds_no_permission(world):
    config = {k: v for k, v in vars(TestingConfig).items() if k.isupper()} | {"DISABLED_PLUGINS": ("partners",)}
    off = create_app(config, plugins=[teacher_teacher, student_student])
    assert "partners.view" not in off.extensions["nastavnik"].permissions.get("curator", set())


def test_new_school_user_sees_only_their_register(client, world):
    """A user of a school in another municipality, made after the partner, sees none of it."""
    make_partner(world.municipality, "Только Кежемский")
    school = make_org(name="Школа Другого района", parent=world.other_municipality)
    make_user("newcurator", "curator", school)
    db.session.commit()
    login(client, "newcurator")
    assert "Только Кежемский" not in client.get("/p/partners/").get_data(as_text=True)
