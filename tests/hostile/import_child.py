"""A separate process that imports a staff list through the web routes, to be killed with SIGKILL.

    python -m tests.hostile.import_child <database url> <instance path> <csv file> <rows in the file>

It waits, instead of committing, at the moment every row of the file has been sent to the database:
it prints «READY TO COMMIT» and sleeps. The parent kills it there. If the import wrote in several
transactions, the earlier ones are already committed at that moment; if it is one transaction,
nothing is.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from nastavnik.app import create_app
from nastavnik.config import TestingConfig
from nastavnik.extensions import db
from nastavnik.participants.models import Person
from tests.conftest import IN_REPO_PLUGINS
from tests.factories import PASSWORD


def main(url: str, instance: str, csv_path: str, expected: int) -> None:
    config = {key: value for key, value in vars(TestingConfig).items() if key.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = url
    app = create_app(config, plugins=IN_REPO_PLUGINS)
    app.instance_path = instance
    inserted = {"people": 0}

    @event.listens_for(Session, "after_flush")
    def count(session, _context):
        inserted["people"] += sum(isinstance(record, Person) for record in session.new)

    with app.app_context():

        @event.listens_for(db.engine, "commit")
        def wait_for_the_kill(_connection):
            if inserted["people"] >= expected:
                print(f"READY TO COMMIT {inserted['people']}", flush=True)
                time.sleep(120)

        org_id = int(db.session.execute(db.text("SELECT id FROM organisation WHERE kind = 'school'")).scalar())
        client = app.test_client()
        assert client.post("/auth/login", data={"username": "curator", "password": PASSWORD}).status_code == 303
        data = Path(csv_path).read_bytes()
        preview = client.post(
            "/banks/import",
            data={"file": (io.BytesIO(data), "kadry.csv"), "kind": "staff", "org_id": org_id},
            content_type="multipart/form-data",
        )
        assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
        token = preview.get_data(as_text=True).split('name="token" value="')[1].split('"')[0]
        print("PREVIEW OK", flush=True)
        confirm = client.post("/banks/import/confirm", data={"token": token})
        print(f"CONFIRMED {confirm.status_code}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
