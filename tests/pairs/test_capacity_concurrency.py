"""Two curators confirming a mentor's last place at the same moment: exactly one wins.

A file SQLite database (a real second connection, unlike ``sqlite://`` in memory), or PostgreSQL
when NASTAVNIK_TEST_DATABASE_URL is set. Each thread has its own app context, hence its own session
and connection; a barrier releases them together right before the slot is taken.
"""

from __future__ import annotations

import os
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from nastavnik.app import create_app
from nastavnik.banks.models import MenteeProfile, MentorProfile
from nastavnik.config import TestingConfig
from nastavnik.extensions import db
from nastavnik.pairs.models import Pair
from nastavnik.pairs.services import CapacityError, create_pair
from nastavnik.periods import AcademicYear
from tests.conftest import IN_REPO_PLUGINS
from tests.factories import make_consent, make_org, make_person

KIND = "teacher_teacher"


@pytest.fixture
def shared_app(tmp_path):
    url = os.environ.get("NASTAVNIK_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'concurrency.sqlite'}"
    app = create_app(type("C", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}), plugins=IN_REPO_PLUGINS)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _bank(app, capacity: int, mentees: int) -> tuple[int, list[int]]:
    year = AcademicYear.of(date.today()).start_year
    with app.app_context():
        school = make_org(name="СОШ № 7")
        person = make_person(school, last_name="Единственная")
        make_consent(person)
        mentor = MentorProfile(
            person_id=person.id, org_id=school.id, kind_codes=KIND, capacity=capacity, load=0
        )
        db.session.add(mentor)
        ids = []
        for n in range(mentees):
            mentee_person = make_person(school, last_name=f"Наставляемая{n}")
            make_consent(mentee_person)  # nobody without a consent is paired (152-ФЗ)
            profile = MenteeProfile(
                person_id=mentee_person.id, org_id=school.id, kind_code=KIND, academic_year=year
            )
            db.session.add(profile)
            db.session.flush()
            ids.append(profile.id)
        db.session.commit()
        return mentor.id, ids


def _race(app, mentor_id: int, mentee_ids: list[int]) -> list[str]:
    barrier = threading.Barrier(len(mentee_ids))
    results: list[str] = []
    lock = threading.Lock()

    def confirm(mentee_id: int) -> None:
        with app.app_context():
            mentor = db.session.get(MentorProfile, mentor_id)
            mentee = db.session.get(MenteeProfile, mentee_id)
            assert mentor.load < mentor.capacity  # both saw a free place before confirming
            barrier.wait()
            try:
                create_pair(
                    org_id=mentor.org_id,
                    kind_code=KIND,
                    variation_code="",
                    mentors=[mentor],
                    mentees=[mentee],
                    academic_year=mentee.academic_year,
                )
                db.session.commit()
                outcome = "ok"
            except CapacityError as exc:
                db.session.rollback()
                outcome = exc.message
            finally:
                db.session.remove()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=confirm, args=(i,)) for i in mentee_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _state(app, mentor_id: int) -> tuple[int, int, int]:
    with app.app_context():
        mentor = db.session.get(MentorProfile, mentor_id)
        pairs = db.session.scalar(select(func.count()).select_from(Pair))
        return mentor.load, mentor.capacity, pairs


def test_two_curators_confirm_the_last_place(shared_app):
    mentor_id, mentees = _bank(shared_app, capacity=1, mentees=2)
    results = _race(shared_app, mentor_id, mentees)
    assert sorted(results, key=lambda r: r != "ok")[0] == "ok"
    assert results.count("ok") == 1, results
    (refusal,) = [r for r in results if r != "ok"]
    assert "нет свободных мест" in refusal or "одновременно" in refusal
    assert _state(shared_app, mentor_id) == (1, 1, 1)


def test_many_curators_never_exceed_capacity(shared_app):
    mentor_id, mentees = _bank(shared_app, capacity=2, mentees=5)
    results = _race(shared_app, mentor_id, mentees)
    load, capacity, pairs = _state(shared_app, mentor_id)
    assert results.count("ok") == pairs == load <= capacity
    assert load == 2 or "одновременно" in " ".join(results)
