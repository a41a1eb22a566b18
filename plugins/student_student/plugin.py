"""Форма «ученик – ученик» (Р-145)."""

from nastavnik.plugins import hookimpl
from nastavnik.plugins.registry import Choice, MentoringKind

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
)


@hookimpl
def nastavnik_mentoring_kinds():
    return [KIND]
