"""``flask nastavnik create-admin`` and ``flask nastavnik demo``."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from nastavnik.auth.models import RoleAssignment, User
from nastavnik.consents.services import consent_state
from nastavnik.demo import DEMO_PASSWORD
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.participants.models import Person
from nastavnik.timeutil import today
from tests.conftest import ROLES, login


def test_create_admin_refuses_short_password(app, runner):
    result = runner.invoke(args=["nastavnik", "create-admin", "--username", "boss", "--password", "short"])
    assert result.exit_code != 0
    assert "Пароль слишком короткий: нужно не меньше 8 символов." in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_admin_creates_a_working_admin(app, runner, client):
    result = runner.invoke(
        args=["nastavnik", "create-admin", "--username", "boss"], input="long-enough-1\nlong-enough-1\n"
    )
    assert result.exit_code == 0, result.output
    assert "Администратор «boss» создан." in result.output
    user = db.session.scalar(select(User).where(User.username == "boss"))
    assert "long-enough-1" not in user.password_hash
    [role] = user.roles
    assert role.role == "admin" and role.org.parent_id is None  # a root organisation was made
    login(client, "boss", "long-enough-1")
    assert client.get("/admin/plugins").status_code == 200
    assert client.get("/admin/users").status_code == 200


def test_create_admin_uses_existing_root_and_refuses_duplicates(app, world, runner):
    result = runner.invoke(
        args=["nastavnik", "create-admin", "--username", "boss2", "--password", "long-enough-2"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "boss2"))
    assert user.roles[0].org_id == world.region.id
    again = runner.invoke(
        args=["nastavnik", "create-admin", "--username", "boss2", "--password", "long-enough-2"]
    )
    assert again.exit_code != 0 and "уже есть" in again.output


def test_demo_builds_a_municipality(app, runner, client):
    result = runner.invoke(args=["nastavnik", "demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output

    schools = db.session.scalars(select(Organisation).where(Organisation.kind == "school")).all()
    assert len(schools) == 2
    assert {o.kind for o in db.session.scalars(select(Organisation))} >= {
        "region",
        "municipality",
        "authority",
    }
    kinds = Counter(db.session.scalars(select(Person.kind)))
    assert 35 <= kinds["staff"] <= 45
    assert 180 <= kinds["student"] <= 220
    assert kinds["parent"] > 0

    roles = set(db.session.scalars(select(RoleAssignment.role)))
    assert roles >= set(ROLES)
    usernames = set(db.session.scalars(select(User.username)))
    for username in usernames:
        assert username in result.output  # every login is printed

    people = db.session.scalars(select(Person).where(Person.kind != "parent")).all()
    states = Counter(consent_state(p, today(), app.config["CONSENT_EXPIRING_DAYS"]) for p in people)
    assert set(states) == {"valid", "expiring", "expired", "withdrawn", "missing"}
    assert states["valid"] > len(people) / 2

    # the printed logins work, and a mentor/mentee account is linked to a person
    for role in ("mentor", "mentee"):
        user = db.session.scalar(select(User).where(User.username == role))
        assert user.person_id is not None
    login(client, "curator", DEMO_PASSWORD)
    assert client.get("/participants/").status_code == 200


def test_demo_refuses_a_filled_database(app, world, runner):
    before = db.session.scalar(select(func.count(Person.id)))
    result = runner.invoke(args=["nastavnik", "demo"])
    assert result.exit_code != 0
    assert "База не пуста" in result.output
    assert db.session.scalar(select(func.count(Person.id))) == before


def test_demo_if_empty_is_a_noop_on_filled_db(app, world, runner):
    before = db.session.scalar(select(func.count(Person.id)))
    result = runner.invoke(args=["nastavnik", "demo", "--if-empty"])
    assert result.exit_code == 0
    assert "уже загружены" in result.output
    assert db.session.scalar(select(func.count(Person.id))) == before


def test_demo_if_empty_still_prints_the_logins(app, world, runner):
    result = runner.invoke(args=["nastavnik", "demo", "--if-empty"])
    assert DEMO_PASSWORD in result.output
    assert "curator" in result.output and "mentee" in result.output


def test_demo_banks_and_a_live_pair_for_the_demo_mentor(app, runner, client):
    from nastavnik.banks.models import MenteeProfile, MentorProfile
    from nastavnik.consents.services import has_valid_consent
    from nastavnik.pairs.models import Pair, PairMember
    from nastavnik.programmes.models import Meeting, Programme

    assert runner.invoke(args=["nastavnik", "demo"]).exit_code == 0
    mentees = db.session.scalars(select(MenteeProfile)).all()
    mentors = db.session.scalars(select(MentorProfile)).all()
    assert mentees and mentors
    assert all(has_valid_consent(p.person, today()) for p in mentees + mentors)  # banks need consent

    mentor_user = db.session.scalar(select(User).where(User.username == "mentor"))
    mentee_user = db.session.scalar(select(User).where(User.username == "mentee"))
    # The demo mentor's pair (the demo has more; PostgreSQL returns unordered rows in any order).
    pair = db.session.scalar(select(Pair).join(PairMember).where(PairMember.person_id == mentor_user.person_id))
    assert pair.status == "active" and pair.order is not None
    assert [m.person_id for m in pair.mentors] == [mentor_user.person_id]
    assert [m.person_id for m in pair.mentees] == [mentee_user.person_id]
    assert pair.mentors[0].person_id in {m.person_id for m in mentors if m.load == 1}
    programme = db.session.scalar(select(Programme).where(Programme.pair_id == pair.id))
    assert programme is not None and programme.items
    assert db.session.scalar(select(func.count(Meeting.id)).where(Meeting.pair_id == pair.id)) == 1

    login(client, "mentor", DEMO_PASSWORD)
    assert f"/pairs/{pair.id}" in client.get("/").data.decode()  # the mentor reaches the pair from the dashboard


def test_demo_hands_its_world_to_plugins(tmp_path):
    from nastavnik.app import create_app
    from nastavnik.config import TestingConfig
    from plugins.teacher_teacher import plugin as teacher_teacher
    from tests.plugins_fixtures import demo_adder

    demo_adder.SEEN.clear()
    app = create_app(TestingConfig, plugins=[teacher_teacher, demo_adder])
    with app.app_context():
        db.create_all()
        try:
            result = app.test_cli_runner().invoke(args=["nastavnik", "demo"])
            assert result.exit_code == 0, result.output
        finally:
            db.session.remove()
            db.drop_all()
    [(schools, users, students)] = demo_adder.SEEN
    assert schools == 2 and students == 200 and {"curator", "mentor", "mentee"} <= set(users)
