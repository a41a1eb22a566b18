"""Мониторинг: образцы и анкеты с версиями, кампании и их адресаты, ответы, одноразовые ссылки, ритм.

Access: a campaign belongs to the organisation that launched it (a school, or a municipality's
МКУ УО for all its schools) and covers its target organisations. :func:`campaign_access` is the one
rule: who launched it manages it and sees every school; a school's curator sees a municipal campaign
only for their own school; anyone else gets 404.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import abort, current_app
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from nastavnik import access
from nastavnik.extensions import db
from nastavnik.monitoring.models import (
    Answer,
    Campaign,
    CampaignOrg,
    QuestionItem,
    Questionnaire,
    QuestionnaireVersion,
    Recipient,
    Response,
    Rhythm,
    Settings,
)
from nastavnik.monitoring.structs import (
    AGREE_LABELS,
    CHOICE_KINDS,
    FREQUENCY_LABELS,
    ITEM_KINDS,
    SCORED,
    YESNO_LABELS,
    ItemSpec,
    QuestionnaireSpec,
)
from nastavnik.orgs.models import Organisation
from nastavnik.orgs.services import education_orgs, subtree_ids
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.participants.models import Guardianship, Person
from nastavnik.periods import AcademicYear, parse_ru_date
from nastavnik.plugins.manager import hook, registry
from nastavnik.timeutil import today, utcnow

log = logging.getLogger(__name__)
DEFAULT_SETTINGS = {"method": "threshold", "threshold_percent": 70, "min_group_size": 5}
TEXT_LIMIT = 4000
ITEM_FIELDS = ("kind", "text", "hint", "required", "reverse", "subscale", "in_satisfaction", "options", "minimum",
               "maximum")


class MonitoringError(Exception):
    """A Russian message for the person: nothing was changed."""


# --- Settings (правило муниципалитета) ---------------------------------------------------------


@dataclass
class Rule:
    method: str
    threshold_percent: int
    min_group_size: int
    org: Organisation | None = None  # where it is set; None: the defaults

    @property
    def threshold(self) -> float:
        return self.threshold_percent / 100


def rule_for(org_id: int) -> Rule:
    """The nearest settings at or above ``org_id``, else the defaults."""
    rows = {s.org_id: s for s in db.session.scalars(select(Settings))}
    org = db.session.get(Organisation, org_id)
    while org is not None:
        if org.id in rows:
            s = rows[org.id]
            return Rule(s.method, s.threshold_percent, s.min_group_size, org)
        org = org.parent
    return Rule(**DEFAULT_SETTINGS)


def thresholds_by_org(org_ids) -> dict[int, float]:
    """Threshold (0–1) per organisation, for counting in SQL: one read of the (few) settings rows."""
    rows = {s.org_id: s.threshold_percent / 100 for s in db.session.scalars(select(Settings))}
    parents = dict(db.session.execute(select(Organisation.id, Organisation.parent_id)).all())
    found = {}
    for org_id in org_ids:
        current = org_id
        while current is not None and current not in rows:
            current = parents.get(current)
        found[org_id] = rows.get(current, DEFAULT_SETTINGS["threshold_percent"] / 100)
    return found


# --- Samples (образцы) from the core and the forms' plugins -------------------------------------


def _call_each(hook_name: str, **kwargs) -> list:
    """Every implementation on its own: a broken plugin is logged and skipped, never takes the page down."""
    found = []
    for impl in getattr(hook(), hook_name).get_hookimpls():
        try:
            found.extend(impl.function(**kwargs) or [])
        except Exception:  # noqa: BLE001 - a plugin's fault must not stop the app
            if current_app.testing:
                raise
            log.exception("%s: плагин %s упал", hook_name, impl.plugin_name)
    return found


def samples() -> dict[str, QuestionnaireSpec]:
    """Every sample questionnaire, by code: form-independent ones first, then per registered form."""
    found: dict[str, QuestionnaireSpec] = {}
    for kind_code in ["", *registry().kinds]:
        for spec in _call_each("nastavnik_questionnaires", kind_code=kind_code):
            if isinstance(spec, QuestionnaireSpec) and spec.code not in found:
                found[spec.code] = spec
    return found


def _item_values(spec: ItemSpec) -> dict:
    return dict(
        kind=spec.kind, text=spec.text, hint=spec.hint, required=spec.required, reverse=spec.reverse,
        subscale=spec.subscale, in_satisfaction=spec.counts_for_satisfaction, options=list(spec.options),
        minimum=spec.minimum, maximum=spec.maximum,
    )


def from_sample(spec: QuestionnaireSpec, org_id: int, user_id: int | None) -> Questionnaire:
    """The organisation's own copy of a sample (version 1). The caller commits."""
    questionnaire = Questionnaire(
        org_id=org_id, source_code=spec.code, title=spec.title, audience=spec.audience, purpose=spec.purpose,
        kind_code=spec.kind_code, anonymous=spec.anonymous, description=spec.description, note=spec.note,
        created_by_id=user_id,
    )
    version = QuestionnaireVersion(number=1, created_by_id=user_id)
    version.items = [QuestionItem(position=i, **_item_values(item)) for i, item in enumerate(spec.items)]
    questionnaire.versions = [version]
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def own_copy(code: str, org_id: int) -> Questionnaire | None:
    """The organisation's existing copy of the sample ``code``, if it took one."""
    return db.session.scalar(
        select(Questionnaire).where(Questionnaire.org_id == org_id, Questionnaire.source_code == code,
                                    ~Questionnaire.archived).order_by(Questionnaire.id)
    )


