"""Figures of large scopes are kept in the database for a while and shown «по состоянию на …»."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from nastavnik import access
from nastavnik.dashboard.cache import cached
from nastavnik.dashboard.models import FigureCache
from nastavnik.extensions import db
from nastavnik.timeutil import utcnow


def test_small_scopes_are_always_counted_live(app, world):
    calls = []
    scope = access.scope(world.users["municipal"], "participants.view")
    for _ in range(2):
        figures = cached("test.figures", scope, lambda: calls.append(1) or {"n": len(calls)})
        assert figures.as_of is None
    assert len(calls) == 2 and db.session.query(FigureCache).count() == 0


def test_large_scopes_are_kept_refreshed_when_stale_and_by_one_process(app, world):
    app.config["FIGURES_CACHE_MIN_ORGS"] = 0  # every scope counts as large
    calls = []
    scope = access.scope(world.users["admin"], "participants.view")

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    first = cached("test.figures", scope, compute)
    second = cached("test.figures", scope, compute)
    assert first.as_of is None and first.value == {"n": 1}
    assert second.as_of is not None and second.value == {"n": 1} and len(calls) == 1

    old = utcnow() - timedelta(seconds=app.config["FIGURES_CACHE_SECONDS"] + 5)
    table = FigureCache.__table__
    with db.engine.begin() as conn:  # another process is recomputing the stale value right now
        conn.execute(update(table).values(computed_at=old, refreshing_until=utcnow() + timedelta(seconds=30)))
    stale = cached("test.figures", scope, compute)
    assert stale.value == {"n": 1} and stale.as_of is not None and len(calls) == 1

    with db.engine.begin() as conn:  # nobody is: this one recomputes it
        conn.execute(update(table).values(computed_at=old, refreshing_until=None))
    fresh = cached("test.figures", scope, compute)
    assert fresh.value == {"n": 2} and fresh.as_of is None
    assert cached("test.figures", scope, compute).value == {"n": 2} and len(calls) == 2


def test_the_dashboard_says_as_of_when_it_shows_kept_figures(app, world, as_user):
    app.config["FIGURES_CACHE_MIN_ORGS"] = 0
    client = as_user("municipal")
    assert 'id="summary-as-of"' not in client.get("/").text  # computed for this page
    page = client.get("/").text
    assert 'id="summary-as-of"' in page and "по состоянию на" in page


def test_the_indicators_card_is_kept_for_a_large_scope(app, world, as_user):
    """The indicators card computes every indicator for every school under the user (2,000 in a
    region): above the cache's bound its figures are kept and dated like the other cards'."""
    app.config["FIGURES_CACHE_MIN_ORGS"] = 0
    client = as_user("municipal")
    card = client.get("/").text.split('id="ind-card-h"')[1][:400]
    assert "Показатели наставничества" in card and "По состоянию на" not in card
    assert "По состоянию на" in client.get("/").text.split('id="ind-card-h"')[1][:400]
    assert db.session.query(FigureCache).filter(FigureCache.key.startswith("reports.card:")).count() == 1


def test_the_it_admin_sets_the_bounds_in_the_environment():
    from nastavnik.config import from_environment

    found = from_environment({"NASTAVNIK_FIGURES_CACHE_MIN_ORGS": "20", "NASTAVNIK_FIGURES_CACHE_SECONDS": "300"})
    assert found == {"FIGURES_CACHE_MIN_ORGS": 20, "FIGURES_CACHE_SECONDS": 300}
