"""Programmes fulfil «разработка персонализированных программ» (issue 11): every live pair has one."""

from __future__ import annotations

import pytest

from nastavnik.extensions import db
from nastavnik.plugins.manager import registry
from tests.factories import make_person
from tests.programmes.conftest import make_pair, make_programme


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def check(org_id: int):
    return registry().fulfilment_rules["programmes.personal"].check(org_id, None)


def test_at_least_one_programme_per_live_pair(world, mentor_person, request_context):
    nothing = check(world.school.id)
    assert not nothing.done and nothing.summary == "нет формирующихся и активных пар"

    first = make_pair(world.school, mentor_person, world.teacher)
    second = make_pair(world.school, make_person(world.school), make_person(world.school), status="forming")
    make_pair(world.school, make_person(world.school), make_person(world.school), status="finished")
    make_programme(first)
    db.session.commit()
    half = check(world.school.id)
    assert not half.done and half.summary == "нет программы у 1 из 2 пар"

    make_programme(second)
    db.session.commit()
    done = check(world.school.id)
    assert done.done and done.summary == "программа есть у каждой из 2 пар"
    assert done.url == "/programmes/" and done.evidence == (("Персонализированные программы: 2 программы", "/programmes/"),)
    assert check(world.authority.id).done  # a municipal plan: the pairs of its schools
    assert not check(world.other_school.id).done
