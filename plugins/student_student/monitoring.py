"""Мониторинг формы «ученик – ученик»: анкеты удовлетворённости по модели Приложения 2 к Р-145 и
характеристики роста участников (этап 2 мониторинга)."""

from __future__ import annotations

from nastavnik.monitoring.builtin import MODEL_NOTE
from nastavnik.monitoring.structs import GrowthCharacteristic, ItemSpec, QuestionnaireSpec

KIND = "student_student"
SCALE = "Оцените в баллах от 1 до 10, где 1 – самый низший балл, а 10 – самый высокий."

MENTEE = QuestionnaireSpec(
    code="student_student_mentee_satisfaction",
    title="Анкета удовлетворённости наставляемого («ученик – ученик»)",
    audience="mentee",
    purpose="satisfaction",
    kind_code=KIND,
    description=SCALE,
    note=MODEL_NOTE,
    items=(
        ItemSpec("scale10", "Насколько эффективной, на ваш взгляд, была программа наставничества?", subscale="программа"),
        ItemSpec("scale10", "Насколько комфортно вам было общаться с наставником?", subscale="общение"),
        ItemSpec("scale10", "Насколько полезными были групповые встречи?", subscale="встречи"),
        ItemSpec("scale10", "Насколько полезными были индивидуальные встречи с наставником?", subscale="встречи"),
        ItemSpec("scale10", "Насколько наставник был включён в вашу совместную работу?", subscale="наставник"),
        ItemSpec("scale10", "Насколько понятно наставник объяснял то, что у вас не получалось?", subscale="наставник"),
        ItemSpec("scale10", "Насколько понятным был план вашей совместной работы?", subscale="программа"),
        ItemSpec("scale10", "Насколько оправдались ваши ожидания от программы?", subscale="программа"),
        ItemSpec("scale10", "Насколько вы довольны совместной работой с наставником?", subscale="общение"),
        ItemSpec("frequency", "Как часто проходили ваши встречи с наставником?"),
        ItemSpec("yesno", "Участвовали ли вы раньше в программах наставничества?", required=False),
        ItemSpec("yesno", "Хотели бы вы продолжить работу в программе наставничества?"),
        ItemSpec("yesno", "Хотели бы вы сами стать наставником?"),
        ItemSpec("text", "Что вы ожидали от программы и своей роли в ней?", required=False),
        ItemSpec("text", "Что было для вас особенно ценным в программе?", required=False),
        ItemSpec("text", "Чего вам не хватило в программе и/или что хотелось бы изменить?", required=False),
    ),
)

MENTOR = QuestionnaireSpec(
    code="student_student_mentor_satisfaction",
    title="Анкета удовлетворённости наставника («ученик – ученик»)",
    audience="mentor",
    purpose="satisfaction",
    kind_code=KIND,
    description=SCALE,
    note=MODEL_NOTE,
    items=(
        ItemSpec("scale10", "Насколько эффективной, на ваш взгляд, была программа наставничества?", subscale="программа"),
        ItemSpec("scale10", "Насколько комфортно вам было общаться с наставляемым?", subscale="общение"),
        ItemSpec("scale10", "Насколько полезными были групповые встречи?", subscale="встречи"),
        ItemSpec("scale10", "Насколько полезными были индивидуальные встречи?", subscale="встречи"),
        ItemSpec("scale10", "Насколько наставляемый был включён в совместную работу?", subscale="наставляемый"),
        ItemSpec("scale10", "Насколько полезной была поддержка куратора?", subscale="программа"),
        ItemSpec("scale10", "Насколько понятным был план совместной работы?", subscale="программа"),
        ItemSpec("scale10", "Насколько оправдались ваши ожидания от программы?", subscale="программа"),
        ItemSpec("scale10", "Насколько вы довольны совместной работой с наставляемым?", subscale="общение"),
        ItemSpec(
            "agree5",
            "Работа наставником отнимала у меня слишком много времени",
            reverse=True,
            subscale="нагрузка",
            in_satisfaction=False,
        ),
        ItemSpec("frequency", "Как часто проходили ваши встречи с наставляемым?"),
        ItemSpec("yesno", "Участвовали ли вы раньше в программах наставничества?", required=False),
        ItemSpec("yesno", "Хотели бы вы продолжить работу наставником?"),
        ItemSpec("text", "Что вы ожидали от программы и своей роли в ней?", required=False),
        ItemSpec("text", "Что было для вас особенно ценным в программе?", required=False),
        ItemSpec("text", "Чего вам не хватило в программе и/или что хотелось бы изменить?", required=False),
    ),
)

GROWTH = (
    GrowthCharacteristic(
        "ss_grades", "Успеваемость (средний балл по предметам запроса)", "mentee", "number",
        minimum=2, maximum=5, unit="балл",
    ),
    GrowthCharacteristic(
        "ss_olympiads", "Участие в олимпиадах и конкурсах (за полугодие)", "mentee", "count", minimum=0, maximum=100,
    ),
    GrowthCharacteristic(
        "ss_career", "Участие в профориентационных мероприятиях (за полугодие)", "mentee", "count",
        minimum=0, maximum=100,
    ),
    GrowthCharacteristic(
        "ss_climate", "Психологический климат (оценка классного руководителя или психолога)", "mentee", "scale5",
        minimum=1, maximum=5,
    ),
    GrowthCharacteristic(
        "ss_mentor_skills", "Коммуникативные и лидерские навыки наставника", "mentor", "scale5", minimum=1, maximum=5,
    ),
)


def questionnaires(kind_code: str) -> list[QuestionnaireSpec]:
    return [MENTOR, MENTEE] if kind_code == KIND else []


def growth_characteristics(kind_code: str) -> list[GrowthCharacteristic]:
    return list(GROWTH) if kind_code == KIND else []
