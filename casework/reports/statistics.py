"""Statistics over the cases a user may read, counted in SQL (one query per table).

Only counts leave: no name, text or reference. Every query starts from the cases that
``permissions.readable_cases_clause`` keeps, filtered by status and by the year of the act.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, distinct, exists, func, or_, select

from casework import permissions
from casework.advocacy.models import AdvocacyAction, action_cases
from casework.cases.models import Case, CasePerson, Event
from casework.core import countries
from casework.core.db import db
from casework.core.vocab import (
    ActionOutcome,
    ActionStatus,
    ActionType,
    ActType,
    Assessment,
    CaseRole,
    CaseStatus,
    EventType,
    Situation,
)
from casework.legal.models import CaseProvision, Provision
from casework.people.models import Person

DEFAULT_STATUSES = (CaseStatus.VERIFIED,)

_AFTER_RETURN = (
    EventType.AFTER_RETURN_DETENTION,
    EventType.AFTER_RETURN_TRIAL,
    EventType.AFTER_RETURN_SENTENCE,
    EventType.TORTURE_ALLEGATION,
    EventType.DISAPPEARANCE,
    EventType.DEATH,
    EventType.RELEASE,
    EventType.RESETTLEMENT,
)


@dataclass(frozen=True)
class Filters:
    statuses: tuple[CaseStatus, ...] = DEFAULT_STATUSES
    year_from: int | None = None
    year_to: int | None = None


@dataclass
class Table:
    """One statistic: a title, column headings and rows (label, counts...)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(int(r[1]) for r in self.rows)


def _year():
    return func.substr(Case.act_date, 1, 4, type_=String)


def case_filter(user: Any, filters: Filters) -> ColumnElement[bool]:
    parts = [permissions.readable_cases_clause(user), Case.status.in_(filters.statuses)]
    if filters.year_from is not None:
        parts.append(_year() >= f"{filters.year_from:04d}")
    if filters.year_to is not None:
        parts.append(_year() <= f"{filters.year_to:04d}")
    return and_(*parts)


def _label(vocab: Any, value: Any) -> str:
    parsed = vocab.parse(value) if isinstance(value, str) else value
    return parsed.label if parsed is not None else "Not recorded"


def _counted(rows, label=lambda v: v if v else "Not recorded") -> list[list[Any]]:
    return [[label(value), count] for value, count in rows]


def by_year_and_act(where) -> Table:
    year = _year().label("year")
    rows = db.session.execute(
        select(year, Case.act_type, func.count(Case.id))
        .where(where)
        .group_by(year, Case.act_type)
        .order_by(year, Case.act_type)
    ).all()
    return Table(
        "year_act",
        "Cases by year and act type",
        ["Year and act", "Cases"],
        [[f"{y or 'Unknown year'} · {_label(ActType, a)}", n] for y, a, n in rows],
    )


def by_year(where) -> Table:
    year = _year().label("year")
    rows = db.session.execute(
        select(year, func.count(Case.id)).where(where).group_by(year).order_by(year)
    ).all()
    return Table("year", "Cases by year of the act", ["Year", "Cases"], _counted(rows))


def by_column(where, key: str, title: str, heading: str, column, label) -> Table:
    rows = db.session.execute(
        select(column, func.count(Case.id))
        .where(where)
        .group_by(column)
        .order_by(func.count(Case.id).desc(), column)
    ).all()
    return Table(key, title, [heading, "Cases"], _counted(rows, label))


def people_by(where, key: str, title: str, heading: str, column, label) -> Table:
    """People at risk (each once) in the filtered cases, by one of their attributes."""
    counted = func.count(distinct(Person.id))
    rows = db.session.execute(
        select(column, counted)
        .select_from(Person)
        .join(CasePerson, CasePerson.person_id == Person.id)
        .join(Case, Case.id == CasePerson.case_id)
        .where(where, CasePerson.role == CaseRole.AT_RISK, CasePerson.hidden_at.is_(None))
        .group_by(column)
        .order_by(counted.desc(), column)
    ).all()
    return Table(key, title, [heading, "People"], _counted(rows, label))


def after_return(where) -> Table:
    counted = func.count(distinct(Case.id))
    rows = db.session.execute(
        select(Event.event_type, counted)
        .join(Case, Case.id == Event.case_id)
        .where(where, Event.event_type.in_(_AFTER_RETURN), Event.hidden_at.is_(None))
        .group_by(Event.event_type)
        .order_by(counted.desc())
    ).all()
    return Table(
        "after_return",
        "Outcome after return (cases with such an event)",
        ["Outcome", "Cases"],
        _counted(rows, lambda v: _label(EventType, v)),
    )


