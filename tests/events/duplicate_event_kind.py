"""A plugin whose kind of event takes a code the core already has."""

from nastavnik.plugins import hookimpl
from nastavnik.plugins.registry import EventKind


@hookimpl
def nastavnik_event_kinds():
    return [EventKind("seminar", "семинар (другой)")]
