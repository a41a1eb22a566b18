"""``nastavnik_pairing_refusals``: a plugin's legal refusal is honoured by every path that proposes or
creates a pair — cohort matching (a hard constraint, with the plugin's words), suggestions, manual
pairing, a swap in the draft, the order — and a plugin that fails refuses instead of letting pairs by.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from nastavnik.banks.models import MatchRun
from nastavnik.extensions import db as _db
from nastavnik.pairs.models import Order, Pair, PairMember
from nastavnik.pairs.services import PairError, create_pair
from tests.pairs.test_consent_rule import KIND, mentee_profile, mentor_profile, year
from tests.plugins_fixtures import refusals_fail, refuses_pair
from tests.plugins_fixtures.refuses_pair import REASON


@pytest.fixture(autouse=True)
def refusing_plugin(app):
    """The small test plugin joins the app's plugin manager, as an installed plugin would (and leaves
    it after the test: the app is the worker's)."""
    from nastavnik.plugins.manager import plugin_state

    pm = plugin_state().pm
    pm.register(refuses_pair, name="refuses_pair")
    yield
    for name in ("refuses_pair", "refusals_fail"):
        if pm.has_plugin(name):
            pm.unregister(name=name)


@pytest.fixture
def bank(world):
    refused = mentor_profile(world.school, "Безсправкина")
    refused.person.notes = "нет справки"
    allowed = mentor_profile(world.school, "Справкина")
    mentee = mentee_profile(world.school, "Младшеклассников")
    _db.session.commit()
    return refused, allowed, mentee


def test_cohort_matching_treats_a_refusal_as_a_hard_constraint(curator, world, bank):
    refused, allowed, mentee = bank
    allowed.capacity = 0  # only the refused mentor has a place: the mentee must stay unmatched, with why
    _db.session.commit()
    refuses_pair.CALLS.clear()
    assert curator.post("/pairs/match/new", data={"org": world.school.id, "kind": KIND}).status_code == 303
    assert refuses_pair.CALLS == [(KIND, 2, 1)]  # one call for the whole cohort
    run = _db.session.scalar(select(MatchRun))
    assert run.proposals == []
    (unmatched,) = run.result["unmatched"]
    assert "недопустимо по закону — 1" in unmatched["why"] and REASON in unmatched["why"]
    assert run.settings["refusals"] == [[mentee.person_id, refused.person_id, REASON]]  # recorded with the run
    assert REASON in curator.get(f"/pairs/match/{run.id}").get_data(as_text=True)


def test_cohort_matching_picks_the_allowed_mentor(curator, world, bank):
    refused, allowed, mentee = bank
    curator.post("/pairs/match/new", data={"org": world.school.id, "kind": KIND})
    run = _db.session.scalar(select(MatchRun))
    assert [(p.mentee_id, p.mentor_id) for p in run.proposals] == [(mentee.id, allowed.id)]


def test_suggestions_show_the_refused_mentor_as_blocked_with_the_reason(curator, world, bank):
    refused, allowed, mentee = bank
    html = curator.get(f"/banks/mentees/{mentee.id}/suggest").get_data(as_text=True)
    assert REASON in html
    assert f"mentor={refused.id}" not in html  # no «составить пару» for the refused one


def test_manual_pairing_refuses_with_the_reason(curator, world, bank):
    refused, allowed, mentee = bank
    data = {"org_id": world.school.id, "kind_code": KIND, "mentor_ids": [refused.id], "mentee_ids": [mentee.id]}
    response = curator.post("/pairs/new", data=data)
    assert response.status_code == 422 and REASON in response.get_data(as_text=True)
    assert _db.session.scalar(select(Pair)) is None


def test_swap_in_the_draft_refuses_with_the_reason(curator, world, bank):
    refused, allowed, mentee = bank
    curator.post("/pairs/match/new", data={"org": world.school.id, "kind": KIND})
    run = _db.session.scalar(select(MatchRun))
    (proposal,) = run.proposals
    response = curator.post(
        f"/pairs/match/{run.id}/proposals/{proposal.id}/swap", data={"mentor_id": refused.id},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422 and REASON in response.get_data(as_text=True)
    assert _db.session.get(type(proposal), proposal.id).mentor_id == allowed.id


def test_order_is_refused_for_a_pair_the_law_forbids(curator, world, bank):
    refused, allowed, mentee = bank
    # A pair made before the plugin knew (e.g. the справка expired since): written directly.
    pair = Pair(org_id=world.school.id, kind_code=KIND, academic_year=year(), status="forming")
    pair.members = [
        PairMember(person_id=refused.person_id, role="mentor", mentor_profile_id=refused.id),
        PairMember(person_id=mentee.person_id, role="mentee", mentee_profile_id=mentee.id),
    ]
    _db.session.add(pair)
    _db.session.commit()
    data = {"org": world.school.id, "number": "3-о", "issued_on": date.today().strftime("%d.%m.%Y"),
            "pair_ids": [pair.id]}
    response = curator.post("/pairs/orders/new", data=data)
    assert response.status_code == 422 and REASON in response.get_data(as_text=True)
    assert _db.session.scalar(select(Order)) is None


def test_a_failing_plugin_refuses_instead_of_letting_the_pair_through(world, app):
    from nastavnik.plugins.manager import plugin_state

    plugin_state().pm.register(refusals_fail, name="refusals_fail")
    mentor = mentor_profile(world.school, "Любая")
    mentee = mentee_profile(world.school, "Любой")
    with pytest.raises(PairError) as refused:
        create_pair(org_id=world.school.id, kind_code=KIND, variation_code="", mentors=[mentor],
                    mentees=[mentee], academic_year=year())
    assert "проверку плагина «refusals_fail» выполнить не удалось" in refused.value.message
