"""Column mapping of an imported roadmap table and turning its rows into a RoadmapDraft.

Two layouts are understood:

* the common one, «№ п/п | Наименование мероприятия | Срок реализации | Ответственный исполнитель |
  Результат, вид документа», where a section is a row numbered «1» / «1.» with a name and nothing
  else, or a single cell spanning the table («1. Нормативное правовое регулирование …»);
* the Komi one, «Этап, мероприятия этапа | Содержание деятельности | Планируемый результат | Сроки |
  Ответственные», without numbers, where a stage is a single cell («1 этап. Подготовка условий …»,
  «II этап – Реализация …») followed, in the same cell or the next row, by «Задача этапа – …».

Texts are kept verbatim apart from whitespace, which is collapsed to single spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from nastavnik.roadmaps.structs import ItemDraft, RoadmapDraft, SectionDraft

NUMBER = "number"
NAME = "name"
CONTENT = "content"
DEADLINE = "deadline"
RESPONSIBLE = "responsible"
RESULT = "result"
IGNORE = "ignore"

FIELDS = (NUMBER, NAME, CONTENT, DEADLINE, RESPONSIBLE, RESULT)
FIELD_LABELS = {
    NUMBER: "№ п/п",
    NAME: "Наименование мероприятия",
    CONTENT: "Содержание деятельности",
    DEADLINE: "Срок реализации",
    RESPONSIBLE: "Ответственный исполнитель",
    RESULT: "Результат, вид документа",
    IGNORE: "Не загружать",
}
NO_HEADER = -1  # find_header_row: no row looks like a header, every row is data

SECTION = "section"
ITEM = "item"
SKIPPED = "skipped"


class MappingError(ValueError):
    """The chosen column mapping cannot be used; the message is shown to the user as is."""


@dataclass
class PreviewRow:
    """What one table row became, for the import preview."""

    row_number: int  # 1-based position in the table
    kind: str  # section | item | skipped
    values: dict[str, str] = field(default_factory=dict)  # mapped field -> normalised text
    message: str = ""


# -- text helpers -------------------------------------------------------------------------------


def normalize_text(text: str | None) -> str:
    """Collapse whitespace and line breaks to single spaces."""
    return " ".join((text or "").split())


def _header_key(text: str) -> str:
    return normalize_text(text).lower().replace("ё", "е")


# -- guessing the mapping -----------------------------------------------------------------------

# Checked in order: «Содержание деятельности и примерный план мероприятий» is content, not a name.
_HEADER_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # «N° Наименование этапа» (seed 002) names a column of numbered stages, not a number column.
    (NAME, re.compile(r"^(№|n°)\s*(наименование|этап)")),
    (NUMBER, re.compile(r"^(№|n°|n\s*п/п|no\.?$|номер|п/п)")),
    (DEADLINE, re.compile(r"срок|дата|период")),
    (RESPONSIBLE, re.compile(r"ответствен|исполнител")),
    (RESULT, re.compile(r"результат|вид документа")),
    (CONTENT, re.compile(r"содержание")),
    (NAME, re.compile(r"наименование|мероприяти|этап|название")),
)


def guess_field(header: str) -> str:
    """The field a header names, or "ignore"."""
    key = _header_key(header)
    if not key:
        return IGNORE
    for name, pattern in _HEADER_RULES:
        if pattern.search(key):
            return name
    return IGNORE


def guess_mapping(header_row: Sequence[str]) -> dict[int, str]:
    """Column index -> field for every column; a field goes to the first column that names it."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(header_row):
        guessed = guess_field(header)
        if guessed in taken:
            guessed = IGNORE
        taken.add(guessed)
        mapping[index] = guessed
    return mapping


def find_header_row(rows: Sequence[Sequence[str]], look_at: int = 20) -> int:
    """Index of the header row: the first early row naming a name column and another field.

    Returns NO_HEADER (-1) when none does, so every row is data and the user maps by hand.
    """
    for index, row in enumerate(rows[:look_at]):
        fields = {f for f in guess_mapping(row).values() if f != IGNORE}
        if NAME in fields and len(fields) >= 2:
            return index
    return NO_HEADER


