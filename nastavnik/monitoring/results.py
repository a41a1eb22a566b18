"""Результаты кампании, посчитанные в базе: охват, по вопросам (среднее, медиана, распределение),
по подшкалам, «% удовлетворённых» по правилу муниципалитета, по школам, сравнение волн.

Everything comes from a few GROUP BYs (recipients and responses per organisation, answers per item and
value); means, medians and subscales are then read off those distributions, which have at most a
few dozen rows whatever the number of responses (see bench/bench_monitoring.py).

Small groups: for an anonymous questionnaire a group with fewer respondents than the municipality's
minimum (5 by default) shows its counts but none of its answers — neither statistics nor open texts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from nastavnik.extensions import db
from nastavnik.monitoring.models import Answer, Campaign, QuestionItem, Recipient, Response
from nastavnik.monitoring.services import Rule, label_of, rule_for
from nastavnik.monitoring.structs import SCORED
from nastavnik.orgs.models import Organisation

EPSILON = 1e-9  # scores are stored rounded to 6 places; 0.7 must count as «не ниже 70 %»


@dataclass
class Satisfaction:
    method: str
    respondents: int  # with a satisfaction score
    satisfied: int  # at or above the threshold
    score_sum: float

    @property
    def percent(self) -> float | None:
        if not self.respondents:
            return None
        if self.method == "mean_share":
            return 100 * self.score_sum / self.respondents
        return 100 * self.satisfied / self.respondents


@dataclass
class ItemStats:
    item: QuestionItem
    n: int = 0
    mean: float | None = None
    median: float | None = None
    distribution: list[tuple[float | None, str, int]] = field(default_factory=list)  # value, label, count
    at_threshold: float | None = None  # share of answers at/above the threshold (scored items), %
    texts: list[str] = field(default_factory=list)

    def percent(self, count: int) -> float:
        return 100 * count / self.n if self.n else 0.0

    @property
    def mean_share(self) -> float | None:
        """Mean as a share of the maximum, reverse items turned (what subscales and charts use), %."""
        if self.mean is None or self.item.kind not in SCORED:
            return None
        low, high = SCORED[self.item.kind]
        value = (low + high - self.mean) if self.item.reverse else self.mean
        return 100 * value / high


@dataclass
class OrgRow:
    org: Organisation
    expected: int
    answered: int
    satisfaction: Satisfaction
    hidden: bool

    @property
    def rate(self) -> float | None:
        return 100 * self.answered / self.expected if self.expected else None


@dataclass
class Subscale:
    code: str
    n: int
    mean_share: float  # %
    mean_points: float | None  # when every item of the subscale has the same scale
    scale_max: int | None


@dataclass
class Results:
    campaign: Campaign
    rule: Rule
    expected: int
    answered: int
    paper: int
    satisfaction: Satisfaction
    hidden: bool  # too few answers to show them (anonymous questionnaire)
    items: list[ItemStats]
    subscales: list[Subscale]
    orgs: list[OrgRow]

    @property
    def rate(self) -> float | None:
        return 100 * self.answered / self.expected if self.expected else None

    @property
    def scored_items(self) -> list[ItemStats]:
        return [s for s in self.items if s.item.kind in SCORED]


def median_of(distribution: list[tuple[float, int]]) -> float | None:
    """Median of a sorted (value, count) distribution: the middle value, or the mean of the two middle ones."""
    n = sum(count for _, count in distribution)
    if not n:
        return None
    middle = [(n - 1) // 2, n // 2]
    found, seen = [], 0
    for value, count in distribution:
        while len(found) < 2 and middle[len(found)] < seen + count:
            found.append(value)
        seen += count
    return (found[0] + found[1]) / 2


def _scored_share(item: QuestionItem, value: float) -> float:
    low, high = SCORED[item.kind]
    return ((low + high - value) if item.reverse else value) / high


def _satisfaction_columns(threshold: float):
    return (
        func.count(Response.score),
        func.coalesce(func.sum(case((Response.score >= threshold - EPSILON, 1), else_=0)), 0),
        func.coalesce(func.sum(Response.score), 0.0),
    )


def response_counts(campaign_ids, org_ids, threshold: float) -> dict[int, tuple[int, int, int, int, float]]:
    """{org id: (responses, on paper, with a score, satisfied, sum of scores)} in one GROUP BY."""
    query = (
        select(Response.org_id, func.count(), func.coalesce(func.sum(case((Response.channel == "paper", 1), else_=0)), 0),
               *_satisfaction_columns(threshold))
        .where(Response.campaign_id.in_(list(campaign_ids)))
        .group_by(Response.org_id)
    )
    if org_ids is not None:
        query = query.where(Response.org_id.in_(list(org_ids)))
    return {row[0]: tuple(row[1:]) for row in db.session.execute(query)}


def expected_counts(campaign_ids, org_ids) -> dict[int, int]:
    query = (
        select(Recipient.org_id, func.count())
        .where(Recipient.campaign_id.in_(list(campaign_ids)))
        .group_by(Recipient.org_id)
    )
    if org_ids is not None:
        query = query.where(Recipient.org_id.in_(list(org_ids)))
    return dict(db.session.execute(query).all())


def _distributions(campaign: Campaign, org_ids) -> dict[int, list[tuple[float | None, int]]]:
    """{item id: [(value, count)]} — the one GROUP BY over the answers (texts count under value None)."""
    query = (
        select(Answer.item_id, Answer.value, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(Response.campaign_id == campaign.id)
        .group_by(Answer.item_id, Answer.value)
    )
    if org_ids is not None:
        query = query.where(Response.org_id.in_(list(org_ids)))
    found: dict[int, list] = {}
    for item_id, value, count in db.session.execute(query):
        found.setdefault(item_id, []).append((value, count))
    return found


def _respondents_per_item(campaign: Campaign, item_ids: list[int], org_ids) -> dict[int, int]:
    """Multiple-choice items: how many responses answered them (a response may tick several)."""
    if not item_ids:
        return {}
    query = (
        select(Answer.item_id, func.count(func.distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(Response.campaign_id == campaign.id, Answer.item_id.in_(item_ids))
        .group_by(Answer.item_id)
    )
    if org_ids is not None:
        query = query.where(Response.org_id.in_(list(org_ids)))
    return dict(db.session.execute(query).all())


def _texts(campaign: Campaign, item_ids: list[int], org_ids) -> dict[int, list[str]]:
    if not item_ids:
        return {}
    query = (
        select(Answer.item_id, Answer.text)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.campaign_id == campaign.id, Answer.item_id.in_(item_ids), Answer.text.is_not(None))
        .order_by(Answer.item_id, Answer.text)  # alphabetical: the order of answering would tell who wrote what
    )
    if org_ids is not None:
        query = query.where(Response.org_id.in_(list(org_ids)))
    found: dict[int, list[str]] = {}
    for item_id, text in db.session.execute(query):
        found.setdefault(item_id, []).append(text)
    return found


def item_stats(item: QuestionItem, rows: list[tuple[float | None, int]], threshold: float,
               respondents: int | None = None) -> ItemStats:
    numeric = sorted((v, c) for v, c in rows if v is not None)
    stats = ItemStats(item=item)
    if item.kind == "text":
        stats.n = sum(c for v, c in rows if v is None)
        return stats
    stats.n = respondents if item.kind == "multiple" else sum(c for _, c in numeric)
    if not numeric:
        return stats
    counted = sum(c for _, c in numeric)
    if item.kind != "multiple":
        stats.mean = sum(v * c for v, c in numeric) / counted
        stats.median = median_of(numeric)
    counts = dict(numeric)
    if item.kind in ("number",):
        stats.distribution = [(v, label_of(item, v), c) for v, c in numeric]
    else:
        from nastavnik.monitoring.services import choices_of

        stats.distribution = [(float(v), label, counts.get(float(v), 0)) for v, label in choices_of(item)]
    if item.kind in SCORED:
        at = sum(c for v, c in numeric if _scored_share(item, v) >= threshold - EPSILON)
        stats.at_threshold = 100 * at / counted
    return stats


def subscales_of(stats: list[ItemStats], rows_by_item: dict) -> list[Subscale]:
    groups: dict[str, list[ItemStats]] = {}
    for s in stats:
        if s.item.subscale and s.item.kind in SCORED:
            groups.setdefault(s.item.subscale, []).append(s)
    found = []
    for code, members in groups.items():
        shares = weights = points = 0.0
        for s in members:
            for value, count in rows_by_item.get(s.item.id, []):
                if value is None:
                    continue
                low, high = SCORED[s.item.kind]
                scored = (low + high - value) if s.item.reverse else value
                shares += scored / high * count
                points += scored * count
                weights += count
        if not weights:
            continue
        kinds = {s.item.kind for s in members}
        scale_max = SCORED[kinds.pop()][1] if len(kinds) == 1 else None
        found.append(Subscale(code, int(weights), 100 * shares / weights,
                              points / weights if scale_max else None, scale_max))
    return found


def campaign_results(campaign: Campaign, org_ids: set[int] | None = None) -> Results:
    """Results of ``campaign`` for its target organisations ``org_ids`` (None: all of them)."""
    rule = rule_for(campaign.org_id if org_ids is None or len(org_ids) != 1 else next(iter(org_ids)))
    targets = set(campaign.target_ids) if org_ids is None else set(org_ids) & set(campaign.target_ids)
    filter_ids = None if org_ids is None else targets
    expected = expected_counts([campaign.id], filter_ids)
    responses = response_counts([campaign.id], filter_ids, rule.threshold)
    anonymous = campaign.questionnaire.anonymous
    orgs = db.session.scalars(select(Organisation).where(Organisation.id.in_(targets)).order_by(Organisation.name)).all()
    rows = []
    for org in orgs:
        answered, _, scored, satisfied, score_sum = responses.get(org.id, (0, 0, 0, 0, 0.0))
        rows.append(OrgRow(org, expected.get(org.id, 0), answered, Satisfaction(rule.method, scored, satisfied, score_sum),
                           hidden=anonymous and answered < rule.min_group_size))
    answered = sum(r[0] for r in responses.values())
    total = Satisfaction(rule.method, sum(r[2] for r in responses.values()), sum(r[3] for r in responses.values()),
                         sum(r[4] for r in responses.values()))
    hidden = anonymous and answered < rule.min_group_size
    items = campaign.questionnaire_version.items
    stats, subscales = [], []
    if not hidden:
        distributions = _distributions(campaign, filter_ids)
        per_item = _respondents_per_item(campaign, [i.id for i in items if i.kind == "multiple"], filter_ids)
        texts = _texts(campaign, [i.id for i in items if i.kind == "text"], filter_ids)
        for item in items:
            s = item_stats(item, distributions.get(item.id, []), rule.threshold, per_item.get(item.id, 0))
            s.texts = texts.get(item.id, [])
            stats.append(s)
        subscales = subscales_of(stats, distributions)
    return Results(campaign, rule, sum(expected.values()), answered, sum(r[1] for r in responses.values()), total,
                   hidden, stats, subscales, rows)


@dataclass
class Comparison:
    before: Results
    after: Results
    rows: list[tuple[str, float | None, float | None]]  # item text, mean before, mean after

    @property
    def hidden(self) -> bool:
        return self.before.hidden or self.after.hidden


def compare(before: Campaign, after: Campaign, org_ids: set[int] | None) -> Comparison:
    """Entry vs final: the same questions (matched by text, so versions may differ), mean before and after."""
    first = campaign_results(before, None if org_ids is None else org_ids & set(before.target_ids))
    second = campaign_results(after, None if org_ids is None else org_ids & set(after.target_ids))
    earlier = {s.item.text: s for s in first.items if s.mean is not None}
    rows = [(s.item.text, earlier[s.item.text].mean, s.mean) for s in second.items
            if s.mean is not None and s.item.text in earlier and s.item.kind in (*SCORED, "yesno", "number")]
    return Comparison(first, second, rows)


def rollup(campaign_ids: list[int], org_ids: set[int], rule: Rule) -> list[OrgRow]:
    """One row per school over several campaigns (a municipality's roll-up): three statements in all."""
    expected = expected_counts(campaign_ids, org_ids)
    responses = response_counts(campaign_ids, org_ids, rule.threshold)
    orgs = db.session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)).order_by(Organisation.name)).all()
    rows = []
    for org in orgs:
        answered, _, scored, satisfied, score_sum = responses.get(org.id, (0, 0, 0, 0, 0.0))
        rows.append(OrgRow(org, expected.get(org.id, 0), answered,
                           Satisfaction(rule.method, scored, satisfied, score_sum), answered < rule.min_group_size))
    return rows


def who_answered(campaign: Campaign, org_ids: set[int]) -> list[tuple[Recipient, Response | None]]:
    """Recipients with their response (if any), for the curator chasing answers; one query."""
    rows = db.session.execute(
        select(Recipient, Response)
        .outerjoin(Response, Response.recipient_id == Recipient.id)
        .where(Recipient.campaign_id == campaign.id, Recipient.org_id.in_(org_ids))
        .order_by(Recipient.org_id, Recipient.id)
    ).all()
    return [(recipient, response) for recipient, response in rows]
