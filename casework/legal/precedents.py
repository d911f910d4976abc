"""Decisions a case cites as precedents: which one, and the lawyer's note on why it applies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from casework import permissions
from casework.audit.services import record
from casework.cases.models import Case, reference_sort_key
from casework.core.db import db
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.core.hiding import hide, restore
from casework.core.i18n import gettext as _
from casework.core.requestmemo import per_request_shown
from casework.core.vocab import InstrumentType
from casework.legal.models import CasePrecedent, Instrument

NOTE_MAX_LEN = 10_000


def decisions() -> list[Instrument]:
    """Decisions a case may cite: jurisprudence that is not retired, by code."""
    return list(
        db.session.scalars(
            select(Instrument)
            .where(
                Instrument.instrument_type == InstrumentType.JURISPRUDENCE,
                Instrument.retired.is_(False),
            )
            .order_by(Instrument.code)
        )
    )


@per_request_shown
def case_precedents(case: Case, include_hidden: bool = False) -> list[CasePrecedent]:
    """The decisions the case cites, in the order they were cited."""
    query = (
        select(CasePrecedent)
        .options(joinedload(CasePrecedent.instrument), joinedload(CasePrecedent.created_by))
        .where(CasePrecedent.case_id == case.id)
        .order_by(CasePrecedent.created_at, CasePrecedent.id)
    )
    if not include_hidden:
        query = query.where(CasePrecedent.hidden_at.is_(None))
    return list(db.session.scalars(query))


def get_precedent(case: Case, public_id: str) -> CasePrecedent | None:
    """A precedent of this case (None if it belongs to another case)."""
    return db.session.scalar(
        select(CasePrecedent).where(
            CasePrecedent.public_id == public_id, CasePrecedent.case_id == case.id
        )
    )


def _clean_note(note: str | None) -> str | None:
    text = (note or "").replace("\r\n", "\n").strip() or None
    if text and len(text) > NOTE_MAX_LEN:
        raise ValidationFailed({"note": [_("Use at most %(n)s characters.", n=NOTE_MAX_LEN)]})
    return text


def cite_precedent(
    actor: Any, case: Case, instrument: Instrument | None, note: str | None = None
) -> CasePrecedent:
    """Record that the case cites a decision as a precedent (lawyers on the team, coordinators)."""
    if not permissions.can_cite_precedent(actor, case):
        raise PermissionDenied()
    if (
        instrument is None
        or instrument.instrument_type != InstrumentType.JURISPRUDENCE
        or instrument.retired
    ):
        raise ValidationFailed({"decision": [_("Choose a decision from the catalogue.")]})
    existing = db.session.scalar(
        select(CasePrecedent).where(
            CasePrecedent.case_id == case.id, CasePrecedent.instrument_id == instrument.id
        )
    )
    if existing is not None:
        message = (
            _(
                "%(code)s was cited and then removed; a coordinator can restore it.",
                code=instrument.code,
            )
            if existing.is_hidden
            else _("This case already cites %(code)s.", code=instrument.code)
        )
        raise ValidationFailed({"decision": [message]})
    precedent = CasePrecedent(
        case_id=case.id,
        instrument_id=instrument.id,
        note=_clean_note(note),
        created_by_id=actor.id,
    )
    db.session.add(precedent)
    db.session.flush()
    record(actor, "legal.precedent_cited", precedent, case=case, code=instrument.code)
    return precedent


def hide_precedent(actor: Any, precedent: CasePrecedent, reason: str | None) -> CasePrecedent:
    """Stop citing a decision (the record is hidden, never deleted)."""
    if not permissions.can_cite_precedent(actor, precedent.case):
        raise PermissionDenied()
    hide(
        precedent,
        actor,
        reason,
        case=precedent.case,
        action="legal.precedent_hidden",
        code=precedent.instrument.code,
    )
    return precedent


def restore_precedent(actor: Any, precedent: CasePrecedent) -> CasePrecedent:
    """Bring a removed precedent back (coordinators)."""
    if not permissions.can_restore(actor, precedent.case):
        raise PermissionDenied()
    restore(
        precedent,
        actor,
        case=precedent.case,
        action="legal.precedent_restored",
        code=precedent.instrument.code,
    )
    return precedent


@dataclass(frozen=True)
class PrecedentCitation:
    """A visible case citing a decision: its reference only, never names."""

    case_public_id: str
    reference: str


CITING_SHOWN = 100


def citing_cases(
    user: Any, instrument: Instrument, limit: int = CITING_SHOWN
) -> tuple[list[PrecedentCitation], bool]:
    """The cases ``user`` may see that cite ``instrument`` as a precedent: the ``limit`` most
    recently cited, by reference, and whether there are more (a landmark decision may be cited
    by thousands of cases)."""
    rows = db.session.execute(
        select(Case.public_id, Case.reference)
        .join(CasePrecedent, CasePrecedent.case_id == Case.id)
        .where(
            CasePrecedent.instrument_id == instrument.id,
            CasePrecedent.hidden_at.is_(None),
            permissions.readable_cases_clause(user),
        )
        .order_by(CasePrecedent.instrument_id, CasePrecedent.id.desc())
        .limit(limit + 1)
    ).all()
    shown = sorted(rows[:limit], key=lambda row: reference_sort_key(row.reference))
    return [PrecedentCitation(*row) for row in shown], len(rows) > limit
