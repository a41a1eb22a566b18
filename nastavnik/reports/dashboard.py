"""Indicators on the dashboards: as of today with targets, a trend by academic year, organisations side by side.

Each computation is a fixed number of SQL statements (one per counter, grouped by organisation),
whatever the number of schools; the trend repeats it once per academic year shown.
"""

from __future__ import annotations

from datetime import date

from nastavnik import access
from nastavnik.orgs.models import Organisation
from nastavnik.periods import AcademicYear
from nastavnik.reports import charts
from nastavnik.reports.engine import compute_indicators
from nastavnik.reports.indicators import active_indicators
from nastavnik.reports.services import data_start
from nastavnik.timeutil import today

TREND_YEARS = 4
LEVEL_ORDER = {"region": 0, "municipality": 1, "authority": 2}


def dashboard_root(user) -> Organisation | None:
    """The widest organisation where the user sees reports: the region, the МКУ УО, or the school."""
    roots = [r.org for r in user.roles if access.grants(r.role, "reports.view")]
    if not roots:
        return None
    return sorted(roots, key=lambda o: (LEVEL_ORDER.get(o.kind, 9), o.name))[0]


def _share_rows(data: dict) -> list[dict]:
    rows = []
    for indicator in data["indicators"]:
        value, n, d, note = data["total"][indicator["code"]]
        rows.append(dict(indicator, value=value, n=n, d=d, note=note))
    return rows


def _grouped(data: dict, code: str) -> list[tuple[str, float | None, float, float]]:
    """(title, value, N, D) per organisation — or per municipality when there are many (a region)."""
    orgs = data["orgs"]
    if len(orgs) <= 40:
        result = []
        for org_id, title, _ in orgs:
            value, n, d, _ = data["values"][str(org_id)][code]
            result.append((title, value, n or 0, d or 0))
        return result
    groups: dict[str, list[float]] = {}
    for org_id, _, group in orgs:
        _, n, d, _ = data["values"][str(org_id)][code]
        totals = groups.setdefault(group or "—", [0, 0])
        totals[0] += n or 0
        totals[1] += d or 0
    return [(g, n / d * 100 if d else None, n, d) for g, (n, d) in sorted(groups.items())]


def trend(root_id: int, indicators, day: date) -> tuple[list[str], list[dict]]:
    """The shares by academic year, each «по состоянию на 20 сентября» (or today for the current year)."""
    first = AcademicYear.of(data_start(root_id)).start_year
    current = AcademicYear.of(day).start_year
    years = [AcademicYear(y) for y in range(max(first, current - TREND_YEARS + 1), current + 1)]
    labels, points = [], []
    for year in years:
        as_of = min(date(year.start_year, 9, 20), day)
        data = compute_indicators(indicators, root_id, as_of, year.starts, year.ends)
        labels.append(year.label)
        points.append(data["total"])
    return labels, points


def card_rows(root_id: int, day: date) -> list[dict]:
    """The dashboard card's figures: every indicator's total under ``root_id`` today (JSON-ready)."""
    year = AcademicYear.of(day)
    return _share_rows(compute_indicators(active_indicators(), root_id, day, year.starts, year.ends))


def dashboard_context(user, full: bool = False, indicator_code: str | None = None) -> dict:
    root = dashboard_root(user)
    if root is None:
        return {"root": None}
    day = today()
    year = AcademicYear.of(day)
    indicators = active_indicators()
    data = compute_indicators(indicators, root.id, day, year.starts, year.ends)
    rows = _share_rows(data)
    shares = [r for r in rows if r["share"]]
    context = {"root": root, "day": day, "year": year, "rows": rows, "data": data}
    if not full:
        return context
    context["chart_now"] = charts.indicators_vs_targets(
        f"Показатели на {day:%d.%m.%Y}", [r["code"] for r in shares], [r["value"] for r in shares],
        [r["target"] for r in shares])
    labels, points = trend(root.id, indicators, day)
    series = {r["code"]: [p.get(r["code"], [None])[0] for p in points] for r in shares}
    context.update(trend_labels=labels, trend_points=points, trend_rows=shares,
                   chart_trend=charts.trend("Динамика по учебным годам", labels, series))
    chosen = next((r for r in shares if r["code"] == indicator_code), shares[0] if shares else None)
    if chosen and len(data["orgs"]) > 1:
        side = _grouped(data, chosen["code"])
        context.update(chosen=chosen, side=side, chart_side=charts.side_by_side(
            f"{chosen['code']}: по организациям", [s[0] for s in side], [s[1] for s in side], chosen["target"]))
    return context


