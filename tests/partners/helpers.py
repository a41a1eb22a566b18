"""Small builders for the partners plugin's tests."""

from __future__ import annotations

from datetime import date, timedelta

from nastavnik.banks.models import MenteeProfile, Tag
from nastavnik.extensions import db
from nastavnik.periods import AcademicYear
from plugins.partners.models import Agreement, PartnerMentor, PartnerProfile
from plugins.partners.services import include_in_bank
from tests.factories import make_consent, make_org, make_person

KIND = "employer_pupil"
VALID_INN, VALID_OGRN = "7707083893", "1027700132195"


def make_partner(municipality, name="АО «Энергия»", areas="энергетика, электротехника"):
    org = make_org(kind="partner", name=name, parent=municipality, inn=VALID_INN)
    db.session.add(PartnerProfile(org_id=org.id, kind="enterprise", ogrn=VALID_OGRN, areas=areas))
    db.session.flush()
    return org


def make_agreement(school, partner, days_left=100, kinds=KIND, **values) -> Agreement:
    today = date.today()
    values.setdefault("starts_on", today - timedelta(days=30))
    values.setdefault("ends_on", today + timedelta(days=days_left))
    agreement = Agreement(org_id=school.id, partner_id=partner.id, number=values.pop("number", "1-С"),
                          signed_on=values["starts_on"], subject="наставничество", kind_codes=kinds, **values)
    db.session.add(agreement)
    db.session.flush()
    return agreement


def make_partner_mentor(partner, last_name="Громов", with_check=True, in_bank=True, capacity=2):
    person = make_person(partner, kind="partner_employee", last_name=last_name, first_name="Виктор",
                         birth_date=date(1985, 1, 1))
    make_consent(person)
    today = date.today()
    record = PartnerMentor(
        person_id=person.id, post="инженер",
        record_check_on=today - timedelta(days=10) if with_check else None,
        record_check_until=today + timedelta(days=300) if with_check else None,
    )
    db.session.add(record)
    db.session.flush()
    if in_bank:
        include_in_bank(record, capacity, today)
        db.session.flush()
    return record


def make_pupil_mentee(school, last_name="Сидоров", interests=("энергетика",)):
    pupil = make_person(school, kind="student", last_name=last_name)
    make_consent(pupil, signatory_name="Мама", signatory_relation="мать")
    tags = []
    for title in interests:
        tag = db.session.scalar(db.select(Tag).where(Tag.title == title)) or Tag(title=title)
        tags.append(tag)
    profile = MenteeProfile(person=pupil, person_id=pupil.id, org_id=school.id, kind_code=KIND, category="career",
                            academic_year=AcademicYear.of(date.today()).start_year, tags=tags)
    db.session.add(profile)
    db.session.flush()
    return profile
