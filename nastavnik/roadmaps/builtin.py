"""Built-in roadmap templates: the five seed roadmaps, item for item.

The JSON files in ``nastavnik/roadmaps/data/`` are generated once by ``python -m nastavnik.roadmaps.seedgen``
from the text extracts of the originals and committed; texts are verbatim (whitespace collapsed,
extraction markup removed). Oddities of the originals are kept; `oddities.check` flags them.

Codes (code → seed file → what it is):

- ``penza_school30_2022`` → 000_700e3d6c11166791: МБОУ СОШ № 30 г. Пензы, система наставничества
  педагогических работников, 2022–2025 (school);
- ``kezhma_municipal_2022`` → 001_07e52ca05684a0e9: Кежемский район, муниципальная целевая модель
  наставничества, 2022–2023 (municipality);
- ``generic_teacher`` → 002_dc2384dc56733c78: типовые этапы и содержание деятельности системы
  наставничества педагогов, без сроков (school);
- ``zakharvan_2023`` → 003_d3ed7057a32236f7: МБОУ «ООШ» д. Захарвань (Коми), «учитель – учитель»,
  2023/2024 учебный год (school);
- ``nn_school128_2020`` → 004_50b68ac6c27ef649: МАОУ «Школа № 128» г. Нижнего Новгорода, целевая
  модель наставничества обучающихся (Р-145), 2020 (school).
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from functools import cache
from importlib import resources

from nastavnik.roadmaps.structs import ItemDraft, RoadmapDraft, SectionDraft

BUILTIN_SOURCES: dict[str, str] = {
    "penza_school30_2022": "000_700e3d6c11166791",
    "kezhma_municipal_2022": "001_07e52ca05684a0e9",
    "generic_teacher": "002_dc2384dc56733c78",
    "zakharvan_2023": "003_d3ed7057a32236f7",
    "nn_school128_2020": "004_50b68ac6c27ef649",
}
BUILTIN_CODES: tuple[str, ...] = tuple(BUILTIN_SOURCES)
# What a curator needs to pick a template: whose plan it was, for whom, which years.
BUILTIN_LABELS: dict[str, str] = {
    "penza_school30_2022": "Пенза, МБОУ СОШ № 30: система наставничества педагогов (школа, 2022–2025)",
    "kezhma_municipal_2022": "Кежемский район: муниципальная целевая модель, педагоги и обучающиеся "
    "(муниципалитет и его ОО, 2022–2023)",
    "generic_teacher": "Типовые этапы системы наставничества педагогов (школа, без сроков)",
    "zakharvan_2023": "Усинск, ООШ д. Захарвань: «учитель – учитель», цели, задачи, 3 этапа (школа, 2023/2024)",
    "nn_school128_2020": "Нижний Новгород, Школа № 128: целевая модель для обучающихся, Р-145 (школа, 2020)",
}


def load_builtin(code: str) -> RoadmapDraft:
    """A fresh copy of a built-in template (callers may edit and flag it)."""
    if code not in BUILTIN_SOURCES:
        raise KeyError(f"нет встроенного шаблона «{code}»")
    return draft_from_dict(_read_json(BUILTIN_SOURCES[code]))


def builtin_templates() -> list[tuple[str, RoadmapDraft]]:
    return [(code, load_builtin(code)) for code in BUILTIN_CODES]


@cache
def _read_json(stem: str) -> dict:
    resource = resources.files("nastavnik.roadmaps") / "data" / f"{stem}.json"
    return json.loads(resource.read_text(encoding="utf-8"))


# -- serialisation (shared with the generator) ----------------------------------------------------


def draft_to_dict(draft: RoadmapDraft) -> dict:
    """JSON-ready dict without flags: flags are derived (oddities.check), not part of a template."""
    data = asdict(draft)
    data.pop("flags")
    for section in data["sections"]:
        section.pop("flags")
        for item in section["items"]:
            item.pop("flags")
    return data


def draft_from_dict(data: dict) -> RoadmapDraft:
    header = _known(RoadmapDraft, data, nested={"sections"})
    for pairs in ("columns", "identity"):  # JSON has lists where the draft has (a, b) pairs
        header[pairs] = [tuple(pair) for pair in header.get(pairs, [])]
    sections = [_section_from_dict(section) for section in data.get("sections", [])]
    return RoadmapDraft(**header, sections=sections)


def _section_from_dict(data: dict) -> SectionDraft:
    header = _known(SectionDraft, data, nested={"items"})
    items = [ItemDraft(**_known(ItemDraft, item)) for item in data.get("items", [])]
    return SectionDraft(**header, items=items)


def _known(cls: type, data: dict, nested: frozenset[str] | set[str] = frozenset()) -> dict:
    """Fields of ``cls`` from ``data``; an unknown key means the JSON and the structs drifted apart."""
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"{cls.__name__}: неизвестные поля {sorted(unknown)}")
    return {key: value for key, value in data.items() if key not in nested}
