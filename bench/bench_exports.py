"""Benchmark: the region's .xlsx exports against raw SQL + raw xlsxwriter on the same rows.

    python bench/bench_exports.py [--scale 1.0] [--runs 3] [--only mentees,mentors,participants]

The data set is ``bench/region.py``'s (a cached SQLite file, or ``NASTAVNIK_BENCH_DATABASE_URL``).
Each export is requested as the regional coordinator requests it (the app's route: streamed rows,
the shared .xlsx helper) and timed against a baseline in the same run: the same rows fetched in
one query (related values in correlated subqueries) and written with raw xlsxwriter in
constant_memory mode. Fails when an export takes more than 1.5 times its baseline. Memory is
measured with tracemalloc in separate runs (it slows everything down): the export's peak for the
region against the same export for one municipality (40 times fewer rows) must stay flat —
at most twice as much, where a list held in memory would be 40 times as much.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import xlsxwriter  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench import finish  # noqa: E402
from bench.bench_lists import scope_sql  # noqa: E402
from bench.region import bench_app, build_region, log_in  # noqa: E402

MAX_RATIO = 1.5
MAX_MEMORY_GROWTH = 2.0


def _aggregate(dialect: str, expression: str) -> str:
    return f"string_agg({expression}, ', ')" if dialect == "postgresql" else f"group_concat({expression}, ', ')"


def baseline_sql(name: str, scope: str, dialect: str) -> str:
    """The export's rows in one query: what a hand-written export would read."""
    day = f"'{date.today().isoformat()}'"
    eligible = (
        f"EXISTS (SELECT 1 FROM consent c WHERE c.person_id = p.id AND c.kind = 'pd_processing' AND c.signed_on <= {day}"
        f" AND (c.valid_until IS NULL OR c.valid_until >= {day}) AND (c.withdrawn_on IS NULL OR c.withdrawn_on > {day}))"
        " AND p.archived_at IS NULL AND p.anonymised_at IS NULL"
    )
    person = "p.last_name, p.first_name, p.middle_name, p.phone, p.email, o.name, o.short_name"
    if name == "participants":
        return (f"SELECT {person}, p.kind, p.birth_date, p.class_name, p.position, p.subjects FROM person p "
                f"JOIN organisation o ON o.id = p.org_id WHERE p.org_id IN {scope} AND p.kind != 'parent' AND {eligible} "
                "ORDER BY p.org_id, p.last_name, p.first_name, p.id")
    if name == "mentees":
        tags = _aggregate(dialect, "t.title")
        return (
            f"SELECT {person}, m.request_text, m.entered_on, m.kind_code, "
            f"(SELECT {tags} FROM mentee_tag mt JOIN tag t ON t.id = mt.tag_id WHERE mt.mentee_id = m.id), "
            "(SELECT mp.last_name || ' ' || mp.first_name FROM pair_member me JOIN pair_member mm ON mm.pair_id = "
            "me.pair_id AND mm.role = 'mentor' JOIN person mp ON mp.id = mm.person_id JOIN pair pr ON pr.id = me.pair_id "
            "WHERE me.person_id = p.id AND me.role = 'mentee' AND pr.status != 'interrupted' ORDER BY pr.id DESC LIMIT 1) "
            f"FROM mentee_profile m JOIN person p ON p.id = m.person_id JOIN organisation o ON o.id = p.org_id "
            f"WHERE m.org_id IN {scope} AND {eligible} ORDER BY p.last_name, p.first_name, m.id"
        )
    tags, names = _aggregate(dialect, "t.title"), _aggregate(dialect, "mp.last_name || ' ' || mp.first_name")
    return (
        f"SELECT {person}, m.achievements, m.interests, m.time_place, m.kind_codes, m.case_url, "
        f"(SELECT {tags} FROM mentor_tag mt JOIN tag t ON t.id = mt.tag_id WHERE mt.mentor_id = m.id), "
        f"(SELECT {names} FROM pair_member mm JOIN pair_member me ON me.pair_id = mm.pair_id AND me.role = 'mentee' "
        "JOIN person mp ON mp.id = me.person_id JOIN pair pr ON pr.id = mm.pair_id "
        "WHERE mm.person_id = p.id AND mm.role = 'mentor' AND pr.status IN ('forming', 'active')) "
        f"FROM mentor_profile m JOIN person p ON p.id = m.person_id JOIN organisation o ON o.id = p.org_id "
        f"WHERE m.org_id IN {scope} AND {eligible} ORDER BY p.last_name, p.first_name, m.id"
    )


