"""The dashboard's counts are made in SQL; they must equal the per-person rules of the models."""

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from nastavnik.consents.services import consent_state
from nastavnik.dashboard.routes import school_summary
from nastavnik.extensions import db
from nastavnik.orgs.services import subtree
from nastavnik.participants.models import Person
from nastavnik.timeutil import today
from tests.factories import make_consent, make_person


def _reference(app, org_ids) -> dict[int, Counter]:
    day, config = today(), app.config
    expected: dict[int, Counter] = {}
    people = db.session.scalars(
        select(Person).where(Person.org_id.in_(org_ids), Person.kind != "parent", Person.archived_at.is_(None))
    )
    for person in people:
        counts = expected.setdefault(person.org_id, Counter())
        counts[person.kind] += 1
        counts["consent_" + consent_state(person, day, config["CONSENT_EXPIRING_DAYS"])] += 1
        counts["young"] += person.is_young_specialist(
            day, config["YOUNG_SPECIALIST_MAX_YEARS"], config["YOUNG_SPECIALIST_MAX_AGE"]
        )
    return expected


def test_sql_counts_equal_the_per_person_rules(app, world):
    day = today()
    school = world.school
    states = {
        "expiring": dict(valid_until=day + timedelta(days=5)),
        "expired": dict(valid_until=day - timedelta(days=3)),
        "withdrawn": dict(withdrawn_on=day - timedelta(days=1)),
        "until_today": dict(valid_until=day),
        "edge_of_window": dict(valid_until=day + timedelta(days=30)),
        "withdrawn_later": dict(withdrawn_on=day + timedelta(days=2)),
    }
    for label, values in states.items():
        make_consent(make_person(school, last_name=label), **values)
    renewed = make_person(school, last_name="Renewed")  # withdrew, then signed again: valid
    make_consent(renewed, withdrawn_on=day - timedelta(days=20), signed_on=day - timedelta(days=40))
    make_consent(renewed, signed_on=day - timedelta(days=2))
    make_person(school, last_name="Молодой", experience_years=1.0, experience_on=day, birth_date=date(2000, 1, 1))
    make_person(school, last_name="Старший", experience_years=2.9, experience_on=day - timedelta(days=400))
    make_person(school, last_name="Возраст", experience_years=1.0, experience_on=day, birth_date=date(1970, 1, 1))
    make_person(school, last_name="Архив", archived_at=day)  # archived: not counted
    make_person(school, kind="parent", last_name="Родитель")  # parents are not participants
    make_person(world.school2, kind="student", last_name="Другая школа")
    db.session.commit()

    org_ids = {world.school.id, world.school2.id}
    summary = school_summary(org_ids)
    expected = _reference(app, org_ids)
    assert {k: +v for k, v in summary.items()} == {k: +v for k, v in expected.items()}
    # under a scope: the statements built once per process, the roots and the day bound (twice: reused)
    for _ in range(2):
        assert {k: +v for k, v in school_summary(subtree(org_ids)).items()} == {k: +v for k, v in expected.items()}
    assert summary[school.id]["consent_valid"] >= 3 and summary[school.id]["consent_expiring"] == 3
    assert summary[school.id]["consent_withdrawn"] == 1 and summary[school.id]["consent_expired"] == 1
    assert summary[school.id]["young"] >= 1
