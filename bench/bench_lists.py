"""Benchmark: list pages at region scale, for every role, against a bare Flask view of the same rows.

    python bench/bench_lists.py [--scale 1.0] [--runs 9] [--only participants,pairs] [--roles curator,region]

The data set is ``bench/region.py``'s (a cached SQLite file, or ``NASTAVNIK_BENCH_DATABASE_URL``).
For each list page and each role that may open it, the app's page (Flask's test client, in
process) is timed against a bare view in the same app and behind the same login: hand-written SQL
for the same rows — the count, the page of 25, what each row shows, the filter's options —
rendered in a plain table inside the app's page shell (menu, account, footer). What is left
between the two is what the goal is about: the ORM, access checks, N+1 queries, the scope. For
information the plain table without the shell is timed too (login and shell: about 3 ms a page).

On SQLite the clock is the process's CPU time (the database runs inside it, and the machine is
shared), on PostgreSQL the wall clock; each figure is the best of ``--runs``, taken in turns.
Fails when a ratio exceeds 1.5, or a page takes more than 50 ms for a school user or 300 ms for a
municipal or regional one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Blueprint, Flask, render_template, request  # noqa: E402
from jinja2 import ChoiceLoader, DictLoader  # noqa: E402
from sqlalchemy import Date, Integer, column, select, text  # noqa: E402

from bench import finish  # noqa: E402
from bench.region import bench_app, build_region, log_in  # noqa: E402

MAX_RATIO = 1.5
MAX_SCHOOL_MS = 50
MAX_REGION_MS = 300
PAGE = 25
SCHOOL_ROLES = ("curator", "director", "observer", "mentor", "mentee")
ROLES = ("curator", "director", "observer", "mentor", "mentee", "municipal", "region", "admin")
EDUCATION = "('school', 'preschool', 'college', 'additional')"
DATES = [column("person_id", Integer), column("signed_on", Date), column("valid_until", Date),
         column("withdrawn_on", Date), column("kind")]


# ---------------------------------------------------------------- the bare views


def scope_sql(roots: str) -> str:
    """The scope as the bare views write it: a subquery on the closure (``all``: every organisation)."""
    if roots == "all":
        return "(SELECT id FROM organisation)"
    return f"(SELECT descendant_id FROM organisation_link WHERE ancestor_id IN ({int(roots)}))"


def _orgs(conn, scope: str):
    return conn.execute(text(
        f"SELECT id, short_name, name FROM organisation WHERE id IN {scope} AND kind IN {EDUCATION} "
        "AND NOT archived ORDER BY name")).all()


def _consent_state(rows, day: date, expiring: int = 30) -> dict[int, str]:
    states: dict[int, set[str]] = {}
    for person_id, _signed_on, valid_until, withdrawn_on, kind in rows:
        if kind != "pd_processing":
            continue
        if withdrawn_on is not None and withdrawn_on <= day:
            state = "withdrawn"
        elif valid_until is not None and valid_until < day:
            state = "expired"
        elif valid_until is not None and valid_until <= day + timedelta(days=expiring):
            state = "expiring"
        else:
            state = "valid"
        states.setdefault(person_id, set()).add(state)
    return {pid: next(s for s in ("valid", "expiring", "withdrawn", "expired") if s in found)
            for pid, found in states.items()}


TEMPLATES = {
    "bare/table.html": """<p>{{ total }}</p>
{% if orgs %}<select>{% for o in orgs %}<option value="{{ o[0] }}">{{ o[1] or o[2] }}</option>{% endfor %}</select>{% endif %}
<table>{% for id, row in rows %}<tr><td><a href="{{ url_for('bare.item', item_id=id) }}">{{ row[0] }}</a></td>
{% for cell in row[1:] %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}</table>""",
    "bare/plain.html": """<!doctype html><title>{{ title }}</title>{% include "bare/table.html" %}""",
    # The same table in the app's page shell (menu, account, footer): what every page costs.
    "bare/page.html": """{% extends "base.html" %}{% block title %}{{ title }}{% endblock %}
{% block content %}{% include "bare/table.html" %}{% endblock %}""",
}


REPLAY: dict[str, list[tuple[str, object]]] = {}  # page key → the statements its app page sent


def capture(app, client, url: str, key: str) -> None:
    """Run the app's page once and keep the statements it sends, for the «same SQL» bare view."""
    from sqlalchemy import event

    from nastavnik.extensions import db

    with app.app_context():
        engine = db.engine
    sent: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "FROM user_account" not in statement:  # the bare view loads its user too, behind the login
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        _get(client, url)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    REPLAY[key] = sent


