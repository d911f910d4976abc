"""Finding a case by id or reference (access is checked by ``casework.loader.load``)."""

from __future__ import annotations

from sqlalchemy import or_, select

from casework.cases.models import Case
from casework.core.db import db


def get_case(public_id: str) -> Case | None:
    return db.session.scalar(select(Case).where(Case.public_id == public_id))


def get_case_by_reference(reference: str) -> Case | None:
    """The case with this reference, or the one that had it before its date was known."""
    ref = reference.strip().upper()
    if not ref:
        return None
    return db.session.scalar(
        select(Case).where(or_(Case.reference == ref, Case.former_reference == ref)).limit(1)
    )
