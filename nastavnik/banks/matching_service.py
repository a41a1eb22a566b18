"""The database side of matching: engine inputs from the banks, settings, suggestions and draft runs.

The engine (``nastavnik.matching``) is pure; here profiles become ``MenteeIn``/``MentorIn``,
the curator's settings become ``Settings`` and results become ``MatchRun``/``MatchProposal`` rows.
Engine ids are person ids (the engine refuses a pair of one person with itself), mapped back to
profiles here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm.attributes import set_committed_value

from nastavnik.banks import notes
from nastavnik.banks.models import (
    MatchExclusion,
    MatchProposal,
    MatchRun,
    MatchSettings,
    MenteeProfile,
    MentorProfile,
    Tag,
    mentee_tag,
    mentor_tag,
)
from nastavnik.consents.services import processing_allowed, processing_allowed_clause
from nastavnik.extensions import db
from nastavnik.matching import (
    DEFAULT_WEIGHTS,
    TITLES,
    MatchingError,
    MenteeIn,
    MentorIn,
    Settings,
    assign,
    suggest,
)
from nastavnik.pairs.eligibility import plugin_refusals
from nastavnik.participants.models import Person
from nastavnik.plugins.manager import hook
from nastavnik.timeutil import today, utcnow

MODES = {"max_score": "наибольший суммарный балл", "max_participation": "как можно больше пар"}
OPEN_MENTEE = ("in_bank", "unmatched")
OPEN_MENTOR = ("in_bank", "assigned")


@dataclass(frozen=True, kw_only=True)
class MentorRow(MentorIn):
    """A mentor input that also carries the qualification category (read by plugin criteria)."""

    qualification_category: str = ""


# ---------------------------------------------------------------- inputs


def _subjects(person) -> frozenset[str]:
    return frozenset(s.lower() for s in person.subject_list)


def mentee_input(profile: MenteeProfile, day: date) -> MenteeIn:
    person = profile.person
    return MenteeIn(
        id=person.id,
        org_id=profile.org_id,
        kind_code=profile.kind_code,
        tags={t.title for t in profile.tags},
        subjects=_subjects(person),
        experience_years=person.experience_on_date(day),
        age=person.age_on(day),
        category=profile.category or None,
    )


def mentor_input(profile: MentorProfile, day: date) -> MentorRow:
    person = profile.person
    age = (
        (profile.preferred_age_min, profile.preferred_age_max)
        if profile.preferred_age_min is not None and profile.preferred_age_max is not None
        else None
    )
    return MentorRow(
        id=person.id,
        org_id=profile.org_id,
        kind_codes=set(profile.kinds),
        capacity=profile.capacity,
        load=profile.load,
        tags={t.title for t in profile.tags},
        subjects=_subjects(person),
        experience_years=person.experience_on_date(day),
        age=person.age_on(day),
        preferred_age=age,
        qualification_category=person.qualification_category or "",
    )


def snapshot_input(item: MenteeIn | MentorIn) -> dict:
    """The fields the engine used, as JSON (recorded with the run)."""
    data = {f.name: getattr(item, f.name) for f in fields(item)}  # shallow: asdict deep-copies every set
    for key, value in data.items():
        if isinstance(value, frozenset | set):
            data[key] = sorted(value, key=str)
        elif isinstance(value, tuple):
            data[key] = list(value)
    return data


def _with_tags(profiles: list, owner_column, tag_column) -> list:
    """Fill every profile's tags from one query of the link table.

    A cohort is a thousand profiles sharing a few dozen tags: reading the link rows plainly is several
    times cheaper than the ORM's per-row loading, and matching runs on every click of the draft screen.
    """
    tags = {tag.id: tag for tag in db.session.scalars(select(Tag))}
    by_owner: dict[int, list[Tag]] = {profile.id: [] for profile in profiles}
    for owner_id, tag_id in db.session.execute(
        select(owner_column, tag_column).where(owner_column.in_(list(by_owner)))
    ):
        by_owner[owner_id].append(tags[tag_id])
    for profile in profiles:
        set_committed_value(profile, "tags", sorted(by_owner[profile.id], key=lambda tag: tag.title))
    return profiles


def open_mentees(org_id: int, kind_code: str, year: int, day: date | None = None) -> list[MenteeProfile]:
    """Mentees waiting for a pair; a person without a valid consent is out (152-ФЗ)."""
    profiles = list(
        db.session.scalars(
            select(MenteeProfile)
            .join(Person, Person.id == MenteeProfile.person_id)
            .where(
                MenteeProfile.org_id == org_id,
                MenteeProfile.kind_code == kind_code,
                MenteeProfile.academic_year == year,
                MenteeProfile.status.in_(OPEN_MENTEE),
                processing_allowed_clause(day or today()),
            )
            .order_by(MenteeProfile.id)
        ).unique()
    )
    return _with_tags(profiles, mentee_tag.c.mentee_id, mentee_tag.c.tag_id)


def mentor_pool(org_id: int, kind_code: str, org_ids) -> set[int]:
    """``org_ids`` plus the organisations plugins add to the pool of the school ``org_id``
    (``nastavnik_mentor_pool_orgs``: partners with an agreement in force)."""
    extra = hook().nastavnik_mentor_pool_orgs(org_id=org_id, kind_code=kind_code)
    return set(org_ids) | {int(i) for part in extra for i in part or ()}


def pool_mentors(org_ids: set[int], kind_code: str, day: date | None = None) -> list[MentorProfile]:
    """Mentors of the organisations the curator matches for who offer this form (with a valid consent)."""
    mentors = db.session.scalars(
        select(MentorProfile)
        .join(Person, Person.id == MentorProfile.person_id)
        .where(
            MentorProfile.org_id.in_(org_ids),
            MentorProfile.status.in_(OPEN_MENTOR),
            processing_allowed_clause(day or today()),
        )
        .order_by(MentorProfile.id)
    ).unique()
    offering = [m for m in mentors if kind_code in m.kinds]
    return _with_tags(offering, mentor_tag.c.mentor_id, mentor_tag.c.tag_id)


# ---------------------------------------------------------------- settings


def settings_row(org_id: int, kind_code: str) -> MatchSettings:
    """The stored settings, or fresh defaults (not added to the session)."""
    row = db.session.scalar(
        select(MatchSettings).where(MatchSettings.org_id == org_id, MatchSettings.kind_code == kind_code)
    )
    if row is None:
        row = MatchSettings(
            org_id=org_id,
            kind_code=kind_code,
            weights=dict(DEFAULT_WEIGHTS),
            must_share_subject=False,
            min_experience_gap=5.0,
            min_score=30.0,
            mode="max_score",
        )
    return row


def plugin_criteria(kind_code: str) -> list:
    return [c for part in hook().nastavnik_matching_criteria(kind_code=kind_code) for c in (part or [])]


def criteria_titles(kind_code: str) -> dict[str, str]:
    return dict(TITLES) | {c.code: c.title for c in plugin_criteria(kind_code)}


def exclusions(org_id: int) -> list[MatchExclusion]:
    return list(
        db.session.scalars(
            select(MatchExclusion).where(MatchExclusion.org_id == org_id).order_by(MatchExclusion.id)
        )
    )


def engine_settings(row: MatchSettings, kind_code: str, overrides: dict | None = None) -> Settings:
    values = {
        "weights": dict(row.weights or {}),
        "must_share_subject": row.must_share_subject,
        "min_experience_gap": row.min_experience_gap,
        "min_score": row.min_score,
        "mode": row.mode,
    } | (overrides or {})
    pairs = {(e.mentee_person_id, e.mentor_person_id) for e in exclusions(row.org_id)}
    return Settings(exclusions=pairs, extra_criteria=tuple(plugin_criteria(kind_code)), **values)


def with_refusals(
    settings: Settings, kind_code: str, mentees: Sequence[MenteeProfile], mentors: Sequence[MentorProfile]
) -> Settings:
    """The settings plus the pairs the plugins refuse by law: a hard constraint with their reason."""
    refused = plugin_refusals(kind_code, [m.person for m in mentors], [m.person for m in mentees])
    return replace(settings, refusals={(mentee, mentor): why for (mentor, mentee), why in refused.items()})


def _refuse_unconsented(*profiles) -> None:
    """A path that starts from one chosen profile (suggestions, swap) refuses a person without consent."""
    for profile in profiles:
        if not processing_allowed(profile.person, today()):
            raise MatchingError(
                f"«{profile.person.full_name}»: нет действующего согласия на обработку персональных данных — "
                "подбор приостановлен до нового согласия."
            )


# ---------------------------------------------------------------- suggestions and preview


@dataclass
class Suggested:
    mentor: MentorProfile
    score: float
    reasons: list
    blocked_by: list[str]


def suggestions(mentee: MenteeProfile, pool_org_ids: set[int], day: date) -> list[Suggested]:
    """Ranked eligible mentors, then the blocked ones with why (notes of other capabilities among
    the reasons; a mentor the school keeps out of matching is blocked by the note, see banks.notes)."""
    _refuse_unconsented(mentee)
    row = settings_row(mentee.org_id, mentee.kind_code)
    pool = mentor_pool(mentee.org_id, mentee.kind_code, pool_org_ids)
    mentors = {m.person_id: m for m in pool_mentors(pool, mentee.kind_code, day)}
    settings = with_refusals(engine_settings(row, mentee.kind_code), mentee.kind_code, [mentee], list(mentors.values()))
    found = suggest(
        mentee_input(mentee, day),
        [mentor_input(m, day) for m in mentors.values()],
        settings,
        limit=None,
        include_blocked=True,
    )
    found_notes = notes.mentor_notes(list(mentors), mentee.org_id, day)
    out = notes.excluded(found_notes)
    suggested = [
        Suggested(mentors[s.mentor_id], s.score, s.reasons + notes.as_reasons(found_notes.get(s.mentor_id, [])),
                  s.blocked_by + ([out[s.mentor_id]] if s.mentor_id in out else []))
        for s in found
    ]
    return sorted(suggested, key=lambda s: bool(s.blocked_by))


def preview(
    org_id: int, kind_code: str, year: int, pool_org_ids: set[int], settings: Settings, day: date
) -> dict:
    mentees = open_mentees(org_id, kind_code, year, day)
    mentors = pool_mentors(mentor_pool(org_id, kind_code, pool_org_ids), kind_code, day)
    out = notes.excluded(notes.mentor_notes([m.person_id for m in mentors], org_id, day))
    mentors = [m for m in mentors if m.person_id not in out]
    settings = with_refusals(settings, kind_code, mentees, mentors)
    result = assign(
        [mentee_input(m, day) for m in mentees], [mentor_input(m, day) for m in mentors], settings
    )
    return {
        "mentees": len(mentees),
        "mentors": len(mentors),
        "matched": len(result.pairs),
        "unmatched": len(result.unmatched),
        "total": result.total_score,
    }


# ---------------------------------------------------------------- cohort runs


REASON_FIELDS = ("code", "title", "value", "weight", "points", "text", "is_gap")


def _reasons_json(reasons) -> list[dict]:
    # Not dataclasses.asdict: its deep copy is most of the cost for a thousand pairs.
    return [{name: getattr(r, name) for name in REASON_FIELDS} for r in reasons]


def create_run(
    org_id: int, kind_code: str, year: int, pool_org_ids: set[int], user_id: int, day: date
) -> MatchRun:
    run = MatchRun(
        org_id=org_id, kind_code=kind_code, academic_year=year, created_by_id=user_id, status="draft"
    )
    db.session.add(run)
    run.inputs = {"pool_org_ids": sorted(pool_org_ids)}
    compute(run, day)
    return run


def compute(run: MatchRun, day: date) -> None:
    """(Re)compute the draft: pinned proposals stay, rejected pairs are forbidden, the rest is replaced."""
    base = set(run.inputs.get("pool_org_ids") or [run.org_id])
    pool = run_pool(run)
    mentees = {m.person_id: m for m in open_mentees(run.org_id, run.kind_code, run.academic_year, day)}
    mentors = {m.person_id: m for m in pool_mentors(pool, run.kind_code, day)}
    found_notes = notes.mentor_notes(list(mentors), run.org_id, day)
    out = notes.excluded(found_notes)  # the school keeps these out of matching (pinned rows stay)
    settings = with_refusals(
        engine_settings(settings_row(run.org_id, run.kind_code), run.kind_code),
        run.kind_code,
        list(mentees.values()),
        list(mentors.values()),
    )
    pinned = [p for p in run.proposals if p.state == "pinned"]
    mentors = {pid: m for pid, m in mentors.items() if pid not in out or any(p.mentor_id == m.id for p in pinned)}
    rejected = [p for p in run.proposals if p.state == "rejected"]
    # A pair proposed again keeps its row (and id): a page open in another tab, or a row's buttons,
    # still point at it after a recomputation.
    proposed = {(p.mentee.person_id, p.mentor.person_id): p for p in run.proposals if p.state == "proposed"}
    for proposal in pinned:
        # A pin whose person lost their consent (or whose pair a plugin now refuses) cannot stand.
        if (
            proposal.mentee.person_id not in mentees
            or proposal.mentor.person_id not in mentors
            or (proposal.mentee.person_id, proposal.mentor.person_id) in settings.refusals
        ):
            run.proposals.remove(proposal)
    pinned = [p for p in pinned if p in run.proposals]
    mentee_inputs = [mentee_input(m, day) for m in mentees.values()]
    mentor_inputs = [mentor_input(m, day) for m in mentors.values()]
    pins = [(p.mentee.person_id, p.mentor.person_id) for p in pinned]
    rejects = [(p.mentee.person_id, p.mentor.person_id) for p in rejected]
    result = assign(mentee_inputs, mentor_inputs, settings, pins=pins, rejected=rejects)
    by_pin = {(p.mentee.person_id, p.mentor.person_id): p for p in pinned}
    for pair in result.pairs:
        key = (pair.mentee_id, pair.mentor_id)
        proposal = by_pin.get(key) if pair.pinned else proposed.pop(key, None)
        if proposal is not None:
            proposal.score = pair.score
            proposal.reasons = _reasons_json(pair.reasons) + notes.as_json(found_notes.get(pair.mentor_id, []))
            continue
        run.proposals.append(
            MatchProposal(
                mentee=mentees[pair.mentee_id],
                mentor=mentors[pair.mentor_id],
                score=pair.score,
                reasons=_reasons_json(pair.reasons) + notes.as_json(found_notes.get(pair.mentor_id, [])),
                state="proposed",
            )
        )
    for proposal in proposed.values():  # no longer proposed
        run.proposals.remove(proposal)
    run.algorithm = result.algorithm
    run.settings = result.settings_snapshot
    run.inputs = {
        "pool_org_ids": sorted(base),
        "plugin_pool_org_ids": sorted(pool - base),
        "mentees": [snapshot_input(m) | {"profile_id": mentees[m.id].id} for m in mentee_inputs],
        "mentors": [snapshot_input(m) | {"profile_id": mentors[m.id].id} for m in mentor_inputs],
    }
    run.result = {
        "total_score": result.total_score,
        "matched": len(result.pairs),
        "unmatched": [
            {
                "mentee_profile_id": mentees[u.mentee_id].id,
                "name": mentees[u.mentee_id].person.full_name,
                "why": u.why,
                "best_score": u.best_score,
            }
            for u in result.unmatched
        ],
        "computed_at": utcnow().isoformat(),
    }


def run_pool(run: MatchRun) -> set[int]:
    """The run's mentor pool as of now: the curator's organisations plus what plugins add today."""
    return mentor_pool(run.org_id, run.kind_code, run.inputs.get("pool_org_ids") or [run.org_id])


def places_left(run: MatchRun, mentor: MentorProfile, instead_of: MatchProposal | None = None) -> int:
    """The mentor's free places once the draft's pinned rows are counted (``instead_of`` is the row
    being changed: its own place is given back)."""
    pinned = sum(
        1 for p in run.proposals if p.state == "pinned" and p.mentor_id == mentor.id and p is not instead_of
    )
    return max(mentor.free_slots - pinned, 0)


def swap_choices(run: MatchRun, proposal: MatchProposal, mentors: list[MentorProfile]) -> list[tuple[MentorProfile, int]]:
    """Mentors the «Другой наставник» list may offer for ``proposal``: only those with a free place."""
    found = [(m, places_left(run, m, proposal)) for m in mentors if m.id != proposal.mentor_id]
    return [(m, left) for m, left in found if left > 0]


def swap(proposal: MatchProposal, mentor: MentorProfile, day: date) -> None:
    """Replace the proposal's mentor by the curator's choice; the new pair is pinned and re-explained."""
    run = proposal.run
    _refuse_unconsented(proposal.mentee, mentor)
    if places_left(run, mentor, proposal) <= 0:
        raise MatchingError(
            f"У наставника «{mentor.person.full_name}» нет свободных мест: все заняты парами и закреплёнными "
            "строками черновика. Открепите одну из них или выберите другого наставника."
        )
    settings = with_refusals(
        engine_settings(settings_row(run.org_id, run.kind_code), run.kind_code), run.kind_code, [proposal.mentee], [mentor]
    )
    found = suggest(
        mentee_input(proposal.mentee, day),
        [mentor_input(mentor, day)],
        settings,
        limit=None,
        include_blocked=True,
    )[0]
    hard = [t for t in found.blocked_by if "ниже порога" not in t and not t.startswith("нет свободных")]
    if hard:
        raise MatchingError("Эту пару составить нельзя: " + "; ".join(hard))
    proposal.mentor, proposal.mentor_id = mentor, mentor.id
    proposal.score, proposal.reasons, proposal.state = found.score, _reasons_json(found.reasons), "pinned"


def check_capacity(run: MatchRun) -> list[str]:
    """Mentors the draft asks for more places than they have left (after swaps)."""
    need: dict[int, int] = {}
    for p in run.proposals:
        if p.state in ("proposed", "pinned"):
            need[p.mentor_id] = need.get(p.mentor_id, 0) + 1
    problems = []
    for mentor_id, count in need.items():
        mentor = db.session.get(MentorProfile, mentor_id)
        if count > mentor.free_slots:
            problems.append(f"«{mentor.person.full_name}»: предложено {count}, свободно {mentor.free_slots}")
    return problems


def single_variation(mentor: MentorProfile, kind_code: str) -> str:
    """The mentor's variation of this form when they offer exactly one; otherwise the curator picks later."""
    from nastavnik.banks.services import variation_kinds

    kinds = variation_kinds()
    mine = [code for code in mentor.variations if kinds.get(code) == kind_code]
    return mine[0] if len(mine) == 1 else ""


