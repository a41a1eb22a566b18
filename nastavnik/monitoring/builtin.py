"""Образцы анкет ядра: анкета куратора (условия программы против модели) — для любой формы.

The satisfaction questionnaires of mentors and mentees come from the forms' plugins (each form has
its own, «уникальная для каждой формы»); the SWOT form is ``models.Swot``, filled on the results page.
"""

from __future__ import annotations

from nastavnik.monitoring.structs import ItemSpec, QuestionnaireSpec

MODEL_NOTE = (
    "Анкета составлена по модели Приложения 2 к методическим рекомендациям (распоряжение Минпросвещения "
    "России от 25.12.2019 № Р-145). Официальный текст анкеты в приложение не входил: сверьте формулировки "
    "с текстом, принятым в вашем регионе, и при необходимости поправьте свою копию анкеты."
)

CURATOR = QuestionnaireSpec(
    code="core_curator",
    title="Анкета куратора: условия реализации программы наставничества",
    audience="curator",
    purpose="curator",
    anonymous=False,
    description=(
        "Анкету заполняет куратор за свою организацию: соответствуют ли условия реализации программы "
        "требованиям целевой модели наставничества."
    ),
    note=MODEL_NOTE,
    items=(
        ItemSpec("yesno", "Положение о программе наставничества утверждено приказом руководителя", subscale="документы"),
        ItemSpec("yesno", "Дорожная карта внедрения целевой модели утверждена", subscale="документы"),
        ItemSpec("yesno", "Сформирована база наставляемых с перечнем запросов", subscale="базы"),
        ItemSpec("yesno", "Сформирована база наставников с перечнем компетенций", subscale="базы"),
        ItemSpec("yesno", "Наставники прошли обучение", subscale="наставники"),
        ItemSpec("yesno", "Наставнические пары/группы закреплены приказом", subscale="пары"),
        ItemSpec("yesno", "Встречи наставников и наставляемых проводятся по плану", subscale="пары"),
        ItemSpec("yesno", "Собрана обратная связь наставников и наставляемых", subscale="пары"),
        ItemSpec("yesno", "Проведено итоговое (публичное) мероприятие программы", subscale="завершение"),
        ItemSpec("number", "Количество наставнических пар/групп", minimum=0, maximum=10000),
        ItemSpec("number", "Количество проведённых встреч наставников и наставляемых (всего)", minimum=0, maximum=100000),
        ItemSpec(
            "frequency",
            "Как часто куратор встречается с наставниками для обсуждения хода программы?",
        ),
        ItemSpec("text", "Какие условия реализации программы не выполнены и почему?", required=False),
        ItemSpec("text", "Предложения по развитию программы наставничества", required=False),
    ),
)


def core_questionnaires(kind_code: str) -> list[QuestionnaireSpec]:
    return [CURATOR] if kind_code == "" else []
