"""Show a link only where it opens (issue 7): for every role, every <a href> on the main pages of the
capabilities (the dashboard, the menu, a pair, a roadmap, a person) answers neither 403 nor 404.

Before the fix: «внести» on the consents page for municipal and observer users (403), «свод» of the
municipal roadmap for school roles (404), the order link for mentor and mentee (403), «Анкета
наставника» for a pupil in the mentee role. The installation is the demo's, plus a pupil's account.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from nastavnik.app import create_app
from nastavnik.auth.models import User
from nastavnik.auth.services import create_user
from nastavnik.config import TestingConfig
from nastavnik.demo import DEMO_PASSWORD, build_demo
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.pairs.models import Pair
from nastavnik.participants.models import Person
from nastavnik.periods import AcademicYear
from nastavnik.plugins.templating import nav_links
from nastavnik.roadmaps.models import Roadmap
from nastavnik.timeutil import today
from tests.conftest import IN_REPO_PLUGINS, ROLES, login

PUPIL = "pupil"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/static/"):
            continue  # external, in-page anchors, files
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _shape(url: str) -> str:
    """One link per shape is enough: /participants/17 and /participants/18 open alike."""
    path, _, query = url.partition("?")
    keys = sorted(pair.split("=")[0] for pair in query.split("&") if pair)
    return re.sub(r"\d+", "N", path) + "?" + "&".join(keys)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    config = type("LinksConfig", (TestingConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path_factory.mktemp('links') / 'demo.sqlite'}",
    })
    app = create_app(config, plugins=IN_REPO_PLUGINS)
    with app.app_context():
        db.create_all()
        build_demo()
        school = db.session.scalar(select(Organisation).where(Organisation.kind == "school").order_by(Organisation.id))
        pupil = db.session.scalar(select(Person).where(Person.kind == "student", Person.org_id == school.id)
                                  .order_by(Person.id))
        create_user(PUPIL, DEMO_PASSWORD, pupil.full_name, roles=[("mentee", school.id)], person_id=pupil.id)
        authority_id = db.session.scalar(select(Organisation.id).where(Organisation.kind == "authority"))
        db.session.commit()
    # The municipal roadmap handed out to the schools: its «свод» is the municipality's, not a school's.
    client = app.test_client()
    login(client, "municipal", DEMO_PASSWORD)
    adopted = client.post("/roadmaps/adopt", data={
        "template": "kezhma_municipal_2022", "org_id": authority_id, "academic_year": AcademicYear.of(today()).start_year,
        "year_count": 1, "shift_dates": "y", "action": "save",
    })
    assert adopted.status_code == 303, adopted.get_data(as_text=True)[:500]
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


def _main_pages(app, username: str) -> list[str]:
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == username))
        urls = ["/"] + [url for _, url in nav_links(user)]
        pair = db.session.scalar(select(Pair).order_by(Pair.id))
        urls.append(f"/pairs/{pair.id}")
        for roadmap in db.session.scalars(select(Roadmap).where(Roadmap.parent_roadmap_id.is_(None))):
            urls.append(f"/roadmaps/{roadmap.id}")  # the municipal one with its shares, and the schools'
        if user.person_id:
            urls.append(f"/participants/{user.person_id}")
    return list(dict.fromkeys(urls))


@pytest.mark.parametrize("username", [*ROLES, PUPIL])
def test_every_link_on_the_main_pages_opens(demo, username):
    client = demo.test_client()
    login(client, username, DEMO_PASSWORD)
    pages = [url for url in _main_pages(demo, username) if client.get(url).status_code == 200]
    assert "/" in pages
    seen, broken = set(), {}
    for page in pages:
        for link in _links(client.get(page).get_data(as_text=True)):
            if _shape(link) in seen or link.startswith("/auth/"):
                continue
            seen.add(_shape(link))
            status = client.get(link).status_code
            if status in (403, 404):
                broken[link] = f"{status} (на {page})"
    assert broken == {}
    assert len(seen) > 5  # the crawl did follow the pages' links


def test_pupil_is_not_offered_the_mentor_questionnaire(demo):
    client = demo.test_client()
    login(client, PUPIL, DEMO_PASSWORD)
    assert "Анкета наставника" not in client.get("/").get_data(as_text=True)
    assert client.get("/banks/questionnaire").status_code == 404
    teacher = demo.test_client()
    login(teacher, "mentee", DEMO_PASSWORD)  # a young teacher may still offer themself as a mentor
    assert "Анкета наставника" in teacher.get("/").get_data(as_text=True)
    assert teacher.get("/banks/questionnaire").status_code == 200