def provisions_violated(where, limit: int = 10) -> Table:
    counted = func.count(distinct(Case.id))
    rows = db.session.execute(
        select(Provision.code, Provision.title, counted)
        .join(CaseProvision, CaseProvision.provision_id == Provision.id)
        .join(Case, Case.id == CaseProvision.case_id)
        .where(
            where,
            CaseProvision.assessment == Assessment.VIOLATED,
            CaseProvision.hidden_at.is_(None),
        )
        .group_by(Provision.code, Provision.title)
        .order_by(counted.desc(), Provision.code)
        .limit(limit)
    ).all()
    return Table(
        "provisions",
        "Legal provisions most often found violated",
        ["Provision", "Cases"],
        [[f"{code} {title}", n] for code, title, n in rows],
    )


def _responded():
    return or_(
        AdvocacyAction.response_on.is_not(None),
        AdvocacyAction.status.in_((ActionStatus.RESPONSE_RECEIVED, ActionStatus.CLOSED)),
    )


def advocacy(where) -> Table:
    """Actions on the filtered cases, by type: how many, how many answered, the rate."""
    linked = exists(
        select(action_cases.c.case_id)
        .join(Case, Case.id == action_cases.c.case_id)
        .where(action_cases.c.action_id == AdvocacyAction.id, where)
    )
    answered = func.sum(case((_responded(), 1), else_=0))
    rows = db.session.execute(
        select(AdvocacyAction.action_type, func.count(AdvocacyAction.id), answered)
        .where(linked, AdvocacyAction.status != ActionStatus.PLANNED)
        .group_by(AdvocacyAction.action_type)
        .order_by(func.count(AdvocacyAction.id).desc())
    ).all()
    return Table(
        "advocacy",
        "Advocacy actions and responses",
        ["Action", "Actions", "Answered", "Response rate"],
        [
            [_label(ActionType, t), n, int(a or 0), f"{round(100 * int(a or 0) / n)}%"]
            for t, n, a in rows
        ],
    )


def interim_measures(where) -> Table:
    """Cases where interim measures were requested, granted, and granted yet the person removed."""

    def action_of(*conditions):
        return exists(
            select(action_cases.c.case_id)
            .join(AdvocacyAction, AdvocacyAction.id == action_cases.c.action_id)
            .where(
                action_cases.c.case_id == Case.id,
                AdvocacyAction.action_type == ActionType.INTERIM_MEASURES_REQUEST,
                *conditions,
            )
        )

    def event_of(kind):
        return exists(
            select(Event.id).where(
                Event.case_id == Case.id, Event.event_type == kind, Event.hidden_at.is_(None)
            )
        )

    requested = or_(action_of(), event_of(EventType.INTERIM_MEASURES_REQUEST))
    granted = or_(
        action_of(AdvocacyAction.outcome == ActionOutcome.INTERIM_MEASURES_GRANTED),
        event_of(EventType.INTERIM_MEASURES_GRANTED),
    )
    removed = or_(event_of(EventType.REMOVAL), Case.current_situation == Situation.REMOVED)
    breached = and_(granted, removed)

    def flag(condition):
        return func.sum(case((condition, 1), else_=0))

    row = db.session.execute(
        select(flag(requested), flag(granted), flag(breached)).where(where)
    ).one()
    labels = ("Requested", "Granted", "Granted, yet the person was removed")
    return Table(
        "interim_measures",
        "Interim measures",
        ["Interim measures", "Cases"],
        [[label, int(value or 0)] for label, value in zip(labels, row, strict=True)],
    )


def statistics(user: Any, filters: Filters) -> list[Table]:
    """Every statistic for the cases ``user`` may read that match ``filters``."""
    where = case_filter(user, filters)
    country = lambda code: countries.name(code) if code else "Not recorded"  # noqa: E731
    return [
        by_year(where),
        by_year_and_act(where),
        people_by(
            where,
            "nationality",
            "People at risk by nationality",
            "Nationality",
            Person.nationality,
            country,
        ),
        people_by(
            where,
            "ethnicity",
            "People at risk by ethnicity",
            "Ethnicity",
            Person.ethnicity,
            lambda v: v or "Not recorded",
        ),
        by_column(
            where,
            "destination",
            "Cases by destination country",
            "Destination",
            Case.destination_country,
            country,
        ),
        by_column(
            where,
            "situation",
            "Cases by current situation",
            "Situation",
            Case.current_situation,
            lambda v: _label(Situation, v),
        ),
        after_return(where),
        provisions_violated(where),
        advocacy(where),
        interim_measures(where),
    ]
