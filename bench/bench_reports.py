"""Reports at region scale (bench/region.py: 2,000 organisations, 200,000 people, 60,000 pairs).

1. The regional indicators report to .xlsx (every indicator for the region and one row per
   organisation, totals as formulas) against the same aggregation done as ONE bare SQL query plus raw
   xlsxwriter writing the same rows — goal: at most 1.3×, memory flat (constant_memory, rows streamed).
2. The roll-up page (GET /reports/rollup), of a municipality as its coordinator and of the whole
   region as the regional coordinator, against a bare GROUP BY of the same figures for the same
   schools — goal: at most 2×.

Fails when a goal is missed.

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
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import xlsxwriter  # noqa: E402
import xlsxwriter.utility  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench import best_in_turns, finish  # noqa: E402
from bench.region import bench_app, build_region, log_in  # noqa: E402

REPEAT = 5
MAX_XLSX, MAX_ROLLUP = 1.3, 2.0
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
    # the satisfaction threshold: the nearest municipality's rule above the response's organisation, or 70 %
    rules = " ".join(f"LEFT JOIN organisation o{k} ON o{k}.id = {'r.org_id' if k == 1 else f'o{k - 1}.parent_id'} "
                     f"LEFT JOIN monitoring_settings s{k} ON s{k}.org_id = o{k}.id" for k in range(1, 6))
    threshold = f"COALESCE({', '.join(f's{k}.threshold_percent' for k in range(1, 6))}, 70) / 100.0 - 1e-9"
    return f"""
    WITH people AS (
      SELECT p.org_id,
        SUM(CASE WHEN p.kind = 'student' AND po.kind <> 'college' AND {aged(10, 18)} THEN 1 ELSE 0 END) AS d1,
        SUM(CASE WHEN p.kind = 'student' AND po.kind <> 'college' AND {aged(15, 18)} THEN 1 ELSE 0 END) AS d2,
        SUM(CASE WHEN {young} THEN 1 ELSE 0 END) AS d3,
        SUM(CASE WHEN p.kind = 'student' AND po.kind = 'college' AND {aged(15, 19)} THEN 1 ELSE 0 END) AS d4
      FROM person p JOIN organisation po ON po.id = p.org_id WHERE {roll} GROUP BY p.org_id),
    members AS (
      SELECT pr.org_id,
        COUNT(DISTINCT CASE WHEN m.role = 'mentee' AND p.kind = 'student' AND po.kind <> 'college' AND {aged(10, 18)}
          THEN p.id END) AS n1,
        COUNT(DISTINCT CASE WHEN m.role = 'mentor' AND p.kind = 'student' AND po.kind <> 'college' AND {aged(15, 18)}
          THEN p.id END) AS n2,
        COUNT(DISTINCT CASE WHEN m.role = 'mentee' AND {young} THEN p.id END) AS n3,
        COUNT(DISTINCT CASE WHEN m.role = 'mentee' AND p.kind = 'student' AND po.kind = 'college' AND {aged(15, 19)}
          THEN p.id END) AS n4,
        COUNT(DISTINCT CASE WHEN m.role = 'mentor' THEN p.id END) + COUNT(DISTINCT CASE WHEN m.role = 'mentee'
          THEN p.id END) AS participants
      FROM pair pr JOIN pair_member m ON m.pair_id = pr.id JOIN person p ON p.id = m.person_id
        JOIN organisation po ON po.id = p.org_id
      WHERE {live} AND {roll} AND pr.org_id {only} GROUP BY pr.org_id),
    pairs AS (SELECT pr.org_id, COUNT(*) AS live FROM pair pr WHERE {live} AND pr.org_id {only} GROUP BY pr.org_id),
    latest AS (
      SELECT max(r.id) AS id FROM monitoring_response r JOIN monitoring_recipient rc ON rc.id = r.recipient_id
        JOIN monitoring_campaign c ON c.id = r.campaign_id JOIN questionnaire q ON q.id = c.questionnaire_id
      WHERE q.purpose = 'satisfaction' AND r.role IN ('mentee', 'mentor') AND rc.person_id IS NOT NULL
        AND r.org_id {only} AND r.submitted_at >= '{start}' AND r.submitted_at < '{end + timedelta(days=1)}'
      GROUP BY rc.person_id, r.role),
    satisfaction AS (
      SELECT r.org_id,
        COUNT(CASE WHEN r.role = 'mentee' AND r.score >= {threshold} THEN 1 END) AS s1,
        COUNT(CASE WHEN r.role = 'mentee' THEN 1 END) AS q1,
        COUNT(CASE WHEN r.role = 'mentor' AND r.score >= {threshold} THEN 1 END) AS s2,
        COUNT(CASE WHEN r.role = 'mentor' THEN 1 END) AS q2
      FROM monitoring_response r {rules}
      WHERE r.id IN (SELECT id FROM latest) GROUP BY r.org_id),
    partner_mentors AS (
      SELECT pr.org_id, COUNT(DISTINCT p.org_id) AS n FROM pair pr
        JOIN pair_member m ON m.pair_id = pr.id AND m.role = 'mentor' JOIN person p ON p.id = m.person_id
      WHERE pr.org_id {only} AND p.kind = 'partner_employee' AND pr.status <> 'forming'
        AND (pr.starts_on IS NULL OR pr.starts_on <= '{end}') AND (pr.ended_on IS NULL OR pr.ended_on >= '{start}')
      GROUP BY pr.org_id),
    partners AS (
      SELECT a.org_id, COUNT(DISTINCT a.partner_id) AS n FROM partners_agreement a
      WHERE a.org_id {only} AND a.starts_on <= '{end}' AND (a.ends_on IS NULL OR a.ends_on >= '{start}')
        AND (a.terminated_on IS NULL OR a.terminated_on > '{start}')
      GROUP BY a.org_id)
    SELECT o.id, o.name, COALESCE(m.n1, 0), COALESCE(pe.d1, 0), COALESCE(m.n2, 0), COALESCE(pe.d2, 0),
           COALESCE(m.n3, 0), COALESCE(pe.d3, 0), COALESCE(pa.live, 0), COALESCE(m.participants, 0),
           COALESCE(m.n4, 0), COALESCE(pe.d4, 0), COALESCE(pm.n, 0), COALESCE(pt.n, 0),
           COALESCE(sa.s1, 0), COALESCE(sa.q1, 0), COALESCE(sa.s2, 0), COALESCE(sa.q2, 0)
    FROM organisation o
    LEFT JOIN people pe ON pe.org_id = o.id LEFT JOIN members m ON m.org_id = o.id LEFT JOIN pairs pa ON pa.org_id = o.id
    LEFT JOIN partner_mentors pm ON pm.org_id = o.id LEFT JOIN partners pt ON pt.org_id = o.id
    LEFT JOIN satisfaction sa ON sa.org_id = o.id
    WHERE o.kind IN ('school', 'preschool', 'college', 'additional') AND NOT o.archived
    ORDER BY o.name
    """


def raw_xlsx(rows) -> bytes:
    """The same sheet as the app's «По организациям»: a name, then N, D and % of the seven shares and
    the three counts (the last one entered by hand: blank); totals as SUM formulas."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"constant_memory": True})
    sheet = book.add_worksheet()
    pct, count = book.add_format({"num_format": "0.0%"}), book.add_format({"num_format": "#,##0"})
    r = 1
    for r, row in enumerate(rows, start=1):
        sheet.write_string(r, 0, row[1])
        col = 1
        for n, d in ((row[2], row[3]), (row[4], row[5]), (row[6], row[7]), (row[10], row[11]),  # Р-145 1–4
                     (row[12], row[13]), (row[14], row[15]), (row[16], row[17])):  # 5–7: partners, satisfaction
            sheet.write_number(r, col, n, count)
            sheet.write_number(r, col + 1, d, count)
            if d:
                sheet.write_number(r, col + 2, n / d, pct)
            else:
                sheet.write_blank(r, col + 2, None, pct)
            col += 3
        sheet.write_number(r, col, row[8], count)
        sheet.write_number(r, col + 1, row[9], count)
        sheet.write_blank(r, col + 2, None, count)
    for col in range(1, 25):
        letter = xlsxwriter.utility.xl_col_to_name(col)
        sheet.write_formula(r + 1, col, f"=SUM({letter}2:{letter}{r + 1})", count)
    book.close()
    return output.getvalue()


