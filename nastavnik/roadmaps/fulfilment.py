"""Roadmap items that the app itself fulfils («формирование базы наставников» → the bank).

Capabilities and plugins declare what they can fulfil through ``nastavnik_fulfilment_rules``
(``registry.FulfilmentRule``: ``records(org_id)`` to link to, ``check(org_id, record_id)`` saying
whether the record now fulfils the item). An item is linked to one rule and one of its records
(``RoadmapItemLink``); templates suggest links for their items (``ItemDraft.fulfilment``).

The plan shows per item the app function behind it and a link to the work. When the check of an open
item says «done», the plan *offers* to mark it done; only the curator's confirmation (:func:`confirm`)
changes the status, with the record's evidence attached. Nothing is marked silently.

Checks cost queries, so a page evaluates them once per distinct (rule, organisation, record) — a plan
has a handful — and at most :data:`CHECKS_INLINE` of them; further links are checked lazily, per
item, by HTMX when they scroll into view (or by following the link without JavaScript). Closed items
and municipal rows (whose status is the schools') are not checked at all.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from flask import current_app, g, has_request_context
from sqlalchemy.exc import DBAPIError

from nastavnik.extensions import db
from nastavnik.plugins.registry import FulfilmentCheck, FulfilmentRule
from nastavnik.roadmaps.models import CLOSED, RoadmapEvidence, RoadmapItem, RoadmapItemLink
from nastavnik.versioning import check_version, commit_or_conflict

CHECKS_INLINE = 20
MAX_SUGGESTIONS = 3


class FulfilmentError(ValueError):
    """The item cannot be marked done by the app; the message is shown at the row as is."""


def rules() -> dict[str, FulfilmentRule]:
    from nastavnik.plugins.manager import registry

    return registry().fulfilment_rules


# -- suggestions by the item's text ------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zа-я0-9]+", (text or "").lower().replace("ё", "е"))


def _matches(keyword: str, words: list[str], gap: int = 2) -> bool:
    """Every stem of ``keyword`` starts a word of the text, in order, at most ``gap`` words apart
    («банк наставник» finds «банка данных наставников»)."""
    stems = _words(keyword)
    if not stems:
        return False
    for start, word in enumerate(words):
        if not word.startswith(stems[0]):
            continue
        position, found = start, True
        for stem in stems[1:]:
            following = [
                i
                for i in range(position + 1, min(position + 2 + gap, len(words)))
                if words[i].startswith(stem)
            ]
            if not following:
                found = False
                break
            position = following[0]
        if found:
            return True
    return False


def suggested_rules(item: RoadmapItem) -> list[FulfilmentRule]:
    """Rules whose keywords occur in the item's name or content, best first (not its result: «база
    наставляемых» as the result of a questionnaire of mentors is a slip of the document)."""
    words = _words(" ".join((item.name, item.content)))
    scored = []
    for rule in rules().values():
        hits = sum(1 for keyword in rule.keywords if _matches(keyword, words))
        if hits:
            scored.append((-hits, rule.title, rule))
    return [rule for _, _, rule in sorted(scored, key=lambda s: s[:2])][:MAX_SUGGESTIONS]


# -- records and links -----------------------------------------------------------------------------


def _plugin_failed(rule_code: str, what: str) -> None:
    """Log the failure and count it against the plugin that owns the rule (the plugins page shows it);
    a failed statement must not leave the request's transaction broken for the rest of the page."""
    from nastavnik.plugins.failures import record
    from nastavnik.plugins.manager import registry

    exc = sys.exc_info()[1]
    current_app.logger.exception("Правило выполнения %s: ошибка в %s", rule_code, what)
    if isinstance(exc, DBAPIError):
        db.session.rollback()
    owner = registry().owner.get(("fulfilment_rules", rule_code))
    if owner is not None and exc is not None:
        record(owner, f"правило выполнения {rule_code} ({what})", exc)


def records_of(rule: FulfilmentRule, org_id: int) -> list[tuple[int | None, str]]:
    """What an item of ``org_id`` can be linked to; nothing when the plugin fails."""
    try:
        return [(record_id, str(title)) for record_id, title in rule.records(org_id)]
    except Exception:  # noqa: BLE001 - a plugin's fault must not break the plan
        _plugin_failed(rule.code, "records")
        return []


class RecordsCache:
    """``records(org_id)`` once per rule and organisation while a whole template is adopted."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, int], list[tuple[int | None, str]]] = {}

    def get(self, rule: FulfilmentRule, org_id: int) -> list[tuple[int | None, str]]:
        key = (rule.code, org_id)
        if key not in self._found:
            self._found[key] = records_of(rule, org_id)
        return self._found[key]


def link_from_template(item: RoadmapItem, code: str, org_id: int, cache: RecordsCache) -> None:
    """The template's suggestion as the item's link: complete for a rule about the organisation as a
    whole, waiting for the curator's choice of record otherwise; nothing when no plugin has the rule."""
    rule = rules().get(code) if code else None
    if rule is None:
        return
    whole = next((title for record_id, title in cache.get(rule, org_id) if record_id is None), None)
    item.link = RoadmapItemLink(
        rule_code=code, record_id=None, record_chosen=whole is not None, record_title=whole or ""
    )


