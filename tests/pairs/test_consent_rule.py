"""152-ФЗ: a consent withdrawn after the person entered the bank stops every path, in one rule.

Each test puts pupils in the banks with valid consents, withdraws one consent on the person's page
(the real route, as a curator does) and then walks one path: the bank lists, the cohort run, the
suggestions, manual pairing, the order, the lists and exports. Live pairs are flagged, not ended.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import bindparam, func, select

from nastavnik.banks.models import MatchRun, MenteeProfile, MentorProfile
from nastavnik.consents.models import Consent
from nastavnik.extensions import db
from nastavnik.orgs.services import subtree
from nastavnik.pairs.models import Order, Pair, PairMember
from nastavnik.pairs.services import PairError, create_pair, issue_order
from nastavnik.periods import AcademicYear
from tests.factories import make_consent, make_person

KIND = "student_student"


def year() -> int:
    return AcademicYear.of(date.today()).start_year


def pupil(org, name: str, age: int):
    person = make_person(
        org, kind="student", last_name=name, birth_date=date.today() - timedelta(days=age * 365 + 30)
    )
    make_consent(person, signatory_name=f"{name}а Мать", signatory_relation="мать")
    return person


def mentor_profile(org, name: str, capacity: int = 2) -> MentorProfile:
    person = pupil(org, name, 16)
    profile = MentorProfile(
        person=person, person_id=person.id, org_id=org.id, kind_codes=KIND, capacity=capacity, load=0,
        status="in_bank", origin="student_15_18",
    )
    db.session.add(profile)
    db.session.flush()
    return profile


def mentee_profile(org, name: str) -> MenteeProfile:
    person = pupil(org, name, 13)
    profile = MenteeProfile(
        person=person, person_id=person.id, org_id=org.id, kind_code=KIND, academic_year=year(),
        status="in_bank", category="low_performance",
    )
    db.session.add(profile)
    db.session.flush()
    return profile


def withdraw(client, person) -> None:
    """The curator withdraws the consent on the person's page, today."""
    consent = db.session.scalar(select(Consent).where(Consent.person_id == person.id))
    response = client.post(
        f"/consents/{consent.id}/withdraw",
        data={"withdrawn_on": date.today().strftime("%d.%m.%Y"), "withdrawal_reason": "заявление матери",
              "version": consent.version},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    client.get(response.headers["Location"])  # the flash is read where the curator lands
    db.session.expire_all()


def setup_bank(world):
    mentor = mentor_profile(world.school, "Старшеклассникова")
    kept = mentee_profile(world.school, "Остаётся")
    gone = mentee_profile(world.school, "Отозвавшийся")
    db.session.commit()
    return mentor, kept, gone


def test_bank_list_shows_suspended_and_filters_by_it(curator, world):
    mentor, kept, gone = setup_bank(world)
    withdraw(curator, gone.person)
    html = curator.get("/banks/mentees").get_data(as_text=True)
    row = html.split(f'id="mentee-{gone.id}"')[1].split("</tr>")[0]
    assert "приостановлен: нет согласия" in row and "Подобрать наставника" not in row  # shown, not deleted
    kept_row = html.split(f'id="mentee-{kept.id}"')[1].split("</tr>")[0]
    assert "приостановлен" not in kept_row and "в базе" in kept_row
    in_bank = curator.get("/banks/mentees?status=in_bank").get_data(as_text=True)
    assert f'id="mentee-{gone.id}"' not in in_bank and f'id="mentee-{kept.id}"' in in_bank
    suspended = curator.get("/banks/mentees?status=suspended").get_data(as_text=True)
    assert f'id="mentee-{gone.id}"' in suspended and f'id="mentee-{kept.id}"' not in suspended
    page = curator.get(f"/banks/mentees/{gone.id}").get_data(as_text=True)
    assert "приостановлен: нет согласия" in page and f"/banks/mentees/{gone.id}/suggest" not in page
    dashboard = curator.get("/").get_data(as_text=True)
    assert 'id="banks-suspended"' in dashboard and "<b>1</b> наставляемый ждёт пары" in dashboard


def test_mentor_bank_list_shows_suspended(curator, world):
    mentor, kept, gone = setup_bank(world)
    withdraw(curator, mentor.person)
    html = curator.get("/banks/mentors").get_data(as_text=True)
    row = html.split(f'id="mentor-{mentor.id}"')[1].split("</tr>")[0]
    assert "приостановлен: нет согласия" in row


def test_cohort_matching_leaves_the_person_out(curator, world):
    mentor, kept, gone = setup_bank(world)
    withdraw(curator, gone.person)
    response = curator.post("/pairs/match/new", data={"org": world.school.id, "kind": KIND})
    assert response.status_code == 303
    run = db.session.scalar(select(MatchRun))
    assert [m["profile_id"] for m in run.inputs["mentees"]] == [kept.id]  # not even counted
    assert {p.mentee_id for p in run.proposals} == {kept.id}
    draft = curator.get(f"/pairs/match/{run.id}").get_data(as_text=True)
    assert "Отозвавшийся" not in draft


def test_mentor_without_consent_is_out_of_the_pool(curator, world):
    mentor, kept, gone = setup_bank(world)
    withdraw(curator, mentor.person)
    curator.post("/pairs/match/new", data={"org": world.school.id, "kind": KIND})
    run = db.session.scalar(select(MatchRun))
    assert run.inputs["mentors"] == [] and run.proposals == []


def test_publishing_a_draft_made_before_the_withdrawal_is_refused(curator, world):
    mentor, kept, gone = setup_bank(world)
    curator.post("/pairs/match/new", data={"org": world.school.id, "kind": KIND})
    run = db.session.scalar(select(MatchRun))
    assert {p.mentee_id for p in run.proposals} == {kept.id, gone.id}
    withdraw(curator, gone.person)
    response = curator.post(f"/pairs/match/{run.id}/publish", headers={"HX-Request": "true"})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Нет действующего согласия на обработку персональных данных" in text and "Ничего не опубликовано" in text
    assert db.session.scalar(select(Pair)) is None


def test_rerun_drops_a_pin_of_a_person_without_consent(curator, world):
    mentor, kept, gone = setup_bank(world)
    curator.post("/pairs/match/new", data={"org": world.school.id, "kind": KIND})
    run = db.session.scalar(select(MatchRun))
    pin = next(p for p in run.proposals if p.mentee_id == gone.id)
    curator.post(f"/pairs/match/{run.id}/proposals/{pin.id}/pin")
    withdraw(curator, gone.person)
    assert curator.post(f"/pairs/match/{run.id}/rerun").status_code == 303
    run = db.session.get(MatchRun, run.id)
    assert {p.mentee_id for p in run.proposals} == {kept.id}


def test_suggestions_refuse_the_mentee_and_skip_the_mentor(curator, world):
    mentor, kept, gone = setup_bank(world)
    withdraw(curator, gone.person)
    html = curator.get(f"/banks/mentees/{gone.id}/suggest").get_data(as_text=True)
    assert "нет действующего согласия на обработку персональных данных" in html
    assert "/pairs/new?" not in html
    withdraw(curator, mentor.person)
    html = curator.get(f"/banks/mentees/{kept.id}/suggest").get_data(as_text=True)
    assert "Старшеклассникова" not in html


def test_manual_pairing_refuses(curator, world):
    mentor, kept, gone = setup_bank(world)
    withdraw(curator, gone.person)
    form = curator.get(f"/pairs/new?org_id={world.school.id}&kind_code={KIND}").get_data(as_text=True)
    assert "Отозвавшийся" not in form and "Остаётся" in form  # not offered
    data = {"org_id": world.school.id, "kind_code": KIND, "mentor_ids": [mentor.id], "mentee_ids": [gone.id]}
    assert curator.post("/pairs/new", data=data).status_code == 422
    assert db.session.scalar(select(Pair)) is None
    # The service itself refuses too (a draft's publish, a crafted request).
    try:
        create_pair(org_id=world.school.id, kind_code=KIND, variation_code="", mentors=[mentor],
                    mentees=[db.session.get(MenteeProfile, gone.id)], academic_year=year())
    except PairError as exc:
        assert "Отозвавшийся" in exc.message and "согласия на обработку" in exc.message
    else:
        raise AssertionError("a pair with a person without consent was created")


def test_order_is_not_issued_with_a_person_without_consent(curator, world):
    mentor, kept, gone = setup_bank(world)
    pair = create_pair(org_id=world.school.id, kind_code=KIND, variation_code="", mentors=[mentor],
                       mentees=[gone], academic_year=year())
    db.session.commit()
    withdraw(curator, gone.person)
    data = {"org": world.school.id, "number": "7-о", "issued_on": date.today().strftime("%d.%m.%Y"),
            "ends_on": "", "pair_ids": [pair.id]}
    response = curator.post("/pairs/orders/new", data=data)
    assert response.status_code == 422
    assert "Отозвавшийся" in response.get_data(as_text=True)
    assert db.session.scalar(select(Order)) is None and db.session.get(Pair, pair.id).status == "forming"


def test_pupil_mentor_is_not_asked_for_consent_to_additional_duties(curator, world):
    """«Согласие на доп. обязанности» is labour law: a pupil mentor has no labour contract."""
    mentor, kept, gone = setup_bank(world)
    pair = create_pair(org_id=world.school.id, kind_code=KIND, variation_code="", mentors=[mentor],
                       mentees=[kept], academic_year=year())
    db.session.commit()
    order = issue_order(world.school.id, "8-о", date.today(), [pair], date.today())
    assert order.id and pair.status == "active"


def test_live_pair_is_flagged_for_the_curator_never_ended(curator, world):
    mentor, kept, gone = setup_bank(world)
    pair = create_pair(org_id=world.school.id, kind_code=KIND, variation_code="", mentors=[mentor],
                       mentees=[gone], academic_year=year())
    issue_order(world.school.id, "9-о", date.today(), [pair], date.today())
    db.session.commit()
    withdraw(curator, gone.person)
    pair = db.session.get(Pair, pair.id)
    assert pair.status == "active" and pair.ended_on is None  # not silently ended
    page = curator.get(f"/pairs/{pair.id}").get_data(as_text=True)
    assert 'id="pair-consent-flag"' in page and "Нужно решение куратора" in page
    dashboard = curator.get("/").get_data(as_text=True)
    assert 'id="pairs-without-consent"' in dashboard and f"/pairs/{pair.id}" in dashboard
    person_page = curator.get(f"/participants/{gone.person_id}").get_data(as_text=True)
    effect = person_page.split('id="consent-effect"')[1].split("</p>")[0]
    assert "приостановлен: нет согласия" in effect and "не участвует в подборе" in effect
    assert f"/pairs/{pair.id}" in effect and "отмечены для решения куратора" in effect


def test_lists_and_exports_leave_the_person_out(curator, world, app):
    mentor, kept, gone = setup_bank(world)
    pair = create_pair(org_id=world.school.id, kind_code=KIND, variation_code="", mentors=[mentor],
                       mentees=[kept], academic_year=year())
    db.session.commit()
    withdraw(curator, gone.person)
    withdraw(curator, kept.person)
    unmatched = curator.get("/pairs/unmatched").get_data(as_text=True)
    assert "Отозвавшийся" not in unmatched
    mentees_xlsx = load_workbook(io.BytesIO(curator.get("/banks/mentees.xlsx").data))
    cells = " ".join(str(c.value) for ws in mentees_xlsx for row in ws.iter_rows() for c in row if c.value)
    assert "Отозвавшийся" not in cells and "Остаётся" not in cells
    mentors_xlsx = load_workbook(io.BytesIO(curator.get("/banks/mentors.xlsx").data))
    cells = " ".join(str(c.value) for ws in mentors_xlsx for row in ws.iter_rows() for c in row if c.value)
    assert "Старшеклассникова" in cells and "Остаётся" not in cells  # the mentor stays, the mentee's name goes
    people_xlsx = load_workbook(io.BytesIO(curator.get("/participants/export.xlsx").data))
    cells = " ".join(str(c.value) for ws in people_xlsx for row in ws.iter_rows() for c in row if c.value)
    assert "Отозвавшийся" not in cells and "Старшеклассникова" in cells
    assert db.session.scalar(select(PairMember).where(PairMember.pair_id == pair.id, PairMember.role == "mentee"))


def test_a_card_names_the_first_few_and_counts_them_all_in_one_statement(app, world):
    from nastavnik.pairs.eligibility import first_ids_and_total
    from nastavnik.participants.models import Person

    people = [make_person(world.school2, last_name=f"Иванов{n}").id for n in range(13)]
    db.session.commit()
    def build(org_ids):
        return select(Person.id).where(Person.org_id.in_(org_ids), Person.id > bindparam("above"))

    assert first_ids_and_total([world.school2.id], build, 10, {"above": 0}) == (13, sorted(people)[:10])
    assert first_ids_and_total([world.school2.id], build, 10, {"above": max(people)}) == (0, [])
    # a scope: the statement built once per process, the roots and values bound anew each time
    assert first_ids_and_total(subtree([world.school2.id]), build, 3, {"above": 0}) == (13, sorted(people)[:3])
    others = db.session.scalar(select(func.count()).select_from(Person).where(Person.org_id == world.school.id))
    assert first_ids_and_total(subtree([world.school.id]), build, 3, {"above": 0})[0] == others > 0
