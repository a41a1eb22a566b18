"""The dashboard sends as many SQL statements for 2 schools as for 4: nothing is asked per school.

Every card any capability registers (``nastavnik_tpl_dashboard_cards``) is counted on its own, so
a card added later is guarded as well. The worlds are built like the demo — each capability's
``nastavnik_demo_data`` adds its own records for every school — plus what makes each core card
non-empty: a municipal roadmap handed to the schools, a stalled pair, a pair without programme.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import login_user
from sqlalchemy import select

from nastavnik.app import create_app
from nastavnik.auth.models import User
from nastavnik.config import TestingConfig
from nastavnik.extensions import db
from nastavnik.plugins.manager import hook
from tests.conftest import IN_REPO_PLUGINS
from tests.scale_world import counting as _counting
from tests.scale_world import world as _world

USERS = ("curator", "municipal", "region", "admin", "mentor")


def _statements(schools: int, tmp_path) -> dict:
    """Statements per (user, whole page or card) in a world of ``schools`` schools."""
    app = create_app(TestingConfig, plugins=IN_REPO_PLUGINS)
    app.instance_path = str(tmp_path / str(schools))
    found: dict = {}
    with app.app_context():
        db.create_all()
        try:
            users = _world(schools)
            names = {key: user.username for key, user in users.items()}
            ids = {key: user.id for key, user in users.items()}
            cards = [impl for impl in hook().nastavnik_tpl_dashboard_cards.get_hookimpls()
                     if not (impl.hookwrapper or impl.wrapper)]
            found["cards"] = sorted(impl.plugin_name for impl in cards)
            for key in USERS:
                client = app.test_client()
                response = client.post("/auth/login", data={"username": names[key], "password": "correct-horse-1"})
                assert response.status_code == 303
                client.get("/")  # the first page after logging in fills what a session keeps
                found[key, "page"] = _counting(lambda c=client: c.get("/").status_code == 200 or pytest.fail())
                for impl in cards:
                    with app.test_request_context("/"):
                        user = db.session.get(User, ids[key])
                        login_user(user)
                        found[key, impl.plugin_name] = _counting(lambda i=impl, u=user: i.function(user=u))
                    db.session.remove()
        finally:
            db.session.remove()
            db.drop_all()
    return found


def test_dashboard_statements_do_not_grow_with_the_number_of_schools(tmp_path):
    small, large = _statements(2, tmp_path), _statements(4, tmp_path)
    assert small["cards"] == large["cards"]
    for core in ("nastavnik.banks", "nastavnik.pairs", "nastavnik.programmes", "nastavnik.roadmaps"):
        assert core in small["cards"], f"the card of {core} is not registered any more"
    grown = {key: (small[key], large[key]) for key in small if key != "cards" and small[key] != large[key]}
    assert not grown, f"statements per (user, card) for 2 schools → 4 schools: {grown}"


def test_roadmap_card_counts_in_sql_equal_the_items_rules(app, world):
    """attention_summary (SQL) names and counts the same items as attention_items (the models' rules)."""
    from nastavnik.periods import AcademicYear
    from nastavnik.roadmaps.models import RoadmapItem
    from nastavnik.roadmaps.services import attention_items, attention_summary, create_roadmap, templates
    from nastavnik.timeutil import today

    day = today()
    for start in (AcademicYear.of(day).start_year, AcademicYear.of(day).start_year - 1):
        create_roadmap(templates()["kezhma_municipal_2022"], world.authority, start)
    db.session.commit()
    # both lists, then only the overdue one (years on, nothing is upcoming), then neither (years before)
    for on in (day, day + timedelta(days=3 * 365), day - timedelta(days=4 * 365)):
        for username in ("municipal", "curator"):
            user = world.users[username]
            overdue, upcoming = attention_items(user, on)
            db.session.expire_all()  # the card loads what it shows itself
            summary = attention_summary(user, on)
            assert summary.totals["overdue"] == len(overdue) and summary.totals["upcoming"] == len(upcoming)
            assert [i.id for i in summary.overdue] == [i.id for i in overdue[:5]]
            assert [i.id for i in summary.upcoming] == [i.id for i in upcoming[:5]]
            assert (summary.totals["overdue"] + summary.totals["upcoming"] > 0) == (on >= day)
            for item in summary.overdue + summary.upcoming:  # «не выполнено в 2 из 4 ОО»: the schools' copies
                copies = set(db.session.scalars(select(RoadmapItem.id).where(RoadmapItem.parent_item_id == item.id)))
                assert {copy.id for copy in item.shares} == (copies if item.roadmap.level != "school" else set())
            if username == "municipal" and on == day:
                assert any(item.shares for item in summary.overdue + summary.upcoming)