def open_counts(org_id: int, year: int, kind_codes) -> dict[str, int]:
    """Mentees waiting for a pair, per form (for the «подбор по всей когорте» page)."""
    return {code: len(open_mentees(org_id, code, year)) for code in kind_codes}


def publish(run: MatchRun, day: date) -> list:
    """Create a forming pair for every accepted proposal; the caller commits (all or nothing)."""
    from nastavnik.pairs.services import create_pair

    pairs = []
    for proposal in run.proposals:
        if proposal.state not in ("proposed", "pinned"):
            continue
        pairs.append(
            create_pair(
                org_id=run.org_id,
                kind_code=run.kind_code,
                variation_code=single_variation(proposal.mentor, run.kind_code),
                mentors=[proposal.mentor],
                mentees=[proposal.mentee],
                academic_year=run.academic_year,
                match_run_id=run.id,
            )
        )
        proposal.state = "published"
    accepted = {p.mentee_id for p in run.proposals if p.state == "published"}
    for item in run.result.get("unmatched", []):
        mentee = db.session.get(MenteeProfile, item["mentee_profile_id"])
        if mentee is not None and mentee.id not in accepted and mentee.status == "in_bank":
            mentee.status = "unmatched"
    run.status, run.published_at = "published", utcnow()
    return pairs


