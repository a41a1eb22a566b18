"""Demo of monitoring: pairs «ученик – ученик» in both schools, a closed municipal wave with answers (the
results page and the roll-up show something), a closed mentors' wave with a SWOT, growth records for
five mentees, and open waves for the demo mentor and mentee («мои анкеты» on their dashboard)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from nastavnik.extensions import db
from nastavnik.monitoring import services
from nastavnik.monitoring.models import GrowthRecord, Rhythm, Settings, Swot
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.periods import AcademicYear

VALUED = ["Помощь с домашними заданиями", "Можно спросить, не стесняясь", "Подготовка к контрольной",
          "Стал лучше понимать математику", "Интересно общаться со старшими"]
MISSING = ["Больше встреч", "Встречи после уроков неудобны", "Хотелось бы заниматься и русским языком", ""]


def _grade(person) -> int:
    digits = "".join(ch for ch in person.class_name if ch.isdigit())
    return int(digits) if digits else 0


def _student_pairs(school, students, count, day) -> list[Pair]:
    mentors = [p for p in students if _grade(p) >= 9][:count]
    mentees = [p for p in students if 5 <= _grade(p) <= 7][:count]
    year = AcademicYear.of(day).start_year
    pairs = []
    for mentor, mentee in zip(mentors, mentees, strict=False):
        pair = Pair(org_id=school.id, kind_code="student_student", variation_code="achiever_underachiever",
                    status="active", academic_year=year, starts_on=day - timedelta(days=100))
        pair.members = [PairMember(person_id=mentor.id, role="mentor"), PairMember(person_id=mentee.id, role="mentee")]
        db.session.add(pair)
        pairs.append(pair)
    db.session.flush()
    return pairs


def _answers(rng, items, generous: bool) -> dict:
    values = {}
    mood = rng.choice([5, 6, 7, 8, 8, 9] if generous else [4, 5, 6, 7, 8])  # one respondent answers alike
    for item in items:
        if item.kind == "scale10":
            values[item.id] = [(float(min(10, max(1, mood + rng.choice([-1, 0, 0, 1])))), None)]
        elif item.kind == "agree5":
            values[item.id] = [(float(rng.randint(1, 4)), None)]
        elif item.kind == "yesno":
            values[item.id] = [(float(rng.random() < 0.75), None)]
        elif item.kind == "frequency":
            values[item.id] = [(float(rng.choice([2, 2, 1, 1, 0])), None)]
        elif item.kind == "text" and rng.random() < 0.6:
            text = rng.choice(VALUED if "ценн" in item.text else MISSING)
            if text:
                values[item.id] = [(None, text)]
    return values


def _answer_all(rng, campaign, when, share: float, curator_id: int, generous: bool = True) -> None:
    items = campaign.questionnaire_version.items
    for index, recipient in enumerate(sorted(campaign_recipients(campaign), key=lambda r: r.id)):
        if rng.random() > share:
            continue
        channel = "paper" if index % 4 == 3 else "link" if index % 4 == 2 else "app"
        response = services.submit(campaign, recipient, _answers(rng, items, generous), channel=channel, day=when,
                                   entered_by_id=curator_id if channel == "paper" else None)
        response.submitted_at = datetime.combine(when, time(12), UTC)
    db.session.commit()


def campaign_recipients(campaign):
    from sqlalchemy import select

    from nastavnik.monitoring.models import Recipient

    return db.session.scalars(select(Recipient).where(Recipient.campaign_id == campaign.id)).all()


def _wave(questionnaire, owner_id, targets, title, opens, closes, kind, day):
    values = dict(title=title, wave="midterm", trigger="dates", offset_days=0, opens_on=opens, closes_on=closes,
                  kind_code=kind, pair_statuses=["active"], academic_year=None)
    return services.create_campaign(questionnaire, owner_id, targets, values, None, min(day, opens))


def add_demo(demo) -> None:
    db.session.add(Settings(org_id=demo.authority.id, method="threshold", threshold_percent=70, min_group_size=5))
    samples = services.samples()
    if "student_student_mentee_satisfaction" in samples:
        _students_demo(demo, samples)
    if "teacher_teacher_mentee_satisfaction" in samples:
        _teachers_demo(demo, samples)
    db.session.commit()


def _students_demo(demo, samples) -> None:
    rng, day = demo.rng, demo.day
    school = demo.schools[0]
    curator = demo.users["curator"]
    student_pairs = {s.id: _student_pairs(s, demo.students[s.id], 6, day) for s in demo.schools}

    def take(code, org_id):
        return services.from_sample(samples[code], org_id, None)

    mentee_ss = take("student_student_mentee_satisfaction", demo.authority.id)
    mentor_ss = take("student_student_mentor_satisfaction", school.id)
    take("core_curator", school.id)
    db.session.flush()

    opens, closes = day - timedelta(days=40), day - timedelta(days=26)
    municipal = _wave(mentee_ss, demo.authority.id, [s.id for s in demo.schools],
                      "Удовлетворённость наставляемых «ученик – ученик»: промежуточная волна", opens, closes,
                      "student_student", day)
    db.session.commit()
    _answer_all(rng, municipal, opens + timedelta(days=5), 0.95, curator.id)
    mentors = _wave(mentor_ss, school.id, [school.id], "Удовлетворённость наставников «ученик – ученик»", opens, closes,
                    "student_student", day)
    db.session.commit()
    _answer_all(rng, mentors, opens + timedelta(days=6), 1.0, curator.id)
    for campaign in (municipal, mentors):
        services.close_campaign(campaign)
        campaign.closed_at = datetime.combine(closes + timedelta(days=1), time(8), UTC)
    db.session.add_all([
        Swot(campaign_id=municipal.id, org_id=school.id, updated_by_id=curator.id,
             strengths="Наставляемым комфортно со старшими учениками\nПомощь с домашними заданиями",
             weaknesses="Встречи не всегда регулярны\nМало групповых встреч",
             opportunities="Подключить учителей-предметников к планированию занятий",
             threats="Нагрузка наставников-девятиклассников перед ОГЭ",
             conclusions="Программа оценивается участниками положительно; в следующем полугодии закрепить "
                         "расписание встреч и провести две групповые встречи."),
    ])
    for pair in student_pairs[school.id][:5]:
        mentee = pair.mentees[0]
        for code, entry, final in (("ss_grades", rng.choice([3.0, 3.2, 3.4]), None), ("ss_olympiads", 0, 1),
                                   ("ss_career", 1, rng.choice([1, 2, 3])), ("ss_climate", 3, rng.choice([3, 4, 4, 5]))):
            final = round(entry + rng.choice([0.2, 0.3, 0.5, 0.0]), 1) if final is None else final
            for stage, value in (("entry", entry), ("final", final)):
                db.session.add(GrowthRecord(pair_id=pair.id, person_id=mentee.person_id, org_id=school.id,
                                            kind_code="student_student", role="mentee", code=code, stage=stage,
                                            value=float(value), recorded_by_id=curator.id))
    db.session.commit()


def _teachers_demo(demo, samples) -> None:
    """Open waves: the demo mentor and mentee («учитель – учитель») see them on their dashboard."""
    day, school = demo.day, demo.schools[0]
    mentee_tt = services.from_sample(samples["teacher_teacher_mentee_satisfaction"], school.id, None)
    mentor_tt = services.from_sample(samples["teacher_teacher_mentor_satisfaction"], school.id, None)
    db.session.flush()
    for questionnaire, title in ((mentee_tt, "Удовлетворённость молодых специалистов: промежуточная волна"),
                                 (mentor_tt, "Удовлетворённость наставников педагогов: промежуточная волна")):
        _wave(questionnaire, school.id, [school.id], title, day - timedelta(days=3), day + timedelta(days=14),
              "teacher_teacher", day)
    db.session.add(Rhythm(org_id=school.id, questionnaire_ids=[mentee_tt.id, mentor_tt.id], entry_days=14,
                          final_wave=True, halfyear_dates=["01.12", "15.05"], window_days=14, active=False))
    db.session.commit()
