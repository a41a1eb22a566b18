"""Организации: регион → муниципалитет → МКУ УО / ИМО → образовательные организации; партнёры."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.extensions import db

ORG_KINDS = {
    "region": "Регион",
    "municipality": "Муниципалитет",
    "authority": "Орган управления образованием (МКУ УО)",
    "methodical": "Методическая служба (ИМО)",
    "school": "Общеобразовательная организация (ОО)",
    "preschool": "Дошкольная организация (ДОО)",
    "college": "Профессиональная организация (СПО)",
    "additional": "Организация дополнительного образования (УДО)",
    "partner": "Организация-партнёр",
}
EDUCATION_KINDS = ("school", "preschool", "college", "additional")


class Organisation(db.Model):
    """Организация в дереве управления образованием."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str] = mapped_column(String(200), default="")
    inn: Mapped[str] = mapped_column(String(12), default="")
    archived: Mapped[bool] = mapped_column(default=False)
    # Реквизиты для приказов и соглашений: кто подписывает и кто куратор программы наставничества.
    director_name: Mapped[str] = mapped_column(String(300), default="")  # ФИО полностью
    director_position: Mapped[str] = mapped_column(String(200), default="Директор")
    director_position_genitive: Mapped[str] = mapped_column(String(200), default="директора")  # «в лице …»
    curator_name: Mapped[str] = mapped_column(String(300), default="")
    curator_position: Mapped[str] = mapped_column(String(200), default="")

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organisation]] = relationship(back_populates="parent", order_by="Organisation.name")

    @property
    def title(self) -> str:
        return self.short_name or self.name

    @property
    def kind_title(self) -> str:
        return ORG_KINDS.get(self.kind, self.kind)

    @property
    def is_education(self) -> bool:
        return self.kind in EDUCATION_KINDS

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.title}>"


class OrganisationLink(db.Model):
    """Замыкание дерева организаций: каждая организация с каждой вышестоящей (и сама с собой, depth 0).

    What makes a scope one indexed subquery — ``descendant_id WHERE ancestor_id IN (roots)`` — at
    any depth and size of the tree (see ``access.Scope``). Kept up to date on every flush that adds
    or moves an organisation (``orgs.services.install``); bulk loads call ``rebuild_tree``.
    """

    __tablename__ = "organisation_link"

    ancestor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    descendant_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    depth: Mapped[int] = mapped_column(Integer)