def last_why(mentee: MenteeProfile) -> str:
    """What the last run said about this mentee (for the «не подобраны» list)."""
    runs = db.session.scalars(
        select(MatchRun)
        .where(MatchRun.org_id == mentee.org_id, MatchRun.kind_code == mentee.kind_code)
        .order_by(MatchRun.id.desc())
        .limit(5)
    )
    for run in runs:
        for item in (run.result or {}).get("unmatched", []):
            if item.get("mentee_profile_id") == mentee.id:
                return f"прогон № {run.id}: {item['why']}"
    return ""


@cache
def _runs_of_statement():
    """Built once, the organisations bound at execution."""
    return select(MatchRun).where(MatchRun.org_id.in_(bindparam("org_ids", expanding=True))).order_by(MatchRun.id.desc())


def last_why_of(mentees: Sequence[MenteeProfile]) -> dict[int, str]:
    """:func:`last_why` for a page of mentees in one query: the last five runs of each organisation and form."""
    wanted = {(m.org_id, m.kind_code) for m in mentees}
    if not wanted:
        return {}
    runs: dict[tuple[int, str], list[MatchRun]] = {}
    for run in db.session.scalars(_runs_of_statement(), {"org_ids": sorted({org_id for org_id, _ in wanted})}):
        found = runs.setdefault((run.org_id, run.kind_code), [])
        if len(found) < 5:
            found.append(run)
    why = {}
    for mentee in mentees:
        for run in runs.get((mentee.org_id, mentee.kind_code), []):
            item = next((i for i in (run.result or {}).get("unmatched", []) if i.get("mentee_profile_id") == mentee.id), None)
            if item is not None:
                why[mentee.id] = f"прогон № {run.id}: {item['why']}"
                break
    return why


def reasons_of(proposal: MatchProposal) -> Sequence[dict]:
    return proposal.reasons or []
