"""A plugin that adds a permission for curators, a counter and a roadmap fulfilment rule."""

from nastavnik.plugins import hookimpl
from nastavnik.plugins.registry import Counter, FulfilmentCheck, FulfilmentRule

COUNTER = Counter("probe_people", "Проба", "Все люди", compute=lambda scope: {})
RULE = FulfilmentRule(
    "probe.rule", "Проба", "никогда", keywords=("проба",), records=lambda org_id: [(None, "вся школа")],
    check=lambda org_id, record_id: FulfilmentCheck(False, "не выполнено"),
)


@hookimpl
def nastavnik_permissions():
    return {"curator": {"probe.edit"}, "observer": {"probe.view"}}


@hookimpl
def nastavnik_counters():
    return [COUNTER]


@hookimpl
def nastavnik_fulfilment_rules():
    return [RULE]
