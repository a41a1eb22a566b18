"""Matching on the web: suggestions with reasons, settings with preview, cohort draft, pins, rejects, publish."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from nastavnik.banks.models import MatchExclusion, MatchRun, MatchSettings, MenteeProfile, MentorProfile, Tag
from nastavnik.extensions import db
from nastavnik.pairs.models import Pair
from nastavnik.periods import AcademicYear
from tests.factories import make_consent, make_person

KIND = "teacher_teacher"


def year() -> int:
    return AcademicYear.of(date.today()).start_year


def tag(title: str) -> Tag:
    found = db.session.scalar(select(Tag).where(Tag.title == title))
    if found is None:
        found = Tag(title=title)
        db.session.add(found)
    return found


def make_mentor(org, name: str, tags=(), subjects="", experience=20.0, capacity=1, category="", person=None):
    person = person or make_person(
        org, last_name=name, subjects=subjects, experience_years=experience, qualification_category=category
    )
    make_consent(person)
    profile = MentorProfile(
        person=person,
        person_id=person.id,
        org_id=org.id,
        kind_codes=KIND,
        capacity=capacity,
        load=0,
        status="in_bank",
        tags=[tag(t) for t in tags],
    )
    db.session.add(profile)
    db.session.flush()
    return profile


def make_mentee(
    org, name: str, tags=(), subjects="", experience=1.0, category="young_specialist", person=None
):
    if person is None:
        person = make_person(org, last_name=name, subjects=subjects, experience_years=experience)
        make_consent(person)
    profile = MenteeProfile(
        person=person,
        person_id=person.id,
        org_id=org.id,
        kind_code=KIND,
        category=category,
        academic_year=year(),
        status="in_bank",
        tags=[tag(t) for t in tags],
    )
    db.session.add(profile)
    db.session.flush()
    return profile


@pytest.fixture
def bank(world):
    school = world.school
    mentors = {
        "math": make_mentor(
            school, "Математикова", ["оценивание", "дисциплина"], "математика", 25, 1, "highest"
        ),
        "hist": make_mentor(school, "Историкова", ["дисциплина"], "история", 15, 1, "first"),
    }
    mentees = {
        "young_math": make_mentee(school, "Молодова", ["оценивание", "дисциплина"], "математика"),
        "young_hist": make_mentee(school, "Новикова", ["дисциплина"], "история"),
    }
    db.session.commit()
    return {"mentors": mentors, "mentees": mentees}


def test_suggestions_show_scores_reasons_and_gaps(curator, bank):
    mentee = bank["mentees"]["young_math"]
    html = curator.get(f"/banks/mentees/{mentee.id}/suggest").get_data(as_text=True)
    assert "Математикова" in html and "Историкова" in html
    # The mentor with the shared subject and all requests covered comes first, with reasons.
    assert html.index("Математикова") < html.index("Историкова")
    assert "закрывает все запросы: дисциплина, оценивание" in html
    assert "общий предмет: математика" in html
    assert "нет общего предмета" in html  # the gap of the second mentor is shown, not hidden
    assert "наставник с высшей категорией — для молодого специалиста" in html  # the plugin's criterion


def test_suggestions_list_blocked_mentors_with_why(curator, bank, world):
    mentee = bank["mentees"]["young_math"]
    full = bank["mentors"]["hist"]
    full.load = 1
    db.session.add(
        MatchExclusion(
            org_id=world.school.id,
            mentee_person_id=mentee.person_id,
            mentor_person_id=bank["mentors"]["math"].person_id,
            reason="родственники",
        )
    )
    db.session.commit()
    html = curator.get(f"/banks/mentees/{mentee.id}/suggest").get_data(as_text=True)
    assert "Подходящих наставников нет" in html
    assert "пара исключена в настройках подбора" in html
    assert "нет свободных мест (занято 1 из 1)" in html


def test_suggest_is_scoped(as_user, bank):
    client = as_user("curator_other")
    assert client.get(f"/banks/mentees/{bank['mentees']['young_math'].id}/suggest").status_code == 404


def test_settings_save_and_preview(curator, bank, world):
    make_mentee(world.school, "Химикова", ["дисциплина"], "химия")
    bank["mentors"]["hist"].capacity = 2
    db.session.commit()
    url = f"/banks/settings?org={world.school.id}&kind={KIND}"
    assert "Запросы и компетенции" in curator.get(url).get_data(as_text=True)
    form = {
        "org": world.school.id,
        "kind": KIND,
        "w_tags": "4",
        "w_subject": "2",
        "w_experience": "2",
        "w_organisation": "0",
        "w_age": "1",
        "w_teacher_category": "3",
        "min_experience_gap": "5",
        "min_score": "30",
        "mode": "max_score",
        "version": "0",
    }
    loose = curator.post("/banks/settings", data=form | {"action": "preview"}, headers={"HX-Request": "true"})
    assert "из <b>3</b> наставляемых будут подобраны <b>3</b>" in loose.get_data(as_text=True)
    form["must_share_subject"] = "y"  # nobody teaches химия
    preview = curator.post(
        "/banks/settings", data=form | {"action": "preview"}, headers={"HX-Request": "true"}
    )
    assert preview.status_code == 200
    assert "будут подобраны <b>2</b>, не подобраны — <b>1</b>" in preview.get_data(as_text=True)
    assert db.session.scalar(select(MatchSettings)) is None  # preview writes nothing
    saved = curator.post("/banks/settings", data=form | {"action": "save"})
    assert saved.status_code == 303
    row = db.session.scalar(select(MatchSettings))
    assert row.min_score == 30 and row.must_share_subject and row.weights["teacher_category"] == 3
    stale = curator.post("/banks/settings", data=form | {"action": "save", "version": "0"})
    assert stale.status_code == 409
    bad = curator.post("/banks/settings", data=form | {"action": "save", "version": "1", "w_tags": "много"})
    assert bad.status_code == 422 and "Введите число от 0 до 10." in bad.get_data(as_text=True)


def _new_run(client, world) -> MatchRun:
    response = client.post("/pairs/match/new", data={"org": world.school.id, "kind": KIND})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return db.session.scalars(select(MatchRun).order_by(MatchRun.id.desc())).first()


def test_cohort_run_records_settings_inputs_and_result(curator, bank, world):
    run = _new_run(curator, world)
    assert run.status == "draft"
    pairs = {(p.mentee.person.last_name, p.mentor.person.last_name) for p in run.proposals}
    assert pairs == {("Молодова", "Математикова"), ("Новикова", "Историкова")}
    assert run.settings["weights"]["tags"] == 4.0 and "teacher_category" in run.settings["weights"]
    assert {m["profile_id"] for m in run.inputs["mentees"]} == {p.id for p in bank["mentees"].values()}
    assert set(run.inputs["mentees"][0]) >= {"tags", "subjects", "experience_years", "age", "category"}
    assert "linear_sum_assignment" in run.algorithm
    html = curator.get(f"/pairs/match/{run.id}").get_data(as_text=True)
    assert "Молодова" in html and "общий предмет: математика" in html


def test_capacity_constraint_leaves_unmatched_with_why(curator, bank, world):
    make_mentee(world.school, "Третьякова", ["дисциплина"], "история")
    db.session.commit()
    run = _new_run(curator, world)
    assert len(run.proposals) == 2  # two mentors with one place each
    (unmatched,) = run.result["unmatched"]
    assert unmatched["name"].startswith("Третьякова")
    assert "заняты" in unmatched["why"]


def test_pin_reject_rerun_publish(curator, bank, world):
    run = _new_run(curator, world)
    by_mentee = {p.mentee.person.last_name: p for p in run.proposals}
    pinned, rejected = by_mentee["Молодова"], by_mentee["Новикова"]
    assert curator.post(f"/pairs/match/{run.id}/proposals/{pinned.id}/pin").status_code == 303
    assert curator.post(f"/pairs/match/{run.id}/proposals/{rejected.id}/reject").status_code == 303
    response = curator.post(f"/pairs/match/{run.id}/rerun", headers={"HX-Request": "true"})
    assert response.status_code == 200
    db.session.expire_all()
    run = db.session.get(MatchRun, run.id)
    states = {(p.mentee.person.last_name, p.mentor.person.last_name): p.state for p in run.proposals}
    # The pin survived; the rejected pair is not proposed again and Новикова has no other free mentor.
    assert states == {("Молодова", "Математикова"): "pinned", ("Новикова", "Историкова"): "rejected"}
    assert [u["name"].split()[0] for u in run.result["unmatched"]] == ["Новикова"]
    assert curator.post(f"/pairs/match/{run.id}/publish").status_code == 303
    db.session.expire_all()
    (pair,) = db.session.scalars(select(Pair)).all()
    assert pair.status == "forming" and pair.match_run_id == run.id
    assert {m.person.last_name for m in pair.members} == {"Молодова", "Математикова"}
    assert db.session.get(MentorProfile, bank["mentors"]["math"].id).load == 1
    assert db.session.get(MenteeProfile, bank["mentees"]["young_math"].id).status == "in_pair"
    assert db.session.get(MenteeProfile, bank["mentees"]["young_hist"].id).status == "unmatched"
    assert db.session.get(MatchRun, run.id).status == "published"
    again = curator.post(f"/pairs/match/{run.id}/publish")
    assert again.status_code == 303 and len(db.session.scalars(select(Pair)).all()) == 1


def test_swap_pins_the_chosen_mentor_and_recomputes_the_rest(curator, bank, world):
    run = _new_run(curator, world)
    proposal = next(p for p in run.proposals if p.mentee.person.last_name == "Новикова")
    other = bank["mentors"]["math"]
    response = curator.post(
        f"/pairs/match/{run.id}/proposals/{proposal.id}/swap",
        data={"mentor_id": other.id},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    db.session.expire_all()
    swapped = db.session.get(type(proposal), proposal.id)
    assert swapped.mentor_id == other.id and swapped.state == "pinned"
    # Математикова's one place now goes to the pinned row: Молодова is proposed someone else at once,
    # and the draft never asks a mentor for more places than they have.
    run = db.session.get(MatchRun, run.id)
    states = {(p.mentee.person.last_name, p.mentor.person.last_name): p.state for p in run.proposals}
    assert states == {("Новикова", "Математикова"): "pinned", ("Молодова", "Историкова"): "proposed"}
    page = response.get_data(as_text=True)
    assert "Нет мест" not in page and "получила другого наставника" in page
    assert curator.post(f"/pairs/match/{run.id}/publish").status_code == 303
    db.session.expire_all()
    assert len(db.session.scalars(select(Pair)).all()) == 2
    assert db.session.get(MentorProfile, other.id).load == 1


def test_runs_are_scoped(as_user, bank, world, client):
    curator = as_user("curator")
    run = _new_run(curator, world)
    client.post("/auth/logout")
    other = as_user("curator_other")
    assert other.get(f"/pairs/match/{run.id}").status_code == 404
    assert other.post(f"/pairs/match/{run.id}/publish").status_code == 404
