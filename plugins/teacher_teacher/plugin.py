"""Форма «учитель – учитель» (методические рекомендации 2021 г., АЗ-1128/08)."""

from nastavnik.plugins import hookimpl
from nastavnik.plugins.registry import Choice, MentoringKind

KIND = MentoringKind(
    code="teacher_teacher",
    title="учитель – учитель",
    variations=(
        Choice("experienced_young", "опытный педагог – молодой специалист"),
        Choice("class_teacher_young", "опытный классный руководитель – молодой специалист"),
        Choice("leader_struggling", "лидер педагогического сообщества – педагог, испытывающий проблемы"),
        Choice("innovator_conservative", "педагог-новатор – консервативный педагог"),
        Choice("subject_expert_novice", "опытный предметник – неопытный предметник"),
    ),
    mentor_person_kinds=("staff",),
    mentee_person_kinds=("staff",),
    mentee_categories=(
        Choice("young_specialist", "молодой специалист"),
        Choice("newly_hired", "вновь принятый педагог"),
        Choice("new_position", "переход на новую должность / новый контингент"),
        Choice("difficulties", "испытывает профессиональные затруднения"),
        Choice("burnout", "эмоциональное выгорание"),
        Choice("digital_skills", "освоение цифровых навыков"),
        Choice("trainee", "студент-практикант / целевое обучение"),
    ),
    groups_allowed=True,
    description="Адаптация молодых и вновь принятых педагогов, профессиональное развитие.",
)


@hookimpl
def nastavnik_mentoring_kinds():
    return [KIND]
