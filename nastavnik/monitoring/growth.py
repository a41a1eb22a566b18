"""Рост участников (этап 2 мониторинга): характеристики формы, записи на входе и в конце, сводки.

Characteristics come from the form's plugin (``nastavnik_growth_characteristics``) and from the
school (``GrowthCharacteristicRow``). Records are personal by nature: a pair's page shows them to
its school's curators and to its mentor; summaries per form and per school are counts and means.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from nastavnik import access
from nastavnik.extensions import db
from nastavnik.monitoring.models import STAGES, GrowthCharacteristicRow, GrowthRecord
from nastavnik.monitoring.services import _call_each
from nastavnik.monitoring.structs import GrowthCharacteristic
from nastavnik.orgs.models import Organisation
from nastavnik.pairs.models import Pair
from nastavnik.timeutil import utcnow
from nastavnik.versioning import commit_or_conflict

VERDICTS = {"better": "улучшилось", "same": "без изменений", "worse": "ухудшилось"}


def plugin_characteristics(kind_code: str) -> list[GrowthCharacteristic]:
    found, seen = [], set()
    for value in _call_each("nastavnik_growth_characteristics", kind_code=kind_code):
        if isinstance(value, GrowthCharacteristic) and value.code not in seen:
            seen.add(value.code)
            found.append(value)
    return found


def _from_row(row: GrowthCharacteristicRow) -> GrowthCharacteristic:
    return GrowthCharacteristic(
        row.code, row.title, row.role, row.value_kind, tuple(row.options or ()), row.minimum, row.maximum,
        row.higher_is_better, row.unit, "добавлена школой", row.kind_code,
    )


def characteristics(kind_code: str, org_ids) -> list[GrowthCharacteristic]:
    """The form's characteristics and those the schools ``org_ids`` added for it."""
    own = db.session.scalars(
        select(GrowthCharacteristicRow).where(
            GrowthCharacteristicRow.kind_code == kind_code, GrowthCharacteristicRow.org_id.in_(list(org_ids))
        ).order_by(GrowthCharacteristicRow.id)
    ).all()
    return plugin_characteristics(kind_code) + [_from_row(row) for row in own]


def add_characteristic(org_id: int, kind_code: str, values: dict) -> GrowthCharacteristicRow:
    number = db.session.scalar(select(func.count()).where(GrowthCharacteristicRow.org_id == org_id)) or 0
    row = GrowthCharacteristicRow(org_id=org_id, kind_code=kind_code, code=f"org{org_id}_{number + 1}", **values)
    db.session.add(row)
    db.session.commit()
    return row