def main() -> int:
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
              f"{t_ours / t_base:.2f} (goal ≤ {MAX_XLSX:g}); Python peak {m_ours:.1f} MB vs {m_base:.1f} MB "
              f"({'CPU' if CLOCK is time.process_time else 'wall'} time, best of {REPEAT})")

        engine = db.engine
        bare = {"municipal": text(bare_sql(as_of, year.starts, year.ends, dialect, region.authority_id).replace(
                    "ORDER BY o.name", f"AND o.parent_id = {region.authority_id} ORDER BY o.name")),
                "region": sql}
        # The baselines must compute what the app shows: compared here, organisation by organisation.
        data = compute_indicators(indicators, region.authority_id, as_of, year.starts, year.ends)
        with engine.begin() as connection:
            differ = differences(data, connection.execute(bare["municipal"]).all())
    failures = [] if t_ours / t_base <= MAX_XLSX else ["regional indicators .xlsx"]
    if differ:
        print("the bare GROUP BY does not compute the app's figures: " + "; ".join(differ[:5]))
        failures.append("bare baseline")
    for role, org_id in (("municipal", region.authority_id), ("region", region.region_id)):
        ratio = rollup(app, engine, region.logins[role], org_id, bare[role], role)
        if ratio > MAX_ROLLUP:
            failures.append(f"{role} roll-up")
    return finish(failures)


