"""Computing a report: counters for the scope, indicators with N and D, cells and their formulas.

Everything is computed per education organisation of the scope; totals sum N and D and compute the
share again (a percentage is never averaged). A counter that is not installed or fails gives «нет
данных» in the cells that need it, never an exception; a format that is itself broken raises
:class:`ReportError`, which the caller shows on that report only.
"""

from __future__ import annotations

import ast
import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from nastavnik.extensions import db
from nastavnik.orgs.models import EDUCATION_KINDS, Organisation
from nastavnik.periods import AcademicYear
from nastavnik.plugins.manager import registry
from nastavnik.plugins.registry import ReportCell, ReportColumn, ReportFormat, ReportRow
from nastavnik.reports.models import Indicator, IndicatorEntry
from nastavnik.reports.scope import counter_scope, subtree_select

log = logging.getLogger(__name__)

MISSING = "нет данных: счётчик не установлен (плагин {})"
FAILED = "нет данных: ошибка счётчика «{}» (плагин {}); подробности в журнале сервера"
# Counters the core expects from capabilities built alongside reports (for the «нет данных» message).
EXPECTED_PROVIDERS = {
    "satisfied_mentees": "мониторинг (nastavnik.monitoring)",
    "surveyed_mentees": "мониторинг (nastavnik.monitoring)",
    "satisfied_mentors": "мониторинг (nastavnik.monitoring)",
    "surveyed_mentors": "мониторинг (nastavnik.monitoring)",
    "partners_with_mentors": "партнёры (nastavnik.partners)",
    "partners_total": "партнёры (nastavnik.partners)",
}


class ReportError(Exception):
    """The format itself cannot be computed (a plugin's fault); the message is Russian."""


@dataclass
class Figure:
    """A value with its numerator and denominator (for a share) and a note («D вручную: ОО-1 …»)."""

    value: float | None
    n: float | None = None
    d: float | None = None
    note: str = ""

    def dump(self) -> list:
        return [self.value, self.n, self.d, self.note]


def share(n: float | None, d: float | None, note: str = "") -> Figure:
    value = n / d * 100 if n is not None and d else None
    return Figure(value, n, d, note)


