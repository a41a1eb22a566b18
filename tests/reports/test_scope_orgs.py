"""Twin test: the organisations of a report's scope (each with its municipality, looked up once per parent)
are those of the plain definition: every organisation walks up the scope's tree to its municipality (one
above the scope's root is not looked up: a municipal office's schools are not grouped)."""

from __future__ import annotations

from nastavnik.extensions import db
from nastavnik.orgs.models import EDUCATION_KINDS, Organisation
from nastavnik.reports.engine import scope_orgs
from tests.factories import make_org


def plain(root_id: int) -> list[tuple[int, str, str]]:
    from nastavnik.orgs.services import subtree_ids

    ids = subtree_ids([root_id])
    orgs = {o.id: o for o in db.session.query(Organisation) if o.id in ids}

    def group(org):
        while org is not None and org.kind != "municipality":
            org = orgs.get(org.parent_id)
        return (org.short_name or org.name) if org is not None else ""

    rows = [(o.id, o.short_name or o.name, group(o)) for o in orgs.values()
            if o.kind in EDUCATION_KINDS and not o.archived]
    return sorted(rows, key=lambda r: (r[2], r[1]))


def test_scope_orgs_is_the_plain_walk_up_the_tree(world):
    district = make_org(kind="municipality", name="Северный район", short_name="Северный", parent=world.region)
    office = make_org(kind="authority", name="УО Северного", parent=district)
    methodical = make_org(kind="methodical", name="ИМЦ", parent=office)
    for name, parent, values in [("Школа А", office, {}), ("Школа Б", methodical, {"short_name": "Б"}),
                                 ("Колледж", district, {"kind": "college"}), ("Закрытая", office, {"archived": True}),
                                 ("Краевая школа", world.region, {}), ("Садик", world.authority, {"kind": "preschool"})]:
        make_org(name=name, parent=parent, **values)
    db.session.commit()
    for root in (world.region, district, office, world.authority, world.school):
        assert scope_orgs(root.id) == plain(root.id), root.name
    assert ("Краевая школа", "") in [(title, group) for _, title, group in scope_orgs(world.region.id)]