# Where each indicator's N and D are in a row of ``bare_sql`` (D None: a count, no share).
COLUMNS = {"R145_1": (2, 3), "R145_2": (4, 5), "R145_3": (6, 7), "R145_4": (10, 11), "R145_5": (12, 13),
           "R145_6": (14, 15), "R145_7": (16, 17), "PAIRS": (8, None), "PARTICIPANTS": (9, None)}


def differences(data: dict, rows) -> list[str]:
    """Where the bare rows' figures differ from the app's (``compute_indicators``), as «org code: app ≠ bare»."""
    found = []
    if sorted(int(org_id) for org_id in data["values"]) != sorted(row[0] for row in rows):
        found.append("not the same organisations")
    for row in rows:
        values = data["values"].get(str(row[0]), {})
        for code, (n, d) in COLUMNS.items():
            _, app_n, app_d, _ = values.get(code, [None, None, None, ""])
            app, bare = [app_n or 0], [row[n]]
            if d is not None:
                app.append(app_d or 0)
                bare.append(row[d])
            if app != bare:
                found.append(f"{row[1]} {code}: {app} ≠ {bare}")
    return found


def rollup(app, engine, login: str, org_id: int, bare, role: str) -> float:
    """The roll-up page against its bare GROUP BY, in turns; prints them and returns the ratio."""
    # Each request in its own app context, as a server runs it (and so its session ends with it).
    client = app.test_client()
    log_in(client, login)
    url = f"/reports/rollup?org_id={org_id}"
    for _ in range(WARM):
        assert client.get(url).status_code == 200
    page = lambda: client.get(url)  # noqa: E731

    def group_by():
        with engine.begin() as connection:  # COMMIT, as the app's reads: a ROLLBACK drops prepared statements
            return connection.execute(bare).all()

    for _ in range(WARM):
        group_by()
    t_page, t_group = best_in_turns(page, group_by, runs=2 * REPEAT, clock=CLOCK)
    ratio = t_page / t_group
    print(f"{role} roll-up page: {t_page * 1000:.0f} ms vs bare GROUP BY {t_group * 1000:.0f} ms — ratio "
          f"{ratio:.2f} (goal ≤ {MAX_ROLLUP:g}; best of {2 * REPEAT}, taken in turns)")
    return ratio


if __name__ == "__main__":
    raise SystemExit(main())