def find_roadmap_table(tables: Sequence[Sequence[Sequence[str]]]) -> int:
    """Index of the table most likely to be the roadmap: one with a header, else the longest."""
    for index, rows in enumerate(tables):
        if find_header_row(rows) != NO_HEADER:
            return index
    return max(range(len(tables)), key=lambda i: len(tables[i]), default=0)


def validate_mapping(mapping: Mapping[int, str]) -> None:
    seen: set[str] = set()
    for column, chosen in mapping.items():
        if chosen not in FIELD_LABELS:
            raise MappingError(f"неизвестное поле «{chosen}» для колонки {column + 1}")
        if column < 0:
            raise MappingError(f"неверный номер колонки: {column + 1}")
        if chosen != IGNORE and chosen in seen:
            raise MappingError(f"колонка «{FIELD_LABELS[chosen]}» выбрана дважды")
        seen.add(chosen)
    if NAME not in seen:
        raise MappingError(f"не выбрана колонка «{FIELD_LABELS[NAME]}»")


# -- recognising rows ---------------------------------------------------------------------------

_ROMAN = r"[IVXLCІ]+"  # І: Cyrillic lookalike, seen in documents typed in Komi or Ukrainian layouts
_SECTION_NUMBER = re.compile(rf"^(\d{{1,3}}|{_ROMAN})\.?$")
# «1 этап. Подготовка …», «II этап – Реализация …», «Этап 2: …», «Раздел 3. …»
_STAGE_FIRST = re.compile(
    rf"^(?P<num>\d{{1,3}}|{_ROMAN})\s*(?:-?й\s+)?(?:этап|раздел)\b\s*[.:–—-]?\s*(?P<title>.*)$", re.I
)
_STAGE_LAST = re.compile(
    rf"^(?:этап|раздел)\s+(?P<num>\d{{1,3}}|{_ROMAN})\b\s*[.:–—-]?\s*(?P<title>.*)$", re.I
)
# «1. Нормативное …», «1 Нормативное …», «1.2. …»; the title must not start with a digit so that
# «2024 год» stays a title
_NUMBERED = re.compile(r"^(?P<num>\d{1,3}(?:\.\d{1,3})*)(?:[.)]\s*|\s+)(?P<title>\D.*)$")
_ROMAN_NUMBERED = re.compile(rf"^(?P<num>{_ROMAN})[.)]\s*(?P<title>\S.*)$")
_TASK = re.compile(r"задача\s+этапа\s*[–—:-]?\s*", re.I)


def split_section_text(text: str) -> tuple[str, str, str]:
    """(number, title, task) of a stage or section heading written in one cell."""
    text = normalize_text(text)
    task = ""
    found = _TASK.search(text)
    if found:
        text, task = text[: found.start()].strip(), text[found.end() :].strip()
    if _SECTION_NUMBER.match(text):  # a heading that is only a number, «1.»
        return text.rstrip("."), "", task
    for pattern in (_STAGE_FIRST, _STAGE_LAST, _NUMBERED, _ROMAN_NUMBERED):
        matched = pattern.match(text)
        if matched:
            return matched["num"], matched["title"].strip(), task
    return "", text, task


def is_task_text(text: str) -> bool:
    return bool(_TASK.match(normalize_text(text)))


def _is_column_numbers(cells: Sequence[str]) -> bool:
    # Many tables carry a «1 | 2 | 3 | 4 | 5» row under the header.
    filled = [c for c in cells if c]
    return len(filled) >= 3 and filled == [str(i) for i in range(1, len(filled) + 1)]


# -- building the draft -------------------------------------------------------------------------


@dataclass
class _Row:
    number: int  # 1-based
    cells: list[str]  # normalised
    values: dict[str, str]  # mapped field -> normalised text


