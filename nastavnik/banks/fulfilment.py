"""Пункты дорожной карты, которые выполняет банк: «формирование базы наставников / наставляемых».

An item is fulfilled when the bank of the organisation (with the schools under it, for a municipal
plan) holds at least one live entry of a person with a valid consent to the processing of personal
data: a bank of people without consent is no bank at all (152-ФЗ).
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from nastavnik import timeutil
from nastavnik.banks.models import MenteeProfile, MentorProfile
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.orgs.services import subtree
from nastavnik.participants.models import Person
from nastavnik.plugins.registry import FulfilmentCheck, FulfilmentRule
from nastavnik.web.words import plural

LIVE_MENTORS = ("in_bank", "assigned")
LIVE_MENTEES = ("in_bank", "in_pair", "unmatched")


def consented_entries(model, statuses: tuple[str, ...], org_id: int) -> int:
    """Live entries of the bank under ``org_id`` whose person has a valid consent today (one query)."""
    # The one consent rule (152-ФЗ); imported here: rules are collected at start-up, before every
    # model is mapped, and the consent helpers build an alias of Person when imported.
    from nastavnik.consents.services import processing_allowed_clause

    return (
        db.session.scalar(
            select(func.count(model.id))
            .join(Person, Person.id == model.person_id)
            .where(
                model.org_id.in_(subtree([org_id])),
                model.status.in_(statuses),
                processing_allowed_clause(timeutil.today()),
            )
        )
        or 0
    )


def _org_args(org_id: int) -> dict:
    # The bank lists filter by a school; a municipal plan looks at all the schools the user sees.
    org = db.session.get(Organisation, org_id)
    return {"org": org_id} if org is not None and org.is_education else {}


def _check(model, statuses, words: tuple[str, str, str], lists: str, export: str, title: str):
    def check(org_id: int, record_id: int | None) -> FulfilmentCheck:
        count = consented_entries(model, statuses, org_id)
        args = _org_args(org_id)
        if not count:
            return FulfilmentCheck(
                False, f"в базе пока нет {words[2]} с действующим согласием", url_for(lists, **args)
            )
        return FulfilmentCheck(
            True,
            f"в базе {plural(count, *words)} с действующим согласием",
            url_for(lists, **args),
            ((f"{title} (Excel)", url_for(export, **args)),),
        )

    return check


def rules() -> list[FulfilmentRule]:
    return [
        FulfilmentRule(
            code="banks.mentors",
            title="База наставников",
            done_when="в базе наставников есть хотя бы один наставник с действующим согласием на обработку "
            "персональных данных",
            keywords=("баз наставник", "банк наставник", "реестр наставник"),
            records=lambda org_id: [(None, "База наставников организации")],
            check=_check(
                MentorProfile,
                LIVE_MENTORS,
                ("наставник", "наставника", "наставников"),
                "banks.mentors",
                "banks.export_mentors",
                "База наставников",
            ),
        ),
        FulfilmentRule(
            code="banks.mentees",
            title="База наставляемых",
            done_when="в базе наставляемых есть хотя бы один наставляемый с действующим согласием на обработку "
            "персональных данных",
            keywords=("баз наставляем", "банк наставляем", "реестр наставляем"),
            records=lambda org_id: [(None, "База наставляемых организации")],
            check=_check(
                MenteeProfile,
                LIVE_MENTEES,
                ("наставляемый", "наставляемых", "наставляемых"),
                "banks.mentees",
                "banks.export_mentees",
                "База наставляемых",
            ),
        ),
    ]
