"""Счётчики пар: mentees and mentors of pairs live during the period, pairs started/completed/interrupted.

A pair counts as live from its start (the order «о закреплении») to its actual end: it was live «at
any time in the period» when it started on or before the period's last day and did not end before
its first day. Pairs still «формируется» (no order yet) are not counted. People are counted once
however many pairs they are in, at the organisation that runs the pair, and only while on roll on
the as-of date, so that every numerator stays a part of its denominator.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import and_, bindparam, func, or_, select

from nastavnik.banks.models import MENTOR_ORIGINS, MentorProfile
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.participants.counters import (
    COLLEGE_KINDS,
    Grouped,
    GroupedCounter,
    aged,
    count_where,
    on_roll,
    scope_params,
    young_specialist,
)
from nastavnik.participants.models import Person
from nastavnik.plugins.registry import Counter, CounterScope

FIXED = ("active", "finished", "interrupted")  # closed by an order; «формируется» is not yet a pair
AGE_GROUPS = {  # code -> (title, youngest, oldest)
    "under_10": ("до 10 лет", 0, 9),
    "10_14": ("10–14 лет", 10, 14),
    "15_18": ("15–18 лет", 15, 18),
    "19_35": ("19–35 лет", 19, 35),
    "36_plus": ("36 лет и старше", 36, 200),
}
ROLE_TITLES = {"mentee": "Наставляемые", "mentor": "Наставники"}
LIVE = (
    "в паре/группе, действовавшей в отчётном периоде (с даты начала по приказу о закреплении по дату "
    "фактического окончания)"
)


def live_in_period():
    """SQL: the pair was live on some day of the period (its parameters: :func:`scope_params`)."""
    return and_(
        Pair.status.in_(FIXED),
        Pair.starts_on.is_not(None),
        Pair.starts_on <= bindparam("period_end"),
        or_(Pair.ended_on.is_(None), Pair.ended_on >= bindparam("period_start")),
    )


def count_members(scope: CounterScope, role: str, *conditions, pair_condition=None) -> dict[int, int]:
    """One statement: distinct people in ``role`` of pairs live in the period and on roll, per the pair's
    organisation (a partner's employee mentoring at a school is counted at that school)."""
    extra = [pair_condition] if pair_condition is not None else []
    query = (
        select(Pair.org_id, func.count(func.distinct(Person.id)))
        .join(PairMember, PairMember.pair_id == Pair.id)
        .join(Person, Person.id == PairMember.person_id)
        .where(
            Pair.org_id.in_(scope.org_ids), PairMember.role == role, live_in_period(), on_roll(),
            *conditions, *extra,
        )
        .group_by(Pair.org_id)
    )
    return {org_id: number for org_id, number in db.session.execute(query, scope_params(scope))}


def count_pairs(scope: CounterScope, *conditions) -> dict[int, int]:
    query = (
        select(Pair.org_id, func.count())
        .where(Pair.org_id.in_(scope.org_ids), *conditions)
        .group_by(Pair.org_id)
    )
    return {org_id: number for org_id, number in db.session.execute(query, scope_params(scope))}


def _members(role: str, *conditions, pair_condition=None):
    return lambda scope: count_members(scope, role, *conditions, pair_condition=pair_condition)


@cache
def _member_conditions(wanted: tuple | None = None) -> dict[str, object]:
    """Member counters' conditions (role and person), to be counted in one pass over the members: those in
    ``wanted``, or all; built once per process (their parameters: :func:`scope_params`)."""
    mentee, mentor = PairMember.role == "mentee", PairMember.role == "mentor"
    student, college = Person.kind == "student", Organisation.kind.in_(COLLEGE_KINDS)
    young = cache(young_specialist)  # built once, if at all
    conditions = {  # code -> a callable that builds the condition
        "mentees_10_18": lambda: and_(mentee, student, ~college, aged(10, 18)),
        "mentors_15_18": lambda: and_(mentor, student, ~college, aged(15, 18)),
        "spo_mentees_15_19": lambda: and_(mentee, student, college, aged(15, 19)),
        "young_specialists_mentees": lambda: and_(mentee, young()),
        "mentees_total": lambda: mentee,
        "mentors_total": lambda: mentor,
        "mentees_pupils": lambda: and_(mentee, student, ~college),
        "mentees_spo_students": lambda: and_(mentee, student, college),
        "mentees_young_specialists": lambda: and_(mentee, young()),
        "mentees_other_staff": lambda: and_(mentee, Person.kind == "staff", ~young()),
        "mentees_others": lambda: and_(mentee, Person.kind.not_in(("student", "staff"))),
        "mentors_origin_unknown": lambda: and_(mentor, PairMember.mentor_profile_id.is_(None)),
    }
    for code in MENTOR_ORIGINS:
        conditions[f"mentors_origin_{code}"] = lambda code=code: and_(mentor, MentorProfile.origin == code)
    for role, member in (("mentee", mentee), ("mentor", mentor)):
        for code, (_, youngest, oldest) in AGE_GROUPS.items():
            conditions[f"{role}s_age_{code}"] = lambda m=member, y=youngest, o=oldest: and_(m, aged(y, o))
        conditions[f"{role}s_age_unknown"] = lambda m=member: and_(m, Person.birth_date.is_(None))
    return {code: build() for code, build in conditions.items() if wanted is None or code in wanted}


# Counted together: what the Р-145 indicators need, then the breakdowns of «Сведения о численности».
MEMBER_BATCHES = {
    "members_r145": ("mentees_10_18", "mentors_15_18", "spo_mentees_15_19", "young_specialists_mentees",
                     "mentees_total", "mentors_total"),
    "members_breakdown": None,  # all the others
}


@cache
def _member_aggregates(batch: str) -> dict:
    """The distinct counts of the batch's counters, made once per process like their conditions."""
    r145 = MEMBER_BATCHES["members_r145"]
    conditions = _member_conditions(MEMBER_BATCHES[batch])
    wanted = [c for c in conditions if batch == "members_r145" or c not in r145]
    return {code: count_where(conditions[code], Person.id) for code in wanted}


def _member_rows(batch: str):
    def rows(query):
        query = (query.select_from(Pair).join(PairMember, PairMember.pair_id == Pair.id)
                 .join(Person, Person.id == PairMember.person_id)
                 .join(Organisation, Organisation.id == Person.org_id))
        if batch == "members_breakdown":  # the mentors' origin is in their bank record
            query = query.outerjoin(MentorProfile, MentorProfile.id == PairMember.mentor_profile_id)
        return query

    return rows


MEMBERS = {  # distinct people of pairs live in the period, on roll, per the pair's organisation
    batch: Grouped(batch, Pair.org_id, lambda batch=batch: _member_aggregates(batch), _member_rows(batch),
                   lambda org_ids: (Pair.org_id.in_(org_ids), live_in_period(), on_roll()))
    for batch in MEMBER_BATCHES
}


def _member_counter(code: str) -> GroupedCounter:
    batch = "members_r145" if code in MEMBER_BATCHES["members_r145"] else "members_breakdown"
    return GroupedCounter(MEMBERS[batch], code)


@cache
def _pair_counts() -> dict:
    fixed, start, end = Pair.status.in_(FIXED), bindparam("period_start"), bindparam("period_end")
    n = count_where
    return {
        "pairs_live": n(live_in_period()),
        "pairs_started": n(and_(fixed, Pair.starts_on.between(start, end))),
        "pairs_completed": n(and_(Pair.status == "finished", Pair.ended_on.between(start, end))),
        "pairs_interrupted": n(and_(Pair.status == "interrupted", Pair.ended_on.between(start, end))),
        "pairs_active_on_date": n(and_(fixed, Pair.starts_on <= bindparam("as_of"),
                                       or_(Pair.ended_on.is_(None), Pair.ended_on > bindparam("as_of")))),
    }


PAIRS = Grouped("pairs", Pair.org_id, _pair_counts, lambda query: query,
                lambda org_ids: (Pair.org_id.in_(org_ids),))  # the pairs of the scope in one pass


def _pair_counter(code: str) -> GroupedCounter:
    return GroupedCounter(PAIRS, code)


def kind_counters(kind_code: str, title: str) -> list[Counter]:
    """Counters of one form of mentoring, for the form's plugin to return from ``nastavnik_counters``
    (the pairs capability cannot know the forms: they come from plugins)."""
    of_kind = Pair.kind_code == kind_code
    return [
        Counter(f"mentees_kind_{kind_code}", f"Наставляемые: форма «{title}»",
                f"Наставляемые формы «{title}» {LIVE}.", _members("mentee", pair_condition=of_kind)),
        Counter(f"mentors_kind_{kind_code}", f"Наставники: форма «{title}»",
                f"Наставники формы «{title}» {LIVE}.", _members("mentor", pair_condition=of_kind)),
        Counter(f"pairs_kind_{kind_code}", f"Пары и группы: форма «{title}»",
                f"Пары и группы формы «{title}», действовавшие в отчётном периоде.",
                lambda scope: count_pairs(scope, live_in_period(), of_kind), unit="ед."),
    ]


def _role_counters() -> list[Counter]:
    counters = []
    for role, plural in ROLE_TITLES.items():
        counters.append(Counter(f"{role}s_total", f"{plural} (всего)", f"{plural}, {LIVE}; каждый один раз.",
                                _member_counter(f"{role}s_total")))
        for code, (title, _, _) in AGE_GROUPS.items():
            counters.append(Counter(
                f"{role}s_age_{code}", f"{plural} {title}",
                f"{plural} в возрасте {title} на дату отчёта, {LIVE}.", _member_counter(f"{role}s_age_{code}")))
        counters.append(Counter(f"{role}s_age_unknown", f"{plural}: возраст не указан",
                                f"{plural} без даты рождения, {LIVE}.", _member_counter(f"{role}s_age_unknown")))
    return counters


def _origin_counters() -> list[Counter]:
    counters = [
        Counter(f"mentors_origin_{code}", f"Наставники: {title}",
                f"Наставники из банка наставников с происхождением «{title}», {LIVE}.",
                _member_counter(f"mentors_origin_{code}"))
        for code, title in MENTOR_ORIGINS.items()
    ]
    counters.append(Counter("mentors_origin_unknown", "Наставники: не из банка наставников",
                            f"Наставники пар без записи в банке наставников, {LIVE}.",
                            _member_counter("mentors_origin_unknown")))
    return counters


COUNTERS = [
    Counter("mentees_10_18", "Обучающиеся 10–18 лет в роли наставляемого",
            f"Обучающиеся общеобразовательных организаций 10–18 лет (на дату отчёта) — наставляемые {LIVE}.",
            _member_counter("mentees_10_18")),
    Counter("mentors_15_18", "Обучающиеся 15–18 лет в роли наставника",
            f"Обучающиеся общеобразовательных организаций 15–18 лет (на дату отчёта) — наставники {LIVE}.",
            _member_counter("mentors_15_18")),
    Counter("spo_mentees_15_19", "Обучающиеся СПО 15–19 лет в роли наставляемого",
            f"Обучающиеся профессиональных образовательных организаций 15–19 лет — наставляемые {LIVE}.",
            _member_counter("spo_mentees_15_19")),
    Counter("young_specialists_mentees", "Молодые специалисты в роли наставляемого",
            f"Педагоги — молодые специалисты на дату отчёта, наставляемые {LIVE}.",
            _member_counter("young_specialists_mentees")),
    Counter("mentees_pupils", "Наставляемые: обучающиеся",
            f"Наставляемые — обучающиеся общеобразовательных организаций, {LIVE}.",
            _member_counter("mentees_pupils")),
    Counter("mentees_spo_students", "Наставляемые: обучающиеся СПО",
            f"Наставляемые — обучающиеся профессиональных образовательных организаций, {LIVE}.",
            _member_counter("mentees_spo_students")),
    Counter("mentees_young_specialists", "Наставляемые: молодые специалисты",
            f"Наставляемые — педагоги, молодые специалисты на дату отчёта, {LIVE}.",
            _member_counter("mentees_young_specialists")),
    Counter("mentees_other_staff", "Наставляемые: педагоги (кроме молодых специалистов)",
            f"Наставляемые — педагоги, не являющиеся молодыми специалистами на дату отчёта, {LIVE}.",
            _member_counter("mentees_other_staff")),
    Counter("mentees_others", "Наставляемые: другие категории",
            f"Наставляемые — работники партнёров, выпускники и другие, {LIVE}.",
            _member_counter("mentees_others")),
    *_role_counters(),
    *_origin_counters(),
    Counter("pairs_live", "Пары и группы, действовавшие в периоде",
            "Пары и группы, закреплённые приказом, действовавшие хотя бы один день отчётного периода.",
            _pair_counter("pairs_live"), unit="ед."),
    Counter("pairs_active_on_date", "Пары и группы, действующие на дату",
            "Пары и группы, начавшиеся не позже даты отчёта и не окончившиеся до неё.", _pair_counter("pairs_active_on_date"),
            unit="ед."),
    Counter("pairs_started", "Пары и группы, начавшие работу в периоде",
            "Пары и группы, дата начала которых (по приказу) приходится на отчётный период.", _pair_counter("pairs_started"),
            unit="ед."),
    Counter("pairs_completed", "Пары и группы, завершившие программу в периоде",
            "Пары и группы со статусом «завершена», фактически окончившиеся в отчётном периоде.",
            _pair_counter("pairs_completed"), unit="ед."),
    Counter("pairs_interrupted", "Пары и группы, прервавшие работу в периоде",
            "Пары и группы со статусом «прервана», прекратившие работу досрочно в отчётном периоде.",
            _pair_counter("pairs_interrupted"), unit="ед."),
]
