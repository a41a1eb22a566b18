"""Формы «работодатель – ученик» и «студент – ученик» (Р-145), their programmes and matching criterion."""

from __future__ import annotations

import math

import numpy as np
from sqlalchemy import select

from nastavnik.extensions import db
from nastavnik.plugins.registry import Choice, MentoringKind, ProgrammeTemplate

R145 = (
    "распоряжение Минпросвещения России от 25.12.2019 № Р-145 «Об утверждении методологии (целевой модели) "
    "наставничества обучающихся для организаций, осуществляющих образовательную деятельность по "
    "общеобразовательным, дополнительным общеобразовательным и программам среднего профессионального "
    "образования, в том числе с применением лучших практик обмена опытом между обучающимися»"
)
PUPIL_CATEGORIES = (
    Choice("career", "профориентация"),
    Choice("low_motivation", "низкая учебная мотивация"),
    Choice("passive", "пассивный / неадаптированный"),
    Choice("gifted", "одарённый"),
    Choice("hardship", "трудная жизненная ситуация"),
    Choice("rural", "сельский / отдалённый"),
)

EMPLOYER_PUPIL = MentoringKind(
    code="employer_pupil",
    title="работодатель – ученик",
    variations=(
        Choice("active_pro_indifferent", "активный профессионал – равнодушный потребитель"),
        Choice("colleague_young", "коллега – молодой коллега"),
        Choice("employer_future_employee", "работодатель – будущий сотрудник"),
    ),
    mentor_person_kinds=("partner_employee",),
    mentee_person_kinds=("student",),
    mentee_categories=PUPIL_CATEGORIES,
    groups_allowed=True,
    description="Профориентация и первые профессиональные пробы: наставник — работник предприятия-партнёра.",
    legal_basis=R145,
)
UNDERGRADUATE_PUPIL = MentoringKind(
    code="undergraduate_pupil",
    title="студент – ученик",
    variations=(
        Choice("achiever_underachiever", "успевающий – неуспевающий"),
        Choice("leader_indifferent", "лидер – равнодушный"),
        Choice("equal_to_other", "равный – другому"),
        Choice("adapted_unadapted", "адаптированный – неадаптированный"),
    ),
    mentor_person_kinds=("partner_employee", "graduate"),
    mentee_person_kinds=("student",),
    mentee_categories=PUPIL_CATEGORIES,
    groups_allowed=True,
    description="Студент вуза или колледжа-партнёра (или выпускник школы) — наставник ученика: учёба, проекты, выбор профессии.",
    legal_basis=R145,
)
KINDS = (EMPLOYER_PUPIL, UNDERGRADUATE_PUPIL)
KIND_CODES = tuple(k.code for k in KINDS)

