"""Ids from the outside (URLs, forms, query strings) bounded by what an id column can hold."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # INTEGER primary keys: 32 bits on PostgreSQL (SQLite takes 64, Python any)


class BoundedIntConverter(IntegerConverter):
    """The app's ``<int:…>``: a number past MAX_ID matches no route, so it answers 404.

    Without the bound, 99999999999999999999 reached the database and failed there (OverflowError
    in SQLite, «out of range» in PostgreSQL): a 500 on every id route.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def db_id(value: str) -> int:
    """``request.form.get("person_id", type=db_id)``: an id a table can hold, else the default (None).

    werkzeug's ``type=int`` lets 99999999999999999999 and -1 through to the query.
    """
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(f"not an id: {value!r}")
    return number
