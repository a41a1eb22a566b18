"""Benchmark: the dashboard at region scale, for every level, against a bare GROUP BY in the same run.

    python bench/bench_dashboard.py [--scale 1.0] [--runs 7]

The data set is ``bench/region.py``'s (a cached SQLite file, or ``NASTAVNIK_BENCH_DATABASE_URL``).
For a school curator, a municipal coordinator, a regional coordinator and the administrator, the
whole dashboard page (login, summary, every card) is timed against the bare
``SELECT org_id, kind, count(*) FROM person WHERE org_id IN <scope> GROUP BY org_id, kind`` over
the same organisations. The page is timed as users get it — figures that took long to compute are
served from the figure cache («по состоянию на …») — and, for information, cold (the cache
emptied before each request). Each page is timed after it has been served twelve times, as a running
server serves it (see ``WARM``), in turns with its bare GROUP BY. Pages kept whole for a minute
(dashboard/pages.py) are off here: every request makes its page; bench_load.py measures the kept
ones under load. Also printed: the statements a page sends. Fails when the page is more than 3 times the bare GROUP BY — or, where that is more, than the list pages' limits (50 ms
for a school, 300 ms above): a page with its five cards costs about 30 ms whatever the data
(login, layout, the cards' own statements) while a school's GROUP BY takes a fraction of a
millisecond, so the ratio binds where the GROUP BY is big (the region).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, text  # noqa: E402

from bench import best_in_turns, finish  # noqa: E402
from bench.bench_lists import scope_sql  # noqa: E402
from bench.region import bench_app, build_region, log_in  # noqa: E402

MAX_RATIO = 3.0
FLOOR_MS = {"curator": 50, "municipal": 300, "region": 300, "admin": 300}
ROLES = ("curator", "municipal", "region", "admin")
# Requests before a page is timed: the page as a worker serves it once it has served it a few times. On
# PostgreSQL psycopg prepares a statement at its fifth run on a connection, and the server plans it once
# for all (a generic plan) from its sixth run as a prepared statement, when that plan costs no more.
WARM = 12


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    region = build_region(os.environ.get("NASTAVNIK_BENCH_DATABASE_URL") or None, args.scale)
    # SQLite runs inside this process: its CPU time is the request's cost whatever else the shared
    # machine runs. PostgreSQL works in its own process, so there the clock is the wall's.
    clock = time.process_time if region.url.startswith("sqlite") else time.perf_counter
    # Every request makes its page: a kept page (dashboard/pages.py) costs what a static file does,
    # and bench_load.py measures those.
    app = bench_app(region.url, DASHBOARD_CACHE_SECONDS=0)
    roots = {"curator": region.school_id, "municipal": region.authority_id, "region": region.region_id,
             "admin": "all"}
    from nastavnik.dashboard.cache import clear
    from nastavnik.extensions import db

    with app.app_context():
        engine = db.engine
        clear()
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    def best(function, runs=args.runs) -> float:
        times = []
        for _ in range(runs):
            started = clock()
            function()
            times.append(clock() - started)
        return min(times) * 1000

    print(f"{'role':10} {'page ms':>8} {'cold ms':>8} {'GROUP BY':>9} {'ratio':>6} {'statements':>10}")
    failures = []
    for role in ROLES:
        client = log_in(app.test_client(), region.logins[role])

        def page(c=client):
            assert c.get("/").status_code == 200

        def cold(c=client):
            with app.app_context():
                clear()
            page(c)

        group_by = text(f"SELECT org_id, kind, count(*) FROM person WHERE org_id IN {scope_sql(str(roots[role]))} "
                        "GROUP BY org_id, kind")

        def bare(statement=group_by):
            with engine.begin() as conn:  # COMMIT, as the app's reads: a ROLLBACK drops prepared statements
                conn.execute(statement).all()

        for _ in range(WARM):  # templates compiled, the figure cache filled, statements prepared
            page(), bare()
        statements.clear()
        page()
        sent = len(statements)
        page_ms, bare_ms = (1000 * t for t in best_in_turns(page, bare, runs=args.runs, clock=clock))
        cold_ms = best(cold, max(args.runs // 2, 1))
        ratio = page_ms / bare_ms
        verdict = "" if page_ms <= max(MAX_RATIO * bare_ms, FLOOR_MS[role]) else "  FAIL"
        if verdict:
            failures.append(role)
        print(f"{role:10} {page_ms:8.1f} {cold_ms:8.1f} {bare_ms:9.1f} {ratio:6.2f} {sent:10}{verdict}", flush=True)
    print(f"{'CPU' if clock is time.process_time else 'wall'} time, best of {args.runs}; limit {MAX_RATIO}× the "
          "bare GROUP BY or 50 ms (school) / 300 ms, whichever is more (the page as served: a region's "
          "figures come from the figure cache; «cold» for information)")
    return finish(failures)


if __name__ == "__main__":
    raise SystemExit(main())
