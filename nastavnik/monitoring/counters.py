"""Счётчики мониторинга (bricks of «уровень удовлетворённости наставляемых/наставников») and the
fulfilment rule «мониторинг / анкетирование» → a campaign.

A respondent is a participant (a recipient, not an anonymous paper sheet) whose response to a
satisfaction questionnaire was received in the period; one who answered several waves counts once,
by their latest response. Satisfied: that response's mean score on the satisfaction items is at or
above the threshold of the municipality's rule (70 % of the maximum unless set otherwise).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import cache

from flask import has_request_context, url_for
from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import aliased

from nastavnik.extensions import db
from nastavnik.monitoring.models import Campaign, CampaignOrg, Questionnaire, Recipient, Response, Settings
from nastavnik.monitoring.results import EPSILON
from nastavnik.monitoring.services import DEFAULT_SETTINGS, recipient_counts
from nastavnik.orgs.models import Organisation
from nastavnik.participants.counters import batched, scope_statement
from nastavnik.periods import ru_date
from nastavnik.plugins.registry import Counter, CounterScope, FulfilmentCheck, FulfilmentRule

ROLES = {"mentee": ("наставляемые", "наставляемых"), "mentor": ("наставники", "наставников")}
DEPTH = 5  # levels of the organisation tree above a school that may carry the municipality's rule


def _received_in(scope: CounterScope) -> tuple[datetime, datetime]:
    """The period as moments: from its first day's midnight to the midnight after its last day."""
    return datetime.combine(scope.start, time.min, UTC), datetime.combine(scope.end + timedelta(days=1), time.min, UTC)


