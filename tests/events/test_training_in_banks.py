"""A mentor's training status in the banks (list, card) and in matching (suggestions, the draft's
reasons), and the school's setting that keeps mentors without training out of matching."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nastavnik.banks.models import MatchRun
from nastavnik.events.models import EventSettings
from nastavnik.extensions import db
from tests.banks.test_matching_web import KIND, make_mentee, make_mentor
from tests.events.conftest import add_people, make_event

TRAINED = "обучение пройдено"
UNTRAINED = "обучение наставников не пройдено"


@pytest.fixture
def bank(world):
    """Two mentors with one place each; the subject makes «Математикова» the better one for «Молодова»."""
    school = world.school
    mentors = {
        "math": make_mentor(school, "Математикова", ["оценивание", "дисциплина"], "математика", 25, 1, "highest"),
        "hist": make_mentor(school, "Историкова", ["дисциплина"], "история", 15, 1, "first"),
    }
    mentees = {"young_math": make_mentee(school, "Молодова", ["оценивание", "дисциплина"], "математика")}
    db.session.commit()
    return {"mentors": mentors, "mentees": mentees}


def _train(world, profile, days=-10, hours=16):
    event = make_event(world.school, days=days, hours=hours, title="Школа наставника")
    add_people(event, [profile.person], attendance="present")
    db.session.commit()
    return event


def test_the_mentor_list_and_card_show_the_training_status(curator, world, bank):
    math, hist = bank["mentors"]["math"], bank["mentors"]["hist"]
    event = _train(world, math)
    listing = curator.get("/banks/mentors").get_data(as_text=True)
    assert f"{TRAINED} {event.day:%d.%m.%Y}, 16 часов («Школа наставника»)" in listing
    assert UNTRAINED in listing
    card = curator.get(f"/banks/mentors/{hist.id}").get_data(as_text=True)
    assert "Обучение наставников" in card and UNTRAINED in card
    assert TRAINED in curator.get(f"/banks/mentors/{math.id}").get_data(as_text=True)


def test_suggestions_show_the_training_among_the_reasons_without_points(curator, world, bank):
    _train(world, bank["mentors"]["hist"])
    mentee = bank["mentees"]["young_math"]
    html = curator.get(f"/banks/mentees/{mentee.id}/suggest").get_data(as_text=True)
    assert f"<b>Обучение наставников</b>: {TRAINED}" in html and f"<b>Обучение наставников</b>: {UNTRAINED}" in html
    # display only: the ranking is the one the criteria give (the untrained subject match stays first)
    assert html.index("Математикова") < html.index("Историкова")


def test_the_school_setting_excludes_untrained_mentors_from_matching(curator, world, bank):
    _train(world, bank["mentors"]["hist"])
    db.session.add(EventSettings(org_id=world.school.id, untrained_mentors="exclude"))
    db.session.commit()
    mentee = bank["mentees"]["young_math"]
    html = curator.get(f"/banks/mentees/{mentee.id}/suggest").get_data(as_text=True)
    blocked = html[html.index('id="blocked"'):]
    assert "Математикова" in blocked and "по настройке школы не предлагается при подборе" in blocked
    eligible = html[html.index('id="eligible"'):html.index('id="blocked"')]
    assert "Историкова" in eligible and "Математикова" not in eligible

    response = curator.post("/pairs/match/new", data={"org": world.school.id, "kind": KIND})
    assert response.status_code == 303
    run = db.session.scalars(select(MatchRun).order_by(MatchRun.id.desc())).first()
    assert {p.mentor.person.last_name for p in run.proposals} == {"Историкова"}
    (proposal,) = run.proposals
    notes = [r for r in proposal.reasons if r.get("note")]
    assert notes and notes[0]["text"].startswith(TRAINED) and notes[0]["weight"] == 0
    assert {m["profile_id"] for m in run.inputs["mentors"]} == {bank["mentors"]["hist"].id}


def test_flagging_only_keeps_everyone_in_the_draft(curator, world, bank):
    response = curator.post("/pairs/match/new", data={"org": world.school.id, "kind": KIND})
    assert response.status_code == 303
    run = db.session.scalars(select(MatchRun).order_by(MatchRun.id.desc())).first()
    assert {p.mentor.person.last_name for p in run.proposals} == {"Математикова"}  # untrained, still proposed
    html = curator.get(f"/pairs/match/{run.id}").get_data(as_text=True)
    assert f"<b>Обучение наставников</b>: {UNTRAINED}" in html


def test_the_setting_is_saved_per_school(curator, world):
    response = curator.post("/events/settings", data={"org": world.school.id, "untrained_mentors": "exclude",
                                                     "site_url": "https://school3.example.ru/nastavnichestvo/"})
    assert response.status_code == 303
    row = db.session.get(EventSettings, world.school.id)
    assert (row.untrained_mentors, row.site_url) == ("exclude", "https://school3.example.ru/nastavnichestvo/")
    bad = curator.post("/events/settings", data={"org": world.school.id, "untrained_mentors": "exclude",
                                                "site_url": "school3.example.ru", "version": row.version})
    assert bad.status_code == 422 and "http:// или https://" in bad.get_data(as_text=True)
    assert curator.get(f"/events/settings?org={world.other_school.id}").status_code == 404


def test_a_mentor_without_a_valid_consent_shows_no_training_status(curator, world, bank):
    """152-ФЗ: the banks show a suspended mentor as suspended, and nothing of their training."""
    from datetime import timedelta

    from nastavnik.consents.models import Consent
    from nastavnik.timeutil import today

    math = bank["mentors"]["math"]
    _train(world, math)
    for consent in db.session.scalars(select(Consent).where(Consent.person_id == math.person_id)):
        consent.withdrawn_on = today() - timedelta(days=1)
    db.session.commit()
    card = curator.get(f"/banks/mentors/{math.id}").get_data(as_text=True)
    assert "приостановлен: нет согласия" in card
    assert TRAINED not in card and UNTRAINED not in card
    listing = curator.get("/banks/mentors").get_data(as_text=True)
    assert TRAINED not in listing and UNTRAINED in listing  # «Историкова» still flagged, «Математикова» silent
