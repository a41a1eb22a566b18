"""The Russian production calendar («производственный календарь»): working days for notice periods.

Taken from the ``holidays`` library (RU), which knows the public holidays of ст. 112 ТК РФ and the
yearly government decrees that move days off — including Saturdays made working days (01.11.2025)
and the days off they pay for (03.11.2025). Counting follows ст. 14 ТК РФ: a period starts on the
day after the event, so «three working days after the notice» ends on the third working day after it.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _calendar(year: int):
    return holidays.country_holidays("RU", years=range(year - 1, year + 2), language="ru")


def is_working_day(day: date) -> bool:
    return _calendar(day.year).is_working_day(day)


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself is not counted)."""
    return _calendar(day.year).get_nth_working_day(day, count)


def day_off_name(day: date) -> str:
    """Why ``day`` is not worked: the holiday's Russian name, «выходной» or ""."""
    name = _calendar(day.year).get(day)
    if name:
        return name
    return "" if is_working_day(day) else "выходной"
