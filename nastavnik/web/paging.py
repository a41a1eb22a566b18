"""Pages of long lists: a region's list is tens of thousands of rows, so every list is paged in SQL.

``paginate(query, number, size)`` runs one COUNT and one LIMIT/OFFSET query; templates show the
numbers with ``{% from "_macros/pager.html" import pager %}{{ pager(page.number, page.pages, "#target") }}``
(a window around the current page, plain links that htmx enhances).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select

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


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def page_rows(query, entity, order_by, number: int, size: int) -> list:
    """The records of page ``number`` of ``query`` (an ORM select of ``entity``) in ``order_by``.

    The page is found on the narrow sort keys first and only its records are then loaded whole:
    otherwise the eager joins (a person's organisation …) and every column would be carried through
    the sort of a region's 150,000 rows to keep 25 of them.
    """
    keys = query.with_only_columns(entity.id).order_by(*order_by).limit(size).offset((number - 1) * size)
    return list(db.session.scalars(query.where(entity.id.in_(keys)).order_by(*order_by)).unique())


def paginate(query, entity, order_by, number: int, size: int) -> Page:
    """Page ``number`` (clamped to the last page) of ``query`` and the total count."""
    total = count(query)
    number = min(max(number, 1), max(math.ceil(total / size), 1))
    return Page(page_rows(query, entity, order_by, number, size), total, number, size)
