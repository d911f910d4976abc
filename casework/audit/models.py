"""The audit trail: who did what to which record, and when, as a hash chain."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.core.db import UTCDateTime, db, utcnow

_creation_order = itertools.count()


class AuditEntry(db.Model):
    """One audited action. ``details`` never holds identifying values, only field names.

    ``seq`` numbers the entries without gaps; ``entry_hash`` covers the entry's content and
    ``prev_hash`` (the previous entry's hash), so editing, removing or inserting a row breaks
    the chain (see ``casework.audit.chain``). Both are set when the entry is flushed.
    """

    __tablename__ = "audit_entries"
    # The trail grows with every view: a case's history and an object's history are read off
    # their own index in order, never by walking the whole trail by date.
    __table_args__ = (
        Index("ix_audit_entries_case_at", "case_id", "at", "id"),
        Index("ix_audit_entries_object_at", "object_type", "object_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    object_type: Mapped[str] = mapped_column(String(40), nullable=False)
    object_id: Mapped[str | None] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    client_addr: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)

    actor = relationship("User")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Entries added in one flush are chained in the order they were created.
        self.creation_order = next(_creation_order)


class AuditChainHead(db.Model):
    """The single row holding the chain's last link; appending locks it (one writer at a time).

    It also shows when entries were removed from the end of the chain.
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # The last entry recording a change (not a read), and its hash: they name the state of the
    # data, so what is computed from the data is valid while they stay the same
    # (casework.audit.services.data_version). The hash tells two histories apart that reach the
    # same number (a restore from a backup, then other changes).
    changed_seq: Mapped[int | None] = mapped_column(Integer)
    changed_hash: Mapped[str | None] = mapped_column(String(64))


# Entries that record a read, not a change: they do not move ``AuditChainHead.changed_seq``.
READ_ACTIONS = (
    "case.viewed",
    "case.printed",
    "document.downloaded",
    "case.name_search",
    "search.run",
    "output.generated",
)
