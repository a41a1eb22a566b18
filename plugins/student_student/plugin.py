"""Форма «ученик – ученик» (Р-145)."""

from nastavnik.plugins import hookimpl
from nastavnik.plugins.registry import Choice, MentoringKind, ProgrammeTemplate

KIND = MentoringKind(
    code="student_student",
    title="ученик – ученик",
    variations=(
        Choice("achiever_underachiever", "успевающий – неуспевающий"),
        Choice("leader_passive", "лидер – пассивный"),
        Choice("peer_to_peer", "равный – равному"),
        Choice("adapted_unadapted", "адаптированный – неадаптированный"),
    ),
    mentor_person_kinds=("student",),
    mentee_person_kinds=("student",),
    mentee_categories=(
        Choice("low_performance", "низкая успеваемость / мотивация"),
        Choice("passive", "пассивный / неадаптированный"),
        Choice("gifted", "одарённый"),
        Choice("disability", "ОВЗ (особая категория данных)"),
        Choice("hardship", "трудная жизненная ситуация"),
        Choice("low_income", "малоимущая семья"),
        Choice("rural", "сельский / отдалённый"),
        Choice("orphan", "сирота / ОБПР"),
        Choice("career", "профориентация"),
    ),
    groups_allowed=True,
    description="Взаимопомощь обучающихся: наставник — обучающийся 15–18 лет или успевающий сверстник.",
    legal_basis=(
        "распоряжение Минпросвещения России от 25.12.2019 № Р-145 «Об утверждении методологии (целевой модели) "
        "наставничества обучающихся для организаций, осуществляющих образовательную деятельность по "
        "общеобразовательным, дополнительным общеобразовательным и программам среднего профессионального "
        "образования, в том числе с применением лучших практик обмена опытом между обучающимися»"
    ),
)


@hookimpl
def nastavnik_mentoring_kinds():
    return [KIND]


ACHIEVER_UNDERACHIEVER = ProgrammeTemplate(
    code="student_achiever_underachiever",
    title="«Успевающий – неуспевающий»: повышение успеваемости (4 месяца)",
    kind_code=KIND.code,
    goal="Повышение образовательных результатов и учебной мотивации наставляемого.",
    tasks=(
        "1. Выявить предметы и темы, вызывающие затруднения.\n"
        "2. Помочь освоить приёмы самоорганизации и подготовки домашних заданий.\n"
        "3. Ликвидировать пробелы по выбранным темам.\n"
        "4. Повысить уверенность наставляемого и интерес к учёбе."
    ),
    planned_results=(
        "Повышение текущих и четвертных отметок по выбранным предметам, отсутствие задолженностей, "
        "рост учебной мотивации и самооценки наставляемого."
    ),
    duration_months=4,
    plan=(
        (
            0,
            "Встреча-знакомство и пробная встреча: интересы, трудности, договорённости",
            "наставник, куратор",
            "договорённость о графике занятий",
        ),
        (
            0,
            "Встреча-планирование: выбор предметов и тем, постановка целей на четверть",
            "наставник, наставляемый",
            "план занятий",
        ),
        (
            1,
            "Совместные занятия по трудным темам (1–2 раза в неделю) с обратной связью",
            "наставник",
            "выполненные задания, обратная связь",
        ),
        (
            2,
            "Подготовка к контрольным работам, разбор ошибок",
            "наставник, наставляемый",
            "результаты контрольных работ",
        ),
        (
            3,
            "Итоговая встреча: сравнение отметок «до» и «после», рефлексия",
            "наставник, наставляемый, куратор",
            "отзыв наставляемого, динамика успеваемости",
        ),
    ),
)


@hookimpl
def nastavnik_programme_templates(kind_code):
    return [ACHIEVER_UNDERACHIEVER] if kind_code == KIND.code else []


@hookimpl
def nastavnik_counters():
    """Mentees, mentors and pairs of this form, for the report «Сведения о численности участников»."""
    from nastavnik.pairs.counters import kind_counters

    return kind_counters(KIND.code, KIND.title)


# --- Monitoring: satisfaction questionnaires (Приложение 2) and growth characteristics -----------


@hookimpl
def nastavnik_questionnaires(kind_code):
    from plugins.student_student.monitoring import questionnaires

    return questionnaires(kind_code)


@hookimpl
def nastavnik_growth_characteristics(kind_code):
    from plugins.student_student.monitoring import growth_characteristics

    return growth_characteristics(kind_code)
