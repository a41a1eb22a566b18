"""Roadmap lines that events and news fulfil (``nastavnik_fulfilment_rules``).

- «обучение наставников» → a training event (``events.training``), «семинар», «тематические
  встречи» → a seminar (``events.seminar``), «конференция», «круглый стол», «итоговое мероприятие»
  → a public event (``events.public``): done when the event was held with an attendance list (someone
  marked present, the day come); the evidence is the attendance sheet, and the certificates of a training.
- «информационная кампания», «освещение на сайте», «популяризация в социальных сетях» → news
  (``events.news``): done when at least one news item is marked as sent (to the site, social
  networks …), with its links as evidence.

Linked to the organisation as a whole (record None), a line counts events and news of the current
academic year — a yearly line needs this year's; linked to one event or news item, that one.
An event counts for an organisation when the organisation (or one below it) ran it, or when people
of the organisation attended it (a school's mentors trained at a municipal school of mentors).
"""

from __future__ import annotations

from datetime import datetime, time

from flask import url_for
from sqlalchemy import exists, func, or_, select

from nastavnik import timeutil
from nastavnik.events import kinds
from nastavnik.events.models import Certificate, Event, NewsItem, NewsPost, Participant
from nastavnik.extensions import db
from nastavnik.orgs.services import subtree_ids
from nastavnik.periods import AcademicYear, ru_date
from nastavnik.plugins.registry import FulfilmentCheck, FulfilmentRule
from nastavnik.web.words import plural

MAX_RECORDS = 50
GROUPS = {
    # group: (rule code, title, keywords, what the summary calls such events)
    "training": (
        "events.training", "Обучение наставников (мероприятие)",
        ("обучен наставник", "школ наставник", "установочн сесс", "повышен квалификац наставник"),
        "обучение наставников",
    ),
    "seminar": (
        "events.seminar", "Семинар, вебинар, встреча (мероприятие)",
        ("семинар", "вебинар", "мастер класс", "тематическ встреч", "информационн встреч", "обмен опыт"),
        "семинары и встречи",
    ),
    "public": (
        "events.public", "Конференция, круглый стол, итоговое мероприятие",
        ("конференц", "кругл стол", "итогов мероприят", "фестивал", "форум", "публичн мероприят"),
        "конференции, круглые столы и итоговые мероприятия",
    ),
}
NEWS_KEYWORDS = (
    "информационн кампан", "информирован", "освещен", "сайт", "социальн сет", "популяризац",
    "публикац", "стат публикац", "рубрик", "сми",
)


def _when(event: Event) -> str:
    return f"«{event.title}», {ru_date(event.day)}"


def _events_of(org_id: int, codes: list[str]):
    """Events the organisation's items may be linked to: its own (and its subtree's) and those its
    people were on the list of."""
    ids = subtree_ids([org_id])
    came = exists(select(Participant.id).where(Participant.event_id == Event.id, Participant.org_id.in_(ids)))
    return select(Event).where(Event.kind_code.in_(codes), or_(Event.org_id.in_(ids), came))


