"""Issue 7, the matching draft: recomputed after every action, never offering a mentor without a free
place, and every row's buttons named after the row."""

from __future__ import annotations

import re

from sqlalchemy import select

from nastavnik.banks.models import MatchProposal, MatchRun
from nastavnik.extensions import db
from tests.banks.test_matching_web import _new_run, bank, make_mentee, make_mentor  # noqa: F401 - fixture


def _run(run_id) -> MatchRun:
    db.session.expire_all()
    return db.session.get(MatchRun, run_id)


def test_reject_recomputes_total_and_unmatched(curator, bank, world):  # noqa: F811
    run = _new_run(curator, world)
    before = run.result["total_score"]
    pinned = next(p for p in run.proposals if p.mentee.person.last_name == "Молодова")
    rejected = next(p for p in run.proposals if p.mentee.person.last_name == "Новикова")
    curator.post(f"/pairs/match/{run.id}/proposals/{pinned.id}/pin")

    response = curator.post(f"/pairs/match/{run.id}/proposals/{rejected.id}/reject", headers={"HX-Request": "true"})

    assert response.status_code == 200
    run = _run(run.id)
    assert run.result["matched"] == 1 and run.result["total_score"] < before
    assert [u["name"].split()[0] for u in run.result["unmatched"]] == ["Новикова"]
    page = response.get_data(as_text=True)
    assert "Новикова" in page.split('id="unmatched"')[1]
    # what the action did is announced in the live region outside the swapped draft
    announce = re.search(r'<div id="draft-announce" data-hx-swap-oob="innerHTML">([^<]*)</div>', page).group(1)
    assert "отклонена" in announce and "Черновик пересчитан: 1 пара" in announce


def test_swap_never_offers_a_mentor_whose_places_are_pinned(curator, bank, world):  # noqa: F811
    math = bank["mentors"]["math"]
    run = _new_run(curator, world)
    by_mentee = {p.mentee.person.last_name: p for p in run.proposals}
    molodova, novikova = by_mentee["Молодова"], by_mentee["Новикова"]
    assert molodova.mentor_id == math.id
    curator.post(f"/pairs/match/{run.id}/proposals/{molodova.id}/pin")

    page = curator.get(f"/pairs/match/{run.id}").get_data(as_text=True)
    row = page.split(f'id="proposal-{novikova.id}"')[1].split("</tr>")[0]
    assert "Математикова" not in row  # her one place is pinned to Молодова
    assert "других наставников со свободными местами нет" in row

    refused = curator.post(f"/pairs/match/{run.id}/proposals/{novikova.id}/swap", data={"mentor_id": math.id},
                           headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "нет свободных мест" in refused.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(MatchProposal, novikova.id)
    assert kept.mentor_id != math.id and "Нет мест" not in refused.get_data(as_text=True)


def test_every_action_recomputes_the_draft(curator, bank, world):  # noqa: F811
    make_mentee(world.school, "Третьякова", ["дисциплина"], "история")
    db.session.commit()
    run = _new_run(curator, world)
    first = run.proposals[0]
    stamps = [run.result["computed_at"]]
    for action in ("pin", "unpin", "reject", "restore"):
        assert curator.post(f"/pairs/match/{run.id}/proposals/{first.id}/{action}").status_code == 303
        result = _run(run.id).result
        stamps.append(result["computed_at"])
        assert result["matched"] + len(result["unmatched"]) == 3  # the counts always add up
    assert len(set(stamps)) == len(stamps)  # recomputed after each of the four actions
    assert _run(run.id).result["matched"] == 2  # three mentees, two places


def test_row_buttons_name_their_row(curator, bank, world):  # noqa: F811
    run = _new_run(curator, world)
    page = curator.get(f"/pairs/match/{run.id}").get_data(as_text=True)
    p = run.proposals[0]
    who = f"{p.mentee.person.full_name} — {p.mentor.person.full_name}"
    assert f'Закрепить<span class="sr-only"> пару {who}</span>' in page
    assert f'Отклонить<span class="sr-only"> пару {who}</span>' in page
    assert f'id="pin-{p.id}"' in page and 'role="status"' in page
    assert db.session.scalar(select(MatchRun.id)) == run.id