def copy_questionnaire(source: Questionnaire, org_id: int, user_id: int | None, title: str) -> Questionnaire:
    """«Копировать, чтобы адаптировать»: a new questionnaire with the latest version's questions."""
    questionnaire = Questionnaire(
        org_id=org_id, source_code=source.source_code, title=title, audience=source.audience,
        purpose=source.purpose, kind_code=source.kind_code, anonymous=source.anonymous,
        description=source.description, note=source.note, created_by_id=user_id,
    )
    version = QuestionnaireVersion(number=1, created_by_id=user_id)
    version.items = [_clone_item(item) for item in source.latest.items]
    questionnaire.versions = [version]
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def _clone_item(item: QuestionItem) -> QuestionItem:
    values = {name: getattr(item, name) for name in ITEM_FIELDS}
    values["options"] = list(item.options or [])
    return QuestionItem(position=item.position, **values)


# --- Which questionnaires a user sees and edits ------------------------------------------------


def _ancestor_ids(org_ids: set[int]) -> set[int]:
    parents = dict(db.session.execute(select(Organisation.id, Organisation.parent_id)).all())
    found = set()
    for org_id in org_ids:
        current = parents.get(org_id)
        while current is not None and current not in found:
            found.add(current)
            current = parents.get(current)
    return found


def visible_questionnaires(user) -> list[Questionnaire]:
    """Questionnaires of the user's organisations, and those their municipality shares with its schools."""
    org_ids = access.scope(user, "monitoring.view")
    if not org_ids:
        return []
    owners = org_ids | _ancestor_ids(org_ids)
    return db.session.scalars(
        select(Questionnaire).where(Questionnaire.org_id.in_(owners), ~Questionnaire.archived)
        .order_by(Questionnaire.title, Questionnaire.id)
    ).all()


def questionnaire_or_404(user, questionnaire_id: int, need: str = "view") -> Questionnaire:
    """A school sees its own and its municipality's questionnaires; only the owner edits."""
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    if questionnaire is None:
        abort(404)
    if need == "edit":
        access.require("monitoring.edit", questionnaire.org_id)
        return questionnaire
    if not access.can(user, "monitoring.view"):
        abort(403)
    org_ids = access.scope(user, "monitoring.view")
    if questionnaire.org_id not in org_ids | _ancestor_ids(org_ids):
        abort(404)
    return questionnaire


def owner_choices(user) -> list[Organisation]:
    """Organisations where the user may keep questionnaires and launch campaigns: their schools and,
    for a municipal coordinator, the organisation they coordinate from (launching for all schools)."""
    roots = [r.org_id for r in user.roles if access.grants(r.role, "monitoring.edit")]
    if any(r.role == "admin" for r in user.roles):
        roots = [org.id for org in db.session.scalars(select(Organisation).where(Organisation.kind.in_(
            ("municipality", "authority"))))]
    ids = subtree_ids(roots)
    orgs = db.session.scalars(select(Organisation).where(Organisation.id.in_(ids), ~Organisation.archived)).all()
    ordered = [o for o in orgs if o.id in roots and not o.is_education] + education_orgs(ids)
    return list(dict.fromkeys(ordered))


