"""Roadmaps as living plans: adopting a template, assigning items to schools, statuses, evidence.

The pure modules (deadlines, mapping, oddities, export) know nothing of the database; this module
turns their drafts into rows and back.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Date, and_, bindparam, case, exists, func, literal_column, or_, select, union_all
from sqlalchemy.orm import aliased, joinedload, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from nastavnik import access
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.orgs.services import education_orgs, path, scope_above_select, scope_select, scoped, subtree
from nastavnik.periods import AcademicYear
from nastavnik.roadmaps import oddities
from nastavnik.roadmaps.adoption import adopted_draft, shift_all_years
from nastavnik.roadmaps.builtin import draft_to_dict
from nastavnik.roadmaps.deadlines import MONTHS_NOMINATIVE, UNPARSED_LABEL, Deadline, parse_deadline, resolve
from nastavnik.roadmaps.models import (
    CLOSED,
    EVIDENCE_FOLDER,
    STATUSES,
    UPCOMING_DAYS,
    Roadmap,
    RoadmapEvidence,
    RoadmapItem,
    RoadmapItemLink,
    RoadmapSection,
)
from nastavnik.roadmaps.structs import ItemDraft, RoadmapDraft, SectionDraft
from nastavnik.versioning import check_version, commit_or_conflict, save_versioned
from nastavnik.web.uploads import (
    DamagedFile,
    UploadReader,
    UploadRejected,
    display_name,
    remove_stored,
    store_file,
    stored_path,
    upload_folder,
)
from nastavnik.web.words import plural

# More occurrences than this (weekly items) would flood the plan: such an item stays one row
# spanning its occurrences.
MAX_OCCURRENCES = 12
MAX_YEARS = 5


class EvidenceError(ValueError):
    """An upload or link that cannot be kept; the message is shown as is."""


# -- templates ----------------------------------------------------------------------------------


def templates() -> dict[str, RoadmapDraft]:
    """Every template of every plugin (the built-in seeds come through the same hook)."""
    from nastavnik.plugins.manager import hook

    found: dict[str, RoadmapDraft] = {}
    for contribution in reversed(hook().nastavnik_roadmap_templates()):
        for code, draft in contribution or []:
            found.setdefault(code, draft)
    return found


def template_label(code: str, draft: RoadmapDraft) -> str:
    """How a template is offered: who wrote it, for whom, which years, and its size."""
    from nastavnik.roadmaps.builtin import BUILTIN_LABELS

    title = BUILTIN_LABELS.get(code) or (draft.title if len(draft.title) <= 120 else draft.title[:119] + "…")
    return f"{title} — {plural(len(draft.items()), 'мероприятие', 'мероприятия', 'мероприятий')}"


def schools_below(org_id: int) -> list[Organisation]:
    """The education organisations under ``org_id`` that a municipal roadmap hands its «ОО» items to."""
    return [o for o in education_orgs(subtree([org_id])) if o.id != org_id]


def template_version(draft: RoadmapDraft) -> str:
    """Hash of the template's JSON: a changed template gives a new version."""
    text = json.dumps(draft_to_dict(draft), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


# -- responsible and document type ------------------------------------------------------------

# (pattern, kind, code). First match wins; more specific phrases come first.
_RESPONSIBLE_RULES: tuple[tuple[str, str, str], ...] = (
    (r"заместител[а-я]* директора|зам\. ?директора", "role", "deputy"),
    (r"директор|руководител[а-я]* оо", "role", "director"),
    (r"куратор", "role", "curator"),
    (r"совет[а-я]* наставник|экспертн[а-я]* совет|методическ[а-я]* совет|\bмо\b", "role", "council"),
    (r"социальн[а-я]* педагог", "role", "social_pedagogue"),
    (r"классн[а-я]* руководител", "role", "class_teacher"),
    (r"педагог[а-я]*-психолог|психолог", "role", "psychologist"),
    (r"мку ?уо|управлени[а-я]* образовани|\bуо\b", "org", "authority"),
    (r"\bимо\b|методическ[а-я]* (?:служб|отдел|центр)", "org", "methodical"),
    (r"\bоо\b|образовательн[а-я]* организац", "org", "school"),
)
RESPONSIBLE_ROLES = {
    "director": "директор",
    "deputy": "заместитель директора",
    "curator": "куратор",
    "council": "совет наставников",
    "social_pedagogue": "социальный педагог",
    "class_teacher": "классный руководитель",
    "psychologist": "педагог-психолог",
    "authority": "МКУ УО",
    "methodical": "ИМО",
    "school": "ОО",
}
# Which user roles answer for which responsible codes in «мои мероприятия».
USER_ROLE_RESPONSIBLE = {
    "director": {"director"},
    "curator": {"curator", "deputy", "council"},
    "municipal": {"authority", "methodical"},
}
_DOCUMENT_TYPES: tuple[tuple[str, str], ...] = (
    (r"аналитическ[а-я]* справк", "аналитическая справка"),
    (r"дорожн[а-я]* карт", "дорожная карта"),
    (r"приказ|распорядительн", "приказ"),
    (r"положени", "положение"),
    (r"справк", "справка"),
    (r"отч[её]т", "отчёт"),
    (r"\bбаз[аы]\b|банк|реестр", "база"),
    (r"программ", "программа"),
    (r"сертификат|свидетельств", "сертификат"),
    (r"протокол", "протокол"),
    (r"соглашени", "соглашение"),
    (r"стать[яи]|публикац", "статья"),
    (r"план\b|индивидуальн[а-я]* план", "план"),
)


def _norm(text: str) -> str:
    return " ".join((text or "").lower().replace("ё", "е").split())


def parse_responsible(text: str) -> tuple[str, str]:
    """(kind, code) of a verbatim «Ответственный исполнитель»; ("text", "") when nothing matches."""
    s = _norm(text)
    for pattern, kind, code in _RESPONSIBLE_RULES:
        if re.search(pattern, s):
            return kind, code
    return "text", ""


def names_schools(text: str) -> bool:
    """«ОО», «ИМО, ОО»: the schools of the municipality are (co-)responsible."""
    return bool(re.search(r"(?<![а-я])оо(?![а-я])", _norm(text)))


def document_type(result_text: str) -> str:
    s = _norm(result_text)
    for pattern, title in _DOCUMENT_TYPES:
        if re.search(pattern, s):
            return title
    return ""


# -- planning: draft → dated items --------------------------------------------------------------


@dataclass
class PlannedItem:
    draft: ItemDraft
    deadline: Deadline
    due_start: date | None
    due_end: date | None
    occurrence_label: str = ""
    flags: list[str] = field(default_factory=list)


@dataclass
class PlannedSection:
    draft: SectionDraft
    items: list[PlannedItem] = field(default_factory=list)


def template_start_year(draft: RoadmapDraft) -> int | None:
    years = oddities.roadmap_years(draft)
    return years[0] if years else None


def year_shift(draft: RoadmapDraft, first_year: int | None, shift_dates: bool) -> int:
    """By how many years the document's dates move to the chosen academic year (0: as written)."""
    start = template_start_year(draft)
    return first_year - start if (shift_dates and first_year is not None and start is not None) else 0


def own_draft(
    draft: RoadmapDraft,
    owner: Organisation,
    first_year: int | None,
    year_count: int,
    shift_dates: bool,
    from_template: bool,
) -> RoadmapDraft:
    """What the organisation's plan will say: a template made its own (adoption.adopted_draft), an
    imported document with its years moved when asked; dated as written from then on."""
    shift = year_shift(draft, first_year, shift_dates)
    if from_template:
        return adopted_draft(draft, owner.title, first_year, year_count, shift)
    own = copy.deepcopy(draft)
    own.period_text = shift_all_years(own.period_text, shift)
    for item in own.items():
        item.deadline_text = shift_all_years(item.deadline_text, shift)
    return own


def _occurrence_label(start: date, end: date) -> str:
    if start.year == end.year and start.month == end.month:
        return f"{MONTHS_NOMINATIVE[start.month]} {start.year}"
    first = f"{MONTHS_NOMINATIVE[start.month]}" + ("" if start.year == end.year else f" {start.year}")
    return f"{first} – {MONTHS_NOMINATIVE[end.month]} {end.year}"


def _repeats_each_year(deadline: Deadline) -> bool:
    # «Ежегодно, сентябрь» and a month without a year («Май») come back every academic year.
    return deadline.kind == "recurring" or (deadline.kind in ("range", "date") and deadline.year_missing)


def plan_item(item: ItemDraft, first_year: int | None, year_count: int) -> list[PlannedItem]:
    """Dated occurrences of one item in the plan's academic years (at least one row)."""
    deadline = parse_deadline(item.deadline_text)
    flags = list(item.flags)
    if deadline.kind == "unparsed" and UNPARSED_LABEL not in flags:
        flags.append(UNPARSED_LABEL)
    if first_year is None or deadline.kind in ("empty", "unparsed"):
        return [PlannedItem(item, deadline, None, None, flags=flags)]
    years = range(first_year, first_year + year_count)
    if _repeats_each_year(deadline):
        spans = [span for year in years for span in resolve(deadline, year)]
        if len(spans) > MAX_OCCURRENCES:
            spans = [(spans[0][0], spans[-1][1])]
        labelled = deadline.kind == "recurring" or len(spans) > 1
        return [
            PlannedItem(
                item, deadline, start, end, _occurrence_label(start, end) if labelled else "", list(flags)
            )
            for start, end in spans
        ]
    if deadline.kind == "open" and deadline.start is None:
        first, last = resolve(deadline, first_year)[0], resolve(deadline, years[-1])[0]
        return [PlannedItem(item, deadline, first[0], last[1], flags=flags)]
    spans = resolve(deadline, first_year)
    if not spans:
        return [PlannedItem(item, deadline, None, None, flags=flags)]
    start, end = spans[0]
    return [PlannedItem(item, deadline, start, end, flags=flags)]


# A month without a year («август») goes in the academic year by default: August is then its last
# month. When the document's order says otherwise (it opens the plan, before «до 20.08.2020»), it is
# placed by its neighbours, and flagged so that someone checks the year.
PLACED_FLAG = "месяц без года: год выбран по соседним мероприятиям — проверьте"


def _floating(deadline: Deadline) -> bool:
    return deadline.kind in ("range", "date") and deadline.year_missing


def _anchored(deadline: Deadline) -> bool:
    return bool(deadline.years) and deadline.kind in ("range", "date")


def neighbour_offset(span: tuple[date, date], before: date | None, after: date | None) -> int:
    """-1, 0 or +1 year: where a month without a year sits best between the nearest dated items
    before it (``before``: their start) and after it (``after``: their end) in the document."""

    def cost(offset: int) -> int:
        start, end = _shift(span[0], offset), _shift(span[1], offset)
        late = max(0, (before - end).days) if before else 0
        early = max(0, (start - after).days) if after else 0
        return late + early

    return min((0, -1, 1), key=lambda offset: (cost(offset), offset != 0))


def _shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _place_by_neighbours(sections: list[PlannedSection], first_year: int, year_count: int) -> None:
    groups: list[list[PlannedItem]] = []  # the dated rows of one document item, in document order
    for section in sections:
        for planned in section.items:
            if groups and groups[-1][0].draft is planned.draft:
                groups[-1].append(planned)
            else:
                groups.append([planned])
    anchors = [(i, g[0]) for i, g in enumerate(groups) if _anchored(g[0].deadline) and g[0].due_end]
    for index, group in enumerate(groups):
        first = group[0]
        if not _floating(first.deadline) or first.due_end is None:
            continue
        before = next((p.due_start or p.due_end for i, p in reversed(anchors) if i < index), None)
        after = next((p.due_end for i, p in anchors if i > index), None)
        offset = neighbour_offset((first.due_start or first.due_end, first.due_end), before, after)
        if not offset:
            continue
        moved = plan_item(first.draft, first_year + offset, year_count)
        for planned, placed in zip(group, moved, strict=True):  # as many rows: one per academic year
            planned.due_start, planned.due_end = placed.due_start, placed.due_end
            planned.occurrence_label = placed.occurrence_label
            planned.flags.append(PLACED_FLAG)


def plan(draft: RoadmapDraft, first_year: int | None, year_count: int = 1) -> list[PlannedSection]:
    """Sections with dated items: each item dated in the plan's academic years as its text says."""
    oddities.check(draft)
    sections = [
        PlannedSection(
            section, [p for item in section.items for p in plan_item(item, first_year, year_count)]
        )
        for section in draft.sections
    ]
    if first_year is not None:
        _place_by_neighbours(sections, first_year, year_count)
    return sections


# -- saving ---------------------------------------------------------------------------------------


def _org_of_kind(owner: Organisation, kind: str) -> Organisation | None:
    """The organisation of ``kind`` near the owner: itself, an ancestor, or a sibling under its parent."""
    for org in reversed(path(owner)):
        if org.kind == kind:
            return org
    for org in reversed(path(owner)):
        for child in org.children:
            if child.kind == kind:
                return child
    return None


def _apply_responsible(item: RoadmapItem, owner: Organisation) -> None:
    kind, code = parse_responsible(item.responsible_text)
    item.responsible_kind, item.responsible_role = kind, code
    if kind == "org":
        if code == "school":
            # A municipal «ОО» item belongs to every school, each through its own share; pinning it to
            # one school would put read-only copies in that school's lists and none in the others'.
            item.responsible_org_id = owner.id if owner.is_education else None
            return
        target = _org_of_kind(owner, code)
        item.responsible_org_id = target.id if target is not None else None


def _new_item(planned: PlannedItem, roadmap: Roadmap, position: int) -> RoadmapItem:
    source = planned.draft
    return RoadmapItem(
        roadmap=roadmap,
        position=position,
        number=source.number,
        name=source.name,
        content=source.content,
        deadline_text=source.deadline_text,
        responsible_text=source.responsible_text,
        result_text=source.result_text,
        deadline_kind=planned.deadline.kind,
        deadline_label=planned.deadline.label[:300],
        due_start=planned.due_start,
        due_end=planned.due_end,
        occurrence_label=planned.occurrence_label,
        document_type=document_type(source.result_text),
        flags=list(planned.flags),
    )


def create_roadmap(
    draft: RoadmapDraft,
    owner: Organisation,
    first_year: int | None,
    year_count: int = 1,
    shift_dates: bool = True,
    template_code: str | None = None,
) -> Roadmap:
    """A roadmap from a draft (template or import); added to the session, not committed.

    A template is made the owner's own first (``own_draft``); its suggested app functions become the
    items' links (``fulfilment.link_from_template``)."""
    from nastavnik.roadmaps import fulfilment

    own = own_draft(draft, owner, first_year, year_count, shift_dates, from_template=bool(template_code))
    sections = plan(own, first_year, year_count)
    roadmap = Roadmap(
        org_id=owner.id,
        org=owner,
        level=own.level if own.level in ("school", "municipality", "region") else "school",
        title=own.title,
        period_text=own.period_text,
        academic_year=first_year,
        year_count=year_count,
        approval_text=own.approval_text,
        goal=own.goal,
        tasks=own.tasks,
        expected_results=own.expected_results,
        forms_text=own.forms_text,
        provisions=own.provisions,
        columns=[list(pair) for pair in own.columns],
        template_code=template_code,
        template_version=template_version(draft) if template_code else None,
        flags=list(own.flags),
    )
    db.session.add(roadmap)
    position = 0
    records = fulfilment.RecordsCache()
    for index, planned_section in enumerate(sections):
        source = planned_section.draft
        section = RoadmapSection(number=source.number, title=source.title, task=source.task, position=index)
        roadmap.sections.append(section)
        for planned in planned_section.items:
            item = _new_item(planned, roadmap, position)
            _apply_responsible(item, owner)
            section.items.append(item)
            fulfilment.link_from_template(item, planned.draft.fulfilment, owner.id, records)
            position += 1
    if roadmap.level != "school":
        assign_to_schools(roadmap)
    return roadmap


def assign_to_schools(roadmap: Roadmap) -> list[Roadmap]:
    """Each school under the owner gets a roadmap with its share of the «ОО» items, linked back."""
    assigned = [item for item in roadmap.items() if names_schools(item.responsible_text)]
    if not assigned:
        return []
    children = [new_share(roadmap, school) for school in schools_below(roadmap.org_id)]
    for child in children:
        for item in assigned:
            share_item(item, child)
    return children


def new_share(roadmap: Roadmap, school: Organisation) -> Roadmap:
    """An empty plan of a school for the «ОО» items of a municipal roadmap."""
    child = Roadmap(
        org_id=school.id,
        org=school,
        level="school",
        parent=roadmap,
        title=f"{roadmap.title} — {school.title}",
        period_text=roadmap.period_text,
        academic_year=roadmap.academic_year,
        year_count=roadmap.year_count,
        columns=list(roadmap.columns or []),
        template_code=roadmap.template_code,
        template_version=roadmap.template_version,
        flags=[],
    )
    db.session.add(child)
    return child


def _share_section(section: RoadmapSection, child: Roadmap) -> RoadmapSection:
    for copied in child.sections:
        if copied.parent_section is section:
            return copied
    copied = RoadmapSection(
        number=section.number,
        title=section.title,
        task=section.task,
        position=section.position,
        parent_section=section,
    )
    child.sections.append(copied)
    return copied


_SHARED_FIELDS = (
    "number",
    "name",
    "content",
    "deadline_text",
    "responsible_text",
    "result_text",
    "deadline_kind",
    "deadline_label",
    "due_start",
    "due_end",
    "occurrence_label",
    "document_type",
)


def share_item(item: RoadmapItem, child: Roadmap) -> RoadmapItem:
    """The school's copy of a municipal «ОО» item, in its copy of the section, with the item's link."""
    section = _share_section(item.section, child)
    copied = RoadmapItem(
        roadmap=child,
        position=item.position,
        parent_item=item,
        flags=list(item.flags or []),
        checked_flags=list(item.checked_flags or []),
        **{name: getattr(item, name) for name in _SHARED_FIELDS},
    )
    copied.responsible_kind, copied.responsible_role, copied.responsible_org_id = (
        "org",
        "school",
        child.org_id,
    )
    with db.session.no_autoflush:  # loading the section's items must not flush the half-attached copy
        section.items.append(copied)
    if item.link is not None:
        copied.link = RoadmapItemLink(
            rule_code=item.link.rule_code,
            record_id=item.link.record_id,
            record_chosen=item.link.record_chosen,
            record_title=item.link.record_title,
            record_url=item.link.record_url,
        )
    return copied


# -- access -----------------------------------------------------------------------------------------


def visible_roadmaps_query(user):
    """Own organisations' roadmaps, and municipal/regional roadmaps of the organisations above."""
    scope = access.scope(user, "roadmaps.view")
    return select(Roadmap).where(
        or_(Roadmap.org_id.in_(scope), (Roadmap.org_id.in_(scope.above()) & (Roadmap.level != "school")))
    )


def roadmaps_listing(user):
    """:func:`visible_roadmaps_query` for the list page and its values: built once per shape for a
    user with a scope (see ``web.paging.rows_of_page``)."""
    scope = access.scope(user, "roadmaps.view")
    if not scope:
        return visible_roadmaps_query(user), None
    return _roadmaps_statement(scope.everything), scope.params()


@cache
def _roadmaps_statement(everything: bool):
    return select(Roadmap).where(
        or_(Roadmap.org_id.in_(scope_select(everything)),
            (Roadmap.org_id.in_(scope_above_select(everything)) & (Roadmap.level != "school")))
    )


def can_view(user, roadmap: Roadmap) -> bool:
    scope = access.scope(user, "roadmaps.view")
    if roadmap.org_id in scope:
        return True
    return roadmap.level != "school" and scope.lies_under(roadmap.org_id)


def can_edit(user, roadmap: Roadmap) -> bool:
    return access.can(user, "roadmaps.edit", roadmap.org_id)


def _responsible(user, item: RoadmapItem) -> bool:
    return user.person_id is not None and item.responsible_person_id == user.person_id


def can_see_item(user, item: RoadmapItem) -> bool:
    """The roadmap's readers, and the person named responsible for the item (a teacher holds no
    roadmap permission, yet «Мои мероприятия» are theirs)."""
    return can_view(user, item.roadmap) or _responsible(user, item)


def can_work_on(user, item: RoadmapItem) -> bool:
    """Who sets the item's status and adds its evidence: the roadmap's editors and its responsible
    person. Changing the plan's texts and structure stays with the editors."""
    return can_edit(user, item.roadmap) or _responsible(user, item)


def is_responsible_anywhere(person_id: int) -> bool:
    """Is the person named responsible for some roadmap item (one indexed EXISTS)."""
    return bool(
        db.session.scalar(select(exists().where(RoadmapItem.responsible_person_id == person_id)))
    )


def earlier_adoptions(template_code: str, org_id: int, academic_year: int | None) -> list[Roadmap]:
    """Roadmaps the organisation already adopted from this template for this academic year."""
    return db.session.scalars(
        select(Roadmap).where(
            Roadmap.template_code == template_code,
            Roadmap.org_id == org_id,
            Roadmap.academic_year == academic_year,
            Roadmap.parent_roadmap_id.is_(None),
        )
    ).all()


# -- statuses ---------------------------------------------------------------------------------------


class StatusRefused(ValueError):
    """A status that cannot be set; the message is shown at the row as is."""


def set_status(item: RoadmapItem, status: str, done_on: date | None, expected_version: int | None, day: date):
    """Store a status; «выполнено» without a date means today; raises Conflict on a stale version.

    A completion date after today is refused, and so is a status for a municipal item handed to the
    schools: it follows theirs."""
    if item.rolled_up:
        raise StatusRefused("Статус этого мероприятия складывается из статусов ОО — его меняют школы.")
    if status == "done" and done_on is not None and done_on > day:
        raise StatusRefused("Дата выполнения не может быть позже сегодняшнего дня.")
    done_on = (done_on or day) if status == "done" else None
    save_versioned(item, {"status": status, "done_on": done_on}, expected_version)


@dataclass
class Rollup:
    item: RoadmapItem
    total: int
    done: int
    overdue: int
    in_progress: int
    rows: list[tuple[Organisation, RoadmapItem]]

    @property
    def text(self) -> str:
        return f"выполнено в {self.done} из {self.total}, просрочено в {self.overdue}"


def preload_shares(roadmap: Roadmap) -> None:
    """The whole plan in a handful of queries instead of several per row: sections, items, their
    evidence and links, and for a municipal roadmap the schools' copies of its items (their statuses
    make the municipal rows' status)."""
    if "sections" in roadmap.__dict__:
        return  # loaded already in this session
    items = selectinload(RoadmapSection.items)
    options = [items.selectinload(RoadmapItem.evidence), items.selectinload(RoadmapItem.link)]
    if roadmap.level != "school":
        shares = items.selectinload(RoadmapItem.child_items)
        options += [shares.selectinload(RoadmapItem.roadmap), shares.selectinload(RoadmapItem.evidence)]
    sections = db.session.scalars(
        select(RoadmapSection)
        .where(RoadmapSection.roadmap_id == roadmap.id)
        .order_by(RoadmapSection.position, RoadmapSection.id)
        .options(*options)
    ).all()
    # Held by the roadmap: the session keeps loaded rows only while something refers to them.
    set_committed_value(roadmap, "sections", sections)


def rollup(roadmap: Roadmap, day: date) -> list[Rollup]:
    """Per municipal item assigned to schools: how many schools have done it or are late."""
    preload_shares(roadmap)
    result = []
    for item in roadmap.items():
        children = item.child_items
        if not children:
            continue
        states = Counter(child.display_status(day) for child in children)
        rows = sorted(((child.roadmap.org, child) for child in children), key=lambda pair: pair[0].title)
        result.append(
            Rollup(item, len(children), states["done"], states["overdue"], states["in_progress"], rows)
        )
    return result


@dataclass
class SchoolShare:
    roadmap: Roadmap
    total: int
    done: int
    overdue: int
    evidence: int


def school_summary(roadmap: Roadmap, day: date) -> list[SchoolShare]:
    """Each school's share of a municipal roadmap: how much of it is done, how much is late."""
    result = []
    for child in sorted(roadmap.children, key=lambda r: r.org.title):
        items = child.items()
        states = status_counts(items, day)
        evidence = sum(len(item.evidence) for item in items)
        result.append(SchoolShare(child, len(items), states["done"], states["overdue"], evidence))
    return result


def display_status_column(day: date):
    """SQL twin of :meth:`RoadmapItem.display_status` over RoadmapItem joined to its Roadmap: a
    municipal item handed to schools follows their rows, any other item its own status."""
    share = aliased(RoadmapItem)

    def any_share(*conditions):
        return exists().where(share.parent_item_id == RoadmapItem.id, *conditions)

    rolled_up = and_(Roadmap.level != "school", any_share())
    all_closed = ~any_share(share.status.not_in(CLOSED))
    return case(
        (and_(rolled_up, all_closed, ~any_share(share.status != "cancelled")), "cancelled"),
        (and_(rolled_up, all_closed), "done"),
        (and_(rolled_up, any_share(share.status.not_in(CLOSED), share.due_end < day)), "overdue"),
        (and_(rolled_up, any_share(share.status.in_(("in_progress", "done")))), "in_progress"),
        (rolled_up, "planned"),
        (and_(RoadmapItem.status.not_in(CLOSED), RoadmapItem.due_end < day), "overdue"),
        else_=RoadmapItem.status,
    )


@cache
def _status_counts_statement():
    """Built once, the day and the ids bound at execution: building the CASE of five EXISTS and
    computing its cache key cost more than running it for a school's page."""
    shown = display_status_column(bindparam("day", type_=Date)).label("shown")
    return (
        select(RoadmapItem.roadmap_id, shown, func.count())
        .join(Roadmap, RoadmapItem.roadmap_id == Roadmap.id)
        .where(RoadmapItem.roadmap_id.in_(bindparam("roadmap_ids", expanding=True)))
        .group_by(RoadmapItem.roadmap_id, shown)
    )


def status_counts_of(roadmap_ids, day: date) -> dict[int, Counter]:
    """:func:`status_counts` of many roadmaps in one GROUP BY (a list page's)."""
    counts: dict[int, Counter] = {roadmap_id: Counter() for roadmap_id in roadmap_ids}
    if roadmap_ids:
        rows = db.session.execute(_status_counts_statement(), {"day": day, "roadmap_ids": list(roadmap_ids)})
        for roadmap_id, status, number in rows:
            counts[roadmap_id][status] += number
    return counts


@cache
def _share_counts_statement():
    return (
        select(Roadmap.parent_roadmap_id, func.count())
        .where(Roadmap.parent_roadmap_id.in_(bindparam("roadmap_ids", expanding=True)))
        .group_by(Roadmap.parent_roadmap_id)
    )


def share_counts(roadmap_ids) -> dict[int, int]:
    """How many schools each of these roadmaps was handed to."""
    if not roadmap_ids:
        return {}
    rows = db.session.execute(_share_counts_statement(), {"roadmap_ids": list(roadmap_ids)})
    return dict(rows.tuples().all())


# Each school's share right under the municipal roadmap it came from, newest roadmaps first.
LIST_ORDER = (func.coalesce(Roadmap.parent_roadmap_id, Roadmap.id).desc(), Roadmap.parent_roadmap_id.is_not(None),
              Roadmap.id)


def status_counts(items: list[RoadmapItem], day: date) -> Counter:
    return Counter(item.display_status(day) for item in items)


# -- evidence ---------------------------------------------------------------------------------------

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
ALLOWED_EXTENSIONS = ("pdf", "docx", "xlsx", "jpg", "png")


def _magic_ok(extension: str, data: bytes) -> bool:
    if extension == "pdf":
        return data.startswith(b"%PDF-")
    if extension in ("jpg", "jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if extension == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    return extension in ("docx", "xlsx") and data.startswith(b"PK\x03\x04")


def check_upload(filename: str, data: bytes) -> str:
    """The file's extension if it may be kept; EvidenceError with a Russian message otherwise.

    Checked by content, not only by name: a .docx or .xlsx must pass the same bounded check as an
    imported file (no zip bomb, no DTD or external entity, the package's main part present).
    """
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in _CONTENT_TYPES:
        raise EvidenceError("Недопустимый тип файла: можно загрузить PDF, DOCX, XLSX, JPG или PNG.")
    if not data:
        raise EvidenceError("Файл пустой.")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise EvidenceError("Файл слишком большой: допускается не более 5 МБ.")
    mismatch = f"Содержимое файла не похоже на {extension.upper()}: проверьте, что выбран нужный файл."
    if not _magic_ok(extension, data):
        raise EvidenceError(mismatch)
    if extension in ("docx", "xlsx"):
        try:
            UploadReader(display_name(filename)).check_package(data, extension)
        except DamagedFile as exc:
            raise EvidenceError(mismatch) from exc
        except UploadRejected as exc:
            raise EvidenceError(exc.message) from exc
    return extension


def check_link(url: str) -> str:
    url = url.strip()
    if not url:
        raise EvidenceError("Укажите файл или ссылку.")
    if not (re.match(r"^/[a-z]", url) or re.match(r"^https?://\S+$", url)) or len(url) > 1000:
        raise EvidenceError(
            "Ссылка должна вести на запись приложения («/participants/…») или начинаться с http(s)://."
        )
    return url


def add_file(item: RoadmapItem, filename: str, data: bytes, title: str, user) -> RoadmapEvidence:
    """Keep an evidence file: on disk under a generated name, then its row; both or neither.

    A failed write (a full disk: StorageFull) leaves no row and no partial file; a failed commit
    removes the written file.
    """
    extension = check_upload(filename, data)
    folder = upload_folder(EVIDENCE_FOLDER)
    stored_name = store_file(folder, data, f".{extension}")
    evidence = RoadmapEvidence(
        item=item,
        kind="file",
        filename=display_name(filename),
        stored_name=stored_name,
        size=len(data),
        content_type=_CONTENT_TYPES[extension],
        title=title[:300],
        uploaded_by_id=user.id,
    )
    try:
        db.session.add(evidence)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        remove_stored(folder, stored_name)
        raise
    return evidence


def evidence_file(evidence: RoadmapEvidence):
    """The path of a kept evidence file, or its bytes if it was stored before files moved to disk."""
    if evidence.stored_name:
        return stored_path(upload_folder(EVIDENCE_FOLDER), evidence.stored_name)
    return evidence.content or b""


def add_link(item: RoadmapItem, url: str, title: str, user) -> RoadmapEvidence:
    evidence = RoadmapEvidence(
        item=item, kind="link", link_url=check_link(url), title=title[:300], uploaded_by_id=user.id
    )
    db.session.add(evidence)
    db.session.commit()
    return evidence


# -- export -------------------------------------------------------------------------------------------


def to_draft(roadmap: Roadmap) -> RoadmapDraft:
    """The stored roadmap as a document draft (verbatim texts), for the exporters."""
    return RoadmapDraft(
        title=roadmap.title,
        level=roadmap.level,
        period_text=roadmap.period_text,
        approval_text=roadmap.approval_text,
        goal=roadmap.goal,
        tasks=roadmap.tasks,
        expected_results=roadmap.expected_results,
        forms_text=roadmap.forms_text,
        provisions=roadmap.provisions,
        columns=[tuple(pair) for pair in roadmap.columns or []],
        sections=[
            SectionDraft(
                number=section.number,
                title=section.title,
                task=section.task,
                items=[
                    ItemDraft(
                        number=item.number,
                        name=item.name,
                        content=item.content,
                        deadline_text=item.deadline_text,
                        responsible_text=item.responsible_text,
                        result_text=item.result_text,
                    )
                    for item in section.items
                ],
            )
            for section in roadmap.sections
        ],
    )


_PLAN_HEADINGS = {
    "number": "№ п/п",
    "name": "Наименование мероприятия",
    "deadline_text": "Срок реализации",
    "responsible_text": "Ответственный исполнитель",
    "result_text": "Результат, вид документа",
}


def plan_headings(roadmap: Roadmap) -> dict[str, str]:
    """The plan's column headings in the document's own words, where it has them."""
    return {
        **_PLAN_HEADINGS,
        **{field: heading for field, heading in roadmap.columns or [] if field in _PLAN_HEADINGS},
    }


def deadline_display(item: RoadmapItem) -> str:
    """What the plan shows as the deadline: the dated occurrence, else the parsed meaning."""
    from nastavnik.periods import ru_date

    if item.occurrence_label:
        return item.occurrence_label
    if item.due_end and item.due_start and item.due_start != item.due_end:
        return f"{ru_date(item.due_start)} – {ru_date(item.due_end)}"
    if item.due_end:
        return f"до {ru_date(item.due_end)}"
    return item.deadline_label or UNPARSED_LABEL


def plan_date(item: RoadmapItem) -> str:
    """The plan's date beside a deadline text that names no year («август» → «август 2026»), or the
    dated occurrence of a repeated item; empty when the text says it all."""
    if item.occurrence_label:
        return item.occurrence_label
    if item.due_end and item.deadline_kind in ("range", "date") and not re.search(r"\d{4}", item.deadline_text):
        start, end = item.due_start or item.due_end, item.due_end
        whole_months = start.day == 1 and (end + timedelta(days=1)).day == 1
        return _occurrence_label(start, end) if whole_months else deadline_display(item)
    return ""


def status_rows(roadmap: Roadmap, day: date) -> list[dict]:
    return [
        {
            "status_label": STATUSES[item.display_status(day)],
            "deadline_label": deadline_display(item),
            "done_on": item.done_on,
            "evidence": [evidence.label for evidence in item.evidence],
        }
        for item in roadmap.items()
    ]


# -- editing an item --------------------------------------------------------------------------------

# The verbatim fields a person may correct; everything the app understood is derived from them.
EDITABLE_FIELDS = ("number", "name", "content", "deadline_text", "responsible_text", "result_text")
NO_NAME_FLAG = "не указано наименование мероприятия"


def replan(item: RoadmapItem) -> None:
    """Date the item anew from its (edited) deadline text, in the same academic year as before.

    The text is taken as typed: «до 15.10.2026» is the 15th of October 2026. A month without a year
    is placed in the plan's year, or by its neighbours in the plan (``neighbour_offset``)."""
    roadmap = item.roadmap
    source = ItemDraft(number=item.number, name=item.name, deadline_text=item.deadline_text)
    years = max(roadmap.year_count, 1)
    planned = plan_item(source, roadmap.academic_year, years)
    placed = False
    if roadmap.academic_year is not None and _floating(planned[0].deadline) and planned[0].due_end:
        before, after = _anchors_around(item)
        first = planned[0]
        offset = neighbour_offset((first.due_start or first.due_end, first.due_end), before, after)
        if offset:
            planned, placed = plan_item(source, roadmap.academic_year + offset, years), True
    chosen = planned[0]
    if item.due_end is not None:
        year = AcademicYear.of(item.due_end).start_year
        same_year = [p for p in planned if p.due_end and AcademicYear.of(p.due_end).start_year == year]
        chosen = same_year[0] if same_year else chosen
    item.deadline_kind = chosen.deadline.kind
    item.deadline_label = chosen.deadline.label[:300]
    item.due_start, item.due_end = chosen.due_start, chosen.due_end
    item.occurrence_label = chosen.occurrence_label
    item.flags = [flag for flag in item.flags or [] if flag != PLACED_FLAG] + (
        [PLACED_FLAG] if placed else []
    )


def _anchors_around(item: RoadmapItem) -> tuple[date | None, date | None]:
    """Start of the nearest item with a year before ``item`` in the plan, end of the nearest after."""
    items = item.roadmap.items()
    index = items.index(item)

    def anchored(other: RoadmapItem) -> bool:
        return other.due_end is not None and _anchored(parse_deadline(other.deadline_text))

    before = next((o.due_start or o.due_end for o in reversed(items[:index]) if anchored(o)), None)
    after = next((o.due_end for o in items[index + 1 :] if anchored(o)), None)
    return before, after


def refresh_flags(roadmap: Roadmap) -> None:
    """Flag the stored roadmap again by the rules of an import (oddities.check).

    The dated repeats of one template item («ежегодно» over two years) are one item of the document,
    so they are checked once: they are not "duplicate numbers". Only items whose flags change are
    touched, so that nobody else's open row gets a needless version conflict."""
    draft = RoadmapDraft(title=roadmap.title, period_text=roadmap.period_text)
    source_of: dict[int, ItemDraft] = {}
    for section in roadmap.sections:
        section_draft = SectionDraft(number=section.number, title=section.title, task=section.task)
        seen: dict[tuple[str, str, str], ItemDraft] = {}
        for item in section.items:
            key = (item.number, item.name, item.deadline_text)
            if key not in seen:
                seen[key] = ItemDraft(
                    number=item.number,
                    name=item.name,
                    deadline_text=item.deadline_text,
                    responsible_text=item.responsible_text,
                    result_text=item.result_text,
                )
                if not item.name.strip():
                    seen[key].flags.append(NO_NAME_FLAG)
                section_draft.items.append(seen[key])
            source_of[item.id] = seen[key]
        draft.sections.append(section_draft)
    oddities.check(draft)
    for item in roadmap.items():
        flags = list(source_of[item.id].flags)
        if PLACED_FLAG in (item.flags or []):  # set when dating the item, not by the document's rules
            flags.append(PLACED_FLAG)
        if flags != list(item.flags or []):
            item.flags = flags
            item.checked_flags = [flag for flag in item.checked_flags or [] if flag in flags]
    if list(draft.flags) != list(roadmap.flags or []):
        roadmap.flags = list(draft.flags)


def apply_person(item: RoadmapItem, person_id: int | None) -> None:
    """A named person answers for the item; without one the text decides (role or organisation)."""
    item.responsible_person_id = person_id
    if person_id:
        item.responsible_kind, item.responsible_role, item.responsible_org_id = "person", "", None
    else:
        item.responsible_org_id = None
        _apply_responsible(item, item.roadmap.org)
        if item.parent_item_id is not None and item.responsible_role == "school":
            item.responsible_org_id = item.roadmap.org_id  # a school's share stays the school's


def edit_item(item: RoadmapItem, values: dict, person_id: int | None, expected_version: int | None) -> None:
    """Save corrected verbatim texts; a changed deadline is read again and re-dated; flags are redone.

    Raises Conflict when someone saved the item since ``expected_version`` (nothing is written)."""
    check_version(item, expected_version)
    deadline_changed = values["deadline_text"] != item.deadline_text
    for name in EDITABLE_FIELDS:
        setattr(item, name, values[name])
    if deadline_changed:
        replan(item)
    item.document_type = document_type(item.result_text)
    apply_person(item, person_id)
    refresh_flags(item.roadmap)
    copy_to_schools(item)
    commit_or_conflict()


_COPIED_TO_SCHOOLS = (
    *EDITABLE_FIELDS,
    *("deadline_kind", "deadline_label", "due_start", "due_end", "occurrence_label", "document_type"),
)


def copy_to_schools(item: RoadmapItem) -> None:
    """A municipal correction («Апрель 2032» → «Апрель 2023») reaches the schools' copies of the item;
    their statuses and evidence stay."""
    for child in item.child_items:
        for name in _COPIED_TO_SCHOOLS:
            setattr(child, name, getattr(item, name))
        refresh_flags(child.roadmap)


def set_flag_checked(item: RoadmapItem, flag: str, checked: bool, expected_version: int | None) -> None:
    """Mark a flag as looked at («проверено») or take the mark back; unknown flags are ignored."""
    current = [f for f in item.checked_flags or [] if f != flag]
    if checked and flag in (item.flags or []):
        current.append(flag)
    save_versioned(item, {"checked_flags": current}, expected_version)


def staff_choices(org_id: int) -> list[tuple[int, str]]:
    """Staff of the organisation a responsible may be linked to: «Фамилия И. О. — должность»."""
    from nastavnik.participants.models import Person

    people = db.session.scalars(
        select(Person)
        .where(
            Person.org_id == org_id,
            Person.kind == "staff",
            Person.archived_at.is_(None),
            Person.anonymised_at.is_(None),
        )
        .order_by(Person.last_name, Person.first_name)
    ).all()
    return [(p.id, f"{p.short_name} — {p.position}" if p.position else p.short_name) for p in people]


def delete_roadmap(roadmap: Roadmap) -> int:
    """Delete a roadmap with the school shares made from it; returns how many shares went with it."""
    shares = list(roadmap.children)
    for share in shares:
        for item in share.items():
            item.parent_item_id = None
        db.session.delete(share)
    db.session.delete(roadmap)
    db.session.commit()
    return len(shares)


# -- lists for people -----------------------------------------------------------------------------


def my_items_query(user):
    """Items of the user's person, or of the user's role in the organisation that owns the roadmap."""
    conditions = []
    if user.person_id is not None:
        conditions.append(RoadmapItem.responsible_person_id == user.person_id)
    for assignment in user.roles:
        codes = USER_ROLE_RESPONSIBLE.get(assignment.role, set())
        if not codes:
            continue
        org_ids = subtree([assignment.org_id]) if assignment.role == "municipal" else {assignment.org_id}
        conditions.append(
            RoadmapItem.roadmap.has(Roadmap.org_id == assignment.org_id)
            & RoadmapItem.responsible_role.in_(codes)
        )
        if assignment.role in ("director", "curator"):
            conditions.append(
                (RoadmapItem.responsible_role == "school") & RoadmapItem.responsible_org_id.in_(org_ids)
            )
        else:
            conditions.append(RoadmapItem.responsible_org_id == assignment.org_id)
    if not conditions:
        return None
    return select(RoadmapItem).where(or_(*conditions))


CARD_ITEMS, CARD_ORGS = 5, 10  # named on the dashboard card; the rest are counted


@dataclass
class Attention:
    """What a dashboard card shows of the overdue and soon-due items: totals, the first few, by organisation."""

    overdue: list[RoadmapItem]
    upcoming: list[RoadmapItem]
    totals: Counter
    by_org: dict[str, list[tuple[str, int]]]  # "overdue"/"upcoming" → (organisation, count), most first
    org_count: int  # organisations with anything overdue or due soon


@cache
def _card_aliases():
    # Made once: an alias adapts its columns on first use, a cost the dashboard paid on every page.
    return aliased(Roadmap), aliased(RoadmapItem)


def _attention_conditions(scope):
    """SQL twins of the card's rules over RoadmapItem joined to its Roadmap, on ``:day`` with
    ``:horizon`` the end of «скоро» (bound at execution): (candidates, overdue, upcoming). Each item counts once (the municipal row, not also the schools' copies of it, when
    both are in scope), and a municipal item handed to schools takes its status from their rows
    (RoadmapItem.display_status)."""
    parent, share = _card_aliases()
    day, horizon = bindparam("day", type_=Date), bindparam("horizon", type_=Date)
    open_ = RoadmapItem.status.not_in(CLOSED)
    candidates = and_(
        Roadmap.org_id.in_(scope),
        ~exists().where(parent.id == Roadmap.parent_roadmap_id, parent.org_id.in_(scope)),
        open_,
        RoadmapItem.due_end.is_not(None),
    )

    def shares(*conditions):
        return exists().where(share.parent_item_id == RoadmapItem.id, *conditions)

    rolled_up = and_(Roadmap.level != "school", shares())
    share_open = share.status.not_in(CLOSED)
    overdue = or_(
        and_(rolled_up, shares(share_open, share.due_end < day)),
        and_(~rolled_up, RoadmapItem.due_end < day),
    )
    still_open = or_(~rolled_up, shares(share_open))
    # the SQL twin of RoadmapItem.is_upcoming
    upcoming = and_(still_open, RoadmapItem.due_end >= day, or_(
        RoadmapItem.due_end <= horizon, and_(RoadmapItem.due_start > day, RoadmapItem.due_start <= horizon)
    ))
    return candidates, overdue, upcoming


def attention_figures(scope, day: date) -> dict:
    """The figures of :class:`Attention`, JSON-ready (the card may keep them in the figure cache)."""
    params = {"day": day, "horizon": day + timedelta(days=UPCOMING_DAYS)}
    statement, scope_params = scoped(_attention_counts, scope)
    rows = db.session.execute(statement, scope_params | params).all()
    totals, per_org = Counter(), {"overdue": Counter(), "upcoming": Counter()}
    for org_id, late, soon in rows:
        for code, number in (("overdue", late or 0), ("upcoming", soon or 0)):
            if number:
                totals[code] += number
                per_org[code][org_id] += number
    top = {code: counts.most_common(CARD_ORGS) for code, counts in per_org.items()}
    # The card names organisations only when there are several (a school's card does not).
    wanted = {org_id for pairs in top.values() for org_id, _ in pairs} if len(rows) > 1 else set()
    titles = {
        org_id: short or name for org_id, short, name in db.session.execute(
            select(Organisation.id, Organisation.short_name, Organisation.name).where(Organisation.id.in_(wanted))
        )
    } if wanted else {}

    overdue_ids, upcoming_ids = _first_ids(scope, params, bool(totals["overdue"]), bool(totals["upcoming"]))
    return {
        "totals": dict(totals), "org_count": len(rows),
        "by_org": {code: [[titles.get(org_id, ""), n] for org_id, n in pairs] for code, pairs in top.items()},
        "overdue_ids": overdue_ids, "upcoming_ids": upcoming_ids,
    }


def _first_ids(scope, params: dict, overdue: bool, upcoming: bool) -> tuple[list[int], list[int]]:
    """The first overdue and the first upcoming items' ids: one statement for both lists, none for an
    empty one."""
    build = _first_both if overdue and upcoming else _first_overdue if overdue else _first_upcoming if upcoming else None
    if build is None:
        return [], []
    statement, scope_params = scoped(build, scope)
    found: tuple[list, list] = ([], [])  # (due date, id) of each list, tagged 0 and 1
    for tag, item_id, due in db.session.execute(statement, scope_params | params):
        found[tag].append((due, item_id))
    return tuple([item_id for _, item_id in sorted(ids)] for ids in found)


def _attention_counts(scope):
    candidates, overdue, upcoming = _attention_conditions(scope)
    return (
        select(Roadmap.org_id, func.sum(case((overdue, 1), else_=0)), func.sum(case((upcoming, 1), else_=0)))
        .select_from(RoadmapItem).join(Roadmap, RoadmapItem.roadmap_id == Roadmap.id)
        .where(candidates, or_(overdue, upcoming))
        .group_by(Roadmap.org_id)
    )


def _first_items(candidates, condition, tag: int):
    """(tag, id, due date) of the first items that meet ``condition``, by due date."""
    # Sorted by an expression, not the column: with the column PostgreSQL walked the due-date
    # index of the whole database looking for five rows of the scope (27 ms for a municipality).
    due = func.coalesce(RoadmapItem.due_end, RoadmapItem.due_start)
    return (
        select(literal_column(str(int(tag))).label("tag"), RoadmapItem.id, due.label("due"))
        .join(Roadmap, RoadmapItem.roadmap_id == Roadmap.id)
        .where(candidates, condition)
        .order_by(due, RoadmapItem.id).limit(CARD_ITEMS)
    )


def _first_overdue(scope):
    candidates, overdue, _ = _attention_conditions(scope)
    return _first_items(candidates, overdue, 0)


def _first_upcoming(scope):
    candidates, _, upcoming = _attention_conditions(scope)
    return _first_items(candidates, upcoming, 1)


def _first_both(scope):
    """Both lists in one statement (each its own sorted, limited part: the rows come back in any order)."""
    candidates, overdue, upcoming = _attention_conditions(scope)
    parts = [_first_items(candidates, condition, tag).subquery() for tag, condition in enumerate((overdue, upcoming))]
    return union_all(*(select(*part.c) for part in parts))


def attention_from(figures: dict) -> Attention:
    """:class:`Attention` from :func:`attention_figures`: the named items read in one query (and
    the schools' copies of a municipal item, for «не выполнено в 2 из 4 ОО», in one more)."""
    wanted = figures["overdue_ids"] + figures["upcoming_ids"]
    items = {item.id: item for item in db.session.scalars(
        select(RoadmapItem).where(RoadmapItem.id.in_(wanted))
        # the card shows no item's link to a register: not loaded (it is eager elsewhere)
        .options(joinedload(RoadmapItem.roadmap), lazyload(RoadmapItem.link))
    )} if wanted else {}
    _load_shares([item for item in items.values() if item.may_have_shares])
    return Attention(
        [items[i] for i in figures["overdue_ids"] if i in items], [items[i] for i in figures["upcoming_ids"] if i in items],
        Counter(figures["totals"]), {code: [tuple(pair) for pair in pairs] for code, pairs in figures["by_org"].items()},
        figures["org_count"],
    )


def _load_shares(items: list[RoadmapItem]) -> None:
    """The schools' copies of these municipal items (``RoadmapItem.shares``), in one query; a school's
    own item has none, and its card sends no query for them."""
    if not items:
        return
    copies: dict[int, list[RoadmapItem]] = {item.id: [] for item in items}
    for copy_ in db.session.scalars(select(RoadmapItem).where(RoadmapItem.parent_item_id.in_(list(copies)))
                                    .options(lazyload(RoadmapItem.link))):
        copies[copy_.parent_item_id].append(copy_)
    for item in items:
        set_committed_value(item, "child_items", copies[item.id])


def attention_summary(user, day: date) -> Attention:
    """:func:`attention_items` counted in SQL: a few statements, whatever the number of schools."""
    scope = access.scope(user, "roadmaps.edit")
    if not scope:
        return Attention([], [], Counter(), {}, 0)
    return attention_from(attention_figures(scope, day))


def attention_items(user, day: date) -> tuple[list[RoadmapItem], list[RoadmapItem]]:
    """(overdue, due within 30 days) of the roadmaps the user runs, soonest first.

    Each item counts once: a coordinator sees the municipal row (whose status is the schools'), not
    also every school's copy of it; a school sees its copy."""
    scope = access.scope(user, "roadmaps.edit")
    if not scope:
        return [], []
    parent = aliased(Roadmap)
    items = db.session.scalars(
        select(RoadmapItem)
        .join(Roadmap, RoadmapItem.roadmap_id == Roadmap.id)
        .outerjoin(parent, Roadmap.parent_roadmap_id == parent.id)
        .where(
            Roadmap.org_id.in_(scope),
            or_(parent.id.is_(None), parent.org_id.not_in(scope)),
            RoadmapItem.status.not_in(CLOSED),
            RoadmapItem.due_end.is_not(None),
        )
        .order_by(RoadmapItem.due_end, RoadmapItem.id)
        .options(selectinload(RoadmapItem.child_items))
    ).all()
    overdue = [item for item in items if item.display_status(day) == "overdue"]
    upcoming = [item for item in items if item.is_upcoming(day)]
    return overdue, upcoming
