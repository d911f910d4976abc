"""People: the persons at risk, their relatives and witnesses, with names in several scripts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, UniqueConstraint, func
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
from casework.core.i18n import N_, translate
from casework.core.types import PartialDate, PartialDateType, SecretText, VocabType
from casework.core.vocab import (
    ConsentLevel,
    FamilyRelation,
    Gender,
    GovernmentContact,
    LegalStatus,
    NameKind,
    Script,
)

NAME_MAX_LEN = 200
# What stands for the name of a record with none to show (its names all removed, or moved by a
# merge): in the language of where it is shown, English in a document for a UN body.
NO_NAME = N_("(no name)")


class Person(PublicIdMixin, TimestampMixin, VersionedMixin, HiddenMixin, db.Model):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    gender: Mapped[Gender] = mapped_column(
        VocabType(Gender), nullable=False, default=Gender.UNKNOWN
    )
    birth_date: Mapped[PartialDate | None] = mapped_column(PartialDateType)
    birth_date_approximate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    nationality: Mapped[str | None] = mapped_column(String(2))  # ISO 3166 alpha-2
    ethnicity: Mapped[str | None] = mapped_column(String(80))
    legal_status: Mapped[LegalStatus] = mapped_column(
        VocabType(LegalStatus), nullable=False, default=LegalStatus.UNKNOWN
    )
    unhcr_number: Mapped[str | None] = mapped_column(SecretText)
    contacts: Mapped[str | None] = mapped_column(SecretText)
    address: Mapped[str | None] = mapped_column(SecretText)
    notes: Mapped[str | None] = mapped_column(SecretText)
    consent: Mapped[ConsentLevel] = mapped_column(
        VocabType(ConsentLevel), nullable=False, default=ConsentLevel.NONE
    )
    consent_date: Mapped[date | None] = mapped_column(Date)
    consent_obtained_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # May a UN body contact the government about this person (Special Procedures ask)?
    government_contact: Mapped[GovernmentContact] = mapped_column(
        VocabType(GovernmentContact), nullable=False, default=GovernmentContact.NOT_ASKED
    )
    # Relatives in the country of origin are at risk: no output may carry what points to them.
    family_at_risk: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The stable name this person has in every anonymised output (assigned on first use).
    pseudonym: Mapped[str | None] = mapped_column(String(24), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set while this person is merged into another (hidden meanwhile; an unmerge clears it).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    names: Mapped[list[PersonName]] = relationship(
        back_populates="person",
        order_by="PersonName.position",
        cascade="all, delete-orphan",
    )
    consent_obtained_by = relationship("User", foreign_keys=[consent_obtained_by_id])

    @property
    def primary_name(self) -> str:
        visible = [n for n in self.names if not n.is_hidden]
        return visible[0].name if visible else translate(NO_NAME)

    def __repr__(self) -> str:  # never the name: reprs end up in logs
        return f"<Person {self.public_id}>"


# The case list's filters by nationality and ethnicity (casework/cases/listing.py) use these.
Index("ix_people_nationality", Person.nationality)
Index("ix_people_ethnicity_lower", func.lower(Person.ethnicity))


class PersonName(HiddenMixin, db.Model):
    """One name of a person, in one script: as given, an alias, or a transliteration."""

    __tablename__ = "person_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(SecretText, nullable=False)
    script: Mapped[Script] = mapped_column(VocabType(Script), nullable=False)
    kind: Mapped[NameKind] = mapped_column(VocabType(NameKind), nullable=False)
    position: Mapped[int] = mapped_column(nullable=False, default=0)

    person: Mapped[Person] = relationship(back_populates="names")

    def __repr__(self) -> str:
        return f"<PersonName {self.id} {self.script}>"


class FamilyLink(HiddenMixin, db.Model):
    """``person`` is the ``relation`` of ``relative`` (e.g. person is the spouse of relative)."""

    __tablename__ = "family_links"
    __table_args__ = (UniqueConstraint("person_id", "relative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    relative_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    relation: Mapped[FamilyRelation] = mapped_column(VocabType(FamilyRelation), nullable=False)
    note: Mapped[str | None] = mapped_column(SecretText)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    relative: Mapped[Person] = relationship(foreign_keys=[relative_id])


class PersonNameKey(db.Model):
    """A matching key of one visible name, as a blind-index token (never the name itself)."""

    __tablename__ = "person_name_keys"
    # A lookup reads (token, person) from the index alone: a common name's thousands of keys
    # are ranked without touching the table.
    __table_args__ = (Index("ix_person_name_keys_token_person_id", "token", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    name_id: Mapped[int] = mapped_column(ForeignKey("person_names.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    token: Mapped[str] = mapped_column(String(32), nullable=False)


class PersonMerge(PublicIdMixin, db.Model):
    """Two people merged into one; ``moved`` lists what was moved so an unmerge can undo it."""

    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    moved: Mapped[dict] = mapped_column(JSON, nullable=False)
    merged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    survivor: Mapped[Person] = relationship(foreign_keys=[survivor_id])
    merged: Mapped[Person] = relationship(foreign_keys=[merged_id])