def set_link(item: RoadmapItem, rule: FulfilmentRule, record_id: int | None, user) -> RoadmapItemLink:
    """Link the item to ``record_id`` of ``rule`` (one of ``records``); ValueError for another record."""
    known = dict(records_of(rule, item.roadmap.org_id))
    if record_id not in known:
        raise FulfilmentError("Такой записи нет — выберите запись из списка.")
    check = _run_check(rule, item.roadmap.org_id, record_id)
    link = item.link
    if link is None:
        link = item.link = RoadmapItemLink()
    link.rule_code, link.record_id, link.record_chosen = rule.code, record_id, True
    link.record_title = known[record_id][:300]
    link.record_url = (check.url if check else "")[:1000]
    link.created_by_id = user.id
    db.session.commit()
    return link


def remove_link(item: RoadmapItem) -> None:
    item.link = None
    db.session.commit()


# -- checks and offers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """What the plan says about an item's link.

    ``state``: «done» (the app offers to mark the item done), «pending» (not yet), «choose» (a record
    must be chosen), «missing» (the rule's plugin is not installed), «error» (its check failed),
    «later» (checked lazily, by HTMX), «closed» (the item is closed or follows the schools: no check).
    """

    state: str
    rule: FulfilmentRule | None
    check: FulfilmentCheck | None = None

    @property
    def url(self) -> str:
        return self.check.url if self.check and self.check.url else ""


def _run_check(rule: FulfilmentRule, org_id: int, record_id: int | None) -> FulfilmentCheck | None:
    try:
        result = rule.check(org_id, record_id)
    except Exception:  # noqa: BLE001 - a plugin's fault must not break the plan
        _plugin_failed(rule.code, "check")
        return None
    if not isinstance(result, FulfilmentCheck):
        current_app.logger.error("Правило выполнения %s вернуло %s", rule.code, type(result).__name__)
        return None
    return result


def _memo() -> dict:
    """Checks already run in this request, by (rule, organisation, record)."""
    if not has_request_context():
        return {}
    if "roadmap_checks" not in g:
        g.roadmap_checks = {}
    return g.roadmap_checks


def evaluate(items: list[RoadmapItem], inline: int = CHECKS_INLINE) -> dict[int, Offer]:
    """An offer per linked item; at most ``inline`` distinct checks run, the rest are «later»."""
    memo = _memo()
    offers: dict[int, Offer] = {}
    for item in items:
        link = item.link
        if link is None:
            continue
        rule = rules().get(link.rule_code)
        if rule is None:
            offers[item.id] = Offer("missing", None)
        elif not link.record_chosen:
            offers[item.id] = Offer("choose", rule)
        elif item.status in CLOSED or item.rolled_up:
            offers[item.id] = Offer("closed", rule)
        else:
            key = (rule.code, item.roadmap.org_id, link.record_id)
            if key not in memo and len(memo) >= inline:
                offers[item.id] = Offer("later", rule)
                continue
            if key not in memo:
                memo[key] = _run_check(rule, item.roadmap.org_id, link.record_id)
            check = memo[key]
            state = "error" if check is None else ("done" if check.done else "pending")
            offers[item.id] = Offer(state, rule, check)
    return offers


def confirm(item: RoadmapItem, user, expected_version: int | None, day) -> FulfilmentCheck:
    """The curator confirms the offer: the check runs again now, and only if the record still fulfils
    the item is it marked done today, with the record and its documents attached as evidence.

    Raises FulfilmentError when it does not (nothing is written), Conflict on a stale version."""
    link = item.link
    rule = rules().get(link.rule_code) if link else None
    if link is None or rule is None or not link.record_chosen:
        raise FulfilmentError("Мероприятие не связано с функцией приложения.")
    if item.rolled_up:
        raise FulfilmentError("Статус этого мероприятия складывается из статусов ОО — его меняют школы.")
    check_version(item, expected_version)
    check = _run_check(rule, item.roadmap.org_id, link.record_id)
    if check is None:
        raise FulfilmentError(
            f"Проверка «{rule.title}» не удалась: ошибка в плагине. Отметьте выполнение вручную."
        )
    if not check.done:
        raise FulfilmentError(f"Пока не выполнено: {check.summary}. Условие: {rule.done_when}.")
    item.status, item.done_on = "done", day
    link.record_url = (check.url or link.record_url)[:1000]  # the plan keeps the way to the work
    attached = {evidence.link_url for evidence in item.evidence}
    documents = [(f"{rule.title}: {check.summary}", check.url), *check.evidence]
    for title, url in documents:
        if url and url not in attached:
            attached.add(url)
            item.evidence.append(
                RoadmapEvidence(kind="link", link_url=url[:1000], title=title[:300], uploaded_by_id=user.id)
            )
    commit_or_conflict()
    return check