# --- Versions: a version with answers is never changed in place --------------------------------


def version_has_answers(version_id: int) -> bool:
    return db.session.scalar(select(exists().where(Response.version_id == version_id))) or False


def answered_version_ids(version_ids) -> set[int]:
    ids = list(version_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(Response.version_id).where(Response.version_id.in_(ids)).distinct()))


def editable_version(questionnaire: Questionnaire, user_id: int | None) -> tuple[QuestionnaireVersion, bool]:
    """The latest version, or — when it already has answers — a new version copied from it."""
    latest = questionnaire.latest
    if not version_has_answers(latest.id):
        return latest, False
    version = QuestionnaireVersion(number=latest.number + 1, created_by_id=user_id)
    version.items = [_clone_item(item) for item in latest.items]
    questionnaire.versions.append(version)
    db.session.flush()
    return version, True


def _touch(questionnaire: Questionnaire, expected_version: int | None) -> None:
    from nastavnik.versioning import check_version

    check_version(questionnaire, expected_version)
    questionnaire.updated_at = utcnow()


def _same_item(version: QuestionnaireVersion, item: QuestionItem) -> QuestionItem:
    """``item`` itself, or its copy in a newer version (matched by position)."""
    if item.version_id == version.id:
        return item
    return next(i for i in version.items if i.position == item.position)


def _renumber(version: QuestionnaireVersion) -> None:
    for position, item in enumerate(sorted(version.items, key=lambda i: i.position)):
        item.position = position


def add_item(questionnaire: Questionnaire, values: dict, user_id, expected_version) -> bool:
    from nastavnik.versioning import commit_or_conflict

    _touch(questionnaire, expected_version)
    version, created = editable_version(questionnaire, user_id)
    version.items.append(QuestionItem(position=len(version.items), **values))
    commit_or_conflict()
    return created


def update_item(item: QuestionItem, values: dict, user_id, expected_version) -> tuple[QuestionItem, bool]:
    from nastavnik.versioning import commit_or_conflict

    questionnaire = item.version.questionnaire
    _touch(questionnaire, expected_version)
    version, created = editable_version(questionnaire, user_id)
    target = _same_item(version, item)
    for name, value in values.items():
        setattr(target, name, value)
    commit_or_conflict()
    return target, created


def move_item(item: QuestionItem, step: int, user_id, expected_version) -> bool:
    from nastavnik.versioning import commit_or_conflict

    questionnaire = item.version.questionnaire
    _touch(questionnaire, expected_version)
    version, created = editable_version(questionnaire, user_id)
    items = sorted(version.items, key=lambda i: i.position)
    index = items.index(_same_item(version, item))
    other = index + step
    if 0 <= other < len(items):
        items[index].position, items[other].position = items[other].position, items[index].position
    commit_or_conflict()
    return created


def delete_item(item: QuestionItem, user_id, expected_version) -> bool:
    from nastavnik.versioning import commit_or_conflict

    questionnaire = item.version.questionnaire
    _touch(questionnaire, expected_version)
    version, created = editable_version(questionnaire, user_id)
    if len(version.items) <= 1:
        db.session.rollback()
        raise MonitoringError("В анкете должен остаться хотя бы один вопрос.")
    version.items.remove(_same_item(version, item))
    _renumber(version)
    commit_or_conflict()
    return created


def item_values_from_form(form) -> dict:
    """Item columns from an ItemForm: options one per line; satisfaction only for scored kinds."""
    kind = form.kind.data
    options = [line.strip() for line in (form.options.data or "").splitlines() if line.strip()]
    return dict(
        kind=kind, text=form.text.data, hint=form.hint.data or "", required=bool(form.required.data),
        reverse=bool(form.reverse.data) and kind in SCORED, subscale=(form.subscale.data or "").strip(),
        in_satisfaction=bool(form.in_satisfaction.data) and kind in SCORED,
        options=options if kind in CHOICE_KINDS else [],
        minimum=form.minimum.data if kind == "number" else None,
        maximum=form.maximum.data if kind == "number" else None,
    )


# --- Answers: each checked against its item's kind ---------------------------------------------


