"""Счётчики участников: who is on roll on the as-of date, by age and category (denominators of indicators).

Every counter is one SQL statement grouped by the person's organisation; ages and «молодой
специалист» are taken on the as-of date. The SQL helpers below are shared with the pairs' counters.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.participants.models import Person
from nastavnik.plugins.registry import Counter, CounterScope

COLLEGE_KINDS = ("college",)


# --- SQL helpers ---------------------------------------------------------------------------------


class days_between(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """Days from ``earlier`` (a date column) to ``later`` (a date): the same number on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):  # PostgreSQL: date - date is an integer of days
    earlier, later = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    earlier, later = list(element.clauses)
    return f"(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}))"


def years_ago(day: date, years: int) -> date:
    """The same day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# The conditions below are SQL with named parameters, built once per process (see ``cache`` on the batches)
# and run with the values of each scope (:func:`scope_params`): building these expressions afresh cost more
# than running the statements for a municipality (the live roll-up page).
_BORN_BY: set[int] = set()  # the ages the conditions use, to give each its parameter


def born_by(years: int):
    """SQL parameter: the latest birth date of someone ``years`` full years old on the as-of date."""
    _BORN_BY.add(years)
    return bindparam(f"born_by_{years}", type_=Date)


def aged(youngest: int, oldest: int, born=Person.birth_date):
    """SQL: the person is ``youngest``–``oldest`` full years old on the as-of date (both ends included).

    Age ≥ n ⇔ born on or before the same day n years earlier; so the condition is two date
    comparisons and works the same on every database.
    """
    return and_(born <= born_by(youngest), born > born_by(oldest + 1))


def on_roll(person=Person):
    """SQL: the person is on the school's roll on the as-of date: not archived (or archived later), not anonymised."""
    return and_(or_(person.archived_at.is_(None), person.archived_at >= bindparam("roll_until")),
                person.anonymised_at.is_(None))


def young_specialist(person=Person):
    """SQL twin of :func:`nastavnik.participants.models.is_young_specialist` on the as-of date."""
    since = days_between(person.experience_on, bindparam("as_of", type_=Date))
    since = case((person.experience_on.is_(None), 0.0), (since > 0, since), else_=0.0)
    experience = person.experience_years + since / 365.25
    return and_(
        person.kind == "staff",
        person.experience_years.is_not(None),
        experience < bindparam("young_max_years", type_=Float),
        or_(person.birth_date.is_(None), person.birth_date > bindparam("young_born_after", type_=Date)),
    )


def scope_params(scope: CounterScope) -> dict:
    """The values of the parameters above for ``scope``: its as-of date and period."""
    day, config = scope.as_of, current_app.config
    return {
        "as_of": day,
        "period_start": scope.start,
        "period_end": scope.end,
        "roll_until": datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC),
        # the Python rule rounds the experience to one decimal before comparing
        "young_max_years": config["YOUNG_SPECIALIST_MAX_YEARS"] + 0.05,
        "young_born_after": years_ago(day, config["YOUNG_SPECIALIST_MAX_AGE"] + 1),
        **{f"born_by_{years}": years_ago(day, years) for years in _BORN_BY},
    }


def batched(scope: CounterScope, key: str, build):
    """Counters over the same table share one grouped statement per scope: the first to be computed runs
    it (``build(scope) -> {code: {org_id: n}}``), the others read its result. The result lives on the
    scope object itself, so it is as fresh as the scope (a report builds one scope per computation)."""
    batches = vars(scope).setdefault("_counter_batches", {})  # a frozen dataclass still has a __dict__
    if key not in batches:
        batches[key] = build(scope)
    return batches[key]


_STATEMENTS: dict[tuple, object] = {}  # (batch, organisations' subquery) -> its statement
MAX_STATEMENTS = 512


def _subquery_key(org_ids):
    """What identifies a subquery of organisations: its structure and its values (None if it has none)."""
    element = org_ids.__clause_element__() if hasattr(org_ids, "__clause_element__") else org_ids
    cache_key = element._generate_cache_key() if hasattr(element, "_generate_cache_key") else None
    if cache_key is None:
        return None
    values = tuple(tuple(v) if isinstance(v, list) else v for v in (b.effective_value for b in cache_key.bindparams))
    try:
        hash(values)
    except TypeError:
        return None
    return cache_key.key, values


