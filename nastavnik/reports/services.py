"""Report runs and their life: compute and store, submit (409 to the second of two), review, collections."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import event, func, inspect, or_, select, update
from sqlalchemy.orm import Session

from nastavnik import access
from nastavnik.extensions import db
from nastavnik.orgs.models import EDUCATION_KINDS, Organisation
from nastavnik.orgs.services import path
from nastavnik.pairs.models import Pair
from nastavnik.participants.models import Person
from nastavnik.periods import AcademicYear, ru_date
from nastavnik.plugins.manager import plugin_state, registry
from nastavnik.plugins.registry import ReportFormat
from nastavnik.reports.engine import ReportError, compute_grid, compute_indicators
from nastavnik.reports.indicators import active_indicators
from nastavnik.reports.models import ReportCollection, ReportRun
from nastavnik.reports.scope import subtree_select
from nastavnik.timeutil import today, utcnow
from nastavnik.versioning import Conflict

log = logging.getLogger(__name__)

LEVEL_KINDS = {
    "school": EDUCATION_KINDS,
    "municipality": ("municipality", "authority"),
    "region": ("region",),
}
FROZEN_FIELDS = ("data", "options", "as_of", "period_start", "period_end", "org_id", "format_code")


class RunFrozen(Exception):
    """A submitted run's figures were about to change."""


class RunError(Exception):
    """A Russian message for the user, about a run or a submission."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_submitted_runs(session, flush_context, instances) -> None:
    """A submitted (accepted, returned) run never changes: its figures are what the school signed off."""
    for obj in session.dirty:
        if not isinstance(obj, ReportRun):
            continue
        state = inspect(obj)
        was = state.attrs.status.history.deleted
        original_status = was[0] if was else obj.status
        if original_status == "draft":
            continue
        if any(state.attrs[name].history.has_changes() for name in FROZEN_FIELDS):
            raise RunFrozen(f"отчёт № {obj.id} сдан: его данные не изменяются")
    for obj in session.deleted:
        if isinstance(obj, ReportRun) and obj.status != "draft":
            raise RunFrozen(f"отчёт № {obj.id} сдан: его нельзя удалить")


# --- Formats and editions -------------------------------------------------------------------------


def family(code: str) -> str:
    """Editions of one form share the code before «@» (krsk_monitoring@2025, krsk_monitoring@2026)."""
    return code.split("@", 1)[0]


def editions(code: str) -> list[ReportFormat]:
    fam = family(code)
    found = [f for f in registry().report_formats.values() if family(f.code) == fam]
    return sorted(found, key=lambda f: (f.valid_from or date.min, f.version))


def edition_for(code: str, as_of: date) -> ReportFormat | None:
    """The newest edition in force on ``as_of``."""
    valid = [f for f in editions(code) if f.valid_from is None or f.valid_from <= as_of]
    return valid[-1] if valid else None


def current_formats() -> list[ReportFormat]:
    """One entry per family: the newest edition in force today (the list page)."""
    seen, result = set(), []
    for fmt in registry().report_formats.values():
        fam = family(fmt.code)
        if fam in seen:
            continue
        seen.add(fam)
        result.append(edition_for(fmt.code, today()) or editions(fmt.code)[0])
    return result


def format_owner(fmt: ReportFormat) -> tuple[str, str]:
    """(plugin name, its version) of the format."""
    state = plugin_state()
    name = state.registry.owner.get(("report_formats", fmt.code), "")
    info = state.infos.get(name)
    return name, info.version if info else ""


def is_builtin(fmt: ReportFormat) -> bool:
    return format_owner(fmt)[0] == "nastavnik.reports"


# --- Options -------------------------------------------------------------------------------------


@dataclass
class Options:
    org_id: int
    as_of: date
    start: date
    end: date
    manual: dict


def data_start(org_id: int) -> date:
    """The 1 September of the academic year of the scope's earliest record (person or pair)."""
    scope = subtree_select([org_id])
    first_pair = db.session.scalar(select(func.min(Pair.starts_on)).where(Pair.org_id.in_(scope)))
    first_person = db.session.scalar(select(func.min(Person.created_at)).where(Person.org_id.in_(scope)))
    days = [d for d in (first_pair, first_person.date() if first_person else None) if d]
    return AcademicYear.of(min(days)).starts if days else AcademicYear.of(today()).starts