def choices_of(item: QuestionItem) -> list[tuple[int, str]]:
    """(stored value, label) of an item with fixed answers; empty for number and text."""
    if item.kind == "scale10":
        return [(v, str(v)) for v in range(1, 11)]
    if item.kind == "agree5":
        return [(v, f"{v} — {AGREE_LABELS[v - 1]}") for v in range(1, 6)]
    if item.kind == "yesno":
        return list(YESNO_LABELS.items())
    if item.kind == "frequency":
        return list(FREQUENCY_LABELS.items())
    if item.kind in CHOICE_KINDS:
        return list(enumerate(item.options or []))
    return []


def label_of(item: QuestionItem, value) -> str:
    labels = dict(choices_of(item))
    if value is None:
        return ""
    if int(value) == value and int(value) in labels:
        return labels[int(value)]
    return f"{value:g}".replace(".", ",")


def _number(text: str) -> float:
    return float(text.replace(",", ".").replace(" ", ""))


def check_answer(item: QuestionItem, raw: list[str]) -> tuple[list[tuple[float | None, str | None]], str | None]:
    """Parse the posted strings of one item: (values to store, Russian error or None)."""
    raw = [r.strip() for r in raw if r is not None and r.strip()]
    if not raw:
        return [], ("Ответьте на этот вопрос." if item.required else None)
    if item.kind == "text":
        text = raw[0]
        if len(text) > TEXT_LIMIT:
            return [], f"Ответ длиннее {TEXT_LIMIT} знаков: сократите его."
        return [(None, text)], None
    if item.kind == "number":
        try:
            value = _number(raw[0])
        except ValueError:
            return [], "Введите число, например 3 или 3,5."
        if value != value or value in (float("inf"), float("-inf")):
            return [], "Введите число, например 3 или 3,5."
        low, high = item.minimum, item.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"от {low:g} до {high:g}" if low is not None and high is not None else (
                f"не меньше {low:g}" if low is not None else f"не больше {high:g}")
            return [], f"Число должно быть {bounds}."
        return [(value, None)], None
    allowed = {value for value, _ in choices_of(item)}
    picked = []
    for text in raw if item.kind == "multiple" else raw[:1]:
        if not re.fullmatch(r"-?\d+", text) or int(text) not in allowed:
            return [], _choice_error(item)
        picked.append(int(text))
    if len(set(picked)) != len(picked):
        return [], "Каждый вариант можно отметить только один раз."
    if item.kind != "multiple" and len(raw) > 1:
        return [], "Выберите один вариант."
    return [(float(v), None) for v in picked], None


def _choice_error(item: QuestionItem) -> str:
    return {
        "scale10": "Выберите оценку от 1 до 10.",
        "agree5": "Выберите один из пяти вариантов согласия.",
        "yesno": "Выберите «да» или «нет».",
        "frequency": "Выберите: часто, редко или никогда.",
    }.get(item.kind, "Выберите вариант из списка.")


def check_answers(items: list[QuestionItem], formdata) -> tuple[dict, dict]:
    """All items: ({item id: values}, {item id: error}); field names are ``q<item id>``."""
    values, errors = {}, {}
    for item in items:
        parsed, error = check_answer(item, formdata.getlist(f"q{item.id}"))
        if error:
            errors[item.id] = error
        elif parsed:
            values[item.id] = parsed
    return values, errors


def satisfaction_score(items: list[QuestionItem], values: dict) -> float | None:
    """Mean of the satisfaction items answered, each as a share of its maximum (reverse items turned)."""
    shares = []
    for item in items:
        if not (item.in_satisfaction and item.kind in SCORED) or item.id not in values:
            continue
        low, high = SCORED[item.kind]
        value = values[item.id][0][0]
        shares.append(((low + high - value) if item.reverse else value) / high)
    return round(sum(shares) / len(shares), 6) if shares else None


# --- Campaigns ---------------------------------------------------------------------------------


@dataclass
class CampaignAccess:
    manage: bool  # edit the campaign itself (dates, close, audience)
    org_ids: set[int]  # target organisations whose results the user sees
    edit_org_ids: set[int] = field(default_factory=set)  # where they may enter paper answers, links, SWOT
    whole: bool = False  # sees the campaign as a whole (not only their school's share)


