"""Who may be paired with whom: asked by every path that proposes or creates a pair.

Two rules, both decided elsewhere and only applied here:
- 152-ФЗ: a person without a valid consent to processing is out of matching, pairs and orders
  (:func:`nastavnik.consents.services.processing_allowed`, the one place that says what «valid» is);
- the law a plugin knows (``nastavnik_pairing_refusals``), e.g. no «справка об отсутствии
  судимости» → no minor mentee (ст. 351.1 ТК РФ).

A live pair whose member lost their consent is never ended here: it is flagged for the curator.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from functools import cache

from sqlalchemy import Date, Integer, bindparam, func, select
from sqlalchemy.orm import joinedload

from nastavnik.consents.services import processing_allowed, processing_allowed_clause
from nastavnik.extensions import db
from nastavnik.orgs.services import scoped
from nastavnik.pairs.models import LIVE_STATUSES, Pair, PairMember
from nastavnik.participants.models import Person
from nastavnik.plugins.manager import hook

log = logging.getLogger(__name__)

PluginRefusals = dict[tuple[int, int], str]  # (mentor person id, mentee person id) -> why


def plugin_refusals(kind_code: str, mentors: Sequence[Person], mentees: Sequence[Person]) -> PluginRefusals:
    """Every plugin's refused mentor–mentee pairs, in one call per plugin for the whole set.

    A plugin that fails refuses every pair it was asked about: its rule is a rule of law, and a
    check that could not run must not let an unlawful pair through. The app keeps running.
    """
    refused: PluginRefusals = {}
    if not mentors or not mentees:
        return refused
    kwargs = {"kind_code": kind_code, "mentors": list(mentors), "mentees": list(mentees)}
    for impl in hook().nastavnik_pairing_refusals.get_hookimpls():
        try:
            answer = impl.function(**{arg: kwargs[arg] for arg in impl.argnames}) or {}
            answer = {(int(mentor), int(mentee)): str(reason) for (mentor, mentee), reason in answer.items()}
        except Exception:  # noqa: BLE001 - a plugin's fault must not stop the app, nor pass silently
            log.exception("Плагин %s: nastavnik_pairing_refusals упал", impl.plugin_name)
            reason = (
                f"проверку плагина «{impl.plugin_name}» выполнить не удалось: пару нельзя составить, "
                "пока администратор не исправит плагин"
            )
            answer = {(m.id, e.id): reason for m in mentors for e in mentees}
        for key, reason in answer.items():
            refused[key] = f"{refused[key]}; {reason}" if key in refused else reason
    return refused


def pairing_problems(
    kind_code: str, mentors: Sequence[Person], mentees: Sequence[Person], day: date
) -> list[str]:
    """Why these people may not form a pair now, in Russian; an empty list when they may."""
    problems = []
    people = list(dict.fromkeys([*mentors, *mentees]))
    unconsented = [p.full_name for p in people if not processing_allowed(p, day)]
    if unconsented:
        problems.append(
            "Нет действующего согласия на обработку персональных данных: "
            + ", ".join(sorted(unconsented))
            + ". Без него участник не включается в пары и приказы — внесите новое согласие на странице участника."
        )
    names = {p.id: p.full_name for p in people}
    for (mentor_id, mentee_id), reason in plugin_refusals(kind_code, mentors, mentees).items():
        problems.append(f"«{names.get(mentor_id, mentor_id)}» не может быть наставником «{names.get(mentee_id, mentee_id)}»: {reason}.")
    return problems


def _without_consent(org_ids):
    """Live pairs in ``org_ids`` with a member who may no longer be processed on ``:day``."""
    return (
        select(Pair.id)
        .join(PairMember, PairMember.pair_id == Pair.id)
        .join(Person, Person.id == PairMember.person_id)
        .where(Pair.org_id.in_(org_ids), Pair.status.in_(LIVE_STATUSES),
               ~processing_allowed_clause(bindparam("day", type_=Date)))
        .distinct()
    )


def pairs_without_consent_count(org_ids, day: date, first: int) -> tuple[int, list[int]]:
    """How many live pairs have a member without a valid consent, and the ids of the ``first`` few."""
    return first_ids_and_total(org_ids, _without_consent, first, {"day": day})


def first_ids_and_total(org_ids, build, first: int, params: dict | None = None) -> tuple[int, list[int]]:
    """The ``first`` smallest ids that ``build(org_ids)`` (a SELECT of one id column, its other values
    named parameters: see ``orgs.services.scoped``) finds with ``params``, and how many it finds in
    all: one statement (the total rides along every row as a window count)."""
    statement, scope_params = scoped(_first_ids(build), org_ids)
    rows = db.session.execute(statement, {**scope_params, **(params or {}), "first": first}).all()
    return (rows[0][1] if rows else 0), [row[0] for row in rows]


@cache
def _first_ids(build):
    def first_ids(org_ids):
        found = build(org_ids).subquery()
        return select(found.c[0], func.count().over()).order_by(found.c[0]).limit(bindparam("first", type_=Integer))
    return first_ids


def pairs_without_consent(org_ids, day: date, pair_ids=None) -> list[tuple[Pair, list[Person]]]:
    """Live pairs with a member who may no longer be processed: for the curator to decide on
    (only among ``pair_ids`` when given: the few a dashboard card names)."""
    params = {"day": day}
    if pair_ids is not None:
        if not pair_ids:
            return []
        params["pair_ids"] = list(pair_ids)
    statement, scope_params = scoped(_flagged if pair_ids is None else _flagged_among, org_ids)
    flagged: dict[int, tuple[Pair, list[Person]]] = {}
    for pair, person in db.session.execute(statement, scope_params | params).unique().all():
        flagged.setdefault(pair.id, (pair, []))[1].append(person)
    return list(flagged.values())


def _flagged(org_ids):
    return (
        select(Pair, Person)
        .join(PairMember, PairMember.pair_id == Pair.id)
        .join(Person, Person.id == PairMember.person_id)
        .where(Pair.org_id.in_(org_ids), Pair.status.in_(LIVE_STATUSES),
               ~processing_allowed_clause(bindparam("day", type_=Date)))
        # the members and their names joined in: the card names every member, one statement
        .options(joinedload(Pair.members).joinedload(PairMember.person))
        .order_by(Pair.id, PairMember.id)
    )


def _flagged_among(org_ids):
    return _flagged(org_ids).where(Pair.id.in_(bindparam("pair_ids", expanding=True)))


def live_pairs_of(person_id: int) -> list[Pair]:
    """The person's live pairs (shown on their page when their consent is gone)."""
    query = (
        select(Pair)
        .where(Pair.status.in_(LIVE_STATUSES), Pair.id.in_(select(PairMember.pair_id).where(PairMember.person_id == person_id)))
        .order_by(Pair.id)
    )
    return list(db.session.scalars(query))