@dataclass
class Counts:
    """Counter values per organisation, and why a counter has none."""

    values: dict[str, dict[int, int]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def get(self, code: str, org_id: int) -> int:
        return self.values.get(code, {}).get(org_id, 0)


def run_counters(codes, scope, providers: dict[str, str] | None = None) -> Counts:
    """Each counter once, on its own: a missing or failing one is noted, the others go on."""
    reg, counts = registry(), Counts()
    providers = {**EXPECTED_PROVIDERS, **(providers or {})}
    codes = sorted(set(codes))
    count_together(reg, codes, scope)
    for code in codes:
        counter = reg.counters.get(code)
        if counter is None:
            counts.problems[code] = MISSING.format(providers.get(code) or "не известен")
            continue
        try:
            counts.values[code] = {int(k): int(v) for k, v in counter.compute(scope).items()}
        except Exception:  # noqa: BLE001 - a plugin's counter must not take the report down
            owner = reg.owner.get(("counters", code), "?")
            log.exception("Счётчик %s (плагин %s) упал", code, owner)
            db.session.rollback()
            counts.problems[code] = FAILED.format(code, owner)
    return counts


def count_together(reg, codes, scope) -> None:
    """Counters that can be counted together (their ``compute`` has a ``count_together``: the people,
    members and pairs batches) are counted first, in one statement per kind, and leave their figures on
    the scope, where each counter then reads its own. Should that statement fail, each counter runs on
    its own afterwards, with its own «нет данных» if it fails again."""
    groups: dict = {}
    for code in codes:
        compute = getattr(reg.counters.get(code), "compute", None)
        together = getattr(compute, "count_together", None)
        if together is not None:
            groups.setdefault(together, []).append(compute)
    for together, computes in groups.items():
        try:
            together(scope, computes)
        except Exception:  # noqa: BLE001 - the counters then run one by one, as without it
            log.exception("Счётчики %s не посчитаны вместе", ", ".join(map(repr, computes)))
            db.session.rollback()


# --- The organisations of a scope -------------------------------------------------------------------


def scope_orgs(root_id: int) -> list[tuple[int, str, str]]:
    """(id, title, group) of the education organisations under ``root_id``; group = the municipality."""
    orgs = db.session.execute(
        select(Organisation.id, Organisation.parent_id, Organisation.kind, Organisation.name, Organisation.short_name,
               Organisation.archived)
        .where(Organisation.id.in_(subtree_select([root_id])))
    ).all()
    by_id = {o.id: o for o in orgs}
    groups: dict[int | None, str] = {}  # parent id -> the municipality above it (a region has 2,000 schools)

    def group(parent_id) -> str:
        if parent_id not in groups:
            org = by_id.get(parent_id)
            while org is not None and org.kind != "municipality":
                org = by_id.get(org.parent_id)
            groups[parent_id] = (org.short_name or org.name) if org is not None else ""
        return groups[parent_id]

    rows = [(org_id, short_name or name, group(parent_id))
            for org_id, parent_id, kind, name, short_name, archived in orgs if kind in EDUCATION_KINDS and not archived]
    return sorted(rows, key=lambda r: (r[2], r[1]))


# --- Indicators -------------------------------------------------------------------------------------


def load_entries(root_id: int, academic_year: int) -> dict[tuple[int, int, str], IndicatorEntry]:
    entries = db.session.scalars(
        select(IndicatorEntry).where(
            IndicatorEntry.org_id.in_(subtree_select([root_id])), IndicatorEntry.academic_year == academic_year
        )
    )
    return {(e.indicator_id, e.org_id, e.kind): e for e in entries}


def indicator_figures(indicator: Indicator, counts: Counts, entries, org_ids: list[int]) -> list[Figure]:
    """The indicator's figure for each of ``org_ids``. The indicator's attributes, its formula's codes and
    its counters' problem are read once, not once per school (a region has 2,000)."""
    numerators, counter_codes = indicator.numerator_codes, indicator.counter_codes
    formula, indicator_id = indicator.formula, indicator.id
    if formula == "manual":
        figures = []
        for org_id in org_ids:
            entry = entries.get((indicator_id, org_id, "value"))
            figures.append(Figure(entry.value, note=f"вручную: {entry.source}") if entry else Figure(None, note="не введено"))
        return figures
    problem = next((counts.problems[c] for c in counter_codes if c in counts.problems), "")
    if problem:
        return [Figure(None, note=problem) for _ in org_ids]
    parts = [counts.values.get(code, {}) for code in numerators]
    numerator = _numerator(parts)
    if formula == "sum":
        return [Figure(n, n) for n in map(numerator, org_ids)]
    denominators = counts.values.get(indicator.denominator, {})
    figures = []
    for org_id in org_ids:
        n = numerator(org_id)
        override = entries.get((indicator_id, org_id, "denominator"))
        if override is not None:
            figures.append(share(n, override.value, f"D вручную: {override.source}"))
        else:
            figures.append(share(n, denominators.get(org_id, 0)))
    return figures


def _numerator(parts: list[dict[int, int]]):
    """org id -> the sum of its counts in ``parts`` (most numerators are one counter: no sum to make)."""
    if len(parts) == 1:
        part = parts[0]
        return lambda org_id: part.get(org_id, 0)
    return lambda org_id: sum(part.get(org_id, 0) for part in parts)


def total_figure(indicator: Indicator, figures: list[Figure]) -> Figure:
    """Sum N and D of the organisations, then the share again: never an average of percentages."""
    notes = sorted({f.note for f in figures if f.note.startswith("нет данных")})
    if notes and all(f.value is None and f.n is None for f in figures):
        return Figure(None, note=notes[0])
    if indicator.formula == "manual":
        values = [f.value for f in figures if f.value is not None]
        if indicator.unit == "%":
            return Figure(None, note="ручные проценты не суммируются")
        return Figure(sum(values) if values else None, note="" if len(values) == len(figures) else "введено не всеми")
    n = sum(f.n or 0 for f in figures)
    if indicator.formula == "sum":
        return Figure(n, n)
    overridden = sum(1 for f in figures if f.note.startswith("D вручную"))
    note = f"D вручную у {overridden} из {len(figures)}" if overridden and len(figures) > 1 else ""
    if overridden and len(figures) == 1:
        note = figures[0].note
    return share(n, sum(f.d or 0 for f in figures), note)


def compute_indicators(indicators: list[Indicator], root_id: int, as_of: date, start: date, end: date) -> dict:
    """Every indicator for every education organisation under ``root_id``, and the totals."""
    orgs = scope_orgs(root_id)
    codes = {code for indicator in indicators for code in indicator.counter_codes}
    providers = {c: i.provider for i in indicators if i.provider for c in i.counter_codes}
    counts = run_counters(codes, counter_scope([root_id], as_of, start, end), providers)
    year = AcademicYear.of(as_of).start_year
    entries = load_entries(root_id, year)
    org_ids = [org_id for org_id, _, _ in orgs]
    values: dict[str, dict[str, list]] = {str(org_id): {} for org_id in org_ids}
    rows = [values[str(org_id)] for org_id in org_ids]
    total: dict[str, list] = {}
    for indicator in indicators:
        code = indicator.code
        figures = indicator_figures(indicator, counts, entries, org_ids)
        for row, figure in zip(rows, figures, strict=True):
            row[code] = figure.dump()
        total[code] = total_figure(indicator, figures).dump()
    return {
        "indicators": [
            {"code": i.code, "name": i.name, "unit": i.unit, "share": i.is_share, "formula": i.formula,
             "target": i.target_for(year), "time": i.time_characteristic, "definition": i.definition,
             "source_note": i.source_note}
            for i in indicators
        ],
        "orgs": [list(o) for o in orgs],
        "values": values,
        "total": total,
        "problems": sorted(set(counts.problems.values())),
    }


# --- Cells of a grid format ---------------------------------------------------------------------------

_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.Constant,
            ast.Name, ast.Call, ast.Load)