def _mapped_rows(rows: Sequence[Sequence[str]], mapping: Mapping[int, str]) -> Iterator[_Row]:
    for index, raw in enumerate(rows):
        cells = [normalize_text(cell) for cell in raw]
        values = {
            chosen: cells[column] if column < len(cells) else ""
            for column, chosen in sorted(mapping.items())
            if chosen != IGNORE
        }
        yield _Row(index + 1, cells, values)


class _Builder:
    def __init__(self, mapping: Mapping[int, str], header_row_index: int) -> None:
        self.mapping = mapping
        self.header_row_index = header_row_index
        self.has_numbers = NUMBER in mapping.values()
        self.sections: list[SectionDraft] = []
        self.previews: list[PreviewRow] = []
        self.header: list[str] = []
        self.stage_item: ItemDraft | None = None  # the activities of the last «этап | содержание» row

    def feed(self, row: _Row) -> None:
        index = row.number - 1
        if index < self.header_row_index:
            return self._skip(row, "строка до заголовка таблицы")
        if index == self.header_row_index:
            self.header = row.cells
            return self._skip(row, "строка заголовка")
        self._data_row(row)

    def _data_row(self, row: _Row) -> None:
        filled = [i for i, cell in enumerate(row.cells) if cell]
        if not any(row.values.values()):
            return self._skip(row, "строка не попала ни в одну выбранную колонку")
        if row.cells == self.header:
            return self._skip(row, "повтор строки заголовка")
        if _is_column_numbers(row.cells):
            return self._skip(row, "строка с номерами колонок")
        if len(filled) == 1 and is_task_text(row.cells[filled[0]]):
            return self._task(row, row.cells[filled[0]])
        if len(filled) == 1 and filled[0] <= 1:
            if self._continues_item(row, filled[0]):
                return self._item(row)  # oddities flags it as a likely continuation, to be merged
            return self._section_from_text(row, row.cells[filled[0]])
        if self._is_numbered_section(row.values):
            return self._section(row, row.values[NUMBER].rstrip("."), row.values[NAME], "")
        if self._continues_stage(row.values):
            return self._continue_stage(row)
        if self._is_stage_with_activities(row.values):
            return self._stage_with_activities(row)
        self.stage_item = None
        self._item(row)

    # The two-column layout of seed 002, «Наименование этапа | Содержание деятельности»: a stage
    # «1. Подготовка условий …» beside the list of its activities. The stage becomes a section and
    # its activities one item (flagged, to be split into items); a row whose stage cell goes on in
    # lower case («реализации системы наставничества») continues both cells of the row above.

    def _only_name_and_content(self, values: dict[str, str]) -> bool:
        return not self.has_numbers and not any(values.get(f) for f in (DEADLINE, RESPONSIBLE, RESULT))

    def _is_stage_with_activities(self, values: dict[str, str]) -> bool:
        if not (self._only_name_and_content(values) and values.get(NAME) and values.get(CONTENT)):
            return False
        number, title, _ = split_section_text(values[NAME])
        return bool(number and title) and _SECTION_NUMBER.match(number) is not None

    def _stage_with_activities(self, row: _Row) -> None:
        number, title, task = split_section_text(row.values[NAME])
        self._section(row, number, title, task)
        self.stage_item = ItemDraft(number="", name=row.values[CONTENT])
        self.sections[-1].items.append(self.stage_item)
        self.previews[-1].message += "; содержание — мероприятия этапа"

    def _continues_stage(self, values: dict[str, str]) -> bool:
        name = values.get(NAME, "")
        return (
            self.stage_item is not None
            and self._only_name_and_content(values)
            and (not name or name[:1].islower())
        )

    def _continue_stage(self, row: _Row) -> None:
        section, item = self.sections[-1], self.stage_item
        section.title = f"{section.title} {row.values.get(NAME, '')}".strip()
        item.name = f"{item.name} {row.values.get(CONTENT, '')}".strip()
        self.previews.append(PreviewRow(row.number, SECTION, row.values, f"продолжение этапа {section.number}"))

    def _continues_item(self, row: _Row, column: int) -> bool:
        """A lone unnumbered name cell right after an item in a numbered table: Word split the item's
        name over two rows (seed 000, 1.2); kept as an item so that it can be merged, not a section."""
        if not (self.has_numbers and self.mapping.get(column) == NAME):
            return False
        number, _, task = split_section_text(row.cells[column])
        return not number and not task and bool(self.sections and self.sections[-1].items)

    def _is_numbered_section(self, values: dict[str, str]) -> bool:
        if not (self.has_numbers and values.get(NAME) and _SECTION_NUMBER.match(values.get(NUMBER, ""))):
            return False
        return not any(values.get(f) for f in (CONTENT, DEADLINE, RESPONSIBLE, RESULT))

    def _section_from_text(self, row: _Row, text: str) -> None:
        number, title, task = split_section_text(text)
        self._section(row, number, title, task)

    def _section(self, row: _Row, number: str, title: str, task: str) -> None:
        section = SectionDraft(number=number, title=title, task=task)
        message = f"раздел {number}".strip()
        if not number:
            section.flags.append("раздел без номера")
            message += ": номер не найден — проверьте, не продолжение ли это текста предыдущей строки"
        if task:
            message += "; задача этапа"
        self.sections.append(section)
        self.previews.append(PreviewRow(row.number, SECTION, row.values, message))

    def _task(self, row: _Row, text: str) -> None:
        task = _TASK.sub("", text, count=1).strip()
        section = self._current_section()
        section.task = f"{section.task} {task}".strip()
        where = f"раздела {section.number}".strip() if section.number or section.title else "без раздела"
        self.previews.append(PreviewRow(row.number, SECTION, row.values, f"задача этапа {where}"))

    def _item(self, row: _Row) -> None:
        values = row.values
        item = ItemDraft(
            number=values.get(NUMBER, ""),
            name=values.get(NAME, ""),
            content=values.get(CONTENT, ""),
            deadline_text=values.get(DEADLINE, ""),
            responsible_text=values.get(RESPONSIBLE, ""),
            result_text=values.get(RESULT, ""),
        )
        message = f"мероприятие {item.number}".strip()
        if not item.name:
            item.flags.append("не указано наименование мероприятия")
            message += ": нет наименования"
        self._current_section().items.append(item)
        self.previews.append(PreviewRow(row.number, ITEM, values, message))

    def _current_section(self) -> SectionDraft:
        # Items above the first heading go to an untitled section, which exports without a row.
        if not self.sections:
            self.sections.append(SectionDraft(number="", title=""))
        return self.sections[-1]

    def _skip(self, row: _Row, message: str) -> None:
        self.previews.append(PreviewRow(row.number, SKIPPED, row.values, message))


def _run(rows: Sequence[Sequence[str]], mapping: Mapping[int, str], header_row_index: int) -> _Builder:
    validate_mapping(mapping)
    builder = _Builder(mapping, header_row_index)
    for row in _mapped_rows(rows, mapping):
        builder.feed(row)
    return builder


def build_draft(
    rows: Sequence[Sequence[str]],
    mapping: Mapping[int, str],
    header_row_index: int,
    title: str = "Дорожная карта",
    level: str = "school",
) -> RoadmapDraft:
    """Sections and items of the table below header_row_index (NO_HEADER: all rows are data)."""
    builder = _run(rows, mapping, header_row_index)
    return RoadmapDraft(title=title, level=level, sections=builder.sections)


def preview_rows(
    rows: Sequence[Sequence[str]], mapping: Mapping[int, str], header_row_index: int
) -> list[PreviewRow]:
    """What every row of the table becomes under this mapping, in table order."""
    return _run(rows, mapping, header_row_index).previews
