"""Monitoring fixtures: pairs in the world's school, questionnaires from samples, campaigns."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nastavnik.extensions import db
from nastavnik.monitoring import services
from nastavnik.monitoring.models import QuestionItem, Questionnaire, QuestionnaireVersion
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.periods import AcademicYear
from tests.factories import make_person

TODAY = date.today()


def make_pair(org, mentor, mentee, kind="teacher_teacher", status="active", starts_on=None, year=None):
    pair = Pair(org_id=org.id, kind_code=kind, status=status, academic_year=year or AcademicYear.of(TODAY).start_year,
                starts_on=starts_on or TODAY - timedelta(days=30))
    pair.members = [PairMember(person_id=mentor.id, role="mentor"), PairMember(person_id=mentee.id, role="mentee")]
    db.session.add(pair)
    db.session.flush()
    return pair


def make_questionnaire(org, items, audience="mentee", anonymous=True, purpose="satisfaction", kind=""):
    """A questionnaire with ``items``: dicts of QuestionItem columns (kind, text, … )."""
    questionnaire = Questionnaire(org_id=org.id, title="Тестовая анкета", audience=audience, purpose=purpose,
                                  anonymous=anonymous, kind_code=kind)
    version = QuestionnaireVersion(number=1)
    for position, values in enumerate(items):
        values = dict(values)
        values.setdefault("text", f"Вопрос {position + 1}")
        values.setdefault("in_satisfaction", values["kind"] in ("scale10", "agree5"))
        version.items.append(QuestionItem(position=position, **values))
    questionnaire.versions = [version]
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def make_campaign(questionnaire, owner, targets=None, opens=None, closes=None, **values):
    defaults = dict(title="Кампания", wave="midterm", trigger="dates", offset_days=0,
                    opens_on=opens or TODAY - timedelta(days=1), closes_on=closes or TODAY + timedelta(days=10),
                    kind_code="", pair_statuses=["active"], academic_year=None)
    defaults.update(values)
    campaign = services.create_campaign(questionnaire, owner.id, [t.id for t in (targets or [owner])], defaults, None,
                                        TODAY)
    db.session.commit()
    return campaign


@pytest.fixture
def mentees(world):
    """Six teacher pairs in the world's school: the world's mentee teacher (Петрова, user «mentee») and five more."""
    mentor = world.users["mentor"].person
    people = [world.teacher] + [make_person(world.school, last_name=f"Наставляемая{i}") for i in range(5)]
    pairs = [make_pair(world.school, mentor if i == 0 else make_person(world.school, last_name=f"Наставник{i}"), p)
             for i, p in enumerate(people)]
    db.session.commit()
    return pairs
