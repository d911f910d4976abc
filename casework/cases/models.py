"""Cases, their teams and people, timeline events, status history and comments."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    func,
    literal_column,
    type_coerce,
)
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from casework.core.blindindex import TOKEN_LEN, token
from casework.core.crypto import Sealed
from casework.core.db import (
    HiddenMixin,
    PublicIdMixin,
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    db,
    utcnow,
)
from casework.core.text import grouping_key
from casework.core.types import PartialDate, PartialDateType, SecretDate, SecretText, VocabType
from casework.core.vocab import (
    ActType,
    AsylumStage,
    Authorisation,
    CaseRole,
    CaseStatus,
    EventType,
    OtherProcedure,
    Situation,
    TeamRole,
    Urgency,
    WantedNotice,
)

REFERENCE_PREFIX = "KZ"
TITLE_MAX_LEN = 200
_DIGITS = re.compile(r"\d+")


def reference_sort_key(reference: str) -> str:
    """``reference`` written so that the order of text is the order of its numbers: each run of
    digits becomes its length (two digits) and its value, so KZ-2011-9999 < KZ-2011-10000 and
    KZ-2012-0499 < KZ-2012-000500 (a reference of another system, kept as it was)."""

    def number(match: re.Match[str]) -> str:
        value = match.group().lstrip("0") or "0"
        return f"{len(value):02d}{value}"

    return _DIGITS.sub(number, reference)


# The blind-index purpose of a case's own reference (``casework.core.blindindex``).
EXTERNAL_REF_PURPOSE = "case.external_ref"


def external_ref_key(external_ref: str | None) -> str | None:
    """The blind-index key of an own reference, compared as an import compares its case keys
    (``grouping_key``: "KZ-17" is "kz–17 "); None for none. Kept with every case's own
    reference (``Case._keep_external_ref_key``) and looked up by an import."""
    grouped = grouping_key(external_ref or "")
    return token(EXTERNAL_REF_PURPOSE, grouped) if grouped else None


def _reference_key_default(context: Any) -> str:
    # Bulk INSERTs (the import) bypass ``Case._keep_reference_key``.
    return reference_sort_key(context.get_current_parameters()["reference"])


class Case(PublicIdMixin, TimestampMixin, VersionedMixin, HiddenMixin, db.Model):
    """A case. Hidden (``HiddenMixin``) means a discarded draft, never deleted."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Human reference such as KZ-2011-0007 (year of the act, sequence within the year), or
    # KZ-XXXX-0007 while the date of the act is unknown.
    reference: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    # What the lists sort by instead of the reference (``reference_sort_key``), kept with it.
    reference_key: Mapped[str] = mapped_column(
        String(48), nullable=False, default=_reference_key_default
    )
    # The year-less reference a case had before its date became known (still findable).
    former_reference: Mapped[str | None] = mapped_column(String(20), index=True)
    # A case recorded twice is closed as a duplicate of the original.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    external_ref: Mapped[str | None] = mapped_column(SecretText)
    # The own reference's blind-index key (``external_ref_key``), kept with it: an import finds
    # the cases a file's case keys name through it, without decrypting any other.
    external_ref_key: Mapped[str | None] = mapped_column(String(TOKEN_LEN))
    # A short non-identifying title ("Extradition of an Uzbek asylum seeker from Almaty").
    title: Mapped[str | None] = mapped_column(SecretText)
    status: Mapped[CaseStatus] = mapped_column(
        VocabType(CaseStatus), nullable=False, default=CaseStatus.DRAFT, index=True
    )
    urgency: Mapped[Urgency] = mapped_column(
        VocabType(Urgency), nullable=False, default=Urgency.ROUTINE, index=True
    )
    restricted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    act_type: Mapped[ActType | None] = mapped_column(VocabType(ActType), index=True)
    act_date: Mapped[PartialDate | None] = mapped_column(PartialDateType, index=True)
    act_date_approximate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Why the date is unknown, or a date as typed that could not be read ("spring 2011").
    act_date_note: Mapped[str | None] = mapped_column(SecretText)
    act_place: Mapped[str | None] = mapped_column(SecretText)
    destination_country: Mapped[str | None] = mapped_column(String(2), index=True)
    current_situation: Mapped[Situation] = mapped_column(
        VocabType(Situation), nullable=False, default=Situation.UNKNOWN
    )
    narrative: Mapped[str | None] = mapped_column(SecretText)
    after_return: Mapped[str | None] = mapped_column(SecretText)
    # Before a UN treaty body: the alleged victim's authorisation for the organisation to act
    # for them (how, by whom, when), or why it cannot be obtained (``authorisation_note``).
    authorisation: Mapped[Authorisation] = mapped_column(
        VocabType(Authorisation), nullable=False, default=Authorisation.NOT_RECORDED
    )
    authorised_by: Mapped[str | None] = mapped_column(SecretText)
    authorised_on: Mapped[date | None] = mapped_column(SecretDate)
    authorisation_note: Mapped[str | None] = mapped_column(SecretText)
    # Whether the same matter went to another procedure of international investigation or
    # settlement, and which body, when and where it stands there (``other_procedures_details``).
    other_procedures: Mapped[OtherProcedure] = mapped_column(
        VocabType(OtherProcedure), nullable=False, default=OtherProcedure.NOT_STATED
    )
    other_procedures_details: Mapped[str | None] = mapped_column(SecretText)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)

    created_by = relationship("User", foreign_keys=[created_by_id])
    hidden_by = relationship("User", foreign_keys="Case.hidden_by_id")
    duplicate_of: Mapped[Case | None] = relationship(
        "Case", remote_side="Case.id", foreign_keys=[duplicate_of_id]
    )
    members: Mapped[list[CaseMember]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    # By case first: many cases' people are read by case from the (case, person) index; by
    # id alone, SQLite walks every case's people in id order to spare a sort.
    people: Mapped[list[CasePerson]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by=lambda: (CasePerson.case_id, CasePerson.id),
    )
    events: Mapped[list[Event]] = relationship(back_populates="case", order_by="Event.date")

    @validates("reference")
    def _keep_reference_key(self, _attribute: str, reference: str) -> str:
        self.reference_key = reference_sort_key(reference)
        return reference

    @validates("external_ref")
    def _keep_external_ref_key(self, _attribute: str, external_ref: Any) -> Any:
        # The sealing events put the sealed value in its place during a flush: not a new one.
        if not isinstance(external_ref, Sealed):
            self.external_ref_key = external_ref_key(external_ref)
        return external_ref

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"


# The case list's sort keys (casework/cases/listing.py) and the indexes that serve them, written
# once so that both are the same SQL. Never NULL (keyset pagination compares them): a missing date
# of the act sorts last either way. Literal SQL, not parameters, so the planner matches the index.
ACT_DATE_DESC_KEY = type_coerce(func.coalesce(Case.act_date, literal_column("''")), String)
ACT_DATE_ASC_KEY = type_coerce(func.coalesce(Case.act_date, literal_column("'9999'")), String)
# Higher is more urgent: the urgency sort is this, then the latest update, all descending, so
# that one index read backwards serves it.
URGENCY_RANK = sql_case(
    (Case.urgency == literal_column("'imminent'"), literal_column("2")),
    (Case.urgency == literal_column("'urgent'"), literal_column("1")),
    else_=literal_column("0"),
)
Index("ix_cases_updated_at_id", Case.updated_at, Case.id)
# A case file lists its duplicates. Partial: nearly every case is nobody's duplicate.
Index(
    "ix_cases_duplicate_of_id",
    Case.duplicate_of_id,
    sqlite_where=Case.duplicate_of_id.is_not(None),
    postgresql_where=Case.duplicate_of_id.is_not(None),
)
# The cases imported with an own reference (a spreadsheet's case key), found by the keys of a
# file's case keys to tell it was imported before. Partial: cases typed in have none.
Index(
    "ix_cases_external_ref_key",
    Case.external_ref_key,
    sqlite_where=Case.external_ref_key.is_not(None),
    postgresql_where=Case.external_ref_key.is_not(None),
)
Index("ix_cases_reference_key_id", Case.reference_key, Case.id)
Index("ix_cases_status_reference_key_id", Case.status, Case.reference_key, Case.id)
Index("ix_cases_act_date_desc_key", ACT_DATE_DESC_KEY, Case.id)
Index("ix_cases_act_date_asc_key", ACT_DATE_ASC_KEY, Case.id)
Index("ix_cases_urgency_rank", URGENCY_RANK, Case.updated_at, Case.id)
# A user's own cases by status, the most recently changed first: the dashboard's drafts panel
# (and the case list's "created by me" filter) read a user's drafts off it, not every case.
Index(
    "ix_cases_created_by_id_status_updated_at_id",
    Case.created_by_id,
    Case.status,
    Case.updated_at,
    Case.id,
)


class CaseMember(db.Model):
    """A user on a case's team: its creator, a team member or the assigned lawyer."""

    __tablename__ = "case_members"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    team_role: Mapped[TeamRole] = mapped_column(VocabType(TeamRole), nullable=False)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="members")
    user = relationship("User", foreign_keys=[user_id])


