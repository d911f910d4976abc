"""Reports: the organisation profile, reviews of free text per output, and editable drafts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.core.db import PublicIdMixin, TimestampMixin, UTCDateTime, VersionedMixin, db, utcnow
from casework.core.types import SecretText

# Words allowed in a UPR stakeholder submission (OHCHR technical guidelines), by kind.
UPR_WORD_LIMIT_INDIVIDUAL = 2815
UPR_WORD_LIMIT_JOINT = 5630


class OrganisationProfile(VersionedMixin, db.Model):
    """The organisation described at the top of every document (one row)."""

    __tablename__ = "organisation_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    founded: Mapped[int | None] = mapped_column(Integer)
    activities: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OutputReview(db.Model):
    """A person read a case's free text for one kind of output and let it leave.

    Valid while the case and its events are unchanged since ``reviewed_at``.
    """

    __tablename__ = "output_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    output: Mapped[str] = mapped_column(String(30), nullable=False)
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    reviewed_by = relationship("User")


class ReportDraft(PublicIdMixin, TimestampMixin, VersionedMixin, db.Model):
    """A generated document (a UPR submission) that a coordinator edits before export."""

    __tablename__ = "report_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False, default="upr")
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    period_from: Mapped[date] = mapped_column(Date, nullable=False)
    period_to: Mapped[date] = mapped_column(Date, nullable=False)
    joint: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The organisations a joint submission is made with, and the text: encrypted at rest (a
    # partner's name, a named person, whatever a coordinator typed).
    co_authors: Mapped[str | None] = mapped_column(SecretText)
    word_limit: Mapped[int] = mapped_column(Integer, nullable=False)
    body: Mapped[str] = mapped_column(SecretText, nullable=False, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    # Whether the cases its text was generated from are recorded (``report_draft_cases``):
    # drafts made before they were stay their creator's alone.
    cases_recorded: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    versions: Mapped[list[ReportDraftVersion]] = relationship(
        back_populates="draft", order_by="ReportDraftVersion.number.desc()"
    )


# The cases a draft's text was generated from: who may read every one of them may read it.
report_draft_cases = Table(
    "report_draft_cases",
    db.metadata,
    Column("draft_id", ForeignKey("report_drafts.id"), primary_key=True),
    Column("case_id", ForeignKey("cases.id"), primary_key=True, index=True),
)


class ReportDraftVersion(db.Model):
    """One saved text of a draft: nothing a coordinator wrote is lost."""

    __tablename__ = "report_draft_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(
        ForeignKey("report_drafts.id"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    body: Mapped[str] = mapped_column(SecretText, nullable=False)
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    draft: Mapped[ReportDraft] = relationship(back_populates="versions")
    saved_by = relationship("User")
