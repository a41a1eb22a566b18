"""Benchmark: the dashboard's counts for a whole municipality, against a bare GROUP BY in the same run.

20 schools × (60 teachers + 600 students) with consents in every state, in a SQLite file. Times
``school_summary`` (people by kind, consent states, young specialists: what a municipal
coordinator's dashboard shows) and, as the baseline, a bare ``SELECT org_id, kind, count(*) …
GROUP BY`` over the same rows; also, for information, loading every person with their consents
(how the counts were first made). Exits non-zero when the ratio to the baseline exceeds the limit.

    python bench/bench_dashboard.py [--quick]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402

from nastavnik.app import create_app  # noqa: E402
from nastavnik.config import TestingConfig  # noqa: E402
from nastavnik.consents.models import Consent  # noqa: E402
from nastavnik.extensions import db  # noqa: E402
from nastavnik.orgs.models import Organisation  # noqa: E402
from nastavnik.participants.models import Person  # noqa: E402

RATIO_LIMIT = 12.0


def best_of(runs: int, function) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def populate(schools: int, staff: int, students: int) -> set[int]:
    rng, day = random.Random(7), date.today()
    authority = Organisation(kind="authority", name="МКУ УО")
    db.session.add(authority)
    db.session.flush()
    org_ids = set()
    for number in range(schools):
        school = Organisation(kind="school", name=f"СОШ № {number + 1}", parent_id=authority.id)
        db.session.add(school)
        db.session.flush()
        org_ids.add(school.id)
        rows = [
            dict(org_id=school.id, kind="staff", last_name=f"Педагог{i}", first_name="И", middle_name="",
                 position="учитель", experience_years=float(rng.randint(0, 30)), experience_on=day,
                 birth_date=day - timedelta(days=365 * rng.randint(22, 60)), version=1)
            for i in range(staff)
        ] + [
            dict(org_id=school.id, kind="student", last_name=f"Ученик{i}", first_name="И", middle_name="",
                 class_name="7А", birth_date=day - timedelta(days=365 * rng.randint(10, 17)), version=1)
            for i in range(students)
        ]
        db.session.execute(insert(Person), rows)
    people = db.session.scalars(select(Person.id)).all()
    consents = []
    for person_id in people:
        state = rng.choices(["valid", "expiring", "expired", "withdrawn", "none"], [80, 5, 5, 4, 6])[0]
        if state == "none":
            continue
        consents.append(dict(
            person_id=person_id, kind="pd_processing", signatory_name="—", signatory_relation="сам(а)",
            signed_on=day - timedelta(days=100), version=1,
            valid_until={"expiring": day + timedelta(days=10), "expired": day - timedelta(days=5)}.get(state),
            withdrawn_on=day - timedelta(days=3) if state == "withdrawn" else None,
        ))
    db.session.execute(insert(Consent), consents)
    db.session.commit()
    return org_ids


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="5 schools instead of 20")
    args = parser.parse_args()
    schools = 5 if args.quick else 20
    with tempfile.TemporaryDirectory() as folder:
        config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"})
        app = create_app(config, plugins=[])
        with app.test_request_context():
            from nastavnik.dashboard.routes import school_summary

            db.create_all()
            org_ids = populate(schools, 60, 600)
            people = db.session.scalar(select(func.count(Person.id)))

            def baseline():
                db.session.execute(
                    select(Person.org_id, Person.kind, func.count())
                    .where(Person.org_id.in_(org_ids)).group_by(Person.org_id, Person.kind)
                ).all()

            def load_everyone():
                db.session.scalars(
                    select(Person).where(Person.org_id.in_(org_ids)).options(selectinload(Person.consents))
                ).all()
                db.session.expunge_all()

            summary = best_of(5, lambda: school_summary(org_ids))
            bare = best_of(5, baseline)
            loading = best_of(2, load_everyone)
    ratio = summary / bare
    print(f"municipality: {schools} schools, {people} people")
    print(f"school_summary:            {summary * 1000:7.1f} ms (best of 5)")
    print(f"bare GROUP BY (baseline):  {bare * 1000:7.1f} ms (best of 5)")
    print(f"ratio: {ratio:.2f} (limit {RATIO_LIMIT})")
    print(f"loading every person with consents (informative): {loading * 1000:7.1f} ms")
    if ratio > RATIO_LIMIT:
        print("FAIL: the dashboard's counts are too slow against the baseline")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
