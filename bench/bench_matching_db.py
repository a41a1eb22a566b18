"""Benchmark: the whole cohort matching as the curator runs it, from the database to the stored draft.

    python bench/bench_matching_db.py [--quick]

1,000 mentees and 300 mentors (capacity 3) of «учитель – учитель» in the banks of one school, in a
SQLite file. Times ``matching_service.create_run`` + flush: loading profiles, people and tags,
scoring, hard constraints, the assignment, reasons for every pair, and writing the run with its
proposals. The baseline, in the same process, is the bare ``linear_sum_assignment(maximize=True)``
on the same finished mentee × slot matrix. Limits: 3× the baseline and 2 s.
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

import numpy as np  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from bench.bench_matching import SUBJECTS, TAGS  # noqa: E402
from nastavnik.app import create_app  # noqa: E402
from nastavnik.banks import matching_service as service  # noqa: E402
from nastavnik.banks.models import MenteeProfile, MentorProfile, Tag, mentee_tag, mentor_tag  # noqa: E402
from nastavnik.config import TestingConfig  # noqa: E402
from nastavnik.consents.models import SELF, Consent  # noqa: E402
from nastavnik.extensions import db  # noqa: E402
from nastavnik.matching import build_slot_matrix, score_matrix  # noqa: E402
from nastavnik.orgs.models import Organisation  # noqa: E402
from nastavnik.participants.models import Person  # noqa: E402
from plugins.teacher_teacher import plugin as teacher_teacher  # noqa: E402

MAX_SECONDS = 2.0
MAX_RATIO = 3.0
REPEAT = 5  # best of: this machine's timings wander by a third from run to run
KIND = "teacher_teacher"


def populate(n_mentees: int, n_mentors: int, year: int) -> int:
    rng, day = random.Random(11), date.today()
    school = Organisation(kind="school", name="Школа")
    db.session.add(school)
    db.session.add_all(Tag(title=t) for t in TAGS)
    db.session.flush()
    tag_ids = db.session.scalars(select(Tag.id)).all()
    people = [
        dict(org_id=school.id, kind="staff", last_name=f"Педагог{i}", first_name="И", middle_name="",
             position="учитель", subjects=", ".join(rng.sample(SUBJECTS, rng.randint(1, 2))),
             experience_years=float(rng.randint(0, 3) if i < n_mentees else rng.randint(3, 35)), experience_on=day,
             birth_date=day - timedelta(days=365 * rng.randint(23, 60)), qualification_category="first", version=1)
        for i in range(n_mentees + n_mentors)
    ]
    db.session.execute(insert(Person), people)
    person_ids = db.session.scalars(select(Person.id).order_by(Person.id)).all()
    # Everyone has signed the consent to processing: without it nobody may be matched (152-ФЗ).
    db.session.execute(insert(Consent), [
        dict(person_id=pid, kind="pd_processing", signatory_name=f"Педагог{i}", signatory_relation=SELF,
             signed_on=day - timedelta(days=10), version=1) for i, pid in enumerate(person_ids)
    ])
    db.session.execute(insert(MenteeProfile), [
        dict(person_id=pid, org_id=school.id, kind_code=KIND, category="young_specialist", academic_year=year,
             status="in_bank", entered_on=day, version=1) for pid in person_ids[:n_mentees]
    ])
    db.session.execute(insert(MentorProfile), [
        dict(person_id=pid, org_id=school.id, kind_codes=KIND, capacity=3, load=0, status="in_bank",
             entered_on=day, version=1) for pid in person_ids[n_mentees:]
    ])
    mentee_ids = db.session.scalars(select(MenteeProfile.id)).all()
    mentor_ids = db.session.scalars(select(MentorProfile.id)).all()
    db.session.execute(insert(mentee_tag), [
        dict(mentee_id=m, tag_id=t) for m in mentee_ids for t in rng.sample(tag_ids, rng.randint(1, 5))
    ])
    db.session.execute(insert(mentor_tag), [
        dict(mentor_id=m, tag_id=t) for m in mentor_ids for t in rng.sample(tag_ids, rng.randint(3, 10))
    ])
    db.session.commit()
    return school.id


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="500 mentees × 150 mentors, limits not enforced")
    args = parser.parse_args()
    n_mentees, n_mentors = (500, 150) if args.quick else (1000, 300)
    day = date.today()
    year = day.year if day.month >= 9 else day.year - 1
    with tempfile.TemporaryDirectory() as folder:
        config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/b.sqlite"})
        app = create_app(config, plugins=[teacher_teacher])
        with app.test_request_context():
            db.create_all()
            org_id = populate(n_mentees, n_mentors, year)
            times = []
            for _ in range(REPEAT):
                db.session.expunge_all()  # every run loads from the database, not from the identity map
                start = time.perf_counter()
                run = service.create_run(org_id, KIND, year, {org_id}, None, day)
                db.session.flush()
                times.append(time.perf_counter() - start)
                matched = run.result["matched"]
                db.session.rollback()
            whole = min(times)

            mentees = [service.mentee_input(m, day) for m in service.open_mentees(org_id, KIND, year)]
            mentors = [service.mentor_input(m, day) for m in service.pool_mentors({org_id}, KIND)]
            settings = service.engine_settings(service.settings_row(org_id, KIND), KIND)
            scores, eligible = score_matrix(mentees, mentors, settings)
            free = np.array([m.free_slots for m in mentors])
            matrix, _ = build_slot_matrix(scores, eligible, free, settings)
            bare = []
            for _ in range(REPEAT):
                start = time.perf_counter()
                linear_sum_assignment(matrix, maximize=True)
                bare.append(time.perf_counter() - start)
            bare_best = min(bare)
    ratio = whole / bare_best
    print(f"from the database: {n_mentees} mentees × {n_mentors} mentors, slot matrix {matrix.shape}")
    print(f"pairs proposed: {matched}")
    print(f"create_run (load, score, constrain, assign, reasons, store): {whole * 1000:8.1f} ms (best of {REPEAT})")
    print(f"bare linear_sum_assignment on the same matrix:               {bare_best * 1000:8.1f} ms (best of {REPEAT})")
    print(f"ratio: {ratio:.2f} (limit {MAX_RATIO}{', not enforced with --quick' if args.quick else ''})")
    ok = args.quick or (whole <= MAX_SECONDS and ratio <= MAX_RATIO)
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
