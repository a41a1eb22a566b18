"""Reading the free-text «Срок реализации» of a roadmap item.

A roadmap says «Октябрь 2022», «Ежегодно, сентябрь», «до 20.08.2020», «1 раз в полугодие» or
«Постоянно». `parse_deadline` turns such a text into a `Deadline` without ever losing the text;
`resolve` places a deadline into a concrete academic year (1 September – 31 August), which is how a
template written years ago is adopted for the current year.

Kinds:
- ``date``: one day («15.09.2023»);
- ``range``: from–to, a whole month, a year, an academic year, or «до …» (end only, start None);
- ``recurring``: «ежегодно, сентябрь», «1 раз в полугодие», «ежемесячно», «ежеквартально» …;
- ``open``: no date at all («в течение года», «постоянно», «по отдельному графику» …);
- ``unparsed``: kept verbatim, labelled «срок не распознан»;
- ``empty``: the cell is empty.

A month without a year («май», «Октябрь-декабрь») is kept as months plus month/day pairs with
``year_missing=True``; ``default_year`` (a calendar year) fills the dates in, `resolve` places them in
the academic year instead.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

KINDS = ("date", "range", "recurring", "open", "unparsed", "empty")
UNPARSED_LABEL = "срок не распознан"

MONTHS_NOMINATIVE = (
    "",
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
MONTHS_GENITIVE = (
    "",
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)

# Stems in every case Word documents use («сентябрь», «сентября», «сентябре»), then abbreviations
# that need their dot so that «мар» inside other words never matches.
_MONTH_FORMS = (
    (r"январ[ьяе]|янв\.", 1),
    (r"феврал[ьяе]|фев\.|февр\.", 2),
    (r"март[ае]?|мар\.", 3),
    (r"апрел[ьяе]|апр\.", 4),
    (r"ма[йяе]", 5),
    (r"июн[ьяе]|июн\.", 6),
    (r"июл[ьяе]|июл\.", 7),
    (r"август[ае]?|авг\.", 8),
    (r"сентябр[ьяе]|сент\.|сен\.", 9),
    (r"октябр[ьяе]|окт\.", 10),
    (r"ноябр[ьяе]|нояб\.|ноя\.", 11),
    (r"декабр[ьяе]|дек\.", 12),
)
_MONTH = r"(?<![а-я])(?:" + "|".join(f"(?:{forms})" for forms, _ in _MONTH_FORMS) + r")(?![а-я])"
_YEAR = r"(?:19|20|21)\d\d"
_NUM_DATE = r"\d{1,2}\.\d{1,2}\.\d{4}"
_WORD_DATE = rf"\d{{1,2}} {_MONTH}(?: {_YEAR})?"
_DATE = rf"(?:{_NUM_DATE}|{_WORD_DATE})"

FREQUENCY_LABELS = {
    "yearly": "ежегодно",
    "halfyear": "1 раз в полугодие",
    "quarterly": "ежеквартально",
    "monthly": "ежемесячно",
    "weekly": "еженедельно",
}

# (code, pattern searched in the normalised text, label). Order matters: the longer phrase first.
_OPEN_PHRASES = (
    ("whole_period", r"в течение (?:всего )?(?:периода|срока) (?:реализации|действия)[^,;]*", ""),
    ("during_school_year", r"в течение (?:всего )?учебного года", "в течение учебного года"),
    ("during_year", r"в течение (?:всего )?года", "в течение года"),
    ("permanent", r"постоянно|в постоянном режиме|на постоянной основе|систематически", "постоянно"),
    (
        "by_programme_terms",
        r"(?:в соответствии со? |согласно )?с(?:о)?роками? реализации программ[а-я]*(?: наставничества)?"
        r"|в сроки реализации программ[а-я]*(?: наставничества)?",
        "в сроки реализации программ наставничества",
    ),
    (
        "by_external_terms",
        r"(?:в соответствии со? сроками|в сроки|по срокам),? (?:устанавлива|установл|определя|утвержда)[^;]*"
        r"|в установленные сроки",
        "",
    ),
    (
        "by_schedule",
        r"по (?:отдельному |утвержденному |особому )?графику|в соответствии с графиком|согласно графику",
        "по отдельному графику",
    ),
    (
        "by_plan",
        r"по (?:отдельному |утвержденному )?плану|в соответствии с планом|согласно плану",
        "по отдельному плану",
    ),
    ("as_needed", r"по мере необходимости|при необходимости", "по мере необходимости"),
    ("on_request", r"по запросу|по заявкам?", "по запросу"),
)
OPEN_LABELS = {code: label for code, _, label in _OPEN_PHRASES}
OPEN_LABELS["whole_period"] = "в течение всего периода реализации"


@dataclass(frozen=True)
class Deadline:
    """A parsed «срок»; ``text`` is always the original cell text."""

    text: str
    kind: str
    start: date | None = None
    end: date | None = None
    months: tuple[int, ...] = ()
    frequency: str | None = None
    open_kind: str | None = None
    year_missing: bool = False
    # For a month/day without a year: (month, day); day None means the first (start) or last (end)
    # day of that month.
    start_md: tuple[int, int | None] | None = None
    end_md: tuple[int, int | None] | None = None
    joiner: str = ""  # «и» / «или» when a date comes together with an open phrase

    @property
    def label(self) -> str:
        """What the deadline means, in Russian, for lists and tooltips."""
        if self.kind == "empty":
            return "срок не указан"
        if self.kind == "unparsed":
            return UNPARSED_LABEL
        if self.kind == "recurring":
            return _recurring_label(self)
        dated = _dated_label(self)
        opened = _open_label(self)
        if dated and opened:
            return f"{dated} {self.joiner or 'и'} {opened}"
        return dated or opened or UNPARSED_LABEL

    @property
    def years(self) -> tuple[int, ...]:
        """Calendar years the text names explicitly (for plausibility checks)."""
        if self.year_missing:
            return ()
        return tuple(sorted({d.year for d in (self.start, self.end) if d is not None}))


# -- parsing --------------------------------------------------------------------------------------


def parse_deadline(text: str, default_year: int | None = None) -> Deadline:
    """Parse a deadline cell; never raises, unknown text comes back as kind «unparsed»."""
    s = _normalise(text)
    if not s:
        return Deadline(text=text, kind="empty")
    fields = _parse_fields(s)
    if fields is None:
        return Deadline(text=text, kind="unparsed")
    deadline = Deadline(text=text, **fields)
    if deadline.year_missing and default_year is not None:
        deadline = _with_default_year(deadline, default_year)
    return deadline


def _parse_fields(s: str) -> dict | None:
    recurring = _parse_recurring(s)
    if recurring is not None:
        return recurring
    open_kind, rest, joiner = _split_open(s)
    dated = _parse_dated(rest) if rest else None
    if open_kind is None:
        return dated
    if rest and dated is None:
        return None  # an open phrase plus words we can't read: don't pretend
    if dated is None:
        return {"kind": "open", "open_kind": open_kind}
    if dated["kind"] in ("range", "date") and not dated.get("year_missing"):
        return {**dated, "open_kind": open_kind, "joiner": joiner}
    # «Октябрь и в течение года»: starts in a month, then runs all year.
    return {**dated, "kind": "open", "open_kind": open_kind, "joiner": joiner}


def _normalise(text: str) -> str:
    s = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    s = re.sub(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]", "-", s)
    s = s.lower().replace("ё", "е")
    s = re.sub(r"\[bookmark:[^\]]*\]|\*\*|</?[a-z]+>", "", s)
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"(\d{1,2})\.(\d{1,2})\.\s+(\d{2,4})", r"\1.\2.\3", s)  # «30.09. 2022»
    s = re.sub(r"\b(\d{1,2})\.(\d{1,2})\.(\d{2})\b(?!\d)", r"\1.\2.20\3", s)  # «01.09.23»
    s = re.sub(rf"({_YEAR})\s*(?:гг|г|годы|годов|года|год)(?![а-я])\.?", r"\1", s)
    s = re.sub(r"\s*-\s*", "-", s)
    s = re.sub(r"\s*/\s*", "/", s)
    return s.strip(" .,;:")


def _month_number(word: str) -> int:
    for forms, number in _MONTH_FORMS:
        if re.fullmatch(forms, word):
            return number
    raise ValueError(word)


def _months_in(s: str) -> tuple[int, ...]:
    """Months named in order; «сентябрь-май» expands to every month of the span."""
    result: list[int] = []
    pattern = rf"({_MONTH})(?:-({_MONTH}))?"
    for match in re.finditer(pattern, s):
        first = _month_number(match.group(1))
        last = _month_number(match.group(2)) if match.group(2) else first
        for month in _month_span(first, last):
            if month not in result:
                result.append(month)
    return tuple(result)


def _month_span(first: int, last: int) -> list[int]:
    months = [first]
    while months[-1] != last:
        months.append(months[-1] % 12 + 1)
    return months


def _parse_recurring(s: str) -> dict | None:
    frequency = _frequency(s)
    if frequency is None:
        return None
    return {"kind": "recurring", "frequency": frequency, "months": _months_in(s), "year_missing": False}


def _frequency(s: str) -> str | None:
    if re.search(r"ежегодн|каждый год|\bраз в год", s):
        return "yearly"
    if re.search(r"раз в полугоди|каждое полугодие|по полугодиям|2 раза в год", s):
        return "halfyear"
    if re.search(r"ежекварталь|раз в квартал|каждый квартал|раз в четверть|по четвертям|4 раза в год", s):
        return "quarterly"
    if re.search(r"ежемесячн|раз в месяц|каждый месяц|12 раз в год", s):
        return "monthly"
    if re.search(r"еженедельн|раз в неделю|каждую неделю", s):
        return "weekly"
    return None


def _split_open(s: str) -> tuple[str | None, str, str]:
    """Find an open phrase; return its code, the rest of the text and the joining word."""
    for code, pattern, _ in _OPEN_PHRASES:
        match = re.search(pattern, s)
        if match:
            rest = (s[: match.start()] + " " + s[match.end() :]).strip()
            joiner = "или" if re.search(r"(?:^|\s)или(?:\s|$)", rest) else "и"
            rest = re.sub(r"(?:^|\s)(?:и|или|а также|либо)(?=\s|$)", " ", rest)
            return code, rest.strip(" ,;.-"), joiner
    return None, s, ""


# -- dated expressions ------------------------------------------------------------------------


def _parse_dated(s: str) -> dict | None:
    s = re.sub(r"^(?:в течение|в|на|срок[:]?)\s+", "", s).strip(" ,;.")
    for parser in _DATED_PARSERS:
        fields = parser(s)
        if fields is not None:
            return fields
    return _search_dated(s)


def _to_date(text: str) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) of «15.09.2023» or «15 сентября [2023]»."""
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    if match:
        return int(match.group(1)), int(match.group(2)), int(match.group(3))
    match = re.fullmatch(rf"(\d{{1,2}}) ({_MONTH})(?: ({_YEAR}))?", text)
    if match:
        year = int(match.group(3)) if match.group(3) else None
        return int(match.group(1)), _month_number(match.group(2)), year
    return None


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _range(start: date | None, end: date | None) -> dict | None:
    if end is None or (start is not None and start > end):
        return None
    return {"kind": "range", "start": start, "end": end}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _no_year_range(start_md: tuple[int, int | None] | None, end_md: tuple[int, int | None]) -> dict:
    first = start_md[0] if start_md else end_md[0]
    return {
        "kind": "range",
        "year_missing": True,
        "start_md": start_md,
        "end_md": end_md,
        "months": tuple(_month_span(first, end_md[0])),
    }


