"""Certificates: one per attendee, numbered from the organiser's register — unique per organiser and
year, also when two issues run at the same moment (a file SQLite database with two connections, or
PostgreSQL when NASTAVNIK_TEST_DATABASE_URL is set); the .docx reads back; the mentor's training
status follows."""

from __future__ import annotations

import io
import os
import threading
import zipfile
from datetime import date

import pytest
from docx import Document
from sqlalchemy import select

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.events import certificates
from nastavnik.events.models import Certificate, Event
from nastavnik.events.training import statuses
from nastavnik.extensions import db
from nastavnik.timeutil import today
from tests.conftest import IN_REPO_PLUGINS
from tests.events.conftest import add_people, make_event, make_teachers
from tests.factories import make_org, make_person, make_user


def _text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_each_attendee_gets_a_numbered_certificate_and_absentees_none(world, curator, teachers):
    event = make_event(world.school, title="Школа наставника", hours=16)
    add_people(event, teachers[:5], attendance="present")
    add_people(event, teachers[5:], attendance="absent")
    db.session.commit()
    response = curator.post(f"/events/{event.id}/certificates")
    assert response.status_code == 303
    issued = db.session.scalars(select(Certificate).order_by(Certificate.number)).all()
    year = today().year
    assert [(c.number, c.year, c.org_id) for c in issued] == [(n, year, world.school.id) for n in range(1, 6)]
    assert {c.person_id for c in issued} == {t.id for t in teachers[:5]}

    # a second issue gives nothing new (everyone present already has one)
    curator.post(f"/events/{event.id}/certificates")
    assert db.session.scalar(select(db.func.count(Certificate.id))) == 5

    first = issued[0]
    data = curator.get(f"/events/certificates/{first.id}.docx").data
    text = _text(data)
    assert "СЕРТИФИКАТ" in text and f"№ 001/{year}" in text
    assert first.participant.name in text and "«Школа наставника»" in text
    assert "в объёме 16 часов" in text and "прошла обучение" in text  # «Ивановна»: the feminine form
    archive = zipfile.ZipFile(io.BytesIO(curator.get(f"/events/{event.id}/certificates.zip").data))
    assert len(archive.namelist()) == 6 and "vse_sertifikaty_dlya_pechati.docx" in archive.namelist()


def test_numbers_continue_per_organiser_and_start_again_for_another(world, teachers):
    curator = world.users["curator"]
    first = make_event(world.school, days=-10)
    second = make_event(world.school, days=-1)
    municipal = make_event(world.authority, days=-2, invited=[world.school])
    add_people(first, teachers[:2], attendance="present")
    add_people(second, teachers[2:4], attendance="present")
    add_people(municipal, teachers[4:], attendance="present")
    db.session.commit()
    day = today()
    assert [c.number for c in certificates.issue(first, curator, day)] == [1, 2]
    assert [c.number for c in certificates.issue(municipal, curator, day)] == [1, 2]
    assert [c.number for c in certificates.issue(second, curator, day)] == [3, 4]
    # a new year opens a new register
    late = make_event(world.school, days=-1)
    add_people(late, make_teachers(world.school, 1, prefix="Новая"), attendance="present")
    db.session.commit()
    (next_year,) = certificates.issue(late, curator, date(day.year + 1, 1, 10))
    assert (next_year.year, next_year.number) == (day.year + 1, 1)


def test_only_training_kinds_give_certificates_and_only_after_the_event(world, teachers):
    curator = world.users["curator"]
    seminar = make_event(world.school, kind="seminar")
    add_people(seminar, teachers[:1], attendance="present")
    db.session.commit()
    with pytest.raises(certificates.CertificateError, match="только за обучение"):
        certificates.issue(seminar, curator, today())


def test_the_mentor_downloads_their_own_certificate_and_no_one_else_s(world, as_user, teachers):
    mentor = db.session.get(type(world.teacher), world.users["mentor"].person_id)
    event = make_event(world.school, days=-3)
    add_people(event, [mentor, teachers[0]], attendance="present")
    db.session.commit()
    own, other = certificates.issue(event, world.users["curator"], today())
    if own.person_id != mentor.id:
        own, other = other, own
    client = as_user("mentor")
    assert client.get(f"/events/certificates/{own.id}.docx").status_code == 200
    assert client.get(f"/events/certificates/{other.id}.docx").status_code == 404
    assert f"№ {own.register_number}" in client.get("/events/mine").get_data(as_text=True)


