"""The organisation tree: subtrees are what scopes every permission."""

from __future__ import annotations

from collections import defaultdict

from flask import g, has_request_context

from nastavnik.extensions import db
from nastavnik.orgs.models import EDUCATION_KINDS, Organisation


def _children_map() -> dict[int | None, list[int]]:
    # The whole tree is a few hundred rows even for a region: one query, cached per request.
    if has_request_context() and "org_children" in g:
        return g.org_children
    children: dict[int | None, list[int]] = defaultdict(list)
    for org_id, parent_id in db.session.execute(db.select(Organisation.id, Organisation.parent_id)):
        children[parent_id].append(org_id)
    if has_request_context():
        g.org_children = children
    return children


def subtree_ids(root_ids) -> set[int]:
    """The given organisations and everything under them."""
    children = _children_map()
    seen: set[int] = set()
    stack = list(root_ids)
    while stack:
        org_id = stack.pop()
        if org_id in seen:
            continue
        seen.add(org_id)
        stack.extend(children.get(org_id, ()))
    return seen


def all_org_ids() -> set[int]:
    return {org_id for ids in _children_map().values() for org_id in ids}


def education_orgs(org_ids) -> list[Organisation]:
    """Schools and other education organisations among ``org_ids``, by name."""
    if not org_ids:
        return []
    return db.session.scalars(
        db.select(Organisation)
        .where(Organisation.id.in_(org_ids), Organisation.kind.in_(EDUCATION_KINDS), ~Organisation.archived)
        .order_by(Organisation.name)
    ).all()


def path(org: Organisation) -> list[Organisation]:
    """From the root down to ``org``."""
    chain = []
    while org is not None:
        chain.append(org)
        org = org.parent
    return list(reversed(chain))
