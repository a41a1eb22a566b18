"""Build the built-in roadmap templates from the seed text extracts (one-off generator).

    .venv/bin/python -m nastavnik.roadmaps.seedgen            # writes nastavnik/roadmaps/data/*.json
    .venv/bin/python -m nastavnik.roadmaps.seedgen --check    # fails if the JSON is out of date

Every seed has its own layout, so each has its own reader. Texts are taken verbatim; the only
changes are whitespace (runs of spaces/newlines → one space, stripped) and extraction markup
(«[bookmark: …]», markdown «**», HTML tags such as <i>, <p>). Multi-line header blocks (goal, tasks,
expected results, forms, approval) keep one line per list entry / paragraph.

Hand-assisted decisions are listed in the readers below (search «HAND:»).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

from nastavnik.roadmaps.builtin import draft_to_dict  # noqa: E402
from nastavnik.roadmaps.structs import ItemDraft, RoadmapDraft, SectionDraft  # noqa: E402

# The shared seeds sit beside the main checkout; a git worktree one level deeper finds them too.
DEFAULT_SEEDS = next(
    (path for path in (REPO.parent / "shared" / "seeds", REPO.parents[1] / "shared" / "seeds") if path.is_dir()),
    REPO.parent / "shared" / "seeds",
)
DEFAULT_OUT = REPO / "nastavnik" / "roadmaps" / "data"

_MARKUP = re.compile(r"\[bookmark:[^\]]*\]|\*\*|</?(?:p|i|b|u|em|strong)>")


def clean(text: str) -> str:
    """Whitespace collapsed, extraction markup removed; nothing else is touched."""
    return re.sub(r"\s+", " ", _MARKUP.sub("", text)).strip()


def clean_lines(text: str) -> str:
    """A list block: one cleaned line per non-empty source line."""
    return "\n".join(line for line in (clean(raw) for raw in text.split("\n")) if line)


def clean_paragraphs(text: str) -> str:
    """Blank-line separated paragraphs, each cleaned into one line."""
    return "\n".join(p for p in (clean(raw) for raw in re.split(r"\n\s*\n", text)) if p)


def between(text: str, start: str, end: str | None) -> str:
    """The text from ``start`` (included) up to ``end`` (excluded); both must be there."""
    begin = text.index(start)
    stop = text.index(end, begin + len(start)) if end else len(text)
    return text[begin:stop]


def after(text: str, start: str, end: str | None) -> str:
    return between(text, start, end)[len(start) :]


# -- tab-per-line tables (000) ------------------------------------------------------------------


def read_penza(text: str) -> RoadmapDraft:
    """000: one table row per line, cells separated by tabs; section rows have only № and name."""
    draft = RoadmapDraft(
        title=clean(re.search(r"\*\*(.+?)\*\*", text, re.S).group(1)),
        level="school",
        period_text="2022–2025",  # «на 2022-2025 годы» in the title
    )
    rows = [line.split("\t") for line in text.split("\n") if "\t" in line]
    draft.columns = list(zip(PLAIN_FIELDS, (clean(c) for c in rows[0]), strict=True))
    for cells in rows[1:]:  # rows[0] is the header «№п/п | Наименование …»
        number, name, deadline, responsible, result = (clean(c) for c in cells + [""] * (5 - len(cells)))
        if not number:
            # HAND: Word split the name cell of 1.2 into two paragraphs and the extract put the second
            # one on a row of its own (empty №); it continues the previous item's name.
            assert not (deadline or responsible or result), cells
            item = draft.sections[-1].items[-1]
            assert item.number == "1.2.", item.number
            item.name = f"{item.name} {name}"
        elif re.fullmatch(r"\d+\.", number) and not (deadline or responsible or result):
            draft.sections.append(SectionDraft(number=number, title=name))
        else:
            draft.sections[-1].items.append(
                ItemDraft(
                    number, name, deadline_text=deadline, responsible_text=responsible, result_text=result
                )
            )
    return draft


# -- one-cell-per-line blocks (001, 004) --------------------------------------------------------


def tab_cells(text: str) -> tuple[str, list[str]]:
    """Text before the table, and the table's cells: a cell starts with a tab at the line start,
    lines without it continue the cell; blank lines carry no structure (they occur inside rows)."""
    head: list[str] = []
    cells: list[str] = []
    for line in text.split("\n"):
        if line.startswith("\t"):
            cells.append(line[1:])
        elif cells and line.strip():
            cells[-1] += "\n" + line
        elif not cells:
            head.append(line)
    return "\n".join(head), [clean(cell) for cell in cells]


def read_kezhma(text: str) -> RoadmapDraft:
    """001: cells one per line; a row starts with its number («1», «1.1»); section rows have 2 cells."""
    head, cells = tab_cells(text)
    draft = RoadmapDraft(
        title=clean(head),
        level="municipality",
        # HAND: the document states no period; its deadlines run May 2022 – December 2023 and it
        # speaks of «2022–2023 уч.г.» (see also seeds/README.md).
        period_text="2022–2023",
    )
    draft.columns = list(zip(PLAIN_FIELDS, cells[:5], strict=True))
    for row in group_rows(cells, r"\d+(?:\.\d+)?"):
        if len(row) == 2:
            draft.sections.append(SectionDraft(number=row[0], title=row[1]))
        else:
            assert len(row) == 5, row
            number, name, deadline, responsible, result = row
            draft.sections[-1].items.append(ItemDraft(number, name, "", deadline, responsible, result))
    return draft


def group_rows(cells: list[str], number_pattern: str) -> list[list[str]]:
    """Split the cell stream at number cells; header cells before the first number are dropped."""
    rows: list[list[str]] = []
    for cell in cells:
        if re.fullmatch(number_pattern, cell):
            rows.append([cell])
        elif rows:
            rows[-1].append(cell)
    return rows


def read_nn128(text: str) -> RoadmapDraft:
    """004: like 001, but a section row is one cell «1. Нормативное …» and item numbers end in a dot."""
    head, cells = tab_cells(text)
    draft = RoadmapDraft(
        title=clean(head[head.index("План мероприятий") :]),
        level="school",
        period_text="2020",  # «на 2020 год» in the title
        approval_text=clean_lines(head[: head.index("План мероприятий")]),
        columns=list(zip(PLAIN_FIELDS, cells[:5], strict=True)),
    )
    for cell in cells[5:]:  # the first five cells are the header
        section = re.fullmatch(r"(\d+\.)\s+(.+)", cell)
        if re.fullmatch(r"\d+\.\d+\.?", cell):
            draft.sections[-1].items.append(ItemDraft(number=cell, name=""))
        elif section:
            draft.sections.append(SectionDraft(number=section.group(1), title=section.group(2)))
        else:
            item = draft.sections[-1].items[-1]
            _fill_next(item, cell)
    for item in draft.items():
        # HAND: 7.1 has no «Результат» cell in the document; every other item has all five.
        assert item.responsible_text and (item.result_text or item.number == "7.1."), item
    return draft


def _fill_next(item: ItemDraft, cell: str) -> None:
    for attribute in ("name", "deadline_text", "responsible_text", "result_text"):
        if not getattr(item, attribute):
            setattr(item, attribute, cell)
            return
    raise AssertionError(f"too many cells in item {item.number}: {cell!r}")


# -- the generic template (002) -----------------------------------------------------------------

# HAND: 002 is a two-column PDF extract (stage | activities) whose lines interleave freely, so its
# structure is written down here and the texts are cut from the cleaned document between these
# anchors. Activities numbered «1.», «2.» … in a stage are items; a stage whose content is one
# unnumbered block (stages 1 and 7) has one item with an empty number and the whole block as name.
GENERIC_STRUCTURE: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("1.", "Подготовка условий для реализации системы наставничества", (("", "Подготовка и принятие"),)),
    ("2.", "Формирование банка наставляемых", (("1.", "Сбор информации"), ("2.", "Формирование банка"))),
    (
        "3.",
        "Формирование банка наставников",
        (("1.", "Проведение анкетирования"), ("2.", "Формирование банка")),
    ),
    ("4.", "Отбор и обучение", (("1.", "Анализ банка"), ("2.", "Обучение наставников"))),
    (
        "5.",
        "Организация и осуществление работы наставнических пар/групп",
        (("1.", "Формирование наставнических"), ("2.", "Разработка"), ("3.", "Организация психолого")),
    ),
    (
        "6.",
        "Завершение персонализированных программ наставничества",
        (("1.", "Проведение мониторинга"), ("2.", "Проведение школьной"), ("3.", "Проведение итогового")),
    ),
    ("7.", "Информационная поддержка системы наставничества", (("", "Освещение мероприятий"),)),
)


def read_generic(text: str) -> RoadmapDraft:
    """002: stages and activities, no dates, no responsible persons, no results."""
    body = clean(text)
    # HAND: the template has no title of its own; this one names what its column header says.
    draft = RoadmapDraft(
        title="Этапы и содержание деятельности, примерный план мероприятий системы наставничества "
        "педагогических работников образовательной организации",
        level="school",
    )
    cursor = 0
    pending: list[tuple[ItemDraft, int]] = []  # items whose text ends where the next anchor starts
    for number, title, items in GENERIC_STRUCTURE:
        cursor = _close_pending(body, pending, body.index(f"{number} {title}", cursor))
        section = SectionDraft(number=number, title=title)
        draft.sections.append(section)
        cursor += len(number) + 1 + len(title)
        for item_number, opening in items:
            marker = f"{item_number} {opening}".strip()
            cursor = _close_pending(body, pending, body.index(marker, cursor))
            start = cursor + (len(item_number) + 1 if item_number else 0)
            item = ItemDraft(number=item_number, name="")
            section.items.append(item)
            pending.append((item, start))
            cursor = start + len(opening)
    _close_pending(body, pending, len(body))
    return draft


def _close_pending(body: str, pending: list[tuple[ItemDraft, int]], end: int) -> int:
    while pending:
        item, start = pending.pop()
        item.name = body[start:end].strip()
    return end


# -- the Komi layout (003) ----------------------------------------------------------------------


def read_zakharvan(text: str) -> RoadmapDraft:
    """003: header blocks, then «этап | содержание | результат | сроки | ответственные»."""
    titles = re.findall(r"\*\*(.+?)\*\*", text, re.S)
    draft = RoadmapDraft(
        title=clean(next(t for t in titles if t.startswith("План"))),
        level="school",
        period_text="2023/2024",  # «на 2023-2024 учебный год» in the title
        approval_text=clean_paragraphs(between(text, "Принято на заседании", "**План")),
        # HAND: the organisation header (the authority and the school in Russian and Komi) is left out.
        provisions=clean_paragraphs(after(text, "1. Основные положения", "Целью внедрения")),
        goal=clean(between(text, "Целью внедрения", "Задачи реализации")),
        tasks=clean_lines(
            after(text, "Задачи реализации целевой модели наставничества:", "Формы наставничества")
        ),
        forms_text=clean_paragraphs(between(text, "Форма наставничества - это", "2. Ожидаемые результаты")),
        expected_results=clean_lines(after(text, "2. Ожидаемые результаты", "4. План мероприятий")),
    )
    heading = "Этап, мероприятия этапа" + after(text, "Этап, мероприятия этапа", "\n")
    draft.columns = list(zip(KOMI_FIELDS, (clean(c) for c in heading.split("\t")), strict=True))
    table = after(text, "Этап, мероприятия этапа", None).split("\n")[1:]
    for line in filter(None, table):
        cells = line.split("\t")
        if not any(clean(c) for c in cells[1:]):
            _stage_row(draft, cells[0])
        else:
            name, content, result, deadline, responsible = (clean(c) for c in cells)
            draft.sections[-1].items.append(ItemDraft("", name, content, deadline, responsible, result))
    return draft


def _stage_row(draft: RoadmapDraft, cell: str) -> None:
    """«1 этап. …», «II этап – …» open a section; «Задача этапа – …» is the section's task."""
    for part in filter(None, (clean(p) for p in re.split(r"</p>\s*<p>", cell))):
        task = re.fullmatch(r"Задача этапа\s*[–-]\s*(.+)", part)
        stage = re.fullmatch(r"(\S+) этап\.?\s*[–-]?\s*(.+)", part)
        if task:
            draft.sections[-1].task = task.group(1)
        elif stage:
            draft.sections.append(SectionDraft(number=stage.group(1), title=stage.group(2)))
        else:
            raise AssertionError(f"unexpected stage row: {part!r}")


