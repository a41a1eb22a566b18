"""A mentor's record of merit: the portfolio, the candidates for recognition and their reasons.

Everything a page shows is read in a fixed number of statements per page (the candidates list
reads the whole school at once), never one query per mentor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, select

from nastavnik.consents.services import has_valid_consent
from nastavnik.extensions import db
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.participants.models import Person
from nastavnik.programmes.models import Meeting, Programme
from nastavnik.recognition.models import DEFAULT_TYPES, Award, ContestEntry, Incentive, RecognitionType

BADGE_YEARS = 5  # знак «За наставничество»: не менее пяти лет наставнической деятельности (Указ № 94)


def types(group: str, include_archived: bool = False) -> list[RecognitionType]:
    """The editable list of a group, seeded with the usual kinds on first use."""
    if db.session.scalar(select(func.count(RecognitionType.id))) == 0:
        db.session.add_all(RecognitionType(group=g, title=t) for g, titles in DEFAULT_TYPES.items() for t in titles)
        db.session.commit()
    query = select(RecognitionType).where(RecognitionType.group == group)
    if not include_archived:
        query = query.where(~RecognitionType.archived)
    return list(db.session.scalars(query.order_by(RecognitionType.title)))


def mentor_people(org_ids) -> list[Person]:
    """People who mentor (or mentored) in pairs of these schools."""
    ids = select(PairMember.person_id).join(Pair, Pair.id == PairMember.pair_id).where(
        Pair.org_id.in_(org_ids), PairMember.role == "mentor"
    )
    return list(db.session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.last_name, Person.first_name)))


@dataclass
class Portfolio:
    person: Person
    pairs: list[Pair] = field(default_factory=list)
    programmes: dict[int, Programme] = field(default_factory=dict)  # pair id -> programme
    feedback: list[Meeting] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    contests: list[ContestEntry] = field(default_factory=list)
    incentives: list[Incentive] = field(default_factory=list)

    @property
    def completed_programmes(self) -> list[Programme]:
        return [p for p in self.programmes.values() if p.status == "completed"]

    @property
    def since(self) -> date | None:
        starts = [p.starts_on for p in self.pairs if p.starts_on]
        return min(starts) if starts else None


def portfolio(person: Person, org_ids=None) -> Portfolio:
    """The mentor's pairs (of ``org_ids`` when given), programmes, meeting feedback and recognition."""
    pair_query = (
        select(Pair)
        .join(PairMember, PairMember.pair_id == Pair.id)
        .where(PairMember.person_id == person.id, PairMember.role == "mentor")
        .order_by(Pair.starts_on.desc().nulls_last(), Pair.id.desc())
    )
    if org_ids is not None:
        pair_query = pair_query.where(Pair.org_id.in_(org_ids))
    pairs = list(db.session.scalars(pair_query).unique())
    pair_ids = [p.id for p in pairs]
    found = Portfolio(person=person, pairs=pairs)
    if pair_ids:
        found.programmes = {p.pair_id: p for p in db.session.scalars(select(Programme).where(Programme.pair_id.in_(pair_ids)))}
        found.feedback = list(db.session.scalars(
            select(Meeting)
            .where(Meeting.pair_id.in_(pair_ids), Meeting.mentee_feedback != "")
            .order_by(Meeting.held_on.desc())
        ))
    for model, attr, order in ((Award, "awards", Award.act_date), (ContestEntry, "contests", ContestEntry.year),
                               (Incentive, "incentives", Incentive.granted_on)):
        query = select(model).where(model.person_id == person.id)
        if org_ids is not None:
            query = query.where(model.org_id.in_(org_ids))
        setattr(found, attr, list(db.session.scalars(query.order_by(order.desc()))))
    return found


def may_publish(person: Person, day: date) -> bool:
    """The site version needs a valid consent to distribution (ст. 10.1 152-ФЗ)."""
    return has_valid_consent(person, day, "pd_distribution")


@dataclass
class Candidate:
    person: Person
    score: float
    reasons: list[str]
    badge_eligible: bool


