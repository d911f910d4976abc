"""Every model, imported once so that the metadata (and Alembic) sees all tables."""

from casework.accounts.models import User
from casework.advocacy.models import AdvocacyAction, TargetBody, UPRRecommendation
from casework.api.models import ApiToken, IdempotencyKey
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

__all__ = [
    "AdvocacyAction",
    "Agency",
    "ApiToken",
    "AuditEntry",
    "Case",
    "CaseMember",
    "CasePerson",
    "CaseProvision",
    "Comment",
    "Document",
    "Event",
    "FamilyLink",
    "IdempotencyKey",
    "Instrument",
    "Person",
    "PersonName",
    "Place",
    "Provision",
    "Remedy",
    "Source",
    "StatusChange",
    "TargetBody",
    "UPRRecommendation",
    "User",
    "db",
]
