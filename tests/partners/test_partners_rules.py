"""Partners plugin: ИНН/ОГРН, the справка rule, the pool that follows live agreements, counters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import event, select

from nastavnik.banks import matching_service as ms
from nastavnik.banks.models import MentorProfile
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.plugins.manager import hook, registry
from nastavnik.plugins.registry import CounterScope
from nastavnik.timeutil import today
from plugins.partners import services as svc
from plugins.partners.models import Activity, PartnerProfile
from tests.factories import make_person
from tests.partners.helpers import (
    KIND,
    VALID_INN,
    VALID_OGRN,
    make_agreement,
    make_partner,
    make_partner_mentor,
    make_pupil_mentee,
)

# ---------------------------------------------------------------- ИНН / ОГРН


@pytest.mark.parametrize("value", ["7707083893", "500100732259", " 7707083893 "])
def test_valid_inn_passes(value):
    assert svc.check_inn(value) == value.strip()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("7707083894", "контрольная цифра"),  # one digit off
        ("500100732258", "контрольная цифра"),
        ("77070838", "10 цифр"),
        ("77070838ab", "только цифры"),
    ],
)
def test_bad_inn_says_why(value, message):
    with pytest.raises(ValueError, match=message):
        svc.check_inn(value)


def test_ogrn_check_digit():
    assert svc.check_ogrn(VALID_OGRN) == VALID_OGRN
    assert svc.check_ogrn("304500116000157") == "304500116000157"  # ОГРНИП, 15 digits
    with pytest.raises(ValueError, match="контрольная цифра"):
        svc.check_ogrn("1027700132196")
    with pytest.raises(ValueError, match="13 цифр"):
        svc.check_ogrn("10277001321")


def test_form_shows_the_inn_error_at_the_field(curator, world):
    response = curator.post("/p/partners/new", data={
        "municipality_id": world.municipality.id, "name": "ООО «Опечатка»", "kind": "enterprise",
        "inn": "7707083894", "ogrn": "1027700132196",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="inn-error"' in html and "ИНН: не сходится контрольная цифра" in html
    assert 'id="ogrn-error"' in html and "ОГРН: не сходится контрольная цифра" in html
    assert db.session.scalar(select(Organisation).where(Organisation.kind == "partner")) is None


def test_curator_registers_a_partner_in_the_municipal_register(curator, world):
    response = curator.post("/p/partners/new", data={
        "municipality_id": world.municipality.id, "name": "АО «Богучанская ГЭС»", "kind": "enterprise",
        "inn": VALID_INN, "ogrn": VALID_OGRN, "areas": "энергетика",
    })
    assert response.status_code == 303
    org = db.session.scalar(select(Organisation).where(Organisation.kind == "partner"))
    assert org.parent_id == world.municipality.id and org.inn == VALID_INN
    assert db.session.scalar(select(PartnerProfile)).org_id == org.id
    # The same ИНН twice in one register is refused at the field.
    again = curator.post("/p/partners/new", data={
        "municipality_id": world.municipality.id, "name": "Дубль", "kind": "enterprise", "inn": VALID_INN,
    })
    assert again.status_code == 422 and "уже есть в реестре" in again.get_data(as_text=True)


# ---------------------------------------------------------------- the справка rule (ст. 351.1 ТК РФ)


def _refusals(mentors, mentees):
    """What every plugin refuses, through the hook as the core asks it."""
    found = {}
    for part in hook().nastavnik_pairing_refusals(kind_code=KIND, mentors=mentors, mentees=mentees):
        found.update(part or {})
    return found


def test_no_spravka_no_minor(world):
    partner = make_partner(world.municipality)
    with_check = make_partner_mentor(partner, "Громов").person
    without = make_partner_mentor(partner, "Белова", with_check=False).person
    pupil = world.student
    adult = make_person(world.school, kind="student", last_name="Взрослый", birth_date=date(2000, 1, 1))
    refused = _refusals([with_check, without], [pupil, adult])
    assert set(refused) == {(without.id, pupil.id)}
    assert "нет справки об отсутствии судимости" in refused[(without.id, pupil.id)]
    assert "ст. 351.1 ТК РФ" in refused[(without.id, pupil.id)]


def test_expired_spravka_refuses_with_its_date(world):
    partner = make_partner(world.municipality)
    record = make_partner_mentor(partner)
    record.record_check_on = today() - timedelta(days=400)
    record.record_check_until = today() - timedelta(days=3)
    db.session.flush()
    refused = _refusals([record.person], [world.student])
    assert "истекла" in refused[(record.person_id, world.student.id)]
    assert (today() - timedelta(days=3)).strftime("%d.%m.%Y") in refused[(record.person_id, world.student.id)]


def test_rule_concerns_partner_employees_only(world):
    teacher = world.teacher  # a school's teacher is checked by the school itself, not by this plugin
    partner = make_partner(world.municipality)
    unregistered = make_person(partner, kind="partner_employee", last_name="Безкарточки")
    refused = _refusals([teacher, unregistered], [world.student])
    assert set(refused) == {(unregistered.id, world.student.id)}


def test_refusal_reaches_suggestions_and_the_cohort_draft(world):
    """The pool offers both partner mentors; the one without a справка is blocked with the reason."""
    partner = make_partner(world.municipality)
    make_agreement(world.school, partner)
    good = make_partner_mentor(partner, "Громов")
    bad = make_partner_mentor(partner, "Белова", with_check=False)
    mentee = make_pupil_mentee(world.school)
    db.session.commit()
    refused = _refusals([good.person, bad.person], [mentee.person])
    assert set(refused) == {(bad.person_id, mentee.person_id)}
    found = {s.mentor.person_id: s for s in ms.suggestions(mentee, {world.school.id}, today())}
    assert set(found) == {good.person_id, bad.person_id}  # both are in the school's pool


# ---------------------------------------------------------------- the pool follows live agreements


def _pool(world, kind=KIND):
    return ms.mentor_pool(world.school.id, kind, {world.school.id})


def test_pool_has_partners_with_a_live_agreement_only(world):
    live = make_partner(world.municipality, "Живой")
    expired = make_partner(world.municipality, "Истёкший")
    terminated = make_partner(world.municipality, "Расторгнутый")
    future = make_partner(world.municipality, "Будущий")
    elsewhere = make_partner(world.municipality, "Чужой школы")
    other_form = make_partner(world.municipality, "Другая форма")
    make_agreement(world.school, live)
    make_agreement(world.school, expired, days_left=-1)
    make_agreement(world.school, terminated, terminated_on=today() - timedelta(days=1))
    make_agreement(world.school, future, starts_on=today() + timedelta(days=5))
    make_agreement(world.school2, elsewhere)
    make_agreement(world.school, other_form, kinds="undergraduate_pupil")
    db.session.commit()
    assert _pool(world) == {world.school.id, live.id}
    assert _pool(world, "undergraduate_pupil") == {world.school.id, other_form.id}


def test_agreement_for_all_forms_and_open_ended(world):
    partner = make_partner(world.municipality)
    make_agreement(world.school, partner, kinds="", ends_on=None)
    db.session.commit()
    assert partner.id in _pool(world) and partner.id in _pool(world, "undergraduate_pupil")


def test_draft_follows_the_agreement(world):
    """A cohort draft proposes the partner's mentor while the agreement lives, and not after."""
    partner = make_partner(world.municipality)
    agreement = make_agreement(world.school, partner)
    mentor = make_partner_mentor(partner)
    mentee = make_pupil_mentee(world.school)
    db.session.commit()
    run = ms.create_run(world.school.id, KIND, mentee.academic_year, {world.school.id}, None, today())
    db.session.flush()
    assert len(run.proposals) == 1 and run.proposals[0].mentee_id == mentee.id
    assert run.proposals[0].mentor.person_id == mentor.person_id
    reasons = {r["code"]: r["text"] for r in run.proposals[0].reasons}
    assert reasons["partner_profile"] == "интересы совпадают с профилем партнёра: энергетика"
    agreement.terminated_on = today()
    db.session.commit()
    ms.compute(run, today())
    assert run.proposals == []
    assert run.inputs["plugin_pool_org_ids"] == []


