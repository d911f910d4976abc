"""Hiding instead of deleting: who, when and why; restoring by a coordinator."""

from __future__ import annotations

from typing import Any

from casework.audit.services import record
from casework.core.db import db, utcnow
from casework.core.errors import ValidationFailed
from casework.core.i18n import gettext as _

REASON_MAX_LEN = 500


def hide(
    record_obj: Any,
    actor: Any,
    reason: str | None,
    *,
    case: Any = None,
    action: str = "record.hidden",
    **details: Any,
) -> None:
    """Hide ``record_obj`` (a HiddenMixin row) with a required reason; audited as ``action``."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed({"reason": [_("Say why this is being removed.")]})
    if len(reason) > REASON_MAX_LEN:
        raise ValidationFailed(
            {
                "reason": [
                    _(
                        "Keep this under %(max)s characters (it has %(n)s).",
                        max=REASON_MAX_LEN,
                        n=len(reason),
                    )
                ]
            }
        )
    if record_obj.hidden_at is not None:
        return
    record_obj.hidden_at = utcnow()
    record_obj.hidden_by_id = actor.id
    record_obj.hidden_reason = reason
    db.session.flush()
    record(actor, action, record_obj, case=case, **details)


def refuse_if_hidden(record_obj: Any, message: str) -> None:
    """A removed record is not changed: whoever may restores it first, then edits it."""
    if record_obj is not None and record_obj.hidden_at is not None:
        raise ValidationFailed(message)


def restore(
    record_obj: Any,
    actor: Any,
    *,
    case: Any = None,
    action: str = "record.restored",
    **details: Any,
) -> None:
    """Bring a hidden record back (the hiding stays in the audit trail)."""
    if record_obj.hidden_at is None:
        return
    record_obj.hidden_at = None
    record_obj.hidden_by_id = None
    record_obj.hidden_reason = None
    db.session.flush()
    record(actor, action, record_obj, case=case, **details)