# ItemDraft fields of the document's columns, in their order.
PLAIN_FIELDS = ("number", "name", "deadline_text", "responsible_text", "result_text")
KOMI_FIELDS = ("name", "content", "result_text", "deadline_text", "responsible_text")

# HAND: who each seed belongs to, as [phrase, replacement] (structs.RoadmapDraft.identity): the
# organisation's own names become the adopting organisation («{org}»), named people are dropped.
IDENTITY: dict[str, list[tuple[str, str]]] = {
    "000_700e3d6c11166791": [
        (
            "Муниципальном бюджетном общеобразовательном учреждении средней общеобразовательной школе "
            "№ 30 г. Пензы",
            "{org}",
        )
    ],
    "001_07e52ca05684a0e9": [
        ("МКУ УО Кежемского района", "{org}"),
        ("в образовательных организациях Кежемского района", "в образовательных организациях"),
        ("образовательных организаций Кежемского района", "образовательных организаций муниципалитета"),
        ("Кежемского района", "муниципалитета"),
    ],
    "002_dc2384dc56733c78": [],
    "003_d3ed7057a32236f7": [("МБОУ «ООШ» д. Захарвань", "{org}")],
    "004_50b68ac6c27ef649": [
        ("МАОУ «Школа № 128»", "{org}"),
        (" на территории города Нижнего Новгорода", ""),
        (" А.В. Матасова", ""),
    ],
}