def parse_formula(text: str) -> ast.Expression:
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ReportError(f"формула «{text}»: синтаксическая ошибка") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ReportError(f"формула «{text}»: недопустимая конструкция")
        if isinstance(node, ast.Call) and (not isinstance(node.func, ast.Name) or node.func.id not in ("sum", "share")):
            raise ReportError(f"формула «{text}»: допустимы только функции sum и share")
    return tree


def formula_refs(text: str) -> list[str]:
    return [n.id for n in ast.walk(parse_formula(text)) if isinstance(n, ast.Name) and n.id not in ("sum", "share")]


def eval_formula(text: str, lookup) -> Figure:
    """``lookup(code) -> Figure``; division by zero or a missing operand gives an empty value."""

    def ev(node) -> Figure:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return Figure(float(node.value))
        if isinstance(node, ast.Name):
            return lookup(node.id)
        if isinstance(node, ast.UnaryOp):
            inner = ev(node.operand)
            return Figure(None if inner.value is None else -inner.value)
        if isinstance(node, ast.Call):
            args = [ev(a) for a in node.args]
            if node.func.id == "share":
                if len(args) != 2:
                    raise ReportError("share(n, d): нужны два аргумента")
                return share(args[0].value, args[1].value)
            values = [a.value for a in args]
            return Figure(None if None in values else sum(values))
        left, right = ev(node.left), ev(node.right)
        if left.value is None or right.value is None:
            return Figure(None)
        op = type(node.op)
        if op is ast.Div:
            return Figure(left.value / right.value if right.value else None)
        return Figure({ast.Add: left.value + right.value, ast.Sub: left.value - right.value,
                       ast.Mult: left.value * right.value}[op])

    return ev(parse_formula(text))


