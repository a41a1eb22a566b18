"""A plugin whose registry hook returns plain dicts instead of value objects."""

from nastavnik.plugins import hookimpl


@hookimpl
def nastavnik_mentoring_kinds():
    return [{"code": "dict_kind", "title": "словарь вместо MentoringKind"}]
