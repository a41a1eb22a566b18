"""Flag what looks wrong in a roadmap without changing a single character of it.

Documents are kept as written (two items «1.5», no section 3, «Апрель 2032г.»); the user decides
what to fix. `check` appends Russian flags to the draft, its sections and items and returns the
draft; `all_flags` lists them with their place for a report.
"""

from __future__ import annotations

import re
from collections import Counter
from statistics import median

from nastavnik.roadmaps.deadlines import UNPARSED_LABEL, parse_deadline
from nastavnik.roadmaps.structs import ItemDraft, RoadmapDraft, SectionDraft

# A deadline one year before or after the stated period is normal (preparation in August, a report
# after the year ends); further away it is most likely a typo.
YEAR_TOLERANCE = 1

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
CONTINUATION_FLAG = "строка без номера и сроков — возможно, продолжение предыдущего мероприятия"
BUNDLE_FLAG = "в одной строке несколько пронумерованных мероприятий — их можно разделить"
# «1. Сбор информации … 2. Формирование банка …»: numbered activities inside one cell.
_ENUMERATION = re.compile(r"(?:^|\s)(\d{1,2})[.)]\s+(?=[А-ЯЁA-Z«\"])")


def check(draft: RoadmapDraft) -> RoadmapDraft:
    """Flag duplicates, gaps, misplaced numbers, implausible years and unreadable deadlines."""
    _flag_section_gaps(draft)
    _flag_duplicate_numbers(draft)
    _flag_foreign_numbers(draft)
    _flag_deadlines(draft)
    _flag_continuations(draft)
    _flag_bundles(draft)
    return draft


def all_flags(draft: RoadmapDraft) -> list[str]:
    """Every flag with where it is, e.g. «п. 1.5: номер 1.5 повторяется»."""
    result = [f"дорожная карта: {flag}" for flag in draft.flags]
    for section in draft.sections:
        result += [f"раздел {section.number or section.title}: {flag}" for flag in section.flags]
        for item in section.items:
            result += [f"п. {item.number or item.name[:40]}: {flag}" for flag in item.flags]
    return result


def _add(target: RoadmapDraft | SectionDraft | ItemDraft, flag: str) -> None:
    if flag not in target.flags:  # check() may run again after an edit
        target.flags.append(flag)


def _clean_number(number: str) -> str:
    return number.strip().rstrip(".").strip()


def section_ordinal(number: str) -> int | None:
    """«3», «3.», «III», «III этап» → 3; None for anything else."""
    token = _clean_number(number).split(" ")[0].upper()
    if token.isdigit():
        return int(token)
    if token and all(ch in _ROMAN for ch in token):
        return _roman_to_int(token)
    return None


def _roman_to_int(token: str) -> int:
    values = [_ROMAN[ch] for ch in token]
    total = 0
    for i, value in enumerate(values):
        total += -value if i + 1 < len(values) and values[i + 1] > value else value
    return total


def _flag_section_gaps(draft: RoadmapDraft) -> None:
    previous: int | None = None
    for section in draft.sections:
        current = section_ordinal(section.number)
        if current is None:
            continue
        if previous is not None and current > previous + 1:
            for missing in range(previous + 1, current):
                _add(draft, f"пропущен раздел {missing}")
                _add(section, f"перед разделом пропущен раздел {missing}")
        previous = current


def _flag_duplicate_numbers(draft: RoadmapDraft) -> None:
    """Only hierarchical numbers («1.5») are global; «1.», «2.» restart in every stage (template 002)."""
    items = [item for item in draft.items() if "." in _clean_number(item.number)]
    counts = Counter(_clean_number(item.number) for item in items)
    for item in items:
        number = _clean_number(item.number)
        if counts[number] > 1:
            _add(item, f"номер {number} повторяется")


def _flag_foreign_numbers(draft: RoadmapDraft) -> None:
    for section in draft.sections:
        prefix = _clean_number(section.number)
        if section_ordinal(section.number) is None or not prefix.isdigit():
            continue
        for item in section.items:
            number = _clean_number(item.number)
            if "." in number and number.split(".")[0] != prefix:
                _add(item, f"номер {number} не относится к разделу {prefix}")


def roadmap_years(draft: RoadmapDraft) -> tuple[int, int] | None:
    """The period from period_text (or the title), else the median year of the deadlines."""
    for text in (draft.period_text, draft.title):
        years = [int(y) for y in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", text)]
        if years:
            return min(years), max(years)
    deadline_years = [y for item in draft.items() for y in parse_deadline(item.deadline_text).years]
    if not deadline_years:
        return None
    middle = round(median(deadline_years))
    return middle, middle


def _flag_deadlines(draft: RoadmapDraft) -> None:
    period = roadmap_years(draft)
    for item in draft.items():
        deadline = parse_deadline(item.deadline_text)
        if deadline.kind == "unparsed":
            _add(item, UNPARSED_LABEL)
        if period is None:
            continue
        for year in deadline.years:
            if year < period[0] - YEAR_TOLERANCE or year > period[1] + YEAR_TOLERANCE:
                _add(item, f"год {year} вне периода дорожной карты — возможно, опечатка")


def _flag_continuations(draft: RoadmapDraft) -> None:
    """A row that is most likely the rest of the previous item's text, split by Word (or a PDF
    converter) into a row of its own: without a number, deadline, responsible or result right after a
    numbered item (seed 000, item 1.2), or starting in lower case («реализации системы …»)."""
    for section in draft.sections:
        for previous, item in zip(section.items, section.items[1:], strict=False):
            bare = not (item.number.strip() or item.deadline_text or item.responsible_text or item.result_text)
            lower = item.name[:1].islower() and not item.number.strip()
            if (bare and item.name and previous.number.strip()) or lower:
                _add(item, CONTINUATION_FLAG)


def enumerated_parts(text: str) -> list[tuple[str, str]]:
    """(number, text) of the activities numbered 1, 2, 3 … inside one text; [] when fewer than two."""
    starts = []
    expected = 1
    for match in _ENUMERATION.finditer(text):
        if int(match.group(1)) == expected:
            starts.append(match)
            expected += 1
    if len(starts) < 2:
        return []
    bounds = [m.start() for m in starts[1:]] + [len(text)]
    head = text[: starts[0].start()].strip()
    parts = [(f"{m.group(1)}.", text[m.end() : end].strip()) for m, end in zip(starts, bounds, strict=True)]
    return ([("", head)] if head else []) + parts


def _flag_bundles(draft: RoadmapDraft) -> None:
    for item in draft.items():
        if enumerated_parts(item.name):
            _add(item, BUNDLE_FLAG)