def scope_statement(scope: CounterScope, name: str, build):
    """The statement ``name`` for the scope's organisations: ``build()`` once per process for each subquery
    of organisations, when everything else in it is a constant or a named parameter."""
    key = _subquery_key(scope.org_ids)
    if key is None:
        return build()
    statement = _STATEMENTS.get((name, key))
    if statement is None:
        if len(_STATEMENTS) >= MAX_STATEMENTS:
            _STATEMENTS.clear()
        statement = _STATEMENTS[name, key] = build()
    return statement


class Grouped:
    """Counters counted in one pass over the same rows, grouped by organisation: the batch ``name``.

    ``aggregates()`` gives each counter's aggregate, its condition inside (``COUNT(*) FILTER (WHERE …)``,
    :func:`count_where`), made once per process; ``rows(query)`` adds the FROM and its joins;
    ``where(org_ids)`` keeps the rows counted in a scope. Everything else is a named parameter
    (:func:`scope_params`). The counters are written once, in their module, and counted two ways from it:
    the whole batch in one statement (:meth:`counts`, a counter on its own), or only the counters a report
    needs, of several batches, in one statement (:func:`count_together`).
    """

    def __init__(self, name: str, group_column, aggregates, rows, where):
        self.name, self.group_column, self.aggregates, self.rows, self.where = name, group_column, aggregates, rows, where

    def statement(self, org_ids, codes, tag: int | None = None, width: int = 0):
        """SELECT [tag,] org, the aggregates of ``codes`` [, NULL up to ``width`` aggregates] … GROUP BY org."""
        aggregates = self.aggregates()
        # typed: PostgreSQL types a union's columns pair by pair, and NULL beside NULL would be text
        columns = [aggregates[code] for code in codes] + [cast(null(), BigInteger)] * (width - len(codes))
        leading = [] if tag is None else [literal_column(str(int(tag)))]
        return (self.rows(select(*leading, self.group_column, *columns)).where(*self.where(org_ids))
                .group_by(self.group_column))

    def counts(self, scope: CounterScope) -> dict[str, dict[int, int]]:
        """Every counter of the batch for ``scope``: ``{code: {org_id: n}}``, in one statement.

        Its only input besides the named parameters is the scope's subquery of organisations, so the
        statement is made once per process for each subquery (a municipality's, a school's …): making a
        statement of this size and its SQLAlchemy cache key cost more than running it for a municipality.
        """
        codes = tuple(self.aggregates())
        query = scope_statement(scope, self.name, lambda: self.statement(scope.org_ids, codes))
        result: dict[str, dict[int, int]] = {code: {} for code in codes}
        for org_id, *values in db.session.execute(query, scope_params(scope)):
            _tally(result, codes, org_id, values)
        return result


def _tally(result: dict, codes, org_id: int, values) -> None:
    for code, value in zip(codes, values, strict=False):  # values may be padded with NULLs
        if value:
            result[code][org_id] = int(value)


class GroupedCounter:
    """The ``compute`` of a counter of a :class:`Grouped` batch. On its own it reads its batch's statement
    for the scope (one statement for every counter of the batch); when a report has counted it together
    with others (:func:`count_together`, found as ``compute.count_together``), it reads that result."""

    def __init__(self, batch: Grouped, code: str):
        self.batch, self.code = batch, code

    def __call__(self, scope: CounterScope) -> dict[int, int]:
        together = vars(scope).get("_counted_together", {})
        if self.code in together:
            return together[self.code]
        return batched(scope, self.batch.name, self.batch.counts)[self.code]

    def __repr__(self) -> str:
        return f"GroupedCounter({self.batch.name}, {self.code})"

    @staticmethod
    def count_together(scope: CounterScope, counters) -> None:
        count_together(scope, counters)


