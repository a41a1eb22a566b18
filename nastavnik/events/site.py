"""The school's page «Наставничество» for its own site: static HTML, an Atom feed, files and photos.

The intranet stays closed: the curator downloads a .zip and uploads it to the school's site. The
page carries the documents the curator marked public, the roadmap with statuses, events and news,
the registers of mentors and of effective practices — and only people with a consent to the
distribution of their personal data (ст. 10.1 152-ФЗ, consent ``pd_distribution``) valid on the day
of the export:

- the mentors' register lists only them;
- a photo goes out only when the curator confirmed that everyone on it is tagged and every tagged
  person has such a consent (a guest: a paper consent recorded on the list);
- in free texts (news, reports, programmes of events, practices) the surnames of the organisation's
  people without that consent are replaced with «[участник]».

The same files are served as a preview inside the app (``/events/site/<org>/page/<path>``).
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nastavnik.consents.services import valid_consent_clause
from nastavnik.events import kinds
from nastavnik.events.models import (
    Event,
    NewsItem,
    Participant,
    Photo,
    PhotoTag,
    SiteDocument,
)
from nastavnik.events.training import settings_of
from nastavnik.extensions import db
from nastavnik.orgs.models import Organisation
from nastavnik.orgs.services import subtree_ids
from nastavnik.participants.models import Person
from nastavnik.periods import AcademicYear
from nastavnik.web.words import translit

PUBLICATION = "pd_distribution"
FOLDER = "nastavnichestvo"
PHOTO_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}
PLACEHOLDER = "[участник]"


def publishable_clause(day: date):
    """SQL: the person may appear on the public page on ``day``."""
    return valid_consent_clause(day, PUBLICATION) & Person.archived_at.is_(None) & Person.anonymised_at.is_(None)


def consented_ids(person_ids, day: date) -> set[int]:
    person_ids = {pid for pid in person_ids if pid is not None}
    if not person_ids:
        return set()
    return set(db.session.scalars(select(Person.id).where(Person.id.in_(person_ids), publishable_clause(day))))


def photo_publishable(photo: Photo, consented: set[int]) -> bool:
    if not photo.people_confirmed:
        return False
    for tag in photo.tags:
        if tag.person_id is not None and tag.person_id not in consented:
            return False
        if tag.person_id is None and not (tag.participant and tag.participant.publication_consent_ref):
            return False
    return True


def photo_problems(photo: Photo, consented: set[int]) -> list[str]:
    """Why a photo stays off the site, in Russian (empty when it may go)."""
    problems = [] if photo.people_confirmed else ["не подтверждено, что отмечены все люди на фото"]
    for tag in photo.tags:
        if tag.person_id is not None and tag.person_id not in consented:
            problems.append(f"нет согласия на распространение: {tag.person.short_name}")
        elif tag.person_id is None and not (tag.participant and tag.participant.publication_consent_ref):
            problems.append(f"нет согласия гостя: {tag.participant.outsider_name if tag.participant else '—'}")
    return problems


class Scrubber:
    """Replaces the surnames of people without a valid consent to distribution in free texts.

    Russian surnames decline («Петрова» → «Петровой»): the stem and up to three letters of ending are
    matched. A consented person who shares a stem with someone unconsented is hidden too: better
    one name too few on a public page than one too many.
    """

    def __init__(self, surnames) -> None:
        stems = set()
        for name in surnames:
            stem = re.sub(r"[аяийыоеьу]+$", "", (name or "").strip(), flags=re.IGNORECASE)
            if len(stem) >= 3:
                stems.add(stem.lower())
        self.pattern = (
            re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, stems), key=len, reverse=True)) + r")\w{0,3}\b",
                       re.IGNORECASE)
            if stems else None
        )

    def __call__(self, text: str) -> str:
        if not text or self.pattern is None:
            return text or ""
        return self.pattern.sub(PLACEHOLDER, text)


@dataclass
class SiteFile:
    path: str
    title: str
    load: object  # () -> bytes
    content_type: str = "application/octet-stream"


@dataclass
class NewsEntry:
    news: NewsItem
    text: str
    photos: list[tuple[Photo, str]]  # (photo, path)


@dataclass
class RoadmapBlock:
    roadmap: object
    rows: list  # (section | None, item | None)


@dataclass
class SitePage:
    org: Organisation
    day: date
    url: str
    intro: str
    documents: list[tuple[SiteDocument, str]] = field(default_factory=list)
    roadmaps: list[RoadmapBlock] = field(default_factory=list)
    events: list[tuple[Event, str]] = field(default_factory=list)  # (event, its report scrubbed)
    news: list[NewsEntry] = field(default_factory=list)
    mentors: object = None  # nastavnik.reports.registers.Register
    practices: object = None
    files: dict[str, SiteFile] = field(default_factory=dict)
    withheld_photos: int = 0
    # titles, captions and roadmap lines go through the same scrubber as the texts (templates call it)
    scrub: Callable[[str], str] = field(default=lambda text: text or "")

    @property
    def photo_count(self) -> int:
        return sum(len(entry.photos) for entry in self.news)


def _safe(text: str) -> str:
    """A file name for the site: the one transliteration table of the app (web/words.translit)."""
    return re.sub(r"[^a-z0-9]+", "-", translit(text)).strip("-")[:60] or "file"


def _load_column(model, record_id: int):
    def load() -> bytes:
        return db.session.scalar(select(model.content).where(model.id == record_id)) or b""

    return load


def _scrubber(org_ids: set[int], day: date) -> Scrubber:
    unconsented = db.session.scalars(
        select(Person.last_name).where(Person.org_id.in_(org_ids), ~publishable_clause(day))
    ).all()
    guests = db.session.scalars(
        select(Participant.outsider_name)
        .join(Event, Event.id == Participant.event_id)
        .where(Event.org_id.in_(org_ids), Participant.person_id.is_(None), Participant.publication_consent_ref == "")
    ).all()
    return Scrubber([*unconsented, *(name.split()[0] for name in guests if name.split())])


def _roadmaps(org: Organisation, day: date) -> list[RoadmapBlock]:
    from nastavnik.roadmaps.models import Roadmap

    current = AcademicYear.of(day).start_year
    found = db.session.scalars(
        select(Roadmap).where(Roadmap.org_id == org.id).order_by(Roadmap.academic_year.desc(), Roadmap.id.desc())
    ).all()
    running = [
        r for r in found
        if r.academic_year is not None and r.academic_year <= current < r.academic_year + max(r.year_count, 1)
    ]
    chosen = running or found[:1]
    blocks = []
    for roadmap in chosen:
        rows = []
        for section in roadmap.sections:
            rows.append((section, None))
            rows.extend((None, item) for item in section.items)
        blocks.append(RoadmapBlock(roadmap, rows))
    return blocks


def _registers(org: Organisation, day: date, scrub: Scrubber) -> list:
    """The publish-safe registers of the reports capability (mentors and effective practices: only
    people with a consent to distribution), their free texts scrubbed like the rest of the page."""
    from nastavnik.reports.registers import build as build_register

    built = []
    for code, keep in (("mentors", {0}), ("practices", {4})):  # the name columns are consent-checked already
        register = build_register(code, org, day)
        register.rows = [[cell if i in keep else scrub(cell) for i, cell in enumerate(row)] for row in register.rows]
        built.append(register)
    return built


def build(org: Organisation, day: date) -> SitePage:
    """Everything the page shows, decided once: the HTML, the feed and the .zip all come from it."""
    settings = settings_of(org.id)
    org_ids = subtree_ids([org.id])
    scrub = _scrubber(org_ids, day)
    page = SitePage(org=org, day=day, url=settings.site_url, intro=scrub(settings.site_intro), scrub=scrub)

    for document in db.session.scalars(
        select(SiteDocument).where(SiteDocument.org_id == org.id, SiteDocument.public.is_(True))
        .order_by(SiteDocument.doc_kind, SiteDocument.dated.desc(), SiteDocument.id)
    ):
        extension = document.filename.rsplit(".", 1)[-1].lower() if "." in document.filename else "bin"
        path = f"files/{document.id}-{_safe(scrub(document.title))}.{extension}"
        page.files[path] = SiteFile(path, document.title, _load_column(SiteDocument, document.id), document.content_type)
        page.documents.append((document, path))

    page.roadmaps = _roadmaps(org, day)

    year = AcademicYear.of(day)
    events = db.session.scalars(
        select(Event)
        .where(
            Event.org_id == org.id,
            Event.status != "cancelled",
            Event.starts_at >= datetime.combine(year.starts, time.min),
        )
        .order_by(Event.starts_at.desc())
    ).all()
    page.events = [(event, scrub(event.report)) for event in events]

    news_items = db.session.scalars(
        select(NewsItem)
        .where(NewsItem.org_id == org.id, NewsItem.on_site.is_(True), NewsItem.published_on <= day)
        .options(selectinload(NewsItem.photos).selectinload(Photo.tags).selectinload(PhotoTag.participant))
        .order_by(NewsItem.published_on.desc(), NewsItem.id.desc())
    ).all()
    tagged = {tag.person_id for n in news_items for photo in n.photos for tag in photo.tags}
    consented = consented_ids(tagged, day)
    for news in news_items:
        photos = []
        for photo in news.photos:
            if not photo_publishable(photo, consented):
                page.withheld_photos += 1
                continue
            path = f"photos/{photo.id}.{PHOTO_EXTENSIONS.get(photo.content_type, 'jpg')}"
            page.files[path] = SiteFile(path, photo.caption, _load_column(Photo, photo.id), photo.content_type)
            photos.append((photo, path))
        page.news.append(NewsEntry(news, scrub(news.text), photos))

    page.mentors, page.practices = _registers(org, day, scrub)
    return page


def kind_title(code: str) -> str:
    return kinds.title(code)


def news_id(page: SitePage, news: NewsItem) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'nastavnik/{page.org.id}/news/{news.id}')}"


def render_index(page: SitePage) -> str:
    return render_template(
        "events/site/index.html", page=page, kind_title=kind_title, year_label=AcademicYear.of(page.day).label
    )


def render_feed(page: SitePage) -> str:
    updated = max((n.news.published_on for n in page.news), default=page.day)
    return render_template(
        "events/site/feed.xml", page=page, news_id=news_id,
        feed_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'nastavnik/{page.org.id}/news')}",
        updated=datetime.combine(updated, time(12, 0)).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        stamp=lambda d: datetime.combine(d, time(12, 0)).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
    )


def render_css() -> str:
    return render_template("events/site/style.css")


def read(page: SitePage, path: str) -> tuple[bytes, str] | None:
    """One file of the page by its path in the archive (the preview serves them one by one)."""
    if path in ("", "index.html"):
        return render_index(page).encode(), "text/html; charset=utf-8"
    if path == "feed.xml":
        return render_feed(page).encode(), "application/atom+xml; charset=utf-8"
    if path == "style.css":
        return render_css().encode(), "text/css; charset=utf-8"
    found = page.files.get(path)
    if found is None:
        return None
    return found.load(), found.content_type or "application/octet-stream"


def to_zip(page: SitePage) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in ("index.html", "feed.xml", "style.css", *page.files):
            data, _ = read(page, path)
            archive.writestr(f"{FOLDER}/{path}", data)
        archive.writestr(f"{FOLDER}/README.txt", render_template("events/site/readme.txt", page=page))
    return output.getvalue()


def withdrawn_since_export(org: Organisation, day: date) -> list[Person]:
    """People who could appear on the page last downloaded and have no valid consent to distribution
    now: the copy on the school's site still shows them and must be replaced."""
    row = settings_of(org.id)
    if row.site_exported_at is None or not row.site_people:
        return []
    return list(db.session.scalars(
        select(Person).where(Person.id.in_(row.site_people), ~publishable_clause(day)).order_by(Person.last_name)
    ))


def mark_exported(org: Organisation, when, day: date) -> None:
    from nastavnik.events.models import EventSettings

    people = db.session.scalars(
        select(Person.id).where(Person.org_id.in_(subtree_ids([org.id])), publishable_clause(day))
    ).all()
    row = db.session.get(EventSettings, org.id)
    if row is None:
        row = EventSettings(org_id=org.id, untrained_mentors="flag")
        db.session.add(row)
    row.site_exported_at, row.site_people = when, sorted(people)
    db.session.commit()


def published_photo_ids(org_ids: set[int], day: date) -> set[int]:
    """Photos that would go out now (for the marks on the photo lists)."""
    photos = db.session.scalars(
        select(Photo).where(Photo.org_id.in_(org_ids)).options(selectinload(Photo.tags))
    ).all()
    consented = consented_ids({t.person_id for p in photos for t in p.tags}, day)
    return {p.id for p in photos if photo_publishable(p, consented)}
