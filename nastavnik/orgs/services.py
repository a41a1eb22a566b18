"""The organisation tree: subtrees are what scopes every permission.

The tree is kept twice: ``organisation.parent_id`` (what administrators edit) and its closure
``organisation_link`` (every ancestor–descendant pair), from which a subtree is one indexed
subquery instead of a list of ids walked in Python. The closure follows every flush that adds or
moves an organisation (:func:`install`); a bulk load that bypasses the ORM calls :func:`rebuild_tree`.
"""

from __future__ import annotations

from functools import cache

from flask import g, has_request_context
from sqlalchemy import bindparam, delete, event, false, func, inspect, literal, select, true, union_all
from sqlalchemy.orm import Session, aliased

from nastavnik.extensions import db
from nastavnik.orgs.models import EDUCATION_KINDS, Organisation, OrganisationLink

Link = OrganisationLink.__table__


class Scope:
    """The organisations where a user holds a permission: the subtrees under ``roots``, or everything.

    In SQL it is a subquery over the closure of the organisation tree, never a list of ids (a region
    is 2,000 organisations)::

        select(Person).where(Person.org_id.in_(access.scope(user, "participants.view")))

    In Python, ``org_id in scope`` checks one organisation (its ancestors are read once per request)
    and ``bool(scope)`` says whether the user has the permission anywhere. Iterating or ``len()``
    reads every id: fine for a school, avoid it above one (pass the scope to SQL instead).
    """

    __slots__ = ("roots", "everything", "_ids", "_select")

    def __init__(self, roots=(), everything: bool = False) -> None:
        self.roots = frozenset(roots)
        self.everything = everything
        self._ids: frozenset[int] | None = None
        self._select = None

    def __clause_element__(self):
        # Built once: a page puts its scope into some fifty statements, and SQLAlchemy keeps the
        # cache key of a statement object it has seen, so each of them is cheaper to build and key.
        if self._select is None:
            self._select = self._build_select()
        return self._select

    def _build_select(self):
        if self.everything:
            return select(Organisation.id)
        if not self.roots:
            return select(Organisation.id).where(false())
        # The root ids are written into the statement, not bound: PostgreSQL then plans a school's
        # list (one organisation) and a region's (2,000) each with its own estimate, also once the
        # driver has prepared the statement.
        roots = bindparam("scope_roots", sorted(self.roots), expanding=True, literal_execute=True, unique=True)
        return select(OrganisationLink.descendant_id).where(OrganisationLink.ancestor_id.in_(roots))

    def select(self):
        """The scope as a SELECT of organisation ids (for APIs that take a subquery, e.g. CounterScope)."""
        return self.__clause_element__()

    def params(self) -> dict:
        """The parameters of :func:`scope_select` for this (non-empty) scope."""
        return {} if self.everything else {"scope_roots": sorted(self.roots)}

    def __contains__(self, org_id) -> bool:
        if org_id is None:
            return False
        if org_id in self.roots:
            return True
        if not self:
            return False
        above = _ancestors(org_id)
        return bool(above) if self.everything else not self.roots.isdisjoint(above)

    def __bool__(self) -> bool:
        return self.everything or bool(self.roots)

    @property
    def ids(self) -> frozenset[int]:
        """Every id in the scope, read once (see the class docstring before using it)."""
        if self._ids is None:
            self._ids = frozenset(db.session.scalars(self.__clause_element__())) if self else frozenset()
        return self._ids

    def __iter__(self):
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def above(self):
        """SQL: the organisations the scope lies under (ancestors of its roots, roots included)."""
        query = select(OrganisationLink.ancestor_id)
        if self.everything:
            return query
        return query.where(OrganisationLink.descendant_id.in_(sorted(self.roots)))

    def lies_under(self, org_id) -> bool:
        """Whether ``org_id`` is one of the roots or above one (a municipality above a school's scope)."""
        if self.everything:
            return bool(_ancestors(org_id))
        return any(org_id in _ancestors(root) for root in self.roots)

    def __or__(self, other):
        """Both scopes at once (the roots of both); with a plain set of ids, the set of both."""
        if isinstance(other, Scope):
            return Scope(self.roots | other.roots, self.everything or other.everything)
        return self.ids | frozenset(other)

    # Set arithmetic with plain sets of ids reads every id (see the class docstring): code written
    # for a school's handful of organisations keeps working; region-wide paths pass the scope to SQL.
    def __ror__(self, other):
        return frozenset(other) | self.ids

    def __and__(self, other):
        if isinstance(other, Scope):
            return self.ids & other.ids
        return self._members(other)

    def __rand__(self, other):
        return self._members(other)

    def __sub__(self, other):
        return self.ids - (other.ids if isinstance(other, Scope) else frozenset(other))

    def __rsub__(self, other):
        others = frozenset(other)
        return others - self._members(others)

    def _members(self, org_ids) -> frozenset[int]:
        """Which of a few ``org_ids`` lie in the scope: their ancestors read in one query, not every
        id of the scope (an event invites a handful of schools; a region's scope is 2,000)."""
        wanted = frozenset(org_ids)
        load_ancestors(wanted)
        return frozenset(org_id for org_id in wanted if org_id in self)

    def __repr__(self) -> str:
        return "<Scope everything>" if self.everything else f"<Scope under {sorted(self.roots)}>"


