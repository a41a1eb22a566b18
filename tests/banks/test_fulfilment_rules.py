"""The banks fulfil «формирование базы наставников / наставляемых» (issue 11): a bank is formed when it
holds a live entry of a person with a valid consent to processing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nastavnik.banks.models import MenteeProfile, MentorProfile
from nastavnik.extensions import db
from nastavnik.plugins.manager import registry
from tests.factories import make_consent, make_person


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def check(code: str, org_id: int):
    return registry().fulfilment_rules[code].check(org_id, None)


def mentor(person, status="in_bank") -> MentorProfile:
    profile = MentorProfile(person=person, person_id=person.id, org_id=person.org_id, status=status)
    db.session.add(profile)
    db.session.commit()
    return profile


def test_both_bank_rules_are_registered_with_a_whole_organisation_record(world):
    rules = registry().fulfilment_rules
    assert registry().owner[("fulfilment_rules", "banks.mentors")] == "nastavnik.banks"
    for code in ("banks.mentors", "banks.mentees"):
        assert rules[code].records(world.school.id) == [(None, rules[code].records(world.school.id)[0][1])]
        assert "согласи" in rules[code].done_when


def test_mentor_bank_is_formed_only_by_an_entry_with_a_valid_consent(world, request_context):
    empty = check("banks.mentors", world.school.id)
    assert not empty.done and empty.summary == "в базе пока нет наставников с действующим согласием"

    unconsented = make_person(world.school, last_name="Безсогласия")
    mentor(unconsented)
    assert not check("banks.mentors", world.school.id).done  # in the bank, but no consent: not a bank

    mentor(world.teacher)  # Петрова has a valid consent
    done = check("banks.mentors", world.school.id)
    assert done.done and done.summary == "в базе 1 наставник с действующим согласием"
    assert done.url == f"/banks/mentors?org={world.school.id}"
    assert done.evidence == (("База наставников (Excel)", f"/banks/mentors.xlsx?org={world.school.id}"),)


def test_a_withdrawn_consent_or_an_inactive_entry_does_not_count(world, request_context):
    profile = mentor(world.teacher, status="inactive")
    assert not check("banks.mentors", world.school.id).done
    profile.status = "in_bank"
    world.teacher.consents[0].withdrawn_on = date.today() - timedelta(days=1)
    db.session.commit()
    assert not check("banks.mentors", world.school.id).done


def test_municipal_plan_counts_the_schools_below(world, request_context):
    second = make_person(world.school2, last_name="Вторая")
    make_consent(second)
    mentor(second)
    for_authority = check("banks.mentors", world.authority.id)
    assert for_authority.done and for_authority.url == "/banks/mentors"  # no school filter
    assert not check("banks.mentors", world.other_school.id).done  # another district's bank is not ours


def test_mentee_bank_rule(world, request_context):
    assert not check("banks.mentees", world.school.id).done
    db.session.add(
        MenteeProfile(person_id=world.student.id, org_id=world.school.id, kind_code="student_student",
                      academic_year=2025, status="in_bank")
    )  # fmt: skip
    db.session.commit()
    done = check("banks.mentees", world.school.id)
    assert done.done and done.summary == "в базе 1 наставляемый с действующим согласием"
    assert done.evidence[0][1] == f"/banks/mentees.xlsx?org={world.school.id}"
