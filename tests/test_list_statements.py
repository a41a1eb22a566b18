"""List pages send as many SQL statements for 2 schools as for 4: nothing is asked per row.

Pages are made long enough to hold every row of both worlds, so a query per row (an N+1) would
show as more statements in the larger one. The bench (bench/bench_lists.py) times the same pages
at region scale; this test keeps the statements from creeping back to one per row.
"""

from __future__ import annotations

from flask import g

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.extensions import db
from tests.conftest import IN_REPO_PLUGINS
from tests.scale_world import counting, world

PAGES = ("/participants/", "/consents/", "/banks/mentees", "/banks/mentors", "/pairs/", "/pairs/unmatched",
         "/programmes/", "/roadmaps/", "/audit/", "/orgs/", "/roadmaps/mine",
         "/agreements/", "/recognition/", "/reports/", "/accounts/", "/p/partners/")
USERS = ("curator", "municipal", "region", "admin", "mentor")


def _statements(schools: int, tmp_path) -> dict:
    app = create_app(TestingConfig, plugins=IN_REPO_PLUGINS)
    app.instance_path = str(tmp_path / str(schools))
    app.config["PAGE_SIZE"] = 1000  # every row on one page: a query per row would be counted
    found = {}
    with app.app_context():
        db.create_all()
        try:
            names = {key: user.username for key, user in world(schools).items()}
            for key in USERS:
                client = app.test_client()
                assert client.post("/auth/login", data={"username": names[key], "password": "correct-horse-1"}).status_code == 303
                for url in PAGES:
                    db.session.expunge_all()  # a fresh identity map and user, as a server's request has
                    g.pop("_login_user", None)  # the outer app context would keep the first request's user
                    for cached in ("access_scopes", "org_ancestors"):  # … and what a request caches in g
                        g.pop(cached, None)
                    status = []
                    found[key, url] = counting(lambda c=client, u=url, s=status: s.append(c.get(u).status_code))
                    found[key, url, "status"] = status[0]
        finally:
            db.session.remove()
            db.drop_all()
    return found


def test_list_statements_do_not_grow_with_the_rows(tmp_path):
    small, large = _statements(2, tmp_path), _statements(4, tmp_path)
    assert sum(1 for key in small if len(key) == 3 and small[key] == 200) > 30  # most pages open for most users
    grown = {key: (small[key], large[key]) for key in small if small[key] != large[key]}
    assert not grown, f"statements per (user, page) for 2 schools → 4 schools: {grown}"
