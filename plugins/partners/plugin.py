"""The partners plugin's hook implementations (and nothing else): what it adds to nastavnik.

Like any third-party plugin it uses only the public hooks and the core's public API; disabled
(``NASTAVNIK_DISABLED_PLUGINS=partners``), the app runs and its pairs show «плагин не установлен».
"""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from markupsafe import Markup

from nastavnik import access
from nastavnik.plugins import hookimpl
from nastavnik.plugins.registry import Counter
from plugins.partners import kinds

VIEW, EDIT = "partners.view", "partners.edit"


@hookimpl
def nastavnik_load_blueprints(app):
    from plugins.partners.routes import bp

    app.register_blueprint(bp)


@hookimpl
def nastavnik_load_migrations():
    return str(Path(__file__).parent / "migrations")


@hookimpl
def nastavnik_permissions():
    return {"municipal": {VIEW, EDIT}, "director": {VIEW, EDIT}, "curator": {VIEW, EDIT}, "observer": {VIEW}}


@hookimpl
def nastavnik_mentoring_kinds():
    return list(kinds.KINDS)


@hookimpl
def nastavnik_programme_templates(kind_code):
    return kinds.programme_templates(kind_code)


@hookimpl
def nastavnik_matching_criteria(kind_code):
    return [kinds.PartnerProfileCriterion()] if kind_code in kinds.KIND_CODES else []


@hookimpl
def nastavnik_pairing_refusals(kind_code, mentors, mentees):
    from plugins.partners.services import pairing_refusals

    return pairing_refusals(mentors, mentees)


@hookimpl
def nastavnik_mentor_pool_orgs(org_id, kind_code):
    from nastavnik.timeutil import today
    from plugins.partners.services import pool_partner_ids

    return pool_partner_ids(org_id, kind_code, today())


@hookimpl
def nastavnik_person_visible_to(user, person):
    from plugins.partners.services import partner_person_visible

    return partner_person_visible(user, person)


@hookimpl
def nastavnik_counters():
    from plugins.partners import services as svc

    return [
        Counter(
            code="partners_with_mentors",
            title="Организации-партнёры, предоставившие наставников",
            definition=(
                "Число разных организаций-партнёров, работник которых был наставником хотя бы в одной паре "
                "(группе) школы, закреплённой приказом и действовавшей в отчётном периоде."
            ),
            compute=svc.count_partners_with_mentors,
            unit="орг.",
        ),
        Counter(
            code="partners_total",
            title="Организации-партнёры",
            definition=(
                "Число разных организаций-партнёров, с которыми у школы действовало соглашение о сотрудничестве "
                "хотя бы один день отчётного периода (не расторгнутое до его начала). Знаменатель показателя 5 Р-145."
            ),
            compute=svc.count_partners_total,
            unit="орг.",
        ),
        Counter(
            code="pupils_in_partner_pairs",
            title="Обучающиеся в парах с наставником от партнёра",
            definition=(
                "Число разных обучающихся — наставляемых в парах (группах) школы, где наставник — работник "
                "организации-партнёра, закреплённых приказом и действовавших в отчётном периоде."
            ),
            compute=svc.count_pupils_in_partner_pairs,
        ),
        Counter(
            code="partner_activity_participants",
            title="Участники профориентационных мероприятий с партнёрами",
            definition=(
                "Сумма участников (обучающихся) экскурсий, мастер-классов, дней профессий, проектов и "
                "профессиональных проб с партнёрами, проведённых школой в отчётном периоде (человеко-участия)."
            ),
            compute=svc.count_activity_participants,
        ),
        Counter(
            code="partner_activities",
            title="Профориентационные мероприятия с партнёрами",
            definition="Число мероприятий с партнёрами (экскурсий, мастер-классов, дней профессий, проектов), проведённых школой в отчётном периоде.",
            compute=svc.count_activities,
            unit="мероприятий",
        ),
    ]


@hookimpl
def nastavnik_tpl_nav(user):
    return [("Партнёры", url_for("partners.index"))] if access.can(user, VIEW) else []


@hookimpl
def nastavnik_tpl_dashboard_cards(user) -> Markup | None:
    from plugins.partners.routes import dashboard_card

    card = dashboard_card(user)
    return Markup(card) if card else None  # noqa: S704 - render_template autoescapes


@hookimpl
def nastavnik_demo_data(demo):
    from plugins.partners.demo import build

    build(demo)
