"""Writing and reading the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from casework.audit.models import AuditEntry
from casework.core.db import db


def record(
    actor: Any,
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    case: Any = None,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry to the session (committed with the change it describes).

    ``details`` must never carry identifying values: field names, codes and statuses only.
    """
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.id)
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "system",
        object_id=object_id,
        case_id=getattr(case, "id", None),
        details=details or None,
    )
    db.session.add(entry)
    return entry


# Audited reads: they belong in the audit trail, not in a case's "who changed what".
READ_ACTIONS = (
    "case.viewed",
    "case.printed",
    "document.downloaded",
    "case.name_search",
    "output.generated",
)


def entries(
    *,
    case_id: int | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    changes_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEntry]:
    """The newest entries first, optionally for one case, actor or action."""
    query = select(AuditEntry).options(joinedload(AuditEntry.actor))
    if changes_only:
        query = query.where(AuditEntry.action.not_in(READ_ACTIONS))
    if case_id is not None:
        query = query.where(AuditEntry.case_id == case_id)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if action:
        query = query.where(AuditEntry.action == action)
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    return list(db.session.scalars(query))


def changed_fields(obj: Any, values: dict[str, Any]) -> list[str]:
    """Names of the attributes of ``obj`` whose value differs from ``values``."""
    return sorted(k for k, v in values.items() if getattr(obj, k) != v)


def apply_changes(
    actor: Any, obj: Any, values: dict[str, Any], action: str, *, case: Any = None, **details: Any
) -> list[str]:
    """Set the attributes of ``obj`` that differ from ``values``; audit the changed field names."""
    changed = changed_fields(obj, values)
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        record(actor, action, obj, case=case, fields=changed, **details)
    return changed