def _p_date_range(s: str) -> dict | None:
    match = re.fullmatch(rf"(?:с )?({_DATE})(?:-| по | до )({_DATE})", s)
    if not match:
        return None
    first, last = _to_date(match.group(1)), _to_date(match.group(2))
    if first is None or last is None:
        return None
    if last[2] is None:
        return _no_year_range((first[1], first[0]), (last[1], last[0])) if first[2] is None else None
    start_year = first[2] if first[2] is not None else last[2]
    return _range(_valid(start_year, first[1], first[0]), _valid(last[2], last[1], last[0]))


def _p_days_in_month(s: str) -> dict | None:
    """«с 1 по 15 сентября 2020», «1-15 сентября»."""
    match = re.fullmatch(rf"(?:с )?(\d{{1,2}})(?:-| по | до )(\d{{1,2}}) ({_MONTH})(?: ({_YEAR}))?", s)
    if not match:
        return None
    month = _month_number(match.group(3))
    first, last = int(match.group(1)), int(match.group(2))
    if match.group(4) is None:
        return _no_year_range((month, first), (month, last))
    year = int(match.group(4))
    return _range(_valid(year, month, first), _valid(year, month, last))


def _p_until_date(s: str) -> dict | None:
    """«до 20.08.2020», «по 31 декабря 2020», «не позднее 1 октября 2024»."""
    match = re.fullmatch(rf"(?:до|по|не позднее|не позже|к)\s+({_DATE})", s)
    if not match:
        return None
    parts = _to_date(match.group(1))
    if parts is None:
        return None
    day, month, year = parts
    if year is None:
        return {**_no_year_range(None, (month, day)), "months": (month,)}
    end = _valid(year, month, day)
    return None if end is None else {"kind": "range", "start": None, "end": end}


