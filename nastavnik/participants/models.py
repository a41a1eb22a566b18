"""Участники: педагоги, обучающиеся, работники партнёров, выпускники, законные представители."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.extensions import db
from nastavnik.periods import years_between
from nastavnik.timeutil import utcnow

PERSON_KINDS = {
    "staff": "Педагог / работник ОО",
    "student": "Обучающийся",
    "partner_employee": "Работник организации-партнёра",
    "graduate": "Выпускник",
    "parent": "Законный представитель",
}
# For table columns, where the full titles would wrap every row.
PERSON_KINDS_SHORT = {
    "staff": "Педагог",
    "student": "Обучающийся",
    "partner_employee": "Работник партнёра",
    "graduate": "Выпускник",
    "parent": "Представитель",
}
QUALIFICATION_CATEGORIES = {
    "": "—",
    "none": "без категории",
    "conformity": "соответствие занимаемой должности",
    "first": "первая",
    "highest": "высшая",
}
# Fields that hold personal data: changes to them are audited and anonymisation clears them.
PERSONAL_FIELDS = (
    "last_name", "first_name", "middle_name", "birth_date", "email", "phone", "snils",
    "position", "subjects", "class_name", "personnel_number", "notes",
)


def experience_on_date(years: float | None, recorded_on: date | None, day: date) -> float | None:
    """The recorded experience plus the time since it was recorded (stays current without edits)."""
    if years is None:
        return None
    since = (day - recorded_on).days / 365.25 if recorded_on else 0
    return round(years + max(since, 0), 1)


def is_young_specialist(
    years: float | None, recorded_on: date | None, birth_date: date | None, day: date, max_years: int, max_age: int
) -> bool:
    """Plain-value form of :meth:`Person.is_young_specialist`, for counting without loading whole records."""
    experience = experience_on_date(years, recorded_on, day)
    age = years_between(birth_date, day) if birth_date else None
    return experience is not None and experience <= max_years and (age is None or age <= max_age)


class Person(db.Model):
    """Участник (физическое лицо). Один человек может быть наставником в одной паре и наставляемым в другой."""

    __tablename__ = "person"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str] = mapped_column(String(100), default="")
    birth_date: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    snils: Mapped[str] = mapped_column(String(14), default="")
    personnel_number: Mapped[str] = mapped_column(String(50), default="")
    # Педагог
    position: Mapped[str] = mapped_column(String(200), default="")
    subjects: Mapped[str] = mapped_column(String(500), default="")  # через запятую
    experience_years: Mapped[float | None] = mapped_column(Float)  # педагогический стаж …
    experience_on: Mapped[date | None] = mapped_column(Date)  # … на эту дату
    hired_on: Mapped[date | None] = mapped_column(Date)
    qualification_category: Mapped[str] = mapped_column(String(20), default="")
    # Обучающийся
    class_name: Mapped[str] = mapped_column(String(20), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # concurrent edits fail instead of overwriting

    org = relationship("Organisation", lazy="joined")
    consents = relationship(
        "Consent", back_populates="person", foreign_keys="Consent.person_id", order_by="Consent.signed_on.desc()"
    )
    guardian_links: Mapped[list[Guardianship]] = relationship(
        foreign_keys="Guardianship.student_id", back_populates="student", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        if self.anonymised_at is not None:
            return self.last_name
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_name} {initials}".strip()

    @property
    def kind_title(self) -> str:
        return PERSON_KINDS.get(self.kind, self.kind)

    @property
    def kind_short(self) -> str:
        return PERSON_KINDS_SHORT.get(self.kind, self.kind)

    @property
    def subject_list(self) -> list[str]:
        return [s.strip() for s in self.subjects.split(",") if s.strip()]

    def age_on(self, day: date) -> int | None:
        return years_between(self.birth_date, day) if self.birth_date else None

    def is_minor_on(self, day: date) -> bool:
        age = self.age_on(day)
        return self.kind == "student" if age is None else age < 18

    def experience_on_date(self, day: date) -> float | None:
        """Педагогический стаж на дату: the recorded years plus the time since they were recorded."""
        return experience_on_date(self.experience_years, self.experience_on, day)

    def is_young_specialist(self, day: date, max_years: int, max_age: int) -> bool:
        """«Молодой специалист»: педагог со стажем до ``max_years`` лет и возрастом до ``max_age``."""
        return self.kind == "staff" and is_young_specialist(
            self.experience_years, self.experience_on, self.birth_date, day, max_years, max_age
        )

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.short_name}>"


class Guardianship(db.Model):
    """Законный представитель обучающегося."""

    __tablename__ = "guardianship"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    relation: Mapped[str] = mapped_column(String(50), default="законный представитель")  # мать, отец, опекун

    student: Mapped[Person] = relationship(foreign_keys=[student_id], back_populates="guardian_links")
    guardian: Mapped[Person] = relationship(foreign_keys=[guardian_id])

    @property
    def person_id(self) -> int:  # the audit log files this under the student
        return self.student_id


# Counts of a scope's participants read the index alone, not 200,000 rows (migration 0013).
Index("ix_person_org_id_kind_archived_at", Person.org_id, Person.kind, Person.archived_at)
