"""Счётчики пар: mentees and mentors of pairs live during the period, pairs started/completed/interrupted.

A pair counts as live from its start (the order «о закреплении») to its actual end: it was live «at
any time in the period» when it started on or before the period's last day and did not end before
its first day. Pairs still «формируется» (no order yet) are not counted. People are counted once
however many pairs they are in, at the organisation that runs the pair, and only while on roll on
the as-of date, so that every numerator stays a part of its denominator.
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from nastavnik.banks.models import MENTOR_ORIGINS, MentorProfile
from nastavnik.extensions import db
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.participants.counters import aged, in_college, not_in_college, on_roll, young_specialist
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


def live_in_period(scope: CounterScope):
    return and_(
        Pair.status.in_(FIXED),
        Pair.starts_on.is_not(None),
        Pair.starts_on <= scope.end,
        or_(Pair.ended_on.is_(None), Pair.ended_on >= scope.start),
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
            Pair.org_id.in_(scope.org_ids), PairMember.role == role, live_in_period(scope), on_roll(scope.as_of),
            *conditions, *extra,
        )
        .group_by(Pair.org_id)
    )
    return {org_id: number for org_id, number in db.session.execute(query)}


def count_pairs(scope: CounterScope, *conditions) -> dict[int, int]:
    query = (
        select(Pair.org_id, func.count())
        .where(Pair.org_id.in_(scope.org_ids), *conditions)
        .group_by(Pair.org_id)
    )
    return {org_id: number for org_id, number in db.session.execute(query)}


def _members(role: str, *conditions, pair_condition=None):
    return lambda scope: count_members(scope, role, *conditions, pair_condition=pair_condition)


def _aged_members(role: str, youngest: int, oldest: int, **kwargs):
    def compute(scope: CounterScope) -> dict[int, int]:
        conditions = [aged(scope.as_of, youngest, oldest)] + list(kwargs.get("extra", ()))
        return count_members(scope, role, Person.kind == "student", *conditions)

    return compute


def _by_age(role: str, youngest: int, oldest: int):
    return lambda scope: count_members(scope, role, aged(scope.as_of, youngest, oldest))


def _unknown_age(role: str):
    return lambda scope: count_members(scope, role, Person.birth_date.is_(None))


def _young_mentees(scope: CounterScope) -> dict[int, int]:
    return count_members(scope, "mentee", young_specialist(scope.as_of))


def _other_staff_mentees(scope: CounterScope) -> dict[int, int]:
    return count_members(scope, "mentee", Person.kind == "staff", ~young_specialist(scope.as_of))


def _mentors_of_origin(origin: str | None):
    def compute(scope: CounterScope) -> dict[int, int]:
        if origin is None:  # a mentor with no bank record (added before the banks, or by hand)
            condition = PairMember.mentor_profile_id.is_(None)
        else:
            condition = PairMember.mentor_profile_id.in_(select(MentorProfile.id).where(MentorProfile.origin == origin))
        return count_members(scope, "mentor", condition)

    return compute


def _pairs_started(scope):
    return count_pairs(scope, Pair.status.in_(FIXED), Pair.starts_on.between(scope.start, scope.end))


def _pairs_ended(status: str):
    return lambda scope: count_pairs(scope, Pair.status == status, Pair.ended_on.between(scope.start, scope.end))


def _pairs_live(scope):
    return count_pairs(scope, live_in_period(scope))


def _pairs_active_on_date(scope):
    day = scope.as_of
    return count_pairs(
        scope, Pair.status.in_(FIXED), Pair.starts_on <= day, or_(Pair.ended_on.is_(None), Pair.ended_on > day)
    )


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
                lambda scope: count_pairs(scope, live_in_period(scope), of_kind), unit="ед."),
    ]


def _role_counters() -> list[Counter]:
    counters = []
    for role, plural in ROLE_TITLES.items():
        counters.append(Counter(f"{role}s_total", f"{plural} (всего)", f"{plural}, {LIVE}; каждый один раз.",
                                _members(role)))
        for code, (title, youngest, oldest) in AGE_GROUPS.items():
            counters.append(Counter(
                f"{role}s_age_{code}", f"{plural} {title}",
                f"{plural} в возрасте {title} на дату отчёта, {LIVE}.", _by_age(role, youngest, oldest)))
        counters.append(Counter(f"{role}s_age_unknown", f"{plural}: возраст не указан",
                                f"{plural} без даты рождения, {LIVE}.", _unknown_age(role)))
    return counters


def _origin_counters() -> list[Counter]:
    counters = [
        Counter(f"mentors_origin_{code}", f"Наставники: {title}",
                f"Наставники из банка наставников с происхождением «{title}», {LIVE}.", _mentors_of_origin(code))
        for code, title in MENTOR_ORIGINS.items()
    ]
    counters.append(Counter("mentors_origin_unknown", "Наставники: не из банка наставников",
                            f"Наставники пар без записи в банке наставников, {LIVE}.", _mentors_of_origin(None)))
    return counters


COUNTERS = [
    Counter("mentees_10_18", "Обучающиеся 10–18 лет в роли наставляемого",
            f"Обучающиеся общеобразовательных организаций 10–18 лет (на дату отчёта) — наставляемые {LIVE}.",
            _aged_members("mentee", 10, 18, extra=(not_in_college(),))),
    Counter("mentors_15_18", "Обучающиеся 15–18 лет в роли наставника",
            f"Обучающиеся общеобразовательных организаций 15–18 лет (на дату отчёта) — наставники {LIVE}.",
            _aged_members("mentor", 15, 18, extra=(not_in_college(),))),
    Counter("spo_mentees_15_19", "Обучающиеся СПО 15–19 лет в роли наставляемого",
            f"Обучающиеся профессиональных образовательных организаций 15–19 лет — наставляемые {LIVE}.",
            _aged_members("mentee", 15, 19, extra=(in_college(),))),
    Counter("young_specialists_mentees", "Молодые специалисты в роли наставляемого",
            f"Педагоги — молодые специалисты на дату отчёта, наставляемые {LIVE}.", _young_mentees),
    Counter("mentees_pupils", "Наставляемые: обучающиеся",
            f"Наставляемые — обучающиеся общеобразовательных организаций, {LIVE}.",
            _members("mentee", Person.kind == "student", not_in_college())),
    Counter("mentees_spo_students", "Наставляемые: обучающиеся СПО",
            f"Наставляемые — обучающиеся профессиональных образовательных организаций, {LIVE}.",
            _members("mentee", Person.kind == "student", in_college())),
    Counter("mentees_young_specialists", "Наставляемые: молодые специалисты",
            f"Наставляемые — педагоги, молодые специалисты на дату отчёта, {LIVE}.", _young_mentees),
    Counter("mentees_other_staff", "Наставляемые: педагоги (кроме молодых специалистов)",
            f"Наставляемые — педагоги, не являющиеся молодыми специалистами на дату отчёта, {LIVE}.",
            _other_staff_mentees),
    Counter("mentees_others", "Наставляемые: другие категории",
            f"Наставляемые — работники партнёров, выпускники и другие, {LIVE}.",
            _members("mentee", Person.kind.not_in(("student", "staff")))),
    *_role_counters(),
    *_origin_counters(),
    Counter("pairs_live", "Пары и группы, действовавшие в периоде",
            "Пары и группы, закреплённые приказом, действовавшие хотя бы один день отчётного периода.",
            _pairs_live, unit="ед."),
    Counter("pairs_active_on_date", "Пары и группы, действующие на дату",
            "Пары и группы, начавшиеся не позже даты отчёта и не окончившиеся до неё.", _pairs_active_on_date,
            unit="ед."),
    Counter("pairs_started", "Пары и группы, начавшие работу в периоде",
            "Пары и группы, дата начала которых (по приказу) приходится на отчётный период.", _pairs_started,
            unit="ед."),
    Counter("pairs_completed", "Пары и группы, завершившие программу в периоде",
            "Пары и группы со статусом «завершена», фактически окончившиеся в отчётном периоде.",
            _pairs_ended("finished"), unit="ед."),
    Counter("pairs_interrupted", "Пары и группы, прервавшие работу в периоде",
            "Пары и группы со статусом «прервана», прекратившие работу досрочно в отчётном периоде.",
            _pairs_ended("interrupted"), unit="ед."),
]
