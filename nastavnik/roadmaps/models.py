"""Дорожные карты: шапка, разделы, мероприятия и подтверждающие материалы.

An item keeps the document's words verbatim (number, name, deadline, responsible, result) and,
beside them, what the app understood (dates, role, organisation, document type).

Status: only «запланировано», «в работе», «выполнено», «отменено» are stored. «Просрочено» is not a
state someone sets but a fact about the calendar, so it is derived for display (`display_status`):
an item whose due date has passed and which is neither done nor cancelled is overdue. Storing it
would need a nightly job and would go stale the moment a date is corrected.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.extensions import db
from nastavnik.timeutil import utcnow
from nastavnik.web.uploads import owns_stored_file

LEVELS = {"school": "ОО", "municipality": "муниципальный", "region": "региональный"}
LEVEL_PHRASES = {
    "school": "уровень ОО",
    "municipality": "муниципальный уровень",
    "region": "региональный уровень",
}
STORED_STATUSES = {
    "planned": "запланировано",
    "in_progress": "в работе",
    "done": "выполнено",
    "cancelled": "отменено",
}
STATUSES = {**STORED_STATUSES, "overdue": "просрочено"}
CLOSED = ("done", "cancelled")
UPCOMING_DAYS = 30


class Roadmap(db.Model):
    """Дорожная карта организации (ОО, муниципалитета или региона)."""

    __tablename__ = "roadmap"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    level: Mapped[str] = mapped_column(String(20), default="school")
    title: Mapped[str] = mapped_column(Text)
    period_text: Mapped[str] = mapped_column(String(200), default="")
    academic_year: Mapped[int | None] = mapped_column(
        Integer
    )  # first calendar year of the first academic year
    year_count: Mapped[int] = mapped_column(Integer, default=1)
    approval_text: Mapped[str] = mapped_column(Text, default="")
    goal: Mapped[str] = mapped_column(Text, default="")
    tasks: Mapped[str] = mapped_column(Text, default="")
    expected_results: Mapped[str] = mapped_column(Text, default="")
    forms_text: Mapped[str] = mapped_column(Text, default="")
    provisions: Mapped[str] = mapped_column(Text, default="")  # «Основные положения»
    # The document's own table headings in its column order: [[field, heading], …] (structs.RoadmapDraft).
    columns: Mapped[list] = mapped_column(JSON, default=list)
    template_code: Mapped[str | None] = mapped_column(String(100))
    template_version: Mapped[str | None] = mapped_column(String(64))  # sha256 of the template JSON
    parent_roadmap_id: Mapped[int | None] = mapped_column(ForeignKey("roadmap.id"), index=True)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    org = relationship("Organisation", lazy="joined")
    parent: Mapped[Roadmap | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Roadmap]] = relationship(back_populates="parent")
    sections: Mapped[list[RoadmapSection]] = relationship(
        back_populates="roadmap",
        order_by="(RoadmapSection.position, RoadmapSection.id)",
        cascade="all, delete-orphan",
    )

    @property
    def level_title(self) -> str:
        return LEVELS.get(self.level, self.level)

    @property
    def level_phrase(self) -> str:
        return LEVEL_PHRASES.get(self.level, self.level)

    @property
    def year_label(self) -> str:
        if self.academic_year is None:
            return ""
        last = self.academic_year + max(self.year_count, 1) - 1
        first = f"{self.academic_year}/{self.academic_year + 1}"
        return first if last == self.academic_year else f"{first} – {last}/{last + 1}"

    def items(self) -> list[RoadmapItem]:
        return [item for section in self.sections for item in section.items]


class RoadmapSection(db.Model):
    """Раздел (этап) дорожной карты."""

    __tablename__ = "roadmap_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmap.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(50), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    task: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # In a school's share of a municipal roadmap: the municipal section this one copies.
    parent_section_id: Mapped[int | None] = mapped_column(
        ForeignKey("roadmap_section.id", ondelete="SET NULL"), index=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    roadmap: Mapped[Roadmap] = relationship(back_populates="sections")
    parent_section: Mapped[RoadmapSection | None] = relationship(remote_side=[id])
    # Items added or split later share the position of the item they follow: the id keeps their order,
    # so that inserting one never rewrites (and version-bumps) the rows after it.
    items: Mapped[list[RoadmapItem]] = relationship(
        back_populates="section", order_by="(RoadmapItem.position, RoadmapItem.id)", cascade="all, delete-orphan"
    )


class RoadmapItem(db.Model):
    """Мероприятие: текст документа как есть и его смысл для приложения."""

    __tablename__ = "roadmap_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("roadmap_section.id", ondelete="CASCADE"), index=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmap.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # verbatim
    number: Mapped[str] = mapped_column(String(50), default="")
    name: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")
    deadline_text: Mapped[str] = mapped_column(Text, default="")
    responsible_text: Mapped[str] = mapped_column(Text, default="")
    result_text: Mapped[str] = mapped_column(Text, default="")
    # structured
    deadline_kind: Mapped[str] = mapped_column(String(20), default="empty")
    deadline_label: Mapped[str] = mapped_column(String(300), default="")
    due_start: Mapped[date | None] = mapped_column(Date)
    due_end: Mapped[date | None] = mapped_column(Date, index=True)
    occurrence_label: Mapped[str] = mapped_column(String(100), default="")
    responsible_kind: Mapped[str] = mapped_column(String(10), default="text")  # role | org | person | text
    responsible_role: Mapped[str] = mapped_column(String(30), default="")
    responsible_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    responsible_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    document_type: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[str] = mapped_column(String(20), default="planned")
    done_on: Mapped[date | None] = mapped_column(Date)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    # Flags a person looked at and found right (the document means it): shown, but no longer a warning.
    checked_flags: Mapped[list] = mapped_column(JSON, default=list)
    parent_item_id: Mapped[int | None] = mapped_column(ForeignKey("roadmap_item.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    section: Mapped[RoadmapSection] = relationship(back_populates="items")
    roadmap: Mapped[Roadmap] = relationship(foreign_keys=[roadmap_id])
    parent_item: Mapped[RoadmapItem | None] = relationship(remote_side=[id], back_populates="child_items")
    child_items: Mapped[list[RoadmapItem]] = relationship(back_populates="parent_item")
    responsible_org = relationship("Organisation", foreign_keys=[responsible_org_id])
    responsible_person = relationship("Person", foreign_keys=[responsible_person_id])
    evidence: Mapped[list[RoadmapEvidence]] = relationship(
        back_populates="item", order_by="RoadmapEvidence.uploaded_at", cascade="all, delete-orphan"
    )
    link: Mapped[RoadmapItemLink | None] = relationship(
        back_populates="item", cascade="all, delete-orphan", lazy="selectin", uselist=False
    )

    @property
    def open_flags(self) -> list[str]:
        """Flags nobody has checked yet."""
        return [flag for flag in self.flags or [] if flag not in (self.checked_flags or [])]

    @property
    def may_have_shares(self) -> bool:
        """An item of a municipal (or regional) roadmap: the kind that is handed to the schools."""
        return self.roadmap is not None and self.roadmap.level != "school"

    @property
    def shares(self) -> list[RoadmapItem]:
        """The schools' copies of a municipal item; none for a school's own item (no query then)."""
        return self.child_items if self.may_have_shares else []

    @property
    def rolled_up(self) -> bool:
        """A municipal item handed to the schools: its status is theirs, not set by hand."""
        return bool(self.shares)

    def own_status(self, day: date) -> str:
        if self.status not in CLOSED and self.due_end is not None and self.due_end < day:
            return "overdue"
        return self.status

    def display_status(self, day: date) -> str:
        """The stored status, or «overdue» when the due date has passed on ``day``.

        A municipal item handed to schools follows their rows: done when every school has closed it
        (and one has done it), cancelled when all cancelled, overdue when a school is late, in progress
        when a school has started or finished, planned otherwise."""
        shares = self.shares
        if not shares:
            return self.own_status(day)
        states = [share.own_status(day) for share in shares]
        if all(state in CLOSED for state in states):
            return "cancelled" if all(state == "cancelled" for state in states) else "done"
        if "overdue" in states:
            return "overdue"
        if "in_progress" in states or "done" in states:
            return "in_progress"
        return "planned"

    @property
    def display_done_on(self) -> date | None:
        """The completion date; of a municipal item, when the last school did it."""
        shares = self.shares
        if not shares:
            return self.done_on
        dates = [share.done_on for share in shares if share.done_on]
        return max(dates) if dates and all(share.status in CLOSED for share in shares) else None

    def is_upcoming(self, day: date) -> bool:
        """Due within 30 days, or starting within 30 days. An item running all year long («в течение
        года», «постоянно») is not "due soon" every day of the year, so a span under way does not count."""
        if self.due_end is None or self.due_end < day or self.display_status(day) in CLOSED:
            return False
        horizon = day + timedelta(days=UPCOMING_DAYS)
        starts_soon = self.due_start is not None and day < self.due_start <= horizon
        return self.due_end <= horizon or starts_soon


EVIDENCE_FOLDER = "evidence"  # under the upload folder


@owns_stored_file(EVIDENCE_FOLDER)
class RoadmapEvidence(db.Model):
    """Подтверждение выполнения: файл (до 5 МБ) или ссылка на запись приложения / адрес.

    The file lies in the upload folder under a generated ``stored_name`` (nastavnik.web.uploads);
    ``filename`` is the uploader's name, cleaned, for display and download only. Evidence uploaded
    before files moved to disk still has its bytes in ``content``.
    """

    __tablename__ = "roadmap_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("roadmap_item.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # file | link
    title: Mapped[str] = mapped_column(String(300), default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # before 0014 only
    stored_name: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer, default=0)
    link_url: Mapped[str] = mapped_column(String(1000), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[RoadmapItem] = relationship(back_populates="evidence")
    uploaded_by = relationship("User")

    @property
    def label(self) -> str:
        return self.title or self.filename or self.link_url


class RoadmapItemLink(db.Model):
    """Связь мероприятия с функцией приложения, которая его выполняет (правило выполнения).

    ``rule_code`` is a ``registry.FulfilmentRule`` code; ``record_id`` the record of the rule the item
    is linked to (None: the organisation as a whole, e.g. its bank of mentors). ``record_chosen`` is
    False while a template's suggestion waits for the curator to pick the record (an event, an
    order). Title and address are kept so that the link still reads when its plugin is gone."""

    __tablename__ = "roadmap_item_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_item.id", ondelete="CASCADE"), unique=True, index=True
    )
    rule_code: Mapped[str] = mapped_column(String(100))
    record_id: Mapped[int | None] = mapped_column(Integer)
    record_chosen: Mapped[bool] = mapped_column(default=True)
    record_title: Mapped[str] = mapped_column(String(300), default="")
    record_url: Mapped[str] = mapped_column(String(1000), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[RoadmapItem] = relationship(back_populates="link")
