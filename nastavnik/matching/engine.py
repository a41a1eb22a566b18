"""Explainable mentee ↔ mentor matching: scores, suggestions and whole-cohort assignment.

Pure Python + numpy/scipy. Scores are a weighted mean of per-criterion values (0..100). Hard
constraints are masks applied before anything is ranked. The cohort assignment is one
``scipy.optimize.linear_sum_assignment`` over the mentee × mentor-slot matrix with a dummy
column per mentee worth the threshold, so nobody is matched below ``min_score``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

from nastavnik.matching import criteria as crit
from nastavnik.matching.criteria import DEFAULT_WEIGHTS, Criterion

ALGORITHM = "nastavnik.matching/1: weighted mean 0-100 + scipy linear_sum_assignment (slots + dummies)"

Mode = Literal["max_score", "max_participation"]
PairKey = tuple[Hashable, Hashable]

FORBIDDEN = -1.0e6  # any value below a dummy column's will do: a dummy is always free
TIE_BUDGET = 0.01  # total tie-break bonus, below the 0.1 granularity of rounded scores


def _frozen(obj: Any, *names: str) -> None:
    # Accept any iterable from callers but keep the dataclasses hashable and immutable.
    for name in names:
        object.__setattr__(obj, name, frozenset(getattr(obj, name)))


@dataclass(frozen=True, kw_only=True)
class MenteeIn:
    id: Hashable
    org_id: Hashable | None
    kind_code: str  # form of mentoring the mentee is enrolled for
    tags: frozenset[str] = frozenset()  # requests / difficulties
    subjects: frozenset[str] = frozenset()
    experience_years: float | None = None
    age: int | None = None
    category: str | None = None
    excluded_mentor_ids: frozenset[Hashable] = frozenset()

    def __post_init__(self) -> None:
        _frozen(self, "tags", "subjects", "excluded_mentor_ids")


@dataclass(frozen=True, kw_only=True)
class MentorIn:
    id: Hashable
    org_id: Hashable | None
    kind_codes: frozenset[str]
    capacity: int
    load: int = 0  # slots already taken: pending + live pairs
    tags: frozenset[str] = frozenset()  # competences
    subjects: frozenset[str] = frozenset()
    experience_years: float | None = None
    age: int | None = None
    preferred_age: tuple[int, int] | None = None
    partner_org_ids: frozenset[Hashable] = frozenset()

    def __post_init__(self) -> None:
        _frozen(self, "kind_codes", "tags", "subjects", "partner_org_ids")

    @property
    def free_slots(self) -> int:
        return max(self.capacity - self.load, 0)


@dataclass(frozen=True, kw_only=True)
class Settings:
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    must_share_subject: bool = False
    min_experience_gap: float = 3.0
    min_score: float = 0.0  # 0..100
    mode: Mode = "max_score"
    exclusions: frozenset[PairKey] = frozenset()  # (mentee_id, mentor_id)
    # Pairs a plugin refuses by law, (mentee_id, mentor_id) -> its Russian reason (shown as is).
    refusals: Mapping[PairKey, str] = field(default_factory=dict)
    extra_criteria: tuple[Criterion, ...] = ()  # plugins; weights by code in ``weights``

    def __post_init__(self) -> None:
        _frozen(self, "exclusions")
        object.__setattr__(self, "extra_criteria", tuple(self.extra_criteria))
        if self.mode not in ("max_score", "max_participation"):
            raise ValueError(f"неизвестный режим подбора: {self.mode!r}")
        if not 0.0 <= self.min_score <= 100.0:
            raise ValueError("порог должен быть от 0 до 100")
        if self.min_experience_gap < 0:
            raise ValueError("минимальная разница в стаже не может быть отрицательной")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("веса критериев не могут быть отрицательными")
        codes = [c.code for c in self.extra_criteria]
        if len(set(codes)) != len(codes) or set(codes) & set(DEFAULT_WEIGHTS):
            raise ValueError("коды дополнительных критериев должны быть уникальными")

    def weight(self, code: str) -> float:
        """Configured weight; built-ins fall back to the defaults, plugins to 1."""
        return float(self.weights.get(code, DEFAULT_WEIGHTS.get(code, 1.0)))

    def snapshot(self) -> dict[str, Any]:
        codes = [*DEFAULT_WEIGHTS, *(c.code for c in self.extra_criteria)]
        return {
            "weights": {code: self.weight(code) for code in codes},
            "must_share_subject": self.must_share_subject,
            "min_experience_gap": self.min_experience_gap,
            "min_score": self.min_score,
            "mode": self.mode,
            "exclusions": sorted(([a, b] for a, b in self.exclusions), key=_pair_key),
            "refusals": sorted(([a, b, why] for (a, b), why in self.refusals.items()), key=lambda r: _pair_key(r[:2])),
            "extra_criteria": [c.code for c in self.extra_criteria],
        }


@dataclass(frozen=True)
class Reason:
    code: str
    title: str
    value: float  # 0..1
    weight: float  # weight used for this pair (0 when the criterion had no data)
    points: float  # contribution to the 0..100 score
    text: str
    is_gap: bool


@dataclass(frozen=True)
class Suggestion:
    mentor_id: Hashable
    score: float
    reasons: list[Reason]
    blocked_by: list[str] = field(default_factory=list)  # empty when eligible


@dataclass(frozen=True)
class AssignedPair:
    mentee_id: Hashable
    mentor_id: Hashable
    score: float
    reasons: list[Reason]
    pinned: bool = False


@dataclass(frozen=True)
class Unmatched:
    mentee_id: Hashable
    why: str
    best_score: float | None = None


@dataclass(frozen=True)
class AssignmentResult:
    pairs: list[AssignedPair]
    unmatched: list[Unmatched]
    total_score: float
    settings_snapshot: dict[str, Any]
    algorithm: str = ALGORITHM


class MatchingError(ValueError):
    """Inputs that cannot be honoured (duplicate ids, impossible pins); message in Russian."""


# ---------------------------------------------------------------- scoring


def _id_key(value: Hashable) -> tuple[str, Any]:
    # Ids are usually ints or strings; the type name keeps mixed ids comparable.
    return (type(value).__name__, value)


def _pair_key(pair: Sequence[Hashable]) -> tuple[tuple[str, Any], ...]:
    return tuple(_id_key(x) for x in pair)


def _positions(people: Sequence[MenteeIn] | Sequence[MentorIn], side: str) -> dict[Hashable, int]:
    pos = {p.id: k for k, p in enumerate(people)}
    if len(pos) != len(people):
        raise MatchingError(f"повторяющиеся идентификаторы в списке: {side}")
    return pos


@dataclass
class _Part:
    """One criterion over the cohort: values, where they apply, how to word them."""

    code: str
    title: str
    weight: float
    value: np.ndarray
    applicable: np.ndarray
    text: Callable[[MenteeIn, MentorIn, float, Settings], str]


def _parts(
    cohort: crit.Cohort, mentees: Sequence[MenteeIn], mentors: Sequence[MentorIn], settings: Settings
) -> list[_Part]:
    shape = (len(mentees), len(mentors))
    parts = []
    for code, values in crit.VALUE_FUNCS.items():
        if settings.weight(code) > 0:
            value, applicable = values(cohort, settings)
            applicable = np.broadcast_to(applicable, shape)
            parts.append(
                _Part(
                    code, crit.TITLES[code], settings.weight(code), value, applicable, crit.TEXT_FUNCS[code]
                )
            )
    for plugin in settings.extra_criteria:
        if settings.weight(plugin.code) > 0:
            value, applicable = crit.plugin_values(plugin, mentees, mentors)
            weight = settings.weight(plugin.code)
            parts.append(
                _Part(plugin.code, plugin.title, weight, value, applicable, crit.plugin_text(plugin))
            )
    return parts


def _weighted_mean(parts: list[_Part], shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    num = np.zeros(shape)
    den = np.zeros(shape)
    for p in parts:
        w = np.where(p.applicable, p.weight, 0.0)
        num += w * p.value
        den += w
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(den > 0, 100.0 * num / den, 0.0)
    return np.round(score, 1), den


BLOCK_TEXTS = {
    "self": "это тот же человек",
    "excluded": "пара исключена в настройках подбора",
    "mentee_excluded": "наставник в списке исключений наставляемого",
    "rejected": "пара отклонена координатором",
    "subject": "нет общего предмета (обязательное условие)",
}
BLOCK_LABELS = {  # short forms for counting in «почему не подобран»
    "capacity": "нет свободных мест",
    "refused": "недопустимо по закону",
    "excluded": "пара исключена",
    "mentee_excluded": "в списке исключений наставляемого",
    "rejected": "пара отклонена",
    "subject": "нет общего предмета",
}


def _pair_mask(pairs: Iterable[PairKey], rows: dict[Hashable, int], cols: dict[Hashable, int]) -> np.ndarray:
    mask = np.zeros((len(rows), len(cols)), dtype=bool)
    for mentee_id, mentor_id in pairs:
        i, j = rows.get(mentee_id), cols.get(mentor_id)
        if i is not None and j is not None:
            mask[i, j] = True
    return mask


def _kind_block(mentees: Sequence[MenteeIn], mentors: Sequence[MentorIn]) -> np.ndarray:
    kinds = {code: k for k, code in enumerate(dict.fromkeys(me.kind_code for me in mentees))}
    offers = crit.incidence([mr.kind_codes for mr in mentors], kinds)  # m × kinds
    return offers[:, [kinds[me.kind_code] for me in mentees]].T == 0


def _self_block(mentees: Sequence[MenteeIn], mentors: Sequence[MentorIn]) -> np.ndarray:
    people: dict[Hashable, int] = {}
    left = np.array([people.setdefault(me.id, len(people)) for me in mentees], dtype=np.int64)
    right = np.array([people.setdefault(mr.id, len(people)) for mr in mentors], dtype=np.int64)
    return left[:, None] == right[None, :]


@dataclass
class _Run:
    """Everything known about a cohort: scores, criterion parts, hard-constraint masks."""

    mentees: Sequence[MenteeIn]
    mentors: Sequence[MentorIn]
    settings: Settings
    parts: list[_Part]
    score: np.ndarray
    den: np.ndarray
    blocks: dict[str, np.ndarray]  # True = the constraint forbids the pair
    capacity: np.ndarray  # per mentor
    taken: np.ndarray  # per mentor: load + pins of this run

    @property
    def free(self) -> np.ndarray:
        return np.maximum(self.capacity - self.taken, 0)

    def eligible(self, without: tuple[str, ...] = ()) -> np.ndarray:
        shape = self.score.shape
        blocked = np.zeros(shape, dtype=bool)
        for name, mask in self.blocks.items():
            if name not in without:
                blocked |= mask
        if "capacity" not in without:
            blocked |= (self.free == 0)[None, :]
        return ~blocked

    def blocked_texts(self, i: int, j: int) -> list[str]:
        me, mr = self.mentees[i], self.mentors[j]
        texts = [BLOCK_TEXTS["self"]] if self.blocks["self"][i, j] else []
        if self.blocks["kind"][i, j]:
            texts.append(f"наставник не работает в форме «{me.kind_code}»")
        if self.free[j] == 0:
            texts.append(f"нет свободных мест (занято {self.taken[j]} из {mr.capacity})")
        texts += [BLOCK_TEXTS[n] for n in BLOCK_TEXTS if n != "self" and self.blocks[n][i, j]]
        if self.blocks["refused"][i, j]:
            texts.append(self.settings.refusals[(me.id, mr.id)])
        return texts

    def reasons(self, i: int, j: int) -> list[Reason]:
        me, mr, den = self.mentees[i], self.mentors[j], float(self.den[i, j])
        out = []
        for p in self.parts:
            if not p.applicable[i, j]:
                na = crit.NOT_APPLICABLE.get(p.code, "нет данных — критерий не учитывается")
                out.append(Reason(p.code, p.title, 0.0, 0.0, 0.0, na, False))
                continue
            value = float(p.value[i, j])
            points = round(100.0 * p.weight * value / den, 1) if den > 0 else 0.0
            text = p.text(me, mr, value, self.settings)
            out.append(Reason(p.code, p.title, round(value, 4), p.weight, points, text, value < 0.5))
        # Biggest contributions first, then gaps, then criteria without data.
        return sorted(out, key=lambda r: (-r.points, r.weight == 0))


def _evaluate(
    mentees: Sequence[MenteeIn],
    mentors: Sequence[MentorIn],
    settings: Settings,
    rejected: Iterable[PairKey] = (),
) -> _Run:
    rows, cols = _positions(mentees, "наставляемые"), _positions(mentors, "наставники")
    shape = (len(mentees), len(mentors))
    cohort = crit.build_cohort(mentees, mentors)
    parts = _parts(cohort, mentees, mentors, settings)
    score, den = _weighted_mean(parts, shape)
    own = ((me.id, mid) for me in mentees for mid in me.excluded_mentor_ids)
    blocks = {
        "self": _self_block(mentees, mentors),
        "kind": _kind_block(mentees, mentors),
        "excluded": _pair_mask(settings.exclusions, rows, cols),
        "mentee_excluded": _pair_mask(own, rows, cols),
        "rejected": _pair_mask(rejected, rows, cols),
        "refused": _pair_mask(settings.refusals, rows, cols),
        "subject": ~cohort.subject_hits if settings.must_share_subject else np.zeros(shape, dtype=bool),
    }
    capacity = np.array([mr.capacity for mr in mentors], dtype=np.int64)
    taken = np.array([mr.load for mr in mentors], dtype=np.int64)
    return _Run(mentees, mentors, settings, parts, score, den, blocks, capacity, taken)


def _sorted(people: Iterable[Any]) -> list[Any]:
    # Sorting by id makes every result independent of input order (deterministic ties).
    return sorted(people, key=lambda p: _id_key(p.id))


def score_matrix(
    mentees: Sequence[MenteeIn], mentors: Sequence[MentorIn], settings: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """Scores (n × m, 0..100, 1 decimal) and the hard-constraint mask, in the given order.

    ``eligible`` covers kind, free capacity, exclusions, must-share-subject and self-pairs; the
    ``min_score`` threshold is not part of it.
    """
    run = _evaluate(mentees, mentors, settings)
    return run.score, run.eligible()


def explain(mentee: MenteeIn, mentor: MentorIn, settings: Settings) -> Suggestion:
    """Score, per-criterion reasons and hard-constraint blocks of a single pair."""
    return suggest(mentee, [mentor], settings, limit=None, include_blocked=True)[0]


# ---------------------------------------------------------------- suggestions


def suggest(
    mentee: MenteeIn,
    mentors: Sequence[MentorIn],
    settings: Settings,
    limit: int | None = 10,
    include_blocked: bool = False,
) -> list[Suggestion]:
    """Eligible mentors ranked by score (ties: lower mentor id first), optionally then the blocked.

    A mentor below ``min_score`` counts as blocked, with the threshold as the reason.
    """
    mentors = _sorted(mentors)
    run = _evaluate([mentee], mentors, settings)
    score = run.score[0]
    ok = run.eligible()[0] & (score >= settings.min_score)
    order = np.argsort(-score, kind="stable")  # stable on id-sorted columns = id tie-break
    shown = [j for j in order if ok[j]][:limit]
    if include_blocked:
        shown += [j for j in order if not ok[j]]

    def blocked(j: int) -> list[str]:
        texts = run.blocked_texts(0, j)
        if score[j] < settings.min_score:
            texts.append(f"балл {score[j]:.1f} ниже порога {settings.min_score:g}")
        return texts

    return [Suggestion(mentors[j].id, float(score[j]), run.reasons(0, j), blocked(j)) for j in shown]


# ---------------------------------------------------------------- cohort assignment


def build_slot_matrix(
    scores: np.ndarray, eligible: np.ndarray, free: np.ndarray, settings: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """The matrix handed to ``linear_sum_assignment(maximize=True)`` and each slot's mentor.

    Columns: every mentor repeated once per free slot, then one dummy per mentee worth
    ``min_score`` (better unmatched than badly matched). Pairs below the threshold or blocked
    are forbidden outright, so participation mode cannot push anyone under it.
    """
    n, m = scores.shape
    allowed = eligible & (scores >= settings.min_score)
    value = scores.astype(float)
    if settings.mode == "max_participation":
        # Bigger than any possible loss of quality: one more pair always wins.
        value = value + 101.0 * (n + 1)
    # A tiny bonus decides between equal totals: a product of row and column ranks, so by the
    # rearrangement inequality the lower mentee id gets the lower mentor id. It sums to at most
    # TIE_BUDGET over any assignment, so it never outweighs a real 0.1-point difference.
    ranks = np.outer((n - np.arange(n)) / max(n, 1), (m - np.arange(m)) / max(m, 1))
    value = np.where(allowed, value + ranks * (TIE_BUDGET / max(n, 1)), FORBIDDEN)
    slot_mentor = np.repeat(np.arange(m), np.maximum(free, 0))
    matrix = np.full((n, len(slot_mentor) + n), float(settings.min_score))
    matrix[:, : len(slot_mentor)] = value[:, slot_mentor]
    return matrix, slot_mentor


def _apply_pins(run: _Run, pins: Iterable[PairKey]) -> list[tuple[int, int]]:
    rows, cols = _positions(run.mentees, "наставляемые"), _positions(run.mentors, "наставники")
    fixed: list[tuple[int, int]] = []
    seen: set[int] = set()
    hard = run.eligible(without=("capacity",))
    for mentee_id, mentor_id in pins:
        i, j = rows.get(mentee_id), cols.get(mentor_id)
        if i is None or j is None:
            raise MatchingError(f"закреплённая пара {mentee_id}–{mentor_id}: участник не найден")
        if i in seen:
            raise MatchingError(f"наставляемый {mentee_id} закреплён дважды")
        if not hard[i, j]:
            why = "; ".join(t for t in run.blocked_texts(i, j) if not t.startswith("нет свободных"))
            raise MatchingError(f"закреплённая пара {mentee_id}–{mentor_id} невозможна: {why}")
        if run.free[j] == 0:
            raise MatchingError(f"закреплённая пара {mentee_id}–{mentor_id}: у наставника нет свободных мест")
        run.taken[j] += 1
        seen.add(i)
        fixed.append((i, j))
    return fixed


def _no_candidates_why(run: _Run, i: int) -> str:
    kind = run.mentees[i].kind_code
    offering = ~run.blocks["kind"][i] & ~run.blocks["self"][i]
    if not offering.any():
        return f"нет наставников, работающих в форме «{kind}»"
    full = run.free == 0
    if full[offering].all():
        return "нет подходящих наставников: у всех наставников этой формы нет свободных мест"
    counts = {
        name: int((full if name == "capacity" else run.blocks[name][i])[offering].sum())
        for name in BLOCK_LABELS
    }
    listed = ", ".join(f"{BLOCK_LABELS[name]} — {k}" for name, k in counts.items() if k)
    if counts["refused"]:  # the law's own words, not just a count
        me = run.mentees[i]
        refused = np.flatnonzero(run.blocks["refused"][i] & offering)
        listed += " (" + "; ".join(sorted({run.settings.refusals[(me.id, run.mentors[j].id)] for j in refused})) + ")"
    return f"нет подходящих наставников: {listed}"


def _unmatched(run: _Run, i: int, candidates: np.ndarray) -> Unmatched:
    me, threshold = run.mentees[i], run.settings.min_score
    if not candidates.any():
        return Unmatched(me.id, _no_candidates_why(run, i), None)
    best = float(run.score[i][candidates].max())
    if best < threshold:
        return Unmatched(me.id, f"лучший вариант {best:.1f} ниже порога {threshold:g}", best)
    why = f"подходящие наставники заняты: их места достались другим наставляемым (лучший вариант {best:.1f})"
    return Unmatched(me.id, why, best)


def assign(
    mentees: Sequence[MenteeIn],
    mentors: Sequence[MentorIn],
    settings: Settings,
    pins: Iterable[PairKey] = (),
    rejected: Iterable[PairKey] = (),
) -> AssignmentResult:
    """Optimal whole-cohort assignment under remaining capacities.

    Pins are fixed first (they use capacity and may be below the threshold, never against a hard
    constraint); rejected pairs are forbidden. ``max_score`` maximises the sum over mentees of
    the pair score, counting ``min_score`` for a mentee left unmatched; ``max_participation``
    maximises the number of pairs first, then that sum.
    """
    pins, rejected = list(pins), set(rejected)
    mentees, mentors = _sorted(mentees), _sorted(mentors)
    run = _evaluate(mentees, mentors, settings, rejected)
    fixed = _apply_pins(run, pins)
    pinned_rows = {i for i, _ in fixed}
    rows = np.array([i for i in range(len(mentees)) if i not in pinned_rows], dtype=np.int64)

    candidates = run.eligible()[rows]
    matrix, slot_mentor = build_slot_matrix(run.score[rows], candidates, run.free, settings)
    chosen: list[tuple[int, int]] = []
    if len(rows):
        for r, c in zip(*linear_sum_assignment(matrix, maximize=True), strict=True):
            if c < len(slot_mentor) and matrix[r, c] > FORBIDDEN:
                chosen.append((int(rows[r]), int(slot_mentor[c])))
    matched = {i for i, _ in chosen}

    def pair(i: int, j: int, pinned: bool) -> AssignedPair:
        return AssignedPair(mentees[i].id, mentors[j].id, float(run.score[i, j]), run.reasons(i, j), pinned)

    pairs = sorted(
        [pair(i, j, True) for i, j in fixed] + [pair(i, j, False) for i, j in chosen],
        key=lambda p: _id_key(p.mentee_id),
    )
    unmatched = [_unmatched(run, int(i), candidates[k]) for k, i in enumerate(rows) if int(i) not in matched]
    snapshot = settings.snapshot() | {
        "algorithm": ALGORITHM,
        "pins": [list(p) for p in pins],
        "rejected": sorted(([a, b] for a, b in rejected), key=_pair_key),
        "mentees": len(mentees),
        "mentors": len(mentors),
        "slots": int(len(slot_mentor)),
    }
    total = round(float(sum(p.score for p in pairs)), 1)
    return AssignmentResult(pairs, unmatched, total, snapshot)
