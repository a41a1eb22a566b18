"""ст. 351.8 ТК РФ: when a pair needs a mentor's agreement, the agreement .docx read back (pay as a
percentage, names declined, a manual override), early end counted on the production calendar, the pay
register for the accounts department, and access."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from nastavnik.agreements.models import MentorAgreement
from nastavnik.agreements.services import applies, notice_period
from nastavnik.banks.models import MenteeProfile, MentorProfile
from nastavnik.extensions import db
from nastavnik.orgs.services import subtree
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.pairs.services import issue_order
from nastavnik.workdays import add_working_days, is_working_day
from tests.factories import make_org, make_person
from tests.pairs.test_order_documents import requisites, teacher_pair


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


@pytest.fixture
def pair(world):
    requisites(world.school)
    made = teacher_pair(world)
    issue_order(world.school.id, "101-о", date(2026, 1, 12), [made], date.today(), ends_on=date(2026, 5, 31))
    db.session.commit()
    return made


AGREEMENT = {
    "number": "7", "signed_on": "15.01.2026", "content": "помощь в освоении рабочей программы и ведении журнала",
    "work_form": "индивидуальная, очно", "starts_on": "15.01.2026", "ends_on": "31.05.2026",
    "pay_kind": "percent", "pay_value": "10", "local_act": "Положение об оплате труда, п. 4.2", "pay_terms": "",
}


def make_agreement(client, pair, **changes) -> MentorAgreement:
    mentor_id = pair.mentors[0].person_id
    response = client.post(f"/agreements/new/{pair.id}/{mentor_id}", data=AGREEMENT | changes)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return db.session.scalar(select(MentorAgreement).order_by(MentorAgreement.id.desc()))


# ---------------------------------------------------------------- when 351.8 applies


def _raw_pair(org, mentor, mentee) -> Pair:
    pair = Pair(org_id=org.id, kind_code="teacher_teacher", academic_year=2025, status="active")
    pair.members = [PairMember(person_id=mentor.id, role="mentor"), PairMember(person_id=mentee.id, role="mentee")]
    db.session.add(pair)
    db.session.flush()
    return pair


def test_351_8_applies_only_between_employees_of_the_school(world):
    teacher, colleague = make_person(world.school), make_person(world.school)
    pupil, older_pupil = make_person(world.school, kind="student"), make_person(world.school, kind="student")
    partner = make_org(kind="partner", name="АО «ГЭС»")
    engineer = make_person(partner, kind="partner_employee")
    other_school_teacher = make_person(world.school2)
    assert applies(_raw_pair(world.school, teacher, colleague))
    assert not applies(_raw_pair(world.school, older_pupil, pupil))  # a pupil mentor
    assert not applies(_raw_pair(world.school, engineer, pupil))  # a partner's employee with a pupil
    assert not applies(_raw_pair(world.school, teacher, pupil))  # a teacher with a pupil: not «another employee»
    assert not applies(_raw_pair(world.school, other_school_teacher, teacher))  # not this school's employee


def test_pair_page_asks_for_an_agreement_only_under_351_8(curator, world, pair):
    page = curator.get(f"/pairs/{pair.id}").get_data(as_text=True)
    assert "Наставничество в сфере труда (ст. 351.8 ТК РФ)" in page and "нужно дополнительное соглашение" in page
    assert 'id="agreements-missing"' in curator.get("/").get_data(as_text=True)
    pupil_pair = _raw_pair(world.school, make_person(world.school, kind="student"), make_person(world.school, kind="student"))
    db.session.commit()
    assert "351.8" not in curator.get(f"/pairs/{pupil_pair.id}").get_data(as_text=True)
    response = curator.get(f"/agreements/new/{pupil_pair.id}/{pupil_pair.mentors[0].person_id}")
    assert response.status_code == 303 and db.session.scalar(select(MentorAgreement)) is None


def test_duties_included_means_no_agreement(curator, world, pair):
    profile = db.session.get(MentorProfile, pair.mentors[0].mentor_profile_id)
    response = curator.post(f"/agreements/duties/{profile.id}", data={"included": "1", "pair": pair.id})
    assert response.status_code == 303
    page = curator.get(f"/pairs/{pair.id}").get_data(as_text=True)
    assert "входит в должностные обязанности — соглашение не требуется" in page
    assert 'id="agreements-missing"' not in curator.get("/").get_data(as_text=True)


def test_agreement_needs_the_mentors_written_consent(curator, world, pair):
    consent = next(c for c in pair.mentors[0].person.consents if c.kind == "mentor_duties")
    db.session.delete(consent)
    db.session.commit()
    response = curator.get(f"/agreements/new/{pair.id}/{pair.mentors[0].person_id}")
    assert response.status_code == 303
    assert "Нет письменного согласия" in curator.get(response.headers["Location"]).get_data(as_text=True)


# ---------------------------------------------------------------- the document


def test_agreement_docx_states_pay_as_a_percentage_with_declined_names(curator, world, pair):
    agreement = make_agreement(curator, pair)
    text = docx_text(curator.get(f"/agreements/{agreement.id}.docx").data)
    assert "Дополнительное соглашение № 7" in text
    assert "в лице директора Сидорова Петра Ивановича" in text  # genitive of the director
    assert "Иванова Мария Петровна, учитель, именуемая в дальнейшем «Работник»" in text  # nominative, her gender
    assert "наставничество в отношении работника: Петровой Анны Ивановны (учитель)" in text  # genitive
    assert "действующего на основании Устава" in text  # the director is a man
    assert "10 % должностного оклада в месяц (основание: Положение об оплате труда, п. 4.2)" in text
    assert "с 15.01.2026 по 31.05.2026" in text and "индивидуальная, очно" in text
    assert "не менее чем за 3 рабочих дня" in text
    assert "/ М.П. Иванова /" in text and "/ П.И. Сидоров /" in text


def test_a_stored_declension_wins_over_the_library(curator, world, pair):
    mentee = pair.mentees[0].person
    response = curator.post(f"/agreements/names/{mentee.id}", data={"gender": "female", "genitive": "Петровой-Особой Анны Ивановны"})
    assert response.status_code == 303
    agreement = make_agreement(curator, pair)
    text = docx_text(curator.get(f"/agreements/{agreement.id}.docx").data)
    assert "в отношении работника: Петровой-Особой Анны Ивановны" in text


@pytest.mark.parametrize(
    ("kind", "value", "local_act", "expected"),
    [
        ("fixed", "2000", "", "2\u00a0000,00 руб. в месяц"),  # a no-break space: the sum never splits
        ("coefficient", "0,15", "", "коэффициент 0,15 к должностному окладу за каждого наставляемого (наставляемых: 1, итого 0,15)"),
        ("local_act", "", "коллективный договор, раздел 6", "в размере и порядке, установленных: коллективный договор, раздел 6"),
    ],
)
def test_every_kind_of_pay_is_worded(curator, world, pair, kind, value, local_act, expected):
    agreement = make_agreement(curator, pair, pay_kind=kind, pay_value=value, local_act=local_act)
    assert expected in docx_text(curator.get(f"/agreements/{agreement.id}.docx").data)


def test_pay_must_be_stated(curator, world, pair):
    data = AGREEMENT | {"pay_kind": "local_act", "pay_value": "", "local_act": ""}
    response = curator.post(f"/agreements/new/{pair.id}/{pair.mentors[0].person_id}", data=data)
    assert response.status_code == 422 and "Укажите локальный нормативный акт" in response.get_data(as_text=True)
    data = AGREEMENT | {"pay_kind": "percent", "pay_value": "120"}
    response = curator.post(f"/agreements/new/{pair.id}/{pair.mentors[0].person_id}", data=data)
    assert response.status_code == 422 and "не больше 100" in response.get_data(as_text=True)


# ---------------------------------------------------------------- the production calendar


def test_working_days_skip_a_weekend_and_a_public_holiday():
    # Notice on Thursday 19.02.2026: Fri 20 counts, Sat 21–Sun 22 and Mon 23 (День защитника Отечества) do not.
    assert add_working_days(date(2026, 2, 19), 3) == date(2026, 2, 25)
    period = notice_period(date(2026, 2, 19))
    assert [d for d, _ in period.skipped] == [date(2026, 2, 21), date(2026, 2, 22), date(2026, 2, 23)]
    assert "День защитника Отечества" in dict(period.skipped)[date(2026, 2, 23)]


def test_working_days_follow_the_government_transfers():
    # 2025: Saturday 01.11 was a working day, Monday 03.11 a day off in exchange, 04.11 a holiday.
    assert is_working_day(date(2025, 11, 1)) and not is_working_day(date(2025, 11, 3))
    assert add_working_days(date(2025, 10, 30), 3) == date(2025, 11, 5)


def test_early_end_by_the_mentor_moves_the_pairs_end_date(curator, world, pair):
    agreement = make_agreement(curator, pair)
    page = curator.get(f"/agreements/{agreement.id}/terminate").get_data(as_text=True)
    assert "не менее чем за три рабочих дня" in page
    data = {"ended_by": "employee", "notice_on": "19.02.2026", "requested_on": "", "reason": "по состоянию здоровья",
            "version": agreement.version}
    response = curator.post(f"/agreements/{agreement.id}/terminate", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    agreement = db.session.get(MentorAgreement, agreement.id)
    assert (agreement.ended_by, agreement.notice_on, agreement.terminated_on) == (
        "employee", date(2026, 2, 19), date(2026, 2, 25)
    )
    assert db.session.get(Pair, pair.id).ends_on == date(2026, 2, 25)  # the pair's end follows
    text = docx_text(curator.get(f"/agreements/{agreement.id}.docx").data)
    assert "прекращено досрочно по инициативе: работник (наставник); уведомление от 19.02.2026" in text
    assert "25.02.2026" in text


def test_early_end_before_the_notice_period_is_refused(curator, world, pair):
    agreement = make_agreement(curator, pair)
    data = {"ended_by": "employer", "notice_on": "19.02.2026", "requested_on": "24.02.2026", "reason": "",
            "version": agreement.version}
    response = curator.post(f"/agreements/{agreement.id}/terminate", data=data)
    assert response.status_code == 422
    assert "не раньше 25.02.2026" in response.get_data(as_text=True)
    assert db.session.get(MentorAgreement, agreement.id).terminated_on is None


# ---------------------------------------------------------------- the pay register


def test_pay_register_for_the_accounts_department(curator, world, pair):
    make_agreement(curator, pair, local_act="=HYPERLINK(\"http://x\",\"акт\")")
    response = curator.get("/agreements/register.xlsx?from=01.03.2026&to=31.03.2026")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == "Реестр выплат за наставничество (ст. 351.8 ТК РФ)"
    assert [c.value for c in sheet[4]][:4] == ["№", "Наставник (ФИО)", "Должность", "Наставляемые"]
    row = [c.value for c in sheet[5]]
    assert row[1] == "Иванова Мария Петровна" and row[3] == "Петрова Анна Ивановна"
    assert row[4].date() == date(2026, 3, 1) and row[5].date() == date(2026, 3, 31)  # clipped to the period
    assert row[8] == 10 and row[9] is None and row[7] == "процент от должностного оклада"
    assert row[6].startswith("доп. соглашение № 7 от 15.01.2026; =HYPERLINK")
    assert sheet.cell(5, 7).data_type == "s"  # a user string stays a string, never a formula
    empty = load_workbook(io.BytesIO(curator.get("/agreements/register.xlsx?from=01.07.2026&to=31.07.2026").data)).active
    assert empty.max_row == 4  # after the agreement's end: nobody to pay


# ---------------------------------------------------------------- access


def test_another_schools_agreement_answers_404(curator, world, pair, as_user):
    agreement = make_agreement(curator, pair)
    other = as_user("curator_other")
    assert other.get(f"/agreements/{agreement.id}").status_code == 404
    assert other.get(f"/agreements/{agreement.id}.docx").status_code == 404
    assert as_user("mentor").get(f"/agreements/{agreement.id}").status_code == 403


def test_mentee_profile_untouched_by_agreements(curator, world, pair):
    make_agreement(curator, pair)
    assert db.session.get(MenteeProfile, pair.mentees[0].mentee_profile_id).status == "in_pair"


def test_the_dashboard_count_in_sql_follows_the_rule_of_each_pair(world, pair):
    """missing_agreements (SQL, for the card) finds exactly the pairs whose needs() say «missing»."""
    from nastavnik.agreements.services import missing_agreements, needs

    teacher, colleague, other = make_person(world.school), make_person(world.school), make_person(world.school)
    in_duties = MentorProfile(person_id=other.id, org_id=world.school.id, duties_included=True)
    db.session.add(in_duties)
    db.session.flush()
    _raw_pair(world.school, teacher, colleague)  # missing
    covered = _raw_pair(world.school, other, make_person(world.school))  # duties included
    covered.members[0].mentor_profile_id = in_duties.id
    _raw_pair(world.school, make_person(world.school, kind="student"), make_person(world.school, kind="student"))
    _raw_pair(world.school, make_person(world.school2), teacher)  # another school's teacher: not 351.8
    ended = _raw_pair(world.school, make_person(world.school), make_person(world.school))
    ended.status = "finished"
    db.session.commit()
    day = date.today()
    live = db.session.scalars(select(Pair).where(Pair.status == "active")).all()
    expected = sorted(p.id for p in live if any(n.state == "missing" for n in needs(p, day)))
    total, first = missing_agreements([world.school.id], first=1)
    assert len(expected) == 2 and pair.id in expected and total == 2
    assert [p.id for p in first] == expected[:1]
    db.session.add(MentorAgreement(  # an agreement, whatever its state, takes the pair off the card
        org_id=world.school.id, pair_id=pair.id, person_id=pair.mentors[0].person_id, number="1",
        signed_on=day, content="наставничество", work_form="очно", starts_on=day, ends_on=day, pay_kind="percent",
    ))
    db.session.commit()
    assert missing_agreements([world.school.id], first=10)[0] == 1
    assert missing_agreements(subtree([world.school.id]), first=10)[0] == 1  # the statement built once, roots bound
    assert missing_agreements(subtree([world.other_school.id]), first=10) == (0, [])


def test_an_agreement_for_one_pair_does_not_cover_the_mentors_other_pair(world):
    """The card's SQL asks for an agreement of *this* pair: a mentor of two colleagues with an
    agreement for the first still lacks one for the second (as needs() says)."""
    from nastavnik.agreements.services import missing_agreements, needs

    mentor = make_person(world.school)
    first = _raw_pair(world.school, mentor, make_person(world.school))
    second = _raw_pair(world.school, mentor, make_person(world.school))
    day = date.today()
    db.session.add(MentorAgreement(
        org_id=world.school.id, pair_id=first.id, person_id=mentor.id, number="1", signed_on=day,
        content="наставничество", work_form="очно", starts_on=day, ends_on=day, pay_kind="percent",
    ))
    db.session.commit()
    assert [n.state for n in needs(second, day)] == ["missing"]
    total, named = missing_agreements(subtree([world.school.id]), first=10)
    assert (total, [p.id for p in named]) == (1, [second.id])


def test_the_card_of_a_large_scope_is_kept_and_names_its_pairs(app, world, pair, as_user):
    """Above a municipality the card's count reads every live pair: it is kept in the figure cache
    («по состоянию на …»), and the pairs it names are read again by id."""
    app.config["FIGURES_CACHE_MIN_ORGS"] = 0  # every scope counts as large
    client = as_user("curator")
    first = client.get("/").text
    assert 'id="agreements-missing"' in first and "По состоянию на" not in first.split('id="agreements-h"')[1][:200]
    _raw_pair(world.school, make_person(world.school), make_person(world.school))  # one more, not yet counted
    db.session.commit()
    kept = client.get("/").text.split('id="agreements-h"')[1]
    assert "По состоянию на" in kept[:200] and "<b>1</b>" in kept
    assert f"/pairs/{pair.id}" in kept