def campaign_access(user, campaign: Campaign) -> CampaignAccess | None:
    targets = set(campaign.target_ids)
    if access.can(user, "monitoring.view", campaign.org_id):
        manage = access.can(user, "monitoring.edit", campaign.org_id)
        return CampaignAccess(manage, targets, targets if manage else targets & access.scope(
            user, "monitoring.edit"), whole=True)
    visible = targets & access.scope(user, "monitoring.view")
    if not visible:
        return None
    return CampaignAccess(False, visible, targets & access.scope(user, "monitoring.edit"))


def campaign_or_404(user, campaign_id: int, need: str = "view") -> tuple[Campaign, CampaignAccess]:
    """404 for a campaign the user may not see; 403 when they see it but may not ``need`` («manage», «edit»)."""
    if not access.can(user, "monitoring.view"):
        abort(403)
    campaign = db.session.get(Campaign, campaign_id)
    level = campaign_access(user, campaign) if campaign is not None else None
    if level is None:
        abort(404)
    if (need == "manage" and not level.manage) or (need == "edit" and not level.edit_org_ids):
        abort(403)
    return campaign, level


def visible_campaigns_query(user):
    org_ids = access.scope(user, "monitoring.view")
    covered = select(CampaignOrg.campaign_id).where(CampaignOrg.org_id.in_(org_ids))
    return select(Campaign).where(or_(Campaign.org_id.in_(org_ids), Campaign.id.in_(covered)))


def default_statuses(trigger: str) -> list[str]:
    return ["finished"] if trigger == "pair_end" else ["active"]


def create_campaign(questionnaire: Questionnaire, org_id: int, target_ids: list[int], values: dict, user_id,
                    day: date, rhythm_id: int | None = None) -> Campaign:
    """A campaign on the questionnaire's latest version; opened at once when its window has begun."""
    if values["closes_on"] < values["opens_on"]:
        raise MonitoringError("Дата окончания раньше даты начала.")
    campaign = Campaign(
        org_id=org_id, questionnaire_id=questionnaire.id, version_id=questionnaire.latest.id,
        created_by_id=user_id, rhythm_id=rhythm_id, status="scheduled", **values,
    )
    if not campaign.pair_statuses:
        campaign.pair_statuses = default_statuses(campaign.trigger)
    campaign.targets = [CampaignOrg(org_id=org) for org in dict.fromkeys(target_ids)]
    db.session.add(campaign)
    db.session.flush()
    if campaign.opens_on <= day <= campaign.closes_on:
        open_campaign(campaign, day)
    elif campaign.closes_on < day:
        raise MonitoringError("Окно кампании уже прошло: укажите даты, которые ещё не закончились.")
    return campaign


def open_campaign(campaign: Campaign, day: date) -> int:
    campaign.status = "open"
    campaign.closed_at = None
    return sync_recipients(campaign, day)


def close_campaign(campaign: Campaign) -> None:
    campaign.status = "closed"
    campaign.closed_at = utcnow()


def _candidate_rows(campaign: Campaign) -> list:
    """(person id, pair id, pair's org id, starts_on, ended_on) of the audience's people in matching pairs."""
    audience = campaign.questionnaire.audience
    role = "mentor" if audience == "mentor" else "mentee"
    query = (
        select(PairMember.person_id, Pair.id, Pair.org_id, Pair.starts_on, Pair.ended_on)
        .join(Pair, Pair.id == PairMember.pair_id)
        .where(Pair.org_id.in_(campaign.target_ids), PairMember.role == role)
        .order_by(Pair.id)
    )
    if campaign.pair_statuses:
        query = query.where(Pair.status.in_(campaign.pair_statuses))
    if campaign.kind_code:
        query = query.where(Pair.kind_code == campaign.kind_code)
    if campaign.academic_year:
        query = query.where(Pair.academic_year == campaign.academic_year)
    if campaign.trigger == "pair_end":
        query = query.where(Pair.status == "finished", Pair.ended_on.between(campaign.opens_on, campaign.closes_on))
    if audience == "guardian":
        query = query.join(Guardianship, Guardianship.student_id == PairMember.person_id).with_only_columns(
            Guardianship.guardian_id, Pair.id, Pair.org_id, Pair.starts_on, Pair.ended_on)
        person = Guardianship.guardian_id
    else:
        person = PairMember.person_id
    query = query.join(Person, Person.id == person).where(Person.archived_at.is_(None), Person.anonymised_at.is_(None))
    return db.session.execute(query).all()


