"""A plugin that adds a kind of event: a training of its own, with certificates."""

from nastavnik.plugins import hookimpl
from nastavnik.plugins.registry import EventKind


@hookimpl
def nastavnik_event_kinds():
    return [EventKind("young_teacher_school", "школа молодого педагога", "training", certificates=True)]
