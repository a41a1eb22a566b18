"""Value objects that plugins return, and the registry the core builds from them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Choice:
    """A coded choice with a Russian title (a variation, a mentee category …)."""

    code: str
    title: str


@dataclass(frozen=True)
class MentoringKind:
    """Форма наставничества, e.g. «учитель – учитель»."""

    code: str
    title: str
    variations: tuple[Choice, ...]  # вариации ролевых моделей
    mentor_person_kinds: tuple[str, ...]  # who may be a mentor: Person.kind codes
    mentee_person_kinds: tuple[str, ...]  # who may be a mentee
    mentee_categories: tuple[Choice, ...]  # категории наставляемых
    groups_allowed: bool = True
    description: str = ""
    # What the order «о закреплении» cites as its basis, e.g. «распоряжение Минпросвещения России от
    # 25.12.2019 № Р-145»; the form's own normative act, not the core's.
    legal_basis: str = ""


@dataclass(frozen=True)
class ReportRow:
    """Строка формы отчёта: код, номер строки по форме и наименование."""

    code: str
    title: str
    number: str = ""  # «01», «1.1» — as the form numbers it


@dataclass(frozen=True)
class ReportColumn:
    """Графа формы отчёта. ``kind``: count (целое), percent (доля, %), number, text."""

    code: str
    title: str
    kind: str = "count"


@dataclass(frozen=True)
class ReportCell:
    """Ячейка формы: where it sits (``row`` × ``column``) and how it is computed — exactly one of:

    - ``counter``: the value of a counter (``nastavnik_counters``) for the run's scope;
    - ``formula``: arithmetic over other cells' codes (``+ - * /``, parentheses, numbers,
      ``sum(a, b, …)``, ``share(n, d)`` = n / d × 100 keeping n and d); written into Excel as a
      real formula;
    - ``manual``: ``(minimum, maximum)`` of a value the school enters by hand;
    - ``indicator``: a part (``n``, ``d``, ``value``, ``target``) of an indicator's passport
      (``nastavnik.reports`` keeps the passports as editable data).
    """

    code: str  # unique within the format; a blank's cell map is keyed by it
    row: str
    column: str
    counter: str = ""
    formula: str = ""
    manual: tuple[float, float] | None = None
    indicator: str = ""
    part: str = "value"

    @property
    def source(self) -> str:
        if self.counter:
            return "counter"
        if self.formula:
            return "formula"
        if self.manual is not None:
            return "manual"
        return "indicator" if self.indicator else "empty"


@dataclass(frozen=True)
class ReportFormat:
    """Формат отчёта (ФСН-подобный, федеральный или региональный): data, not code.

    - ``level``: who fills it in — school, municipality or region (the run's scope is the
      organisation's subtree, and a level above sums N and D of the organisations below);
    - ``variant_of``/``version``/``valid_from``: a regional variant of a root form, and which
      edition applies to a reporting date (the newest edition whose ``valid_from`` ≤ the as-of date);
    - ``options``: what the run asks: ``as_of`` (дата, на которую), ``period`` (отчётный период),
      ``scope`` (организация);
    - ``rows``, ``columns``, ``cells``: the grid; ``cells`` may instead be a callable
      ``cells(registry) -> (rows, columns, cells)`` for a grid that depends on installed plugins
      (one row per form of mentoring);
    - ``layout``: ``grid`` (one value per cell for the whole scope) or ``by_org`` (one row per
      education organisation of the scope, the cells as columns, totals that sum N and D);
      ``indicators`` builds the grid from the indicator passports;
    - ``renderers``: any of ``html``, ``print``, ``xlsx`` (xlsxwriter), ``blank`` (fills the
      official ``blank`` .xlsx shipped by the plugin, at ``cell_map`` {cell code: "Лист!D7"},
      keeping its formatting);
    - ``note``: shown on the report's page (e.g. that no official form is known).
    """

    code: str
    title: str
    build: Callable | None = None  # optional: callable(run data) -> bytes, a plugin's own renderer
    region: str = ""
    level: str = "school"  # school | municipality | region
    variant_of: str = ""
    version: str = "1"
    valid_from: date | None = None
    options: tuple[str, ...] = ("as_of", "period", "scope")
    layout: str = "grid"  # grid | by_org | indicators
    rows: tuple[ReportRow, ...] = ()
    columns: tuple[ReportColumn, ...] = ()
    cells: tuple[ReportCell, ...] | Callable = ()
    renderers: tuple[str, ...] = ("html", "print", "xlsx")
    blank: str = ""  # absolute path of the official blank .xlsx
    cell_map: Mapping[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class PartnerOrganisation:
    """Организация-партнёр из регионального справочника."""

    code: str
    name: str
    kind: str = "enterprise"  # enterprise | college | university | ngo
    inn: str = ""


@dataclass(frozen=True)
class ProgrammeTemplate:
    """Шаблон персонализированной программы для формы наставничества.

    ``plan`` rows are ``(month_offset, content, responsible, result)``: the item is dated
    ``month_offset`` months after the pair starts (0 = the first month).
    """

    code: str
    title: str
    kind_code: str
    goal: str
    tasks: str
    planned_results: str
    duration_months: int
    plan: tuple[tuple[int, str, str, str], ...] = ()


@dataclass(frozen=True)
class CounterScope:
    """What a counter counts over.

    ``org_ids`` is a SQL selectable of organisation ids (a subquery over the organisation tree),
    never a literal list: a region is 2,000 organisations.
    """

    org_ids: Any
    as_of: date  # states and ages are taken on this date
    start: date  # the period, both ends included
    end: date


@dataclass(frozen=True)
class Counter:
    """Счётчик: a named, documented count that one capability owns (the bricks of indicators).

    ``compute(scope)`` runs one SQL statement and returns the count per organisation, keyed by the
    id of the education organisation the counted person or pair belongs to (organisations with
    nothing counted may be left out). Totals are sums of these values.
    """

    code: str  # «pupils_10_18», «mentees_10_18» …
    title: str  # «Обучающиеся 10–18 лет»
    definition: str  # what exactly is counted, in Russian, for the indicator's passport
    compute: Callable[[CounterScope], Mapping[int, int]]
    unit: str = "чел."


@dataclass(frozen=True)
class FulfilmentCheck:
    """Whether a record fulfils a roadmap item, with what to attach as evidence."""

    done: bool
    summary: str  # «приказ № 112-од от 01.09.2025 издан», «проведено, отмечено 6 из 6 участников»
    url: str = ""  # where the curator opens the record
    evidence: tuple[tuple[str, str], ...] = ()  # (title, url) of documents to attach as evidence


@dataclass(frozen=True)
class FulfilmentRule:
    """Как приложение само выполняет пункт дорожной карты («приказ о закреплении» → orders …).

    ``records(org_id)`` lists what an item of that organisation can be linked to, as ``(record_id,
    title)``; a rule about the organisation as a whole (its bank of mentors) returns ``[(None,
    title)]``. ``check(org_id, record_id)`` says whether the linked record now fulfils the item.
    ``keywords`` are lower-case stems of an item's text that suggest this rule.
    """

    code: str  # «banks.mentors», «pairs.orders», «events.training» …
    title: str  # «Банк наставников»
    done_when: str  # «в банке есть хотя бы один наставник с действующим согласием»
    keywords: tuple[str, ...]
    records: Callable[[int], list[tuple[int | None, str]]]
    check: Callable[[int, int | None], FulfilmentCheck]


@dataclass(frozen=True)
class EventKind:
    """Вид мероприятия: «обучение наставников», «семинар», «круглый стол» …

    ``group`` says which roadmap lines an event of this kind fulfils (``events.training``,
    ``events.seminar``, ``events.public``): «training» | «seminar» | «public» | «other».
    ``certificates``: attendees get a certificate with a number from the organiser's register, and
    attending makes a mentor trained («обучение пройдено»).
    """

    code: str
    title: str
    group: str = "other"
    certificates: bool = False
    description: str = ""


@dataclass(frozen=True)
class MentorNote:
    """What the banks and matching show beside a mentor on behalf of another capability.

    ``ok`` False shows the note as a flag (a gap); ``exclude`` True takes the mentor out of the
    matching of the organisation the note was asked for (its own setting, e.g. «наставник без
    обучения не предлагается»).
    """

    code: str  # «events.training»
    title: str  # «Обучение наставников»
    text: str  # «обучение пройдено 14.10.2025, 16 ч.»
    ok: bool = True
    exclude: bool = False


@dataclass(frozen=True)
class MissingKind:
    """Stands in for a form of mentoring whose plugin is not installed (or disabled/broken)."""

    code: str

    @property
    def title(self) -> str:
        return f"{self.code} (плагин не установлен)"

    variations: tuple = ()
    mentee_categories: tuple = ()
    mentor_person_kinds: tuple = ()
    mentee_person_kinds: tuple = ()
    groups_allowed: bool = False
    missing: bool = True


class DuplicateCode(Exception):
    pass


@dataclass
class Registry:
    """Everything the plugins contributed, by code."""

    kinds: dict[str, MentoringKind] = field(default_factory=dict)
    report_formats: dict[str, ReportFormat] = field(default_factory=dict)
    partners: dict[str, PartnerOrganisation] = field(default_factory=dict)
    counters: dict[str, Counter] = field(default_factory=dict)
    fulfilment_rules: dict[str, FulfilmentRule] = field(default_factory=dict)
    event_kinds: dict[str, EventKind] = field(default_factory=dict)
    owner: dict[tuple[str, str], str] = field(default_factory=dict)  # (registry, code) -> plugin name

    def kind(self, code: str) -> MentoringKind | MissingKind:
        return self.kinds.get(code) or MissingKind(code)


REGISTRY_HOOKS = {
    # hook name -> (registry attribute, expected type)
    "nastavnik_mentoring_kinds": ("kinds", MentoringKind),
    "nastavnik_report_formats": ("report_formats", ReportFormat),
    "nastavnik_partner_organisations": ("partners", PartnerOrganisation),
    "nastavnik_counters": ("counters", Counter),
    "nastavnik_fulfilment_rules": ("fulfilment_rules", FulfilmentRule),
    "nastavnik_event_kinds": ("event_kinds", EventKind),
}


def validate_contribution(plugin_name: str, hook_name: str, values, registry: Registry) -> list:
    """Check one plugin's answer to a registry hook; raise on a wrong type or a duplicate code."""
    attribute, expected = REGISTRY_HOOKS[hook_name]
    target = getattr(registry, attribute)
    values = list(values or [])
    seen = set()
    for value in values:
        if not isinstance(value, expected):
            raise TypeError(f"{hook_name} вернул {type(value).__name__}, ожидался {expected.__name__}")
        if not value.code or value.code in seen or value.code in target:
            other = registry.owner.get((attribute, value.code), plugin_name)
            raise DuplicateCode(f"код «{value.code}» уже зарегистрирован плагином {other}")
        seen.add(value.code)
    return values


def add_contribution(plugin_name: str, hook_name: str, values: list, registry: Registry) -> None:
    attribute, _ = REGISTRY_HOOKS[hook_name]
    for value in values:
        getattr(registry, attribute)[value.code] = value
        registry.owner[(attribute, value.code)] = plugin_name