def check_value(characteristic: GrowthCharacteristic, text: str) -> tuple[float | None, str | None]:
    """Parse one posted value: (value, Russian error); an empty field is (None, None)."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None, None
    try:
        value = float(text)
    except ValueError:
        return None, "Введите число, например 4 или 4,5."
    kind = characteristic.value_kind
    if kind in ("scale5", "count", "ordinal") and value != int(value):
        return None, "Введите целое число."
    if kind == "ordinal":
        if not 0 <= value < len(characteristic.options):
            return None, "Выберите ступень из списка."
        return value, None
    low = 1 if kind == "scale5" else characteristic.minimum
    high = 5 if kind == "scale5" else characteristic.maximum
    if kind == "count" and low is None:
        low = 0
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"от {low:g} до {high:g}" if high is not None else f"не меньше {low:g}"
        return None, f"Значение должно быть {bounds}."
    return value, None


def show_value(characteristic: GrowthCharacteristic | None, value: float | None) -> str:
    if value is None:
        return "—"
    if characteristic is not None and characteristic.value_kind == "ordinal":
        index = int(value)
        return characteristic.options[index] if 0 <= index < len(characteristic.options) else f"{value:g}"
    text = f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"
    return text.replace(".", ",")


def verdict(characteristic: GrowthCharacteristic, entry: float, final: float) -> str:
    change = (final - entry) * (1 if characteristic.higher_is_better else -1)
    return "better" if change > 0 else "worse" if change < 0 else "same"


# --- A pair --------------------------------------------------------------------------------------


def pair_level(user, pair: Pair | None) -> str:
    """«edit» for the school's curators and the pair's mentor, «view» for who sees the school's monitoring;
    404 for everyone else (a mentee's growth records are about them, but kept by the adults)."""
    if pair is None:
        abort(404)
    if access.can(user, "monitoring.edit", pair.org_id):
        return "edit"
    person_id = getattr(user, "person_id", None)
    if person_id is not None and any(m.person_id == person_id and m.role == "mentor" for m in pair.members):
        return "edit"
    if access.can(user, "monitoring.view", pair.org_id):
        return "view"
    abort(404)


@dataclass
class Line:
    characteristic: GrowthCharacteristic
    entry: GrowthRecord | None = None
    final: GrowthRecord | None = None

    @property
    def verdict(self) -> str | None:
        if self.entry is None or self.final is None:
            return None
        return verdict(self.characteristic, self.entry.value, self.final.value)

    @property
    def change(self) -> float | None:
        if self.entry is None or self.final is None:
            return None
        return self.final.value - self.entry.value


@dataclass
class MemberGrowth:
    member: object  # PairMember
    lines: list[Line] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found = {key: 0 for key in VERDICTS}
        for line in self.lines:
            if line.verdict:
                found[line.verdict] += 1
        return found


def pair_growth(pair: Pair) -> list[MemberGrowth]:
    chars = characteristics(pair.kind_code, [pair.org_id])
    records = db.session.scalars(select(GrowthRecord).where(GrowthRecord.pair_id == pair.id)).all()
    by_key = {(r.person_id, r.code, r.stage): r for r in records}
    found = []
    for member in pair.members:
        lines = [Line(c, by_key.get((member.person_id, c.code, "entry")), by_key.get((member.person_id, c.code, "final")))
                 for c in chars if c.role == member.role]
        found.append(MemberGrowth(member, lines))
    return found


def save_stage(pair: Pair, member, stage: str, values: dict[str, tuple[float | None, str]], user_id: int | None,
               ) -> int:
    """Write the member's values of one stage (who and when); an emptied value removes its record."""
    if stage not in STAGES:
        abort(404)
    existing = {
        r.code: r for r in db.session.scalars(select(GrowthRecord).where(
            GrowthRecord.pair_id == pair.id, GrowthRecord.person_id == member.person_id, GrowthRecord.stage == stage))
    }
    changed = 0
    for code, (value, note) in values.items():
        record = existing.get(code)
        if value is None:
            if record is not None:
                db.session.delete(record)
                changed += 1
            continue
        if record is None:
            record = GrowthRecord(pair_id=pair.id, person_id=member.person_id, org_id=pair.org_id,
                                  kind_code=pair.kind_code, role=member.role, code=code, stage=stage)
            db.session.add(record)
        elif record.value == value and record.note == note:
            continue
        record.value, record.note = value, note
        record.recorded_by_id, record.recorded_at = user_id, utcnow()
        changed += 1
    commit_or_conflict()
    return changed


# --- Summaries per form and per school --------------------------------------------------------


@dataclass
class SummaryRow:
    code: str
    org_id: int | None
    kind_code: str
    role: str
    n: int
    entry_mean: float
    final_mean: float
    higher: int
    lower: int
    equal: int
    characteristic: GrowthCharacteristic | None = None
    org: Organisation | None = None

    @property
    def counts(self) -> dict[str, int]:
        better_is_higher = self.characteristic is None or self.characteristic.higher_is_better
        return {
            "better": self.higher if better_is_higher else self.lower,
            "same": self.equal,
            "worse": self.lower if better_is_higher else self.higher,
        }

    @property
    def change(self) -> float:
        return self.final_mean - self.entry_mean


def summary(org_ids, kind_code: str = "", by_org: bool = False, role: str = "") -> list[SummaryRow]:
    """Per characteristic (and per school when ``by_org``): participants with both records, the means and
    how many went up, down or stayed — one self-join GROUP BY."""
    entry, final = aliased(GrowthRecord), aliased(GrowthRecord)
    keys = [entry.code, entry.kind_code, entry.role] + ([entry.org_id] if by_org else [])
    query = (
        select(*keys, func.count(), func.avg(entry.value), func.avg(final.value),
               func.sum(case((final.value > entry.value, 1), else_=0)),
               func.sum(case((final.value < entry.value, 1), else_=0)),
               func.sum(case((final.value == entry.value, 1), else_=0)))
        .join(final, and_(final.pair_id == entry.pair_id, final.person_id == entry.person_id,
                          final.code == entry.code, final.stage == "final"))
        .where(entry.stage == "entry", entry.org_id.in_(list(org_ids)))
        .group_by(*keys)
    )
    if kind_code:
        query = query.where(entry.kind_code == kind_code)
    if role:
        query = query.where(entry.role == role)
    rows = db.session.execute(query).all()
    chars = {}
    for kind in {row[1] for row in rows}:
        chars.update({c.code: c for c in characteristics(kind, org_ids)})
    orgs = {}
    if by_org:
        orgs = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_([r[3] for r in rows])))}
    found = []
    for row in rows:
        code, kind, member_role = row[0], row[1], row[2]
        org_id = row[3] if by_org else None
        n, entry_mean, final_mean, higher, lower, equal = row[-6:]
        found.append(SummaryRow(code, org_id, kind, member_role, n, float(entry_mean), float(final_mean), int(higher),
                                int(lower), int(equal), chars.get(code), orgs.get(org_id)))
    order = {code: i for i, code in enumerate(chars)}
    return sorted(found, key=lambda r: (r.kind_code, r.role != "mentee", order.get(r.code, 999),
                                        r.org.name if r.org else ""))


def recorded_people(org_ids, kind_code: str = "") -> dict[str, int]:
    """How many participants have an entry record, and how many a final one (for the справка)."""
    query = select(GrowthRecord.stage, func.count(func.distinct(GrowthRecord.person_id))).where(
        GrowthRecord.org_id.in_(list(org_ids))).group_by(GrowthRecord.stage)
    if kind_code:
        query = query.where(GrowthRecord.kind_code == kind_code)
    return dict(db.session.execute(query).all())
