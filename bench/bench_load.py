"""Benchmark: the municipal and regional dashboards under load, against a hello-world served alike.

    python bench/bench_load.py [--scale 1.0] [--seconds 30] [--connections 16]

The data set is ``bench/region.py``'s (a cached SQLite file, or ``NASTAVNIK_BENCH_DATABASE_URL``).
The app is served as ``make run`` serves it (waitress, 8 threads, one process) and so is a Flask
hello-world; each is driven for ``--seconds`` by ``--connections`` keep-alive connections (client
processes with a thread per connection), logged in as the municipal and the regional coordinator.
Printed per target: requests per second, median and 95th percentile latency, errors (anything but
200), and the ratio to the hello-world's throughput. Goal (issue 12): at least 0.3× with 0 errors.

The clients share the machine's cores with the server, as they did when the goal was set; the
figures are the same run's, so the ratio holds whatever else the machine does.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import finish  # noqa: E402
from bench.region import PASSWORD, build_region  # noqa: E402

MIN_RATIO = 0.3
THREADS = 8  # as `make run`
# Both servers silence waitress's «Task queue depth» warning: under 16 connections it is logged
# thousands of times a run (flooding `make bench`'s output), and says only what the figures say.
APP_SERVER = """
import logging, sys, waitress
logging.getLogger("waitress.queue").setLevel(logging.ERROR)
sys.path.insert(0, {root!r})
from bench.region import bench_app
waitress.serve(bench_app({url!r}), host="127.0.0.1", port={port}, threads={threads}, _quiet=True)
"""
HELLO_SERVER = """
import gc, logging, waitress
logging.getLogger("waitress.queue").setLevel(logging.ERROR)
from flask import Flask
app = Flask("hello")
app.add_url_rule("/", "hello", lambda: "Привет")
gc.freeze()  # as the app's server (bench_app, wsgi.py)
waitress.serve(app, host="127.0.0.1", port={port}, threads={threads}, _quiet=True)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(source: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-c", source.format(port=port, threads=THREADS, root=str(ROOT),
                                                                     url=os.environ.get("BENCH_URL", ""))])
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def _log_in(port: int, username: str) -> str:
    """The session cookie of ``username`` (one login: the clients share it, as a user's tabs do)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD})
    conn.request("POST", "/auth/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    if response.status != 303 or not cookie:
        raise SystemExit(f"login of {username} failed: {response.status}")
    # The first page adds the CSRF token to the session; a browser keeps the cookie it is sent back.
    conn.request("GET", "/", headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    return (response.getheader("Set-Cookie") or cookie).split(";")[0]


def _client(port: int, cookie: str, until: float, threads: int, results) -> None:
    """One process: ``threads`` keep-alive connections asking for / until ``until``."""
    latencies, errors = [], [0]
    lock = threading.Lock()

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine, failed = [], 0
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                conn.request("GET", "/", headers={"Cookie": cookie} if cookie else {})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            if ok:
                mine.append(time.monotonic() - started)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((latencies, errors[0]))


def _drive(port: int, cookie: str, seconds: float, connections: int) -> dict:
    processes = min(connections, os.cpu_count() or 1)
    per = [connections // processes + (1 if n < connections % processes else 0) for n in range(processes)]
    results = multiprocessing.Queue()
    started = time.monotonic()
    until = started + seconds
    clients = [multiprocessing.Process(target=_client, args=(port, cookie, until, n, results)) for n in per]
    for client in clients:
        client.start()
    latencies, errors = [], 0
    for _ in clients:
        mine, failed = results.get()
        latencies += mine
        errors += failed
    for client in clients:
        client.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "median": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p95": latencies[int(len(latencies) * 0.95)] * 1000 if latencies else float("nan"),
        "errors": errors,
        "done": len(latencies),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    region = build_region(os.environ.get("NASTAVNIK_BENCH_DATABASE_URL") or None, args.scale)
    os.environ["BENCH_URL"] = region.url
    hello, hello_port = _serve(HELLO_SERVER)
    app, app_port = _serve(APP_SERVER)
    try:
        rows = {"hello-world": _drive(hello_port, "", args.seconds, args.connections)}
        for role in ("municipal", "region"):
            cookie = _log_in(app_port, region.logins[role])
            _drive(app_port, cookie, 2, 2)  # warm: templates compiled, the figure cache filled
            rows[f"{role} dashboard"] = _drive(app_port, cookie, args.seconds, args.connections)
    finally:
        for process in (hello, app):
            process.kill()
            process.wait()
    base = rows["hello-world"]["rps"]
    print(f"{'target':20} {'req/s':>8} {'median ms':>10} {'p95 ms':>8} {'errors':>7} {'ratio':>6}")
    failures = []
    for name, row in rows.items():
        ratio = row["rps"] / base
        failed = name != "hello-world" and (ratio < MIN_RATIO or row["errors"])
        if failed:
            failures.append(name)
        print(f"{name:20} {row['rps']:8.1f} {row['median']:10.1f} {row['p95']:8.1f} {row['errors']:7} {ratio:6.2f}"
              f"{'  FAIL' if failed else ''}")
    print(f"waitress, {THREADS} threads, one process; {args.connections} keep-alive connections for {args.seconds:g} s "
          f"each; goal: a dashboard at least {MIN_RATIO}× the hello-world's requests per second, 0 errors")
    return finish(failures)


if __name__ == "__main__":
    raise SystemExit(main())