def _present(event_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(present, listed) per event, one query."""
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(
            Participant.event_id,
            func.count(Participant.id).filter(Participant.attendance == "present"),
            func.count(Participant.id).filter(Participant.status != "declined"),
        )
        .where(Participant.event_id.in_(event_ids))
        .group_by(Participant.event_id)
    )
    return {event_id: (present, listed) for event_id, present, listed in rows}


def _evidence(event: Event) -> tuple[tuple[str, str], ...]:
    documents = [(f"Лист регистрации: {_when(event)}", url_for("events.sheet", event_id=event.id))]
    issued = db.session.scalar(select(func.count(Certificate.id)).where(Certificate.event_id == event.id))
    if issued:
        documents.append((
            f"Сертификаты ({plural(issued, 'сертификат', 'сертификата', 'сертификатов')}): {_when(event)}",
            url_for("events.certificates_zip", event_id=event.id),
        ))
    return tuple(documents)


def _held(event: Event, present: int, listed: int) -> FulfilmentCheck:
    return FulfilmentCheck(
        True,
        f"проведено {_when(event)}: присутствовали {present} из {plural(listed, 'участника', 'участников', 'участников')}",
        url_for("events.detail", event_id=event.id),
        _evidence(event),
    )


def _event_rule(group: str) -> FulfilmentRule:
    code, title, keywords, called = GROUPS[group]

    def records(org_id: int) -> list[tuple[int | None, str]]:
        found = db.session.scalars(
            _events_of(org_id, kinds.codes_of_group(group)).order_by(Event.starts_at.desc()).limit(MAX_RECORDS)
        )
        return [(None, f"{title}: в текущем учебном году")] + [(e.id, _when(e)) for e in found]

    def check(org_id: int, record_id: int | None) -> FulfilmentCheck:
        day = timeutil.today()
        query = _events_of(org_id, kinds.codes_of_group(group)).where(Event.status != "cancelled")
        if record_id is not None:
            event = db.session.scalar(query.where(Event.id == record_id))
            if event is None:
                return FulfilmentCheck(False, "мероприятие не найдено или отменено", url_for("events.index"))
            present, listed = _present([event.id]).get(event.id, (0, 0))
            if event.day > day:
                return FulfilmentCheck(False, f"{_when(event)} ещё не прошло", url_for("events.detail", event_id=event.id))
            if not present:
                return FulfilmentCheck(
                    False, f"{_when(event)}: посещаемость не отмечена", url_for("events.attendance", event_id=event.id)
                )
            return _held(event, present, listed)
        year = AcademicYear.of(day)
        events = db.session.scalars(
            query.where(
                Event.starts_at >= datetime.combine(year.starts, time.min),
                Event.starts_at <= datetime.combine(day, time.max),
            ).order_by(Event.starts_at.desc())
        ).all()
        counts = _present([e.id for e in events])
        held = [e for e in events if counts.get(e.id, (0, 0))[0]]
        if not held:
            what = "проведено, но посещаемость не отмечена" if events else "не проводилось"
            return FulfilmentCheck(False, f"{called} в {year.label} учебном году: {what}", url_for("events.index"))
        check = _held(held[0], *counts[held[0].id])
        if len(held) > 1:
            more = plural(len(held) - 1, "мероприятие", "мероприятия", "мероприятий")
            check = FulfilmentCheck(True, f"{check.summary} (и ещё {more})", check.url, check.evidence)
        return check

    return FulfilmentRule(
        code=code,
        title=title,
        done_when="мероприятие проведено и по нему отмечена посещаемость (лист регистрации)"
        + ("; сертификаты — в подтверждениях" if group == "training" else ""),
        keywords=keywords,
        records=records,
        check=check,
    )


def _news_of(org_id: int):
    return select(NewsItem).where(NewsItem.org_id.in_(subtree_ids([org_id])))


def _news_done(news: NewsItem, posts: list[NewsPost], also: int = 0) -> FulfilmentCheck:
    channels = ", ".join(dict.fromkeys(p.channel_title for p in posts))
    more = f" (и ещё {plural(also, 'новость', 'новости', 'новостей')})" if also else ""
    evidence = [(f"«{news.title}»: {p.channel_title}, {ru_date(p.posted_on)}", p.url) for p in posts if p.url]
    return FulfilmentCheck(
        True,
        f"новость «{news.title}» от {ru_date(news.published_on)} размещена: {channels}{more}",
        url_for("events.news_detail", news_id=news.id),
        tuple(evidence),
    )


def _news_records(org_id: int) -> list[tuple[int | None, str]]:
    found = db.session.scalars(_news_of(org_id).order_by(NewsItem.published_on.desc()).limit(MAX_RECORDS))
    return [(None, "Новости текущего учебного года")] + [
        (n.id, f"Новость «{n.title}», {ru_date(n.published_on)}") for n in found
    ]


def _news_check(org_id: int, record_id: int | None) -> FulfilmentCheck:
    day = timeutil.today()
    if record_id is not None:
        news = db.session.scalar(_news_of(org_id).where(NewsItem.id == record_id))
        if news is None:
            return FulfilmentCheck(False, "новость не найдена", url_for("events.news_index"))
        if not news.posts:
            return FulfilmentCheck(
                False, f"новость «{news.title}» ещё не отмечена как размещённая",
                url_for("events.news_detail", news_id=news.id),
            )
        return _news_done(news, news.posts)
    year = AcademicYear.of(day)
    posted = db.session.scalars(
        select(NewsPost)
        .join(NewsItem, NewsItem.id == NewsPost.news_id)
        .where(NewsItem.org_id.in_(subtree_ids([org_id])), NewsPost.posted_on >= year.starts, NewsPost.posted_on <= day)
        .order_by(NewsPost.posted_on.desc(), NewsPost.id.desc())
    ).all()
    if not posted:
        return FulfilmentCheck(
            False, f"в {year.label} учебном году ни одна новость не отмечена как размещённая", url_for("events.news_index")
        )
    latest = posted[0].news
    others = len({p.news_id for p in posted}) - 1
    return _news_done(latest, [p for p in reversed(posted) if p.news_id == latest.id], others)


def rules() -> list[FulfilmentRule]:
    return [
        *(_event_rule(group) for group in GROUPS),
        FulfilmentRule(
            code="events.news",
            title="Новости на сайте и в социальных сетях",
            done_when="хотя бы одна новость отмечена как размещённая (на сайте, в соцсетях, СМИ) со ссылкой",
            keywords=NEWS_KEYWORDS,
            records=_news_records,
            check=_news_check,
        ),
    ]
