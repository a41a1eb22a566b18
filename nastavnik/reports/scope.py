"""The scope of a report: an organisation's subtree as a SQL subquery (never a literal list of ids)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from nastavnik.orgs.models import Organisation
from nastavnik.plugins.registry import CounterScope


def subtree_select(root_ids):
    """SELECT of the ids of ``root_ids`` and every organisation under them (a recursive CTE)."""
    tree = select(Organisation.id).where(Organisation.id.in_(list(root_ids))).cte("org_tree", recursive=True)
    tree = tree.union_all(select(Organisation.id).where(Organisation.parent_id == tree.c.id))
    return select(tree.c.id)


def counter_scope(root_ids, as_of: date, start: date, end: date) -> CounterScope:
    return CounterScope(org_ids=subtree_select(root_ids), as_of=as_of, start=start, end=end)
