"""Банки наставников и наставляемых, словарь запросов/компетенций, настройки и прогоны подбора."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

MENTOR_STATUSES = {
    "potential": "потенциальный",
    "in_bank": "в базе",
    "assigned": "закреплён",
    "inactive": "неактивен",
}
MENTEE_STATUSES = {
    "in_bank": "в базе",
    "in_pair": "в паре",
    "finished": "завершил",
    "left": "выбыл",
    "unmatched": "не подобран",
}
MENTOR_ORIGINS = {
    "teacher": "педагог",
    "student_15_18": "обучающийся 15–18 лет",
    "graduate": "выпускник",
    "employee": "работник предприятия",
    "university_student": "студент",
    "other_org_teacher": "педагог другой ОО / вуза",
    "veteran": "ветеран / пенсионер",
}

def _kind_titles(codes: str) -> str:
    """«teacher_teacher,student_student» → «учитель – учитель, ученик – ученик» (for the audit log)."""
    from nastavnik.plugins.manager import registry

    return ", ".join(registry().kind(code).title for code in codes.split(",") if code)


def _choice_title(attribute: str):
    """A variation or mentee category code by its title in whichever form of mentoring declares it."""

    def title(codes: str) -> str:
        from nastavnik.plugins.manager import registry

        known = {c.code: c.title for kind in registry().kinds.values() for c in getattr(kind, attribute)}
        return ", ".join(known.get(code, code) for code in codes.split(",") if code)

    return title


mentor_tag = Table(
    "mentor_tag",
    db.metadata,
    Column("mentor_id", ForeignKey("mentor_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)
mentee_tag = Table(
    "mentee_tag",
    db.metadata,
    Column("mentee_id", ForeignKey("mentee_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(db.Model):
    """Элемент словаря запросов/компетенций (один словарь для запросов наставляемых и компетенций наставников).

    У каждого элемента есть владелец (``org_id``): общий словарь установки (None) ведёт администратор,
    муниципальный — муниципальный координатор, свой словарь школы — её куратор. Школа видит общий,
    вышестоящие и свой; менять может только владелец (см. ``banks/vocabulary.py``)."""

    __tablename__ = "tag"
    __audited__ = True  # a renamed or archived tag changes every bank that uses it
    __audit_labels__ = {"title": "название", "group": "группа", "archived": "в архиве"}
    __table_args__ = (UniqueConstraint("org_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    group: Mapped[str] = mapped_column(String(100), default="")  # e.g. «методика», «классное руководство»
    archived: Mapped[bool] = mapped_column(default=False)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)

    org = relationship("Organisation")


class MentorProfile(db.Model):
    """Запись банка наставников («база наставников с перечнем компетенций»)."""

    __tablename__ = "mentor_profile"
    __audited__ = True
    __audited_collections__ = {"tags": "title"}
    __audit_labels__ = {
        "origin": "откуда наставник", "achievements": "достижения", "interests": "интересы",
        "preferred_age_min": "возраст наставляемых от", "preferred_age_max": "возраст наставляемых до",
        "time_place": "время и место встреч", "kind_codes": "формы наставничества",
        "variation_codes": "вариации", "capacity": "мест (наставляемых)", "load": "занято мест",
        "training": "обучение, сертификаты", "case_url": "ссылка на кейс", "entered_on": "дата вхождения",
        "tags": "компетенции",
    }
    __audit_values__ = {
        "status": MENTOR_STATUSES, "origin": MENTOR_ORIGINS, "kind_codes": _kind_titles,
        "variation_codes": _choice_title("variations"),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="in_bank")
    origin: Mapped[str] = mapped_column(String(30), default="teacher")
    achievements: Mapped[str] = mapped_column(Text, default="")
    interests: Mapped[str] = mapped_column(Text, default="")
    preferred_age_min: Mapped[int | None] = mapped_column(Integer)
    preferred_age_max: Mapped[int | None] = mapped_column(Integer)
    time_place: Mapped[str] = mapped_column(Text, default="")  # время/ресурс и место встреч
    kind_codes: Mapped[str] = mapped_column(String(500), default="")  # формы через запятую (коды плагинов)
    variation_codes: Mapped[str] = mapped_column(String(1000), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    load: Mapped[int] = mapped_column(Integer, default=0)  # места, занятые парами (формируется + активна)
    training: Mapped[str] = mapped_column(Text, default="")  # обучение, сертификаты
    case_url: Mapped[str] = mapped_column(String(500), default="")
    entered_on: Mapped[date] = mapped_column(Date, default=date.today)
    # Наставничество входит в должностные обязанности (и оплачивается): ст. 351.8 ТК не применяется,
    # доп. соглашение не требуется (письмо Роструда от 02.10.2025 № ТЗ/7300-6-1).
    duties_included: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    person = relationship("Person", lazy="joined")
    tags: Mapped[list[Tag]] = relationship(secondary=mentor_tag, order_by="Tag.title")

    @property
    def kinds(self) -> list[str]:
        return [c for c in self.kind_codes.split(",") if c]

    @property
    def variations(self) -> list[str]:
        return [c for c in self.variation_codes.split(",") if c]

    @property
    def free_slots(self) -> int:
        return max(self.capacity - self.load, 0)


class MenteeProfile(db.Model):
    """Запись банка наставляемых («база наставляемых с перечнем запросов»): одна на форму и учебный год."""

    __tablename__ = "mentee_profile"
    __audited__ = True
    __audited_collections__ = {"tags": "title"}
    __audit_labels__ = {
        "kind_code": "форма наставничества", "category": "категория", "academic_year": "учебный год",
        "request_text": "запрос", "entered_on": "дата вхождения", "tags": "запросы (затруднения)",
    }
    __audit_values__ = {
        "status": MENTEE_STATUSES, "kind_code": _kind_titles, "category": _choice_title("mentee_categories"),
        "academic_year": lambda year: f"{year}/{year + 1}",
    }
    __table_args__ = (UniqueConstraint("person_id", "kind_code", "academic_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind_code: Mapped[str] = mapped_column(String(50))
    category: Mapped[str] = mapped_column(String(50), default="")
    academic_year: Mapped[int] = mapped_column(Integer)  # начало учебного года: 2025 = 2025/2026
    request_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="in_bank")
    entered_on: Mapped[date] = mapped_column(Date, default=date.today)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    person = relationship("Person", lazy="joined")
    tags: Mapped[list[Tag]] = relationship(secondary=mentee_tag, order_by="Tag.title")


class MentorQuestionnaire(db.Model):
    """Анкета потенциального наставника: педагог заполняет сам, куратор принимает в банк."""

    __tablename__ = "mentor_questionnaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # competencies, kinds, capacity, time_place …
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="submitted")  # submitted | accepted | declined
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str] = mapped_column(Text, default="")

    person = relationship("Person")


class MatchSettings(db.Model):
    """Веса и жёсткие ограничения подбора, которые куратор настраивает сам (на организацию и форму)."""

    __tablename__ = "match_settings"
    __table_args__ = (UniqueConstraint("org_id", "kind_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind_code: Mapped[str] = mapped_column(String(50))
    weights: Mapped[dict] = mapped_column(JSON, default=dict)
    must_share_subject: Mapped[bool] = mapped_column(default=False)
    min_experience_gap: Mapped[float] = mapped_column(Float, default=5.0)
    min_score: Mapped[float] = mapped_column(Float, default=30.0)
    mode: Mapped[str] = mapped_column(String(20), default="max_score")  # max_score | max_participation
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class MatchExclusion(db.Model):
    """Исключение: эту пару не предлагать (конфликт, родство, уже были в паре …)."""

    __tablename__ = "match_exclusion"
    __table_args__ = (UniqueConstraint("mentee_person_id", "mentor_person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    mentee_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    mentor_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    reason: Mapped[str] = mapped_column(Text, default="")


class MatchRun(db.Model):
    """Прогон подбора по всей когорте: веса, входные данные и результат записываются вместе с ним."""

    __tablename__ = "match_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind_code: Mapped[str] = mapped_column(String(50))
    academic_year: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | published | discarded
    algorithm: Mapped[str] = mapped_column(String(100), default="")
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    inputs: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict] = mapped_column(JSON, default=dict)  # unmatched with why, totals
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    proposals: Mapped[list[MatchProposal]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="MatchProposal.score.desc()"
    )


class MatchProposal(db.Model):
    """Предложенная пара черновика: куратор закрепляет (pin), отклоняет или меняет её."""

    __tablename__ = "match_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_run.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("mentee_profile.id"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor_profile.id"))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(
        String(20), default="proposed"
    )  # proposed | pinned | rejected | published

    run: Mapped[MatchRun] = relationship(back_populates="proposals")
    mentee: Mapped[MenteeProfile] = relationship()
    mentor: Mapped[MentorProfile] = relationship()


# A scope's bank entries of one status (dashboard counts): see migration 0013.
Index("ix_mentee_profile_org_id_status", MenteeProfile.org_id, MenteeProfile.status)
Index("ix_mentor_profile_org_id_status", MentorProfile.org_id, MentorProfile.status)