def count_together(scope: CounterScope, counters) -> None:
    """Count the given counters (:class:`GroupedCounter`) of any batches in ONE statement, for the scope; each
    counter then reads its figure from the scope (a report asks the people, members and pairs batches for
    a few counters each: three statements, and aggregates nobody asked for, cost more than the counting).

    The statement is a UNION ALL of one grouped SELECT per batch, made by :meth:`Grouped.statement` from
    the batch's own aggregates and conditions, with only the counters asked for; each row is tagged with
    its batch. It is made once per process for each set of counters and subquery of organisations.

    The people, members and pairs batches are Grouped; the satisfaction and partner counters keep their
    own small statements. Measured on PostgreSQL, a union with their joins (five levels of rules) costs more
    than it saves: planned whole, it has to be planned again on each run, or its generic plan (prepared
    statements) turns parallel and runs slower than the statements apart.
    """
    wanted: dict[str, tuple[Grouped, set[str]]] = {}
    for counter in counters:
        wanted.setdefault(counter.batch.name, (counter.batch, set()))[1].add(counter.code)
    parts = [(batch, tuple(code for code in batch.aggregates() if code in codes))
             for _, (batch, codes) in sorted(wanted.items())]
    if not parts:
        return
    width = max(len(codes) for _, codes in parts)

    def build():
        selects = [batch.statement(scope.org_ids, codes, tag, width) for tag, (batch, codes) in enumerate(parts)]
        return selects[0] if len(selects) == 1 else union_all(*selects)

    name = ("together", *((batch.name, codes) for batch, codes in parts))
    result: dict[str, dict[int, int]] = {code: {} for _, codes in parts for code in codes}
    for tag, org_id, *values in db.session.execute(scope_statement(scope, name, build), scope_params(scope)):
        _tally(result, parts[tag][1], org_id, values)
    vars(scope).setdefault("_counted_together", {}).update(result)


def count_where(condition, column=None):
    """SQL aggregate: the rows that meet ``condition`` (with ``column``, its distinct values among them), as
    ``COUNT(*) FILTER (WHERE …)``: the same number as ``SUM(CASE WHEN … THEN 1 ELSE 0 END)`` or ``COUNT(DISTINCT
    CASE WHEN … THEN column END)``, and cheaper, since the rows that fail never reach the aggregate (SQLite ≥ 3.30,
    PostgreSQL ≥ 9.4)."""
    return (func.count() if column is None else func.count(func.distinct(column))).filter(condition)


@cache
def _people_counts() -> dict:
    college = Organisation.kind.in_(COLLEGE_KINDS)
    pupil = and_(Person.kind == "student", ~college)
    n = count_where
    return {
        "pupils_total": n(pupil),
        "pupils_10_18": n(and_(pupil, aged(10, 18))),
        "pupils_15_18": n(and_(pupil, aged(15, 18))),
        "spo_students_15_19": n(and_(Person.kind == "student", college, aged(15, 19))),
        "staff_total": n(Person.kind == "staff"),
        "young_specialists": n(young_specialist()),
    }


PEOPLE = Grouped(
    "people", Person.org_id, _people_counts, lambda query: query.join(Organisation, Organisation.id == Person.org_id),
    lambda org_ids: (Person.org_id.in_(org_ids), on_roll()),
)  # everyone counted on roll, in one pass over the people of the scope


def _person_counter(code: str) -> GroupedCounter:
    return GroupedCounter(PEOPLE, code)


# --- Counters ------------------------------------------------------------------------------------


ON_ROLL = "числящиеся на дату, на которую составляется отчёт (не выбывшие до неё); возраст — полных лет на эту дату"

COUNTERS = [
    Counter("pupils_total", "Обучающиеся (всего)", f"Обучающиеся общеобразовательных организаций, {ON_ROLL}.",
            _person_counter("pupils_total")),
    Counter("pupils_10_18", "Обучающиеся 10–18 лет",
            f"Обучающиеся общеобразовательных организаций в возрасте от 10 до 18 лет включительно, {ON_ROLL}.",
            _person_counter("pupils_10_18")),
    Counter("pupils_15_18", "Обучающиеся 15–18 лет",
            f"Обучающиеся общеобразовательных организаций в возрасте от 15 до 18 лет включительно, {ON_ROLL}.",
            _person_counter("pupils_15_18")),
    Counter("spo_students_15_19", "Обучающиеся СПО 15–19 лет",
            f"Обучающиеся профессиональных образовательных организаций в возрасте 15–19 лет, {ON_ROLL}.",
            _person_counter("spo_students_15_19")),
    Counter("staff_total", "Педагоги (всего)", f"Педагогические и иные работники организации, {ON_ROLL}.",
            _person_counter("staff_total")),
    Counter("young_specialists", "Молодые специалисты",
            "Педагоги со стажем до 3 лет (и в возрасте до 35 лет — по настройкам) на дату отчёта; стаж — "
            f"записанный стаж плюс время с даты его записи; {ON_ROLL}.", _person_counter("young_specialists")),
]
