"""Пункт дорожной карты «разработка персонализированных программ наставничества» → программы.

Fulfilled when every live pair (формируется, активна) of the organisation — with the schools under
it, for a municipal plan — has its personalised programme, and there is at least one such pair.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import case, exists, func, select

from nastavnik.extensions import db
from nastavnik.orgs.services import subtree
from nastavnik.pairs.models import LIVE_STATUSES, Pair
from nastavnik.plugins.registry import FulfilmentCheck, FulfilmentRule
from nastavnik.programmes.models import Programme
from nastavnik.web.words import plural, plural_word


def coverage(org_id: int) -> tuple[int, int]:
    """(live pairs, those with a programme) under ``org_id``, in one query."""
    has_programme = exists(select(Programme.id).where(Programme.pair_id == Pair.id))
    live, covered = db.session.execute(
        select(func.count(Pair.id), func.coalesce(func.sum(case((has_programme, 1), else_=0)), 0)).where(
            Pair.org_id.in_(subtree([org_id])), Pair.status.in_(LIVE_STATUSES)
        )
    ).one()
    return int(live or 0), int(covered or 0)


def check(org_id: int, record_id: int | None) -> FulfilmentCheck:
    live, covered = coverage(org_id)
    url = url_for("programmes.index")
    if not live:
        return FulfilmentCheck(False, "нет формирующихся и активных пар", url)
    if covered < live:
        missing = live - covered
        return FulfilmentCheck(
            False, f"нет программы у {missing} из {plural(live, 'пары', 'пар', 'пар')}", url
        )
    return FulfilmentCheck(
        True,
        f"программа есть у каждой из {plural(live, 'пары', 'пар', 'пар')}",
        url,
        (
            (
                f"Персонализированные программы: {covered} {plural_word(covered, 'программа', 'программы', 'программ')}",
                url,
            ),
        ),
    )


def rules() -> list[FulfilmentRule]:
    return [
        FulfilmentRule(
            code="programmes.personal",
            title="Персонализированные программы",
            done_when="у каждой формирующейся и активной пары есть персонализированная программа (и такие пары есть)",
            keywords=(
                "разработ персонализирован программ",
                "подготов персонализирован программ",
                "разработ программ наставничеств",
            ),
            records=lambda org_id: [(None, "Программы всех пар организации")],
            check=check,
        )
    ]
