"""The audit trail as a hash chain: editing, removing or inserting an entry breaks a link.

Every entry's hash is SHA-256 over the previous entry's hash and a canonical form of the
entry (sequence number, time, actor, action, object, case, client address, details). The
single ``audit_chain_head`` row holds the last link; appending locks it (``SELECT ... FOR
UPDATE`` on PostgreSQL, a write that takes SQLite's database lock first), so concurrent
writers append one after the other and never fork the chain.

Anyone who can write to the database *and* recompute hashes can rewrite the whole chain:
``verify`` accepts anchors (a sequence number and hash noted outside the database earlier,
as ``audit verify`` prints them) to catch that too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from casework.audit.models import READ_ACTIONS, AuditChainHead, AuditEntry

GENESIS = "0" * 64
HEAD_ID = 1
_head = AuditChainHead.__table__
_entries = AuditEntry.__table__


def canonical(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str | None,
    case_id: int | None,
    client_addr: str | None,
    details: Any,
) -> bytes:
    """The bytes an entry's hash covers (stable across databases and Python versions)."""
    payload = {
        "seq": seq,
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "case_id": case_id,
        "client_addr": client_addr,
        "details": details,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + content).hexdigest()


def entry_content(entry: Any) -> bytes:
    """``canonical`` of an AuditEntry or of a row with the same columns."""
    return canonical(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        case_id=entry.case_id,
        client_addr=entry.client_addr,
        details=entry.details,
    )


def _json_roundtrip(details: Any) -> Any:
    # Hash exactly what the database gives back (tuples become lists, and so on).
    return None if details is None else json.loads(json.dumps(details, ensure_ascii=False))


def _lock_head(session: Session) -> tuple[int, str]:
    """Lock the chain head for this transaction; its (seq, hash), created if missing."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # A write that reads the head back: SQLite then holds its write lock until commit, so
        # no other writer can read the same head in between (a plain SELECT takes no lock).
        row = connection.execute(
            update(_head)
            .where(_head.c.id == HEAD_ID)
            .values(seq=_head.c.seq)
            .returning(_head.c.seq, _head.c.entry_hash)
        ).first()
    else:
        row = connection.execute(
            select(_head.c.seq, _head.c.entry_hash).where(_head.c.id == HEAD_ID).with_for_update()
        ).first()
    if row is not None:
        return row.seq, row.entry_hash
    # No head row (a fresh or emptied table): continue from the last entry, if any.
    last = connection.execute(
        select(_entries.c.seq, _entries.c.entry_hash).order_by(_entries.c.seq.desc()).limit(1)
    ).first()
    seq, entry_hash = (last.seq, last.entry_hash) if last else (0, GENESIS)
    connection.execute(insert(_head).values(id=HEAD_ID, seq=seq, entry_hash=entry_hash))
    return seq, entry_hash


def seal(session: Session, entries: list[AuditEntry]) -> None:
    """Give ``entries`` (in order) their place and hashes in the chain, and move the head."""
    seq, prev_hash = _lock_head(session)
    for entry in entries:
        seq += 1
        entry.seq = seq
        if entry.at is None:
            entry.at = datetime.now(UTC)
        entry.details = _json_roundtrip(entry.details)
        entry.prev_hash = prev_hash
        entry.entry_hash = prev_hash = link_hash(prev_hash, entry_content(entry))
    values: dict[str, Any] = {"seq": seq, "entry_hash": prev_hash}
    changes = [e for e in entries if e.action not in READ_ACTIONS]
    if changes:
        values["changed_seq"], values["changed_hash"] = changes[-1].seq, changes[-1].entry_hash
    session.connection().execute(update(_head).where(_head.c.id == HEAD_ID).values(**values))


@event.listens_for(Session, "before_flush")
def _seal_new_entries(session: Session, flush_context: Any, instances: Any) -> None:
    new = [o for o in session.new if isinstance(o, AuditEntry) and o.entry_hash is None]
    if new:
        seal(session, sorted(new, key=lambda e: getattr(e, "creation_order", 0)))


# --- Verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The outcome of a verification: ``broken`` names the first broken link, if any."""

    checked: int
    head_seq: int
    head_hash: str
    broken: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _rows(session: Session, batch: int) -> Iterator[Any]:
    """Every entry by sequence number, from the lowest there is: an entry slipped in below
    the chain's first (0, or negative) is read too, and fails the walk."""
    last: int | None = None
    while True:
        query = select(_entries).order_by(_entries.c.seq).limit(batch)
        if last is not None:
            query = query.where(_entries.c.seq > last)
        rows = session.execute(query).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def _row_content(row: Any) -> bytes:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    return canonical(
        seq=row.seq,
        at=at,
        actor_id=row.actor_id,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        case_id=row.case_id,
        client_addr=row.client_addr,
        details=row.details,
    )


def verify(
    session: Session, *, anchors: Iterable[tuple[int, str]] = (), batch: int = 1000
) -> Verdict:
    """Walk the whole chain; stop at the first broken link and say what is wrong there."""
    expected_anchors = dict(anchors)
    seq, prev_hash, checked = 0, GENESIS, 0
    for row in _rows(session, batch):
        where = f"entry #{row.seq} (id {row.id})"
        if row.seq < 1:
            return Verdict(
                checked,
                seq,
                prev_hash,
                f"{where}: numbered outside the chain (an entry was inserted)",
            )
        if row.seq != seq + 1:
            first, last = seq + 1, row.seq - 1
            gap = f"entry #{first} is" if first == last else f"entries #{first}..#{last} are"
            return Verdict(checked, seq, prev_hash, f"{where}: {gap} missing before it (deleted)")
        if row.prev_hash != prev_hash:
            return Verdict(
                checked,
                seq,
                prev_hash,
                f"{where}: does not follow entry #{seq} (an entry was inserted, removed or replaced before it)",
            )
        if link_hash(prev_hash, _row_content(row)) != row.entry_hash:
            return Verdict(checked, seq, prev_hash, f"{where}: its content was altered")
        if row.seq in expected_anchors and expected_anchors[row.seq] != row.entry_hash:
            return Verdict(
                checked,
                seq,
                prev_hash,
                f"{where}: differs from the anchor noted earlier (the chain was rewritten)",
            )
        seq, prev_hash, checked = row.seq, row.entry_hash, checked + 1
    missing_anchors = sorted(s for s in expected_anchors if s > seq)
    if missing_anchors:
        return Verdict(
            checked,
            seq,
            prev_hash,
            f"entry #{missing_anchors[0]} of an anchor is gone (entries removed from the end)",
        )
    head = session.execute(select(_head.c.seq, _head.c.entry_hash)).first()
    if head is None:
        if checked:
            return Verdict(checked, seq, prev_hash, "the chain head row is missing")
    elif (head.seq, head.entry_hash) != (seq, prev_hash):
        return Verdict(
            checked,
            seq,
            prev_hash,
            f"the chain ends at entry #{seq} but its head names entry #{head.seq}"
            " (entries removed from the end, or added without the head)",
        )
    return Verdict(checked, seq, prev_hash)