# HAND: the items whose work the app itself does, by (section number, item number or the start of
# its name) → fulfilment rule code (structs.ItemDraft.fulfilment). Only where the line plainly
# means it; events and news («events.*») come from the events capability.
FULFILMENT: dict[str, dict[tuple[str, str], str]] = {
    "000_700e3d6c11166791": {
        ("1.", "1.2."): "pairs.orders",
        ("1.", "1.3."): "programmes.personal",
        ("2.", "2.2."): "banks.mentees",
        ("3.", "3.2"): "banks.mentors",
        ("4.", "4.2."): "events.training",
        ("5.", "5.2."): "programmes.personal",
        ("6.", "6.3."): "events.public",
        ("7.", "7.1."): "events.news",
    },
    "001_07e52ca05684a0e9": {
        ("4", "4.1"): "banks.mentees",
        ("4", "4.2"): "banks.mentors",
        ("4", "4.3"): "events.training",
        ("4", "4.4"): "pairs.orders",
        ("2", "2.1"): "events.seminar",
        ("2", "2.2"): "events.news",
        ("2", "2.6"): "events.news",
        ("5", "5.1"): "events.news",
    },
    "002_dc2384dc56733c78": {
        ("2.", "Формирование банка данных наставляемых"): "banks.mentees",
        ("3.", "Формирование банка данных наставников"): "banks.mentors",
        ("4.", "Обучение наставников"): "events.training",
        ("5.", "Разработка персонализированных программ"): "programmes.personal",
        ("6.", "Проведение итогового мероприятия"): "events.public",
        ("7.", "Освещение мероприятий"): "events.news",
    },
    "003_d3ed7057a32236f7": {},
    "004_50b68ac6c27ef649": {
        ("2.", "2.2."): "banks.mentors",
        ("3.", "3.2."): "banks.mentees",
        ("3.", "3.3."): "banks.mentors",
        ("3.", "3.4."): "pairs.orders",
        ("2.", "2.6."): "events.news",
        ("4.", "4.1."): "events.news",
    },
}


