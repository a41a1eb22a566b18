"""Tests of the matching engine: exact scores and reasons, hard constraints, assignment optimality."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, replace

import numpy as np
import pytest

from nastavnik.matching import (  # noqa: E402
    DEFAULT_WEIGHTS,
    MatchingError,
    MenteeIn,
    MentorIn,
    Settings,
    assign,
    explain,
    score_matrix,
    suggest,
)

TT = "учитель–учитель"
ONLY_TABLE = {code: 0.0 for code in DEFAULT_WEIGHTS} | {"table": 1.0}


def mentee(id=1, **kw) -> MenteeIn:
    base = dict(org_id="A", kind_code=TT, tags={"ОГЭ", "дисциплина", "родители"}, subjects={"математика"})
    return MenteeIn(id=id, **(base | kw))


def mentor(id=101, **kw) -> MentorIn:
    base = dict(org_id="A", kind_codes={TT}, capacity=1, tags={"ОГЭ", "дисциплина"}, subjects={"математика"})
    return MentorIn(id=id, **(base | kw))


@dataclass(frozen=True)
class Table:
    """Plugin criterion with scores from a table: pins the score to 100 × value exactly."""

    values: dict
    code: str = "table"
    title: str = "Таблица"

    def score(self, me, mr):
        return self.values.get((me.id, mr.id), 0.0), f"табличное значение {me.id}–{mr.id}"


def table_settings(values: dict, **kw) -> Settings:
    return Settings(weights=ONLY_TABLE, extra_criteria=(Table(values),), **kw)


def by_code(reasons):
    return {r.code: r for r in reasons}


# ---------------------------------------------------------------- scores and reasons


def test_score_and_reasons_exact():
    me = mentee(experience_years=1, age=25)
    mr = mentor(subjects={"физика"}, experience_years=10, preferred_age=(20, 30))
    s = explain(me, mr, Settings())
    # (4·2/3 + 2·0 + 2·1 + 1·1 + 1·1) / 10 = 0.6667
    assert s.score == 66.7
    assert s.blocked_by == []
    assert [r.code for r in s.reasons] == ["tags", "experience", "organisation", "age", "subject"]
    r = by_code(s.reasons)
    assert (r["tags"].value, r["tags"].points, r["tags"].is_gap) == (0.6667, 26.7, False)
    assert r["tags"].text == "совпадают: ОГЭ, дисциплина; не закрыты: родители"
    assert r["experience"].text == "наставник опытнее на 9 лет"
    assert (r["experience"].points, r["organisation"].points, r["age"].points) == (20.0, 10.0, 10.0)
    assert r["organisation"].text == "одна организация"
    assert r["age"].text == "возраст 25 — в желаемом диапазоне 20–30"


def test_subject_gap_reason():
    r = by_code(explain(mentee(), mentor(subjects={"физика"}), Settings()).reasons)["subject"]
    assert (r.value, r.points, r.is_gap, r.text) == (0.0, 0.0, True, "нет общего предмета")


def test_missing_data_drops_out_of_the_mean():
    me = mentee(tags=set(), age=None, experience_years=2)
    mr = mentor(org_id="B", partner_org_ids={"A"}, experience_years=3, preferred_age=(20, 30))
    s = explain(me, mr, Settings())
    # subject 2·1 + experience 2·0.5 + organisation 1·0.5 over weights 5 = 0.7
    assert s.score == 70.0
    r = by_code(s.reasons)
    assert r["tags"].weight == 0 and "не указаны" in r["tags"].text
    assert r["age"].weight == 0 and r["age"].points == 0
    assert r["organisation"].text == "организация-партнёр наставника"
    assert r["experience"].text == "наставник опытнее лишь на 1 год (желательно 3 года и больше)"
    assert [x.code for x in s.reasons][-2:] == ["tags", "age"]  # no-data criteria come last


@pytest.mark.parametrize(
    ("mentee_years", "mentor_years", "value", "text"),
    [
        (1, 4, 1.0, "наставник опытнее на 3 года"),
        (1, 2.5, 0.5, "наставник опытнее лишь на 1,5 года (желательно 3 года и больше)"),
        (5, 5, 0.0, "стаж одинаковый (желательно 3 года и больше)"),
        (7, 2, 0.0, "наставляемый опытнее на 5 лет"),
    ],
)
def test_experience_bands(mentee_years, mentor_years, value, text):
    s = explain(mentee(experience_years=mentee_years), mentor(experience_years=mentor_years), Settings())
    r = by_code(s.reasons)["experience"]
    assert (r.value, r.text) == (value, text)


def test_zero_weight_switches_a_criterion_off():
    weights = DEFAULT_WEIGHTS | {"subject": 0.0}
    s = explain(mentee(), mentor(subjects={"физика"}), Settings(weights=weights))
    assert "subject" not in by_code(s.reasons)
    assert s.score == 73.3  # (4·2/3 + organisation 1) / 5; no experience or age data


def test_plugin_criterion_counts_with_its_weight():
    plugin = Table({(1, 101): 0.25})
    s = explain(
        mentee(), mentor(), Settings(weights=DEFAULT_WEIGHTS | {"table": 2.0}, extra_criteria=(plugin,))
    )
    # tags 4·2/3 + subject 2 + org 1 + table 2·0.25 over 9
    assert s.score == round(100 * (8 / 3 + 2 + 1 + 0.5) / 9, 1)
    assert by_code(s.reasons)["table"].text == "табличное значение 1–101"


def test_points_add_up_to_the_score():
    mentees, mentors, settings = random_case(random.Random(7), 12, 8)
    for me in mentees:
        for sug in suggest(me, mentors, settings, limit=None, include_blocked=True):
            assert abs(sum(r.points for r in sug.reasons) - sug.score) <= 0.3


# ---------------------------------------------------------------- hard constraints


@pytest.mark.parametrize(
    ("me", "mr", "settings", "expected"),
    [
        (mentee(), mentor(capacity=2, load=2), Settings(), "нет свободных мест (занято 2 из 2)"),
        (mentee(), mentor(), Settings(exclusions={(1, 101)}), "пара исключена в настройках подбора"),
        (
            mentee(),
            mentor(subjects={"физика"}),
            Settings(must_share_subject=True),
            "нет общего предмета (обязательное условие)",
        ),
        (
            mentee(kind_code="ученик–ученик"),
            mentor(),
            Settings(),
            "наставник не работает в форме «ученик–ученик»",
        ),
        (mentee(id=101), mentor(id=101), Settings(), "это тот же человек"),
        (
            mentee(excluded_mentor_ids={101}),
            mentor(),
            Settings(),
            "наставник в списке исключений наставляемого",
        ),
    ],
    ids=["capacity", "exclusion", "must-share-subject", "kind", "self-pair", "mentee-exclusion"],
)
def test_hard_constraint_blocks(me, mr, settings, expected):
    assert suggest(me, [mr], settings) == []
    [blocked] = suggest(me, [mr], settings, include_blocked=True)
    assert blocked.blocked_by == [expected]
    assert score_matrix([me], [mr], settings)[1].tolist() == [[False]]
    result = assign([me], [mr], settings)
    assert result.pairs == [] and [u.mentee_id for u in result.unmatched] == [me.id]


def test_self_pair_only_blocks_the_same_person():
    # Person 5 mentors someone and is mentored by someone else, never both in one pair.
    people = [mentee(id=5), mentee(id=6)]
    result = assign(people, [mentor(id=5), mentor(id=7)], Settings())
    assert {(p.mentee_id, p.mentor_id) for p in result.pairs} == {(5, 7), (6, 5)}


def test_below_threshold_stays_unmatched_with_why():
    result = assign([mentee()], [mentor(tags=set())], Settings(min_score=70))  # (subject 2 + org 1) / 7
    assert result.pairs == []
    [u] = result.unmatched
    assert (u.why, u.best_score) == ("лучший вариант 42.9 ниже порога 70", 42.9)
    [s] = suggest(mentee(), [mentor(tags=set())], Settings(min_score=70), include_blocked=True)
    assert s.blocked_by == ["балл 42.9 ниже порога 70"]


def test_why_when_all_mentors_of_the_form_are_full():
    full = [
        mentor(id=101, load=1),
        mentor(id=102, capacity=2, load=2),
        mentor(id=103, kind_codes={"ученик–ученик"}),
    ]
    [u] = assign([mentee()], full, Settings()).unmatched
    assert u.why == "нет подходящих наставников: у всех наставников этой формы нет свободных мест"
    assert u.best_score is None
    [u] = assign([mentee(kind_code="студент–ученик")], full, Settings()).unmatched
    assert u.why == "нет наставников, работающих в форме «студент–ученик»"
    [u] = assign(
        [mentee()], full[:1] + [mentor(id=104, subjects={"физика"})], Settings(must_share_subject=True)
    ).unmatched
    assert u.why == "нет подходящих наставников: нет свободных мест — 1, нет общего предмета — 1"


def test_why_when_places_went_to_others():
    values = {(1, 101): 0.9, (2, 101): 0.8}
    result = assign([mentee(id=1), mentee(id=2)], [mentor(id=101)], table_settings(values))
    assert [(p.mentee_id, p.mentor_id) for p in result.pairs] == [(1, 101)]
    assert result.unmatched[0].why.startswith("подходящие наставники заняты")
    assert result.unmatched[0].best_score == 80.0


# ---------------------------------------------------------------- assignment


def test_participation_matches_more_than_max_score():
    # A fits both mentors, B only X. Best quality takes A–X alone; participation pairs both.
    values = {(1, 101): 0.9, (1, 102): 0.41, (2, 101): 0.6}
    people, mentors = [mentee(id=1), mentee(id=2)], [mentor(id=101), mentor(id=102)]
    best = assign(people, mentors, table_settings(values, min_score=40, exclusions={(2, 102)}))
    most = assign(
        people, mentors, table_settings(values, min_score=40, exclusions={(2, 102)}, mode="max_participation")
    )
    assert [(p.mentee_id, p.mentor_id) for p in best.pairs] == [(1, 101)]
    assert [(p.mentee_id, p.mentor_id) for p in most.pairs] == [(1, 102), (2, 101)]
    assert best.unmatched[0].mentee_id == 2 and most.unmatched == []


def test_participation_never_goes_below_threshold():
    values = {(1, 101): 0.3}
    result = assign([mentee()], [mentor()], table_settings(values, min_score=40, mode="max_participation"))
    assert result.pairs == [] and result.unmatched[0].best_score == 30.0


def test_pins_are_kept_and_use_capacity():
    values = {(1, 101): 0.2, (2, 101): 0.9, (2, 102): 0.5}
    people, mentors = [mentee(id=1), mentee(id=2)], [mentor(id=101), mentor(id=102)]
    result = assign(people, mentors, table_settings(values, min_score=40), pins=[(1, 101)])
    pairs = {(p.mentee_id, p.mentor_id): p for p in result.pairs}
    assert set(pairs) == {(1, 101), (2, 102)}
    assert pairs[(1, 101)].pinned and pairs[(1, 101)].score == 20.0  # below threshold, still kept
    assert not pairs[(2, 102)].pinned
    assert result.settings_snapshot["pins"] == [[1, 101]]


def test_pins_against_hard_constraints_raise():
    with pytest.raises(MatchingError, match="нет свободных мест"):
        assign([mentee()], [mentor(load=1)], Settings(), pins=[(1, 101)])
    with pytest.raises(MatchingError, match="исключена"):
        assign([mentee()], [mentor()], Settings(exclusions={(1, 101)}), pins=[(1, 101)])
    with pytest.raises(MatchingError, match="не найден"):
        assign([mentee()], [mentor()], Settings(), pins=[(1, 999)])


def test_rejected_pairs_are_forbidden():
    values = {(1, 101): 0.9, (1, 102): 0.5}
    mentors = [mentor(id=101), mentor(id=102)]
    result = assign([mentee()], mentors, table_settings(values), rejected={(1, 101)})
    assert [(p.mentee_id, p.mentor_id) for p in result.pairs] == [(1, 102)]
    [s] = [x for x in suggest(mentee(), mentors, Settings(), include_blocked=True) if x.mentor_id == 101]
    assert s.blocked_by == []  # rejection belongs to a run, not to the profiles


def test_capacity_never_exceeded():
    mentees, mentors, settings = random_case(random.Random(3), 60, 12)
    for mode in ("max_score", "max_participation"):
        result = assign(mentees, mentors, replace(settings, mode=mode))
        per_mentor = np.bincount([p.mentor_id - 1000 for p in result.pairs], minlength=len(mentors))
        assert all(per_mentor[k] <= mr.free_slots for k, mr in enumerate(mentors))
        assert len({p.mentee_id for p in result.pairs}) == len(result.pairs)
        assert len(result.pairs) + len(result.unmatched) == len(mentees)


def test_ties_go_to_the_lower_mentor_id_whatever_the_input_order():
    twins = [mentor(id=7), mentor(id=3), mentor(id=5)]
    assert [s.mentor_id for s in suggest(mentee(), twins, Settings())] == [3, 5, 7]
    assert assign([mentee()], twins, Settings()).pairs[0].mentor_id == 3
    equal = {(i, 100 + k): 0.5 for i in range(6) for k in range(4)}
    result = assign(
        [mentee(id=i) for i in range(6)], [mentor(id=100 + k) for k in range(4)], table_settings(equal)
    )
    assert [(p.mentee_id, p.mentor_id) for p in result.pairs] == [(0, 100), (1, 101), (2, 102), (3, 103)]
    # Mentee 1 is equally good with 100 and 101 once 0 takes 102; a bare solver picks 101.
    values = {(0, 102): 0.5, (1, 100): 0.5, (1, 101): 0.5, (1, 102): 0.6}
    mentors = [mentor(id=100), mentor(id=101), mentor(id=102)]
    result = assign([mentee(id=0), mentee(id=1)], mentors, table_settings(values, min_score=40))
    assert [(p.mentee_id, p.mentor_id) for p in result.pairs] == [(0, 102), (1, 100)]
    mentees, mentors, settings = random_case(random.Random(11), 20, 6)
    first = assign(mentees, mentors, settings)
    again = assign(mentees[::-1], mentors[::-1], settings)
    assert [(p.mentee_id, p.mentor_id) for p in first.pairs] == [
        (p.mentee_id, p.mentor_id) for p in again.pairs
    ]


# ---------------------------------------------------------------- optimality against brute force


def random_case(rnd: random.Random, n: int, m: int) -> tuple[list[MenteeIn], list[MentorIn], Settings]:
    tags, subjects, kinds = list("abcdef"), ["мат", "физ", "рус"], [TT, "ученик–ученик"]
    mentees = [
        MenteeIn(
            id=i,
            org_id=rnd.choice("XY"),
            kind_code=rnd.choice(kinds),
            tags=rnd.sample(tags, rnd.randint(0, 3)),
            subjects=rnd.sample(subjects, rnd.randint(1, 2)),
            experience_years=rnd.choice([None, 0, 1, 2, 4]),
            age=rnd.choice([None, 23, 27, 35]),
        )
        for i in range(n)
    ]
    mentors = [
        MentorIn(
            id=1000 + k,
            org_id=rnd.choice("XYZ"),
            kind_codes=rnd.sample(kinds, rnd.randint(1, 2)),
            capacity=rnd.randint(1, 2),
            load=rnd.choice([0, 0, 0, 1]),
            tags=rnd.sample(tags, rnd.randint(1, 4)),
            subjects=rnd.sample(subjects, rnd.randint(1, 2)),
            experience_years=rnd.choice([None, 2, 5, 10]),
            preferred_age=rnd.choice([None, (22, 30)]),
            partner_org_ids=rnd.sample("XYZ", rnd.randint(0, 1)),
        )
        for k in range(m)
    ]
    exclusions = {(rnd.randrange(n), 1000 + rnd.randrange(m)) for _ in range(rnd.randint(0, 2))}
    settings = Settings(
        min_score=rnd.choice([0.0, 30.0, 50.0]), must_share_subject=rnd.random() < 0.3, exclusions=exclusions
    )
    return mentees, mentors, settings


def brute_force(mentees, mentors, settings) -> tuple[int, float]:
    """Best (pairs, Σ score − threshold) over every feasible assignment, by enumeration."""
    scores, eligible = score_matrix(mentees, mentors, settings)
    allowed = eligible & (scores >= settings.min_score)
    free = [mr.free_slots for mr in mentors]
    options = [[None, *np.flatnonzero(allowed[i])] for i in range(len(mentees))]
    best = []
    for choice in itertools.product(*options):
        used = [j for j in choice if j is not None]
        if any(used.count(j) > free[j] for j in set(used)):
            continue
        gain = sum(scores[i, j] - settings.min_score for i, j in enumerate(choice) if j is not None)
        best.append((len(used), round(gain, 6)))
    return max(best, key=lambda b: b[1]), max(best)


def objective(result, settings) -> tuple[int, float]:
    return len(result.pairs), round(sum(p.score - settings.min_score for p in result.pairs), 6)


@pytest.mark.parametrize("seed", range(30))
def test_assignment_is_optimal_against_brute_force(seed):
    rnd = random.Random(seed)
    if seed % 2:
        mentees, mentors, settings = random_case(rnd, rnd.randint(4, 5), 3)
    else:  # raw score tables: many ties and sharp trade-offs
        mentees = [mentee(id=i) for i in range(rnd.randint(4, 5))]
        mentors = [mentor(id=100 + k, capacity=rnd.randint(1, 2)) for k in range(3)]
        values = {
            (me.id, mr.id): rnd.choice([0.0, 0.3, 0.45, 0.5, 0.7, 0.9, 1.0])
            for me in mentees
            for mr in mentors
        }
        settings = table_settings(values, min_score=rnd.choice([0.0, 40.0]))
    by_score, by_count = brute_force(mentees, mentors, settings)
    assert objective(assign(mentees, mentors, settings), settings)[1] == pytest.approx(by_score[1], abs=1e-6)
    most = assign(mentees, mentors, replace(settings, mode="max_participation"))
    assert objective(most, settings) == pytest.approx(by_count, abs=1e-6)


def test_settings_validation():
    with pytest.raises(ValueError):
        Settings(mode="random")
    with pytest.raises(ValueError):
        Settings(min_score=120)
    with pytest.raises(ValueError):
        Settings(weights={"tags": -1})
    with pytest.raises(MatchingError):
        assign([mentee(), mentee()], [mentor()], Settings())


def test_empty_sides():
    [u] = assign([mentee()], [], Settings()).unmatched
    assert u.why == f"нет наставников, работающих в форме «{TT}»"
    assert assign([], [mentor()], Settings()).pairs == []
    assert suggest(mentee(), [], Settings()) == []
