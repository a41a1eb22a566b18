"""Issue 7: accounts for participants — admin links a person; the curator creates accounts one by one
and for a class or a bank, prints one-time slips, resets with a new code; everything is logged."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from nastavnik.audit.models import AuditEntry
from nastavnik.auth.models import SignInCode, User
from nastavnik.banks.models import MenteeProfile, MentorProfile
from nastavnik.extensions import db
from nastavnik.periods import AcademicYear
from nastavnik.timeutil import today, utcnow
from tests.conftest import login
from tests.factories import PASSWORD, make_consent, make_person, make_user

CODE = re.compile(r'class="slip-mono slip-code">([a-z0-9-]+)<')
LOGIN = re.compile(r'<dt>Логин</dt><dd class="slip-mono">([^<]+)<')


def _slips(response) -> list[tuple[str, str]]:
    html = response.get_data(as_text=True)
    return list(zip(LOGIN.findall(html), CODE.findall(html), strict=True))


NEW_PASSWORD = "lampa-sosna-7"  # noqa: S105 - test data


def _sign_in_with_code(client, login_name, code, password=NEW_PASSWORD):
    return client.post("/auth/code", data={"username": login_name, "code": code, "password": password,
                                           "confirm": password})


def _actions(user_id=None) -> list[str]:
    query = select(AuditEntry.action).where(AuditEntry.entity == "user_account").order_by(AuditEntry.id)
    if user_id is not None:
        query = query.where(AuditEntry.entity_id == user_id)
    return list(db.session.scalars(query))


# --- The admin links a person --------------------------------------------------------------------


def test_admin_links_and_unlinks_a_person_when_editing_a_user(world, as_user):
    admin = as_user("admin")
    observer = world.users["observer"]
    found = admin.post(f"/admin/users/{observer.id}/edit",
                       data={"display_name": "Observer", "person_q": "Петрова", "find": "1"})
    assert found.status_code == 200
    assert f'value="{world.teacher.id}"' in found.get_data(as_text=True)  # the search offers the person

    saved = admin.post(f"/admin/users/{observer.id}/edit",
                       data={"display_name": "Observer", "person_id": str(world.student.id)})
    assert saved.status_code == 303
    db.session.refresh(observer)
    assert observer.person_id == world.student.id

    unlinked = admin.post(f"/admin/users/{observer.id}/edit", data={"display_name": "Observer", "person_id": "0"})
    assert unlinked.status_code == 303
    db.session.refresh(observer)
    assert observer.person_id is None
    assert _actions(observer.id) == ["person_link", "person_unlink"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person_link"))
    assert entry.person_id == world.student.id and entry.org_id == world.school.id  # in the pupil's history


def test_admin_links_a_person_when_creating_a_user_and_the_mentee_sees_themself(world, as_user, app):
    admin = as_user("admin")
    pupil = make_person(world.school, kind="student", last_name="Новикова", first_name="Ева")
    make_consent(pupil)
    db.session.commit()
    response = admin.post("/admin/users", data={
        "username": "novikova", "display_name": "Новикова Ева", "password": "lampa-sosna-7", "role": "mentee",
        "org_id": world.school.id, "person_id": str(pupil.id)})
    assert response.status_code == 303, response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.username == "novikova"))
    assert user.person_id == pupil.id
    page = login(app.test_client(), "novikova", "lampa-sosna-7").get("/").get_data(as_text=True)
    assert "не указано, кто вы среди участников" not in page
    assert "Новикова Ева" in page


def test_no_link_without_a_valid_consent_nor_to_someone_elses_person(world, as_user):
    admin = as_user("admin")
    observer = world.users["observer"]
    no_consent = make_person(world.school, last_name="Безсогласия")
    db.session.commit()
    refused = admin.post(f"/admin/users/{observer.id}/edit",
                         data={"display_name": "Observer", "person_id": str(no_consent.id)})
    assert refused.status_code == 422
    assert "нет действующего согласия на обработку персональных данных" in refused.get_data(as_text=True)
    taken = admin.post(f"/admin/users/{observer.id}/edit",
                       data={"display_name": "Observer", "person_id": str(world.teacher.id)})  # the mentee's
    assert taken.status_code == 422
    assert "уже связан(а) с учётной записью «mentee»" in taken.get_data(as_text=True)
    db.session.refresh(observer)
    assert observer.person_id is None


# --- The curator: one account, the slip, the first sign-in ----------------------------------------


def test_curator_creates_an_account_and_the_person_sets_a_password_with_the_code(world, as_user, app):
    curator = as_user("curator")
    page = curator.get(f"/participants/{world.student.id}").get_data(as_text=True)
    assert "Создать учётную запись и напечатать листок" in page
    response = curator.post(f"/accounts/person/{world.student.id}")
    assert response.status_code == 200
    [(login_name, code)] = _slips(response)
    assert login_name == "sidorov.ms"
    html = response.get_data(as_text=True)
    assert "Сидоров Миша Сергеевич" in html and "/auth/code" in html and "Действует до" in html
    user = db.session.scalar(select(User).where(User.username == login_name))
    assert user.person_id == world.student.id and not user.has_password
    record = db.session.scalar(select(SignInCode).where(SignInCode.user_id == user.id))
    assert code.replace("-", "") not in record.code_hash  # stored hashed

    phone = app.test_client()
    assert phone.post("/auth/login", data={"username": login_name, "password": code}).status_code == 422
    weak = _sign_in_with_code(phone, login_name, code, "12345678")
    assert weak.status_code == 422 and 'id="password-error"' in weak.get_data(as_text=True)
    done = _sign_in_with_code(phone, login_name, code.upper().replace("-", " "))
    assert done.status_code == 303
    assert phone.get("/").status_code == 200
    again = _sign_in_with_code(app.test_client(), login_name, code, "another-lampa-9")
    assert again.status_code == 422  # single use
    assert login(app.test_client(), login_name, "lampa-sosna-7")
    assert _actions(user.id) == ["account_create", "code_issue", "password_set"]


def test_an_expired_code_does_not_work(world, as_user, app):
    response = as_user("curator").post(f"/accounts/person/{world.student.id}")
    [(login_name, code)] = _slips(response)
    record = db.session.scalar(select(SignInCode))
    record.expires_at = utcnow().replace(year=2000)
    db.session.commit()
    refused = _sign_in_with_code(app.test_client(), login_name, code)
    assert refused.status_code == 422
    assert "срок кода истёк" in refused.get_data(as_text=True)


def test_wrong_codes_are_throttled_like_passwords(world, as_user, app):
    as_user("curator").post(f"/accounts/person/{world.student.id}")
    phone = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _sign_in_with_code(phone, "sidorov.ms", "aaaa-bbbb-cccc").status_code == 422
    assert _sign_in_with_code(phone, "sidorov.ms", "aaaa-bbbb-cccc").status_code == 429


def test_no_account_without_a_valid_consent(world, as_user):
    curator = as_user("curator")
    no_consent = make_person(world.school, kind="student", last_name="Безсогласия", class_name="7Б")
    db.session.commit()
    page = curator.get(f"/participants/{no_consent.id}").get_data(as_text=True)
    assert "Учётную запись создать нельзя: нет действующего согласия" in page
    response = curator.post(f"/accounts/person/{no_consent.id}")
    assert response.status_code == 303
    assert db.session.scalar(select(User).where(User.person_id == no_consent.id)) is None


# --- Roles ------------------------------------------------------------------------------------------


def test_roles_follow_the_banks(world, as_user):
    mentor = make_person(world.school, last_name="Опытная", first_name="Вера")
    mentee = make_person(world.school, last_name="Молодой", first_name="Иван")
    for person in (mentor, mentee):
        make_consent(person)
    db.session.add(MentorProfile(person_id=mentor.id, org_id=world.school.id, kind_codes="teacher_teacher"))
    db.session.add(MenteeProfile(person_id=mentee.id, org_id=world.school.id, kind_code="teacher_teacher",
                                 academic_year=AcademicYear.of(today()).start_year))
    db.session.commit()
    curator = as_user("curator")
    for person, role in ((mentor, "mentor"), (mentee, "mentee"), (world.student, None)):
        curator.post(f"/accounts/person/{person.id}")
        user = db.session.scalar(select(User).where(User.person_id == person.id))
        assert [(r.role, r.org_id) for r in user.roles] == ([(role, world.school.id)] if role else [])


# --- In bulk: a class, a bank --------------------------------------------------------------------------


def test_accounts_for_a_whole_class_print_one_slip_each(world, as_user):
    classmates = [make_person(world.school, kind="student", last_name=f"Ученик{n}", class_name="7Б")
                  for n in range(3)]
    for person in classmates[:2]:
        make_consent(person)
    other_class = make_person(world.school, kind="student", class_name="8А")
    make_consent(other_class)
    db.session.commit()
    curator = as_user("curator")
    preview = curator.get(f"/accounts/batch?org={world.school.id}&group=class:7Б")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "не создаётся: нет действующего согласия" in text  # Ученик2
    assert "Создать 3 учётные записи" in text  # Сидоров and two classmates with consent

    response = curator.post("/accounts/batch", data={"org": world.school.id, "group": "class:7Б"})
    slips = _slips(response)
    assert len(slips) == 3
    assert len({code for _, code in slips}) == 3
    linked = set(db.session.scalars(select(User.person_id).where(User.person_id.is_not(None))))
    assert {p.id for p in classmates[:2]} | {world.student.id} <= linked
    assert classmates[2].id not in linked and other_class.id not in linked

    again = curator.post("/accounts/batch", data={"org": world.school.id, "group": "class:7Б"})
    assert again.status_code == 303  # nobody new: no second account for anyone
    reissued = curator.post("/accounts/batch", data={"org": world.school.id, "group": "class:7Б", "reissue": "1"})
    assert len(_slips(reissued)) == 3  # nobody has signed in yet: new codes for all three


def test_accounts_for_a_bank_of_mentees(world, as_user):
    year = AcademicYear.of(today()).start_year
    db.session.add(MenteeProfile(person_id=world.teacher.id, org_id=world.school.id, kind_code="teacher_teacher",
                                 academic_year=year))
    young = make_person(world.school, last_name="Юная", first_name="Ника")
    make_consent(young)
    db.session.add(MenteeProfile(person_id=young.id, org_id=world.school.id, kind_code="teacher_teacher",
                                 academic_year=year))
    db.session.commit()
    curator = as_user("curator")
    index = curator.get("/accounts/").get_data(as_text=True)
    assert "group=mentees:teacher_teacher" in index
    response = curator.post("/accounts/batch", data={"org": world.school.id, "group": "mentees:teacher_teacher"})
    assert [login_name for login_name, _ in _slips(response)] == ["iunaia.ns"]  # Петрова already has «mentee»


# --- Resets and who manages what ----------------------------------------------------------------


def test_curator_reset_gives_a_new_code_ends_sessions_and_is_logged(world, as_user, app):
    mentee = world.users["mentee"]
    session = login(app.test_client(), "mentee")
    curator = as_user("curator")
    response = curator.post(f"/accounts/{mentee.id}/code")
    [(login_name, code)] = _slips(response)
    assert login_name == "mentee"
    assert session.get("/").status_code == 302  # the open session ended
    assert app.test_client().post("/auth/login", data={"username": "mentee", "password": PASSWORD}).status_code == 422
    assert _sign_in_with_code(app.test_client(), "mentee", code).status_code == 303
    assert _actions(mentee.id) == ["password_reset", "password_set"]
    log = curator.get("/audit/").get_data(as_text=True)
    assert "сброс пароля" in log and "пароль задан по коду" in log and "учётная запись" in log


@pytest.mark.parametrize("role", ["director", "curator", "municipal", "admin"])
def test_curator_never_manages_higher_roles(world, as_user, role):
    staff = make_person(world.school, last_name="Завуч")
    make_consent(staff)
    user = make_user(f"staff_{role}", role, world.school, person=staff)
    db.session.commit()
    curator = as_user("curator")
    assert "управляет администратор" in curator.get(f"/participants/{staff.id}").get_data(as_text=True)
    assert curator.post(f"/accounts/{user.id}/code").status_code == 404
    assert curator.post(f"/accounts/{user.id}/active", data={"active": "0"}).status_code == 404
    db.session.refresh(user)
    assert user.has_password and user.is_active_account


def test_other_schools_are_404(world, as_user):
    other = world.other_teacher
    make_consent(other)
    foreign = make_user("foreign", "mentee", world.other_school, person=other)
    db.session.commit()
    curator = as_user("curator")
    assert curator.post(f"/accounts/person/{other.id}").status_code == 404
    assert curator.post(f"/accounts/{foreign.id}/code").status_code == 404
    assert curator.get(f"/accounts/?org={world.other_school.id}").status_code == 404
    assert curator.get(f"/accounts/batch?org={world.other_school.id}&group=class:7Б").status_code == 404


def test_mentors_and_mentees_have_no_account_pages(world, as_user):
    for role in ("mentor", "mentee", "observer"):
        client = as_user(role)
        assert client.get("/accounts/").status_code == 403
        client.post("/auth/logout")


def test_switching_off_ends_sessions_and_is_logged(world, as_user, app):
    mentee = world.users["mentee"]
    session = login(app.test_client(), "mentee")
    curator = as_user("curator")
    assert curator.post(f"/accounts/{mentee.id}/active", data={"active": "0"}).status_code == 303
    assert session.get("/").status_code == 302
    assert curator.post(f"/accounts/{mentee.id}/active", data={"active": "1"}).status_code == 303
    assert _actions(mentee.id) == ["account_disable", "account_enable"]


def test_admin_password_reset_is_logged(world, as_user):
    curator = world.users["curator"]
    as_user("admin").post(f"/admin/users/{curator.id}", data={"password": "lampa-sosna-7", "confirm": "lampa-sosna-7"})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "user_account",
                                                       AuditEntry.entity_id == curator.id))
    assert (entry.action, entry.actor, entry.changes) == ("password_reset", "Admin", {"login": [None, "curator"]})
