"""Every core model in one import, for Alembic autogenerate and ``flask shell``."""

from nastavnik.audit.models import AuditEntry
from nastavnik.auth.models import LoginFailure, RoleAssignment, User
from nastavnik.consents.models import Consent
from nastavnik.orgs.models import Organisation
from nastavnik.participants.models import Guardianship, Person

__all__ = ["AuditEntry", "Consent", "Guardianship", "LoginFailure", "Organisation", "Person", "RoleAssignment", "User"]
