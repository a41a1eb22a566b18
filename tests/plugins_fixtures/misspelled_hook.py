"""A plugin whose hook name is misspelled: check_pending() must refuse it."""

from nastavnik.plugins import hookimpl
from nastavnik.plugins.registry import MentoringKind


@hookimpl
def nastavnik_mentoring_kind():  # the hook is nastavnik_mentoring_kinds
    return [MentoringKind("misspelled", "опечатка", (), ("staff",), ("staff",), ())]
