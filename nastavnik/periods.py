"""Academic years («учебный год», 1 сентября – 31 августа) and Russian date formatting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from nastavnik.web.words import plural_word


@dataclass(frozen=True, order=True)
class AcademicYear:
    start_year: int

    @classmethod
    def of(cls, day: date) -> AcademicYear:
        return cls(day.year if day.month >= 9 else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> AcademicYear:
        """«2024/2025» or «2024-2025» or «2024»; raises ValueError with a Russian message."""
        match = re.fullmatch(r"\s*(\d{4})\s*(?:[/\-–]\s*(\d{4})\s*)?", text)
        if match is None:
            raise ValueError(f"учебный год «{text}»: ожидается ГГГГ/ГГГГ, например 2025/2026")
        start = int(match.group(1))
        if match.group(2) and int(match.group(2)) != start + 1:
            raise ValueError(f"учебный год «{text}»: второй год должен следовать за первым")
        return cls(start)

    @classmethod
    def from_arg(cls, text, day: date) -> AcademicYear:
        """The year a page was asked for in its address («2024», «2024/2025»); a junk or far-off
        value reads as the current year (an address is not a form: no message, and no 500)."""
        this = cls.of(day)
        try:
            asked = cls.parse(str(text or ""))
        except ValueError:
            return this
        return asked if this.start_year - 20 <= asked.start_year <= this.start_year + 1 else this

    @property
    def starts(self) -> date:
        return date(self.start_year, 9, 1)

    @property
    def ends(self) -> date:
        return date(self.start_year + 1, 8, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{self.start_year + 1}"

    def __str__(self) -> str:
        return self.label


def ru_date(value: date | datetime | None) -> str:
    """ДД.ММ.ГГГГ (with ЧЧ:ММ for a datetime); empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


def parse_ru_date(text: str) -> date:
    """Parse ДД.ММ.ГГГГ; raises ValueError with a Russian message."""
    try:
        return datetime.strptime(text.strip(), "%d.%m.%Y").date()
    except ValueError:
        raise ValueError(f"неверная дата «{text}»: ожидается ДД.ММ.ГГГГ") from None


def years_between(earlier: date, later: date) -> int:
    """Full years from ``earlier`` to ``later`` (age on a date)."""
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def ru_years(value: float | int | None) -> str:
    """«1 год», «3 года», «27 лет», «1,5 года» — the number with the right Russian word."""
    if value is None:
        return ""
    number = value if float(value) != int(value) else int(value)
    return f"{str(number).replace('.', ',')} {plural_word(number, 'год', 'года', 'лет')}"
