"""Russian plurals come from Babel's CLDR rules, not from hand-written endings."""

from __future__ import annotations

import pytest

from nastavnik.web.words import plural, plural_word

PAIR = ("пара", "пары", "пар")


@pytest.mark.parametrize(
    ("number", "expected"),
    [(0, "0 пар"), (1, "1 пара"), (2, "2 пары"), (4, "4 пары"), (5, "5 пар"), (11, "11 пар"), (12, "12 пар"),
     (14, "14 пар"), (21, "21 пара"), (22, "22 пары"), (101, "101 пара"), (111, "111 пар"), (1.5, "1.5 пары")],
)
def test_plural_follows_russian_rules(number, expected):
    assert plural(number, *PAIR) == expected


def test_plural_word_and_template_filter(app):
    assert plural_word(24, "мероприятие", "мероприятия", "мероприятий") == "мероприятия"
    rendered = app.jinja_env.from_string('{{ 101|plural("обучающийся", "обучающихся", "обучающихся") }}').render()
    assert rendered == "101 обучающийся"
