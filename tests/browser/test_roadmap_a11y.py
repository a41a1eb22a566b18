"""Accessibility and valid HTML of the roadmap pages a menu does not reach (issues 7 and 11).

The demo has no roadmap, so the main-pages check (test_a11y) sees only the empty list. Here the five
seeds are adopted and every view of a plan is checked as in test_a11y: axe-core with 0 violations,
the Nu Html Checker with 0 errors, for a curator (plans, forms of the structure and of the app
functions) and for the municipal coordinator (the municipal plan and its roll-up).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.roadmaps.builtin import load_builtin
from nastavnik.roadmaps.models import Roadmap
from nastavnik.roadmaps.services import create_roadmap
from tests.browser.test_a11y import _axe, _login, _tool, demo_server, vnu  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SCHOOL_SEEDS = ("penza_school30_2022", "generic_teacher", "zakharvan_2023", "nn_school128_2020")


def _adopt_seeds(app) -> tuple[list[str], list[str]]:
    """Adopt the five seeds in the demo; the pages to check for the curator and the coordinator."""
    with app.app_context():
        school = db.session.scalar(select(Organisation).where(Organisation.name.contains("№ 3")))
        authority = db.session.scalar(select(Organisation).where(Organisation.kind == "authority"))
        plans = [create_roadmap(load_builtin(code), school, 2026, template_code=code) for code in SCHOOL_SEEDS]
        municipal = create_roadmap(load_builtin("kezhma_municipal_2022"), authority, 2026,
                                   template_code="kezhma_municipal_2022")  # fmt: skip
        db.session.commit()
        curator = ["/roadmaps/", "/roadmaps/mine", "/roadmaps/adopt?template=zakharvan_2023"]
        for plan in plans:
            curator += [f"/roadmaps/{plan.id}", f"/roadmaps/{plan.id}/print", f"/roadmaps/{plan.id}/timeline"]
        first = plans[0]
        item, section = first.items()[4], first.sections[0]
        curator += [f"/roadmaps/{first.id}/edit", f"/roadmaps/sections/{section.id}/edit",
                    f"/roadmaps/sections/{section.id}/items/new", f"/roadmaps/items/{item.id}/split",
                    f"/roadmaps/items/{item.id}/link", f"/roadmaps/items/{item.id}/delete",
                    f"/roadmaps/items/{item.id}/fulfilment", f"/roadmaps/{first.id}/sections/new"]  # fmt: skip
        share = db.session.scalars(select(Roadmap).where(Roadmap.parent_roadmap_id == municipal.id)).first()
        curator += [f"/roadmaps/{share.id}"]
        coordinator = [f"/roadmaps/{municipal.id}", f"/roadmaps/{municipal.id}/rollup",
                       f"/roadmaps/{municipal.id}/print", "/roadmaps/"]  # fmt: skip
    return curator, coordinator


def test_roadmap_pages_have_no_axe_violations_and_valid_html(demo_server, browser, vnu):  # noqa: F811
    axe_source = _tool("NASTAVNIK_AXE", "axe-core").read_text()
    app, base = demo_server
    pages = dict(zip(("curator", "municipal"), _adopt_seeds(app), strict=True))
    violations, html_errors = {}, {}
    for username, urls in pages.items():
        context = browser.new_context(locale="ru-RU")
        page = context.new_page()
        try:
            _login(page, base, username)
            for url in urls:
                response = page.goto(base + url)
                assert response.status == 200, f"{username} {url}: {response.status}"
                found = _axe(page, axe_source)
                if found:
                    violations[f"{username} {url}"] = found
                errors = vnu(response.text())
                if errors:
                    html_errors[f"{username} {url}"] = errors
        finally:
            context.close()
    assert violations == {}, json.dumps(violations, ensure_ascii=False, indent=1)
    assert html_errors == {}, json.dumps(html_errors, ensure_ascii=False, indent=1)
