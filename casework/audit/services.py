"""Writing and reading the audit trail."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import Select, select, text, true
from sqlalchemy.orm import Session, joinedload

from casework import permissions
from casework.accounts.models import User
from casework.audit import chain  # noqa: F401  (installs the hook that chains new entries)
from casework.audit.chain import HEAD_ID
from casework.audit.models import READ_ACTIONS, AuditChainHead, AuditEntry
from casework.core import keyset
from casework.core.db import db, distinct_values, utcnow
from casework.core.requestmemo import per_request
from casework.core.types import PartialDate

# Conventional actions for events outside the services' own changes. Call ``record`` with them:
#   auth.login, auth.login_failed, auth.logout            sign-in and sign-out
#   auth.2fa_enrolled, auth.2fa_failed, auth.2fa_reset... second factor events
#   access.refused (status=403 or 404)                    a refusal on an existing object
#   <area>.exported, document.downloaded                  data leaving the system
#   case.viewed, case.printed, person.viewed...           reads of identifying data
ACCESS_REFUSED = "access.refused"

log = logging.getLogger(__name__)


def _client_addr() -> str | None:
    # The proxy-corrected address when CASEWORK_TRUSTED_PROXIES sets up ProxyFix.
    return request.remote_addr if has_request_context() else None


def record(
    actor: Any,
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    case: Any = None,
    durable: bool = False,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry to the session (committed with the change it describes).

    Who (``actor``, may be None), when (now, UTC), what (``action`` on ``obj`` or
    ``object_type``/``object_id``, within ``case``) and the client's address are recorded; the
    entry is chained to the previous one when it is flushed.

    ``durable=True`` writes and commits the entry at once in its own transaction, so it
    survives a rollback of the request (a refusal, say). Use it only while the request's own
    transaction has written nothing (for example after its rollback, in an error handler):
    the append waits for the chain lock held by a transaction with pending audit entries.

    ``details`` must never carry identifying values: field names, codes and statuses only.
    """
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.id)
    entry = AuditEntry(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "system",
        object_id=object_id,
        case_id=getattr(case, "id", None),
        client_addr=_client_addr(),
        details=details or None,
    )
    # A copy in the application log, which can be shipped off the server as it is written.
    log.info(
        "audit %s actor=%s object=%s:%s case=%s addr=%s",
        action,
        entry.actor_id,
        entry.object_type,
        entry.object_id,
        entry.case_id,
        entry.client_addr,
    )
    if durable:
        with Session(db.engine, expire_on_commit=False) as own:
            if own.get_bind().dialect.name == "postgresql":
                # Waiting on a chain lock this very request holds would never end: fail instead.
                own.execute(text("SET LOCAL lock_timeout = '10s'"))
            own.add(entry)
            own.commit()
        return entry
    db.session.add(entry)
    return entry


# Audited reads: they belong in the audit trail, not in a case's "who changed what".
@per_request
def data_version() -> str:
    """The last change recorded in the audit trail: its number and hash ("0:" before any).

    Every change is audited in its own transaction, so a result computed from the data stays
    valid while this stays the same (the statistics' cache keys on it). Read once per request
    until the request writes.
    """
    row = db.session.execute(
        select(AuditChainHead.changed_seq, AuditChainHead.changed_hash).where(
            AuditChainHead.id == HEAD_ID
        )
    ).first()
    return f"{row.changed_seq or 0}:{row.changed_hash or ''}" if row else "0:"


# The trail's order, newest first: keyset pages (``core.keyset``) walk its index on ``at``.
TRAIL_KEYS: list[keyset.Key] = [(AuditEntry.at, True), (AuditEntry.id, True)]
TRAIL_CURSOR_SALT = "audit-trail-cursor"


def _entries_query(
    *,
    case_id: int | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    object_type: str | None = None,
    since: date | None = None,
    until: date | None = None,
    changes_only: bool = False,
) -> Select:
    query = select(AuditEntry).options(joinedload(AuditEntry.actor))
    if changes_only:
        query = query.where(AuditEntry.action.not_in(READ_ACTIONS))
    if case_id is not None:
        query = query.where(AuditEntry.case_id == case_id)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if since is not None:
        query = query.where(AuditEntry.at >= datetime.combine(since, time.min, UTC))
    if until is not None:
        query = query.where(
            AuditEntry.at < datetime.combine(until + timedelta(days=1), time.min, UTC)
        )
    return query