def sync_recipients(campaign: Campaign, day: date) -> int:
    """Add the audience members who are due by ``day`` and not yet recipients; never removes anyone."""
    have = set(db.session.scalars(select(Recipient.key).where(Recipient.campaign_id == campaign.id)))
    audience = campaign.questionnaire.audience
    added = []
    if audience == "curator":
        for org_id in campaign.target_ids:
            if f"o:{org_id}" not in have:
                added.append(Recipient(campaign_id=campaign.id, key=f"o:{org_id}", org_id=org_id, role="curator",
                                       due_on=campaign.opens_on))
    else:
        for person_id, pair_id, org_id, starts_on, ended_on in _candidate_rows(campaign):
            key = f"p:{person_id}"
            if key in have:
                continue
            if campaign.trigger == "pair_start":
                if starts_on is None:
                    continue
                due = starts_on + timedelta(days=campaign.offset_days)
            elif campaign.trigger == "pair_end":
                due = ended_on
            else:
                due = campaign.opens_on
            if due is None or due > day:
                continue
            have.add(key)
            added.append(Recipient(campaign_id=campaign.id, key=key, person_id=person_id, org_id=org_id,
                                   pair_id=pair_id, role=audience, due_on=max(due, campaign.opens_on)))
    db.session.add_all(added)
    db.session.flush()
    return len(added)


# --- Answering -------------------------------------------------------------------------------

STATE_MESSAGES = {
    "scheduled": "Анкетирование ещё не началось: оно откроется {opens}.",
    "not_due": "Эта анкета станет доступна {due}.",
    "closed": "Анкетирование завершено {closes}: ответы больше не принимаются.",
    "answered": "Ответ на эту анкету уже получен. Спасибо! Второй раз ответить нельзя.",
    "expired": "Срок действия ссылки истёк {expires}: попросите у куратора новую.",
}


def answer_state(campaign: Campaign, recipient: Recipient | None, day: date) -> str:
    """open | scheduled | not_due | closed | answered | expired."""
    if campaign.status == "closed" or campaign.closes_on < day:
        return "closed"
    if campaign.status != "open":
        return "scheduled"
    if recipient is not None:
        if responded(recipient.id):
            return "answered"
        if recipient.due_on > day:
            return "not_due"
    return "open"


def state_message(state: str, campaign: Campaign, recipient: Recipient | None = None) -> str:
    from nastavnik.periods import ru_date

    return STATE_MESSAGES[state].format(
        opens=ru_date(campaign.opens_on), closes=ru_date(campaign.closes_on),
        due=ru_date(recipient.due_on) if recipient else "", expires=ru_date(recipient.link_expires_on) if recipient else "",
    )


def responded(recipient_id: int) -> bool:
    return db.session.scalar(select(exists().where(Response.recipient_id == recipient_id))) or False


def own_recipient(user, campaign: Campaign) -> Recipient | None:
    """The user's own place among the campaign's recipients: as a participant, or as the curator of a
    school answering the curator's questionnaire for it (the first school not yet answered)."""
    if campaign.questionnaire.audience == "curator":
        orgs = set(campaign.target_ids) & access.scope(user, "monitoring.edit")
        rows = db.session.scalars(
            select(Recipient).where(Recipient.campaign_id == campaign.id, Recipient.org_id.in_(orgs))
            .order_by(Recipient.id)
        ).all()
        return next((r for r in rows if not responded(r.id)), rows[0] if rows else None)
    if user.person_id is None:
        return None
    return db.session.scalar(
        select(Recipient).where(Recipient.campaign_id == campaign.id, Recipient.person_id == user.person_id)
    )


def my_questionnaires(user, day: date) -> list[tuple[Campaign, Recipient, bool]]:
    """«Мои анкеты»: (campaign, recipient, answered) of open campaigns where the user is due — one query."""
    conditions = []
    if user.person_id is not None:
        conditions.append(Recipient.person_id == user.person_id)
    curator_orgs = access.scope(user, "monitoring.edit")
    if curator_orgs:
        conditions.append((Recipient.role == "curator") & Recipient.org_id.in_(curator_orgs))
    if not conditions:
        return []
    rows = db.session.execute(
        select(Campaign, Recipient, Response.id)
        .join(Recipient, Recipient.campaign_id == Campaign.id)
        .outerjoin(Response, Response.recipient_id == Recipient.id)
        .where(or_(*conditions), Campaign.status == "open", Campaign.closes_on >= day, Recipient.due_on <= day)
        .order_by(Campaign.closes_on, Campaign.id, Recipient.id)
    ).all()
    return [(campaign, recipient, response_id is not None) for campaign, recipient, response_id in rows]


