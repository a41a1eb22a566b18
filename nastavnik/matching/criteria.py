"""Matching criteria: vectorised values over a cohort and Russian texts for one pair.

Each built-in criterion gives, for the whole mentee × mentor grid, a value in 0..1 and a mask of
where it applies. A criterion that lacks data for a pair (no requests stated, no age range) does
not apply there and drops out of that pair's weighted mean instead of counting as a zero, so an
incomplete profile is not punished across the board. Texts are built only for the pairs shown.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from nastavnik.web.words import plural_word

if TYPE_CHECKING:
    from nastavnik.matching.engine import MenteeIn, MentorIn, Settings


@runtime_checkable
class Criterion(Protocol):
    """A plugin criterion. Its weight comes from ``Settings.weights[code]``.

    ``score`` returns a value in 0..1 (NaN: no data, the criterion is skipped for the pair) and a
    Russian reason. A plugin may also define ``score_matrix(mentees, mentors) -> ndarray`` (n × m,
    same meaning) to avoid one Python call per pair on large cohorts.
    """

    code: str
    title: str

    def score(self, mentee: MenteeIn, mentor: MentorIn) -> tuple[float, str]: ...


DEFAULT_WEIGHTS: dict[str, float] = {
    "tags": 4.0,
    "subject": 2.0,
    "experience": 2.0,
    "organisation": 1.0,
    "age": 1.0,
}

TITLES: dict[str, str] = {
    "tags": "Запросы и компетенции",
    "subject": "Предмет",
    "experience": "Разница в стаже",
    "organisation": "Организация",
    "age": "Возраст наставляемого",
}

NOT_APPLICABLE: dict[str, str] = {
    "tags": "запросы наставляемого не указаны — критерий не учитывается",
    "subject": "предметы не указаны — критерий не учитывается",
    "experience": "стаж не указан — критерий не учитывается",
    "organisation": "организация не указана — критерий не учитывается",
    "age": "возраст или желаемый возраст наставляемых не указан — критерий не учитывается",
}


@dataclass
class Cohort:
    """Numeric form of a cohort: n mentees (rows) × m mentors (columns)."""

    tag_hits: np.ndarray  # n × m, shared tags
    tag_requests: np.ndarray  # n, number of the mentee's requests
    subject_hits: np.ndarray  # n × m, shared subjects
    has_subjects: np.ndarray  # n × m, both sides list subjects
    experience_gap: np.ndarray  # n × m, mentor minus mentee, NaN when unknown
    age_fit: np.ndarray  # n × m, mentee age inside the mentor's range
    has_age: np.ndarray  # n × m, both the age and the range are known
    same_org: np.ndarray  # n × m
    partner_org: np.ndarray  # n × m, mentee's org is a partner of the mentor's
    has_org: np.ndarray  # n × 1


def _vocabulary(groups: Iterable[Iterable[Hashable]]) -> dict[Hashable, int]:
    vocab: dict[Hashable, int] = {}
    for group in groups:
        for item in group:
            vocab.setdefault(item, len(vocab))
    return vocab


def incidence(sets: Sequence[Iterable[Hashable]], vocab: dict[Hashable, int]) -> np.ndarray:
    """Rows × vocabulary 0/1 matrix (float32, so overlaps are one matrix product)."""
    rows: list[int] = []
    cols: list[int] = []
    for row, items in enumerate(sets):
        for item in items:
            col = vocab.get(item)
            if col is not None:
                rows.append(row)
                cols.append(col)
    matrix = np.zeros((len(sets), len(vocab)), dtype=np.float32)
    matrix[rows, cols] = 1.0
    return matrix


def _floats(values: Iterable[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _overlap(left: Sequence[frozenset], right: Sequence[frozenset]) -> np.ndarray:
    # Only items on both sides can overlap, so the vocabulary stays small.
    vocab = _vocabulary(right)
    return incidence(left, vocab) @ incidence(right, vocab).T


def build_cohort(mentees: Sequence[MenteeIn], mentors: Sequence[MentorIn]) -> Cohort:
    subj_left = np.array([bool(me.subjects) for me in mentees], dtype=bool)[:, None]
    subj_right = np.array([bool(mr.subjects) for mr in mentors], dtype=bool)[None, :]

    ages = _floats(me.age for me in mentees)[:, None]
    low = _floats(mr.preferred_age[0] if mr.preferred_age else None for mr in mentors)[None, :]
    high = _floats(mr.preferred_age[1] if mr.preferred_age else None for mr in mentors)[None, :]

    orgs = _vocabulary([[me.org_id for me in mentees], [mr.org_id for mr in mentors]])
    org_left = np.array([orgs[me.org_id] for me in mentees], dtype=np.int64)
    org_right = np.array([orgs[mr.org_id] for mr in mentors], dtype=np.int64)
    partners = incidence([mr.partner_org_ids for mr in mentors], orgs)  # m × orgs
    known_org = np.array([me.org_id is not None for me in mentees], dtype=bool)[:, None]

    with np.errstate(invalid="ignore"):
        return Cohort(
            tag_hits=_overlap([me.tags for me in mentees], [mr.tags for mr in mentors]),
            tag_requests=np.array([len(me.tags) for me in mentees], dtype=float),
            subject_hits=_overlap([me.subjects for me in mentees], [mr.subjects for mr in mentors]) > 0,
            has_subjects=subj_left & subj_right,
            experience_gap=_floats(mr.experience_years for mr in mentors)[None, :]
            - _floats(me.experience_years for me in mentees)[:, None],
            age_fit=(ages >= low) & (ages <= high),
            has_age=~np.isnan(ages) & ~np.isnan(low),
            same_org=org_left[:, None] == org_right[None, :],
            partner_org=partners[:, org_left].T > 0,
            has_org=known_org,
        )


# Value functions: (cohort, settings) -> (value n × m, applicable broadcastable to n × m).
Values = tuple[np.ndarray, np.ndarray]


def tags_values(c: Cohort, s: Settings) -> Values:
    # Coverage of the mentee's requests, not Jaccard: a mentor with many extra competences
    # should not lose points for knowing more.
    asked = c.tag_requests[:, None]
    return c.tag_hits / np.maximum(asked, 1.0), asked > 0


def subject_values(c: Cohort, s: Settings) -> Values:
    return c.subject_hits.astype(float), c.has_subjects


def experience_values(c: Cohort, s: Settings) -> Values:
    gap = c.experience_gap
    with np.errstate(invalid="ignore"):
        value = np.where(gap >= s.min_experience_gap, 1.0, np.where(gap > 0, 0.5, 0.0))
    return value, ~np.isnan(gap)


def organisation_values(c: Cohort, s: Settings) -> Values:
    return np.where(c.same_org, 1.0, np.where(c.partner_org, 0.5, 0.0)), c.has_org


def age_values(c: Cohort, s: Settings) -> Values:
    return c.age_fit.astype(float), c.has_age


VALUE_FUNCS: dict[str, Callable[[Cohort, Settings], Values]] = {
    "tags": tags_values,
    "subject": subject_values,
    "experience": experience_values,
    "organisation": organisation_values,
    "age": age_values,
}


# Texts for one pair; only called for pairs that are shown or chosen.


def _num(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def years(x: float) -> str:
    """«1 год», «3 года», «12 лет», «1,5 года»."""
    x = abs(x)
    return f"{_num(x)} {plural_word(x if x != int(x) else int(x), 'год', 'года', 'лет')}"


def _listing(items: Iterable[str]) -> str:
    return ", ".join(sorted(items))


def tags_text(mentee: MenteeIn, mentor: MentorIn, value: float, s: Settings) -> str:
    matched = mentee.tags & mentor.tags
    uncovered = mentee.tags - mentor.tags
    if not uncovered:
        return f"закрывает все запросы: {_listing(matched)}"
    if not matched:
        return f"ни один запрос не закрыт: {_listing(uncovered)}"
    return f"совпадают: {_listing(matched)}; не закрыты: {_listing(uncovered)}"


def subject_text(mentee: MenteeIn, mentor: MentorIn, value: float, s: Settings) -> str:
    shared = mentee.subjects & mentor.subjects
    return f"общий предмет: {_listing(shared)}" if shared else "нет общего предмета"


def experience_text(mentee: MenteeIn, mentor: MentorIn, value: float, s: Settings) -> str:
    gap = round(float(mentor.experience_years) - float(mentee.experience_years), 1)  # type: ignore[arg-type]
    wanted = f"желательно {years(s.min_experience_gap)} и больше"
    if gap > 0:
        more = f"наставник опытнее на {years(gap)}"
        return more if value >= 1.0 else f"наставник опытнее лишь на {years(gap)} ({wanted})"
    if gap == 0:
        return "стаж одинаковый" if value >= 1.0 else f"стаж одинаковый ({wanted})"
    return f"наставляемый опытнее на {years(gap)}"


def organisation_text(mentee: MenteeIn, mentor: MentorIn, value: float, s: Settings) -> str:
    if mentee.org_id == mentor.org_id:
        return "одна организация"
    if mentee.org_id in mentor.partner_org_ids:
        return "организация-партнёр наставника"
    return "разные организации"


def age_text(mentee: MenteeIn, mentor: MentorIn, value: float, s: Settings) -> str:
    low, high = mentor.preferred_age  # type: ignore[misc]
    where = "в желаемом диапазоне" if value >= 1.0 else "вне желаемого диапазона"
    return f"возраст {mentee.age} — {where} {low}–{high}"


TEXT_FUNCS: dict[str, Callable[[MenteeIn, MentorIn, float, Settings], str]] = {
    "tags": tags_text,
    "subject": subject_text,
    "experience": experience_text,
    "organisation": organisation_text,
    "age": age_text,
}


def plugin_values(criterion: Criterion, mentees: Sequence[MenteeIn], mentors: Sequence[MentorIn]) -> Values:
    """Values of a plugin criterion, vectorised when the plugin can do it."""
    matrix_fn = getattr(criterion, "score_matrix", None)
    if callable(matrix_fn):
        raw = np.asarray(matrix_fn(mentees, mentors), dtype=float).reshape(len(mentees), len(mentors))
    else:
        raw = np.array(
            [[criterion.score(me, mr)[0] for mr in mentors] for me in mentees], dtype=float
        ).reshape(len(mentees), len(mentors))
    known = ~np.isnan(raw)
    return np.clip(np.nan_to_num(raw), 0.0, 1.0), known


def plugin_text(criterion: Criterion) -> Callable[[MenteeIn, MentorIn, float, Settings], str]:
    """The plugin's own reason; asked again only for the pairs being shown."""
    return lambda mentee, mentor, value, settings: criterion.score(mentee, mentor)[1]
