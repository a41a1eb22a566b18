"""Benchmark of the matching engine against the bare assignment solver.

    python bench/bench_matching.py [--quick] [--repeat N] [--seed S]

Times the whole ``assign`` (from dataclasses: scoring, constraints, assignment, reasons for every
pair) and, in the same process, the bare ``linear_sum_assignment(maximize=True)`` on the same
finished mentee × slot matrix. Exits non-zero when the whole run is over 2 s or more than 3 times
the bare solver. With ``--quick`` only the time limit applies: at small sizes the fixed cost of
building reasons is comparable to the solver, so the ratio is shown but not enforced.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402

from nastavnik.matching import MenteeIn, MentorIn, Settings, assign, build_slot_matrix, score_matrix  # noqa: E402

MAX_SECONDS = 2.0
MAX_RATIO = 3.0

TAGS = [
    "адаптация в коллективе", "дисциплина на уроке", "работа с родителями", "ФГОС", "рабочая программа",
    "оценивание", "ОГЭ", "ЕГЭ", "проектная деятельность", "исследовательская работа", "одарённые дети",
    "дети с ОВЗ", "инклюзия", "цифровые инструменты", "электронный журнал", "дистанционное обучение",
    "классное руководство", "воспитательная работа", "профориентация", "выгорание", "тайм-менеджмент",
    "публичные выступления", "аттестация", "самообразование", "методическая работа", "конкурсы",
    "олимпиады", "функциональная грамотность", "читательская грамотность", "финансовая грамотность",
    "внеурочная деятельность", "школьный музей", "волонтёрство", "спорт", "театр", "робототехника",
    "программирование", "лабораторные работы", "конфликты", "мотивация учеников",
]  # fmt: skip
SUBJECTS = [
    "математика", "русский язык", "литература", "физика", "химия", "биология", "история",
    "обществознание", "география", "информатика", "английский язык", "физкультура", "музыка",
    "ИЗО", "технология",
]  # fmt: skip
ORGS = ["школа № 1", "школа № 2", "гимназия"]
KINDS = ["учитель–учитель", "руководитель–учитель", "ученик–ученик"]


def cohort(n_mentees: int, n_mentors: int, seed: int) -> tuple[list[MenteeIn], list[MentorIn]]:
    rnd = random.Random(seed)
    mentees = [
        MenteeIn(
            id=i,
            org_id=rnd.choice(ORGS),
            kind_code=rnd.choices(KINDS, weights=[6, 1, 3])[0],
            tags=frozenset(rnd.sample(TAGS, rnd.randint(1, 5))),
            subjects=frozenset(rnd.sample(SUBJECTS, rnd.randint(1, 2))),
            experience_years=rnd.choice([None, *range(0, 6)]),
            age=rnd.randint(22, 40),
            category=rnd.choice(["молодой специалист", "вновь принятый", "затруднения"]),
        )
        for i in range(n_mentees)
    ]
    mentors = [
        MentorIn(
            id=k if k < 10 else n_mentees + k,  # the first ten are also mentees: never self-paired
            org_id=(org := rnd.choice(ORGS)),
            kind_codes=frozenset(rnd.sample(KINDS, rnd.randint(1, 2)) + ["учитель–учитель"]),
            capacity=3,
            tags=frozenset(rnd.sample(TAGS, rnd.randint(3, 10))),
            subjects=frozenset(rnd.sample(SUBJECTS, rnd.randint(1, 3))),
            experience_years=rnd.randint(3, 35),
            age=rnd.randint(28, 65),
            preferred_age=rnd.choice([None, (22, 30), (25, 40)]),
            partner_org_ids=frozenset(o for o in ORGS if o != org and rnd.random() < 0.5),
        )
        for k in range(n_mentors)
    ]
    return mentees, mentors


def best_of(repeat: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="500 mentees × 150 mentors")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args(argv)
    n_mentees, n_mentors = (500, 150) if args.quick else (1000, 300)
    mentees, mentors = cohort(n_mentees, n_mentors, args.seed)
    settings = Settings(min_score=40.0)

    whole, result = best_of(args.repeat, lambda: assign(mentees, mentors, settings))
    scores, eligible = score_matrix(mentees, mentors, settings)
    free = np.array([mr.free_slots for mr in mentors])
    matrix, _ = build_slot_matrix(scores, eligible, free, settings)
    bare, _ = best_of(args.repeat, lambda: linear_sum_assignment(matrix, maximize=True))

    participation = replace(settings, mode="max_participation")
    most, most_result = best_of(args.repeat, lambda: assign(mentees, mentors, participation))

    ratio = whole / bare
    print(
        f"cohort: {n_mentees} mentees × {n_mentors} mentors, slot matrix {matrix.shape[0]} × {matrix.shape[1]}"
    )
    print(f"pairs {len(result.pairs)}, unmatched {len(result.unmatched)}, total score {result.total_score}")
    print(f"whole assign:        {whole * 1000:8.1f} ms (best of {args.repeat})")
    print(f"bare linear_sum_assignment: {bare * 1000:8.1f} ms (best of {args.repeat})")
    print(f"ratio: {ratio:.2f} (limit {MAX_RATIO}{', not enforced with --quick' if args.quick else ''})")
    print(f"max_participation assign: {most * 1000:8.1f} ms, pairs {len(most_result.pairs)} (informative)")
    ok = whole <= MAX_SECONDS and (args.quick or ratio <= MAX_RATIO)
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
