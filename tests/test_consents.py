"""Consents (152-ФЗ): adding, a minor's signatory, withdrawal, the overview, anonymisation."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import openpyxl
from sqlalchemy import select

from nastavnik.audit.models import AuditEntry
from nastavnik.consents.models import Consent
from nastavnik.consents.services import consent_state, due_for_anonymisation, has_valid_consent
from nastavnik.extensions import db
from nastavnik.participants.models import Person
from nastavnik.timeutil import today
from tests.factories import make_consent, make_person

HX = {"HX-Request": "true"}


def ru(day) -> str:
    return day.strftime("%d.%m.%Y")


def consent_form(**overrides) -> dict:
    data = {
        "kind": "pd_processing",
        "signatory_relation": "сам(а)",
        "signatory_name": "Новикова Ольга",
        "signed_on": ru(today()),
        "valid_until": "",
        "purposes": "наставничество",
        "document_ref": "папка 1",
    }
    return data | overrides


def field_error(html: str, field: str) -> str:
    return " ".join(re.findall(rf'id="{field}-error">([^<]*)<', html))


def list_names(client, **args) -> list[str]:
    html = client.get("/participants/", query_string=args).get_data(as_text=True)
    return [n.split()[0] for n in re.findall(r'<tr id="person-\d+">\s*<td><a [^>]*>([^<]*)</a>', html)]


def export_names(client) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/participants/export.xlsx").data)).active
    return [row[0].split()[0] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]


def withdraw(client, consent, day=None, **headers):
    data = {
        "withdrawn_on": ru(day or today()),
        "withdrawal_reason": "заявление",
        "version": str(consent.version),
    }
    return client.post(f"/consents/{consent.id}/withdraw", data=data, headers=headers)


def test_add_consent(world, curator):
    person = make_person(world.school, last_name="Новикова", first_name="Ольга")
    db.session.commit()
    response = curator.post(f"/consents/new/{person.id}", data=consent_form())
    assert response.status_code == 303
    assert response.headers["Location"] == f"/participants/{person.id}"
    consent = db.session.scalar(select(Consent).where(Consent.person_id == person.id))
    assert (consent.kind, consent.signed_on, consent.valid_until) == ("pd_processing", today(), None)
    assert has_valid_consent(person, today())
    assert "Новикова" in list_names(curator, consent="eligible")


def test_add_consent_without_optional_text_fields(world, curator):
    person = make_person(world.school, last_name="Краткая")
    db.session.commit()
    data = {
        "kind": "pd_processing",
        "signatory_relation": "сам(а)",
        "signatory_name": "Краткая",
        "signed_on": ru(today()),
    }
    assert curator.post(f"/consents/new/{person.id}", data=data).status_code == 303
    consent = db.session.scalar(select(Consent).where(Consent.person_id == person.id))
    assert consent.purposes == "" and consent.document_ref == ""


def test_form_prefills_guardian_for_minor(world, curator):
    from nastavnik.participants.models import Guardianship

    parent = make_person(
        world.school, kind="parent", last_name="Сидорова", first_name="Мария", middle_name=""
    )
    db.session.add(Guardianship(student=world.student, guardian=parent, relation="мать"))
    db.session.commit()
    html = curator.get(f"/consents/new/{world.student.id}").get_data(as_text=True)
    assert 'value="Сидорова Мария"' in html
    assert "несовершеннолетний" in html


def test_minor_cannot_sign_for_themselves(world, curator):
    student = world.student
    count = len(student.consents)
    response = curator.post(
        f"/consents/new/{student.id}", data=consent_form(signatory_name=student.full_name)
    )
    assert response.status_code == 422
    message = field_error(response.get_data(as_text=True), "signatory_relation")
    assert "Участник несовершеннолетний: согласие подписывает законный представитель" in message
    db.session.expire_all()
    assert len(db.session.get(Person, student.id).consents) == count
    ok = curator.post(f"/consents/new/{student.id}", data=consent_form(signatory_relation="мать"))
    assert ok.status_code == 303


def test_valid_until_before_signed_on_refused(world, curator):
    person = world.users["mentor"].person
    response = curator.post(
        f"/consents/new/{person.id}",
        data=consent_form(signed_on="10.09.2025", valid_until="01.09.2025"),
    )
    assert response.status_code == 422
    assert "Срок действия не может закончиться раньше даты подписания." in field_error(
        response.get_data(as_text=True), "valid_until"
    )
    assert db.session.scalar(select(Consent).where(Consent.person_id == person.id)) is None


def test_signed_in_future_and_bad_date_refused(world, curator):
    person = world.users["mentor"].person
    future = curator.post(
        f"/consents/new/{person.id}", data=consent_form(signed_on=ru(today() + timedelta(days=3)))
    )
    assert future.status_code == 422
    assert "не может быть в будущем" in field_error(future.get_data(as_text=True), "signed_on")
    bad = curator.post(f"/consents/new/{person.id}", data=consent_form(signed_on="32.01.2025"))
    assert bad.status_code == 422
    assert "Неверная дата" in field_error(bad.get_data(as_text=True), "signed_on")


def test_withdraw_removes_from_eligible_and_export_at_once(world, curator):
    consent = world.teacher.consents[0]
    assert "Петрова" in list_names(curator, consent="eligible")
    assert "Петрова" in export_names(curator)
    response = withdraw(curator, consent)
    assert response.status_code == 303
    db.session.expire_all()
    withdrawn = db.session.get(Consent, consent.id)
    assert withdrawn.withdrawn_on == today() and withdrawn.withdrawal_reason == "заявление"
    assert "Петрова" not in list_names(curator, consent="eligible")
    assert "Петрова" not in export_names(curator)
    assert "Петрова" in list_names(curator, consent="withdrawn")


def test_withdraw_with_htmx_redirects(world, curator):
    response = withdraw(curator, world.teacher.consents[0], **HX)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/participants/{world.teacher.id}"


def test_withdraw_twice_is_409(world, curator):
    consent = world.teacher.consents[0]
    assert withdraw(curator, consent).status_code == 303
    db.session.expire_all()
    consent = db.session.get(Consent, consent.id)
    response = withdraw(curator, consent, day=today() - timedelta(days=1))
    assert response.status_code == 409
    assert "Согласие уже отозвано" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_on == today()


def test_withdraw_stale_version_is_409(world, curator):
    consent = world.teacher.consents[0]
    stale = consent.version
    consent.document_ref = "изменено другим"
    db.session.commit()
    response = curator.post(
        f"/consents/{consent.id}/withdraw", data={"withdrawn_on": ru(today()), "version": str(stale)}
    )
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_on is None


def test_withdraw_in_future_is_422(world, curator):
    consent = world.teacher.consents[0]
    response = withdraw(curator, consent, day=today() + timedelta(days=2))
    assert response.status_code == 422
    assert "Дата отзыва не может быть в будущем." in response.get_data(as_text=True)


def test_withdraw_form_fragment_for_htmx(world, curator):
    consent = world.teacher.consents[0]
    fragment = curator.get(f"/consents/{consent.id}/withdraw", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and f'id="withdraw-{consent.id}"' in fragment
    page = curator.get(f"/consents/{consent.id}/withdraw").get_data(as_text=True)
    assert "<html" in page and f'id="withdraw-{consent.id}"' in page


def _groups(html: str) -> dict[str, list[str]]:
    groups = {}
    for code, body in re.findall(r'<section aria-labelledby="g-(\w+)">(.*?)</section>', html, re.S):
        groups[code] = [
            n.split()[0] for n in re.findall(r'<td><a href="/participants/\d+">([^<]*)</a>', body)
        ]
    return groups


def test_overview_groups(world, curator):
    day = today()
    expiring = make_person(world.school, last_name="Истекающая")
    make_consent(expiring, valid_until=day + timedelta(days=10))
    expired = make_person(world.school, last_name="Истёкшая")
    make_consent(expired, valid_until=day - timedelta(days=3))
    withdrawn = make_person(world.school, last_name="Отозвавшая")
    make_consent(withdrawn, withdrawn_on=day - timedelta(days=2))
    renewed = make_person(world.school, last_name="Обновившая")  # withdrew, then signed again
    make_consent(renewed, withdrawn_on=day - timedelta(days=30), signed_on=day - timedelta(days=60))
    make_consent(renewed, signed_on=day - timedelta(days=5))
    other_kind = make_person(world.school, last_name="Безобработки")  # only a distribution consent
    make_consent(other_kind, kind="pd_distribution")
    archived = make_person(world.school, last_name="Архивная", archived_at=db.func.now())
    make_person(world.other_school, last_name="Чужая")
    db.session.commit()

    html = curator.get("/consents/").get_data(as_text=True)
    groups = _groups(html)
    assert sorted(groups["missing"]) == ["Безобработки", "Наставникова"]
    assert groups["expiring"] == ["Истекающая"]
    assert groups["expired"] == ["Истёкшая"]
    assert groups["withdrawn"] == ["Отозвавшая"]
    assert "Нет согласия: 2" in html and "Скоро истекает: 1" in html
    assert "Петрова" not in html and "Обновившая" not in html and "Чужая" not in html
    assert archived.last_name not in html
    retention = day - timedelta(days=2) + timedelta(days=30)
    assert f"обезличивание после {ru(retention)}" in html


def test_overview_fragment(world, curator):
    body = curator.get("/consents/", headers=HX).get_data(as_text=True)
    assert "<html" not in body and 'id="consent-groups"' in body


def test_consent_state_priority(world):
    person = world.teacher
    day = today()
    assert consent_state(person, day, 30) == "valid"
    person.consents[0].valid_until = day + timedelta(days=30)
    assert consent_state(person, day, 30) == "expiring"
    person.consents[0].valid_until = day - timedelta(days=1)
    assert consent_state(person, day, 30) == "expired"
    person.consents[0].withdrawn_on = day - timedelta(days=1)
    assert consent_state(person, day, 30) == "withdrawn"
    assert consent_state(world.users["mentor"].person, day, 30) == "missing"


# --- Anonymisation -----------------------------------------------------------------------------


def _all_audit_text() -> str:
    return json.dumps([e.changes for e in db.session.scalars(select(AuditEntry))], ensure_ascii=False)


def test_anonymise_command(app, world, curator, runner):
    retention = app.config["PD_RETENTION_DAYS"]
    teacher, student = world.teacher, world.student
    # an edit through the app, so the audit log holds the old values
    curator.post(
        f"/participants/{teacher.id}/row/edit",
        headers=HX,
        data={
            "last_name": "Петрова",
            "first_name": "Анна",
            "email": "petrova@school.ru",
            "phone": "+7 900",
            "position": "учитель",
            "version": str(teacher.version),
        },
    )
    assert "petrova@school.ru" in _all_audit_text()
    teacher_consent = db.session.get(Consent, teacher.consents[0].id)
    teacher_consent.withdrawn_on = today() - timedelta(days=retention + 1)
    student.consents[0].withdrawn_on = today() - timedelta(days=retention - 1)  # still within retention
    db.session.commit()
    teacher_id, student_id = teacher.id, student.id

    dry = runner.invoke(args=["nastavnik", "anonymise", "--dry-run"])
    assert dry.exit_code == 0 and f"будет обезличен: участник №{teacher_id}" in dry.output
    db.session.expire_all()
    assert db.session.get(Person, teacher_id).last_name == "Петрова"

    result = runner.invoke(args=["nastavnik", "anonymise"])
    assert result.exit_code == 0, result.output
    assert f"обезличен: участник №{teacher_id}" in result.output and "Итого: 1." in result.output
    db.session.expire_all()
    anonymised = db.session.get(Person, teacher_id)
    assert anonymised.anonymised_at is not None
    assert anonymised.last_name == f"Обезличен №{teacher_id}"
    assert anonymised.birth_date is None
    assert (anonymised.email, anonymised.phone, anonymised.middle_name, anonymised.position) == (
        "",
        "",
        "",
        "",
    )
    kept = db.session.get(Person, student_id)
    assert kept.anonymised_at is None and kept.last_name == "Сидоров"

    audit = _all_audit_text()
    assert "Петрова" not in audit and "petrova@school.ru" not in audit
    assert "Сидоров" in audit  # the student's history is untouched
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.person_id == teacher_id)).all()
    assert any(e.action == "anonymise" for e in entries)
    # the person's consents no longer name them either
    assert all("Петрова" not in c.signatory_name for c in anonymised.consents)

    again = runner.invoke(args=["nastavnik", "anonymise"])
    assert "Итого: 0." in again.output
    assert "Петрова" not in curator.get("/participants/?archived=1").get_data(as_text=True)


def test_due_for_anonymisation_skips_renewed_consent(world):
    day = today()
    world.teacher.consents[0].withdrawn_on = day - timedelta(days=100)
    make_consent(world.teacher, signed_on=day - timedelta(days=10))  # a new valid consent
    expired = make_person(world.school, last_name="Давноистёкшая")
    make_consent(expired, valid_until=day - timedelta(days=100))
    db.session.commit()
    assert [p.last_name for p in due_for_anonymisation(day, 30)] == ["Давноистёкшая"]


def _guardian(student, last_name, relation="мать", **values):
    from nastavnik.participants.models import Guardianship

    guardian = make_person(student.org, kind="parent", last_name=last_name, **values)
    db.session.add(Guardianship(student=student, guardian=guardian, relation=relation))
    db.session.flush()
    return guardian


def test_anonymise_takes_guardians_who_represent_no_one_else(app, world, curator, runner):
    """A mother of one child is anonymised with the child; a father of a sibling whose data is kept is
    not; a teacher who is also a representative keeps their own record. Their history is scrubbed."""
    retention = app.config["PD_RETENTION_DAYS"]
    student = world.student
    sibling = make_person(world.school, kind="student", last_name="Сидорова", first_name="Катя")
    make_consent(sibling, signatory_name="Сидоров Пётр", signatory_relation="отец")
    mother = _guardian(student, "Сидорова", phone="+7 900 111-22-33")
    father = _guardian(student, "Сидоров", relation="отец")
    _guardian(sibling, "Сидоров")  # a different person record of the same name: irrelevant
    from nastavnik.participants.models import Guardianship

    db.session.add(Guardianship(student=sibling, guardian=father, relation="отец"))
    teacher_parent = world.teacher
    db.session.add(Guardianship(student=student, guardian=teacher_parent, relation="опекун"))
    db.session.commit()
    # an edit through the app, so the mother's history holds a value to scrub
    curator.post(
        f"/participants/{mother.id}/row/edit",
        headers=HX,
        data={
            "last_name": "Сидорова",
            "first_name": "Мария",
            "phone": "+7 900 999-00-00",
            "version": str(mother.version),
        },
    )
    assert "+7 900 999-00-00" in _all_audit_text()
    student.consents[0].withdrawn_on = today() - timedelta(days=retention + 1)
    db.session.commit()
    ids = student.id, mother.id, father.id, teacher_parent.id

    dry = runner.invoke(args=["nastavnik", "anonymise", "--dry-run"])
    assert f"законный представитель №{mother.id}" in dry.output
    assert f"№{father.id}" not in dry.output
    result = runner.invoke(args=["nastavnik", "anonymise"])
    assert result.exit_code == 0, result.output
    assert f"обезличен вместе с ним: законный представитель №{mother.id}" in result.output

    db.session.expire_all()
    student, mother, father, teacher_parent = (db.session.get(Person, i) for i in ids)
    assert student.anonymised_at is not None
    assert (
        mother.anonymised_at is not None
        and mother.last_name == f"Обезличен №{mother.id}"
        and mother.phone == ""
    )
    assert (
        father.anonymised_at is None and father.last_name == "Сидоров"
    )  # still the sibling's representative
    assert teacher_parent.anonymised_at is None and teacher_parent.last_name == "Петрова"
    audit = _all_audit_text()
    assert "+7 900 999-00-00" not in audit and "+7 900 111-22-33" not in audit

    # once the sibling is anonymised too, the father goes with her
    db.session.get(Consent, sibling.consents[0].id).withdrawn_on = today() - timedelta(days=retention + 1)
    db.session.commit()
    runner.invoke(args=["nastavnik", "anonymise"])
    db.session.expire_all()
    assert db.session.get(Person, ids[2]).anonymised_at is not None
