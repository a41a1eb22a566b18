"""A coordinator's dashboard, kept whole for a minute per session.

A municipality's or a region's dashboard adds up dozens to thousands of schools: 40–140 ms of
work, against about a millisecond to hand back a page already made. Under load (bench/bench_load.py:
16 connections of one coordinator) that is the difference between a few pages a second and several
hundred. So a dashboard whose scope covers at least ``DASHBOARD_CACHE_MIN_ORGS`` organisations is
kept in this process for ``DASHBOARD_CACHE_SECONDS`` and says when it was made, with a link that
makes it again. A school's dashboard is always live: a curator sees the record they just added.

The page is the session's: it carries the user's name and the session's CSRF token. So the key is
the session cookie's user token (id and session version: a logout or a password reset makes the old
pages unreachable), the session's CSRF token, whether htmx asked, and the browser's address and
User-Agent: what flask-login's strong session protection compares, so a copied cookie from another
browser finds no page and goes the usual way, where flask-login ends that session. A kept page is
served before the account is loaded — that load is most of what is left — so the account is checked
here, as flask-login would: it still exists, is on, and has the cookie's session version — unless
this process is watching for ended sessions (watch.py), which drops the account's pages as its
sessions end. Whatever fails goes the usual way. A page that showed a flashed message is neither
kept nor served from here. Anything the user posts in this process drops their pages; another worker
process may show its own copy until it expires, as its stamp says.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import Response, current_app, g, request, session
from sqlalchemy import bindparam, select

from nastavnik.auth.models import User
from nastavnik.dashboard import watch
from nastavnik.extensions import db

MAX_PAGES = 256  # sessions; a page is 20–60 KB

_pages: OrderedDict[tuple, tuple[float, str]] = OrderedDict()
_lock = threading.Lock()
_dropped = [0]  # how many times pages were dropped: a page made meanwhile may be stale, and is not kept
_now = time.monotonic  # tests move the clock
_ACCOUNT = select(User.session_version, User.is_active_account).where(User.id == bindparam("id"))


def _key() -> tuple | None:
    user, token = session.get("_user_id"), session.get("csrf_token")
    if not user or not token:
        return None
    return (user, token, request.path, request.headers.get("HX-Request"), request.headers.get("HX-Target"),
            request.remote_addr, request.headers.get("User-Agent"))


def may_keep() -> bool:
    """Whether this request's page may be kept: kept pages are on, and no message waits to be shown."""
    return current_app.config["DASHBOARD_CACHE_SECONDS"] > 0 and not session.get("_flashes")


def kept_page() -> Response | None:
    """The page kept for this session, if it is still fresh (``?fresh=1`` asks for a new one)."""
    g.kept_pages_dropped = _dropped[0]
    if not may_keep() or request.args.get("fresh"):
        return None
    key = _key()
    with _lock:
        found = _pages.get(key) if key else None
        if found is None:
            return None
        if found[0] <= _now():
            del _pages[key]
            return None
        _pages.move_to_end(key)
    if not watch.hears_all(db.engine) and not _session_holds(key[0]):
        return None
    response = Response(found[1], mimetype="text/html")
    response.headers["Vary"] = "HX-Request"
    return response


def _session_holds(token: str) -> bool:
    """The session cookie's account is still valid (see the module's docstring)."""
    user_id, _, version = token.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return False
    # Not the ORM session: this is the whole of the request's work, one SELECT, so on PostgreSQL no
    # transaction is opened around it (no BEGIN and COMMIT to wait for; nor a ROLLBACK, which would drop
    # the connection's prepared statements: see app.end_reads_with_commit). SQLite opens none for a
    # SELECT anyway, and switching its mode costs two PRAGMAs.
    with db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        account = conn.execute(_ACCOUNT, {"id": int(user_id)}).first()
    return account is not None and account.is_active_account and account.session_version == int(version)


def keep(page: str) -> None:
    """Keep ``page`` (just rendered for this request) for ``DASHBOARD_CACHE_SECONDS``."""
    key = _key()
    if key is None:
        return
    watch.start(db.engine, _drop_account, clear)
    with _lock:
        if g.get("kept_pages_dropped") != _dropped[0]:
            return  # an account's sessions may have ended while this page was made
        _pages[key] = (_now() + current_app.config["DASHBOARD_CACHE_SECONDS"], page)
        _pages.move_to_end(key)
        while len(_pages) > MAX_PAGES:
            _pages.popitem(last=False)


def forget_on_change() -> None:
    """before_app_request: a user who posts anything gets fresh pages afterwards (in this process)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    user = session.get("_user_id")
    if user:
        _drop_account(user.partition(":")[0])


def _drop_account(account_id: str) -> None:
    """Drop every page kept for the account ``account_id`` (its id, as text)."""
    with _lock:
        for key in [k for k in _pages if k[0].partition(":")[0] == account_id]:
            del _pages[key]
        _dropped[0] += 1


def clear() -> None:
    with _lock:
        _pages.clear()
        _dropped[0] += 1
