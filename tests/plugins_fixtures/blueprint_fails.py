"""A plugin whose blueprint loader raises after its registry values were accepted."""

from nastavnik.plugins import hookimpl
from nastavnik.plugins.registry import MentoringKind


@hookimpl
def nastavnik_mentoring_kinds():
    return [MentoringKind("bp_kind", "форма сломанного плагина", (), ("staff",), ("staff",), ())]


@hookimpl
def nastavnik_load_blueprints(app):
    raise RuntimeError("шаблоны плагина не найдены")
