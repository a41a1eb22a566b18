"""Built-in templates reproduce the seed roadmaps item for item; oddities are flagged, not fixed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nastavnik.roadmaps.builtin import BUILTIN_CODES, BUILTIN_SOURCES, builtin_templates, load_builtin
from nastavnik.roadmaps.oddities import all_flags, check
from nastavnik.roadmaps.seedgen import DEFAULT_SEEDS
from nastavnik.roadmaps.structs import ItemDraft, RoadmapDraft

REPO = Path(__file__).parents[2]
SEEDS = DEFAULT_SEEDS

# Counted by hand in the seed files: items per section, in order.
EXPECTED_COUNTS = {
    "penza_school30_2022": [3, 2, 2, 3, 3, 3, 1],
    "kezhma_municipal_2022": [8, 6, 5, 3, 5],  # no section 3 in the document
    "generic_teacher": [1, 2, 2, 2, 3, 3, 1],
    "zakharvan_2023": [2, 3, 1],
    "nn_school128_2020": [6, 6, 6, 1, 3, 1, 1],
}
EXPECTED_SECTION_NUMBERS = {
    "penza_school30_2022": ["1.", "2.", "3.", "4.", "5.", "6.", "7."],
    "kezhma_municipal_2022": ["1", "2", "4", "5", "6"],
    "generic_teacher": ["1.", "2.", "3.", "4.", "5.", "6.", "7."],
    "zakharvan_2023": ["1", "II", "III"],
    "nn_school128_2020": ["1.", "2.", "3.", "4.", "5.", "6.", "7."],
}

# Cells that Word split into paragraphs which the extract placed on separate rows: their text is
# in the seed in this many pieces, in order. Every other text must occur as one piece.
SPLIT_CELLS = {("penza_school30_2022", "1.2.", "name"): 2}

ITEM_TEXTS = ("name", "content", "deadline_text", "responsible_text", "result_text")


@pytest.fixture(scope="module")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        reason = f"seed documents not found at {SEEDS}: fidelity of built-in templates not checked"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return SEEDS


def normalise(text: str) -> str:
    """As the generator does: markup removed, whitespace collapsed."""
    text = re.sub(r"\[bookmark:[^\]]*\]|\*\*|</?(?:p|i|b|u|em|strong)>", "", text)
    return re.sub(r"\s+", " ", text).strip()


def seed_text(seeds_dir: Path, code: str) -> str:
    return normalise((seeds_dir / f"{BUILTIN_SOURCES[code]}.txt").read_text(encoding="utf-8"))


def pieces_in_order(text: str, haystack: str) -> int | None:
    """How many consecutive word runs of ``text`` it takes to find it, in order, in ``haystack``."""
    words = text.split(" ")
    position, pieces, i = 0, 0, 0
    while i < len(words):
        for j in range(len(words), i, -1):
            found = haystack.find(" ".join(words[i:j]), position)
            if found >= 0:
                position, pieces, i = found + len(" ".join(words[i:j])), pieces + 1, j
                break
        else:
            return None
    return pieces


def template_texts(code: str, draft: RoadmapDraft) -> list[tuple[tuple[str, str, str], str]]:
    """((code, where, field), text) for every non-empty text of a template."""
    texts = [((code, "header", name), getattr(draft, name)) for name in ("title", "goal", "tasks")]
    texts += [((code, "header", name), getattr(draft, name)) for name in ("expected_results", "forms_text")]
    texts += [((code, "header", "approval_text"), draft.approval_text)]
    texts += [((code, "header", "provisions"), draft.provisions)]
    texts += [((code, "columns", field), heading) for field, heading in draft.columns]
    for section in draft.sections:
        texts += [
            ((code, section.number, "title"), section.title),
            ((code, section.number, "task"), section.task),
        ]
        for item in section.items:
            texts += [((code, item.number, name), getattr(item, name)) for name in ITEM_TEXTS]
    # multi-line header blocks: every line on its own
    return [(key, line) for key, text in texts for line in text.split("\n") if line]


# -- fidelity against the seed documents ----------------------------------------------------------


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_every_text_is_verbatim_in_the_seed(seeds_dir: Path, code: str) -> None:
    seed = seed_text(seeds_dir, code)
    draft = load_builtin(code)
    missing = []
    for key, text in template_texts(code, draft):
        allowed = SPLIT_CELLS.get(key, 1)
        if key == (code, "header", "title") and code == "generic_teacher":
            continue  # the generic template has no title; ours is named in the generator
        pieces = pieces_in_order(text, seed)
        if pieces is None or pieces > allowed:
            missing.append((key, text))
    assert missing == []


def test_split_cells_really_are_split(seeds_dir: Path) -> None:
    """Guard the exception list: a split cell is not one piece (else it must leave SPLIT_CELLS)."""
    for (code, number, field), allowed in SPLIT_CELLS.items():
        item = next(i for i in load_builtin(code).items() if i.number == number)
        assert pieces_in_order(getattr(item, field), seed_text(seeds_dir, code)) == allowed


def test_generated_json_is_up_to_date(seeds_dir: Path) -> None:
    result = subprocess.run(  # noqa: S603 - our own module with fixed arguments
        [sys.executable, "-m", "nastavnik.roadmaps.seedgen", "--check", "--seeds", str(seeds_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- structure, counted by hand --------------------------------------------------------------------


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_item_counts_per_section(code: str) -> None:
    draft = load_builtin(code)
    assert [len(section.items) for section in draft.sections] == EXPECTED_COUNTS[code]
    assert [section.number for section in draft.sections] == EXPECTED_SECTION_NUMBERS[code]


def test_codes_and_levels() -> None:
    assert list(BUILTIN_CODES) == [
        "penza_school30_2022",
        "kezhma_municipal_2022",
        "generic_teacher",
        "zakharvan_2023",
        "nn_school128_2020",
    ]
    levels = {code: draft.level for code, draft in builtin_templates()}
    assert levels == {
        code: "municipality" if code == "kezhma_municipal_2022" else "school" for code in BUILTIN_CODES
    }


def test_periods() -> None:
    periods = {code: draft.period_text for code, draft in builtin_templates()}
    assert periods == {
        "penza_school30_2022": "2022–2025",
        "kezhma_municipal_2022": "2022–2023",
        "generic_teacher": "",
        "zakharvan_2023": "2023/2024",
        "nn_school128_2020": "2020",
    }


def test_load_returns_fresh_copies() -> None:
    first = load_builtin("penza_school30_2022")
    first.sections[0].items[0].name = "изменено"
    first.flags.append("x")
    second = load_builtin("penza_school30_2022")
    assert second.sections[0].items[0].name.startswith("Подготовка и принятие")
    assert second.flags == []


def test_unknown_code() -> None:
    with pytest.raises(KeyError):
        load_builtin("no_such_template")


def item(code: str, index: int) -> ItemDraft:
    return load_builtin(code).items()[index]


KNOWN_ITEMS = [
    (
        "penza_school30_2022",
        0,
        ItemDraft(
            number="1.1.",
            name="Подготовка и принятие локальных нормативных правовых актов образовательной организации: "
            "приказ «Об утверждении положения о системе наставничества педагогических работников в "
            "образовательной организации» (Приложение 1 - Положение о системе наставничества педагогических "
            "работников в образовательной организации, Приложение 2 – Дорожная карта (план мероприятий) по "
            "реализации Положения о системе наставничества педагогических работников в образовательной "
            "организации).",
            deadline_text="Октябрь 2022",
            responsible_text="Директор",
            result_text="Приказ директора",
        ),
    ),
    (
        "penza_school30_2022",
        1,
        ItemDraft(
            number="1.2.",
            name="Подготовка и принятие локальных нормативных правовых актов образовательной организации: "
            "приказ(ы) о закреплении наставнических пар/групп с письменного согласия их участников на "
            "возложение на них дополнительных обязанностей, связанных с наставнической деятельностью.",
            deadline_text="Ежегодно, сентябрь",
            responsible_text="Директор",
            result_text="Приказ директора",
        ),
    ),
    (
        "penza_school30_2022",
        -1,
        ItemDraft(
            number="7.1.",
            name="Освещение мероприятий Дорожной карты осуществляется на всех этапах на сайте образовательной "
            "организации и социальных сетях, по возможности на муниципальном и региональном уровнях.",
            deadline_text="Постоянно",
            responsible_text="Куратор внедрения целевой модели наставничества",
            result_text="Отчет",
        ),
    ),
    (
        "kezhma_municipal_2022",
        0,
        ItemDraft(
            number="1.1",
            name="Издание распорядительного акта о внедрении Муниципальной целевой модели наставничества "
            "педагогических работников и обучающихся в образовательных организациях Кежемского района "
            "(далее МЦМН)",
            deadline_text="Май 2022 г.",
            responsible_text="МКУ УО Кежемского района",
            result_text="Приказ о внедрении МЦМН педагогических работников и обучающихся в образовательных "
            "организациях Кежемского района",
        ),
    ),
    (
        "kezhma_municipal_2022",
        4,
        ItemDraft(
            number="1.5",
            name="Разработка и утверждение распорядительных актов образовательных организаций о внедрении МЦМН "
            "в образовательной организации",
            deadline_text="Август-сентябрь 2022 г.",
            responsible_text="ОО",
            result_text="Утвержденные распорядительные акты",
        ),
    ),
    (
        "kezhma_municipal_2022",
        7,
        ItemDraft(
            number="1.5",
            name="Согласование «Положения о системе наставничества педагогических работников и обучающихся в "
            "образовательной организации», Дорожной карты, Программы наставничества.",
            deadline_text="До 10.10.2022г.",
            responsible_text="Экспертный совет при МКУ УО Кежемского района",
            result_text="Приказ Управления об утверждении «Положения о системе наставничества педагогических "
            "работников и обучающихся в образовательной организации», Дорожной карты, Программы наставничества",
        ),
    ),
    (
        "kezhma_municipal_2022",
        25,
        ItemDraft(
            number="6.4",
            name="Проведение Муниципального мониторинга состояния внедрения и реализации Целевой модели "
            "наставничества в образовательных организациях Кежемского района",
            deadline_text="Апрель 2032г.",
            responsible_text="Кураторы внедрения целевой модели наставничества (ИМО, ОО)",
            result_text="Аналитические данные предоставляются кураторами муниципальным координаторам "
            "(операторам) внедрения Целевой модели наставничества",
        ),
    ),
    (
        "kezhma_municipal_2022",
        -1,
        ItemDraft(
            number="6.5",
            name="Анализ результатов муниципального мониторинга состояния внедрения и реализации целевой модели "
            "наставничества в образовательных организациях Кежемского района",
            deadline_text="Апрель 2023 г.",
            responsible_text="ИМО",
            result_text="Аналитическая справка",
        ),
    ),
    (
        "generic_teacher",
        0,
        ItemDraft(
            number="",
            name="Подготовка и принятие локальных нормативных правовых актов образовательной организации: - "
            "приказ «Об утверждении положения о системе наставничества педагогических работников в "
            "образовательной организации» Приложение 1 - Положение о системе наставничества педагогических "
            "работников в образовательной организации, Приложение 2 - Дорожная карта (план мероприятий) по "
            "реализации Положения о системе наставничества педагогических работников в образовательной "
            "организации). - приказ(ы) о закреплении наставнических пар/групп с письменного согласия их "
            "участников на возложение на них дополнительных обязанностей, связанных с наставнической "
            "деятельностью (при наличии в организации наставляемых). - подготовка персонализированных программ "
            "наставничества - (при наличии в организации наставляемых).",
        ),
    ),
    (
        "generic_teacher",
        5,
        ItemDraft(
            number="1.",
            name="Анализ банка наставников и выбор подходящих для конкрет ной персонализированной программы "
            "наставничества педагога/группы педагогов.",
        ),
    ),
    (
        "generic_teacher",
        -1,
        ItemDraft(
            number="",
            name="Освещение мероприятий Дорожной карты осуществляется на всех этапах на сайте образовательной "
            "организации и социальных сетях, по возможности на муниципальном и региональном уровнях.",
        ),
    ),
    (
        "zakharvan_2023",
        0,
        ItemDraft(
            number="",
            name="Изучение методологии целевой модели наставничества, анализ опыта школы по наставничеству",
            content="1. Изучение нормативно-правовой базы методологии целевой модели наставничества "
            "федерального, регионального и муниципального уровня 2. Подготовка нормативно-правовой базы "
            "школьного уровня 3. Анализ и внесение корректив в школьную Программу сопровождения молодых "
            "специалистов, педагогов, испытывающих трудности в профессиональной деятельности",
            deadline_text="Сентябрь 2023 г.",
            responsible_text="Заместитель директора по учебной работе",
            result_text="- Создана школьной нормативно-правовая база по внедрению целевой модели наставничества "
            "в соответствии рекомендациями",
        ),
    ),
    (
        "zakharvan_2023",
        4,
        ItemDraft(
            number="",
            name="Мониторинг реализации целевой модели наставничества",
            content="1. Анализ, оценка мероприятий",
            deadline_text="1 раз в полугодие",
            responsible_text="Заместитель директора по учебной работе",
        ),
    ),
    (
        "zakharvan_2023",
        -1,
        ItemDraft(
            number="",
            name="Анализ реализации программы сопровождения молодых специалистов, педагогов, испытывающих "
            "трудности в профессиональной деятельности",
            content="1. Мониторинг удовлетворенности участников наставничества Анализ результативности и "
            "эффективности реализации Программы",
            deadline_text="2024 г.",
            responsible_text="Заместитель директора по учебной работе",
            result_text="- Обобщен опыт организации наставничества в школе. - Презентация эффективных практик "
            "наставничества в форме «учитель-учитель»",
        ),
    ),
    (
        "nn_school128_2020",
        0,
        ItemDraft(
            number="1.1.",
            name="Разработка дорожных карт внедрения целевой модели наставничества в МАОУ «Школа № 128»",
            deadline_text="август",
            responsible_text="социальный педагог",
            result_text="дорожные карты",
        ),
    ),
    (
        "nn_school128_2020",
        -1,
        ItemDraft(
            number="7.1.",
            name="- контроль процедуры внедрения целевой модели наставничества; - контроль проведения программ "
            "наставничества",
            deadline_text="по 31 декабря 2020 г.",
            responsible_text="заместитель директора А.В. Матасова",
        ),
    ),
]


@pytest.mark.parametrize(("code", "index", "expected"), KNOWN_ITEMS)
def test_known_item(code: str, index: int, expected: ItemDraft) -> None:
    found = item(code, index)
    found.fulfilment = ""  # the suggested app function is checked on its own below
    assert found == expected


def test_zakharvan_header_and_stage_tasks() -> None:
    draft = load_builtin("zakharvan_2023")
    assert draft.title == (
        "План мероприятий («дорожная карта») внедрения целевой модели наставничества "
        "(форма: учитель – учитель) в МБОУ «ООШ» д. Захарвань на 2023-2024 учебный год"
    )
    assert draft.approval_text == (
        "Принято на заседании педагогического совет: Протокол № 1 от 31.08.2023 г.\n"
        "УТВЕРЖДЕНО и.о директора МБОУ «ООШ» д. Захарвань от 31.08.2023 г."
    )
    assert draft.goal.startswith("Целью внедрения целевой модели наставничества является")
    assert draft.tasks.count("\n") == 2
    assert draft.expected_results.splitlines()[0] == "1. Преодоление профессионально-личностных кризисов"
    assert draft.forms_text.endswith("- «учитель - учитель».")
    assert [(s.title, s.task) for s in draft.sections] == [
        (
            "Подготовка условий для запуска Целевой модели наставничества",
            "обеспечение эффективных организационных, нормативно-правовых условий для внедрения Целевой "
            "модели наставничества",
        ),
        (
            "Реализация мероприятий в рамках Программы сопровождения молодых специалистов, педагогов, "
            "испытывающих трудности профессиональной деятельности",
            "обеспечение эффективных условий реализации Целевой модели наставничества",
        ),
        ("Аналитический этап", "обеспечение анализа реализации Программы"),
    ]


def test_zakharvan_keeps_its_provisions_and_its_own_column_headings() -> None:
    """Issue 7, roadmaps 8: «Основные положения» and the Komi column order are part of the template."""
    draft = load_builtin("zakharvan_2023")
    assert draft.provisions.startswith("План мероприятий («дорожная карта») внедрения целевой модели")
    assert "№АЗ-1128/08" in draft.provisions and not draft.provisions.startswith("1.")
    assert draft.columns == [
        ("name", "Этап, мероприятия этапа"),
        ("content", "Содержание деятельности"),
        ("result_text", "Планируемый результат"),
        ("deadline_text", "Сроки"),
        ("responsible_text", "Ответственные"),
    ]


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_identity_phrases_occur_in_the_template(code: str) -> None:
    """Every phrase naming the source organisation or a person is really there (a typo would let the
    source's name through into an adopting school's plan)."""
    draft = load_builtin(code)
    everything = " ".join(text for _, text in template_texts(code, draft))
    for phrase, _ in draft.identity:
        assert phrase in everything, phrase


def test_seeds_suggest_the_app_functions_where_obvious() -> None:
    linked = {
        code: [(item.number or item.name[:30], item.fulfilment) for item in draft.items() if item.fulfilment]
        for code, draft in builtin_templates()
    }
    assert ("2.2.", "banks.mentees") in linked["penza_school30_2022"]
    assert ("3.2", "banks.mentors") in linked["penza_school30_2022"]
    assert ("1.2.", "pairs.orders") in linked["penza_school30_2022"]
    assert ("5.2.", "programmes.personal") in linked["penza_school30_2022"]
    assert ("4.4", "pairs.orders") in linked["kezhma_municipal_2022"]
    assert ("3.2.", "banks.mentees") in linked["nn_school128_2020"]
    assert ("4.2.", "events.training") in linked["penza_school30_2022"]
    assert ("7.1.", "events.news") in linked["penza_school30_2022"]
    assert ("2.1", "events.seminar") in linked["kezhma_municipal_2022"]
    assert ("4.1.", "events.news") in linked["nn_school128_2020"] and ("2.6.", "events.news") in linked["nn_school128_2020"]
    assert len(linked["generic_teacher"]) == 6 and linked["zakharvan_2023"] == []


def test_nn128_approval_is_the_order() -> None:
    assert (
        load_builtin("nn_school128_2020").approval_text == "Приложение 1\nК приказу от 01.09.2020 № 328-01-02"
    )


def test_no_extraction_noise_left() -> None:
    for code, draft in builtin_templates():
        for _, text in template_texts(code, draft):
            assert not re.search(r"\[bookmark|\*\*|</?[a-z]+>|\s{2}|\t", text), (code, text)


# -- oddities ---------------------------------------------------------------------------------------


def test_kezhma_oddities_are_flagged() -> None:
    draft = check(load_builtin("kezhma_municipal_2022"))
    assert draft.flags == ["пропущен раздел 3"]
    flagged = {(i.number, i.deadline_text): i.flags for i in draft.items() if i.flags}
    assert flagged == {
        ("1.5", "Август-сентябрь 2022 г."): ["номер 1.5 повторяется"],
        ("1.5", "До 10.10.2022г."): ["номер 1.5 повторяется"],
        ("6.4", "Апрель 2032г."): ["год 2032 вне периода дорожной карты — возможно, опечатка"],
    }
    assert [s.flags for s in draft.sections if s.flags] == [["перед разделом пропущен раздел 3"]]


def test_check_changes_no_text_and_is_idempotent() -> None:
    original = load_builtin("kezhma_municipal_2022")
    draft = check(check(load_builtin("kezhma_municipal_2022")))
    assert [i.deadline_text for i in draft.items()] == [i.deadline_text for i in original.items()]
    assert [i.number for i in draft.items()] == [i.number for i in original.items()]
    assert len(all_flags(draft)) == 5


@pytest.mark.parametrize(
    "code", ["penza_school30_2022", "generic_teacher", "zakharvan_2023", "nn_school128_2020"]
)
def test_no_spurious_flags(code: str) -> None:
    assert all_flags(check(load_builtin(code))) == []


def test_other_oddities() -> None:
    draft = load_builtin("penza_school30_2022")
    draft.sections[1].items[0].number = "3.1."  # an item numbered for another section
    draft.sections[1].items[1].deadline_text = "когда-нибудь потом"
    check(draft)
    assert draft.sections[1].items[0].flags == ["номер 3.1 повторяется", "номер 3.1 не относится к разделу 2"]
    assert draft.sections[1].items[1].flags == ["срок не распознан"]


def test_period_from_deadlines_when_not_stated() -> None:
    draft = load_builtin("kezhma_municipal_2022")
    draft.period_text = ""
    check(draft)
    assert [i.number for i in draft.items() if any("2032" in f for f in i.flags)] == ["6.4"]