def test_manual_pairing_offers_the_partner_mentor_and_refuses_without_spravka(curator, world):
    partner = make_partner(world.municipality)
    make_agreement(world.school, partner)
    good = make_partner_mentor(partner, "Громов")
    bad = make_partner_mentor(partner, "Белова", with_check=False)
    mentee = make_pupil_mentee(world.school)
    db.session.commit()
    page = curator.get(f"/pairs/new?org_id={world.school.id}&kind_code={KIND}").get_data(as_text=True)
    assert good.person.full_name in page and bad.person.full_name in page
    good_profile = ms.pool_mentors({partner.id}, KIND)
    by_person = {m.person_id: m for m in good_profile}
    response = curator.post("/pairs/new", data={
        "org_id": world.school.id, "kind_code": KIND, "variation_code": "",
        "mentor_ids": [by_person[good.person_id].id], "mentee_ids": [mentee.id],
    })
    assert response.status_code == 303
    pair = db.session.scalar(select(Pair))
    assert {m.person_id for m in pair.members} == {good.person_id, mentee.person_id}


# ---------------------------------------------------------------- matching criterion


def test_partner_profile_criterion(world):
    from plugins.partners.kinds import PartnerProfileCriterion

    partner = make_partner(world.municipality, areas="энергетика, экология")
    mentor = make_partner_mentor(partner)
    keen = make_pupil_mentee(world.school, "Энергетиков", ("энергетика",))
    other = make_pupil_mentee(world.school, "Медиков", ("медицина",))
    blank = make_pupil_mentee(world.school, "Пустов", ())
    db.session.commit()
    mentor_in = ms.mentor_input(db.session.scalar(select(MentorProfile)), today())
    criterion = PartnerProfileCriterion()
    matrix = criterion.score_matrix([ms.mentee_input(m, today()) for m in (keen, other, blank)], [mentor_in])
    assert matrix[0, 0] == 1.0 and matrix[1, 0] == 0.0 and matrix[2, 0] != matrix[2, 0]  # NaN: no interests
    value, text = criterion.score(ms.mentee_input(other, today()), mentor_in)
    assert value == 0.0 and "не совпадает" in text
    assert mentor.person_id == mentor_in.id