def test_training_status_follows_attendance_at_a_training(world, teachers):
    training = make_event(world.school, days=-30, hours=4, title="Школа наставника")
    again = make_event(world.school, days=-2, hours=8, title="Школа наставника, часть 2")
    seminar = make_event(world.school, kind="seminar", days=-1)
    future = make_event(world.school, days=5)
    add_people(training, teachers[:2], attendance="present")
    add_people(again, teachers[:1], attendance="present")
    add_people(seminar, teachers[2:3], attendance="present")
    add_people(future, teachers[3:4], attendance="present")
    db.session.commit()
    found = statuses([t.id for t in teachers], today())
    assert set(found) == {teachers[0].id, teachers[1].id}
    assert (found[teachers[0].id].count, found[teachers[0].id].hours) == (2, 12)
    assert found[teachers[0].id].last_on == again.day
    assert found[teachers[1].id].text == f"обучение пройдено {training.day:%d.%m.%Y}, 4 часа («Школа наставника»)"
    assert "2 мероприятия" in found[teachers[0].id].text and "всего 12 часов" in found[teachers[0].id].text


# -- two issues at the same moment -------------------------------------------------------------------


@pytest.fixture
def shared_app(tmp_path):
    url = os.environ.get("NASTAVNIK_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'certificates.sqlite'}"
    app = create_app(type("C", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}), plugins=IN_REPO_PLUGINS)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _setup(app, events: int, people_each: int) -> tuple[list[int], int]:
    with app.app_context():
        school = make_org(name="СОШ № 7")
        user = make_user("curator7", "curator", school)
        ids = []
        for n in range(events):
            event = make_event(school, days=-1, title=f"Обучение {n}")
            people = [make_person(school, last_name=f"Учитель{n}x{k}") for k in range(people_each)]
            add_people(event, people, attendance="present")
            ids.append(event.id)
        db.session.commit()
        return ids, user.id


def _race(app, event_ids: list[int], user_id: int) -> list[str]:
    barrier = threading.Barrier(len(event_ids), timeout=20)
    results: list[str] = []
    lock = threading.Lock()

    def issue(event_id: int) -> None:
        with app.app_context():
            from nastavnik.auth.models import User

            event = db.session.get(Event, event_id)
            user = db.session.get(User, user_id)
            assert len(certificates.waiting(event)) > 0  # both see people waiting before they issue
            barrier.wait()
            try:
                certificates.issue(event, user, today())
                outcome = "ok"
            except certificates.CertificateError as exc:
                outcome = str(exc)
            finally:
                db.session.remove()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=issue, args=(event_id,)) for event_id in event_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _numbers(app) -> list[tuple[int, int, int]]:
    with app.app_context():
        return db.session.execute(
            select(Certificate.org_id, Certificate.year, Certificate.number).order_by(Certificate.number)
        ).all()


def test_two_issues_of_one_organiser_at_once_never_share_a_number(shared_app):
    event_ids, user_id = _setup(shared_app, events=2, people_each=5)
    results = _race(shared_app, event_ids, user_id)
    numbers = [n for _, _, n in _numbers(shared_app)]
    assert results == ["ok", "ok"], results
    assert numbers == list(range(1, 11))  # unique and without gaps


def test_the_same_event_issued_twice_at_once_gives_each_attendee_one_certificate(shared_app):
    (event_id,), user_id = _setup(shared_app, events=1, people_each=4)
    results = _race(shared_app, [event_id, event_id], user_id)
    numbers = [n for _, _, n in _numbers(shared_app)]
    assert numbers == [1, 2, 3, 4]  # the loser's numbers were rolled back with its certificates
    assert results.count("ok") == 1, results
    (refusal,) = [r for r in results if r != "ok"]
    assert "в тот же момент" in refusal or "уже выданы" in refusal