def candidates(org_ids, day: date) -> list[Candidate]:
    """Mentors of the schools ranked for recognition, each with the reasons of their place.

    Points: a finished pair 3, a live one 1, a completed programme 2, an «эффективная практика» 3,
    a meeting with feedback 0.5 (at most 5), a contest result 2 (a win 4); an award in the last year
    halves the total (recognised recently). Five years of mentoring make the state badge possible.
    """
    people = mentor_people(org_ids)
    if not people:
        return []
    ids = [p.id for p in people]
    mentor_pairs = (
        select(PairMember.person_id, Pair.id.label("pair_id"), Pair.status, Pair.starts_on)
        .join(Pair, Pair.id == PairMember.pair_id)
        .where(PairMember.person_id.in_(ids), PairMember.role == "mentor", Pair.org_id.in_(org_ids))
    ).subquery()
    stats: dict[int, dict] = defaultdict(lambda: defaultdict(float))
    for row in db.session.execute(
        select(mentor_pairs.c.person_id, mentor_pairs.c.status, mentor_pairs.c.starts_on, Programme.status, Programme.effective_practice)
        .outerjoin(Programme, Programme.pair_id == mentor_pairs.c.pair_id)
    ):
        s = stats[row[0]]
        s[row[1]] += 1
        if row[3] == "completed":
            s["programmes"] += 1
        if row[4]:
            s["practices"] += 1
        if row[2] is not None and (not s.get("since") or row[2] < s["since"]):
            s["since"] = row[2]
    for person_id, n in db.session.execute(
        select(mentor_pairs.c.person_id, func.count(Meeting.id))
        .join(Meeting, and_(Meeting.pair_id == mentor_pairs.c.pair_id, Meeting.mentee_feedback != ""))
        .group_by(mentor_pairs.c.person_id)
    ):
        stats[person_id]["feedback"] = n
    for person_id, result in db.session.execute(select(ContestEntry.person_id, ContestEntry.result).where(ContestEntry.person_id.in_(ids))):
        stats[person_id]["wins" if result == "winner" else "contests"] += 1
    last_award = dict(db.session.execute(
        select(Award.person_id, func.max(Award.act_date)).where(Award.person_id.in_(ids)).group_by(Award.person_id)
    ).all())
    found = []
    for person in people:
        s = stats[person.id]
        points = 3 * s["finished"] + s["active"] + 2 * s["programmes"] + 3 * s["practices"]
        points += min(0.5 * s["feedback"], 5) + 2 * s["contests"] + 4 * s["wins"]
        reasons = _reasons(s, last_award.get(person.id), day)
        if last_award.get(person.id) and (day - last_award[person.id]).days <= 366:
            points /= 2
        since = s.get("since")
        badge = bool(since) and (day - since).days >= BADGE_YEARS * 365
        found.append(Candidate(person, round(points, 1), reasons, badge))
    return sorted(found, key=lambda c: (-c.score, c.person.last_name, c.person.first_name))


def _reasons(s, last_award: date | None, day: date) -> list[str]:
    labels = (
        ("finished", "завершено пар"), ("active", "ведёт пар сейчас"), ("programmes", "завершено программ"),
        ("practices", "эффективных практик в банке программ"), ("feedback", "отзывов наставляемых о встречах"),
        ("wins", "побед в конкурсах"), ("contests", "участий в конкурсах"),
    )
    reasons = [f"{label}: {int(s[key])}" for key, label in labels if s[key]]
    since = s.get("since")
    if since and (day - since).days >= BADGE_YEARS * 365:
        reasons.append(f"наставник с {since:%d.%m.%Y}, не менее {BADGE_YEARS} лет: можно представить к знаку «За наставничество»")
    if last_award is None:
        reasons.append("наград за наставничество ещё нет")
    elif (day - last_award).days <= 366:
        reasons.append(f"уже награждён(а) {last_award:%d.%m.%Y}: балл уменьшен вдвое")
    return reasons