@cache
def scope_select(everything: bool):
    """A non-empty scope's SELECT with its roots bound at execution (``scope.params()``), for a
    statement built once per process: building a statement and its cache key cost more than running
    it for a school. The same SQL as the scope's own clause."""
    if everything:
        return select(Organisation.id)
    return select(OrganisationLink.descendant_id).where(OrganisationLink.ancestor_id.in_(_ROOTS))


_ROOTS = bindparam("scope_roots", expanding=True, literal_execute=True)  # one object: a statement may use both

_BUILT: dict = {}


def scoped(build, org_ids) -> tuple:
    """``build(org_ids)`` ready to run: ``(statement, parameters)``; run it with its own named
    parameters added (``{**parameters, "day": day}``).

    For a non-empty :class:`Scope` the statement is built once per process, over :func:`scope_select`
    with the roots bound at execution: a school's dashboard sends some forty statements, and building
    each with its SQLAlchemy cache key costs more than the database takes to run it. ``build`` must
    therefore take everything else it depends on as bound parameters, never as values.
    """
    if not isinstance(org_ids, Scope) or not org_ids:
        return build(org_ids), {}
    key = (build, org_ids.everything)
    statement = _BUILT.get(key)
    if statement is None:
        statement = _BUILT[key] = build(scope_select(org_ids.everything))
    return statement, org_ids.params()


@cache
def scope_above_select(everything: bool):
    """:meth:`Scope.above` with the roots bound at execution, as :func:`scope_select`."""
    if everything:
        return select(OrganisationLink.ancestor_id)
    return select(OrganisationLink.ancestor_id).where(OrganisationLink.descendant_id.in_(_ROOTS))


def _ancestors(org_id: int) -> frozenset[int]:
    """``org_id`` and the organisations above it, once per request."""
    cache = g.setdefault("org_ancestors", {}) if has_request_context() else {}
    if org_id not in cache:
        cache[org_id] = frozenset(ancestor_ids(org_id))
    return cache[org_id]


def load_ancestors(org_ids) -> None:
    """Read the ancestors of many organisations in one query, before checking a page of rows one
    by one (``org_id in scope`` for 25 rows of 25 schools would otherwise read them 25 times)."""
    if not has_request_context():
        return
    cache = g.setdefault("org_ancestors", {})
    wanted = {org_id for org_id in org_ids if org_id is not None and org_id not in cache}
    if not wanted:
        return
    found: dict[int, set[int]] = {org_id: set() for org_id in wanted}
    rows = db.session.execute(_ancestors_statement(), {"org_ids": sorted(wanted)})
    for org_id, ancestor in rows:
        found[org_id].add(ancestor)
    cache.update({org_id: frozenset(ancestors) for org_id, ancestors in found.items()})


@cache
def _ancestors_statement():
    """Built once, the ids bound at execution (see :func:`scope_select`)."""
    return select(OrganisationLink.descendant_id, OrganisationLink.ancestor_id).where(
        OrganisationLink.descendant_id.in_(bindparam("org_ids", expanding=True))
    )


def subtree(root_ids) -> Scope:
    """The given organisations and everything under them (see :class:`Scope`)."""
    return Scope(root_ids)


def subtree_ids(root_ids) -> set[int]:
    """The given organisations and everything under them, as a set (for small subtrees)."""
    return set(Scope(root_ids).ids)


def ancestor_ids(org_id: int) -> set[int]:
    """``org_id`` and every organisation above it (empty when it does not exist)."""
    return set(db.session.scalars(select(OrganisationLink.ancestor_id).where(OrganisationLink.descendant_id == org_id)))