CAREER_GUIDANCE = ProgrammeTemplate(
    code="employer_pupil_career",
    title="«Работодатель – будущий сотрудник»: профориентация (6 месяцев)",
    kind_code=EMPLOYER_PUPIL.code,
    goal="Осознанный выбор профессии и образовательной траектории наставляемым, знакомство с работой предприятия.",
    tasks=(
        "1. Выявить профессиональные интересы и склонности наставляемого.\n"
        "2. Познакомить с предприятием, профессиями и требованиями к работникам.\n"
        "3. Организовать профессиональную пробу или проект на реальной задаче предприятия.\n"
        "4. Помочь составить план профессионального самоопределения (профиль, экзамены, вуз или колледж)."
    ),
    planned_results=(
        "Наставляемый знает профессии отрасли и путь к ним, прошёл профессиональную пробу или защитил проект, "
        "составил план профессионального самоопределения."
    ),
    duration_months=6,
    plan=(
        (0, "Встреча-знакомство на предприятии: интересы наставляемого, правила взаимодействия", "наставник, куратор", "договорённости, график встреч"),
        (1, "Экскурсия по предприятию, знакомство с профессиями", "наставник", "отзыв наставляемого"),
        (2, "Выбор темы проекта или профессиональной пробы", "наставник, наставляемый", "тема и план проекта"),
        (3, "Профессиональная проба / работа над проектом", "наставник, наставляемый", "выполненное задание"),
        (4, "Подготовка к защите проекта, консультации по выбору экзаменов и учебного заведения", "наставник", "презентация проекта"),
        (5, "Итоговая встреча: защита проекта, план профессионального самоопределения", "наставник, наставляемый, куратор", "план, отзыв наставника"),
    ),
)
STUDENT_SUPPORT = ProgrammeTemplate(
    code="undergraduate_pupil_support",
    title="«Студент – ученик»: учебный проект и выбор профиля (4 месяца)",
    kind_code=UNDERGRADUATE_PUPIL.code,
    goal="Повышение учебной мотивации наставляемого и знакомство с обучением в вузе или колледже.",
    tasks=(
        "1. Определить интересы и трудности наставляемого.\n"
        "2. Выполнить вместе учебный или исследовательский проект.\n"
        "3. Познакомить с обучением по выбранному направлению (день открытых дверей, лаборатории)."
    ),
    planned_results="Проект выполнен и представлен, наставляемый определился с профилем обучения.",
    duration_months=4,
    plan=(
        (0, "Встреча-знакомство и пробная встреча", "наставник, куратор", "договорённости"),
        (1, "Выбор и планирование проекта", "наставник, наставляемый", "план проекта"),
        (2, "Работа над проектом, посещение вуза или колледжа", "наставник, наставляемый", "промежуточный результат"),
        (3, "Итоговая встреча: представление проекта, рефлексия", "наставник, наставляемый, куратор", "проект, отзыв"),
    ),
)


def programme_templates(kind_code: str) -> list[ProgrammeTemplate]:
    return [t for t in (CAREER_GUIDANCE, STUDENT_SUPPORT) if t.kind_code == kind_code]


def _matches(interest: str, area: str) -> bool:
    interest, area = interest.lower(), area.lower()
    return area in interest or interest in area


class PartnerProfileCriterion:
    """Профессиональные интересы ученика (его запросы в банке) ↔ профиль организации-партнёра наставника.

    The partner's areas are read in one query for the whole cohort; a mentor who is not a partner's
    employee, a partner without areas or a pupil without requests leaves the criterion out (NaN).
    """

    code = "partner_profile"
    title = "Интересы ученика ↔ профиль партнёра"

    def _areas(self, mentors) -> dict:
        from plugins.partners.models import PartnerProfile

        org_ids = {m.org_id for m in mentors if m.org_id is not None}
        if not org_ids:
            return {}
        rows = db.session.execute(select(PartnerProfile.org_id, PartnerProfile.areas).where(PartnerProfile.org_id.in_(org_ids)))
        return {org_id: [a.strip() for a in areas.split(",") if a.strip()] for org_id, areas in rows}

    @staticmethod
    def _value(interests, areas) -> tuple[float, list[str]]:
        if not interests or not areas:
            return math.nan, []
        shared = sorted({i for i in interests for a in areas if _matches(i, a)})
        return (1.0 if shared else 0.0), shared

    def score(self, mentee, mentor) -> tuple[float, str]:
        areas = self._areas([mentor]).get(mentor.org_id, [])
        value, shared = self._value(mentee.tags, areas)
        if math.isnan(value):
            if not areas:
                return value, "профиль партнёра не указан — критерий не учитывается"
            return value, "интересы ученика не указаны — критерий не учитывается"
        if value:
            return value, f"интересы совпадают с профилем партнёра: {', '.join(shared)}"
        return value, f"профиль партнёра ({', '.join(areas)}) не совпадает с интересами ученика"

    def score_matrix(self, mentees, mentors) -> np.ndarray:
        areas = self._areas(mentors)
        return np.array(
            [[self._value(me.tags, areas.get(mr.org_id, []))[0] for mr in mentors] for me in mentees], dtype=float
        ).reshape(len(mentees), len(mentors))
