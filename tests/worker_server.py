"""One app process of the multi-worker test: ``python -m tests.worker_server <database url> <port>``.

Serves the app with waitress on 127.0.0.1:<port>, as a deployment runs several such processes on
one database (see tests/test_workers.py). Not a test module itself.
"""

from __future__ import annotations

import sys

import waitress

from nastavnik.app import create_app
from nastavnik.config import Config
from tests.conftest import IN_REPO_PLUGINS


class WorkerConfig(Config):
    SECRET_KEY = "the-same-key-in-every-worker"  # noqa: S105 - test only: sessions roam between workers
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - fast hashing for tests
    LOGIN_MAX_FAILURES = 3
    FIGURES_CACHE_MIN_ORGS = 0  # keep every scope's figures, to show the store is shared
    DASHBOARD_CACHE_MIN_ORGS = 2  # keep the coordinator's page (the authority and its school)


def main() -> None:
    url, port = sys.argv[1], int(sys.argv[2])
    WorkerConfig.SQLALCHEMY_DATABASE_URI = url
    app = create_app(WorkerConfig, plugins=IN_REPO_PLUGINS)
    waitress.serve(app, host="127.0.0.1", port=port, threads=4, _quiet=True)


if __name__ == "__main__":
    main()
