"""Every model, imported once so that the metadata (and Alembic) sees all tables."""

from casework.accounts.models import (
    AccountNotice,
    PasswordResetCode,
    RecoveryCode,
    SecondFactorReset,
    SetupMarker,
    User,
    UserSession,
)
from casework.advocacy.models import AdvocacyAction, TargetBody, UPRRecommendation
from casework.api.models import ApiToken, IdempotencyKey
from casework.audit.models import AuditChainHead, AuditEntry
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
from casework.core.indexversions import IndexVersion
from casework.core.keyring import DataKey
from casework.evidence.models import Document, Source
from casework.jobs.models import Job
from casework.legal.models import CaseProvision, Instrument, Provision, Remedy
from casework.people.models import FamilyLink, Person, PersonMerge, PersonName, PersonNameKey
from casework.reports.models import (
    OrganisationProfile,
    OutputReview,
    ReportDraft,
    ReportDraftVersion,
)
from casework.search.models import SearchToken

__all__ = [
    "AccountNotice",
    "AdvocacyAction",
    "Agency",
    "AuditChainHead",
    "ApiToken",
    "AuditEntry",
    "Case",
    "CaseMember",
    "CasePerson",
    "CaseProvision",
    "Comment",
    "DataKey",
    "Document",
    "Event",
    "FamilyLink",
    "IdempotencyKey",
    "IndexVersion",
    "Job",
    "Instrument",
    "OrganisationProfile",
    "OutputReview",
    "Person",
    "PasswordResetCode",
    "PersonMerge",
    "PersonName",
    "PersonNameKey",
    "Place",
    "Provision",
    "RecoveryCode",
    "Remedy",
    "SearchToken",
    "SecondFactorReset",
    "SetupMarker",
    "ReportDraft",
    "ReportDraftVersion",
    "Source",
    "StatusChange",
    "TargetBody",
    "UPRRecommendation",
    "User",
    "UserSession",
    "db",
]