def submit(campaign: Campaign, recipient: Recipient | None, values: dict, *, channel: str, day: date,
           entered_by_id: int | None = None, org_id: int | None = None) -> Response:
    """Store one filled questionnaire; refuses (MonitoringError) a closed campaign or a second answer."""
    state = answer_state(campaign, recipient, day)
    if state != "open" and not (channel == "paper" and state == "not_due"):
        raise MonitoringError(state_message(state, campaign, recipient))
    items = campaign.questionnaire_version.items
    response = Response(
        campaign_id=campaign.id, recipient_id=recipient.id if recipient else None, version_id=campaign.version_id,
        org_id=recipient.org_id if recipient else org_id, role=recipient.role if recipient else
        campaign.questionnaire.audience, channel=channel, entered_by_id=entered_by_id,
        score=satisfaction_score(items, values),
    )
    response.answers = [Answer(item_id=item_id, value=value, text=text)
                        for item_id, parsed in values.items() for value, text in parsed]
    if recipient is not None and channel == "link":
        recipient.link_used_at = utcnow()
    db.session.add(response)
    try:
        db.session.commit()
    except IntegrityError:  # the same person submitting twice at once: the unique recipient refuses
        db.session.rollback()
        raise MonitoringError(STATE_MESSAGES["answered"]) from None
    return response


# --- One-time links (for pupils without an account) --------------------------------------------


def _mac(campaign_id: int, recipient_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"monitoring-link:{campaign_id}:{recipient_id}:{nonce}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def link_token(recipient: Recipient) -> str:
    return f"{recipient.id}-{_mac(recipient.campaign_id, recipient.id, recipient.link_nonce)}"


def issue_links(recipients: list[Recipient], expires_on: date, renew: bool = False) -> int:
    """Give each recipient a personal link (``renew``: a new one, the old one stops working). Caller commits."""
    issued = 0
    for recipient in recipients:
        if recipient.link_nonce and not renew:
            continue
        recipient.link_nonce = secrets.token_hex(16)
        recipient.link_expires_on = expires_on
        recipient.link_used_at = None
        issued += 1
    return issued


def resolve_link(campaign_id: int, token: str, day: date) -> tuple[Recipient | None, str]:
    """(recipient, state): state is «open», or why the link cannot be answered: invalid, other_campaign,
    used, expired, or a campaign state (scheduled, closed, answered, not_due)."""
    match = re.fullmatch(r"(\d{1,12})-([0-9a-f]{32})", token or "")
    recipient = db.session.get(Recipient, int(match.group(1))) if match else None
    if recipient is None or not recipient.link_nonce:
        return None, "invalid"
    if not hmac.compare_digest(_mac(recipient.campaign_id, recipient.id, recipient.link_nonce), match.group(2)):
        return None, "invalid"
    if recipient.campaign_id != campaign_id:
        return None, "other_campaign"
    if recipient.link_used_at is not None:
        return recipient, "used"
    if recipient.link_expires_on is not None and recipient.link_expires_on < day:
        return recipient, "expired"
    return recipient, answer_state(recipient.campaign, recipient, day)


# --- Rhythm and the daily tick -----------------------------------------------------------------


def parse_day_months(text: str) -> list[str]:
    """«01.12, 15.05» → ["01.12", "15.05"]; raises ValueError with a Russian message."""
    found = []
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})", part)
        if not match:
            raise ValueError(f"«{part}»: укажите день и месяц как ДД.ММ, например 01.12")
        day, month = int(match.group(1)), int(match.group(2))
        try:
            date(2024, month, day)  # a leap year: 29.02 is a real day
        except ValueError:
            raise ValueError(f"«{part}»: такой даты нет") from None
        found.append(f"{day:02d}.{month:02d}")
    return found


def _in_year(day_month: str, year: AcademicYear) -> date:
    """ДД.ММ within the academic year: September–December of its first year, the rest of its second."""
    day, month = (int(x) for x in day_month.split("."))
    calendar_year = year.start_year if month >= 9 else year.start_year + 1
    if (month, day) == (2, 29) and calendar_year % 4:
        day = 28
    return date(calendar_year, month, day)


