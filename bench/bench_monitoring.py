"""Benchmark: a campaign's results (10,000 responses × 20 items) against a bare GROUP BY on the same rows.

Generates, in a SQLite file, one campaign with 10,000 recipients and responses, each answering 20 items
(scale 1–10 and agreement items, some reversed, in subscales) — 200,000 answers. Times
``campaign_results`` (response rate, per item mean/median/distribution, subscales, «% удовлетворённых»,
per school: everything the results page shows) and, as the baseline, a bare
``SELECT item_id, value, count(*) FROM monitoring_answer GROUP BY item_id, value`` over the same rows.
Exits non-zero when the ratio exceeds the limit.

    python bench/bench_monitoring.py [--quick]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from nastavnik.app import create_app  # noqa: E402
from nastavnik.config import TestingConfig  # noqa: E402
from nastavnik.extensions import db  # noqa: E402
from nastavnik.monitoring.models import (  # noqa: E402
    Answer,
    Campaign,
    CampaignOrg,
    QuestionItem,
    Questionnaire,
    QuestionnaireVersion,
    Recipient,
    Response,
)
from nastavnik.orgs.models import Organisation  # noqa: E402

RATIO_LIMIT = 3.0
ITEMS = 20


def best_of(runs: int, function) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def populate(responses: int) -> Campaign:
    rng, day = random.Random(8), date.today()
    authority = Organisation(kind="authority", name="МКУ УО")
    schools = [Organisation(kind="school", name=f"СОШ № {n + 1}", parent=authority) for n in range(10)]
    db.session.add_all([authority, *schools])
    questionnaire = Questionnaire(org=authority, title="Удовлетворённость", audience="mentee", purpose="satisfaction")
    version = QuestionnaireVersion(number=1)
    for position in range(ITEMS):
        kind = "agree5" if position % 5 == 4 else "scale10"
        version.items.append(QuestionItem(position=position, kind=kind, text=f"Вопрос {position + 1}",
                                          reverse=position % 10 == 9, subscale=f"подшкала {position % 4 + 1}",
                                          in_satisfaction=True, options=[]))
    questionnaire.versions = [version]
    db.session.add(questionnaire)
    db.session.flush()
    campaign = Campaign(org_id=authority.id, questionnaire_id=questionnaire.id, version_id=version.id, title="Волна",
                        opens_on=day - timedelta(days=10), closes_on=day, status="closed",
                        targets=[CampaignOrg(org_id=s.id) for s in schools])
    db.session.add(campaign)
    db.session.flush()
    db.session.execute(insert(Recipient), [
        dict(campaign_id=campaign.id, key=f"p:{n}", org_id=schools[n % 10].id, role="mentee", due_on=day,
             link_nonce="") for n in range(responses)])
    recipient_ids = db.session.scalars(select(Recipient.id).order_by(Recipient.id)).all()
    db.session.execute(insert(Response), [
        dict(campaign_id=campaign.id, recipient_id=rid, version_id=version.id, org_id=schools[n % 10].id,
             role="mentee", channel="app", score=round(rng.uniform(0.3, 1.0), 6))
        for n, rid in enumerate(recipient_ids)])
    response_ids = db.session.scalars(select(Response.id).order_by(Response.id)).all()
    items = [(item.id, 5 if item.kind == "agree5" else 10) for item in version.items]
    rows = [dict(response_id=rid, item_id=item_id, value=float(rng.randint(1, top)))
            for rid in response_ids for item_id, top in items]
    for start in range(0, len(rows), 50_000):
        db.session.execute(insert(Answer), rows[start:start + 50_000])
    db.session.commit()
    return campaign


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="2,000 responses instead of 10,000")
    args = parser.parse_args()
    responses = 2_000 if args.quick else 10_000
    with tempfile.TemporaryDirectory() as folder:
        config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"})
        app = create_app(config, plugins=[])
        with app.test_request_context():
            from nastavnik.monitoring.results import campaign_results

            db.create_all()
            campaign = populate(responses)
            answers = db.session.scalar(select(func.count(Answer.id)))

            def baseline():
                db.session.execute(
                    select(Answer.item_id, Answer.value, func.count()).group_by(Answer.item_id, Answer.value)
                ).all()

            def joined():
                db.session.execute(
                    select(Answer.item_id, Answer.value, func.count()).join(Response, Response.id == Answer.response_id)
                    .where(Response.campaign_id == campaign.id).group_by(Answer.item_id, Answer.value)
                ).all()

            def results():
                found = campaign_results(db.session.get(Campaign, campaign.id))
                assert found.answered == responses and len(found.items) == ITEMS and found.subscales
                db.session.expire_all()

            results()  # warm: the statements compile once
            computed = best_of(5, results)
            bare = best_of(5, baseline)
            same_join = best_of(5, joined)
    ratio = computed / bare
    print(f"campaign: {responses} responses × {ITEMS} items = {answers} answers")
    print(f"campaign_results (page):   {computed * 1000:7.1f} ms (best of 5)")
    print(f"bare GROUP BY (baseline):  {bare * 1000:7.1f} ms (best of 5)")
    print(f"ratio: {ratio:.2f} (limit {RATIO_LIMIT})")
    print(f"(informative) the GROUP BY joined to the campaign's responses: {same_join * 1000:7.1f} ms; "
          f"the page against it: {computed / same_join:.2f}")
    if ratio > RATIO_LIMIT:
        print("FAIL: the results are too slow against the baseline")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
