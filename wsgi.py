"""Entry point: ``flask --app wsgi …`` (found automatically from the repository root) and waitress."""

import gc

from nastavnik.app import create_app

app = create_app()
# What the app made at its start (modules, routes, SQL constructs: some 150,000 objects) lives as long
# as the process. Frozen, it is left out of the collector's full passes, which walked all of it every
# few dozen requests: a pause of 140 ms on a municipality's roll-up page, one request in twenty.
gc.freeze()
