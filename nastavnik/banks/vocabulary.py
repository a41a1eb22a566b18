"""Who owns the tag vocabulary (запросы и компетенции) and who may change it.

Shared reference data belongs to whoever is above the schools that use it:
- the installation's shared vocabulary (``org_id`` None) to the administrator;
- a municipality's vocabulary (owned by the organisation where the municipal coordinator holds the
  role, e.g. МКУ УО) to that coordinator (``banks.vocabulary``);
- a school may keep its own tags, which its curator or director manages (``banks.edit``).

A school sees the shared tags, those of the organisations above it and its own; nobody renames or
archives a tag they do not own, so one school cannot change the words another school's banks use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, func, or_, select

from nastavnik import access
from nastavnik.banks.models import Tag
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation, OrganisationLink
from nastavnik.orgs.services import Scope, education_orgs, scope_select

OWNER_TITLES = {"shared": "общий (администратор)", "above": "муниципальный", "school": "школы"}


def lineage(org_ids) -> set[int]:
    """The organisations and every organisation above them (from the closure of the tree: one query)."""
    ids = [org_id for org_id in org_ids if org_id is not None]
    if not ids:
        return set()
    return set(db.session.scalars(_lineage_statement(), {"org_ids": ids}))


@cache
def _lineage_statement():
    """Built once, the ids bound at execution (see ``orgs.services.scope_select``)."""
    return select(OrganisationLink.ancestor_id).where(
        OrganisationLink.descendant_id.in_(bindparam("org_ids", expanding=True))
    )


@dataclass(frozen=True)
class Owners:
    """Whose tags someone sees: the organisations at and above their roles (a few ids) and their scope
    below (a subquery: a region is 2,000 organisations, never listed)."""

    above: frozenset[int]
    below: Scope

    def __contains__(self, org_id) -> bool:
        return org_id in self.above or org_id in self.below


def visible_owner_ids(user) -> Owners:
    """Owners whose tags ``user`` sees: above and at their roles' organisations, and below in scope."""
    return Owners(frozenset(lineage(r.org_id for r in user.roles)), access.scope(user, "banks.view"))


def visible_clause(owners):
    """SQL: the shared tags and those of ``owners`` (:class:`Owners`, or a set of ids)."""
    if isinstance(owners, Owners):
        return or_(Tag.org_id.is_(None), Tag.org_id.in_(owners.above), Tag.org_id.in_(owners.below))
    return or_(Tag.org_id.is_(None), Tag.org_id.in_(owners)) if owners else Tag.org_id.is_(None)


def visible_tags(user, active_only: bool = False) -> list[Tag]:
    owners = visible_owner_ids(user)
    if owners.below:  # the usual case, through a statement built once
        params = {"above": sorted(owners.above), **owners.below.params()}
        return list(db.session.scalars(_visible_tags_statement(owners.below.everything, active_only), params))
    return list(db.session.scalars(_visible_tags_query(visible_clause(owners), active_only)))


def visible_tag_options(user) -> list:
    """The active tags ``user`` sees (:func:`visible_tags`) as plain rows (``id``, ``title`` …), for the
    options of a list's filter: every page of a bank shows them, and records cost more than the SQL."""
    owners = visible_owner_ids(user)
    if not owners.below:
        return visible_tags(user, active_only=True)
    params = {"above": sorted(owners.above), **owners.below.params()}
    return db.session.connection().execute(_visible_tags_statement(owners.below.everything, True), params).all()


def _visible_tags_query(visible, active_only: bool):
    query = select(Tag).where(visible)
    if active_only:
        query = query.where(~Tag.archived)
    return query.order_by(Tag.archived, Tag.group, Tag.title)


@cache
def _visible_tags_statement(everything: bool, active_only: bool):
    """:func:`visible_clause` of :class:`Owners` with a non-empty scope below, its ids bound at execution."""
    visible = or_(Tag.org_id.is_(None), Tag.org_id.in_(bindparam("above", expanding=True)),
                  Tag.org_id.in_(scope_select(everything)))
    return _visible_tags_query(visible, active_only)


def tags_of_school_clause(org_id: int):
    """Tags a profile of school ``org_id`` may carry: shared, from above, and the school's own."""
    return visible_clause(lineage([org_id]))


def may_edit(user, tag: Tag) -> bool:
    if tag.org_id is None:
        return access.can(user, "admin.users")
    owner = db.session.get(Organisation, tag.org_id)
    if owner is not None and owner.is_education:
        return access.can(user, "banks.edit", tag.org_id)
    return access.can(user, "banks.vocabulary", tag.org_id)


def owner_for_new(user) -> int | None | bool:
    """Where a tag added by ``user`` on the vocabulary page belongs; False when they may add none."""
    if access.can(user, "admin.users"):
        return None
    for role in user.roles:
        if access.grants(role.role, "banks.vocabulary"):
            return role.org_id
    schools = education_orgs(access.scope(user, "banks.edit"))
    return schools[0].id if schools else False


def owner_title(tag: Tag) -> str:
    if tag.org_id is None:
        return OWNER_TITLES["shared"]
    owner = tag.org
    prefix = OWNER_TITLES["school"] if owner.is_education else OWNER_TITLES["above"]
    return f"{prefix}: {owner.title}"


def title_taken(title: str, owner_ids, except_id: int | None = None) -> bool:
    """A tag of this title among those the same people see (case-insensitive)."""
    query = select(Tag.id).where(func.lower(Tag.title) == title.lower(), visible_clause(owner_ids))
    if except_id is not None:
        query = query.where(Tag.id != except_id)
    return db.session.scalar(query.limit(1)) is not None