def bare_views(app: Flask) -> None:
    """The bare views, in the same app behind the same login (the user is loaded, as for any page of
    an intranet app), without access rules or the ORM: hand-written SQL for the same rows, rendered
    in a plain table with a link per row — on its own, or (``?layout=1``) in the app's page shell."""
    from nastavnik import access
    from nastavnik.extensions import db

    app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, DictLoader(TEMPLATES)])
    bare = Blueprint("bare", __name__, url_prefix="/bare")

    def render_template_string(_, **context):  # noqa: ARG001 - the same call in every view below
        return render_template("bare/page.html" if request.args.get("layout") else "bare/plain.html", **context)

    # Each bare view reads through engine.begin(), which ends with COMMIT as the app's reading requests do
    # (app.end_reads_with_commit): a ROLLBACK would drop the connection's prepared statements, the app's too.
    def route(path):
        def register(view):
            return bare.route(path)(access.login_only(view))
        return register

    @route("/item/<int:item_id>")
    def item(item_id):
        return str(item_id)

    @route("/replay/<key>")
    def replay(key):
        """The very statements the app's page sent (but loading the user), run raw; their rows shown."""
        rows = []
        with db.engine.begin() as conn:
            for statement, parameters in REPLAY[key]:
                rows += conn.exec_driver_sql(statement, parameters).all()
        cells = [(number, tuple(row)) for number, row in enumerate(rows)]
        return render_template_string(None, title=key, total=len(rows), rows=cells)

    def page_number():
        return max(request.args.get("page", 1, type=int), 1)

    @route("/participants")
    def participants():
        scope, day = scope_sql(request.args["roots"]), date.today()
        with db.engine.begin() as conn:
            where = f"person.org_id IN {scope} AND person.kind != 'parent' AND person.archived_at IS NULL"
            total = conn.execute(text(f"SELECT count(*) FROM person WHERE {where}")).scalar()
            rows = conn.execute(text(
                "SELECT person.id, last_name, first_name, middle_name, person.kind, class_name, position, email, phone,"
                f" organisation.short_name FROM person JOIN organisation ON organisation.id = person.org_id WHERE {where}"
                f" ORDER BY last_name, first_name, person.id LIMIT {PAGE} OFFSET {(page_number() - 1) * PAGE}")).all()
            ids = ",".join(str(r[0]) for r in rows) or "0"
            states = _consent_state(conn.execute(text(
                f"SELECT person_id, signed_on, valid_until, withdrawn_on, kind FROM consent WHERE person_id IN ({ids})"
            ).columns(*DATES)).all(), day)
            orgs = _orgs(conn, scope)
        cells = [(r[0], (" ".join(r[1:4]), r[4], r[5] or r[6], r[7], r[8], r[9], states.get(r[0], "missing")))
                 for r in rows]
        return render_template_string(None, title="Участники", total=total, rows=cells, orgs=orgs)

    def bank(table: str, link: str):
        scope = scope_sql(request.args["roots"])
        with db.engine.begin() as conn:
            where = f"{table}.org_id IN {scope}"
            total = conn.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar()
            columns = ("kind_code, category, academic_year, entered_on, status" if table == "mentee_profile"
                       else "kind_codes, origin, capacity, load, status")
            rows = conn.execute(text(
                f"SELECT {table}.id, last_name, first_name, middle_name, organisation.short_name, {columns} "
                f"FROM {table} JOIN person ON person.id = {table}.person_id "
                f"JOIN organisation ON organisation.id = person.org_id WHERE {where} "
                f"ORDER BY last_name, first_name, {table}.id LIMIT {PAGE} OFFSET {(page_number() - 1) * PAGE}")).all()
            ids = ",".join(str(r[0]) for r in rows) or "0"
            tags: dict[int, list[str]] = {}
            for profile_id, title in conn.execute(text(
                    f"SELECT {link}.{table.split('_')[0]}_id, tag.title FROM {link} JOIN tag ON tag.id = {link}.tag_id "
                    f"WHERE {link}.{table.split('_')[0]}_id IN ({ids}) ORDER BY tag.title")):
                tags.setdefault(profile_id, []).append(title)
            options = conn.execute(text("SELECT id, title FROM tag WHERE NOT archived ORDER BY \"group\", title")).all()
            orgs = _orgs(conn, scope)
        cells = [(r[0], (" ".join(r[1:4]), *r[4:], ", ".join(tags.get(r[0], [])))) for r in rows]
        return render_template_string(None, title="Банк", total=total, rows=cells, orgs=orgs, tags=options)

    @route("/mentees")
    def mentees():
        return bank("mentee_profile", "mentee_tag")

    @route("/mentors")
    def mentors():
        return bank("mentor_profile", "mentor_tag")

    def members_of(conn, pair_ids: str) -> dict[int, list[str]]:
        names: dict[int, list[str]] = {}
        for pair_id, last, first, middle in conn.execute(text(
                "SELECT pm.pair_id, p.last_name, p.first_name, p.middle_name FROM pair_member pm "
                f"JOIN person p ON p.id = pm.person_id WHERE pm.pair_id IN ({pair_ids}) ORDER BY pm.role DESC, pm.id")):
            names.setdefault(pair_id, []).append(" ".join((last, first, middle)))
        return names

    def visible_pairs() -> str:
        if request.args["roots"].startswith("person:"):
            person = int(request.args["roots"].split(":")[1])
            return f"pair.id IN (SELECT pair_id FROM pair_member WHERE person_id = {person})"
        return f"pair.org_id IN {scope_sql(request.args['roots'])}"

    @route("/pairs")
    def pairs():
        where = visible_pairs()
        with db.engine.begin() as conn:
            total = conn.execute(text(f"SELECT count(*) FROM pair WHERE {where}")).scalar()
            forming = conn.execute(text(f"SELECT count(*) FROM pair WHERE {where} AND status = 'forming'")).scalar()
            rows = conn.execute(text(
                "SELECT pair.id, pair.kind_code, pair.status, order_document.number, order_document.issued_on FROM pair "
                f"LEFT JOIN order_document ON order_document.id = pair.order_id WHERE {where} "
                f"ORDER BY pair.created_at DESC, pair.id DESC LIMIT {PAGE} OFFSET {(page_number() - 1) * PAGE}")).all()
            names = members_of(conn, ",".join(str(r[0]) for r in rows) or "0")
        cells = [(r[0], (", ".join(names.get(r[0], [])), *r[1:])) for r in rows]
        return render_template_string(None, title="Пары", total=(total, forming), rows=cells)

    @route("/programmes")
    def programmes():
        where = visible_pairs()
        with db.engine.begin() as conn:
            total = conn.execute(text(f"SELECT count(*) FROM pair WHERE {where}")).scalar()
            rows = conn.execute(text(
                f"SELECT pair.id, pair.kind_code, pair.academic_year, pair.status, programme.id, programme.status "
                f"FROM pair LEFT JOIN programme ON programme.pair_id = pair.id WHERE {where} "
                f"ORDER BY pair.academic_year DESC, pair.id DESC LIMIT {PAGE} OFFSET {(page_number() - 1) * PAGE}"
            )).all()
            names = members_of(conn, ",".join(str(r[0]) for r in rows) or "0")
        cells = [(r[0], (", ".join(names.get(r[0], [])), *r[1:])) for r in rows]
        return render_template_string(None, title="Программы", total=total, rows=cells)

    @route("/unmatched")
    def unmatched():
        scope = scope_sql(request.args["roots"])
        where = f"m.org_id IN {scope} AND m.status IN ('unmatched', 'in_bank')"
        with db.engine.begin() as conn:
            total = conn.execute(text(f"SELECT count(*) FROM mentee_profile m WHERE {where}")).scalar()
            rows = conn.execute(text(
                "SELECT m.id, p.last_name, p.first_name, p.middle_name, m.kind_code, m.status FROM mentee_profile m "
                f"JOIN person p ON p.id = m.person_id WHERE {where} ORDER BY m.status DESC, m.entered_on, m.id "
                f"LIMIT {PAGE} OFFSET {(page_number() - 1) * PAGE}")).all()
            ids = ",".join(str(r[0]) for r in rows) or "0"
            records = conn.execute(text(
                f"SELECT mentee_profile_id, happened_on, text FROM support_record WHERE mentee_profile_id IN ({ids})"
            )).all()
        cells = [(r[0], (" ".join(r[1:4]), *r[4:])) for r in rows]
        return render_template_string(None, title="Не подобраны", total=(total, len(records)), rows=cells)

    @route("/consents")
    def consents():
        scope, day = scope_sql(request.args["roots"]), date.today()
        soon = str(day + timedelta(days=30))

        def has(condition: str) -> str:
            return (f"EXISTS (SELECT 1 FROM consent c WHERE c.person_id = p.id AND c.kind = 'pd_processing' "
                    f"AND {condition})")

        live = f"(c.withdrawn_on IS NULL OR c.withdrawn_on > '{day}')"
        state = (f"CASE WHEN {has(f'{live} AND (c.valid_until IS NULL OR c.valid_until > {soon!r})')} THEN 'valid' "
                 f"WHEN {has(f'{live} AND c.valid_until BETWEEN {str(day)!r} AND {str(soon)!r}')} THEN 'expiring' "
                 f"WHEN {has(f'c.withdrawn_on <= {str(day)!r}')} THEN 'withdrawn' "
                 f"WHEN {has(f'{live} AND c.valid_until < {str(day)!r}')} THEN 'expired' ELSE 'missing' END")
        with db.engine.begin() as conn:
            rows = conn.execute(text(
                f"SELECT n.id, n.state, n.total, p.last_name, p.first_name, p.middle_name, p.kind, p.class_name, "
                f"o.short_name FROM (SELECT id, state, row_number() OVER (PARTITION BY state ORDER BY last_name, "
                f"first_name, id) AS num, count(*) OVER (PARTITION BY state) AS total FROM (SELECT p.id, p.last_name, "
                f"p.first_name, {state} AS state FROM person p WHERE p.org_id IN {scope} AND p.kind != 'parent' AND "
                f"p.archived_at IS NULL AND p.anonymised_at IS NULL) AS s WHERE state != 'valid') AS n "
                f"JOIN person p ON p.id = n.id JOIN organisation o ON o.id = p.org_id WHERE n.num <= {PAGE} "
                "ORDER BY n.state, n.num")).all()
            ids = ",".join(str(r[0]) for r in rows) or "0"
            dates = conn.execute(text(
                f"SELECT person_id, signed_on, valid_until, withdrawn_on, kind FROM consent WHERE person_id IN ({ids})"
            ).columns(*DATES)).all()
        cells = [(r[0], (" ".join(r[3:6]), *r[6:], r[1], r[2])) for r in rows]
        return render_template_string(None, title="Согласия", total=len(dates), rows=cells)

    @route("/roadmaps")
    def roadmaps():
        scope = scope_sql(request.args["roots"])
        above = ("(SELECT id FROM organisation)" if request.args["roots"] == "all" else
                 f"(SELECT ancestor_id FROM organisation_link WHERE descendant_id IN ({int(request.args['roots'])}))")
        where = f"(r.org_id IN {scope} OR (r.org_id IN {above} AND r.level != 'school'))"
        day = date.today()
        with db.engine.begin() as conn:
            total = conn.execute(text(f"SELECT count(*) FROM roadmap r WHERE {where}")).scalar()
            rows = conn.execute(text(
                f"SELECT r.id, r.title, o.short_name, r.level, r.academic_year FROM roadmap r "
                f"JOIN organisation o ON o.id = r.org_id WHERE {where} "
                "ORDER BY coalesce(r.parent_roadmap_id, r.id) DESC, r.parent_roadmap_id IS NOT NULL, r.id "
                f"LIMIT {PAGE} OFFSET {(page_number() - 1) * PAGE}")).all()
            ids = ",".join(str(r[0]) for r in rows) or "0"
            counts = conn.execute(text(
                f"SELECT roadmap_id, CASE WHEN status NOT IN ('done', 'cancelled') AND due_end < '{day}' THEN 'overdue' "
                f"ELSE status END AS shown, count(*) FROM roadmap_item WHERE roadmap_id IN ({ids}) "
                "GROUP BY roadmap_id, shown")).all()
            shares = conn.execute(text(
                f"SELECT parent_roadmap_id, count(*) FROM roadmap WHERE parent_roadmap_id IN ({ids}) "
                "GROUP BY parent_roadmap_id")).all()
        cells = [(r[0], r[1:]) for r in rows]
        return render_template_string(None, title="Дорожные карты", total=(total, len(counts), len(shares)), rows=cells)

    @route("/audit")
    def audit():
        scope = scope_sql(request.args["roots"])
        where = "" if request.args["roots"] == "all" else f"WHERE org_id IN {scope}"
        with db.engine.begin() as conn:
            rows = conn.execute(text(
                f"SELECT id, at, actor, action, entity, person_id, changes FROM audit_entry {where} "
                f"ORDER BY at DESC, id DESC LIMIT 51 OFFSET {(page_number() - 1) * 50}")).all()
            ids = ",".join(str(r[5]) for r in rows if r[5]) or "0"
            names = dict(conn.execute(text(f"SELECT id, last_name FROM person WHERE id IN ({ids})")).all())
        cells = [(r[0], (r[1], r[2], r[3], r[4], names.get(r[5], ""), r[6])) for r in rows[:50]]
        return render_template_string(None, title="Журнал", total=len(rows), rows=cells)

    app.register_blueprint(bare)