def _latest_responses(scope: CounterScope, *roles: str, start=None, end=None):
    """Ids of each respondent's latest satisfaction response received in the period, in each of ``roles``
    (``start`` and ``end``: the period's moments, or parameters standing for them)."""
    if start is None:
        start, end = _received_in(scope)
    return (
        select(func.max(Response.id))
        .join(Recipient, Recipient.id == Response.recipient_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(Questionnaire, Questionnaire.id == Campaign.questionnaire_id)
        .where(Questionnaire.purpose == "satisfaction", Response.role.in_(roles), Recipient.person_id.is_not(None),
               Response.org_id.in_(scope.org_ids), Response.submitted_at >= start, Response.submitted_at < end)
        .group_by(Recipient.person_id, Response.role)
    )


@cache
def _ancestors_and_rules():
    # Made once: an alias adapts its columns on first use, which cost ~10 ms per counter when
    # ten aliases were made afresh on every call (the school dashboard runs this twice).
    return [aliased(Organisation) for _ in range(DEPTH)], [aliased(Settings) for _ in range(DEPTH)]


def _threshold_of_response_org():
    """(joins, expression): the nearest rule above the response's organisation, in the same statement."""
    orgs, rules = _ancestors_and_rules()
    query = select(Response.org_id, func.count())
    previous = Response.org_id
    for org, rule in zip(orgs, rules, strict=True):
        query = query.outerjoin(org, org.id == previous).outerjoin(rule, rule.org_id == org.id)
        previous = org.parent_id
    percent = func.coalesce(*(rule.threshold_percent for rule in rules), DEFAULT_SETTINGS["threshold_percent"])
    return query, percent / 100.0


def count_respondents(scope: CounterScope, role: str, satisfied: bool = False) -> dict[int, int]:
    """One counter on its own (the reference :func:`_respondents` must agree with)."""
    latest = _latest_responses(scope, role)
    if not satisfied:
        query = select(Response.org_id, func.count()).where(Response.id.in_(latest)).group_by(Response.org_id)
    else:
        query, threshold = _threshold_of_response_org()
        query = query.where(Response.id.in_(latest), Response.score >= threshold - EPSILON).group_by(Response.org_id)
    return dict(db.session.execute(query).all())


@cache
def _respondents_counts():
    """The rule's joins and the four counts, made once per process (only the scope is added per call)."""
    query, threshold = _threshold_of_response_org()
    satisfied = Response.score >= threshold - EPSILON
    columns = {}
    for role in ROLES:
        columns[f"surveyed_{role}s"] = func.count(case((Response.role == role, 1)))
        columns[f"satisfied_{role}s"] = func.count(case((and_(Response.role == role, satisfied), 1)))
    return query.with_only_columns(Response.org_id, *columns.values()), tuple(columns)


def _respondents(scope: CounterScope) -> dict[str, dict[int, int]]:
    """The four counters in one statement: a report asks for all four, and each statement costs more to
    build and send than to run. The outer joins of the rule keep every response, so «surveyed» counts
    the same rows as :func:`count_respondents`."""
    query, codes = _respondents_counts()

    def build():  # once per subquery of organisations; the period is a parameter
        latest = _latest_responses(scope, *ROLES, start=bindparam("received_from"), end=bindparam("received_before"))
        return query.where(Response.id.in_(latest)).group_by(Response.org_id)

    start, end = _received_in(scope)
    result: dict[str, dict[int, int]] = {code: {} for code in codes}
    rows = db.session.execute(scope_statement(scope, "monitoring_respondents", build),
                              {"received_from": start, "received_before": end})
    for org_id, *values in rows:
        for code, value in zip(codes, values, strict=True):
            if value:
                result[code][org_id] = value
    return result


def _respondent_counter(code: str):
    return lambda scope: batched(scope, "monitoring_respondents", _respondents)[code]


def counters() -> list[Counter]:
    found = []
    for role, (plural, genitive) in ROLES.items():
        found.append(Counter(
            code=f"surveyed_{role}s",  # the codes reports' indicators R145_6/R145_7 expect
            title=f"Ответившие на анкету удовлетворённости: {plural}",
            definition=(
                f"Число {genitive}, ответивших в отчётном периоде на анкету удовлетворённости (в приложении, по "
                "персональной ссылке или на бумаге с указанием респондента); ответивший в нескольких волнах "
                "учитывается один раз. Знаменатель показателя «уровень удовлетворённости»."
            ),
            compute=_respondent_counter(f"surveyed_{role}s"),
        ))
        found.append(Counter(
            code=f"satisfied_{role}s",
            title=f"Удовлетворённые участием в программе: {plural}",
            definition=(
                f"Число {genitive} из ответивших, у которых в последней за период анкете удовлетворённости средний "
                "балл по вопросам удовлетворённости не ниже порога правила муниципалитета (по умолчанию 70 % от "
                "максимума, то есть 7 из 10). Числитель показателя «уровень удовлетворённости»."
            ),
            compute=_respondent_counter(f"satisfied_{role}s"),
        ))
    return found


# --- Fulfilment of roadmap items -----------------------------------------------------------------


def _url(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, **values)
    from flask import current_app

    with current_app.test_request_context():
        return url_for(endpoint, **values)


def campaign_records(org_id: int) -> list[tuple[int | None, str]]:
    """Campaigns an item of ``org_id`` can be linked to: its own and those covering it, newest first."""
    covering = select(CampaignOrg.campaign_id).where(CampaignOrg.org_id == org_id)
    campaigns = db.session.scalars(
        select(Campaign).where(or_(Campaign.org_id == org_id, Campaign.id.in_(covering)))
        .order_by(Campaign.opens_on.desc(), Campaign.id.desc())
    ).all()
    return [(c.id, f"{c.title} ({ru_date(c.opens_on)} – {ru_date(c.closes_on)}, {c.status_title})") for c in campaigns]


def check_campaign(org_id: int, record_id: int | None) -> FulfilmentCheck:
    campaign = db.session.get(Campaign, record_id) if record_id else None
    if campaign is None or (campaign.org_id != org_id and org_id not in campaign.target_ids):
        return FulfilmentCheck(False, "кампания мониторинга не найдена")
    expected, answered = recipient_counts([campaign.id])[campaign.id]
    share = f" ({round(100 * answered / expected)} %)" if expected else ""
    url = _url("monitoring.results", campaign_id=campaign.id)
    if campaign.status != "closed":
        return FulfilmentCheck(False, f"кампания {campaign.status_title}, до {ru_date(campaign.closes_on)}: "
                                      f"ответили {answered} из {expected}{share}", url)
    closed = ru_date(campaign.closed_at.date() if campaign.closed_at else campaign.closes_on)
    evidence = (
        ("Результаты мониторинга", url),
        ("Результаты, .xlsx", _url("monitoring.export_xlsx", campaign_id=campaign.id)),
        ("Аналитическая справка, .docx", _url("monitoring.export_docx", campaign_id=campaign.id)),
    )
    return FulfilmentCheck(True, f"кампания закрыта {closed}: ответили {answered} из {expected}{share}", url, evidence)


def fulfilment_rules() -> list[FulfilmentRule]:
    return [FulfilmentRule(
        code="monitoring.campaign",
        title="Кампания мониторинга (анкетирование)",
        done_when="кампания закрыта; подтверждение — страница результатов, выгрузка .xlsx и аналитическая справка .docx",
        keywords=("монитор", "анкетир", "удовлетвор", "swot", "опрос"),
        records=campaign_records,
        check=check_campaign,
    )]