def org_choices(user, fmt: ReportFormat, permission: str = "reports.run") -> list[Organisation]:
    """The organisations the user may run ``fmt`` for: in their scope, of the format's level."""
    ids = access.scope(user, permission)
    if not ids:
        return []
    kinds = LEVEL_KINDS.get(fmt.level, EDUCATION_KINDS)
    return list(db.session.scalars(
        select(Organisation).where(Organisation.id.in_(ids), Organisation.kind.in_(kinds), ~Organisation.archived)
        .order_by(Organisation.name)
    ))


# --- Runs ----------------------------------------------------------------------------------------


def compute(fmt: ReportFormat, options: Options) -> dict:
    """The run's data (see engine); a broken format raises ReportError."""
    if fmt.layout in ("indicators", "by_org"):
        data = compute_indicators(active_indicators(), options.org_id, options.as_of, options.start, options.end)
    else:
        data = compute_grid(fmt, options.org_id, options.as_of, options.start, options.end, options.manual)
    data["layout"] = fmt.layout
    return data


def create_run(fmt: ReportFormat, options: Options, user, collection: ReportCollection | None = None) -> ReportRun:
    """Compute and store a draft run. The caller commits."""
    try:
        data = compute(fmt, options)
    except ReportError:
        raise
    except Exception as exc:  # noqa: BLE001 - a plugin's format must fail alone
        log.exception("Отчёт %s не рассчитан", fmt.code)
        raise ReportError(f"{type(exc).__name__}: {exc}") from exc
    plugin, plugin_version = format_owner(fmt)
    run = ReportRun(
        org_id=options.org_id, format_code=fmt.code, format_title=fmt.title, format_version=fmt.version,
        plugin=plugin, plugin_version=plugin_version, level=fmt.level, as_of=options.as_of,
        period_start=options.start, period_end=options.end,
        options={"manual": options.manual, "as_of": options.as_of.isoformat(), "start": options.start.isoformat(),
                 "end": options.end.isoformat(), "org_id": options.org_id},
        data=data, status="draft", collection_id=collection.id if collection else None,
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(run)
    db.session.flush()
    return run


def runs_query(user):
    """Runs the user may see: of organisations in their reports.view scope, and those submitted to them."""
    ids = access.scope(user, "reports.view")
    return select(ReportRun).where(ReportRun.org_id.in_(ids)).order_by(ReportRun.created_at.desc(), ReportRun.id.desc())


def _transition(run: ReportRun, expected_version: int, from_statuses: tuple[str, ...], **values) -> None:
    """One conditional UPDATE: of two people acting on the same run at once, one wins, the other gets Conflict."""
    result = db.session.execute(
        update(ReportRun)
        .where(ReportRun.id == run.id, ReportRun.version == expected_version, ReportRun.status.in_(from_statuses))
        .values(version=ReportRun.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict
    db.session.commit()
    db.session.refresh(run)


def submit(run: ReportRun, user, expected_version: int, day: date) -> None:
    collection = run.collection
    if collection is not None:
        if day < collection.opens_on or day > collection.closes_on:
            raise RunError(
                f"Сбор «{collection.title}» принимает отчёты с {ru_date(collection.opens_on)} по "
                f"{ru_date(collection.closes_on)}: сегодня сдать нельзя."
            )
        pending = db.session.scalar(select(ReportRun.id).where(
            ReportRun.collection_id == collection.id, ReportRun.org_id == run.org_id, ReportRun.id != run.id,
            ReportRun.status.in_(("submitted", "accepted")),
        ))
        if pending:
            raise RunError(f"В этот сбор уже сдан отчёт № {pending}: дождитесь проверки или возврата.")
    _transition(run, expected_version, ("draft",), status="submitted", submitted_by_id=user.id, submitted_at=utcnow())


def review(run: ReportRun, user, expected_version: int, accept: bool, comment: str) -> None:
    comment = (comment or "").strip()
    if not accept and not comment:
        raise RunError("Напишите, что исправить: без комментария отчёт не возвращают.")
    _transition(run, expected_version, ("submitted",), status="accepted" if accept else "returned",
                reviewed_by_id=user.id, reviewed_at=utcnow(), review_comment=comment)


def can_review(user, run: ReportRun) -> bool:
    """The coordinator of the collection's organisation (or above) reviews what was submitted to it."""
    if run.collection is None:  # submitted to the organisation above
        return run.org.parent_id is not None and access.can(user, "reports.review", run.org.parent_id)
    return access.can(user, "reports.review", run.collection.org_id)


# --- Collections --------------------------------------------------------------------------------


def submitter_kinds(fmt: ReportFormat | None) -> tuple[str, ...]:
    return LEVEL_KINDS.get(fmt.level if fmt else "school", EDUCATION_KINDS)


def expected_submitters(collection: ReportCollection) -> list[Organisation]:
    fmt = registry().report_formats.get(collection.format_code)
    kinds = ("municipality",) if fmt is not None and fmt.level == "municipality" else submitter_kinds(fmt)
    return list(db.session.scalars(
        select(Organisation).where(
            Organisation.id.in_(subtree_select([collection.org_id])), Organisation.id != collection.org_id,
            Organisation.kind.in_(kinds), ~Organisation.archived,
        ).order_by(Organisation.name)
    ))


def submitter_of(org: Organisation, collection: ReportCollection) -> int:
    """A municipal run made by the МКУ УО counts for its municipality."""
    fmt = registry().report_formats.get(collection.format_code)
    if fmt is not None and fmt.level == "municipality":
        for ancestor in reversed(path(org)):
            if ancestor.kind == "municipality":
                return ancestor.id
    return org.id


@dataclass
class SubmissionRow:
    org: Organisation
    run: ReportRun | None  # the latest run in the collection

    @property
    def state(self) -> str:
        return self.run.status if self.run else "missing"

    @property
    def state_title(self) -> str:
        return self.run.status_title if self.run else "не сдан"


def submissions(collection: ReportCollection) -> list[SubmissionRow]:
    """Every expected organisation with its latest run in the collection (drafts count as not submitted)."""
    runs = db.session.scalars(
        select(ReportRun).where(ReportRun.collection_id == collection.id, ReportRun.status != "draft")
        .order_by(ReportRun.id)
    ).all()
    latest: dict[int, ReportRun] = {}
    for run in runs:
        latest[submitter_of(run.org, collection)] = run
    return [SubmissionRow(org, latest.get(org.id)) for org in expected_submitters(collection)]


def collections_for(user) -> list[ReportCollection]:
    """Collections the user runs (their org or below) or submits to (an org above theirs)."""
    ids = access.scope(user, "reports.view")
    if not ids:
        return []
    above = set()
    for role in user.roles:
        org = db.session.get(Organisation, role.org_id)
        above |= {o.id for o in path(org)} if org else set()
    return list(db.session.scalars(
        select(ReportCollection).where(or_(ReportCollection.org_id.in_(ids), ReportCollection.org_id.in_(above)))
        .order_by(ReportCollection.closes_on.desc(), ReportCollection.id.desc())
    ))


def open_collections_for(org_id: int, fmt_code: str, day: date) -> list[ReportCollection]:
    org = db.session.get(Organisation, org_id)
    above = [o.id for o in path(org)] if org else []
    return list(db.session.scalars(
        select(ReportCollection).where(
            ReportCollection.org_id.in_(above), ReportCollection.org_id != org_id,
            ReportCollection.format_code == fmt_code, ReportCollection.closes_on >= day,
        ).order_by(ReportCollection.closes_on)
    ))


def rollup_from_runs(collection: ReportCollection) -> dict:
    """The roll-up of what the schools submitted: one row per organisation from its stored figures,
    totals summing N and D (rows of organisations that submitted nothing stay empty)."""
    rows = submissions(collection)
    indicators, values, org_rows = [], {}, []
    for row in rows:
        org_rows.append([row.org.id, row.org.title, row.state_title])
        if row.run is None:
            continue
        data = row.run.data
        indicators = indicators or data.get("indicators", [])
        values[str(row.org.id)] = data.get("total", {})
    total = {}
    for indicator in indicators:
        code = indicator["code"]
        figures = [values[k][code] for k in values if code in values[k]]
        n = sum(f[1] or 0 for f in figures)
        d = sum(f[2] or 0 for f in figures)
        if indicator["share"]:
            total[code] = [n / d * 100 if d else None, n, d, ""]
        else:
            v = [f[0] for f in figures if f[0] is not None]
            total[code] = [sum(v) if v else None, n, None, ""]
    return {"layout": "by_org", "indicators": indicators, "orgs": org_rows, "values": values, "total": total,
            "problems": [], "group_title": "Статус отчёта"}