def _p_until_month(s: str) -> dict | None:
    """«до конца мая 2024» ends with May; «до сентября 2023» ends before September."""
    match = re.fullmatch(rf"(?:до|не позднее|не позже|к)\s+(конца\s+)?({_MONTH})(?: ({_YEAR}))?", s)
    if not match:
        return None
    month = _month_number(match.group(2))
    inclusive = bool(match.group(1)) or not s.startswith("до")
    if not inclusive:
        month -= 1
    year = int(match.group(3)) if match.group(3) else None
    if month == 0:
        month, year = 12, (year - 1 if year else None)
    if year is None:
        return {**_no_year_range(None, (month, None)), "months": (month,)}
    return {"kind": "range", "start": None, "end": _month_end(year, month)}


def _p_single_date(s: str) -> dict | None:
    parts = _to_date(s)
    if parts is None:
        return None
    day, month, year = parts
    if year is None:
        return {**_no_year_range((month, day), (month, day)), "kind": "date"}
    when = _valid(year, month, day)
    return None if when is None else {"kind": "date", "start": when, "end": when}


_ACADEMIC = r"уч[а-я]*\.?(?: ?г[а-я]*\.?)?"  # «уч. г.», «учебный год», «учебного года», «уч.гг.»


def _second_year(first: int, text: str) -> int:
    """«2024» or the short «24» after «2023/»."""
    return int(text) if len(text) == 4 else first // 100 * 100 + int(text)


