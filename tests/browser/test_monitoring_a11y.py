"""Accessibility and valid HTML of monitoring's own pages on the demo data (beyond the menu pages that
test_a11y checks): results with charts, the editor, campaign pages, answering, links, growth, roll-up."""

from __future__ import annotations

import json

import pytest
from flask import url_for
from sqlalchemy import select

from nastavnik.extensions import db
from nastavnik.monitoring import services
from nastavnik.monitoring.models import Campaign, Questionnaire, Recipient
from nastavnik.pairs.models import Pair
from tests.browser.test_a11y import _axe, _login, _tool, demo_server, vnu  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


def _monitoring_pages(app) -> dict[str, list[str]]:
    with app.test_request_context():
        campaigns = db.session.scalars(select(Campaign).order_by(Campaign.id)).all()
        closed, open_ = campaigns[0], next(c for c in campaigns if c.status == "open")
        questionnaire = db.session.scalar(select(Questionnaire).order_by(Questionnaire.id))
        pair = db.session.scalar(select(Pair).where(Pair.kind_code == "student_student").order_by(Pair.id))
        recipient = db.session.scalar(select(Recipient).where(Recipient.campaign_id == open_.id))
        services.issue_links([recipient], open_.closes_on)
        db.session.commit()
        link = url_for("monitoring.answer_link", campaign_id=open_.id, token=services.link_token(recipient))
        c = closed.id
        return {
            "curator": [f"/monitoring/campaigns/{c}/results", f"/monitoring/campaigns/{c}", f"/monitoring/campaigns/{c}/swot",
                        f"/monitoring/campaigns/{c}/respondents", f"/monitoring/campaigns/{open_.id}/paper",
                        f"/monitoring/campaigns/{open_.id}/links?class=%D0%B1%D0%B5%D0%B7+%D0%BA%D0%BB%D0%B0%D1%81%D1%81%D0%B0",
                        f"/monitoring/questionnaires/{questionnaire.id}", f"/monitoring/questionnaires/{questionnaire.id}/preview",
                        f"/monitoring/questionnaires/{questionnaire.id}/print", "/monitoring/questionnaires",
                        "/monitoring/campaigns/new", "/monitoring/growth", f"/monitoring/growth/pair/{pair.id}",
                        "/monitoring/rhythm", "/monitoring/settings", "/monitoring/rollup"],
            "municipal": [f"/monitoring/campaigns/{c}/results", "/monitoring/rollup", "/monitoring/settings"],
            "mentee": [f"/monitoring/answer/{open_.id}", "/monitoring/my"],
            None: [link],
        }


def test_monitoring_pages_have_no_axe_violations_and_valid_html(demo_server, browser, vnu):  # noqa: F811
    axe_source = _tool("NASTAVNIK_AXE", "axe-core").read_text()
    app, base = demo_server
    violations, html_errors = {}, {}
    for username, urls in _monitoring_pages(app).items():
        context = browser.new_context(locale="ru-RU")
        page = context.new_page()
        try:
            if username:
                _login(page, base, username)
            for url in urls:
                response = page.goto(base + url)
                assert response.status == 200, f"{url}: {response.status}"
                found = _axe(page, axe_source)
                if found:
                    violations[url] = found
                errors = vnu(response.text())
                if errors:
                    html_errors[url] = errors
        finally:
            context.close()
    assert violations == {}, json.dumps(violations, ensure_ascii=False, indent=1)
    assert html_errors == {}, json.dumps(html_errors, ensure_ascii=False, indent=1)
