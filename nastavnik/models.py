"""Every core model in one import, for Alembic autogenerate and ``flask shell``."""

from nastavnik.agreements.models import MentorAgreement
from nastavnik.audit.models import AuditEntry
from nastavnik.auth.models import LoginFailure, RoleAssignment, User
from nastavnik.banks.models import (
    MatchExclusion,
    MatchProposal,
    MatchRun,
    MatchSettings,
    MenteeProfile,
    MentorProfile,
    MentorQuestionnaire,
    Tag,
)
from nastavnik.consents.models import Consent
from nastavnik.dashboard.models import FigureCache
from nastavnik.events import models as events_models  # every table of events, for Alembic
from nastavnik.monitoring.models import (  # noqa: F401 - monitoring's tables, for Alembic
    Answer,
    Campaign,
    CampaignOrg,
    GrowthCharacteristicRow,
    GrowthRecord,
    QuestionItem,
    Questionnaire,
    QuestionnaireVersion,
    Recipient,
    Response,
    Rhythm,
    Settings,
    Swot,
)
from nastavnik.orgs.models import Organisation, OrganisationLink
from nastavnik.pairs.models import Order, OrderEntry, Pair, PairMember, SupportRecord
from nastavnik.participants.declension import PersonNameForms
from nastavnik.participants.models import Guardianship, Person
from nastavnik.plugins.failures import PluginFailure
from nastavnik.programmes.models import Meeting, PlanItem, Programme
from nastavnik.recognition.models import Award, ContestEntry, Incentive, RecognitionType
from nastavnik.reports.models import Indicator, IndicatorEntry, IndicatorTarget, ReportCollection, ReportRun
from nastavnik.roadmaps.models import Roadmap, RoadmapEvidence, RoadmapItem, RoadmapSection

__all__ = [
    "AuditEntry", "Consent", "MentorAgreement", "OrderEntry", "PersonNameForms", "Guardianship", "LoginFailure", "MatchExclusion", "MatchProposal", "MatchRun",
    "MatchSettings", "Meeting", "MenteeProfile", "MentorProfile", "MentorQuestionnaire", "Order", "Organisation",
    "Pair", "PairMember", "Person", "PluginFailure", "PlanItem", "Programme", "Roadmap", "RoadmapEvidence", "RoadmapItem",
    "RoadmapSection", "RoleAssignment", "SupportRecord", "Tag", "User",
    "Award", "ContestEntry", "Incentive", "RecognitionType",
    "Indicator", "IndicatorEntry", "IndicatorTarget", "ReportCollection", "ReportRun",
    "events_models",
]

from nastavnik.auth.models import SignInCode  # noqa: E402 - accounts (issue 7)

__all__ += ["SignInCode"]
__all__ += ["FigureCache", "OrganisationLink"]  # the scale work: cached figures, the closure of the tree
