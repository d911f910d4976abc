"""The legal-grounds catalogue, case-provision links and domestic remedies."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.core.db import (
    HiddenMixin,
    PublicIdMixin,
    TimestampMixin,
    VersionedMixin,
    db,
)
from casework.core.i18n import local_text
from casework.core.types import PartialDate, PartialDateType, SecretText, VocabType
from casework.core.vocab import (
    Assessment,
    FollowUpStatus,
    InstrumentType,
    InterimMeasures,
    LinkState,
    NormDirection,
    RemedyKind,
    RemedyOutcome,
    ViolationStatus,
)

CODE_MAX_LEN = 40


# The catalogue's code of the Convention against Torture: the Committee examines its articles only.
CONVENTION_AGAINST_TORTURE = "CAT"
# The Covenant's code: the Human Rights Committee examines its articles only.
CIVIL_AND_POLITICAL_COVENANT = "ICCPR"


class Instrument(TimestampMixin, VersionedMixin, db.Model):
    """A treaty, agreement, law, soft-law text or decision. Its code never changes."""

    __tablename__ = "instruments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_MAX_LEN), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    # The title on Russian pages (documents for UN bodies keep ``title``); empty: the English.
    title_ru: Mapped[str | None] = mapped_column(String(300))
    instrument_type: Mapped[InstrumentType] = mapped_column(
        VocabType(InstrumentType), nullable=False
    )
    direction: Mapped[NormDirection] = mapped_column(VocabType(NormDirection), nullable=False)
    adopted_on: Mapped[str | None] = mapped_column(String(40))
    kz_status: Mapped[str | None] = mapped_column(String(300))
    # The note on Russian pages; empty: the English.
    kz_status_ru: Mapped[str | None] = mapped_column(String(300))
    kz_date: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str | None] = mapped_column(Text)
    # The summary on Russian pages (documents for UN bodies keep ``summary``); empty: the English.
    summary_ru: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    retired: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # A decision (jurisprudence): what the author invoked apart from what the body found.
    articles_invoked: Mapped[str | None] = mapped_column(String(200))
    articles_found: Mapped[str | None] = mapped_column(String(200))
    interim_measures: Mapped[InterimMeasures | None] = mapped_column(VocabType(InterimMeasures))
    follow_up_status: Mapped[FollowUpStatus | None] = mapped_column(VocabType(FollowUpStatus))
    # The values the seed last wrote: tells a lawyer's edit from an outdated seeded entry.
    seeded_values: Mapped[dict | None] = mapped_column(JSON)

    provisions: Mapped[list[Provision]] = relationship(
        back_populates="instrument", order_by="Provision.position"
    )

    @property
    def local_title(self) -> str:
        """The title in the reader's language (``title_ru`` on a Russian page, when set)."""
        return local_text(self.title, self.title_ru)

    @property
    def local_summary(self) -> str | None:
        """The summary in the reader's language (``summary_ru`` on a Russian page, when set)."""
        return local_text(self.summary, self.summary_ru)

    @property
    def local_kz_status(self) -> str | None:
        """Kazakhstan's status in the reader's language (``kz_status_ru`` on a Russian page)."""
        return local_text(self.kz_status, self.kz_status_ru)


class Provision(TimestampMixin, VersionedMixin, db.Model):
    """A citable provision (``CAT:3``); an instrument cited as a whole has one with its own code."""

    __tablename__ = "provisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instruments.id"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(CODE_MAX_LEN), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    title_ru: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    summary_ru: Mapped[str | None] = mapped_column(Text)
    needs_verification: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    position: Mapped[int] = mapped_column(nullable=False, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    seeded_values: Mapped[dict | None] = mapped_column(JSON)

    instrument: Mapped[Instrument] = relationship(back_populates="provisions")

    @property
    def direction(self) -> NormDirection:
        return self.instrument.direction

    @property
    def local_title(self) -> str:
        """The title in the reader's language (``title_ru`` on a Russian page, when set)."""
        return local_text(self.title, self.title_ru)

    @property
    def local_summary(self) -> str | None:
        """The summary in the reader's language (``summary_ru`` on a Russian page, when set)."""
        return local_text(self.summary, self.summary_ru)


case_provision_sources = Table(
    "case_provision_sources",
    db.metadata,
    Column("case_provision_id", Integer, ForeignKey("case_provisions.id"), primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id"), primary_key=True),
)


class CaseProvision(PublicIdMixin, TimestampMixin, VersionedMixin, HiddenMixin, db.Model):
    """A provision linked to a case, with the lawyer's assessment and analysis."""

    __tablename__ = "case_provisions"
    __table_args__ = (
        UniqueConstraint("case_id", "provision_id", "assessment"),
        # A provision's page lists its newest citations first without sorting them all.
        Index("ix_case_provisions_provision_id_id", "provision_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    provision_id: Mapped[int] = mapped_column(
        ForeignKey("provisions.id"), nullable=False, index=True
    )
    assessment: Mapped[Assessment] = mapped_column(VocabType(Assessment), nullable=False)
    violation_status: Mapped[ViolationStatus] = mapped_column(
        VocabType(ViolationStatus), nullable=False, default=ViolationStatus.UNKNOWN
    )
    state: Mapped[LinkState] = mapped_column(
        VocabType(LinkState), nullable=False, default=LinkState.ASSESSED
    )
    analysis: Mapped[str | None] = mapped_column(SecretText)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case = relationship("Case")
    provision: Mapped[Provision] = relationship()
    sources = relationship("Source", secondary=case_provision_sources)
    created_by = relationship("User", foreign_keys=[created_by_id])


class CasePrecedent(PublicIdMixin, TimestampMixin, VersionedMixin, HiddenMixin, db.Model):
    """A decision (a jurisprudence instrument) a case cites as a precedent, and why."""

    __tablename__ = "case_precedents"
    __table_args__ = (
        UniqueConstraint("case_id", "instrument_id"),
        # A decision's page lists the newest citations first without sorting them all.
        Index("ix_case_precedents_instrument_id_id", "instrument_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instruments.id"), nullable=False, index=True
    )
    note: Mapped[str | None] = mapped_column(SecretText)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case = relationship("Case")
    instrument: Mapped[Instrument] = relationship()
    created_by = relationship("User", foreign_keys=[created_by_id])


class Remedy(PublicIdMixin, TimestampMixin, VersionedMixin, HiddenMixin, db.Model):
    """One domestic proceeding (asylum claim, appeal, extradition decision, cassation...)."""

    __tablename__ = "remedies"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    kind: Mapped[RemedyKind] = mapped_column(VocabType(RemedyKind), nullable=False)
    body: Mapped[str | None] = mapped_column(SecretText)
    # Partial dates as on the timeline: a monitor may know only "rejected in August 2010" or
    # "filed c. 2009" (a year, a month or a day; the flag prints "c. ").
    filed_on: Mapped[PartialDate | None] = mapped_column(PartialDateType)
    filed_on_approximate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    decided_on: Mapped[PartialDate | None] = mapped_column(PartialDateType)
    decided_on_approximate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    outcome: Mapped[RemedyOutcome] = mapped_column(
        VocabType(RemedyOutcome), nullable=False, default=RemedyOutcome.PENDING
    )
    # A deadline is a day: never partial.
    appeal_deadline: Mapped[date | None] = mapped_column(Date, index=True)
    exhausted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # UN complaints need remedies exhausted or shown to be ineffective: why this one is not
    # effective (no suspensive effect, not available in practice), when counsel argues it.
    ineffective_because: Mapped[str | None] = mapped_column(SecretText)
    notes: Mapped[str | None] = mapped_column(SecretText)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case = relationship("Case")
