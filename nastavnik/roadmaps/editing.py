"""Editing a plan's structure: its header, sections, and adding, deleting, splitting and merging items.

An imported document rarely comes out right the first time: seed 002 arrives as one row per stage
with all its activities in one cell, seed 000 has a row that Word split off the item above. A
curator fixes it here. Every change keeps the school shares of a municipal plan in step (their
statuses and evidence stay), and re-checks the flags (``services.refresh_flags``).

Nothing here renumbers or re-positions other rows: a new or split item takes the position of the
item it follows (their ids keep the order), so nobody's open row gets a needless version conflict.
"""

from __future__ import annotations

import re

from nastavnik.extensions import db
from nastavnik.roadmaps import oddities
from nastavnik.roadmaps.models import Roadmap, RoadmapItem, RoadmapSection
from nastavnik.roadmaps.services import (
    EDITABLE_FIELDS,
    NO_NAME_FLAG,
    apply_person,
    copy_to_schools,
    document_type,
    names_schools,
    refresh_flags,
    replan,
    share_item,
)
from nastavnik.versioning import check_version, commit_or_conflict, save_versioned

HEADER_FIELDS = (
    "title",
    "period_text",
    "approval_text",
    "provisions",
    "goal",
    "tasks",
    "expected_results",
    "forms_text",
)
SECTION_FIELDS = ("number", "title", "task")


class StructureError(ValueError):
    """A change that cannot be made; the message is shown as is."""


def edit_header(roadmap: Roadmap, values: dict, expected_version: int | None) -> None:
    """Title, period, approval and the text blocks («Основные положения», цель, задачи …)."""
    save_versioned(roadmap, {name: values[name] for name in HEADER_FIELDS}, expected_version)


# -- sections ---------------------------------------------------------------------------------------


def _shares_of_section(section: RoadmapSection) -> list[RoadmapSection]:
    return [s for child in section.roadmap.children for s in child.sections if s.parent_section is section]


def edit_section(section: RoadmapSection, values: dict, expected_version: int | None) -> None:
    """Number, title and «задача этапа»; the schools' copies of the section follow."""
    check_version(section, expected_version)
    for name in SECTION_FIELDS:
        setattr(section, name, values[name])
    for copied in _shares_of_section(section):
        for name in SECTION_FIELDS:
            setattr(copied, name, values[name])
    _refresh(section.roadmap)
    commit_or_conflict()


def add_section(roadmap: Roadmap, values: dict) -> RoadmapSection:
    """A new section at the end of the plan."""
    position = max((s.position for s in roadmap.sections), default=-1) + 1
    section = RoadmapSection(position=position, **{name: values[name] for name in SECTION_FIELDS})
    roadmap.sections.append(section)
    _refresh(roadmap)
    db.session.commit()
    return section


def delete_section(section: RoadmapSection, expected_version: int | None) -> int:
    """Delete a section with its items (and the schools' copies of them); returns how many items went."""
    if section.parent_section_id is not None:
        raise StructureError("Этот раздел передан школе из муниципальной дорожной карты: удалить его может её владелец.")
    check_version(section, expected_version)
    roadmap = section.roadmap
    items = list(section.items)
    for item in items:
        _delete_shares(item)
    for copied in _shares_of_section(section):
        db.session.delete(copied)
    roadmap.sections.remove(section)
    db.session.delete(section)
    db.session.flush()
    _refresh(roadmap)
    commit_or_conflict()
    return len(items)


# -- items ------------------------------------------------------------------------------------------


def _refresh(roadmap: Roadmap) -> None:
    db.session.flush()  # new rows need their ids for refresh_flags
    refresh_flags(roadmap)
    for child in roadmap.children:
        refresh_flags(child)


def _share_new(item: RoadmapItem) -> None:
    """A municipal «ОО» item goes to every school's share."""
    if item.roadmap.level != "school" and names_schools(item.responsible_text):
        for child in item.roadmap.children:
            share_item(item, child)


def _delete_shares(item: RoadmapItem) -> None:
    for copied in list(item.child_items):
        copied.section.items.remove(copied)
        db.session.delete(copied)


def _new_item(section: RoadmapSection, after: RoadmapItem | None, values: dict) -> RoadmapItem:
    if after is not None:
        position = after.position
    else:
        earlier = [
            i.position for s in section.roadmap.sections if s.position <= section.position for i in s.items
        ]
        position = max(earlier, default=0)
    item = RoadmapItem(roadmap=section.roadmap, position=position, flags=[], checked_flags=[])
    for name in EDITABLE_FIELDS:
        setattr(item, name, values.get(name, ""))
    section.items.append(item)
    item.document_type = document_type(item.result_text)
    return item


def add_item(section: RoadmapSection, values: dict, person_id: int | None = None) -> RoadmapItem:
    """A new item at the end of ``section``, dated from its deadline text like any other."""
    item = _new_item(section, None, values)
    db.session.flush()
    replan(item)
    apply_person(item, person_id)
    _share_new(item)
    _refresh(section.roadmap)
    db.session.commit()
    return item


def _from_municipal_plan(item: RoadmapItem) -> None:
    if item.parent_item_id is not None:
        raise StructureError(
            "Это мероприятие передано школе из муниципальной дорожной карты: удалить, разделить или "
            "соединить его может только владелец муниципальной карты."
        )