def education_orgs(org_ids) -> list[Organisation]:
    """Schools and other education organisations among ``org_ids`` (ids or a scope), by name."""
    if not org_ids:
        return []
    return db.session.scalars(
        db.select(Organisation)
        .where(Organisation.id.in_(org_ids), Organisation.kind.in_(EDUCATION_KINDS), ~Organisation.archived)
        .order_by(Organisation.name)
    ).all()


def org_options(org_ids) -> list:
    """(id, title) rows of the education organisations among ``org_ids``, by name: a filter's options.

    Plain rows, not records: a region's filter lists 2,000 organisations on every page."""
    if not org_ids:
        return []
    if isinstance(org_ids, Scope):
        return db.session.execute(_org_options_statement(org_ids.everything), org_ids.params()).all()
    return db.session.execute(_org_options_query(Organisation.id.in_(org_ids))).all()


def _org_options_query(in_scope):
    title = func.coalesce(func.nullif(Organisation.short_name, ""), Organisation.name).label("title")
    return (
        select(Organisation.id, title)
        .where(in_scope, Organisation.kind.in_(EDUCATION_KINDS), ~Organisation.archived)
        .order_by(Organisation.name)
    )


@cache
def _org_options_statement(everything: bool):
    return _org_options_query(Organisation.id.in_(scope_select(everything)))


def path(org: Organisation) -> list[Organisation]:
    """From the root down to ``org``."""
    chain = []
    while org is not None:
        chain.append(org)
        org = org.parent
    return list(reversed(chain))


# ---------------------------------------------------------------- keeping the closure


def rebuild_tree(connection) -> None:
    """Compute the whole closure again from ``parent_id`` (after a bulk load, and in migrations)."""
    tree = select(Organisation.id.label("ancestor_id"), Organisation.id.label("descendant_id"),
                  literal(0).label("depth")).cte("tree", recursive=True)
    child = aliased(Organisation)
    tree = tree.union_all(
        select(tree.c.ancestor_id, child.id, tree.c.depth + 1).join(child, child.parent_id == tree.c.descendant_id)
    )
    connection.execute(delete(Link))
    connection.execute(Link.insert().from_select(["ancestor_id", "descendant_id", "depth"], select(tree)))


def _link_new(connection, org_id: int, parent_id: int | None) -> None:
    above = select(Link.c.ancestor_id, literal(org_id), Link.c.depth + 1).where(Link.c.descendant_id == parent_id)
    rows = union_all(select(literal(org_id), literal(org_id), literal(0)), above) if parent_id else (
        select(literal(org_id), literal(org_id), literal(0))
    )
    connection.execute(Link.insert().from_select(["ancestor_id", "descendant_id", "depth"], rows))


def _link_moved(connection, org_id: int, parent_id: int | None) -> None:
    """Cut the subtree of ``org_id`` from its old ancestors and hang it under ``parent_id``."""
    below = select(Link.c.descendant_id).where(Link.c.ancestor_id == org_id)
    connection.execute(
        delete(Link).where(Link.c.descendant_id.in_(below), Link.c.ancestor_id.not_in(below))
    )
    if parent_id is None:
        return
    above, under = Link.alias("above"), Link.alias("under")
    connection.execute(Link.insert().from_select(
        ["ancestor_id", "descendant_id", "depth"],
        select(above.c.ancestor_id, under.c.descendant_id, above.c.depth + under.c.depth + 1)
        .select_from(above.join(under, true()))  # every ancestor of the new parent × every node moved
        .where(above.c.descendant_id == parent_id, under.c.ancestor_id == org_id),
    ))


def _after_flush(session, flush_context) -> None:
    new = [o for o in session.new if isinstance(o, Organisation)]
    moved = [
        o for o in session.dirty
        if isinstance(o, Organisation) and inspect(o).attrs.parent_id.history.has_changes()
    ]
    if not new and not moved:
        return
    connection = session.connection()
    pending = {o.id: o for o in new}
    while pending:  # parents before children, so that a child finds its parent's ancestors
        ready = [o for o in pending.values() if o.parent_id not in pending]
        for org in ready:
            _link_new(connection, org.id, org.parent_id)
            del pending[org.id]
    for org in moved:
        _link_moved(connection, org.id, org.parent_id)


def install() -> None:
    """Attach the listener once per process (the session class is shared by all apps)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