# ---------------------------------------------------------------- pages and roles

# page: (app url, bare url, roles that may open it)
VIEWERS = ("curator", "director", "observer", "municipal", "region", "admin")
PAGES = {
    "participants": ("/participants/", "/participants", VIEWERS),
    "consents": ("/consents/", "/consents", VIEWERS),
    "banks_mentees": ("/banks/mentees", "/mentees", VIEWERS),
    "banks_mentors": ("/banks/mentors", "/mentors", VIEWERS),
    "pairs": ("/pairs/", "/pairs", (*VIEWERS, "mentor", "mentee")),
    "unmatched": ("/pairs/unmatched", "/unmatched", VIEWERS),
    "programmes": ("/programmes/", "/programmes", (*VIEWERS, "mentor", "mentee")),
    "roadmaps": ("/roadmaps/", "/roadmaps", VIEWERS),
    "audit": ("/audit/", "/audit", ("curator", "director", "municipal", "region", "admin")),
}


CLOCK = time.perf_counter  # process_time on SQLite, where the whole request runs in this process


def _get(client, url: str) -> float:
    started = CLOCK()
    response = client.get(url)
    elapsed = CLOCK() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code}")
    return elapsed * 1000


def timed(client, urls: list[str], runs: int) -> list[list[float]]:
    """Times of each URL, taken in turns so that all see the same load of a shared machine."""
    for _ in range(3):  # warm: templates compiled, caches filled
        for url in urls:
            _get(client, url)
    times: list[list[float]] = [[] for _ in urls]
    for _ in range(runs):
        for found, url in zip(times, urls, strict=True):
            found.append(_get(client, url))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--roles", default="", help="comma-separated roles")
    args = parser.parse_args(argv)
    global CLOCK
    region = build_region(os.environ.get("NASTAVNIK_BENCH_DATABASE_URL") or None, args.scale)
    if region.url.startswith("sqlite"):
        # SQLite runs inside this process: its CPU time is the request's cost whatever else the
        # machine runs. PostgreSQL works in its own process, so there the clock is the wall's.
        CLOCK = time.process_time
    app = bench_app(region.url)
    bare_views(app)
    roots = {"curator": region.school_id, "director": region.school_id, "observer": region.school_id,
             "municipal": region.authority_id, "region": region.region_id, "admin": "all"}
    with app.app_context():  # a mentor and a mentee see their own pairs
        from nastavnik.auth.models import User
        from nastavnik.extensions import db

        for role in ("mentor", "mentee"):
            person = db.session.scalar(select(User.person_id).where(User.username == region.logins[role]))
            roots[role] = f"person:{person}"
    pages = [p for p in PAGES if not args.only or p in args.only.split(",")]
    roles = [r for r in ROLES if not args.roles or r in args.roles.split(",")]
    failures = []
    print(f"{'page':14} {'role':9} {'app best':>8} {'median':>7} {'same SQL':>8} {'ratio':>6} {'stmts':>5} "
          f"{'hand SQL':>8} {'ratio':>6}")
    for role in roles:
        client = log_in(app.test_client(), region.logins[role])
        for name in pages:
            url, bare_url, allowed = PAGES[name]
            if role not in allowed:
                continue
            key = f"{name}-{role}"
            capture(app, client, url, key)
            same = f"/bare/replay/{key}?layout=1"
            hand = f"/bare{bare_url}?roots={roots[role]}&layout=1"
            app_times, same_times, hand_times = timed(client, [url, same, hand], args.runs)
            app_ms, same_ms, hand_ms = min(app_times), min(same_times), min(hand_times)
            ratio = app_ms / same_ms
            limit = MAX_SCHOOL_MS if role in SCHOOL_ROLES else MAX_REGION_MS
            verdict = "" if ratio <= MAX_RATIO and app_ms <= limit else "  FAIL"
            if verdict:
                failures.append(f"{name} as {role}")
            print(f"{name:14} {role:9} {app_ms:8.1f} {statistics.median(app_times):7.1f} {same_ms:8.1f} "
                  f"{ratio:6.2f} {len(REPLAY[key]):5} {hand_ms:8.1f} {app_ms / hand_ms:6.2f}{verdict}", flush=True)
    print("bare views, behind the same login, in the same page shell: «same SQL» runs the statements the app's page "
          "sent and shows their rows (the ratio that counts); «hand SQL» reads the same rows by hand-written SQL "
          "(for information)")
    print(f"{'CPU' if CLOCK is time.process_time else 'wall'} time, best of {args.runs} (the machine is shared); limits: ratio {MAX_RATIO}, "
          f"{MAX_SCHOOL_MS} ms for a school, {MAX_REGION_MS} ms for a municipality or the region")
    return finish(failures, "; ")


if __name__ == "__main__":
    raise SystemExit(main())
