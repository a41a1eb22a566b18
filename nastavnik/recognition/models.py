"""Мотивация и признание наставников (п. 5 методологии Р-145): награды, конкурсы, поощрения.

Every record belongs to the school that recorded it (``org_id``) and names the mentor
(``person_id``); another school's records answer 404. Kinds of awards and incentives are an
editable list («благодарность», «грамота», знак «За наставничество» …), seeded on first use.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

AWARD_LEVELS = {
    "school": "школа",
    "municipality": "муниципалитет",
    "region": "регион",
    "ministry": "ведомство",
    "state": "государство",
}
CONTESTS = {
    "mentor_of_year": "«Наставник года»",
    "best_practices": "«Лучшие практики наставничества»",
    "other": "другой конкурс",
}
CONTEST_STAGES = {
    "school": "школьный",
    "municipal": "муниципальный",
    "regional": "региональный",
    "federal": "федеральный",
}
CONTEST_RESULTS = {
    "participant": "участник",
    "laureate": "лауреат",
    "prizewinner": "призёр",
    "winner": "победитель",
}
TYPE_GROUPS = {"award": "Виды наград", "incentive": "Меры поощрения"}
DEFAULT_TYPES = {
    "award": (
        "Благодарность", "Почётная грамота", "Знак «За наставничество»",
        "Нагрудный знак «Почётный работник воспитания и просвещения»", "Медаль Л. С. Выготского",
        "Благодарственное письмо",
    ),
    "incentive": (
        "Стимулирующая выплата за наставничество", "Премия", "Дополнительный день отдыха",
        "Публикация о наставнике на сайте школы", "Приоритет при направлении на курсы повышения квалификации",
        "Рекомендация к аттестации на квалификационную категорию",
    ),
}


class RecognitionType(db.Model):
    """Элемент редактируемого списка: вид награды или мера поощрения."""

    __tablename__ = "recognition_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    group: Mapped[str] = mapped_column(String(20), index=True)  # award | incentive
    title: Mapped[str] = mapped_column(String(300))
    archived: Mapped[bool] = mapped_column(default=False)


class Award(db.Model):
    """Награда наставника: уровень, вид, реквизиты акта (приказа), файл."""

    __tablename__ = "recognition_award"  # not audited: the log keeps JSON, the award its file

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("recognition_type.id"))
    level: Mapped[str] = mapped_column(String(20))  # AWARD_LEVELS
    act_number: Mapped[str] = mapped_column(String(100), default="")
    act_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    file_type: Mapped[str] = mapped_column(String(100), default="")
    file_content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    person = relationship("Person", lazy="joined")
    type = relationship(RecognitionType, lazy="joined")

    @property
    def level_title(self) -> str:
        return AWARD_LEVELS.get(self.level, self.level)


class ContestEntry(db.Model):
    """Участие в конкурсе («Наставник года», «Лучшие практики наставничества»)."""

    __tablename__ = "recognition_contest"
    __audited__ = True
    __audit_labels__ = {"contest": "конкурс", "title": "название конкурса", "year": "год", "stage": "этап",
                        "nomination": "номинация", "result": "результат"}
    __audit_values__ = {"contest": CONTESTS, "stage": CONTEST_STAGES, "result": CONTEST_RESULTS}

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    contest: Mapped[str] = mapped_column(String(30))  # CONTESTS
    title: Mapped[str] = mapped_column(String(300), default="")  # the contest's name when «другой»
    year: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(20))  # CONTEST_STAGES
    nomination: Mapped[str] = mapped_column(String(300), default="")
    result: Mapped[str] = mapped_column(String(20))  # CONTEST_RESULTS
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    person = relationship("Person", lazy="joined")

    @property
    def contest_title(self) -> str:
        return self.title if self.contest == "other" and self.title else CONTESTS.get(self.contest, self.contest)

    @property
    def summary(self) -> str:
        stage = CONTEST_STAGES.get(self.stage, self.stage)
        result = CONTEST_RESULTS.get(self.result, self.result)
        nomination = f", номинация «{self.nomination}»" if self.nomination else ""
        return f"{self.contest_title}, {self.year} г., {stage} этап{nomination}: {result}"


class Incentive(db.Model):
    """Поощрение: стимулирующая выплата или нематериальная мера."""

    __tablename__ = "recognition_incentive"
    __audited__ = True
    __audit_labels__ = {"type_id": "мера поощрения", "granted_on": "дата", "amount": "сумма, ₽", "basis": "основание"}

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("recognition_type.id"))
    granted_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[float | None] = mapped_column(Float)  # рублей, для выплат
    basis: Mapped[str] = mapped_column(String(300), default="")  # приказ, локальный акт
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    person = relationship("Person", lazy="joined")
    type = relationship(RecognitionType, lazy="joined")
