"""Plain value objects of a roadmap as a document says it («дорожная карта»).

These carry text verbatim, before anything is stored: the built-in templates (the seeds), the
importers (Word, Excel, pasted tables) and the exporters all speak them, so a seed imported from a
.docx can be compared item for item with the built-in template.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ItemDraft:
    """Мероприятие дорожной карты, как оно записано в документе."""

    number: str  # «№ п/п», free text, duplicates allowed
    name: str  # «Наименование мероприятия»
    content: str = ""  # «Содержание деятельности» (Komi layout), may be empty
    deadline_text: str = ""  # «Срок реализации», verbatim
    responsible_text: str = ""  # «Ответственный исполнитель», verbatim
    result_text: str = ""  # «Результат, вид документа», verbatim
    flags: list[str] = field(default_factory=list)  # oddities in Russian, e.g. «номер 1.5 повторяется»
    # The code of a fulfilment rule a template suggests for the item («banks.mentors»): on adoption the
    # item is linked to what the app does for it (ignored when no plugin provides the rule).
    fulfilment: str = ""


@dataclass
class SectionDraft:
    """Раздел (этап) дорожной карты."""

    number: str
    title: str
    task: str = ""  # «задача этапа», when the document has one
    items: list[ItemDraft] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass
class RoadmapDraft:
    """Дорожная карта целиком: шапка, текстовые блоки, разделы."""

    title: str
    level: str = "school"  # school | municipality | region
    period_text: str = ""  # e.g. «2022–2025», «2023/2024»
    approval_text: str = ""  # order or protocol as written
    goal: str = ""
    tasks: str = ""
    expected_results: str = ""
    forms_text: str = ""  # «формы наставничества» block
    provisions: str = ""  # «Основные положения»: what the plan rests on (orders, letters)
    # The document's own table headings in its column order, as [field, heading] with field an
    # ItemDraft attribute («name», «deadline_text» …); empty for the usual five columns.
    columns: list[tuple[str, str]] = field(default_factory=list)
    # Who a template came from, as [phrase, replacement]: adopting it puts the adopting organisation
    # («{org}») in place of the phrase, or drops a named person («»). See services.adopted_draft.
    identity: list[tuple[str, str]] = field(default_factory=list)
    sections: list[SectionDraft] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    def items(self) -> list[ItemDraft]:
        return [item for section in self.sections for item in section.items]