def _rhythm_waves(rhythm: Rhythm, year: AcademicYear) -> list[tuple[str, str, int, date, date]]:
    """(wave, trigger, offset, opens_on, closes_on) of one academic year."""
    waves = []
    if rhythm.entry_days is not None:
        waves.append(("entry", "pair_start", rhythm.entry_days, year.starts, year.ends))
    if rhythm.final_wave:
        waves.append(("final", "pair_end", 0, year.starts, year.ends))
    for day_month in rhythm.halfyear_dates or []:
        start = _in_year(day_month, year)
        waves.append(("midterm", "dates", 0, start, start + timedelta(days=max(rhythm.window_days, 1) - 1)))
    return waves


def plan_rhythm(rhythm: Rhythm, day: date) -> int:
    """Create this academic year's campaigns of the rhythm that do not exist yet; returns how many."""
    year = AcademicYear.of(day)
    existing = {
        (c.questionnaire_id, c.wave, c.opens_on)
        for c in db.session.scalars(select(Campaign).where(Campaign.rhythm_id == rhythm.id))
    }
    created = 0
    for questionnaire_id in rhythm.questionnaire_ids or []:
        questionnaire = db.session.get(Questionnaire, questionnaire_id)
        if questionnaire is None or questionnaire.archived:
            continue
        for wave, trigger, offset, opens_on, closes_on in _rhythm_waves(rhythm, year):
            if (questionnaire.id, wave, opens_on) in existing or closes_on < day:
                continue
            from nastavnik.monitoring.models import WAVES

            title = f"{questionnaire.title}: {WAVES[wave]} волна {year.label}"
            if trigger == "dates":
                title += f" ({opens_on:%d.%m.%Y})"
            values = dict(title=title[:300], wave=wave, trigger=trigger, offset_days=offset, opens_on=opens_on,
                          closes_on=closes_on, kind_code=questionnaire.kind_code, pair_statuses=[],
                          academic_year=year.start_year)
            create_campaign(questionnaire, rhythm.org_id, [rhythm.org_id], values, None, day, rhythm_id=rhythm.id)
            created += 1
    return created


@dataclass
class TickReport:
    planned: int = 0
    opened: int = 0
    closed: int = 0
    recipients: int = 0


def tick(day: date | None = None) -> TickReport:
    """The cron job: plan the rhythms' campaigns, open those whose window began, add due recipients to
    open ones, close those whose window ended. Idempotent: running it twice a day changes nothing more."""
    day = day or today()
    report = TickReport()
    for rhythm in db.session.scalars(select(Rhythm).where(Rhythm.active)):
        report.planned += plan_rhythm(rhythm, day)
    for campaign in db.session.scalars(select(Campaign).where(Campaign.status != "closed")).all():
        if campaign.closes_on < day:
            close_campaign(campaign)
            report.closed += 1
        elif campaign.status == "scheduled" and campaign.opens_on <= day:
            report.recipients += open_campaign(campaign, day)
            report.opened += 1
        elif campaign.status == "open":
            report.recipients += sync_recipients(campaign, day)
    db.session.commit()
    return report


def parse_date_or_none(text: str) -> date | None:
    return parse_ru_date(text) if text and text.strip() else None


def recipient_counts(campaign_ids) -> dict[int, tuple[int, int]]:
    """{campaign id: (recipients, responses)} in two GROUP BYs, whatever the number of campaigns."""
    ids = list(campaign_ids)
    if not ids:
        return {}
    expected = dict(db.session.execute(
        select(Recipient.campaign_id, func.count()).where(Recipient.campaign_id.in_(ids)).group_by(Recipient.campaign_id)
    ).all())
    answered = dict(db.session.execute(
        select(Response.campaign_id, func.count()).where(Response.campaign_id.in_(ids)).group_by(Response.campaign_id)
    ).all())
    return {i: (expected.get(i, 0), answered.get(i, 0)) for i in ids}


def kind_choices() -> list[tuple[str, str]]:
    return [("", "любая форма")] + [(code, kind.title) for code, kind in registry().kinds.items()]


def item_kind_choices() -> list[tuple[str, str]]:
    return list(ITEM_KINDS.items())
