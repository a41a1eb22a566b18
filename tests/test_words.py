"""Russian plurals come from Babel's CLDR rules, not from hand-written endings."""

from __future__ import annotations

import re
from datetime import date

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


# The counts the dashboard cards and notes show, rendered with 1, 2 and 5 things: every noun, adjective and
# verb beside a number agrees with it (before: «1 активных», «2 пар», «1 обучающихся», «5 просрочено»).
def _render(app, template, **context):
    context.setdefault("can", lambda *args, **kwargs: True)
    with app.test_request_context("/"):
        html = app.jinja_env.get_template(template).render(**context)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    return text


CARD_CASES = [
    ("pairs/_dashboard_card.html", ["{n} активная, {n} формируется", "{n} пара без встреч больше {n} дня"],
     ["{n} активные, {n} формируются", "{n} пары без встреч больше {n} дней"],
     ["{n} активных, {n} формируются", "{n} пар без встреч больше {n} дней"]),
    ("banks/_dashboard_card.html", ["{n} наставляемый ждёт пары, {n} не подобран", "{n} наставник,",
                                    "{n} анкета наставника ждёт решения"],
     ["{n} наставляемых ждут пары, {n} не подобраны", "{n} наставника,", "{n} анкеты наставников ждут решения"],
     ["{n} наставляемых ждут пары, {n} не подобраны", "{n} наставников,", "{n} анкет наставников ждут решения"]),
    ("roadmaps/_dashboard_card.html", ["{n} мероприятие просрочено", "{n} мероприятие со сроком"],
     ["{n} мероприятия просрочены", "{n} мероприятия со сроком"],
     ["{n} мероприятий просрочено", "{n} мероприятий со сроком"]),
    ("programmes/_dashboard_card.html", ["{n} пара без программы"], ["{n} пары без программы"],
     ["{n} пар без программы"]),
    ("pairs/_table.html", ["{n} пара формируется"], ["{n} пары формируются"], ["{n} пар формируются"]),
]


def _card_context(template, n):
    from types import SimpleNamespace as NS

    from nastavnik.pairs.services import PairRow
    from nastavnik.plugins.manager import registry

    pair = NS(id=1, mentors=[], mentees=[], org_id=1)
    item = NS(roadmap_id=1, id=1, number="1.1", name="Семинар", due_end=None, rolled_up=False,
              roadmap=NS(org=NS(title="Школа № 1")))
    return {
        "pairs/_dashboard_card.html": {"counts": {"active": n, "forming": n}, "stalled": [pair] * n, "stalled_total": n,
                                       "days": n, "unconsented": [], "unconsented_total": 0},
        "banks/_dashboard_card.html": {"counts": NS(mentees=n, unmatched=n, mentors=n, free=n, questionnaires=n,
                                                    suspended_mentees=0, suspended_mentors=0)},
        "roadmaps/_dashboard_card.html": {"attention": NS(org_count=1, overdue=[item] * n, upcoming=[item] * n,
                                                          totals={"overdue": n, "upcoming": n}, by_org={})},
        "programmes/_dashboard_card.html": {"missing": [pair] * n, "missing_total": n, "own": [],
                                            "pair_title": lambda p: "пара"},
        "pairs/_table.html": {"can_edit": True, "forming": n, "page": NS(number=1, pages=1, total=n),
                              "pairs": [PairRow(1, "teacher_teacher", False, "forming", None, None, "", "")] * n,
                              "registry": registry(), "pair_url": lambda pair_id: f"/pairs/{pair_id}"},
    }[template]


@pytest.mark.parametrize("case", CARD_CASES, ids=[c[0] for c in CARD_CASES])
def test_dashboard_counts_agree_with_their_number(app, case):
    template, *by_number = case
    for n, phrases in zip((1, 2, 5), by_number, strict=True):
        text = _render(app, template, **_card_context(template, n))
        for phrase in phrases:
            assert phrase.format(n=n) in text, (template, n, text)


def test_people_summary_and_python_messages_agree_with_their_number(app):
    from nastavnik.banks.people_import import STUDENT_AGE, FieldError, check_birth_date
    from nastavnik.matching.criteria import years
    from nastavnik.roadmaps.services import template_label
    from nastavnik.roadmaps.structs import RoadmapDraft

    assert [years(x) for x in (1, 2, 5, 21, 1.5)] == ["1 год", "2 года", "5 лет", "21 год", "1,5 года"]
    with pytest.raises(FieldError, match=f"это 1 год, а для обучающегося ожидается от {STUDENT_AGE[0]} до "):
        check_birth_date(date(2020, 1, 1), "student", date(2021, 6, 1))
    label = template_label("x", RoadmapDraft(title="План", sections=[]))
    assert label == "План — 0 мероприятий"
