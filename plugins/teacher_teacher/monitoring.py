"""Мониторинг формы «учитель – учитель»: анкеты удовлетворённости по модели Приложения 2 и
характеристики профессионального роста педагогов (этап 2 мониторинга)."""

from __future__ import annotations

from nastavnik.monitoring.builtin import MODEL_NOTE
from nastavnik.monitoring.structs import GrowthCharacteristic, ItemSpec, QuestionnaireSpec

KIND = "teacher_teacher"
SCALE = "Оцените в баллах от 1 до 10, где 1 – самый низший балл, а 10 – самый высокий."

MENTEE = QuestionnaireSpec(
    code="teacher_teacher_mentee_satisfaction",
    title="Анкета удовлетворённости наставляемого педагога («учитель – учитель»)",
    audience="mentee",
    purpose="satisfaction",
    kind_code=KIND,
    description=SCALE,
    note=MODEL_NOTE,
    items=(
        ItemSpec("scale10", "Насколько эффективной, на ваш взгляд, была программа наставничества?", subscale="программа"),
        ItemSpec("scale10", "Насколько комфортно вам было работать с наставником?", subscale="общение"),
        ItemSpec("scale10", "Насколько полезными были групповые встречи (МО, семинары)?", subscale="встречи"),
        ItemSpec("scale10", "Насколько полезными были индивидуальные встречи с наставником?", subscale="встречи"),
        ItemSpec("scale10", "Насколько наставник был включён в вашу работу?", subscale="наставник"),
        ItemSpec("scale10", "Насколько вы оцениваете профессиональную компетентность наставника?", subscale="наставник"),
        ItemSpec("scale10", "Насколько понятным был план вашего профессионального развития?", subscale="программа"),
        ItemSpec("scale10", "Насколько оправдались ваши ожидания от программы?", subscale="программа"),
        ItemSpec("scale10", "Насколько вы довольны совместной работой с наставником?", subscale="общение"),
        ItemSpec("frequency", "Как часто проходили ваши встречи с наставником?"),
        ItemSpec("yesno", "Участвовали ли вы раньше в программах наставничества?", required=False),
        ItemSpec("yesno", "Хотели бы вы продолжить работу в программе наставничества?"),
        ItemSpec("yesno", "Хотели бы вы в будущем стать наставником?"),
        ItemSpec("text", "Что вы ожидали от программы и своей роли в ней?", required=False),
        ItemSpec("text", "Что было для вас особенно ценным в программе?", required=False),
        ItemSpec("text", "Чего вам не хватило в программе и/или что хотелось бы изменить?", required=False),
    ),
)

MENTOR = QuestionnaireSpec(
    code="teacher_teacher_mentor_satisfaction",
    title="Анкета удовлетворённости наставника («учитель – учитель»)",
    audience="mentor",
    purpose="satisfaction",
    kind_code=KIND,
    description=SCALE,
    note=MODEL_NOTE,
    items=(
        ItemSpec("scale10", "Насколько эффективной, на ваш взгляд, была программа наставничества?", subscale="программа"),
        ItemSpec("scale10", "Насколько комфортно вам было работать с наставляемым?", subscale="общение"),
        ItemSpec("scale10", "Насколько полезными были групповые встречи (МО, семинары)?", subscale="встречи"),
        ItemSpec("scale10", "Насколько полезными были индивидуальные встречи?", subscale="встречи"),
        ItemSpec("scale10", "Насколько наставляемый был включён в совместную работу?", subscale="наставляемый"),
        ItemSpec("scale10", "Насколько полезной была методическая поддержка куратора?", subscale="программа"),
        ItemSpec("scale10", "Насколько понятным был план совместной работы?", subscale="программа"),
        ItemSpec("scale10", "Насколько оправдались ваши ожидания от программы?", subscale="программа"),
        ItemSpec("scale10", "Насколько вы довольны совместной работой с наставляемым?", subscale="общение"),
        ItemSpec(
            "agree5",
            "Наставничество мешало мне выполнять основную работу",
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
        "tt_methods", "Методические умения (самооценка и оценка наставника)", "mentee", "scale5", minimum=1, maximum=5,
    ),
    GrowthCharacteristic("tt_confidence", "Уверенность в профессиональной деятельности", "mentee", "scale5",
                         minimum=1, maximum=5),
    GrowthCharacteristic("tt_open_lessons", "Проведённые открытые уроки (за полугодие)", "mentee", "count",
                         minimum=0, maximum=50),
    GrowthCharacteristic(
        "tt_category", "Квалификационная категория", "mentee", "ordinal",
        options=("без категории", "соответствие занимаемой должности", "первая", "высшая"),
    ),
    GrowthCharacteristic("tt_mentor_skills", "Наставнические компетенции наставника", "mentor", "scale5",
                         minimum=1, maximum=5),
)


def questionnaires(kind_code: str) -> list[QuestionnaireSpec]:
    return [MENTOR, MENTEE] if kind_code == KIND else []


def growth_characteristics(kind_code: str) -> list[GrowthCharacteristic]:
    return list(GROWTH) if kind_code == KIND else []
