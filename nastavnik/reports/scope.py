"""The scope of a report: an organisation's subtree as a SQL subquery (never a literal list of ids)."""

from __future__ import annotations

from datetime import date

from nastavnik.orgs.services import subtree
from nastavnik.plugins.registry import CounterScope


def subtree_select(root_ids):
    """SELECT of the ids of ``root_ids`` and every organisation under them: the organisation scope's
    subquery on the closure of the tree (nastavnik.orgs.services.Scope), one indexed lookup."""
    return subtree(root_ids).select()


def counter_scope(root_ids, as_of: date, start: date, end: date) -> CounterScope:
    return CounterScope(org_ids=subtree_select(root_ids), as_of=as_of, start=start, end=end)