def _p_academic_year(s: str) -> dict | None:
    """«2023-2024 учебный год», «2023/2024 уч. г.», «2023/24», «2023-2024 гг» (two consecutive years
    in a school plan are one academic year), «2022-2025 учебные годы» (several academic years)."""
    match = re.fullmatch(rf"({_YEAR})([-/])(\d{{4}}|\d{{2}})(?: ?({_ACADEMIC}))?", s)
    if not match:
        return None
    first = int(match.group(1))
    second = _second_year(first, match.group(3))
    if second == first + 1:
        return _range(date(first, 9, 1), date(second, 8, 31))
    if match.group(4) and second > first + 1:
        return _range(date(first, 9, 1), date(second, 8, 31))
    return None


def _p_academic_years(s: str) -> dict | None:
    """«2022/2023 – 2024/2025 учебные годы», «2022-2023 - 2024-2025 уч. гг.»: from the first academic
    year to the end of the last."""
    year = rf"({_YEAR})[-/](\d{{4}}|\d{{2}})"
    match = re.fullmatch(rf"{year}-{year}(?: ?{_ACADEMIC})?", s)
    if not match:
        return None
    first, last = int(match.group(1)), int(match.group(3))
    if _second_year(first, match.group(2)) != first + 1 or _second_year(last, match.group(4)) != last + 1:
        return None
    return _range(date(first, 9, 1), date(last + 1, 8, 31))


