"""Explainable mentee ↔ mentor matching (pure Python, numpy, scipy; no Flask, no database).

``suggest`` ranks mentors for one mentee with per-criterion reasons and gaps; ``assign`` finds
the optimal whole-cohort assignment under mentor capacities, pins and rejections.
"""

from nastavnik.matching.criteria import DEFAULT_WEIGHTS, TITLES, Criterion
from nastavnik.matching.engine import (
    ALGORITHM,
    AssignedPair,
    AssignmentResult,
    MatchingError,
    MenteeIn,
    MentorIn,
    Reason,
    Settings,
    Suggestion,
    Unmatched,
    assign,
    build_slot_matrix,
    explain,
    score_matrix,
    suggest,
)

__all__ = [
    "ALGORITHM",
    "DEFAULT_WEIGHTS",
    "TITLES",
    "AssignedPair",
    "AssignmentResult",
    "Criterion",
    "MatchingError",
    "MenteeIn",
    "MentorIn",
    "Reason",
    "Settings",
    "Suggestion",
    "Unmatched",
    "assign",
    "build_slot_matrix",
    "explain",
    "score_matrix",
    "suggest",
]
