"""Форма «учитель – учитель» (методические рекомендации 2021 г., АЗ-1128/08)."""

import math

import numpy as np

from nastavnik.plugins import hookimpl
from nastavnik.plugins.registry import Choice, MentoringKind, ProgrammeTemplate

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
    legal_basis=(
        "письмо Минпросвещения России и Общероссийского Профсоюза образования от 21.12.2021 № АЗ-1128/08 / № 657 "
        "«О направлении методических рекомендаций по разработке и внедрению системы (целевой модели) "
        "наставничества педагогических работников в образовательных организациях», статья 351.8 Трудового "
        "кодекса Российской Федерации"
    ),
)


@hookimpl
def nastavnik_mentoring_kinds():
    return [KIND]


ADAPTATION = ProgrammeTemplate(
    code="teacher_young_specialist_adaptation",
    title="Адаптация молодого специалиста (9 месяцев)",
    kind_code=KIND.code,
    goal=(
        "Успешная адаптация молодого специалиста в школе, развитие его профессиональных компетенций "
        "и закрепление в профессии."
    ),
    tasks=(
        "1. Выявить профессиональные затруднения и образовательные потребности молодого специалиста.\n"
        "2. Помочь освоить нормативные документы, рабочую программу и ведение электронного журнала.\n"
        "3. Развить навыки планирования урока, подбора методов и приёмов, дисциплины на уроке.\n"
        "4. Включить молодого специалиста в работу методического объединения и педагогического коллектива.\n"
        "5. Сформировать потребность в непрерывном профессиональном развитии."
    ),
    planned_results=(
        "Молодой специалист самостоятельно планирует и проводит уроки, проводит открытый урок, "
        "владеет школьной документацией, участвует в работе МО; снижена тревожность, сформирован "
        "индивидуальный план профессионального развития; педагог остаётся работать в школе."
    ),
    duration_months=9,
    plan=(
        (
            0,
            "Встреча-знакомство: ожидания, правила взаимодействия, обмен контактами",
            "наставник",
            "договорённости о формате и графике встреч",
        ),
        (
            0,
            "Диагностика профессиональных затруднений молодого специалиста (анкета, беседа)",
            "наставник, наставляемый",
            "перечень затруднений и запросов",
        ),
        (
            1,
            "Встреча-планирование: цели и план работы пары, изучение рабочей программы и документации",
            "наставник, наставляемый",
            "согласованный план, рабочая программа",
        ),
        (
            2,
            "Посещение уроков наставника молодым специалистом с последующим разбором",
            "наставляемый",
            "лист наблюдения, выводы по приёмам работы",
        ),
        (
            3,
            "Посещение уроков молодого специалиста наставником, анализ и рекомендации",
            "наставник",
            "анализ урока, рекомендации",
        ),
        (
            4,
            "Совместная подготовка уроков и подбор материалов к трудным темам",
            "наставник, наставляемый",
            "технологические карты уроков",
        ),
        (
            5,
            "Работа с родителями и классным коллективом: подготовка родительского собрания",
            "наставник, наставляемый",
            "план собрания, протокол",
        ),
        (
            6,
            "Открытый урок молодого специалиста для методического объединения",
            "наставляемый",
            "открытый урок, отзыв МО",
        ),
        (
            7,
            "Участие в профессиональном конкурсе или методическом мероприятии",
            "наставляемый",
            "выступление / участие в конкурсе",
        ),
        (
            8,
            "Итоговая встреча: рефлексия, самооценка компетенций, план профессионального развития",
            "наставник, наставляемый",
            "рефлексивный отчёт, отзыв наставника",
        ),
    ),
)


@hookimpl
def nastavnik_programme_templates(kind_code):
    return [ADAPTATION] if kind_code == KIND.code else []


class CategoryCriterion:
    """Молодому специалисту — опытный наставник с высшей или первой квалификационной категорией.

    The mentor's category is read from ``mentor.qualification_category`` (the web layer's mentor
    input carries it); without it the criterion does not apply to the pair.
    """

    code = "teacher_category"
    title = "Категория: молодой специалист ↔ наставник с высшей/первой категорией"
    FOR_CATEGORIES = ("young_specialist", "newly_hired")
    STRONG = {"highest": "высшей", "first": "первой"}

    def _mentor_value(self, mentor) -> float:
        category = getattr(mentor, "qualification_category", "") or ""
        if not category:
            return math.nan
        return 1.0 if category in self.STRONG else 0.0

    def score(self, mentee, mentor) -> tuple[float, str]:
        if mentee.category not in self.FOR_CATEGORIES:
            return math.nan, "наставляемый не молодой специалист — критерий не учитывается"
        value = self._mentor_value(mentor)
        if math.isnan(value):
            return value, "категория наставника не указана — критерий не учитывается"
        if value:
            return value, f"наставник с {self.STRONG[mentor.qualification_category]} категорией — для молодого специалиста"
        return value, "у наставника нет высшей или первой категории"

    def score_matrix(self, mentees, mentors) -> np.ndarray:
        """The same values for a whole cohort at once (a municipality matches thousands of pairs)."""
        applies = np.array([m.category in self.FOR_CATEGORIES for m in mentees], dtype=bool)
        values = np.array([self._mentor_value(m) for m in mentors], dtype=float)
        return np.where(applies[:, None], values[None, :], np.nan)


@hookimpl
def nastavnik_matching_criteria(kind_code):
    return [CategoryCriterion()] if kind_code == KIND.code else []


@hookimpl
def nastavnik_counters():
    """Mentees, mentors and pairs of this form, for the report «Сведения о численности участников»."""
    from nastavnik.pairs.counters import kind_counters

    return kind_counters(KIND.code, KIND.title)


# --- Monitoring: satisfaction questionnaires (Приложение 2) and growth characteristics -----------


@hookimpl
def nastavnik_questionnaires(kind_code):
    from plugins.teacher_teacher.monitoring import questionnaires

    return questionnaires(kind_code)


@hookimpl
def nastavnik_growth_characteristics(kind_code):
    from plugins.teacher_teacher.monitoring import growth_characteristics

    return growth_characteristics(kind_code)
