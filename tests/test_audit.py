"""The audit log: who changed which personal data, in the same transaction as the change."""

from __future__ import annotations

from sqlalchemy import func, select

from nastavnik.audit.models import AuditEntry
from nastavnik.audit.services import acting_as
from nastavnik.consents.models import Consent
from nastavnik.extensions import db
from nastavnik.participants.models import Person
from nastavnik.timeutil import today
from tests.factories import make_person


def entries_for(person_id: int, entity: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.person_id == person_id).order_by(AuditEntry.id)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    return db.session.scalars(query).all()


def count() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))


def test_create_person_is_audited_with_actor(world, curator):
    data = {
        "kind": "staff",
        "org_id": str(world.school.id),
        "last_name": "Аудитова",
        "first_name": "Вера",
        "position": "учитель",
        "qualification_category": "",
        "email": "v@school.ru",
    }
    assert curator.post("/participants/new", data=data).status_code == 303
    person = db.session.scalar(select(Person).where(Person.last_name == "Аудитова"))
    [entry] = entries_for(person.id)
    assert entry.action == "create" and entry.entity == "person"
    assert entry.actor == "Curator" and entry.user_id == world.users["curator"].id
    assert entry.org_id == world.school.id
    assert entry.changes["last_name"] == [None, "Аудитова"]
    assert entry.changes["email"] == [None, "v@school.ru"]
    assert "version" not in entry.changes


def test_update_person_records_field_diff(world, curator):
    teacher = world.teacher
    before = len(entries_for(teacher.id))
    data = {
        "last_name": "Петрова",
        "first_name": "Анна",
        "middle_name": "Сергеевич",
        "email": "new@school.ru",
        "phone": "",
        "position": "учитель",
        "version": str(teacher.version),
    }
    assert (
        curator.post(
            f"/participants/{teacher.id}/row/edit", data=data, headers={"HX-Request": "true"}
        ).status_code
        == 200
    )
    entries = entries_for(teacher.id)
    assert len(entries) == before + 1
    entry = entries[-1]
    assert entry.action == "update" and entry.actor == "Curator"
    assert entry.changes == {"email": ["", "new@school.ru"]}  # only what changed


def test_unchanged_save_writes_no_entry(world, curator):
    teacher = world.teacher
    before = count()
    data = {
        "last_name": teacher.last_name,
        "first_name": teacher.first_name,
        "middle_name": teacher.middle_name,
        "email": teacher.email,
        "phone": teacher.phone,
        "position": teacher.position,
        "version": str(teacher.version),
    }
    curator.post(f"/participants/{teacher.id}/row/edit", data=data, headers={"HX-Request": "true"})
    assert count() == before


def test_consent_create_and_withdraw_are_audited(world, curator):
    person = world.users["mentor"].person
    data = {
        "kind": "pd_processing",
        "signatory_relation": "сам(а)",
        "signatory_name": person.full_name,
        "signed_on": today().strftime("%d.%m.%Y"),
        "purposes": "",
        "document_ref": "",
    }
    assert curator.post(f"/consents/new/{person.id}", data=data).status_code == 303
    [created] = entries_for(person.id, "consent")
    assert created.action == "create" and created.actor == "Curator"
    assert created.changes["signatory_name"] == [None, person.full_name]
    assert created.changes["signed_on"] == [None, today().strftime("%d.%m.%Y")]

    consent = db.session.scalar(select(Consent).where(Consent.person_id == person.id))
    curator.post(
        f"/consents/{consent.id}/withdraw",
        data={
            "withdrawn_on": today().strftime("%d.%m.%Y"),
            "withdrawal_reason": "заявление",
            "version": str(consent.version),
        },
    )
    withdrawn = entries_for(person.id, "consent")[-1]
    assert withdrawn.action == "update"
    assert withdrawn.changes["withdrawn_on"] == [None, today().strftime("%d.%m.%Y")]
    assert withdrawn.changes["withdrawal_reason"] == ["", "заявление"]


def test_rollback_writes_no_entry(world):
    before = count()
    person = make_person(world.school, last_name="Откатов")
    person.email = "x@y.ru"
    db.session.flush()
    assert count() > before  # written in the same transaction …
    db.session.rollback()
    assert count() == before  # … and gone with it


