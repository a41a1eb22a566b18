"""A template made the adopting organisation's own plan (pure text work, no database).

A template is another organisation's document: «МАОУ «Школа № 128»» in its title and items, the
deputy head «А.В. Матасова» as the responsible person, «К приказу от 01.09.2020 № 328-01-02» as its
approval, and dates of 2020. Adopting it for a school and an academic year gives that school's plan:

- the template's own names (``RoadmapDraft.identity``) become the adopting organisation, named
  people are dropped (the school links its own staff to the items);
- the approval is left empty: the school approves its plan by its own order or protocol;
- the years move with the plan when the dates are moved (``shift``): the text says what the plan
  means («до 20.08.2020» becomes «до 20.08.2025»), so a date typed later is taken as typed; the
  years of the orders and letters a text cites stay as they are;
- «на 2020 год» in the title (and in «Основные положения») names the plan's academic years.

Which template it came from stays on the roadmap as its source (``Roadmap.template_code``).
"""

from __future__ import annotations

import copy
import re

from nastavnik.roadmaps.structs import RoadmapDraft

_HEADER_TEXTS = ("title", "goal", "tasks", "expected_results", "forms_text", "provisions")
_ITEM_TEXTS = ("name", "content", "deadline_text", "responsible_text", "result_text")

_YEAR = r"(?:19|20)\d\d"
# «2023/24», «2023-2024»: a second year, full or short.
_YEAR_SPAN = re.compile(rf"(?<!\d)({_YEAR})(?:(\s*[-–/]\s*)({_YEAR}|\d\d)(?!\d))?(?!\d)")
# A year the plan is dated in: «в 2020 г.», «2022–2023 уч.г.», «на 2020 год» (not «от 21 декабря 2021
# года», the date of a letter, and not «01.09.2020», the date of an order).
_PLAN_YEAR_AFTER = re.compile(r"\s*(?:г\.|г\b|гг|год|уч)")
_CITED_BEFORE = re.compile(
    r"(?:\bот|январ[яь]|феврал[яь]|марта?|апрел[яь]|ма[яй]|июн[яь]|июл[яь]|августа?|сентябр[яь]"
    r"|октябр[яь]|ноябр[яь]|декабр[яь])\s*\d{0,2}\s*$|\d\.$",
    re.I,
)
_PLAN_PERIOD = re.compile(
    rf"на\s+{_YEAR}(?:\s*[-–/]\s*(?:{_YEAR}|\d\d))?\s*(?:учебн[а-я]*\s+)?(?:год[а-я]*|гг\.?|г\.)", re.I
)


def plan_years(first_year: int, year_count: int) -> str:
    """«2025/2026 учебный год», «2025/2026 – 2026/2027 учебные годы»."""
    last = first_year + max(year_count, 1) - 1
    if last == first_year:
        return f"{first_year}/{first_year + 1} учебный год"
    return f"{first_year}/{first_year + 1} – {last}/{last + 1} учебные годы"


def _shift_span(match: re.Match, shift: int) -> str:
    first = int(match.group(1)) + shift
    if not match.group(2):
        return str(first)
    second = match.group(3)
    moved = int(second) + shift if len(second) == 4 else (int(second) + shift) % 100
    return f"{first}{match.group(2)}{moved:0{len(second)}d}"


def shift_all_years(text: str, shift: int) -> str:
    """Every year of a deadline moves: «Октябрь 2022» → «Октябрь 2025», «2023/24» → «2026/27»."""
    if not shift:
        return text
    return _YEAR_SPAN.sub(lambda m: _shift_span(m, shift), text)


def shift_plan_years(text: str, shift: int) -> str:
    """Only the years the plan is dated in move («в 2020 г.», «в 2020-2021 учебном году»); the dates of
    orders and letters it cites stay."""
    if not shift:
        return text

    def replace(match: re.Match) -> str:
        dated = _PLAN_YEAR_AFTER.match(text, match.end())
        cited = _CITED_BEFORE.search(text[max(0, match.start() - 20) : match.start()])
        return _shift_span(match, shift) if dated and not cited else match.group(0)

    return _YEAR_SPAN.sub(replace, text)


def _with_identity(text: str, identity: list[tuple[str, str]], org_title: str) -> str:
    """One pass over the text, longer phrases first («МКУ УО Кежемского района» before «Кежемского
    района»), so that nothing inserted (the adopting organisation's own name) is replaced again."""
    if not identity or not text:
        return text
    replacements = {phrase: replacement.replace("{org}", org_title) for phrase, replacement in identity}
    pattern = "|".join(re.escape(phrase) for phrase in sorted(replacements, key=len, reverse=True))
    return re.sub(pattern, lambda match: replacements[match.group(0)], text)


def adopted_draft(
    draft: RoadmapDraft, org_title: str, first_year: int | None, year_count: int, shift: int
) -> RoadmapDraft:
    """A copy of the template as the adopting organisation's plan (see the module docstring)."""
    own = copy.deepcopy(draft)
    identity = list(own.identity)

    def text(value: str, dated: bool = False) -> str:
        value = _with_identity(value, identity, org_title)
        return shift_all_years(value, shift) if dated else shift_plan_years(value, shift)

    for name in _HEADER_TEXTS:
        setattr(own, name, _with_identity(getattr(own, name), identity, org_title))
    own.approval_text = ""
    own.period_text = shift_all_years(own.period_text, shift)
    own.title = shift_plan_years(own.title, shift)
    if first_year is not None:
        years = plan_years(first_year, year_count)
        own.title = _PLAN_PERIOD.sub(f"на {years}", own.title)
        own.provisions = _PLAN_PERIOD.sub(f"на {years}", own.provisions)
    for section in own.sections:
        section.title, section.task = text(section.title), text(section.task)
        for item in section.items:
            for name in _ITEM_TEXTS:
                setattr(item, name, text(getattr(item, name), dated=name == "deadline_text"))
    own.identity = []
    return own