def test_forms_are_registered_with_their_basis(app):
    kinds = registry().kinds
    assert kinds["employer_pupil"].title == "работодатель – ученик"
    assert kinds["undergraduate_pupil"].title == "студент – ученик"
    assert "Р-145" in kinds["employer_pupil"].legal_basis
    assert "работодатель – будущий сотрудник" in [v.title for v in kinds["employer_pupil"].variations]
    templates = hook().nastavnik_programme_templates(kind_code="employer_pupil")
    assert [t.code for part in templates for t in part] == ["employer_pupil_career"]


# ---------------------------------------------------------------- counters


def _live_pair(school, mentor_person, mentee_person):
    pair = Pair(org_id=school.id, kind_code=KIND, status="active", academic_year=2025,
                starts_on=today() - timedelta(days=20))
    pair.members = [PairMember(person_id=mentor_person.id, role="mentor"), PairMember(person_id=mentee_person.id, role="mentee")]
    db.session.add(pair)
    return pair


def test_counters(world):
    first, second = make_partner(world.municipality, "Первый"), make_partner(world.municipality, "Второй")
    a, b = make_partner_mentor(first, "А"), make_partner_mentor(first, "Б")
    c = make_partner_mentor(second, "В")
    pupil2 = make_person(world.school, kind="student", last_name="Второй")
    _live_pair(world.school, a.person, world.student)
    _live_pair(world.school, b.person, pupil2)
    _live_pair(world.school, c.person, world.student)
    _live_pair(world.school, world.teacher, pupil2)  # a teacher's pair counts for no partner counter
    db.session.add(Activity(org_id=world.school.id, partner_id=first.id, kind="excursion", title="Экскурсия",
                            held_on=today() - timedelta(days=3), participants=20))
    db.session.add(Activity(org_id=world.school.id, kind="career_day", title="День профессий",
                            held_on=today() - timedelta(days=2), participants=15))
    db.session.add(Activity(org_id=world.school.id, kind="project", title="Давно", held_on=date(2000, 1, 1), participants=99))
    db.session.commit()
    scope = CounterScope(org_ids=select(Organisation.id), as_of=today(), start=today() - timedelta(days=30), end=today())
    counters = registry().counters
    assert counters["partners_with_mentors"].compute(scope) == {world.school.id: 2}
    assert counters["pupils_in_partner_pairs"].compute(scope) == {world.school.id: 2}
    assert counters["partner_activity_participants"].compute(scope) == {world.school.id: 35}
    assert counters["partner_activities"].compute(scope) == {world.school.id: 2}
    before = CounterScope(org_ids=select(Organisation.id), as_of=today(), start=date(2001, 1, 1), end=date(2001, 12, 31))
    assert counters["pupils_in_partner_pairs"].compute(before) == {}