def test_conflicting_edit_writes_no_entry(world, curator):
    teacher = world.teacher
    stale = teacher.version
    teacher.phone = "+7 111"
    db.session.commit()
    before = count()
    response = curator.post(
        f"/participants/{teacher.id}/row/edit",
        headers={"HX-Request": "true"},
        data={"last_name": "Иная", "first_name": "Анна", "version": str(stale)},
    )
    assert response.status_code == 409
    assert count() == before


def test_cli_actor_name(world):
    with acting_as("обезличивание по сроку хранения"):
        make_person(world.school, last_name="Системная")
        db.session.commit()
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.actor == "обезличивание по сроку хранения" and entry.user_id is None


def test_delete_is_audited(world, curator):
    fresh = make_person(world.school, last_name="Удаляемый")
    db.session.commit()
    fresh_id = fresh.id
    curator.post(f"/participants/{fresh_id}/delete")
    last = entries_for(fresh_id)[-1]
    assert last.action == "delete" and last.actor == "Curator"


def test_audit_page_is_scoped(world, as_user):
    world.other_teacher.phone = "+7 999 000-11-22"
    db.session.commit()
    client = as_user("curator_other")
    html = client.get("/audit/").get_data(as_text=True)
    assert "Чужой" in html or "+7 999 000-11-22" in html
    assert f"№{world.teacher.id}<" not in html and "Петрова" not in html and "Сидоров" not in html


def test_audit_page_of_curator_shows_own_school(world, curator):
    html = curator.get("/audit/").get_data(as_text=True)
    assert "Петрова" in html and "Сидоров" in html
    assert "Чужой" not in html


def test_audit_fragment_and_denied_for_observer(world, as_user):
    curator_client = as_user("curator")
    body = curator_client.get("/audit/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in body and "<table" in body
    curator_client.post("/auth/logout")
    observer = as_user("observer")
    assert observer.get("/audit/").status_code == 403


def test_person_history_on_detail_page(world, curator):
    html = curator.get(f"/participants/{world.teacher.id}").get_data(as_text=True)
    assert "История изменений" in html and "создание" in html


def test_consent_for_a_minor_is_one_entry(world, curator):
    """Adding a consent signed by a guardian writes one «создание», not a second «изменение»."""
    from nastavnik.participants.models import Guardianship

    student = world.student
    mother = make_person(
        world.school, kind="parent", last_name="Сидорова", first_name="Мария", middle_name=""
    )
    db.session.add(Guardianship(student=student, guardian=mother, relation="мать"))
    db.session.commit()
    data = {
        "kind": "pd_distribution",
        "signatory_relation": "мать",
        "signatory_name": "Сидорова Мария",
        "signed_on": today().strftime("%d.%m.%Y"),
        "purposes": "",
        "document_ref": "",
    }
    assert curator.post(f"/consents/new/{student.id}", data=data).status_code == 303
    consent = db.session.scalar(
        select(Consent).where(Consent.person_id == student.id, Consent.kind == "pd_distribution")
    )
    assert consent.signatory_person_id == mother.id
    entries = [e for e in entries_for(student.id, "consent") if e.entity_id == consent.id]
    assert [e.action for e in entries] == ["create"]


def test_history_reads_in_russian(world, curator):
    teacher = world.teacher
    curator.post(
        f"/participants/{teacher.id}/row/edit",
        headers={"HX-Request": "true"},
        data={
            "last_name": "Петрова",
            "first_name": "Анна",
            "email": "",
            "phone": "+7 900 1",
            "position": "учитель",
            "version": str(teacher.version),
        },
    )
    html = curator.get(f"/participants/{teacher.id}").get_data(as_text=True)
    assert "<b>телефон</b>: — → +7 900 1" in html
    assert "<b>phone</b>" not in html and "<b>org_id</b>" not in html and "<b>id</b>" not in html
    log = curator.get("/audit/").get_data(as_text=True)
    assert "участник: <a" in log and "Петрова А.С." in log  # whose record, by name
    assert "<b>организация</b>: СОШ № 3" in log
