"""Advocacy actions, the bodies they target, and UPR recommendations."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
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
    event,
    inspect,
    true,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from casework.core.db import PublicIdMixin, TimestampMixin, VersionedMixin, db
from casework.core.i18n import current_language, local_text
from casework.core.types import PartialDate, PartialDateType, SecretText, VocabType
from casework.core.vocab import ActionOutcome, ActionStatus, ActionType, UPRResponse


class TargetBody(db.Model):
    """A body an action is addressed to (a list that grows: SR torture, CAT, UNHCR...)."""

    __tablename__ = "target_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    short_name: Mapped[str | None] = mapped_column(String(40))
    # The names on Russian pages (an action's documents keep the English); empty: the English.
    name_ru: Mapped[str | None] = mapped_column(String(200))
    short_name_ru: Mapped[str | None] = mapped_column(String(40))
    retired: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    @property
    def local_name(self) -> str:
        """The name in the reader's language."""
        return local_text(self.name, self.name_ru)

    @property
    def local_short_name(self) -> str:
        """The short name in the reader's language, else the name (what lists show)."""
        return self.short_name_of(self.name, self.name_ru, self.short_name, self.short_name_ru)

    @staticmethod
    def short_name_of(
        name: str, name_ru: str | None, short_name: str | None, short_name_ru: str | None
    ) -> str:
        """``local_short_name`` of a body read as columns (a list's rows)."""
        if short_name_ru and current_language() == "ru":
            return short_name_ru
        return short_name or local_text(name, name_ru)


action_cases = Table(
    "action_cases",
    db.metadata,
    Column("action_id", Integer, ForeignKey("advocacy_actions.id"), primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    # A case's actions (its file's advocacy panel) without reading every link.
    Index("ix_action_cases_case_id", "case_id"),
)

action_recommendations = Table(
    "action_recommendations",
    db.metadata,
    Column("action_id", Integer, ForeignKey("advocacy_actions.id"), primary_key=True),
    Column("recommendation_id", Integer, ForeignKey("upr_recommendations.id"), primary_key=True),
)

recommendation_cases = Table(
    "recommendation_cases",
    db.metadata,
    Column("recommendation_id", Integer, ForeignKey("upr_recommendations.id"), primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    # The recommendations of given cases (the UPR document): the primary key leads with the
    # recommendation, so without this every recommendation is read.
    Index("ix_recommendation_cases_case_id", "case_id", "recommendation_id"),
)


class AdvocacyAction(PublicIdMixin, TimestampMixin, VersionedMixin, db.Model):
    """An intervention for one case, several, or none (thematic)."""

    __tablename__ = "advocacy_actions"
    # The list of actions walks the first index newest first, a page at a time; each follow-up
    # list walks the second soonest first (with the id, its order needs no sort on PostgreSQL).
    __table_args__ = (
        Index("ix_advocacy_actions_created_at_id", "created_at", "id"),
        Index("ix_advocacy_actions_followup_due_id", "followup_due", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_type: Mapped[ActionType] = mapped_column(VocabType(ActionType), nullable=False)
    target_body_id: Mapped[int | None] = mapped_column(ForeignKey("target_bodies.id"))
    status: Mapped[ActionStatus] = mapped_column(
        VocabType(ActionStatus), nullable=False, default=ActionStatus.PLANNED, index=True
    )
    title: Mapped[str] = mapped_column(SecretText, nullable=False)
    description: Mapped[str | None] = mapped_column(SecretText)
    planned_on: Mapped[date | None] = mapped_column(Date)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    followup_due: Mapped[date | None] = mapped_column(Date)
    response_on: Mapped[date | None] = mapped_column(Date)
    reference_number: Mapped[str | None] = mapped_column(SecretText)
    outcome: Mapped[ActionOutcome] = mapped_column(
        VocabType(ActionOutcome), nullable=False, default=ActionOutcome.PENDING
    )
    response_summary: Mapped[str | None] = mapped_column(SecretText)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # No case linked (a thematic action): kept with the links by ``_keep_thematic``, so that the
    # policy finds the thematic actions from this index instead of asking every action. A hint
    # only: the policy checks that no case is linked before it shows one as thematic.
    thematic: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, index=True)

    target_body = relationship(TargetBody)
    responsible = relationship("User", foreign_keys=[responsible_id])
    cases = relationship("Case", secondary=action_cases, order_by="Case.reference_key")
    recommendations = relationship("UPRRecommendation", secondary=action_recommendations)


# The thematic actions by follow-up date: a follow-up list of a user on few teams reads its
# page of them from here (``permissions.visible_actions_parts``), not every thematic action.
# Partial (thematic ones only); led by the flag all the same, so that SQLite, without
# statistics, prefers it to the flag's own index (and a sort of every thematic action).
Index(
    "ix_advocacy_actions_thematic_followup_due",
    AdvocacyAction.thematic,
    AdvocacyAction.followup_due,
    AdvocacyAction.id,
    sqlite_where=AdvocacyAction.thematic == true(),
    postgresql_where=AdvocacyAction.thematic == true(),
)


@event.listens_for(Session, "before_flush")
def _keep_thematic(session: Session, flush_context: Any, instances: Any) -> None:
    """An action whose cases were set, added to or removed is thematic when none is left.
    (Rows written in bulk, as the benchmarks' generators do, give the flag themselves.)"""
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, AdvocacyAction) and inspect(obj).attrs.cases.history.has_changes():
            obj.thematic = not obj.cases


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th, 21st."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


class UPRCycle(PublicIdMixin, TimestampMixin, VersionedMixin, db.Model):
    """One State's review in one UPR cycle (Kazakhstan, cycle 3, November 2019)."""

    __tablename__ = "upr_cycles"
    __table_args__ = (UniqueConstraint("state_under_review", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    state_under_review: Mapped[str] = mapped_column(String(100), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    wg_session: Mapped[str | None] = mapped_column(String(100))
    review_date: Mapped[PartialDate | None] = mapped_column(PartialDateType)
    report_symbol: Mapped[str | None] = mapped_column(String(40))

    @property
    def label(self) -> str:
        """``Kazakhstan, 3rd cycle (2019)``: the State, the cycle and the year when known."""
        text = f"{self.state_under_review}, {ordinal(self.number)} cycle"
        return f"{text} ({self.review_date.year})" if self.review_date else text


class UPRRecommendation(PublicIdMixin, TimestampMixin, VersionedMixin, db.Model):
    """A recommendation of a UPR cycle, numbered by its paragraph (e.g. 139.24)."""

    __tablename__ = "upr_recommendations"
    __table_args__ = (UniqueConstraint("cycle_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("upr_cycles.id"), nullable=False, index=True)
    number: Mapped[str] = mapped_column(String(20), nullable=False)
    recommending_state: Mapped[str] = mapped_column(String(100), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    response: Mapped[UPRResponse] = mapped_column(
        VocabType(UPRResponse), nullable=False, default=UPRResponse.PENDING
    )
    response_date: Mapped[date | None] = mapped_column(Date)
    themes: Mapped[str | None] = mapped_column(String(500))

    cycle: Mapped[UPRCycle] = relationship(lazy="joined")
    cases = relationship("Case", secondary=recommendation_cases, order_by="Case.reference_key")
    actions = relationship(AdvocacyAction, secondary=action_recommendations, viewonly=True)
