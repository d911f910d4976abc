"""Every model, imported once so that the metadata (and Alembic) sees all tables."""

from casework.accounts.models import User
from casework.advocacy.models import AdvocacyAction, TargetBody, UPRRecommendation
from casework.audit.models import AuditEntry
from casework.cases.models import (
    Agency,
    Case,
    CaseMember,
    CasePerson,
    Comment,
    Event,
    Place,
    StatusChange,
)
from casework.core.db import db
from casework.evidence.models import Document, Source
from casework.legal.models import CaseProvision, Instrument, Provision, Remedy
from casework.people.models import FamilyLink, Person, PersonName
from casework.reports.models import (
    OrganisationProfile,
    OutputReview,
    ReportDraft,
    ReportDraftVersion,
)

__all__ = [
    "AdvocacyAction",
    "Agency",
    "AuditEntry",
    "Case",
    "CaseMember",
    "CasePerson",
    "CaseProvision",
    "Comment",
    "Document",
    "Event",
    "FamilyLink",
    "Instrument",
    "OrganisationProfile",
    "OutputReview",
    "Person",
    "PersonName",
    "Place",
    "Provision",
    "Remedy",
    "ReportDraft",
    "ReportDraftVersion",
    "Source",
    "StatusChange",
    "TargetBody",
    "UPRRecommendation",
    "User",
    "db",
]