def baseline(engine, name: str, roots: str) -> int:
    """Raw SQL + raw xlsxwriter (constant_memory, write_string): returns the rows written."""
    with tempfile.TemporaryFile() as file, engine.connect() as conn:
        book = xlsxwriter.Workbook(file, {"constant_memory": True})
        sheet = book.add_worksheet("rows")
        cell = book.add_format({"text_wrap": True, "border": 1})
        result = conn.execution_options(stream_results=True, yield_per=500).execute(
            text(baseline_sql(name, scope_sql(roots), engine.dialect.name)))
        count = 0
        for count, row in enumerate(result, start=1):
            for col, value in enumerate(row):
                sheet.write_string(count, col, "" if value is None else str(value), cell)
        book.close()
    return count


EXPORTS = {"mentees": "/banks/mentees.xlsx", "mentors": "/banks/mentors.xlsx", "participants": "/participants/export.xlsx"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="")
    args = parser.parse_args(argv)
    region = build_region(os.environ.get("NASTAVNIK_BENCH_DATABASE_URL") or None, args.scale)
    clock = time.process_time if region.url.startswith("sqlite") else time.perf_counter
    app = bench_app(region.url)
    from nastavnik.extensions import db

    with app.app_context():
        engine = db.engine
    regional = log_in(app.test_client(), region.logins["region"])
    municipal = log_in(app.test_client(), region.logins["municipal"])

    def export(client, url) -> int:
        response = client.get(url, buffered=False)
        assert response.status_code == 200, url
        # Read as a browser reads a download: chunk by chunk. Reading it whole (get_data) put the
        # file's own size into the export's peak memory, which then grew with the rows.
        size = sum(len(chunk) for chunk in response.iter_encoded())
        response.close()
        return size

    def best(function) -> float:
        times = []
        for _ in range(args.runs):
            started = clock()
            function()
            times.append(clock() - started)
        return min(times)

    def peak(function) -> float:
        tracemalloc.start()
        function()
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top / 2**20

    print(f"{'export':13} {'rows':>7} {'app s':>7} {'raw s':>7} {'ratio':>6} {'app MB':>7} {'raw MB':>7} "
          f"{'1 mun. MB':>9} {'growth':>7}")
    failures = []
    for name, url in EXPORTS.items():
        if args.only and name not in args.only.split(","):
            continue
        rows = baseline(engine, name, str(region.region_id))
        app_s = best(lambda u=url: export(regional, u))
        raw_s = best(lambda n=name: baseline(engine, n, str(region.region_id)))
        app_mb = peak(lambda u=url: export(regional, u))
        raw_mb = peak(lambda n=name: baseline(engine, n, str(region.region_id)))
        small_mb = peak(lambda u=url: export(municipal, u))
        ratio, growth = app_s / raw_s, app_mb / small_mb
        verdict = "" if ratio <= MAX_RATIO and growth <= MAX_MEMORY_GROWTH else "  FAIL"
        if verdict:
            failures.append(name)
        print(f"{name:13} {rows:7} {app_s:7.2f} {raw_s:7.2f} {ratio:6.2f} {app_mb:7.1f} {raw_mb:7.1f} "
              f"{small_mb:9.1f} {growth:7.2f}{verdict}", flush=True)
    print(f"{'CPU' if clock is time.process_time else 'wall'} time, best of {args.runs}; limits: {MAX_RATIO}× raw SQL + "
          f"raw xlsxwriter, peak memory (tracemalloc) for the region at most {MAX_MEMORY_GROWTH}× one municipality's")
    return finish(failures)


if __name__ == "__main__":
    raise SystemExit(main())