def _p_month_range(s: str) -> dict | None:
    """«Октябрь 2023-Апрель 2024», «август-сентябрь 2022», «сентябрь 2022-май 2023», «май 2021»."""
    match = re.fullmatch(rf"({_MONTH})(?: ({_YEAR}))?(?:-({_MONTH})(?: ({_YEAR}))?)?", s)
    if not match:
        return None
    first = _month_number(match.group(1))
    last = _month_number(match.group(3)) if match.group(3) else first
    first_year = int(match.group(2)) if match.group(2) else None
    last_year = int(match.group(4)) if match.group(4) else first_year
    if last_year is None:
        return _no_year_range((first, None), (last, None))
    if first_year is None:
        # «ноябрь-февраль 2024»: a range written backwards wraps into the previous year.
        first_year = last_year - 1 if first > last else last_year
    return _range(date(first_year, first, 1), _month_end(last_year, last))


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_ORDINAL = r"(i{1,3}|iv|[1-4])(?:-?(?:е|ое|й|ий|я|ая))?"
# School halves and quarters (of the academic year) when no year is given.
_SCHOOL_HALVES = {1: (9, 12), 2: (1, 5)}
_SCHOOL_QUARTERS = {1: (9, 10), 2: (11, 12), 3: (1, 3), 4: (4, 5)}


_ORDINAL_WORDS = {"перв": 1, "втор": 2, "трет": 3, "четверт": 4}
_PART = re.compile(
    rf"(?:(?P<num>i{{1,3}}|iv|[1-4])(?:-?(?:е|ое|й|ий|я|ая))?|(?P<word>перв|втор|трет|четверт)[а-я]*)"
    r"\s+(?P<unit>полугоди|квартал|четверт)[а-я]*"
    rf"(?: (?P<year>{_YEAR})(?:[-/](?P<second>\d{{4}}|\d{{2}}))?(?: ?(?P<academic>{_ACADEMIC}))?)?"
)


def _p_period_part(s: str) -> dict | None:
    """«II полугодие», «I квартал 2024», «3 четверть», and parts of a named academic year:
    «I полугодие 2023/2024 учебного года», «2 четверть 2023-2024 уч. г.», «второе полугодие 2023/24»."""
    match = _PART.fullmatch(s)
    if not match:
        return None
    number = _ROMAN[match["num"]] if match["num"] else _ORDINAL_WORDS[match["word"]]
    unit = match["unit"][:4]
    year = int(match["year"]) if match["year"] else None
    if unit == "полу" and number > 2:
        return None
    if year is not None and (match["second"] or match["academic"]):
        # A half or a quarter («четверть», «квартал») of the academic year that starts in ``year``.
        if match["second"] and _second_year(year, match["second"]) != year + 1:
            return None
        first, last = _SCHOOL_HALVES[number] if unit == "полу" else _SCHOOL_QUARTERS[number]
        return _range(
            date(year if first >= 9 else year + 1, first, 1), _month_end(year if last >= 9 else year + 1, last)
        )
    if unit == "полу":
        if year is not None:  # a calendar half of that year
            return _range(date(year, 6 * number - 5, 1), _month_end(year, 6 * number))
        first, last = _SCHOOL_HALVES[number]
    elif unit == "квар":
        if year is not None:
            return _range(date(year, 3 * number - 2, 1), _month_end(year, 3 * number))
        first, last = 3 * number - 2, 3 * number
    elif unit == "четв" and year is None:
        first, last = _SCHOOL_QUARTERS[number]
    else:
        return None
    return _no_year_range((first, None), (last, None))


def _p_years(s: str) -> dict | None:
    """«2024», «2022-2025»: whole calendar years."""
    match = re.fullmatch(rf"({_YEAR})(?:-({_YEAR}))?", s)
    if not match:
        return None
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) else first
    return _range(date(first, 1, 1), date(last, 12, 31))


