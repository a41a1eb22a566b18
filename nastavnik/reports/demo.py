"""Demo records of reports: pupils' pairs «ученик – ученик» in both schools (this year and last), consents to
publication for some mentors, an effective practice, a municipal collection of report 1 as of 20 September
with its window open, and an ОО-1 denominator.

The regional view is the administrator's (a role at the region); the core prints every demo login."""

from __future__ import annotations

from datetime import date, timedelta

from nastavnik.banks.models import MenteeProfile, MentorProfile
from nastavnik.consents.models import SELF, Consent
from nastavnik.consents.services import has_valid_consent
from nastavnik.extensions import db
from nastavnik.pairs.models import Order, Pair, PairMember
from nastavnik.periods import AcademicYear
from nastavnik.programmes.models import Programme
from nastavnik.reports.indicators import ensure_indicators
from nastavnik.reports.models import Indicator, IndicatorEntry, ReportCollection


def _student_pairs(demo, school, count: int, year: AcademicYear, finished: bool) -> None:
    rng, day = demo.rng, demo.day
    students = [s for s in demo.students[school.id] if has_valid_consent(s, day)]
    as_of = date(year.start_year, 9, 20)
    older = [s for s in students if s.age_on(as_of) is not None and 15 <= s.age_on(as_of) <= 18]
    younger = [s for s in students if s.age_on(as_of) is not None and 10 <= s.age_on(as_of) <= 14]
    rng.shuffle(older)
    rng.shuffle(younger)
    issued = date(year.start_year, 10, 1) if finished else max(year.starts + timedelta(days=20), day - timedelta(days=50))
    order = Order(org_id=school.id, kind="pairs", number=f"{rng.randint(100, 180)}-од", issued_on=issued)
    db.session.add(order)
    taken = {m.person_id for p in db.session.query(Pair).filter(Pair.org_id == school.id) for m in p.members}
    older = [s for s in older if s.id not in taken]
    younger = [s for s in younger if s.id not in taken]
    for mentor, mentee in list(zip(older, younger, strict=False))[:count]:
        pair = Pair(org_id=school.id, kind_code="student_student", variation_code="achiever_underachiever",
                    status="finished" if finished else "active", academic_year=year.start_year, starts_on=issued,
                    ends_on=date(year.start_year + 1, 5, 25))
        db.session.add(pair)
        pair.order = order
        if finished:
            pair.ended_on = date(year.start_year + 1, 5, 25)
        profile = MentorProfile(person_id=mentor.id, org_id=school.id, origin="student_15_18", kind_codes="student_student",
                                status="in_bank" if finished else "assigned", load=0 if finished else 1, capacity=1,
                                entered_on=issued)
        mentee_profile = MenteeProfile(person_id=mentee.id, org_id=school.id, kind_code="student_student",
                                       category=rng.choice(["low_performance", "passive", "career"]),
                                       academic_year=year.start_year, status="finished" if finished else "in_pair",
                                       request_text="Помощь с учёбой и адаптацией", entered_on=issued)
        db.session.add_all([profile, mentee_profile])
        db.session.flush()
        pair.members = [PairMember(person_id=mentor.id, role="mentor", mentor_profile_id=profile.id),
                        PairMember(person_id=mentee.id, role="mentee", mentee_profile_id=mentee_profile.id)]
    db.session.flush()


def _publication_consents(demo) -> None:
    """Some teacher-mentors agree to be named on the school site (ст. 10.1 152-ФЗ)."""
    for school in demo.schools:
        mentors = db.session.query(MentorProfile).filter(MentorProfile.org_id == school.id,
                                                         MentorProfile.origin == "teacher").all()
        for profile in mentors[: max(len(mentors) - 2, 1)]:
            person = profile.person
            profile.achievements = profile.achievements or "Победитель муниципального конкурса «Педагог года»"
            db.session.add(Consent(person=person, kind="pd_distribution", signatory_name=person.full_name,
                                   signatory_relation=SELF, signed_on=demo.day - timedelta(days=60),
                                   purposes="размещение сведений о наставнике на сайте школы",
                                   document_ref="папка «Согласия на распространение»"))


def _effective_practice(demo, school, last_year: AcademicYear) -> None:
    mentors = db.session.query(MentorProfile).filter(MentorProfile.org_id == school.id,
                                                     MentorProfile.origin == "teacher").all()
    teachers = demo.teachers[school.id]
    mentee = next((t for t in teachers[1:5] if t.id not in {m.person_id for m in mentors}), None)
    if not mentors or mentee is None:
        return
    pair = Pair(org_id=school.id, kind_code="teacher_teacher", variation_code="experienced_young", status="finished",
                academic_year=last_year.start_year, starts_on=date(last_year.start_year, 9, 15),
                ended_on=date(last_year.start_year + 1, 5, 30))
    pair.members = [PairMember(person_id=mentors[0].person_id, role="mentor", mentor_profile_id=mentors[0].id),
                    PairMember(person_id=mentee.id, role="mentee")]
    db.session.add(pair)
    db.session.add(Programme(
        pair=pair, goal="Адаптация молодого специалиста: планирование урока и дисциплина в 5–6 классах.",
        tasks="Посещение уроков наставника, совместное планирование, открытый урок.", duration_months=9,
        planned_results="Самостоятельное планирование уроков, открытый урок.",
        actual_results="Проведён открытый урок для МО, разработана серия уроков по теме «Дроби»; педагог остался в школе.",
        reflection="Лучше всего сработали еженедельные короткие встречи после уроков.", status="completed",
        completed_on=date(last_year.start_year + 1, 5, 30), effective_practice=True,
    ))


def add_demo(demo) -> None:
    ensure_indicators()
    year = AcademicYear.of(demo.day)
    last_year = AcademicYear(year.start_year - 1)
    for school, now, before in zip(demo.schools, (12, 8), (9, 6), strict=False):
        _student_pairs(demo, school, before, last_year, finished=True)
        _student_pairs(demo, school, now, year, finished=False)
    _publication_consents(demo)
    _effective_practice(demo, demo.schools[0], last_year)
    as_of = date(year.start_year, 9, 20)
    municipal = demo.users.get("municipal")
    db.session.add(ReportCollection(
        org_id=demo.authority.id, format_code="r145",
        title=f"Показатели целевой модели наставничества на 20.09.{year.start_year}", as_of=as_of,
        period_start=year.starts, period_end=year.ends, opens_on=as_of, closes_on=demo.day + timedelta(days=14),
        created_by_id=municipal.id if municipal else None,
    ))
    share = db.session.query(Indicator).filter(Indicator.code == "R145_1").one_or_none()
    if share is not None:
        db.session.add(IndicatorEntry(
            indicator_id=share.id, org_id=demo.schools[0].id, academic_year=year.start_year, kind="denominator",
            value=118, source=f"ОО-1 на 20.09.{year.start_year}: 118 обучающихся 10–18 лет",
        ))
    db.session.flush()