# ---------------------------------------------------------------- dashboard


def _statements(fn) -> int:
    count = 0

    def tick(*args):
        nonlocal count
        count += 1

    db.session.expire_all()  # nothing comes from the identity map or the per-request org tree: a first request
    g.pop("access_scopes", None)
    g.pop("org_ancestors", None)
    event.listen(db.engine, "before_cursor_execute", tick)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", tick)
    return count


def test_expiry_card_runs_a_constant_number_of_statements(app, world):
    from plugins.partners.routes import dashboard_card

    municipal = world.users["municipal"]
    partner = make_partner(world.municipality)
    make_agreement(world.school, partner, days_left=20, number="A")
    db.session.commit()
    with app.test_request_context():
        one = _statements(lambda: dashboard_card(municipal))
        html = dashboard_card(municipal)
    assert "№ A" in html and "соглашение" in html
    for n in range(6):
        school = Organisation(kind="school", name=f"Ещё школа {n}", parent_id=world.authority.id)
        db.session.add(school)
        db.session.flush()
        make_agreement(school, make_partner(world.municipality, f"П{n}"), days_left=10 + n, number=f"B{n}")
    db.session.commit()
    with app.test_request_context():
        many = _statements(lambda: dashboard_card(municipal))
        html = dashboard_card(municipal)
    assert many == one
    assert html.count("<li>") == 7


def test_partners_total_counts_agreements_in_force_during_the_period(world):
    """The denominator of Р-145 indicator 5: partners with an agreement in force on any day of the period."""
    live, expired, ended_early, later = (make_partner(world.municipality, name) for name in ("А", "Б", "В", "Г"))
    make_agreement(world.school, live, number="1")
    make_agreement(world.school, live, number="2")  # a second agreement with the same partner counts once
    make_agreement(world.school, expired, starts_on=today() - timedelta(days=400), ends_on=today() - timedelta(days=100))
    make_agreement(world.school, ended_early, terminated_on=today() - timedelta(days=60))
    make_agreement(world.school2, later, starts_on=today() + timedelta(days=5))
    db.session.commit()
    scope = CounterScope(org_ids=select(Organisation.id), as_of=today(), start=today() - timedelta(days=30), end=today())
    assert registry().counters["partners_total"].compute(scope) == {world.school.id: 1}
    year = CounterScope(org_ids=select(Organisation.id), as_of=today(), start=today() - timedelta(days=200),
                        end=today() + timedelta(days=10))
    assert registry().counters["partners_total"].compute(year) == {world.school.id: 3, world.school2.id: 1}
