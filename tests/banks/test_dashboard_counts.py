"""The banks card counts in one statement per bank what it used to count one figure at a time."""

from __future__ import annotations

import itertools

from nastavnik.banks.models import MenteeProfile, MentorProfile, MentorQuestionnaire
from nastavnik.banks.services import dashboard_counts
from nastavnik.consents.services import processing_allowed
from nastavnik.extensions import db
from nastavnik.orgs.services import subtree
from nastavnik.periods import AcademicYear
from nastavnik.timeutil import today
from tests.factories import make_consent, make_person


def test_every_figure_counts_what_its_definition_says(app, world):
    year = AcademicYear.of(today()).start_year
    mentees, mentors, questionnaires = [], [], 0
    for n, (status, consented) in enumerate(itertools.product(("in_bank", "unmatched", "matched", "left"), (True, False))):
        for copy in range(n % 3 + 1):  # a different number of each, so a swapped figure shows
            person = make_person(world.school, kind="student", last_name=f"Ученик{n}-{copy}")
            if consented:
                make_consent(person, signatory_name="Родитель", signatory_relation="мать")
            mentees.append(MenteeProfile(person_id=person.id, org_id=world.school.id, kind_code="student_student",
                                         academic_year=year, status=status))
    for n, (status, consented, (capacity, load)) in enumerate(itertools.product(
        ("in_bank", "assigned", "left"), (True, False), ((3, 1), (2, 2), (1, 0)),
    )):
        person = make_person(world.school, last_name=f"Наставник{n}")
        if consented:
            make_consent(person)
        mentors.append(MentorProfile(person_id=person.id, org_id=world.school.id, kind_codes="student_student",
                                     status=status, capacity=capacity, load=load))
        if n % 4 == 0:
            db.session.add(MentorQuestionnaire(person_id=person.id, org_id=world.school.id, status="submitted"))
            questionnaires += 1
    other = make_person(world.other_school, last_name="Чужой")  # another school's: never counted
    make_consent(other)
    db.session.add(MenteeProfile(person_id=other.id, org_id=world.other_school.id, kind_code="student_student",
                                 academic_year=year, status="in_bank"))
    db.session.add_all(mentees + mentors)
    db.session.commit()

    day = today()

    def ok(profile):
        return processing_allowed(profile.person, day)

    live_mentors = [m for m in mentors if m.status in ("in_bank", "assigned")]
    expected = {
        "mentees": sum(m.status == "in_bank" and ok(m) for m in mentees),
        "unmatched": sum(m.status == "unmatched" and ok(m) for m in mentees),
        "mentors": sum(ok(m) for m in live_mentors),
        "suspended_mentees": sum(m.status in ("in_bank", "unmatched") and not ok(m) for m in mentees),
        "suspended_mentors": sum(not ok(m) for m in live_mentors),
        "free": sum(m.capacity - m.load for m in live_mentors if ok(m) and m.load < m.capacity),
        "questionnaires": questionnaires,
    }
    assert dashboard_counts({world.school.id}) == expected
    # a scope runs the statements built once per process, its roots bound: the same figures, every time
    assert dashboard_counts(subtree([world.school.id])) == expected
    assert dashboard_counts(subtree([world.school.id])) == expected
    assert dashboard_counts(subtree([world.other_school.id]))["mentees"] == 1  # its own mentee, bound anew
    assert all(expected.values())
