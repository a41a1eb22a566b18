"""Журнал изменений персональных данных и согласий: кто, когда, что изменил."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.extensions import db
from nastavnik.timeutil import utcnow

ACTIONS = {"create": "создание", "update": "изменение", "delete": "удаление", "anonymise": "обезличивание"}
# Accounts (issue 7): what was done to a login, in the log's words.
ACTIONS |= {
    "account_create": "учётная запись создана", "account_edit": "учётная запись изменена",
    "account_disable": "учётная запись отключена", "account_enable": "учётная запись включена",
    "person_link": "связана с участником", "person_unlink": "связь с участником снята",
    "role_add": "роль назначена", "role_remove": "роль снята",
    "code_issue": "выдан код входа", "password_reset": "сброс пароля",
    "password_set": "пароль задан по коду", "password_change": "пароль изменён",
}


class AuditEntry(db.Model):
    """Запись журнала аудита."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor: Mapped[str] = mapped_column(String(200))  # user name at the time, or «система»
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int | None] = mapped_column()
    person_id: Mapped[int | None] = mapped_column(index=True)  # whose data, for the person's history
    org_id: Mapped[int | None] = mapped_column(index=True)  # scope, for who may read the entry
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> [old, new]

    user = relationship("User")

    @property
    def action_title(self) -> str:
        return ACTIONS.get(self.action, self.action)
