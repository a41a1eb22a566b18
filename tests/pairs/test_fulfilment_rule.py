"""Orders fulfil «приказ о закреплении наставнических пар» (issue 11): an order issued this academic
year for the organisation as a whole, or the order the item is linked to."""

from __future__ import annotations

from datetime import date

import pytest

from nastavnik.extensions import db
from nastavnik.pairs.models import Order
from nastavnik.plugins.manager import registry

DAY = date(2025, 10, 15)  # academic year 2025/2026


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("nastavnik.timeutil.today", lambda: DAY)


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def order(org, number, issued_on) -> Order:
    made = Order(org_id=org.id, number=number, issued_on=issued_on, kind="pairs")
    db.session.add(made)
    db.session.commit()
    return made


def rule():
    return registry().fulfilment_rules["pairs.orders"]


def test_without_an_order_of_this_year_the_item_is_not_done(world, request_context):
    assert not rule().check(world.school.id, None).done
    order(world.school, "12-од", date(2025, 5, 20))  # last academic year's order
    result = rule().check(world.school.id, None)
    assert not result.done and result.summary == "в 2025/2026 учебном году приказ о закреплении ещё не издан"


def test_an_order_issued_this_year_fulfils_it_with_the_order_as_evidence(world, request_context):
    first = order(world.school, "7-од", date(2025, 9, 1))
    order(world.school, "9-од", date(2025, 10, 1))
    order(world.school, "11-од", date(2025, 11, 1))  # dated after today: not issued yet
    result = rule().check(world.school.id, None)
    assert result.done and result.summary == "издан приказ № 9-од от 01.10.2025 (и ещё 1 приказ)"
    assert result.evidence[0][0] == "Приказ № 9-од от 01.10.2025 (Word)"
    assert result.evidence[0][1].endswith(".docx")
    chosen = rule().check(world.school.id, first.id)
    assert chosen.done and chosen.url == f"/pairs/orders/{first.id}"


def test_records_are_the_organisations_orders_and_a_future_one_is_not_done(world, request_context):
    future = order(world.school, "11-од", date(2025, 11, 1))
    other = order(world.other_school, "1", date(2025, 9, 2))
    records = rule().records(world.school.id)
    assert records[0][0] is None and (future.id, "Приказ № 11-од от 01.11.2025") in records
    assert other.id not in [record_id for record_id, _ in records]
    assert not rule().check(world.school.id, future.id).done
    assert not rule().check(world.school.id, other.id).done  # another school's order is «не найден»