def hand_data(stem: str, draft: RoadmapDraft) -> RoadmapDraft:
    """Add the identity and the fulfilment links written down above; every key must hit one item."""
    draft.identity = list(IDENTITY[stem])
    for (section_number, key), code in FULFILMENT[stem].items():
        section = next(s for s in draft.sections if s.number == section_number)
        (item,) = [i for i in section.items if i.number == key or i.name.startswith(key)]
        item.fulfilment = code
    return draft


READERS: dict[str, Callable[[str], RoadmapDraft]] = {
    "000_700e3d6c11166791": read_penza,
    "001_07e52ca05684a0e9": read_kezhma,
    "002_dc2384dc56733c78": read_generic,
    "003_d3ed7057a32236f7": read_zakharvan,
    "004_50b68ac6c27ef649": read_nn128,
}


def render(draft: RoadmapDraft) -> str:
    return json.dumps(draft_to_dict(draft), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="compare with the files instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for stem, reader in READERS.items():
        draft = hand_data(stem, reader((args.seeds / f"{stem}.txt").read_text(encoding="utf-8")))
        target = args.out / f"{stem}.json"
        rendered = render(draft)
        counts = [len(section.items) for section in draft.sections]
        print(f"{stem}: {len(draft.sections)} sections, {sum(counts)} items {counts}")
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != rendered:
                stale.append(target.name)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(rendered, encoding="utf-8")
    if stale:
        print("out of date:", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
