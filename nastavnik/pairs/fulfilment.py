"""Пункт дорожной карты «приказ о закреплении наставнических пар/групп» → приказы.

Linked to the organisation as a whole, the item is fulfilled by an order issued in the current
academic year (a yearly line, «Ежегодно, сентябрь», needs this year's order); linked to one order,
by that order once its date has come.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from nastavnik import timeutil
from nastavnik.extensions import db
from nastavnik.orgs.services import subtree
from nastavnik.pairs.models import Order
from nastavnik.periods import AcademicYear, ru_date
from nastavnik.plugins.registry import FulfilmentCheck, FulfilmentRule
from nastavnik.web.words import plural

MAX_RECORDS = 50


def _title(order: Order) -> str:
    return f"Приказ № {order.number} от {ru_date(order.issued_on)}"


def _orders(org_id: int):
    return select(Order).where(Order.org_id.in_(subtree([org_id])), Order.kind == "pairs")


def records(org_id: int) -> list[tuple[int | None, str]]:
    found = db.session.scalars(
        _orders(org_id).order_by(Order.issued_on.desc(), Order.id.desc()).limit(MAX_RECORDS)
    )
    return [(None, "Приказ о закреплении текущего учебного года")] + [(o.id, _title(o)) for o in found]


def _done(order: Order, also: int = 0) -> FulfilmentCheck:
    more = f" (и ещё {plural(also, 'приказ', 'приказа', 'приказов')})" if also else ""
    return FulfilmentCheck(
        True,
        f"издан {_title(order).lower()}{more}",
        url_for("pairs.order", order_id=order.id),
        ((f"{_title(order)} (Word)", url_for("pairs.order_docx", order_id=order.id)),),
    )


def check(org_id: int, record_id: int | None) -> FulfilmentCheck:
    day = timeutil.today()
    if record_id is not None:
        order = db.session.scalar(_orders(org_id).where(Order.id == record_id))
        if order is None:
            return FulfilmentCheck(False, "приказ не найден", url_for("pairs.index"))
        if order.issued_on > day:
            return FulfilmentCheck(
                False, f"{_title(order)} ещё не вступил в силу", url_for("pairs.order", order_id=order.id)
            )
        return _done(order)
    year = AcademicYear.of(day)
    issued = db.session.scalars(
        _orders(org_id)
        .where(Order.issued_on >= year.starts, Order.issued_on <= day)
        .order_by(Order.issued_on.desc(), Order.id.desc())
    ).all()
    if not issued:
        return FulfilmentCheck(
            False, f"в {year.label} учебном году приказ о закреплении ещё не издан", url_for("pairs.index")
        )
    return _done(issued[0], len(issued) - 1)


def rules() -> list[FulfilmentRule]:
    return [
        FulfilmentRule(
            code="pairs.orders",
            title="Приказ о закреплении пар",
            done_when="издан приказ о закреплении наставнических пар/групп (в текущем учебном году или выбранный)",
            keywords=("приказ закреплен", "закреплен наставническ пар", "формирован наставническ пар"),
            records=records,
            check=check,
        )
    ]