class CasePerson(HiddenMixin, db.Model):
    """A person in a case, with their role in it."""

    __tablename__ = "case_people"
    __table_args__ = (UniqueConstraint("case_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    role: Mapped[CaseRole] = mapped_column(VocabType(CaseRole), nullable=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="people")
    person = relationship("Person")


class Place(db.Model):
    """A place an event happened, as typed: meant to be a town or region, but what is typed may
    be a street or a house, so it is encrypted like the case's own place of the act. The same
    place typed again (any case, spacing or letter case) is found by its blind-index key."""

    __tablename__ = "places"
    __table_args__ = (UniqueConstraint("name_key", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(SecretText, nullable=False)
    name_key: Mapped[str] = mapped_column(String(64), nullable=False)
    region: Mapped[str | None] = mapped_column(SecretText)
    country: Mapped[str | None] = mapped_column(String(2))


class Agency(db.Model):
    """A perpetrator agency or unit (KNB, migration police...), never an invented individual."""

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("name", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    country: Mapped[str | None] = mapped_column(String(2))


event_agencies = Table(
    "event_agencies",
    db.metadata,
    Column("event_id", Integer, ForeignKey("events.id"), primary_key=True),
    Column("agency_id", Integer, ForeignKey("agencies.id"), primary_key=True),
)

event_sources = Table(
    "event_sources",
    db.metadata,
    Column("event_id", Integer, ForeignKey("events.id"), primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id"), primary_key=True),
)


class Event(PublicIdMixin, TimestampMixin, VersionedMixin, HiddenMixin, db.Model):
    """A dated fact on a case's timeline."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    event_type: Mapped[EventType] = mapped_column(VocabType(EventType), nullable=False)
    date: Mapped[PartialDate | None] = mapped_column(PartialDateType)
    date_approximate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    date_note: Mapped[str | None] = mapped_column(SecretText)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    description: Mapped[str | None] = mapped_column(SecretText)
    # The refoulement vocabulary (meaningful on removal, request and decision events).
    act_type: Mapped[ActType | None] = mapped_column(VocabType(ActType))
    requesting_state: Mapped[str | None] = mapped_column(String(2))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    legal_basis: Mapped[str | None] = mapped_column(SecretText)
    wanted_notice: Mapped[WantedNotice | None] = mapped_column(VocabType(WantedNotice))
    asylum_stage: Mapped[AsylumStage | None] = mapped_column(VocabType(AsylumStage))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="events")
    place = relationship(Place)
    agencies = relationship(Agency, secondary=event_agencies, order_by=Agency.name)
    sources = relationship("Source", secondary=event_sources)
    created_by = relationship("User", foreign_keys=[created_by_id])


# A period's statistics (after return, interim measures) read the events of a few kinds of its
# cases: each (kind, case) pair is looked up here, with the date, without the table. Partial:
# hidden events are never counted (the queries state the same predicate, as SQLite requires).
Index(
    "ix_events_type_case_date",
    Event.event_type,
    Event.case_id,
    Event.date,
    sqlite_where=Event.hidden_at.is_(None),
    postgresql_where=Event.hidden_at.is_(None),
)


class StatusChange(db.Model):
    """One step of the review workflow, with its author and comment."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    from_status: Mapped[CaseStatus | None] = mapped_column(VocabType(CaseStatus))
    to_status: Mapped[CaseStatus] = mapped_column(VocabType(CaseStatus), nullable=False)
    comment: Mapped[str | None] = mapped_column(SecretText)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    author = relationship("User")


class Comment(HiddenMixin, db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    body: Mapped[str] = mapped_column(SecretText, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    author = relationship("User", foreign_keys=[author_id])
