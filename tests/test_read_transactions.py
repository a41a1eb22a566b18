"""A request whose transaction only read ends it with COMMIT; one that wrote and did not commit is not committed.

On PostgreSQL that keeps the connection's prepared statements (psycopg forgets them at every
ROLLBACK); see ``app.end_reads_with_commit``."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from flask.globals import app_ctx
from sqlalchemy import event, select, text, update

from nastavnik import access
from nastavnik.orgs.models import Organisation
from tests.conftest import login

POSTGRES = os.environ.get("NASTAVNIK_TEST_DATABASE_URL", "").startswith("postgresql")


@pytest.fixture
def ends(db):
    """How each transaction on the engine ended during the test, in order."""
    seen: list[str] = []
    engine = db.engine
    on_commit, on_rollback = (lambda conn: seen.append("commit")), (lambda conn: seen.append("rollback"))
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    yield seen
    event.remove(engine, "commit", on_commit)
    event.remove(engine, "rollback", on_rollback)


@contextmanager
def own_contexts():
    """Requests then push their own app context, as in production, and end their session with it:
    the ``app`` fixture keeps one context open for the test, which every request would share."""
    kept = app_ctx._get_current_object()
    kept.pop()
    try:
        yield
    finally:
        kept.push()


def test_a_reading_request_ends_its_transaction_with_commit(app, db, world, client, ends):
    login(client, "curator")
    with own_contexts():
        for url in ("/", "/pairs/", "/participants/"):
            ends.clear()
            assert client.get(url).status_code == 200
            assert ends[-1:] == ["commit"] and "rollback" not in ends, (url, ends)


@pytest.mark.own_app  # adds a route
@pytest.mark.parametrize("how", ["changed", "flushed", "executed"])
def test_a_reading_request_that_wrote_is_rolled_back(app, db, world, client, ends, how):
    school_id = world.school.id

    @access.login_only
    def careless():
        org = db.session.get(Organisation, school_id)
        if how == "changed":  # an attribute changed and never flushed
            org.name = "Переименована при чтении"
        elif how == "flushed":
            org.name = "Переименована при чтении"
            db.session.flush()
        else:  # a statement sent through the session
            db.session.execute(update(Organisation).where(Organisation.id == school_id)
                               .values(name="Переименована при чтении"))
        return "read"

    app.add_url_rule("/careless-read", "careless_read", careless)
    login(client, "curator")
    with own_contexts():
        ends.clear()
        assert client.get("/careless-read").status_code == 200
    assert ends[-1:] == ["rollback"] and "commit" not in ends, ends
    assert db.session.scalar(select(Organisation.name).where(Organisation.id == school_id)) != \
        "Переименована при чтении"


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL stage only: prepared statements are psycopg's")
def test_prepared_statements_outlive_the_requests_that_read(app, db, world, client):
    login(client, "curator")
    with own_contexts():
        for _ in range(7):  # psycopg prepares a statement at its fifth run on a connection
            assert client.get("/pairs/").status_code == 200
    prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared > 0
