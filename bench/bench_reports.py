"""Reports at region scale (bench/region.py: 2,000 organisations, 200,000 people, 60,000 pairs).

1. The regional indicators report to .xlsx (every indicator for the region and one row per
   organisation, totals as formulas) against the same aggregation done as ONE bare SQL query plus raw
   xlsxwriter writing the same rows — goal: at most 1.3×, memory flat (constant_memory, rows streamed).
2. The municipal roll-up page (GET /reports/rollup as the municipal coordinator) against a bare
   GROUP BY of the same figures for the municipality's schools — goal: at most 2×.

    python bench/bench_reports.py [--url URL] [--scale 1.0]

Each side is timed best of five (this machine's timings vary by about a third from run to run): CPU time on
SQLite, which runs in this process, wall time on PostgreSQL.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import xlsxwriter  # noqa: E402
import xlsxwriter.utility  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench import best_in_turns  # noqa: E402
from bench.region import bench_app, build_region, log_in  # noqa: E402

REPEAT = 5
# Requests before a page is timed: the page as a worker serves it once it has served it a few times. On
# PostgreSQL psycopg prepares a statement at its fifth run on a connection, and the server plans it once
# for all (a generic plan) from its sixth run as a prepared statement, when that plan costs no more.
WARM = 12
# SQLite runs inside this process: its CPU time is the work's cost whatever else the shared machine runs
# (as in bench_dashboard, bench_exports, bench_lists). PostgreSQL works in its own process: the wall's clock.
CLOCK = time.perf_counter


def best(fn) -> float:
    times = []
    for _ in range(REPEAT):
        start = CLOCK()
        fn()
        times.append(CLOCK() - start)
    return min(times)


def peak_mb(fn) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024 / 1024


def bare_sql(as_of: date, start: date, end: date, dialect: str, parent_id: int | None = None) -> str:
    """Every figure of the Р-145 shares per organisation in one statement (a bare baseline, no app code);
    with ``parent_id``, only the organisations directly under it (a municipality's schools)."""

    def years_ago(years: int) -> str:
        try:
            return as_of.replace(year=as_of.year - years).isoformat()
        except ValueError:
            return as_of.replace(year=as_of.year - years, day=28).isoformat()

    next_day = f"'{as_of.isoformat()} 23:59:59.999999'"
    roll = f"(p.archived_at IS NULL OR p.archived_at > {next_day}) AND p.anonymised_at IS NULL"
    aged = lambda lo, hi: f"p.birth_date <= '{years_ago(lo)}' AND p.birth_date > '{years_ago(hi + 1)}'"  # noqa: E731
    live = (f"pr.status IN ('active','finished','interrupted') AND pr.starts_on <= '{end}' "
            f"AND (pr.ended_on IS NULL OR pr.ended_on >= '{start}')")
    since = (f"(julianday('{as_of}') - julianday(p.experience_on))" if dialect == "sqlite"
             else f"(DATE '{as_of}' - p.experience_on)")
    young = (f"p.kind = 'staff' AND p.experience_years IS NOT NULL AND p.experience_years + "
             f"CASE WHEN p.experience_on IS NULL THEN 0 WHEN {since} > 0 THEN {since} ELSE 0 END / 365.25 < 3.05 "
             f"AND (p.birth_date IS NULL OR p.birth_date > '{years_ago(36)}')")
    only = (f"IN (SELECT id FROM organisation WHERE parent_id = {int(parent_id)})" if parent_id is not None
            else "IS NOT NULL")
    roll += f" AND p.org_id {only}"
    return f"""
    WITH people AS (
      SELECT p.org_id,
        SUM(CASE WHEN p.kind = 'student' AND {aged(10, 18)} THEN 1 ELSE 0 END) AS d1,
        SUM(CASE WHEN p.kind = 'student' AND {aged(15, 18)} THEN 1 ELSE 0 END) AS d2,
        SUM(CASE WHEN {young} THEN 1 ELSE 0 END) AS d3,
        SUM(CASE WHEN p.kind = 'student' AND po.kind = 'college' AND {aged(15, 19)} THEN 1 ELSE 0 END) AS d4
      FROM person p JOIN organisation po ON po.id = p.org_id WHERE {roll} GROUP BY p.org_id),
    members AS (
      SELECT pr.org_id,
        COUNT(DISTINCT CASE WHEN m.role = 'mentee' AND p.kind = 'student' AND {aged(10, 18)} THEN p.id END) AS n1,
        COUNT(DISTINCT CASE WHEN m.role = 'mentor' AND p.kind = 'student' AND {aged(15, 18)} THEN p.id END) AS n2,
        COUNT(DISTINCT CASE WHEN m.role = 'mentee' AND {young} THEN p.id END) AS n3,
        COUNT(DISTINCT CASE WHEN m.role = 'mentee' AND p.kind = 'student' AND po.kind = 'college' AND {aged(15, 19)}
          THEN p.id END) AS n4,
        COUNT(DISTINCT CASE WHEN m.role = 'mentor' THEN p.id END) + COUNT(DISTINCT CASE WHEN m.role = 'mentee'
          THEN p.id END) AS participants
      FROM pair pr JOIN pair_member m ON m.pair_id = pr.id JOIN person p ON p.id = m.person_id
        JOIN organisation po ON po.id = p.org_id
      WHERE {live} AND {roll} AND pr.org_id {only} GROUP BY pr.org_id),
    pairs AS (SELECT pr.org_id, COUNT(*) AS live FROM pair pr WHERE {live} AND pr.org_id {only} GROUP BY pr.org_id)
    SELECT o.id, o.name, COALESCE(m.n1, 0), COALESCE(pe.d1, 0), COALESCE(m.n2, 0), COALESCE(pe.d2, 0),
           COALESCE(m.n3, 0), COALESCE(pe.d3, 0), COALESCE(pa.live, 0), COALESCE(m.participants, 0),
           COALESCE(m.n4, 0), COALESCE(pe.d4, 0)
    FROM organisation o
    LEFT JOIN people pe ON pe.org_id = o.id LEFT JOIN members m ON m.org_id = o.id LEFT JOIN pairs pa ON pa.org_id = o.id
    WHERE o.kind IN ('school', 'preschool', 'college', 'additional') AND NOT o.archived
    ORDER BY o.name
    """


def raw_xlsx(rows) -> bytes:
    """The same sheet as the app's «По организациям»: a name, then N, D and % of the seven shares (the
    three not installed left blank) and the three counts; totals as SUM formulas."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"constant_memory": True})
    sheet = book.add_worksheet()
    pct, count = book.add_format({"num_format": "0.0%"}), book.add_format({"num_format": "#,##0"})
    r = 1
    for r, row in enumerate(rows, start=1):
        sheet.write_string(r, 0, row[1])
        col = 1
        for n, d in ((row[2], row[3]), (row[4], row[5]), (row[6], row[7]), (row[10], row[11])):  # Р-145 1–4
            sheet.write_number(r, col, n, count)
            sheet.write_number(r, col + 1, d, count)
            if d:
                sheet.write_number(r, col + 2, n / d, pct)
            else:
                sheet.write_blank(r, col + 2, None, pct)
            col += 3
        for _ in range(9):  # Р-145 5–7: counters not installed
            sheet.write_blank(r, col, None, count)
            col += 1
        sheet.write_number(r, col, row[8], count)
        sheet.write_number(r, col + 1, row[9], count)
        sheet.write_blank(r, col + 2, None, count)
    for col in range(1, 25):
        letter = xlsxwriter.utility.xl_col_to_name(col)
        sheet.write_formula(r + 1, col, f"=SUM({letter}2:{letter}{r + 1})", count)
    book.close()
    return output.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    # as every region-scale bench: `make bench-postgres` names its database in the environment
    parser.add_argument("--url", default=os.environ.get("NASTAVNIK_BENCH_DATABASE_URL") or None)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    region = build_region(args.url, scale=args.scale)
    global CLOCK
    CLOCK = time.process_time if region.url.startswith("sqlite") else time.perf_counter
    app = bench_app(region.url)
    from nastavnik.extensions import db
    from nastavnik.periods import AcademicYear
    from nastavnik.reports.engine import compute_indicators
    from nastavnik.reports.indicators import active_indicators
    from nastavnik.reports.xlsx import Meta, render

    with app.app_context():
        indicators = active_indicators()
        as_of = date.today()
        year = AcademicYear.of(as_of)
        dialect = db.engine.dialect.name
        meta = Meta(title="Показатели ЦМН: регион", org="регион", as_of=as_of.strftime("%d.%m.%Y"),
                    period=f"{year.starts:%d.%m.%Y} – {year.ends:%d.%m.%Y}")

        def ours():
            data = compute_indicators(indicators, region.region_id, as_of, year.starts, year.ends)
            data["layout"] = "indicators"
            return render(data, meta)

        sql = text(bare_sql(as_of, year.starts, year.ends, dialect))

        def baseline():
            with db.engine.connect() as connection:
                return raw_xlsx(connection.execute(sql))

        ours(), baseline()  # warm caches on both sides
        t_ours, t_base = best(ours), best(baseline)
        m_ours, m_base = peak_mb(ours), peak_mb(baseline)
        print(f"regional indicators .xlsx ({len(region.school_ids)} organisations, {dialect}): "
              f"{t_ours * 1000:.0f} ms vs bare SQL + raw xlsxwriter {t_base * 1000:.0f} ms — ratio "
              f"{t_ours / t_base:.2f} (goal ≤ 1.3); Python peak {m_ours:.1f} MB vs {m_base:.1f} MB "
              f"({'CPU' if CLOCK is time.process_time else 'wall'} time, best of {REPEAT})")

        engine = db.engine
        schools = text(bare_sql(as_of, year.starts, year.ends, dialect, region.authority_id).replace(
            "ORDER BY o.name", f"AND o.parent_id = {region.authority_id} ORDER BY o.name"))

    # Each request in its own app context, as a server runs it (and so its session ends with it).
    client = app.test_client()
    log_in(client, region.logins["municipal"])
    url = f"/reports/rollup?org_id={region.authority_id}"
    for _ in range(WARM):
        assert client.get(url).status_code == 200
    page = lambda: client.get(url)  # noqa: E731

    def group_by():
        with engine.begin() as connection:  # COMMIT, as the app's reads: a ROLLBACK drops prepared statements
            return connection.execute(schools).all()

    for _ in range(WARM):
        group_by()
    t_page, t_group = best_in_turns(page, group_by, runs=2 * REPEAT, clock=CLOCK)
    print(f"municipal roll-up page: {t_page * 1000:.0f} ms vs bare GROUP BY {t_group * 1000:.0f} ms — ratio "
          f"{t_page / t_group:.2f} (goal ≤ 2; best of {2 * REPEAT}, taken in turns)")

if __name__ == "__main__":
    main()
