"""The banks' export rows, read in one statement each, against the same rows built from the records.

The export reads plain rows (tags aggregated in SQL, a mentee's latest pair, its first mentor and its
results joined in) for speed at region scale; this twin builds every line from the ORM records by the
rule as it reads in words, and both must write the same cells, in the same order, on either database.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nastavnik.banks import bank_export
from nastavnik.banks import services as svc
from nastavnik.banks.models import MenteeProfile, MentorProfile, Tag
from nastavnik.consents.models import Consent
from nastavnik.consents.services import has_valid_consent, processing_allowed
from nastavnik.extensions import db
from nastavnik.pairs.models import LIVE_STATUSES, Pair, PairMember
from nastavnik.plugins.manager import registry
from nastavnik.programmes.models import Programme
from nastavnik.web.words import plural
from tests.banks.test_matching_web import make_mentee, make_mentor
from tests.factories import make_consent, make_person

TODAY = date.today()


def _pair(world, status: str, mentors, mentees, *, ended_on=None, results=None) -> Pair:
    pair = Pair(org_id=world.school.id, kind_code="teacher_teacher", academic_year=2025, status=status,
                ended_on=ended_on)
    pair.members = [PairMember(person_id=p.id, role="mentor") for p in mentors] + [
        PairMember(person_id=p.id, role="mentee") for p in mentees]
    db.session.add(pair)
    db.session.flush()
    if results is not None:
        status, text = results
        db.session.add(Programme(pair_id=pair.id, status=status, actual_results=text))
        db.session.flush()
    return pair


def _bank(world):
    """Mentees and mentors with every case the rows must get right."""
    school, other = world.school, world.school2
    other.short_name = "СОШ-4"
    mentor_a = make_mentor(school, "Андреева", ["время", "беседа", "аудит"])
    mentor_a.variation_codes = "experienced_young,class_teacher_young"
    mentor_a.preferred_age_min, mentor_a.preferred_age_max = 25, 31
    mentor_b = make_mentor(other, "Борисова", ["аудит"])  # her consent is withdrawn below
    mentor_c = make_mentor(school, "Васильева")
    mentor_c.case_url = "https://school.example/case"
    db.session.add(Tag(title="", org_id=school.id))
    db.session.flush()
    mentor_c.tags.append(db.session.scalar(select(Tag).where(Tag.title == "")))  # an empty title is no line
    mentor_c.tags.append(db.session.scalar(select(Tag).where(Tag.title == "аудит")))

    # Гаврилова: an older completed pair with results, a newer active pair with two mentors (the first
    # one counts), and a still newer interrupted one that sent her back to the bank.
    g = make_mentee(school, "Гаврилова", ["беседа", "аудит"])
    g.request_text = "освоить электронный журнал"
    g.entered_on = TODAY - timedelta(days=30)
    _pair(world, "completed", [mentor_b.person], [g.person], ended_on=TODAY - timedelta(days=40),
          results=("completed", "провела открытый урок"))
    _pair(world, "active", [mentor_a.person, mentor_c.person], [g.person])
    _pair(world, "interrupted", [mentor_c.person], [g.person], ended_on=TODAY - timedelta(days=1))
    # Дмитриева: a completed pair whose mentor no longer consents (name hidden, workplace kept).
    d = make_mentee(school, "Дмитриева")
    _pair(world, "completed", [mentor_b.person], [d.person], ended_on=TODAY - timedelta(days=5),
          results=("completed", "аттестация пройдена"))
    # Егорова: tags only, no pair. Жукова: a request only, and a pair with no mentor yet, whose programme runs.
    make_mentee(school, "Егорова", ["время"])
    z = make_mentee(school, "Жукова")
    z.request_text = "=HYPERLINK(\"http://x\")"
    _pair(world, "forming", [], [z.person], results=("active", "ещё идёт"))
    # Зайцева: her consent lapsed, so she is in no export, and not named as anyone's mentee.
    lapsed = make_mentee(school, "Зайцева", ["аудит"])
    lapsed.person.consents[0].valid_until = TODAY - timedelta(days=1)
    _pair(world, "active", [mentor_c.person], [lapsed.person])
    # Иванова: mentor A's second live mentee; Климова's pair with A is over.
    i = make_mentee(school, "Иванова")
    _pair(world, "forming", [mentor_a.person], [i.person])
    k = make_mentee(school, "Климова")
    _pair(world, "completed", [mentor_a.person], [k.person], ended_on=TODAY - timedelta(days=3))
    # A pupil whose consent was signed by a parent, and a mentee of another school out of scope.
    pupil = make_person(school, kind="student", last_name="Лебедев")
    make_consent(pupil, signatory_name="Лебедева", signatory_relation="мать")
    make_mentee(school, "Лебедев", person=pupil).person.phone = "+7 913 000"
    make_mentee(world.other_school, "Чужая")
    mentor_b.person.consents[0].withdrawn_on = TODAY - timedelta(days=2)
    db.session.commit()


def _latest_pair(person_id: int) -> Pair | None:
    pairs = [m.pair for m in db.session.scalars(select(PairMember).where(
        PairMember.person_id == person_id, PairMember.role == "mentee")) if m.pair.status != "interrupted"]
    return max(pairs, key=lambda pair: pair.id, default=None)


def _sorted_profiles(model, org_ids):
    profiles = db.session.scalars(select(model).where(model.org_id.in_(org_ids))).all()
    allowed = [p for p in profiles if processing_allowed(p.person, TODAY)]
    return sorted(allowed, key=lambda p: (p.person.last_name, p.person.first_name, p.id))


def _contacts(person) -> str:
    return ", ".join(part for part in (person.phone, person.email) if part)


def _titles(profile) -> list[str]:
    return sorted(t.title for t in profile.tags)


def _mentee_rows_from_records(org_ids):
    for p in _sorted_profiles(MenteeProfile, org_ids):
        pair = _latest_pair(p.person_id)
        mentor = pair.mentors[0].person if pair and pair.mentors else None
        programme = db.session.scalar(select(Programme).where(Programme.pair_id == pair.id)) if pair else None
        yield bank_export.MenteeBankRow(
            full_name=p.person.full_name,
            has_consent=has_valid_consent(p.person, TODAY),
            contacts=_contacts(p.person),
            request=", ".join(_titles(p) + ([p.request_text] if p.request_text else [])),
            entered_on=p.entered_on,
            mentor_name=mentor.full_name if mentor and has_valid_consent(mentor, TODAY) else "",
            mentor_workplace=mentor.org.title if mentor else "",
            form=registry().kind(p.kind_code).title,
            place=p.person.org.title,
            finished_on=pair.ended_on if pair else None,
            results=programme.actual_results if programme and programme.status == "completed" else "",
        )


def _mentor_rows_from_records(org_ids):
    for p in _sorted_profiles(MentorProfile, org_ids):
        mentees = [m.person for pair in (m.pair for m in db.session.scalars(select(PairMember).where(
            PairMember.person_id == p.person_id, PairMember.role == "mentor").order_by(PairMember.pair_id)).all())
            if pair.status in LIVE_STATUSES for m in pair.mentees]  # pairs in order, as the export lists them
        variations = svc.variation_titles(p.variation_codes.split(","))
        yield bank_export.MentorBankRow(
            full_name=p.person.full_name,
            has_consent=has_valid_consent(p.person, TODAY),
            contacts=_contacts(p.person),
            workplace=p.person.org.title,
            competences=_titles(p),
            achievements=p.achievements,
            interests=p.interests,
            desired_mentee_age=f"{p.preferred_age_min}–{plural(p.preferred_age_max, 'год', 'года', 'лет')}"
            if p.preferred_age_min and p.preferred_age_max else "",
            meeting_time_place=p.time_place,
            form=", ".join(registry().kind(c).title for c in p.kind_codes.split(","))
            + (f" ({'; '.join(variations)})" if variations else ""),
            place=p.person.org.title,
            mentee_names=[m.full_name for m in mentees if has_valid_consent(m, TODAY)],
            case_url=p.case_url,
        )


def _cells(rows, columns) -> list[list]:
    """What the export writes of each row (and whether it may write it at all)."""
    return [[row.has_consent, *(column.value(row) for column in columns)] for row in rows]


def test_mentee_rows_are_those_of_the_records(app, world):
    _bank(world)
    org_ids = [world.school.id, world.school2.id]
    expected = _cells(_mentee_rows_from_records(org_ids), bank_export.MENTEE_COLUMNS)
    actual = _cells(svc.mentee_export_rows(org_ids, TODAY), bank_export.MENTEE_COLUMNS)
    assert actual == expected
    by_name = {row[1]: row for row in actual}
    assert "Зайцева" not in " ".join(by_name) and "Чужая" not in " ".join(by_name)
    g = by_name["Гаврилова Пётр Сергеевич"]
    assert g[3] == "аудит, беседа, освоить электронный журнал"
    assert g[5].startswith("Андреева") and g[9] is None and g[10] == ""  # the active pair, not the older one
    d = by_name["Дмитриева Пётр Сергеевич"]
    assert d[5] == "" and d[6] == "СОШ-4" and d[10] == "аттестация пройдена"
    z = by_name["Жукова Пётр Сергеевич"]
    assert z[5] == z[6] == z[10] == "" and z[3] == "=HYPERLINK(\"http://x\")"


def test_mentor_rows_are_those_of_the_records(app, world):
    _bank(world)
    org_ids = [world.school.id, world.school2.id]
    expected = _cells(_mentor_rows_from_records(org_ids), bank_export.MENTOR_COLUMNS)
    actual = _cells(svc.mentor_export_rows(org_ids, TODAY), bank_export.MENTOR_COLUMNS)
    assert actual == expected
    a = next(row for row in actual if row[1].startswith("Андреева"))
    assert a[4] == "аудит\nбеседа\nвремя" and a[7] == "25–31 год"
    assert a[9].startswith("учитель – учитель (") and "; " in a[9]
    assert a[12] == "Гаврилова Пётр Сергеевич\nИванова Пётр Сергеевич"  # not Климова: that pair is over
    c = next(row for row in actual if row[1].startswith("Васильева"))
    assert c[4] == "аудит" and "Зайцева" not in c[12] and c[13] == "https://school.example/case"
    assert not any(row[1].startswith("Борисова") for row in actual)


def test_every_consent_is_checked_again_by_the_model_s_rule(app, world, monkeypatch):
    """The SQL filter is not trusted alone: the consent read with each row goes through Consent.is_valid_on,
    for the people of the bank and for everyone a row names (a mentee's mentor, a mentor's mentees)."""
    _bank(world)
    org_ids = [world.school.id, world.school2.id]
    mentees = list(svc.mentee_export_rows(org_ids, TODAY))
    mentors = list(svc.mentor_export_rows(org_ids, TODAY))
    assert all(row.has_consent for row in mentees + mentors)
    assert any(row.mentor_name for row in mentees) and any(row.mentee_names for row in mentors)
    monkeypatch.setattr(Consent, "is_valid_on", lambda consent, day: False)
    mentees = list(svc.mentee_export_rows(org_ids, TODAY))
    mentors = list(svc.mentor_export_rows(org_ids, TODAY))
    assert mentees and mentors
    assert not any(row.has_consent or row.mentor_name for row in mentees)
    assert not any(row.has_consent or row.mentee_names for row in mentors)


@pytest.mark.parametrize("batch", [1, 2, 500])
def test_mentor_rows_read_in_batches_are_those_of_the_records(app, world, monkeypatch, batch):
    """The mentors are read a batch at a time and each batch's mentees looked up apart (on PostgreSQL
    through a LATERAL subquery per pair): whatever the batch, the same lines, with a group's mentees
    in the order of the pair and of its members."""
    _bank(world)
    mentor = db.session.scalar(select(MentorProfile).join(MentorProfile.person).where(
        MentorProfile.person.has(last_name="Андреева")))
    group = [make_mentee(world.school, name) for name in ("Яковлева", "Абрамова")]
    _pair(world, "active", [mentor.person], [m.person for m in group])
    db.session.commit()
    monkeypatch.setattr(svc, "EXPORT_BATCH", batch)
    org_ids = [world.school.id, world.school2.id]
    expected = _cells(_mentor_rows_from_records(org_ids), bank_export.MENTOR_COLUMNS)
    assert _cells(svc.mentor_export_rows(org_ids, TODAY), bank_export.MENTOR_COLUMNS) == expected
    a = next(row for row in expected if row[1].startswith("Андреева"))
    assert a[12].endswith("Яковлева Пётр Сергеевич\nАбрамова Пётр Сергеевич")
