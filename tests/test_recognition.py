"""Recognition: awards, contests and incentives scoped by school; the portfolio; candidates with reasons."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from nastavnik.extensions import db
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.programmes.models import Meeting, Programme
from nastavnik.recognition import services as svc
from nastavnik.recognition.models import Award, ContestEntry, RecognitionType
from nastavnik.timeutil import today
from tests.conftest import login
from tests.factories import make_consent, make_person

PDF = b"%PDF-1.4\n%\n"


def _pair(school, mentor, mentee, status="active", starts=None):
    pair = Pair(org_id=school.id, kind_code="teacher_teacher", status=status, academic_year=2025,
                starts_on=starts or today() - timedelta(days=60),
                ended_on=today() - timedelta(days=1) if status == "finished" else None)
    pair.members = [PairMember(person_id=mentor.id, role="mentor"), PairMember(person_id=mentee.id, role="mentee")]
    db.session.add(pair)
    db.session.flush()
    return pair


def _gramota():
    svc.types("award")
    return db.session.scalar(select(RecognitionType).where(RecognitionType.title == "Почётная грамота"))


def test_curator_gives_a_gramota_and_the_portfolio_shows_it(curator, world):
    mentor = make_person(world.school, last_name="Наставников")
    _pair(world.school, mentor, world.teacher)
    db.session.commit()
    gramota = _gramota()
    form = curator.get(f"/recognition/award/new?person={mentor.id}").get_data(as_text=True)
    assert "Наставников" in form and "Почётная грамота" in form
    response = curator.post("/recognition/award/new", data={
        "person_id": mentor.id, "type_id": gramota.id, "level": "school", "act_number": "45-к",
        "act_date": today().strftime("%d.%m.%Y"), "file": (io.BytesIO(PDF), "приказ.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 303
    award = db.session.scalar(select(Award))
    assert award.org_id == world.school.id and award.file_content == PDF
    page = curator.get(f"/recognition/portfolio/{mentor.id}").get_data(as_text=True)
    assert "Почётная грамота (школа), приказ № 45-к от " + today().strftime("%d.%m.%Y") in page
    assert world.teacher.full_name in page  # the pair with its mentee


def test_bad_award_input_is_refused_at_the_field(curator, world):
    mentor = make_person(world.school, last_name="Наставников")
    _pair(world.school, mentor, world.teacher)
    db.session.commit()
    response = curator.post("/recognition/award/new", data={
        "person_id": mentor.id, "type_id": _gramota().id, "level": "galaxy", "act_date": "31.02.2025",
        "file": (io.BytesIO(b"MZ"), "x.exe")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="level-error"' in html and 'id="act_date-error"' in html
    assert db.session.scalar(select(Award)) is None


def test_other_schools_awards_answer_404(client, world):
    foreign_mentor = make_person(world.other_school, last_name="Чужой")
    _pair(world.other_school, foreign_mentor, world.other_teacher)
    award = Award(org_id=world.other_school.id, person_id=foreign_mentor.id, type_id=_gramota().id, level="school",
                  act_date=today(), file_name="a.pdf", file_content=PDF)
    db.session.add(award)
    db.session.commit()
    login(client, "curator")
    assert client.get(f"/recognition/awards/{award.id}/file").status_code == 404
    assert client.post(f"/recognition/award/{award.id}/delete").status_code == 404
    assert client.get(f"/recognition/portfolio/{foreign_mentor.id}").status_code == 404
    assert "Чужой" not in client.get("/recognition/").get_data(as_text=True)
    assert db.session.get(Award, award.id) is not None
    client.post("/auth/logout")
    login(client, "curator_other")
    assert client.get(f"/recognition/awards/{award.id}/file").data == PDF


def test_mentor_sees_own_portfolio_only(client, world):
    me = world.users["mentor"].person_id
    other = make_person(world.school, last_name="Коллега")
    db.session.commit()
    login(client, "mentor")
    assert client.get(f"/recognition/portfolio/{me}").status_code == 200
    assert client.get(f"/recognition/portfolio/{other.id}").status_code == 404
    assert client.get("/recognition/").status_code == 403


def test_site_version_needs_a_consent_to_distribution(curator, world):
    mentor = make_person(world.school, last_name="Публичный")
    _pair(world.school, mentor, world.teacher)
    db.session.commit()
    refused = curator.get(f"/recognition/portfolio/{mentor.id}/site")
    assert refused.status_code == 409 and "согласия на распространение" in refused.get_data(as_text=True)
    make_consent(mentor, kind="pd_distribution")
    db.session.commit()
    page = curator.get(f"/recognition/portfolio/{mentor.id}/site").get_data(as_text=True)
    assert "Наставник Публичный" in page
    assert world.teacher.full_name not in page  # the mentee gave no such consent


def test_candidates_are_ranked_with_reasons(world):
    busy = make_person(world.school, last_name="Опытная")
    new = make_person(world.school, last_name="Новенький")
    awarded = make_person(world.school, last_name="Награждённая")
    mentees = [make_person(world.school, last_name=f"Подопечный{i}") for i in range(4)]
    old = _pair(world.school, busy, mentees[0], "finished", starts=today() - timedelta(days=6 * 365))
    db.session.add(Programme(pair_id=old.id, status="completed", completed_on=today(), effective_practice=True))
    db.session.add(Meeting(pair_id=old.id, kind="intro", held_on=today() - timedelta(days=400), mentee_feedback="полезно"))
    _pair(world.school, busy, mentees[1])
    _pair(world.school, new, mentees[2])
    _pair(world.school, awarded, mentees[3], "finished")
    db.session.add(ContestEntry(org_id=world.school.id, person_id=awarded.id, contest="mentor_of_year", year=2025,
                                stage="municipal", result="winner"))
    db.session.add(Award(org_id=world.school.id, person_id=awarded.id, type_id=_gramota().id, level="school",
                         act_date=today() - timedelta(days=30)))
    db.session.commit()
    found = svc.candidates({world.school.id}, today())
    assert [c.person.last_name for c in found] == ["Опытная", "Награждённая", "Новенький"]
    top = found[0]
    assert top.score == 3 + 1 + 2 + 3 + 0.5 and top.badge_eligible
    assert "завершено пар: 1" in top.reasons and "эффективных практик в банке программ: 1" in top.reasons
    assert any("знаку «За наставничество»" in r for r in top.reasons)
    assert found[1].score == (3 + 4) / 2 and any("балл уменьшен вдвое" in r for r in found[1].reasons)
    assert "наград за наставничество ещё нет" in found[2].reasons


def test_candidates_page_and_types_list(curator, world):
    mentor = make_person(world.school, last_name="Кандидатова")
    _pair(world.school, mentor, world.teacher)
    db.session.commit()
    html = curator.get("/recognition/candidates").get_data(as_text=True)
    assert "Кандидатова" in html and "ведёт пар сейчас: 1" in html
    assert curator.post("/recognition/types", data={"group": "award", "title": "Знак «Почётный наставник»"}).status_code == 303
    item = db.session.scalar(select(RecognitionType).where(RecognitionType.title == "Знак «Почётный наставник»"))
    curator.post(f"/recognition/types/{item.id}/archive")
    assert db.session.get(RecognitionType, item.id).archived
    assert item not in svc.types("award")
