"""The cron command and the school's rhythm; counters and the fulfilment rule; growth summaries; the dashboard
card's constant number of statements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import event, select

from nastavnik.extensions import db
from nastavnik.monitoring import growth, services
from nastavnik.monitoring.models import Campaign, GrowthRecord, Recipient, Rhythm, Settings
from nastavnik.orgs.models import Organisation
from nastavnik.periods import AcademicYear
from nastavnik.plugins.manager import registry
from nastavnik.plugins.registry import CounterScope
from nastavnik.timeutil import utcnow
from tests.factories import make_org, make_person
from tests.monitoring.conftest import TODAY, make_campaign, make_pair, make_questionnaire


def _tick(runner, day) -> str:
    result = runner.invoke(args=["nastavnik", "monitoring-tick", "--date", day.strftime("%d.%m.%Y")])
    assert result.exit_code == 0, result.output
    return result.output


def test_monitoring_tick_opens_adds_and_closes(world, mentees, runner):
    questionnaire = make_questionnaire(world.school, [{"kind": "scale10"}])
    campaign = make_campaign(questionnaire, world.school, opens=TODAY + timedelta(days=1),
                             closes=TODAY + timedelta(days=7))
    assert campaign.status == "scheduled"
    assert "открыто 0" in _tick(runner, TODAY)
    output = _tick(runner, TODAY + timedelta(days=1))
    assert "открыто 1" in output and "новых адресатов 6" in output
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "open"
    assert "открыто 0, закрыто 0, новых адресатов 0" in _tick(runner, TODAY + timedelta(days=2))  # idempotent
    assert "закрыто 1" in _tick(runner, TODAY + timedelta(days=8))
    db.session.expire_all()
    closed = db.session.get(Campaign, campaign.id)
    assert closed.status == "closed" and closed.closed_at is not None
    bad = runner.invoke(args=["nastavnik", "monitoring-tick", "--date", "31.02.2026"])
    assert bad.exit_code != 0 and "неверная дата" in bad.output


def test_rhythm_plans_the_years_waves_once(world, mentees, runner, curator):
    questionnaire = make_questionnaire(world.school, [{"kind": "scale10"}])
    db.session.commit()
    year = AcademicYear.of(TODAY)
    response = curator.post("/monitoring/rhythm", data={
        "org": world.school.id, "questionnaires": [questionnaire.id], "entry_days": "14", "final_wave": "y",
        "halfyear": "01.12, 15.05", "window_days": "10", "active": "y"})
    assert response.status_code == 303
    bad = curator.post("/monitoring/rhythm", data={"org": world.school.id, "halfyear": "31.02", "window_days": "10"})
    assert bad.status_code == 422 and "такой даты нет" in bad.text
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.opens_on, Campaign.wave)).all()
    waves = {(c.wave, c.trigger) for c in campaigns}
    assert {("entry", "pair_start"), ("final", "pair_end")} <= waves
    midterms = sorted(c.opens_on for c in campaigns if c.wave == "midterm")
    expected = [d for d in (year.starts.replace(month=12, day=1), year.ends.replace(month=5, day=15))
                if d + timedelta(days=9) >= TODAY]
    assert midterms == expected
    before = len(campaigns)
    _tick(runner, TODAY)
    assert len(db.session.scalars(select(Campaign)).all()) == before  # planned once
    entry = next(c for c in campaigns if c.wave == "entry")
    assert entry.status == "open" and entry.offset_days == 14
    rhythm = db.session.scalar(select(Rhythm))
    assert rhythm.halfyear_dates == ["01.12", "15.05"]


def _scope(*orgs):
    # end: the day the responses are stamped (UTC now); the module's TODAY is yesterday after midnight
    return CounterScope(org_ids=select(Organisation.id).where(Organisation.id.in_([o.id for o in orgs])),
                        as_of=TODAY, start=TODAY - timedelta(days=30), end=utcnow().date())


def test_counters_of_respondents_and_satisfied(world, mentees):
    questionnaire = make_questionnaire(world.school, [{"kind": "scale10"}])
    campaign = make_campaign(questionnaire, world.school)
    item = questionnaire.latest.items[0]
    recipients = db.session.scalars(select(Recipient).where(Recipient.campaign_id == campaign.id)
                                    .order_by(Recipient.id)).all()
    for recipient, value in zip(recipients, [9, 8, 7, 6, 5, 4], strict=True):
        services.submit(campaign, recipient, {item.id: [(float(value), None)]}, channel="app", day=TODAY)
    counters = registry().counters
    scope = _scope(world.school)
    assert counters["surveyed_mentees"].compute(scope) == {world.school.id: 6}
    assert counters["satisfied_mentees"].compute(scope) == {world.school.id: 3}  # 9, 8, 7 of 10
    assert counters["surveyed_mentors"].compute(scope) == {}
    db.session.add(Settings(org_id=world.municipality.id, threshold_percent=50))  # the rule above the school
    db.session.commit()
    scope = _scope(world.school)  # a scope is one computation: its counters' batch is read once
    assert counters["satisfied_mentees"].compute(scope) == {world.school.id: 5}
    assert counters["surveyed_mentees"].compute(_scope(world.school2)) == {}
    earlier = CounterScope(org_ids=scope.org_ids, as_of=TODAY, start=TODAY - timedelta(days=60),
                           end=TODAY - timedelta(days=31))
    assert counters["surveyed_mentees"].compute(earlier) == {}
    ours = [registry().owner[("counters", code)] for code in
            ("surveyed_mentees", "satisfied_mentees", "surveyed_mentors", "satisfied_mentors")]
    assert ours == ["nastavnik.monitoring"] * 4 and all(counters[c].definition for c in counters if "mentees" in c)


def test_the_batched_respondent_counters_agree_with_each_counter_alone(world, mentees):
    """The four counters come from one statement; each must equal its own statement (count_respondents):
    both roles, two schools, a respondent who answered twice (the latest counts), a rule above one school."""
    from nastavnik.monitoring.counters import count_respondents

    scores = {"mentee": [9, 8, 7, 6, 5, 4], "mentor": [10, 3, 7, 6, 2, 8]}
    for role, values in scores.items():
        questionnaire = make_questionnaire(world.school, [{"kind": "scale10"}], audience=role)
        for wave, shift in (("entry", 0), ("midterm", -3)):  # the second wave lowers every score
            campaign = make_campaign(questionnaire, world.school, wave=wave)
            item = questionnaire.latest.items[0]
            recipients = db.session.scalars(select(Recipient).where(Recipient.campaign_id == campaign.id)
                                            .order_by(Recipient.id)).all()
            for recipient, value in zip(recipients, values, strict=True):
                if wave == "entry" or value % 2:  # only some answer the second wave
                    services.submit(campaign, recipient, {item.id: [(float(max(value + shift, 1)), None)]},
                                    channel="app", day=TODAY)
    db.session.add(Settings(org_id=world.school.id, threshold_percent=60))
    db.session.commit()
    counters = registry().counters
    for orgs in ((world.school,), (world.school, world.school2), (world.school2,)):
        scope = _scope(*orgs)
        batched = {(role, satisfied): counters[f"{'satisfied' if satisfied else 'surveyed'}_{role}s"].compute(scope)
                   for role in ("mentee", "mentor") for satisfied in (False, True)}
        alone = {(role, satisfied): count_respondents(_scope(*orgs), role, satisfied)
                 for role in ("mentee", "mentor") for satisfied in (False, True)}
        assert batched == alone
        if orgs == (world.school,):  # latest scores: mentees 6 8 4 6 2 4, mentors 10 1 4 6 2 8; rule: 6 of 10
            assert {key: sum(values.values()) for key, values in batched.items()} == {
                ("mentee", False): 6, ("mentee", True): 3, ("mentor", False): 6, ("mentor", True): 3}
    assert batched == alone == {}.fromkeys(alone, {})  # the last scope, school2 alone, has no responses


def test_fulfilment_rule_is_done_when_the_campaign_is_closed(app, world, mentees):
    rule = registry().fulfilment_rules["monitoring.campaign"]
    assert "монитор" in rule.keywords and "анкетир" in rule.keywords
    campaign = make_campaign(make_questionnaire(world.authority, [{"kind": "scale10"}]), world.authority,
                             targets=[world.school])
    assert [record_id for record_id, _ in rule.records(world.school.id)] == [campaign.id]
    with app.test_request_context():
        check = rule.check(world.school.id, campaign.id)
        assert not check.done and "ответили 0 из 6" in check.summary
        services.close_campaign(campaign)
        db.session.commit()
        check = rule.check(world.school.id, campaign.id)
        assert check.done and check.url.endswith(f"/campaigns/{campaign.id}/results")
        assert [title for title, _ in check.evidence] == [
            "Результаты мониторинга", "Результаты, .xlsx", "Аналитическая справка, .docx"]
        assert check.evidence[1][1].endswith("export.xlsx") and check.evidence[2][1].endswith("export.docx")
        assert not rule.check(world.other_school.id, campaign.id).done  # not that school's campaign
        assert not rule.check(world.school.id, None).done


def test_growth_summary_counts_improved_same_worse(world, mentees, curator):
    chars = {c.code: c for c in growth.characteristics("teacher_teacher", [world.school.id])}
    assert {"tt_methods", "tt_confidence", "tt_open_lessons", "tt_category", "tt_mentor_skills"} <= set(chars)
    changes = [(2, 4), (3, 3), (4, 2), (1, 5), (3, 4)]  # better, same, worse, better, better
    for pair, (entry, final) in zip(mentees[:5], changes, strict=True):
        for stage, value in (("entry", entry), ("final", final)):
            db.session.add(GrowthRecord(pair_id=pair.id, person_id=pair.mentees[0].person_id, org_id=world.school.id,
                                        kind_code="teacher_teacher", role="mentee", code="tt_methods", stage=stage,
                                        value=value))
    db.session.commit()
    (row,) = growth.summary({world.school.id}, "teacher_teacher")
    assert (row.n, row.counts) == (5, {"better": 3, "same": 1, "worse": 1})
    assert row.entry_mean == pytest.approx(2.6) and row.final_mean == pytest.approx(3.6)
    page = curator.get("/monitoring/growth")
    assert "Методические умения" in page.text and curator.get("/monitoring/growth/chart.svg").status_code == 200
    added = curator.post("/monitoring/growth/characteristics", data={
        "org": world.school.id, "kind": "teacher_teacher", "title": "Портфолио", "role": "mentee",
        "value_kind": "count", "minimum": "0", "higher_is_better": "y"})
    assert added.status_code == 303
    assert "Портфолио" in [c.title for c in growth.characteristics("teacher_teacher", [world.school.id])]


def _statements(app, function) -> int:
    count = 0

    def counter(conn, cursor, statement, *args):
        nonlocal count
        count += 1

    for key in list(g):  # the org tree is cached per request: start as a fresh request does
        g.pop(key)
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        with app.test_request_context():
            function()
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return count


def test_dashboard_card_uses_a_constant_number_of_statements(app, world):
    from nastavnik.monitoring.routes import dashboard_card

    user = db.session.get(type(world.users["municipal"]), world.users["municipal"].id)

    def add_schools(number):
        for index in range(number):
            school = make_org(name=f"Школа {index}", parent=world.authority)
            mentor, mentee = make_person(school), make_person(school)
            make_pair(school, mentor, mentee)
            make_campaign(make_questionnaire(school, [{"kind": "scale10"}]), school)

    add_schools(2)
    db.session.expire_all()
    two = _statements(app, lambda: dashboard_card(db.session.get(type(user), user.id)))
    add_schools(6)
    db.session.expire_all()
    card = {}
    eight = _statements(app, lambda: card.setdefault("html", dashboard_card(db.session.get(type(user), user.id))))
    assert two == eight
    assert card["html"].count("ответили 0 из 1") == 8  # all eight schools' open campaigns are on the card


def test_reports_indicator_of_satisfaction_comes_from_these_counters(world, mentees):
    """R145_6 «уровень удовлетворённости наставляемых» = satisfied / surveyed, N and D kept (reports' engine)."""
    from nastavnik.reports.engine import compute_indicators
    from nastavnik.reports.indicators import ensure_indicators
    from nastavnik.reports.models import Indicator

    questionnaire = make_questionnaire(world.school, [{"kind": "scale10"}])
    campaign = make_campaign(questionnaire, world.school)
    item = questionnaire.latest.items[0]
    recipients = db.session.scalars(select(Recipient).where(Recipient.campaign_id == campaign.id)
                                    .order_by(Recipient.id)).all()
    for recipient, value in zip(recipients[:4], [9, 8, 5, 4], strict=True):
        services.submit(campaign, recipient, {item.id: [(float(value), None)]}, channel="app", day=TODAY)
    ensure_indicators()
    db.session.commit()
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "R145_6"))
    found = compute_indicators([indicator], world.municipality.id, TODAY, TODAY - timedelta(days=30), TODAY)
    assert found["total"]["R145_6"][:3] == [50.0, 2, 4]
    assert found["problems"] == []
