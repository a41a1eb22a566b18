"""Demo: the partner enterprise of the demo municipality with an agreement, two mentors and activities."""

from __future__ import annotations

from datetime import timedelta

from nastavnik.consents.models import SELF, Consent
from nastavnik.extensions import db
from nastavnik.participants.models import Person
from plugins.partners.models import Activity, Agreement, PartnerMentor, PartnerProfile


def build(demo) -> None:
    day, partner, school = demo.day, demo.partner, demo.schools[0]
    partner.inn = "2407008705"
    db.session.add(PartnerProfile(
        org_id=partner.id, kind="enterprise", ogrn="1022400828020", address="Красноярский край, г. Кодинск",
        okved="35.11.2", profile="Производство электроэнергии гидроэлектростанциями.",
        areas="энергетика, электротехника, гидротехника, экология", contact_name="Отдел кадров",
        contact_phone="+7 39143 7-00-00",
    ))
    db.session.add(Agreement(
        org_id=school.id, partner_id=partner.id, number="12-С", signed_on=day - timedelta(days=300),
        starts_on=day - timedelta(days=300), ends_on=day + timedelta(days=40),
        subject="Совместная реализация программ наставничества «работодатель – ученик», экскурсии и профессиональные пробы.",
        kind_codes="employer_pupil",
    ))
    people = [
        ("Громов", "Виктор", "Павлович", "инженер-гидротехник", 14.0, True),
        ("Белова", "Ирина", "Олеговна", "инженер-энергетик", 6.0, False),
    ]
    for last, first, middle, post, years, has_check in people:
        person = Person(org_id=partner.id, kind="partner_employee", last_name=last, first_name=first,
                        middle_name=middle, position=post, birth_date=day - timedelta(days=365 * 38))
        db.session.add(person)
        db.session.flush()
        db.session.add(Consent(person=person, kind="pd_processing", signatory_name=person.full_name,
                               signatory_relation=SELF, signed_on=day - timedelta(days=60)))
        db.session.add(PartnerMentor(
            person_id=person.id, post=post, experience_years=years, briefing_on=day - timedelta(days=50),
            record_check_number="55/7-1234" if has_check else "",
            record_check_on=day - timedelta(days=70) if has_check else None,
            record_check_until=day + timedelta(days=295) if has_check else None,
        ))
    db.session.add_all([
        Activity(org_id=school.id, partner_id=partner.id, kind="excursion", title="Экскурсия на Богучанскую ГЭС",
                 held_on=day - timedelta(days=90), participants=24, participants_note="8А, 8Б",
                 outcome="Знакомство с профессиями энергетики; 6 учеников записались на профессиональные пробы."),
        Activity(org_id=school.id, partner_id=partner.id, kind="career_day", title="День профессий энергетика",
                 held_on=day - timedelta(days=20), participants=41, participants_note="9–10 классы"),
    ])