def delete_item(item: RoadmapItem, expected_version: int | None) -> None:
    """Delete an item with its evidence (and the schools' copies of a municipal item)."""
    _from_municipal_plan(item)
    check_version(item, expected_version)
    roadmap = item.roadmap
    _delete_shares(item)
    item.section.items.remove(item)
    db.session.delete(item)
    _refresh(roadmap)
    commit_or_conflict()


# -- splitting and merging --------------------------------------------------------------------------

_NUMBERED_PART = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*[.)]?)\s+(\S.*)$", re.S)
# «- приказ …» after a colon, a semicolon or a full stop: a bullet, not a dash inside a sentence
# («Приложение 1 - Положение …»).
_BULLET = re.compile(r"(?:(?<=[:;.])|^)\s*[-–•]\s+(?=\S)")


def suggest_parts(text: str) -> list[str]:
    """How the text of one row falls apart into items: at «1. … 2. …», else at «- …» bullets, else at
    «;». A lead-in ending in a colon («Подготовка и принятие … актов:») goes in front of every part, as
    seed 000 writes its items 1.1–1.3. The person edits the parts before saving."""
    numbered = oddities.enumerated_parts(text)
    if numbered:
        return [f"{number} {part}".strip() for number, part in numbered if part]
    bullets = [part.strip(" ;") for part in _BULLET.split(text) if part.strip(" ;")]
    if len(bullets) > 2 and bullets[0].endswith(":"):
        return [f"{bullets[0]} {part}" for part in bullets[1:]]
    if len(bullets) > 1:
        return bullets
    return [part.strip() for part in text.split(";") if part.strip()]


def parse_parts(text: str) -> list[tuple[str, str]]:
    """(number, name) of each paragraph (parts are separated by an empty line); «2. Формирование …»
    gives the number «2.»."""
    parts = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        block = " ".join(block.split())
        if not block:
            continue
        numbered = _NUMBERED_PART.match(block)
        parts.append((numbered.group(1), numbered.group(2)) if numbered else ("", block))
    return parts


def split_item(item: RoadmapItem, text: str, expected_version: int | None) -> list[RoadmapItem]:
    """One row becomes several: the first part stays in the item (with its status, evidence and link),
    each further part is a new item right after it with the same deadline, responsible and result."""
    _from_municipal_plan(item)
    check_version(item, expected_version)
    parts = parse_parts(text)
    if len(parts) < 2:
        raise StructureError(
            "Разделите текст пустой строкой хотя бы на две части — каждая станет мероприятием."
        )
    values = {name: getattr(item, name) for name in EDITABLE_FIELDS}
    first_number, first_name = parts[0]
    item.number, item.name = first_number or item.number, first_name
    created = []
    for number, name in parts[1:]:  # all at the item's position, in id order
        new = _new_item(item.section, item, {**values, "number": number, "name": name, "content": ""})
        new.deadline_kind, new.deadline_label = item.deadline_kind, item.deadline_label
        new.due_start, new.due_end, new.occurrence_label = item.due_start, item.due_end, item.occurrence_label
        new.responsible_kind, new.responsible_role = item.responsible_kind, item.responsible_role
        new.responsible_org_id, new.responsible_person_id = (
            item.responsible_org_id,
            item.responsible_person_id,
        )
        created.append(new)
    copy_to_schools(item)
    db.session.flush()
    for new in created:
        _share_new(new)
    _refresh(item.roadmap)
    commit_or_conflict()
    return [item, *created]


MERGE_FLAGS = (oddities.CONTINUATION_FLAG, NO_NAME_FLAG)


def can_merge(item: RoadmapItem) -> bool:
    """Offer «присоединить к мероприятию выше» for a row flagged as a likely continuation."""
    return (
        item.parent_item_id is None
        and any(flag in item.open_flags for flag in MERGE_FLAGS)
        and previous_item(item) is not None
    )


def previous_item(item: RoadmapItem) -> RoadmapItem | None:
    items = item.section.items
    index = items.index(item)
    return items[index - 1] if index else None


def merge_into_previous(item: RoadmapItem, expected_version: int | None) -> RoadmapItem:
    """A row that continues the one above (flagged «возможно, продолжение…») joins it: its texts are
    appended to the row above, its evidence moves there, and the row is deleted."""
    _from_municipal_plan(item)
    check_version(item, expected_version)
    previous = previous_item(item)
    if previous is None:
        raise StructureError("Это первое мероприятие раздела: присоединять его не к чему.")
    deadline_before = previous.deadline_text
    for name in ("name", "content", "deadline_text", "responsible_text", "result_text"):
        joined = " ".join(text for text in (getattr(previous, name), getattr(item, name)) if text.strip())
        setattr(previous, name, joined)
    previous.document_type = document_type(previous.result_text)
    for evidence in list(item.evidence):
        evidence.item = previous
    if previous.deadline_text != deadline_before:
        replan(previous)
    _delete_shares(item)
    item.section.items.remove(item)
    db.session.delete(item)
    copy_to_schools(previous)
    _refresh(previous.roadmap)
    commit_or_conflict()
    return previous