def grid_of(fmt: ReportFormat) -> tuple[tuple[ReportRow, ...], tuple[ReportColumn, ...], tuple[ReportCell, ...]]:
    """The format's rows, columns and cells, checked: a plugin's mistake is a ReportError, not a 500."""
    try:
        rows, columns, cells = fmt.cells(registry()) if callable(fmt.cells) else (fmt.rows, fmt.columns, fmt.cells)
    except ReportError:
        raise
    except Exception as exc:
        log.exception("Формат %s: не удалось построить ячейки", fmt.code)
        raise ReportError(f"форма «{fmt.title}» не построилась: {type(exc).__name__}: {exc}") from exc
    codes = {c.code for c in cells}
    row_codes, column_codes = {r.code for r in rows}, {c.code for c in columns}
    for cell in cells:
        if cell.row not in row_codes or cell.column not in column_codes:
            raise ReportError(f"ячейка {cell.code}: строки «{cell.row}» или графы «{cell.column}» нет в форме")
        if cell.formula:
            unknown = [ref for ref in formula_refs(cell.formula) if ref not in codes]
            if unknown:
                raise ReportError(f"ячейка {cell.code}: формула ссылается на неизвестные ячейки {', '.join(unknown)}")
    return tuple(rows), tuple(columns), tuple(cells)


def _ordered(cells) -> list[ReportCell]:
    """Formula cells after the cells they read (a cycle is the format's error)."""
    by_code, done, order = {c.code: c for c in cells}, set(), []

    def visit(cell, path=()):
        if cell.code in done:
            return
        if cell.code in path:
            raise ReportError(f"ячейка {cell.code}: формулы ссылаются друг на друга по кругу")
        for ref in formula_refs(cell.formula) if cell.formula else ():
            visit(by_code[ref], (*path, cell.code))
        done.add(cell.code)
        order.append(cell)

    for cell in cells:
        visit(cell)
    return order


def compute_grid(fmt: ReportFormat, root_id: int, as_of: date, start: date, end: date, manual: dict) -> dict:
    """The grid's cells for the whole scope (counters summed over its organisations)."""
    rows, columns, cells = grid_of(fmt)
    orgs = scope_orgs(root_id)
    indicators = {i.code: i for i in db.session.scalars(select(Indicator))}
    counts = run_counters({c.counter for c in cells if c.counter}, counter_scope([root_id], as_of, start, end))
    needed = [indicators[c.indicator] for c in cells if c.indicator in indicators]
    ind_data = compute_indicators(needed, root_id, as_of, start, end) if needed else {"total": {}, "indicators": []}
    org_ids = [o[0] for o in orgs]
    total: dict[str, Figure] = {}
    for cell in _ordered(cells):
        if cell.counter:
            figure = (Figure(None, note=counts.problems[cell.counter]) if cell.counter in counts.problems
                      else Figure(sum(counts.get(cell.counter, o) for o in org_ids)))
        elif cell.formula:
            figure = eval_formula(cell.formula, lambda code: total[code])
        elif cell.manual is not None:
            figure = Figure(manual.get(cell.code))
        elif cell.indicator:
            raw = ind_data["total"].get(cell.indicator)
            figure = Figure(None, note=f"показатель {cell.indicator} не найден") if raw is None else Figure(*raw)
            part = {"n": figure.n, "d": figure.d, "value": figure.value}
            if cell.part == "target":
                target = next((i["target"] for i in ind_data["indicators"] if i["code"] == cell.indicator), None)
                figure = Figure(target)
            elif cell.part in part:
                figure = Figure(part[cell.part], figure.n, figure.d, figure.note)
        else:
            figure = Figure(None)
        total[cell.code] = figure
    return {
        "rows": [{"code": r.code, "title": r.title, "number": r.number} for r in rows],
        "columns": [{"code": c.code, "title": c.title, "kind": c.kind} for c in columns],
        "cells": [{"code": c.code, "row": c.row, "column": c.column, "source": c.source, "formula": c.formula,
                   "counter": c.counter, "indicator": c.indicator} for c in cells],
        "orgs": [list(o) for o in orgs],
        "total": {code: figure.dump() for code, figure in total.items()},
        "problems": sorted(set(counts.problems.values())),
    }
