"""The demo has a closed wave with answers (results show something) and open ones for the demo mentor and mentee."""

from __future__ import annotations

from sqlalchemy import select

from nastavnik.extensions import db
from nastavnik.monitoring.models import Campaign, GrowthRecord
from nastavnik.monitoring.results import campaign_results
from tests.conftest import login


def test_demo_monitoring(app, runner, client):
    result = runner.invoke(args=["nastavnik", "demo"])
    assert result.exit_code == 0, result.output
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.id)).all()
    closed = [c for c in campaigns if c.status == "closed"]
    assert closed and all(campaign_results(c).answered >= 5 for c in closed)
    municipal = closed[0]
    assert len(municipal.target_ids) == 2 and not campaign_results(municipal).hidden
    assert db.session.scalars(select(GrowthRecord.person_id).distinct()).all().__len__() == 5
    login(client, "mentee", "nastavnik-demo")
    assert "Ответить на анкету" in client.get("/").text
    login(client, "curator", "nastavnik-demo")
    page = client.get(f"/monitoring/campaigns/{municipal.id}/results")
    assert page.status_code == 200 and "удовлетворённых" in page.text and "Сильные стороны" in page.text
