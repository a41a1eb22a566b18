"""Entry point: ``flask --app wsgi …`` (found automatically from the repository root) and waitress."""

from nastavnik.app import create_app

app = create_app()
