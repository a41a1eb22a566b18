"""A plugin whose permissions hook raises: it is marked broken, the app runs."""

from nastavnik.plugins import hookimpl


@hookimpl
def nastavnik_permissions():
    raise RuntimeError("permissions table missing")
