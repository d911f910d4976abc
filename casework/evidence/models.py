"""Sources (who told us, how reliable) and documents (attachments with SHA-256)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.core.db import (
    HiddenMixin,
    PublicIdMixin,
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    db,
    utcnow,
)
from casework.core.types import SecretText, VocabType
from casework.core.vocab import Credibility, Reliability, SourceKind


class Source(PublicIdMixin, TimestampMixin, VersionedMixin, HiddenMixin, db.Model):
    """Who reported what, how they know it, and how far to trust it (Admiralty scale)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    kind: Mapped[SourceKind] = mapped_column(VocabType(SourceKind), nullable=False)
    # Who the source is. Protected identity: shown only to the case team.
    identity: Mapped[str | None] = mapped_column(SecretText)
    identity_protected: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    how_they_know: Mapped[str | None] = mapped_column(SecretText)
    reliability: Mapped[Reliability] = mapped_column(
        VocabType(Reliability), nullable=False, default=Reliability.F
    )
    credibility: Mapped[Credibility] = mapped_column(
        VocabType(Credibility), nullable=False, default=Credibility.C6
    )
    notes: Mapped[str | None] = mapped_column(SecretText)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by = relationship("User", foreign_keys=[created_by_id])


# The cases an advocacy action had when a document was attached to it: the document may concern
# any of them, and stays behind the right to read every one of them once unlinked from the action.
document_cases = Table(
    "document_cases",
    db.metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
)


class Document(PublicIdMixin, HiddenMixin, db.Model):
    """An uploaded file, stored outside static/ under a random name, with its SHA-256."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("advocacy_actions.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    # The original file name can identify someone ("passport_ivanov.pdf").
    original_name: Mapped[str] = mapped_column(SecretText, nullable=False)
    storage_name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(SecretText)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    # Found at upload: the file records where it was taken (a photo's GPS coordinates), and
    # must be cleaned before it leaves the organisation. None: stored before this was kept.
    records_location: Mapped[bool | None] = mapped_column(Boolean)
    # The place could not be ruled out, rather than found (a video's GPS track among its media
    # data, a compressed movie box): ``records_location`` is set too, as the file is cleaned
    # alike. False: found, or none; None: stored before this was kept.
    location_unsure: Mapped[bool | None] = mapped_column(Boolean)

    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])
