"""Academic years and Russian dates."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from nastavnik.periods import AcademicYear, parse_ru_date, ru_date, years_between


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2025, 9, 1), "2025/2026"),
        (date(2025, 8, 31), "2024/2025"),
        (date(2026, 1, 15), "2025/2026"),
        (date(2025, 12, 31), "2025/2026"),
    ],
)
def test_academic_year_of(day, label):
    year = AcademicYear.of(day)
    assert year.label == label == str(year)
    assert year.starts <= day <= year.ends


def test_academic_year_bounds():
    year = AcademicYear(2025)
    assert year.starts == date(2025, 9, 1)
    assert year.ends == date(2026, 8, 31)
    assert AcademicYear(2024) < year


@pytest.mark.parametrize("text", ["2025/2026", "2025-2026", "2025 – 2026", " 2025 ", "2025"])
def test_academic_year_parse(text):
    assert AcademicYear.parse(text) == AcademicYear(2025)


@pytest.mark.parametrize("text", ["abc", "", "2025/", "25/26", "2025/2026/2027"])
def test_academic_year_parse_errors(text):
    with pytest.raises(ValueError, match="ожидается ГГГГ/ГГГГ"):
        AcademicYear.parse(text)


@pytest.mark.parametrize("text", ["2025/2027", "2025/2025"])
def test_academic_year_parse_years_must_follow(text):
    with pytest.raises(ValueError, match="второй год должен следовать за первым"):
        AcademicYear.parse(text)


def test_ru_date():
    assert ru_date(date(2025, 3, 7)) == "07.03.2025"
    assert ru_date(datetime(2025, 3, 7, 9, 5)) == "07.03.2025 09:05"
    assert ru_date(None) == ""


@pytest.mark.parametrize(
    ("text", "day"), [("07.03.2025", date(2025, 3, 7)), (" 29.02.2024 ", date(2024, 2, 29))]
)
def test_parse_ru_date(text, day):
    assert parse_ru_date(text) == day


@pytest.mark.parametrize("text", ["31.02.2020", "29.02.2023", "2020-01-01", "1.1", "", "07/03/2025", "abc"])
def test_parse_ru_date_errors(text):
    with pytest.raises(ValueError, match=r"неверная дата .*: ожидается ДД\.ММ\.ГГГГ"):
        parse_ru_date(text)


def test_years_between():
    assert years_between(date(2000, 5, 17), date(2025, 5, 16)) == 24
    assert years_between(date(2000, 5, 17), date(2025, 5, 17)) == 25
    assert years_between(date(2000, 2, 29), date(2025, 2, 28)) == 24


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1, "1 год"),
        (3, "3 года"),
        (5, "5 лет"),
        (11, "11 лет"),
        (12, "12 лет"),
        (21, "21 год"),
        (22, "22 года"),
        (27, "27 лет"),
        (1.5, "1,5 года"),
        (0, "0 лет"),
        (None, ""),
    ],
)
def test_ru_years(value, text):
    from nastavnik.periods import ru_years

    assert ru_years(value) == text


def test_year_from_an_address_reads_junk_and_far_off_years_as_the_current_one():
    day = date(2026, 11, 30)
    assert AcademicYear.from_arg("2024", day) == AcademicYear(2024)
    assert AcademicYear.from_arg("2025/2026", day) == AcademicYear(2025)
    assert AcademicYear.from_arg("2027", day) == AcademicYear(2027)  # the next one may be planned
    for junk in (None, "", "abc", "2028", "9999", "1999", "99999999999999999999"):
        assert AcademicYear.from_arg(junk, day) == AcademicYear(2026), junk
