"""Мероприятия (обучение наставников, семинары, круглые столы …), участники и посещаемость,
сертификаты из реестра организатора, материалы и фотографии; новости и страница для сайта школы.

Files (materials, photos, documents for the site) are kept in the database, like the evidence of
roadmaps: an intranet installation has one thing to back up.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

LEVELS = {"school": "школьное", "municipality": "муниципальное"}
STATUSES = {"planned": "запланировано", "held": "проведено", "cancelled": "отменено"}
GROUPS = {
    "training": "обучение наставников",
    "seminar": "семинары и встречи",
    "public": "публичные и итоговые мероприятия",
    "other": "другое",
}
# Who the event is for (the audience), by role in the mentoring system.
AUDIENCE_ROLES = {
    "mentors": "наставники",
    "mentees": "наставляемые",
    "candidates": "потенциальные наставники",
    "curators": "кураторы",
    "directors": "руководители ОО",
    "teachers": "педагоги",
    "students": "обучающиеся",
    "parents": "родители",
    "partners": "партнёры",
}
PARTICIPANT_STATUSES = {"invited": "приглашён(а)", "registered": "зарегистрирован(а)", "declined": "отказ"}
ATTENDANCE = {"": "не отмечено", "present": "присутствовал(а)", "absent": "отсутствовал(а)"}
UNTRAINED = {
    "flag": "отмечать в банке и при подборе",
    "exclude": "не предлагать при подборе (исключать)",
}
POST_CHANNELS = {
    "site": "сайт школы",
    "social": "социальные сети",
    "municipal": "сайт УО / муниципальный ресурс",
    "media": "СМИ",
}
DOCUMENT_KINDS = {
    "regulation": "Положение",
    "order": "Приказ",
    "roadmap": "Дорожная карта",
    "programme": "Программа наставничества",
    "other": "Другой документ",
}


def _codes(text: str) -> list[str]:
    return [code for code in (text or "").split(",") if code]


class EventKindRow(db.Model):
    """Вид мероприятия, добавленный пользователями организации (к видам из плагинов)."""

    __tablename__ = "event_kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    group: Mapped[str] = mapped_column(String(20), default="other")
    certificates: Mapped[bool] = mapped_column(default=False)
    archived: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    org = relationship("Organisation")


class Event(db.Model):
    """Мероприятие школы или муниципалитета."""

    __tablename__ = "event"
    __audited__ = True
    __audit_labels__ = {
        "kind_code": "вид мероприятия", "title": "название", "level": "уровень", "starts_at": "начало",
        "ends_at": "окончание", "place": "место", "link_url": "ссылка", "organisers": "организаторы",
        "audience_roles": "для кого", "audience_kinds": "формы наставничества", "programme": "программа",
        "hours": "объём, ч", "report": "отчёт",
    }
    __audit_values__ = {"level": LEVELS, "status": STATUSES}

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # организатор
    kind_code: Mapped[str] = mapped_column(String(50), index=True)
    title: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20), default="school")
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # local time of the place
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    place: Mapped[str] = mapped_column(String(300), default="")
    link_url: Mapped[str] = mapped_column(String(1000), default="")
    organisers: Mapped[str] = mapped_column(Text, default="")
    audience_roles: Mapped[str] = mapped_column(String(300), default="")
    audience_kinds: Mapped[str] = mapped_column(String(500), default="")
    programme: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[float | None] = mapped_column(Float)  # объём обучения для сертификата
    status: Mapped[str] = mapped_column(String(20), default="planned")
    report: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    org = relationship("Organisation", lazy="joined")
    invited_orgs: Mapped[list[EventInvitedOrg]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Participant.id"
    )
    materials: Mapped[list[EventMaterial]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventMaterial.uploaded_at"
    )

    @property
    def day(self) -> date:
        return self.starts_at.date()

    @property
    def level_title(self) -> str:
        return LEVELS.get(self.level, self.level)

    @property
    def audience_role_codes(self) -> list[str]:
        return _codes(self.audience_roles)

    @property
    def audience_kind_codes(self) -> list[str]:
        return _codes(self.audience_kinds)


class EventInvitedOrg(db.Model):
    """Организация, приглашённая на муниципальное мероприятие (приглашение по школам)."""

    __tablename__ = "event_invited_org"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True, index=True)

    event: Mapped[Event] = relationship(back_populates="invited_orgs")
    org = relationship("Organisation", lazy="joined")


class Participant(db.Model):
    """Участник мероприятия: человек из приложения или гость со стороны (ФИО и организация)."""

    __tablename__ = "event_participant"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)
    __audited__ = True
    __audit_labels__ = {
        "outsider_name": "ФИО гостя", "outsider_org": "организация гостя", "outsider_position": "должность гостя",
        "attendance": "посещение", "publication_consent_ref": "согласие на распространение (гость)",
    }
    __audit_values__ = {"status": PARTICIPANT_STATUSES, "attendance": ATTENDANCE}

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # The school the participant comes from (the person's, or the one that sent a guest): the roll-up counts by it.
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    outsider_name: Mapped[str] = mapped_column(String(300), default="")
    outsider_org: Mapped[str] = mapped_column(String(300), default="")
    outsider_position: Mapped[str] = mapped_column(String(200), default="")
    # Where a guest's paper consent to distribution is kept (ст. 10.1 152-ФЗ); empty: none.
    publication_consent_ref: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="invited")
    attendance: Mapped[str] = mapped_column(String(10), default="")
    marked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    event: Mapped[Event] = relationship(back_populates="participants")
    person = relationship("Person", lazy="joined")
    org = relationship("Organisation")
    certificate: Mapped[Certificate | None] = relationship(back_populates="participant", uselist=False)

    @property
    def name(self) -> str:
        return self.person.full_name if self.person is not None else self.outsider_name

    @property
    def org_title(self) -> str:
        if self.person is not None:
            return self.person.org.title
        return self.outsider_org or (self.org.title if self.org is not None else "")

    @property
    def position(self) -> str:
        return self.person.position if self.person is not None else self.outsider_position

    @property
    def is_outsider(self) -> bool:
        return self.person_id is None


class Certificate(db.Model):
    """Сертификат об обучении: номер из реестра организатора, единый на организацию и год."""

    __tablename__ = "event_certificate"
    __table_args__ = (UniqueConstraint("org_id", "year", "number"),)
    __audited__ = True
    __audit_labels__ = {"year": "год", "number": "номер", "issued_on": "дата выдачи", "hours": "объём, ч"}

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("event_participant.id", ondelete="CASCADE"), unique=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))  # the organiser whose register it is
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[float | None] = mapped_column(Float)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    participant: Mapped[Participant] = relationship(back_populates="certificate")
    event: Mapped[Event] = relationship()

    @property
    def register_number(self) -> str:
        return f"{self.number:03d}/{self.year}"


class CertificateCounter(db.Model):
    """Последний номер реестра сертификатов организатора за год (обновляется одним UPDATE)."""

    __tablename__ = "event_certificate_counter"

    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class EventMaterial(db.Model):
    """Материал мероприятия: файл (до 5 МБ) или ссылка."""

    __tablename__ = "event_material"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # file | link
    title: Mapped[str] = mapped_column(String(300), default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    link_url: Mapped[str] = mapped_column(String(1000), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    event: Mapped[Event] = relationship(back_populates="materials")

    @property
    def label(self) -> str:
        return self.title or self.filename or self.link_url


class Photo(db.Model):
    """Фотография мероприятия или новости; на сайт — только при согласии каждого отмеченного на ней."""

    __tablename__ = "event_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    caption: Mapped[str] = mapped_column(String(500), default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    # The curator confirms that everyone recognisable on the photo is tagged (or nobody is on it).
    people_confirmed: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    event: Mapped[Event | None] = relationship()
    tags: Mapped[list[PhotoTag]] = relationship(back_populates="photo", cascade="all, delete-orphan")


class PhotoTag(db.Model):
    """Человек на фотографии: участник приложения или гость мероприятия."""

    __tablename__ = "event_photo_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("event_photo.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("event_participant.id", ondelete="CASCADE"))

    photo: Mapped[Photo] = relationship(back_populates="tags")
    person = relationship("Person")
    participant = relationship("Participant")

    @property
    def name(self) -> str:
        return self.person.full_name if self.person is not None else self.participant.outsider_name


class NewsItem(db.Model):
    """Новость: дата, текст, фотографии; отметки о размещении на сайте и в соцсетях."""

    __tablename__ = "news_item"
    __audited__ = True
    __audit_labels__ = {"published_on": "дата", "title": "заголовок", "text": "текст", "on_site": "на странице для сайта"}

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    published_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    on_site: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    org = relationship("Organisation")
    event: Mapped[Event | None] = relationship()
    photos: Mapped[list[Photo]] = relationship(secondary="news_photo", order_by="Photo.id")
    posts: Mapped[list[NewsPost]] = relationship(
        back_populates="news", cascade="all, delete-orphan", order_by="NewsPost.posted_on"
    )


class NewsPhoto(db.Model):
    __tablename__ = "news_photo"

    news_id: Mapped[int] = mapped_column(ForeignKey("news_item.id", ondelete="CASCADE"), primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("event_photo.id", ondelete="CASCADE"), primary_key=True)


class NewsPost(db.Model):
    """Отметка «отправлено»: новость размещена на сайте, в соцсетях или СМИ, со ссылкой."""

    __tablename__ = "news_post"
    __audited__ = True
    __audit_labels__ = {"channel": "куда", "url": "ссылка", "posted_on": "дата размещения"}
    __audit_values__ = {"channel": POST_CHANNELS}

    id: Mapped[int] = mapped_column(primary_key=True)
    news_id: Mapped[int] = mapped_column(ForeignKey("news_item.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(1000), default="")
    posted_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    news: Mapped[NewsItem] = relationship(back_populates="posts")

    @property
    def channel_title(self) -> str:
        return POST_CHANNELS.get(self.channel, self.channel)


class SiteDocument(db.Model):
    """Документ для страницы сайта (Положение, приказы): публикуется, только если куратор так отметил."""

    __tablename__ = "site_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    doc_kind: Mapped[str] = mapped_column(String(20), default="other")
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str] = mapped_column(String(50), default="")
    dated: Mapped[date | None] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    public: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def kind_title(self) -> str:
        return DOCUMENT_KINDS.get(self.doc_kind, self.doc_kind)


class EventSettings(db.Model):
    """Настройки школы: наставники без обучения при подборе; страница для сайта."""

    __tablename__ = "event_settings"

    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True, autoincrement=False)
    untrained_mentors: Mapped[str] = mapped_column(String(10), default="flag")
    site_url: Mapped[str] = mapped_column(String(500), default="")  # address of the page on the school's site
    site_intro: Mapped[str] = mapped_column(Text, default="")
    # When the page was last downloaded, and who could appear on it (a valid consent to distribution):
    # one of them without that consent now means the copy on the school's site must be replaced.
    site_exported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    site_people: Mapped[list] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
