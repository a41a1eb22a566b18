"""The deadline parser against every «срок» of the seeds and a set of unseen variants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from nastavnik.roadmaps.builtin import builtin_templates, load_builtin
from nastavnik.roadmaps.deadlines import Deadline, parse_deadline, resolve


def d(text: str) -> date:
    day, month, year = (int(part) for part in text.split("."))
    return date(year, month, day)


@dataclass(frozen=True)
class E:
    """Expected meaning of a deadline text."""

    kind: str
    start: str | None = None  # ДД.ММ.ГГГГ
    end: str | None = None
    label: str | None = None
    months: tuple[int, ...] = ()
    frequency: str | None = None
    open_kind: str | None = None
    year_missing: bool = False


def month(text: str, label: str) -> E:
    """A whole month or span of months with a year: «01.10.2022..31.10.2022»."""
    start, end = text.split("..")
    return E("range", start, end, label)


def until(end: str) -> E:
    return E("range", None, end, f"до {end}")


def open_(open_kind: str, label: str) -> E:
    return E("open", open_kind=open_kind, label=label)


def no_year(months: tuple[int, ...], label: str) -> E:
    return E("range", months=months, year_missing=True, label=label)


WHOLE_PERIOD = open_("whole_period", "в течение всего периода реализации")
PROGRAMME_TERMS = open_("by_programme_terms", "в сроки реализации программ наставничества")

# Every distinct deadline text of the five built-in templates (seeds), verbatim.
SEED_DEADLINES: dict[str, E] = {
    # 000 Пенза
    "Октябрь 2022": month("01.10.2022..31.10.2022", "октябрь 2022"),
    "Ежегодно, сентябрь": E("recurring", months=(9,), frequency="yearly", label="ежегодно: сентябрь"),
    "В течение года": open_("during_year", "в течение года"),
    "Октябрь и в течение года": E(
        "open", months=(10,), open_kind="during_year", year_missing=True, label="октябрь и в течение года"
    ),
    "Октябрь-декабрь": no_year((10, 11, 12), "октябрь–декабрь"),
    "Май": no_year((5,), "май"),
    "Постоянно": open_("permanent", "постоянно"),
    # 001 Кежма
    "Май 2022 г.": month("01.05.2022..31.05.2022", "май 2022"),
    "Август-сентябрь 2022 г.": month("01.08.2022..30.09.2022", "август–сентябрь 2022"),
    "До 30.09. 2022 г": until("30.09.2022"),
    "До 10.10.2022г.": until("10.10.2022"),
    "По отдельному графику": open_("by_schedule", "по отдельному графику"),
    "Январь 2023 г.": month("01.01.2023..31.01.2023", "январь 2023"),
    "Декабрь 2023 г.": month("01.12.2023..31.12.2023", "декабрь 2023"),
    "В течение всего периода реализации Целевой модели наставничества": WHOLE_PERIOD,
    "В течение всего периода реализации целевой модели наставничества": WHOLE_PERIOD,
    "До 10.10. 2022 г.": until("10.10.2022"),
    "По отдельному плану": open_("by_plan", "по отдельному плану"),
    # the typo «сороками» is in the document; it still means the programmes' terms
    "В соответствии с сороками реализации программ наставничества": PROGRAMME_TERMS,
    "До 01.11.2022 г.": until("01.11.2022"),
    "Сентябрь - октябрь 2022 г.": month("01.09.2022..31.10.2022", "сентябрь–октябрь 2022"),
    "В соответствии со сроками, устанавливаемыми Минпросвещения России": open_(
        "by_external_terms", "в сроки, устанавливаемые Минпросвещения России"
    ),
    "Март 2023 г.": month("01.03.2023..31.03.2023", "март 2023"),
    "Апрель 2032г.": month("01.04.2032..30.04.2032", "апрель 2032"),  # literal; oddities flags it
    "Апрель 2023 г.": month("01.04.2023..30.04.2023", "апрель 2023"),
    # 002 (template without dates)
    "": E("empty", label="срок не указан"),
    # 003 Захарвань
    "Сентябрь 2023 г.": month("01.09.2023..30.09.2023", "сентябрь 2023"),
    # two consecutive years in a school plan are one academic year, not two calendar years (issue 7)
    "2023-2024 гг": month("01.09.2023..31.08.2024", "2023/2024 учебный год"),
    "Октябрь 2023- Апрель 2024г.": month("01.10.2023..30.04.2024", "октябрь 2023 – апрель 2024"),
    "1 раз в полугодие": E("recurring", frequency="halfyear", label="1 раз в полугодие"),
    "2024 г.": month("01.01.2024..31.12.2024", "2024"),
    # 004 Нижний Новгород
    "август": no_year((8,), "август"),
    "до 20.08.2020": until("20.08.2020"),
    "до 31.08.2020": until("31.08.2020"),
    "в течение всего периода реализации ЦМН": WHOLE_PERIOD,
    "август-декабрь 2020 г.": month("01.08.2020..31.12.2020", "август–декабрь 2020"),
    "июнь-август 2020 г.": month("01.06.2020..31.08.2020", "июнь–август 2020"),
    "с 1 по 15 сентября 2020 г.": month("01.09.2020..15.09.2020", "01.09.2020–15.09.2020"),
    "с 16 по 30 сентября 2020 г.": month("16.09.2020..30.09.2020", "16.09.2020–30.09.2020"),
    "до 30 октября 2020 г.": until("30.10.2020"),
    "в соответствии со сроками реализации программ наставничества": PROGRAMME_TERMS,
    "в соответствии со сроками реализации программ наставничества или май 2021 г.": E(
        "range",
        "01.05.2021",
        "31.05.2021",
        "май 2021 или в сроки реализации программ наставничества",
        open_kind="by_programme_terms",
    ),
    "до 01.10.2020": until("01.10.2020"),
    "сентябрь-декабрь 2020 г.": month("01.09.2020..31.12.2020", "сентябрь–декабрь 2020"),
    "декабрь 2020 г.": month("01.12.2020..31.12.2020", "декабрь 2020"),
    "по 31 декабря 2020 г.": until("31.12.2020"),
}

# Variants not in the seeds: other spellings, dashes and spaces as Word leaves them.
UNSEEN_DEADLINES: dict[str, E] = {
    "до 1 октября 2024 года": until("01.10.2024"),
    "не позднее 15 сентября 2025 г.": until("15.09.2025"),
    "до конца мая 2024 г.": until("31.05.2024"),
    "до сентября 2023": until("31.08.2023"),
    "II полугодие": no_year((1, 2, 3, 4, 5), "январь–май"),
    "I полугодие": no_year((9, 10, 11, 12), "сентябрь–декабрь"),
    "I квартал 2024 года": month("01.01.2024..31.03.2024", "январь–март 2024"),
    "2 полугодие 2023 г.": month("01.07.2023..31.12.2023", "июль–декабрь 2023"),
    "3 четверть": no_year((1, 2, 3), "январь–март"),
    "ноябрь-декабрь": no_year((11, 12), "ноябрь–декабрь"),
    "ноябрь – февраль": no_year((11, 12, 1, 2), "ноябрь–февраль"),
    "01.09.2023 - 30.05.2024": month("01.09.2023..30.05.2024", "01.09.2023–30.05.2024"),
    "с 01.09.2023 по 30.05.2024": month("01.09.2023..30.05.2024", "01.09.2023–30.05.2024"),
    "15.09.2023": E("date", "15.09.2023", "15.09.2023", "15.09.2023"),
    "15 сентября 2023 г.": E("date", "15.09.2023", "15.09.2023", "15.09.2023"),
    "01.09.23": E("date", "01.09.2023", "01.09.2023", "01.09.2023"),
    "15 сентября": E("date", months=(9,), year_missing=True, label="15 сентября"),
    "в течение 2023-2024 учебного года": month("01.09.2023..31.08.2024", "2023/2024 учебный год"),
    "2023-2024 учебный год": month("01.09.2023..31.08.2024", "2023/2024 учебный год"),
    "2023/2024 уч. г.": month("01.09.2023..31.08.2024", "2023/2024 учебный год"),
    "2023/24 уч.г.": month("01.09.2023..31.08.2024", "2023/2024 учебный год"),
    "2022-2025 гг.": month("01.01.2022..31.12.2025", "2022–2025"),
    # issue 7: spans of several academic years, halves and quarters of an academic year
    "2023 - 2024 гг.": month("01.09.2023..31.08.2024", "2023/2024 учебный год"),
    "2022-2025 учебные годы": month("01.09.2022..31.08.2025", "2022/2023 – 2024/2025 учебные годы"),
    "2022/2023 – 2024/2025 учебные годы": month(
        "01.09.2022..31.08.2025", "2022/2023 – 2024/2025 учебные годы"
    ),
    "2022-2023 - 2024-2025 уч. гг.": month("01.09.2022..31.08.2025", "2022/2023 – 2024/2025 учебные годы"),
    "в течение 2023-2025 учебных годов": month(
        "01.09.2023..31.08.2025", "2023/2024 – 2024/2025 учебные годы"
    ),
    "I полугодие 2023/2024 учебного года": month("01.09.2023..31.12.2023", "сентябрь–декабрь 2023"),
    "II полугодие 2023-2024 уч. г.": month("01.01.2024..31.05.2024", "январь–май 2024"),
    "в I полугодии 2023/2024 учебного года": month("01.09.2023..31.12.2023", "сентябрь–декабрь 2023"),
    "второе полугодие 2023/24": month("01.01.2024..31.05.2024", "январь–май 2024"),
    "2 четверть 2023/2024 учебного года": month("01.11.2023..31.12.2023", "ноябрь–декабрь 2023"),
    "III четверть 2023-2024 уч.г.": month("01.01.2024..31.03.2024", "январь–март 2024"),
    "первая четверть 2024/2025 учебного года": month("01.09.2024..31.10.2024", "сентябрь–октябрь 2024"),
    "I полугодие 2023/2025 учебного года": E("unparsed", label="срок не распознан"),  # not one year
    "2025 год": month("01.01.2025..31.12.2025", "2025"),
    "в течение 2023 года": month("01.01.2023..31.12.2023", "2023"),
    "сентябрь 2022 – май 2023": month("01.09.2022..31.05.2023", "сентябрь 2022 – май 2023"),
    "Октябрь\u00a02023\u2014Апрель\u00a02024\u00a0г.": month(
        "01.10.2023..30.04.2024", "октябрь 2023 – апрель 2024"
    ),
    "Октябрь 2023 \u2212 апрель 2024 года": month("01.10.2023..30.04.2024", "октябрь 2023 – апрель 2024"),
    "  СЕНТЯБРЬ   2025  ": month("01.09.2025..30.09.2025", "сентябрь 2025"),
    "май 2021 г., по итогам года": month("01.05.2021..31.05.2021", "май 2021"),
    "Ежегодно в сентябре и мае": E(
        "recurring", months=(9, 5), frequency="yearly", label="ежегодно: сентябрь, май"
    ),
    "ежегодно, сентябрь-ноябрь": E(
        "recurring", months=(9, 10, 11), frequency="yearly", label="ежегодно: сентябрь–ноябрь"
    ),
    "ежегодно": E("recurring", frequency="yearly", label="ежегодно"),
    "ежемесячно": E("recurring", frequency="monthly", label="ежемесячно"),
    "1 раз в месяц": E("recurring", frequency="monthly", label="ежемесячно"),
    "ежеквартально": E("recurring", frequency="quarterly", label="ежеквартально"),
    "2 раза в год": E("recurring", frequency="halfyear", label="1 раз в полугодие"),
    "еженедельно": E("recurring", frequency="weekly", label="еженедельно"),
    "в течение учебного года": open_("during_school_year", "в течение учебного года"),
    "В течение\u00a0года": open_("during_year", "в течение года"),
    "по мере необходимости": open_("as_needed", "по мере необходимости"),
    "по запросу": open_("on_request", "по запросу"),
    "постоянно.": open_("permanent", "постоянно"),
    "согласно графику": open_("by_schedule", "по отдельному графику"),
    "в установленные сроки": open_("by_external_terms", "в сроки, установленные вышестоящей организацией"),
    "после согласования с родителями": E("unparsed", label="срок не распознан"),
    "по итогам года или когда получится": E("unparsed", label="срок не распознан"),
    "31.02.2024": E("unparsed", label="срок не распознан"),
    "самая важная задача": E("unparsed", label="срок не распознан"),  # «мая» inside a word
    "   ": E("empty", label="срок не указан"),
}


def assert_means(deadline: Deadline, expected: E) -> None:
    actual = (deadline.kind, deadline.start, deadline.end, deadline.months)
    wanted = (
        expected.kind,
        d(expected.start) if expected.start else None,
        d(expected.end) if expected.end else None,
        expected.months,
    )
    assert actual == wanted
    assert (deadline.frequency, deadline.open_kind, deadline.year_missing) == (
        expected.frequency,
        expected.open_kind,
        expected.year_missing,
    )
    if expected.label is not None:
        assert deadline.label == expected.label


@pytest.mark.parametrize("text", list(SEED_DEADLINES))
def test_seed_deadline(text: str) -> None:
    deadline = parse_deadline(text)
    assert deadline.text == text
    assert_means(deadline, SEED_DEADLINES[text])


@pytest.mark.parametrize("text", list(UNSEEN_DEADLINES))
def test_unseen_deadline(text: str) -> None:
    deadline = parse_deadline(text)
    assert deadline.text == text
    assert_means(deadline, UNSEEN_DEADLINES[text])


def test_table_covers_every_seed_deadline() -> None:
    """A deadline added to (or removed from) a template must show up here, not slip through."""
    in_templates = {item.deadline_text for _, draft in builtin_templates() for item in draft.items()}
    assert in_templates == set(SEED_DEADLINES)


def test_no_seed_deadline_is_unparsed() -> None:
    assert not [text for text, e in SEED_DEADLINES.items() if e.kind == "unparsed"]


# -- default_year and resolve ---------------------------------------------------------------------


def test_default_year_fills_month_without_year() -> None:
    deadline = parse_deadline("август", default_year=2020)
    assert (deadline.start, deadline.end, deadline.year_missing) == (d("01.08.2020"), d("31.08.2020"), True)
    assert deadline.label == "август 2020"


def test_default_year_rolls_a_backwards_range_into_next_year() -> None:
    deadline = parse_deadline("ноябрь-февраль", default_year=2023)
    assert (deadline.start, deadline.end) == (d("01.11.2023"), d("29.02.2024"))


def test_default_year_leaves_explicit_years_alone() -> None:
    assert parse_deadline("Апрель 2032г.", default_year=2022).start == d("01.04.2032")


ADOPTED = 2025  # seed 000 adopted for the academic year 2025/2026


@pytest.mark.parametrize(
    ("text", "occurrences"),
    [
        ("Ежегодно, сентябрь", [("01.09.2025", "30.09.2025")]),
        ("1 раз в полугодие", [("01.09.2025", "31.12.2025"), ("01.01.2026", "31.05.2026")]),
        ("Май", [("01.05.2026", "31.05.2026")]),
        ("Октябрь-декабрь", [("01.10.2025", "31.12.2025")]),
        ("август", [("01.08.2026", "31.08.2026")]),
        ("ноябрь-февраль", [("01.11.2025", "28.02.2026")]),
        ("15 сентября", [("15.09.2025", "15.09.2025")]),
        ("до 15 мая", [("15.05.2026", "15.05.2026")]),
        ("В течение года", [("01.09.2025", "31.08.2026")]),
        ("Постоянно", [("01.09.2025", "31.08.2026")]),
        ("По отдельному графику", [("01.09.2025", "31.08.2026")]),
        ("Октябрь и в течение года", [("01.10.2025", "31.08.2026")]),
        ("Ежегодно в сентябре и мае", [("01.09.2025", "30.09.2025"), ("01.05.2026", "31.05.2026")]),
        ("ежегодно", [("01.09.2025", "31.08.2026")]),
        # explicit years stay as written, even outside the academic year
        ("Октябрь 2022", [("01.10.2022", "31.10.2022")]),
        ("до 20.08.2020", [("20.08.2020", "20.08.2020")]),
        ("с 1 по 15 сентября 2020 г.", [("01.09.2020", "15.09.2020")]),
        ("срок уточняется", []),
        ("", []),
    ],
)
def test_resolve(text: str, occurrences: list[tuple[str, str]]) -> None:
    expected = [(d(start), d(end)) for start, end in occurrences]
    assert resolve(parse_deadline(text), ADOPTED) == expected


def test_resolve_quarterly_and_monthly() -> None:
    quarters = resolve(parse_deadline("ежеквартально"), ADOPTED)
    assert len(quarters) == 4
    assert quarters[0] == (d("01.09.2025"), d("31.10.2025"))
    assert quarters[-1] == (d("01.04.2026"), d("31.05.2026"))
    months = resolve(parse_deadline("ежемесячно"), ADOPTED)
    assert [start.month for start, _ in months] == [9, 10, 11, 12, 1, 2, 3, 4, 5]
    assert months[4] == (d("01.01.2026"), d("31.01.2026"))


def test_resolve_weekly_stays_in_school_months() -> None:
    weeks = resolve(parse_deadline("еженедельно"), ADOPTED)
    assert weeks[0] == (d("01.09.2025"), d("07.09.2025"))
    assert weeks[-1][1] <= d("31.05.2026")
    assert len(weeks) == 39


def test_resolve_every_seed_deadline_of_000_into_2025() -> None:
    """Adopting the Penza roadmap for 2025/2026: every dated occurrence but «Октябрь 2022» is in the year."""
    for item in load_builtin("penza_school30_2022").items():
        for start, end in resolve(parse_deadline(item.deadline_text), ADOPTED):
            if item.deadline_text != "Октябрь 2022":
                assert d("01.09.2025") <= start <= end <= d("31.08.2026"), item.deadline_text


def test_deadline_is_frozen() -> None:
    deadline = parse_deadline("Май")
    with pytest.raises(AttributeError):
        deadline.kind = "open"  # type: ignore[misc]