_DATED_PARSERS = (
    _p_date_range,
    _p_days_in_month,
    _p_until_date,
    _p_until_month,
    _p_single_date,
    _p_academic_year,
    _p_academic_years,
    _p_month_range,
    _p_period_part,
    _p_years,
)


def _search_dated(s: str) -> dict | None:
    """A single «май 2021 г.» or «15.09.2023» inside a longer phrase."""
    pattern = rf"{_NUM_DATE}|\d{{1,2}} {_MONTH} {_YEAR}|{_MONTH} {_YEAR}"
    found = re.findall(pattern, s)
    if len(found) != 1:
        return None
    return _p_single_date(found[0]) or _p_month_range(found[0])


def _with_default_year(deadline: Deadline, year: int) -> Deadline:
    start, end = _md_dates(deadline, year)
    return replace(deadline, start=start, end=end)


def _md_dates(deadline: Deadline, first_year: int) -> tuple[date | None, date | None]:
    """Dates of a month/day deadline, the end rolling into the next year when it comes earlier."""
    start = _md_to_date(deadline.start_md, first_year, at_end=False) if deadline.start_md else None
    end_year = first_year
    if deadline.start_md and deadline.end_md and deadline.end_md[0] < deadline.start_md[0]:
        end_year += 1
    end = _md_to_date(deadline.end_md, end_year, at_end=True) if deadline.end_md else None
    return start, end


def _md_to_date(md: tuple[int, int | None], year: int, at_end: bool) -> date:
    month, day = md
    if day is None:
        return _month_end(year, month) if at_end else date(year, month, 1)
    return _valid(year, month, day) or _month_end(year, month)


# -- labels ---------------------------------------------------------------------------------------


def _fmt(when: date) -> str:
    return when.strftime("%d.%m.%Y")


def _month_label(months: tuple[int, ...]) -> str:
    if len(months) > 2 and months == tuple(_month_span(months[0], months[-1])):
        return f"{MONTHS_NOMINATIVE[months[0]]}–{MONTHS_NOMINATIVE[months[-1]]}"
    return ", ".join(MONTHS_NOMINATIVE[m] for m in months)


def _recurring_label(deadline: Deadline) -> str:
    base = FREQUENCY_LABELS[deadline.frequency or "yearly"]
    return f"{base}: {_month_label(deadline.months)}" if deadline.months else base


def _open_label(deadline: Deadline) -> str:
    if deadline.open_kind is None:
        return ""
    if deadline.open_kind == "by_external_terms":
        if "минпросвещ" in deadline.text.lower():
            return "в сроки, устанавливаемые Минпросвещения России"
        return "в сроки, установленные вышестоящей организацией"
    return OPEN_LABELS.get(deadline.open_kind, deadline.open_kind)


def _dated_label(deadline: Deadline) -> str:
    if deadline.year_missing and deadline.start is None and deadline.end is None:
        return _md_label(deadline)
    if deadline.kind == "date" and deadline.start:
        return _fmt(deadline.start)
    if deadline.end is None:
        return ""
    if deadline.start is None:
        return f"до {_fmt(deadline.end)}"
    return _span_label(deadline.start, deadline.end)


def _md_label(deadline: Deadline) -> str:
    start_md, end_md = deadline.start_md, deadline.end_md
    if end_md is None:
        return ""
    if start_md is None:
        return f"до {_md_text(end_md, at_end=True)}"
    if start_md[1] is None and end_md[1] is None:
        if start_md[0] == end_md[0]:
            return MONTHS_NOMINATIVE[end_md[0]]
        return f"{MONTHS_NOMINATIVE[start_md[0]]}–{MONTHS_NOMINATIVE[end_md[0]]}"
    if start_md == end_md:
        return _md_text(end_md, at_end=True)
    return f"{_md_text(start_md, at_end=False)} – {_md_text(end_md, at_end=True)}"


def _md_text(md: tuple[int, int | None], at_end: bool) -> str:
    month, day = md
    if day is None:
        return f"{'конца' if at_end else 'начала'} {MONTHS_GENITIVE[month]}"
    return f"{day} {MONTHS_GENITIVE[month]}"


