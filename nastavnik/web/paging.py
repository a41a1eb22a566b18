"""Pages of long lists: a region's list is tens of thousands of rows, so every list is paged in SQL.

``paginate(query, entity, order_by, number, size)`` reads the page's keys with LIMIT/OFFSET, then
its records by id, and counts the rows only when the page does not tell the total by itself (a
full page, or a page past the end). Templates show the numbers with
``{% from "_macros/pager.html" import pager %}{{ pager(page.number, page.pages, "#target") }}``
(a window around the current page, plain links that htmx enhances).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import bindparam, func, select

from nastavnik.extensions import db


@dataclass
class Page:
    items: list
    total: int
    number: int  # 1-based, clamped to the last page
    size: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.size), 1)


def count(query, params: dict | None = None) -> int:
    """The rows of ``query``; ``params``: the values of a statement built once (see :func:`rows_of_page`)."""
    if params is not None:
        return db.session.scalar(_count_of(query), params) or 0
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


@lru_cache(maxsize=64)
def _count_of(query):
    return select(func.count()).select_from(query.order_by(None).subquery())


@lru_cache(maxsize=64)
def _keys_of(query, entity, order_by: tuple):
    return (query.with_only_columns(entity.id).order_by(*order_by)
            .limit(bindparam("page_limit")).offset(bindparam("page_offset")))


@lru_cache(maxsize=64)
def _by_ids(entity, options: tuple):
    """The records of a page by id, with the list's loader options: built once (building a statement
    and computing its cache key cost about as much as running it for a school's page)."""
    return select(entity).options(*options).where(entity.id.in_(bindparam("page_ids", expanding=True)))


def rows_of_page(query, entity, order_by, number: int, size: int, params: dict | None = None) -> tuple[list, int]:
    """The records of page ``number`` of ``query`` (an ORM select of ``entity``) in ``order_by``,
    and how many rows of ``query`` the page holds (what :func:`known_total` needs).

    The page is found on the narrow sort keys first and only its records are then loaded whole:
    otherwise the eager joins (a person's organisation …) and every column would be carried through
    the sort of a region's 150,000 rows to keep 25 of them.

    With ``params``, ``query`` is a statement built once per process whose values are bound at
    execution (``params``): its keys and count statements are then built once too."""
    if params is None:
        keys = query.with_only_columns(entity.id).order_by(*order_by).limit(size).offset((number - 1) * size)
        found = db.session.scalars(keys).all()
    else:
        found = db.session.scalars(_keys_of(query, entity, tuple(order_by)),
                                   {**params, "page_limit": size, "page_offset": (number - 1) * size}).all()
    ids = list(dict.fromkeys(found))  # a join may repeat a key; the page shows each record once
    if not ids:
        return [], 0
    records = {r.id: r for r in db.session.scalars(_by_ids(entity, tuple(query._with_options)), {"page_ids": ids}).unique()}
    return [records[i] for i in ids if i in records], len(found)


def page_rows(query, entity, order_by, number: int, size: int, params: dict | None = None) -> list:
    """The records of page ``number`` of ``query`` in ``order_by`` (see :func:`rows_of_page`)."""
    return rows_of_page(query, entity, order_by, number, size, params)[0]


def known_total(number: int, size: int, found: int) -> int | None:
    """The total row count when page ``number`` tells it (a page that is not full is the last one),
    else None: then only a COUNT knows."""
    if 0 < found < size or (number == 1 and found == 0):
        return (number - 1) * size + found
    return None


def paginate(query, entity, order_by, number: int, size: int, params: dict | None = None) -> Page:
    """Page ``number`` (clamped to the last page) of ``query`` and the total count (``params``: see
    :func:`rows_of_page`)."""
    number = max(number, 1)
    items, found = rows_of_page(query, entity, order_by, number, size, params)
    total = known_total(number, size, found)
    if total is None:
        total = count(query, params)
        last = max(math.ceil(total / size), 1)
        if number > last:
            number = last
            items = page_rows(query, entity, order_by, number, size, params)
    return Page(items, total, number, size)


def page_of_rows(statement, count_statement, params: dict, number: int, size: int) -> Page:
    """Page ``number`` (clamped to the last page) of plain rows, for a list page that reads what it
    shows as rows rather than records (a school's page: building 25 records and their members costs
    more than the statements themselves).

    ``statement`` takes the bound ``page_limit`` and ``page_offset``; ``count_statement`` counts its
    rows, and runs only when the page does not tell the total (:func:`known_total`). (A total beside
    each row, ``count(*) OVER ()``, would save that statement but costs a region's list its index:
    every row is then gathered before the 25 are kept.)"""
    number = max(number, 1)
    connection = db.session.connection()

    def read(number: int) -> list:
        return connection.execute(statement, {**params, "page_limit": size, "page_offset": (number - 1) * size}).all()

    rows = read(number)
    total = known_total(number, size, len(rows))
    if total is None:
        total = connection.execute(count_statement, params).scalar() or 0
        last = max(math.ceil(total / size), 1)
        if number > last:
            number = last
            rows = read(number)
    return Page(rows, total, number, size)
