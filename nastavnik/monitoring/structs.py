"""Value objects of monitoring that plugins return: questionnaires and growth characteristics.

Plain frozen dataclasses with no database or Flask in them, so a form's plugin imports them freely
(``nastavnik_questionnaires`` and ``nastavnik_growth_characteristics`` in ``nastavnik/plugins/spec.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

# Виды вопросов. Values are stored as numbers where the kind has them (for SQL aggregates):
# scale10 1–10, agree5 1–5, yesno 1/0, frequency 2/1/0, single/multiple the option's index, number as is.
ITEM_KINDS = {
    "scale10": "оценка от 1 до 10",
    "agree5": "согласие (5 баллов)",
    "yesno": "да / нет",
    "frequency": "частота (часто / редко / никогда)",
    "single": "один вариант из списка",
    "multiple": "несколько вариантов из списка",
    "number": "число",
    "text": "открытый ответ",
}
AGREE_LABELS = (
    "полностью не согласен",
    "скорее не согласен",
    "затрудняюсь ответить",
    "скорее согласен",
    "полностью согласен",
)
FREQUENCY_LABELS = {2: "часто (1 раз в неделю и чаще)", 1: "редко (1 раз в месяц)", 0: "никогда"}
YESNO_LABELS = {1: "да", 0: "нет"}
# Kinds that are scored (satisfaction, subscales): their lowest and highest value.
SCORED = {"scale10": (1, 10), "agree5": (1, 5)}
CHOICE_KINDS = ("single", "multiple")

AUDIENCES = {
    "mentor": "наставники",
    "mentee": "наставляемые",
    "curator": "куратор (за организацию)",
    "guardian": "законные представители наставляемых",
}
PURPOSES = {
    "satisfaction": "удовлетворённость участников",
    "curator": "анкета куратора",
    "swot": "для SWOT-анализа",
    "other": "другое",
}
GROWTH_VALUE_KINDS = {
    "scale5": "оценка от 1 до 5",
    "number": "число",
    "count": "количество",
    "ordinal": "ступень из списка",
}
GROWTH_ROLES = {"mentee": "наставляемые", "mentor": "наставники"}


@dataclass(frozen=True)
class ItemSpec:
    """Вопрос анкеты.

    ``in_satisfaction`` — whether the item counts in «% удовлетворённых»; None means: yes for the
    scored kinds (1–10 and the agreement scale), no for the others.
    """

    kind: str
    text: str
    required: bool = True
    reverse: bool = False  # обратная шкала: 10 is the worst
    subscale: str = ""  # code of the subscale («общение», «польза»)
    options: tuple[str, ...] = ()  # single / multiple
    minimum: float | None = None  # number
    maximum: float | None = None
    in_satisfaction: bool | None = None
    hint: str = ""

    @property
    def counts_for_satisfaction(self) -> bool:
        return self.kind in SCORED if self.in_satisfaction is None else self.in_satisfaction and self.kind in SCORED


@dataclass(frozen=True)
class QuestionnaireSpec:
    """Образец анкеты, который поставляет ядро или плагин формы наставничества.

    A school uses it by making its own copy (a questionnaire in the database, editable, versioned).
    ``note`` is shown on the questionnaire's page and on its print view (e.g. that it follows the
    model of Приложение 2 and is to be checked against the region's text).
    """

    code: str
    title: str
    audience: str  # AUDIENCES
    purpose: str  # PURPOSES
    items: tuple[ItemSpec, ...]
    kind_code: str = ""  # the form of mentoring; "" for any
    anonymous: bool = True
    description: str = ""  # shown to the respondent above the questions
    note: str = ""


@dataclass(frozen=True)
class GrowthCharacteristic:
    """Характеристика роста участника (этап 2 мониторинга): measured at entry and at the end.

    ``value_kind`` is one of GROWTH_VALUE_KINDS; ``ordinal`` takes ``options`` from lowest to highest
    and stores the index. ``higher_is_better`` decides what «улучшилось» means.
    """

    code: str
    title: str
    role: str  # mentee | mentor
    value_kind: str
    options: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    higher_is_better: bool = True
    unit: str = ""
    description: str = ""
    kind_code: str = ""  # filled by the core with the form asked for