def _span_label(start: date, end: date) -> str:
    whole_months = start.day == 1 and end == _month_end(end.year, end.month)
    if not whole_months:
        return f"{_fmt(start)}–{_fmt(end)}"
    if (start.month, end.month, end.year - start.year) == (9, 8, 1):
        return f"{start.year}/{end.year} учебный год"
    if (start.month, end.month) == (9, 8) and end.year - start.year > 1:
        return f"{start.year}/{start.year + 1} – {end.year - 1}/{end.year} учебные годы"
    if (start.month, end.month) == (1, 12):
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    if start.year != end.year:
        return f"{MONTHS_NOMINATIVE[start.month]} {start.year} – {MONTHS_NOMINATIVE[end.month]} {end.year}"
    if start.month == end.month:
        return f"{MONTHS_NOMINATIVE[start.month]} {start.year}"
    return f"{MONTHS_NOMINATIVE[start.month]}–{MONTHS_NOMINATIVE[end.month]} {start.year}"


# -- academic year placement ----------------------------------------------------------------------


def academic_year_bounds(academic_year_start: int) -> tuple[date, date]:
    return date(academic_year_start, 9, 1), date(academic_year_start + 1, 8, 31)


def _year_of_month(month: int, academic_year_start: int) -> int:
    """September–December belong to the first calendar year of the academic year."""
    return academic_year_start if month >= 9 else academic_year_start + 1


def _whole_month(month: int, academic_year_start: int) -> tuple[date, date]:
    year = _year_of_month(month, academic_year_start)
    return date(year, month, 1), _month_end(year, month)


def resolve(deadline: Deadline, academic_year_start: int) -> list[tuple[date, date]]:
    """Dated occurrences (start, due) of a deadline within one academic year.

    Explicit dates stay as they are even outside the year; «до …» has the due date as both ends.
    """
    year_start, year_end = academic_year_bounds(academic_year_start)
    if deadline.kind in ("empty", "unparsed"):
        return []
    if deadline.kind == "recurring":
        return _resolve_recurring(deadline, academic_year_start)
    if deadline.kind == "open":
        if deadline.start_md is not None:  # «Октябрь и в течение года»
            return [(_whole_month(deadline.start_md[0], academic_year_start)[0], year_end)]
        return [(year_start, year_end)]
    if deadline.year_missing:
        return [_resolve_md(deadline, academic_year_start)]
    if deadline.end is None:
        return []
    return [(deadline.start or deadline.end, deadline.end)]


def _resolve_md(deadline: Deadline, academic_year_start: int) -> tuple[date, date]:
    first_month = (deadline.start_md or deadline.end_md or (9, None))[0]
    start, end = _md_dates(deadline, _year_of_month(first_month, academic_year_start))
    assert end is not None
    return (start or end), end


def _resolve_recurring(deadline: Deadline, academic_year_start: int) -> list[tuple[date, date]]:
    ay = academic_year_start
    if deadline.months and deadline.frequency in ("yearly", "monthly"):
        return [_whole_month(month, ay) for month in deadline.months]
    if deadline.frequency == "halfyear":
        return [(date(ay, 9, 1), date(ay, 12, 31)), (date(ay + 1, 1, 1), date(ay + 1, 5, 31))]
    if deadline.frequency == "quarterly":
        return [(_whole_month(a, ay)[0], _whole_month(b, ay)[1]) for a, b in _SCHOOL_QUARTERS.values()]
    if deadline.frequency == "monthly":
        return [_whole_month(month, ay) for month in (9, 10, 11, 12, 1, 2, 3, 4, 5)]
    if deadline.frequency == "weekly":
        return _weeks(date(ay, 9, 1), date(ay + 1, 5, 31))
    return [academic_year_bounds(ay)]  # «ежегодно» without a month: once in the year


def _weeks(first: date, last: date) -> list[tuple[date, date]]:
    weeks = []
    day = first
    while day <= last:
        weeks.append((day, min(day + timedelta(days=6), last)))
        day += timedelta(days=7)
    return weeks
