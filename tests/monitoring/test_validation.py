"""Every item kind's answer is checked against the kind, with a Russian message; nothing is stored on an error."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from nastavnik.monitoring.models import QuestionItem
from nastavnik.monitoring.services import check_answer, check_answers, satisfaction_score

CASES = [
    # kind, extra columns, posted, expected values or error fragment
    ("scale10", {}, ["7"], [(7.0, None)]),
    ("scale10", {}, ["0"], "от 1 до 10"),
    ("scale10", {}, ["11"], "от 1 до 10"),
    ("scale10", {}, ["7.5"], "от 1 до 10"),
    ("agree5", {}, ["5"], [(5.0, None)]),
    ("agree5", {}, ["6"], "пяти вариантов"),
    ("yesno", {}, ["0"], [(0.0, None)]),
    ("yesno", {}, ["2"], "«да» или «нет»"),
    ("frequency", {}, ["2"], [(2.0, None)]),
    ("frequency", {}, ["3"], "часто, редко или никогда"),
    ("single", {"options": ["А", "Б", "В"]}, ["2"], [(2.0, None)]),
    ("single", {"options": ["А", "Б", "В"]}, ["3"], "из списка"),
    ("single", {"options": ["А", "Б", "В"]}, ["0", "1"], "один вариант"),
    ("multiple", {"options": ["А", "Б", "В"]}, ["0", "2"], [(0.0, None), (2.0, None)]),
    ("multiple", {"options": ["А", "Б", "В"]}, ["0", "0"], "только один раз"),
    ("multiple", {"options": ["А", "Б", "В"]}, ["5"], "из списка"),
    ("number", {"minimum": 0, "maximum": 100}, ["3,5"], [(3.5, None)]),
    ("number", {"minimum": 0, "maximum": 100}, ["101"], "от 0 до 100"),
    ("number", {"minimum": 0, "maximum": 100}, ["-1"], "от 0 до 100"),
    ("number", {}, ["три"], "Введите число"),
    ("number", {}, ["nan"], "Введите число"),
    ("text", {}, ["  Хорошо  "], [(None, "Хорошо")]),
    ("text", {}, ["я" * 4001], "длиннее 4000"),
]


def _item(kind, required=True, **extra) -> QuestionItem:
    return QuestionItem(id=1, kind=kind, text="Вопрос", required=required, reverse=False, options=extra.pop("options", []),
                        **extra)


@pytest.mark.parametrize(("kind", "extra", "posted", "expected"), CASES)
def test_each_kind_checks_its_answer(kind, extra, posted, expected):
    values, error = check_answer(_item(kind, **extra), posted)
    if isinstance(expected, str):
        assert values == []
        assert error is not None and expected in error
    else:
        assert error is None
        assert values == expected


@pytest.mark.parametrize("kind", ["scale10", "agree5", "yesno", "frequency", "single", "multiple", "number", "text"])
def test_required_and_optional_empty_answers(kind):
    item = _item(kind, options=["А", "Б"])
    assert check_answer(item, [""]) == ([], "Ответьте на этот вопрос.")
    assert check_answer(_item(kind, required=False, options=["А", "Б"]), []) == ([], None)


def test_check_answers_collects_every_error_by_item():
    items = [_item("scale10"), QuestionItem(id=2, kind="yesno", text="Да?", required=True, options=[])]
    values, errors = check_answers(items, MultiDict([("q1", "12"), ("q2", "1")]))
    assert set(errors) == {1} and values == {2: [(1.0, None)]}


def test_satisfaction_score_turns_reverse_items_and_ignores_others():
    items = [
        QuestionItem(id=1, kind="scale10", reverse=False, in_satisfaction=True),
        QuestionItem(id=2, kind="agree5", reverse=True, in_satisfaction=True),
        QuestionItem(id=3, kind="scale10", reverse=False, in_satisfaction=False),
        QuestionItem(id=4, kind="yesno", reverse=False, in_satisfaction=True),  # not a scored kind: ignored
    ]
    values = {1: [(8.0, None)], 2: [(2.0, None)], 3: [(1.0, None)], 4: [(0.0, None)]}
    # 8/10 = 0.8; agree 2 reversed = 1 + 5 - 2 = 4 → 4/5 = 0.8; mean 0.8
    assert satisfaction_score(items, values) == pytest.approx(0.8)
    assert satisfaction_score(items, {3: [(5.0, None)]}) is None