def entries(*, limit: int = 100, **filters: Any) -> list[AuditEntry]:
    """The newest ``limit`` entries, optionally for one case, actor, action or object type, and
    between two days (UTC, both included); ``changes_only`` leaves out the reads."""
    query = _entries_query(**filters).order_by(*keyset.order_by(TRAIL_KEYS)).limit(limit)
    return list(db.session.scalars(query))


@dataclass
class TrailPage:
    """One page of the audit trail, with the cursors of the pages around it."""

    entries: list[AuditEntry]
    prev_cursor: str | None
    next_cursor: str | None
    notice: str | None = None  # why the trail started again from the newest entries


def trail_page(cursor: str = "", *, size: int, **filters: Any) -> TrailPage:
    """A page of the trail (filtered as ``entries``) after or before the cursor's entry: a
    deep page costs what the first does (an unusable cursor starts from the newest, with a
    notice). The caller checks that the user may read the trail."""

    def fetch(at: str) -> tuple[list[AuditEntry], str | None, str | None]:
        return keyset.page(
            _entries_query(**filters),
            id_column=AuditEntry.id,
            keys=TRAIL_KEYS,
            sort="new",
            cursor=at,
            secret=current_app.config["SECRET_KEY"],
            salt=TRAIL_CURSOR_SALT,
            size=size,
            visible=true(),
        )

    (rows, prev_cursor, next_cursor), notice = keyset.or_from_top(fetch, cursor)
    return TrailPage(rows, prev_cursor, next_cursor, notice)


# The filters' choices read the trail's indexes value by value (``distinct_values``): the trail
# holds an entry for every view, and a DISTINCT over it would read them all on every page.


def actions() -> list[str]:
    """Every action name in the trail, for the filter's choices."""
    return distinct_values(AuditEntry.action)


def actors() -> list[User]:
    """The users who appear in the trail, by name, for the filter's choices."""
    query = select(User).where(User.id.in_(distinct_values(AuditEntry.actor_id)))
    return list(db.session.scalars(query.order_by(User.display_name, User.id)))


def accounts_named(entries: list[AuditEntry]) -> dict[str, User]:
    """The accounts that ``entries`` are about (object type ``users``), by public id: an account
    action names the account, which an administrator manages anyway, not only its opaque id."""
    ids = {e.object_id for e in entries if e.object_type == "users" and e.object_id}
    if not ids:
        return {}
    return {u.public_id: u for u in db.session.scalars(select(User).where(User.public_id.in_(ids)))}


def actor_by_public_id(public_id: str) -> User | None:
    return db.session.scalar(select(User).where(User.public_id == public_id))


def object_types() -> list[str]:
    """Every kind of object in the trail, for the filter's choices."""
    return distinct_values(AuditEntry.object_type)


def changed_fields(obj: Any, values: dict[str, Any]) -> list[str]:
    """Names of the attributes of ``obj`` whose value differs from ``values``."""
    return sorted(k for k, v in values.items() if getattr(obj, k) != v)


# Text columns holding codes, whose values may be shown before and after in the history.
_CODE_FIELDS = frozenset(
    {"destination_country", "requesting_state", "nationality", "state_under_review", "code"}
)


def _audit_value(value: Any) -> Any:
    """A value as it may sit in the audit trail's details (codes and dates), else ``...``."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return ...


def before_after(obj: Any, values: dict[str, Any], fields: list[str]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the changed fields whose values are not identifying:
    codes, statuses, flags and dates of the table's non-identifying columns. An identifying
    field (``permissions.IDENTIFYING_FIELDS``) or any free text is left out: the history then
    says only that it changed."""
    table = getattr(obj, "__tablename__", "")
    identifying = permissions.IDENTIFYING_FIELDS.get(table, frozenset())
    codes = permissions.NOT_IDENTIFYING.get(table, frozenset()) | _CODE_FIELDS
    out: dict[str, list[Any]] = {}
    for name in fields:
        if name in identifying:
            continue
        before, after = getattr(obj, name), values[name]
        pair = [_audit_value(before), _audit_value(after)]
        if ... in pair:
            continue
        free_text = any(isinstance(v, str) and not isinstance(v, Enum) for v in (before, after))
        if free_text and name not in codes:
            continue  # free text: never copied into the trail
        out[name] = pair
    return out


def apply_changes(
    actor: Any, obj: Any, values: dict[str, Any], action: str, *, case: Any = None, **details: Any
) -> list[str]:
    """Set the attributes of ``obj`` that differ from ``values``; audit the changed field names,
    with their values before and after where those are not identifying (``before_after``)."""
    changed = changed_fields(obj, values)
    changes = before_after(obj, values, changed)
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        if changes:
            details["changes"] = changes
        record(actor, action, obj, case=case, fields=changed, **details)
    return changed
