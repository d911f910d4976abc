"""Statistics over the cases a user may read, counted in SQL (one query per table).

Only counts leave: no name, text or reference. Every query starts from the cases that
``permissions.readable_cases_clause`` keeps, filtered by status and by the year of the act.
``statistics`` gives the exact counts (the coordinators' internal working view);
``published_statistics`` the tables that may leave the organisation (downloads, UPR texts),
where no small count identifies someone (``publish``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import get_locale
from sqlalchemy import (
    CTE,
    ColumnElement,
    String,
    and_,
    case,
    cast,
    distinct,
    func,
    or_,
    select,
    text,
    type_coerce,
    union_all,
)

from casework import permissions
from casework.advocacy.compliance import grant_clause
from casework.advocacy.models import AdvocacyAction, action_cases
from casework.advocacy.services import replied_clause, sent_clause
from casework.cases.models import Case, CasePerson, Event
from casework.core import countries
from casework.core.datacache import data_cached
from casework.core.db import among, db
from casework.core.i18n import current_language, local_text
from casework.core.i18n import gettext as _
from casework.core.vocab import (
    ActionType,
    ActType,
    Assessment,
    CaseRole,
    CaseStatus,
    EventType,
    LinkState,
    Situation,
)
from casework.legal.models import CaseProvision, Provision
from casework.people.models import Person
from casework.reports import disclosure
from casework.reports.services import act_date_in, record_output

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
    """The cases counted: by status, and by the act's year (the statistics page) or by an exact
    period (a UPR submission, whose statistics are those of the cases it covers)."""

    statuses: tuple[CaseStatus, ...] = DEFAULT_STATUSES
    year_from: int | None = None
    year_to: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Table:
    """One statistic: a title, column headings and rows (label, counts...)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    # The rows add up to what is counted (the cases, the people at risk), a total that other
    # tables and texts give: a small row could be worked out as that total less the others, so
    # small rows are combined when published (``publish``). Otherwise each row stands alone.
    partition: bool = True
    # A partition within another table's rows (a year's acts add up to the year's row): the
    # group of each row, within which small rows are combined.
    groups: list[str] | None = None
    # The rows to publish, when some counted may not be published as they are (people whose
    # relatives are at risk, by ethnicity); None: ``rows``.
    public_rows: list[list[Any]] | None = None
    # Rows that stand alone, each counting within the row before (interim measures granted,
    # among those requested): a difference of two rows is a count too.
    nested_rows: bool = False
    # A row's later counts are within its first (actions answered, among those sent): the
    # difference is a count too.
    nested_cells: bool = False

    @property
    def total(self) -> int:
        return sum(int(r[1]) for r in self.rows)


def _year():
    return func.substr(Case.act_date, 1, 4, type_=String)


def case_filter(user: Any, filters: Filters) -> ColumnElement[bool]:
    parts = [
        permissions.readable_cases_clause(user),
        Case.status.in_(filters.statuses),
        # A discarded draft or a duplicate is never counted (the original is).
        Case.hidden_at.is_(None),
        Case.duplicate_of_id.is_(None),
    ]
    # On the ISO text itself, not its year: the act date's index then serves the range.
    act_date = type_coerce(Case.act_date, String)
    if filters.year_from is not None:
        parts.append(act_date >= f"{filters.year_from:04d}")
    if filters.year_to is not None and filters.year_to < 9999:  # "10000" sorts before "2011"
        parts.append(act_date < f"{filters.year_to + 1:04d}")
    parts += act_date_in(filters.date_from, filters.date_to)
    return and_(*parts)


def _label(vocab: Any, value: Any) -> str:
    parsed = vocab.parse(value) if isinstance(value, str) else value
    return parsed.label if parsed is not None else _("Not recorded")


def _counted(rows, label=lambda v: v if v else _("Not recorded")) -> list[list[Any]]:
    return [[label(value), count] for value, count in rows]


def _rollup(rows, key, label, order_by_count: bool = True) -> list[list[Any]]:
    """Sum SQL group counts over one of their columns (a handful of groups, not cases)."""
    totals: dict[Any, int] = {}
    for row in rows:
        totals[key(row)] = totals.get(key(row), 0) + int(row[-1])
    items = sorted(
        totals.items(),
        key=(lambda kv: (-kv[1], str(kv[0]))) if order_by_count else (lambda kv: str(kv[0] or "")),
    )
    return [[label(k), n] for k, n in items]


def _country(code: str | None) -> str:
    """A country's name in the reader's language (the tables are cached per language)."""
    return countries.local_name(code, current_language()) if code else _("Not recorded")


def case_tables(where) -> list[Table]:
    """Cases by year, by year and act, by destination and by situation: two grouped queries."""
    year = _year().label("year")
    by_act = db.session.execute(
        select(year, Case.act_type, func.count()).where(where).group_by(year, Case.act_type)
    ).all()
    by_place = db.session.execute(
        select(Case.destination_country, Case.current_situation, func.count())
        .where(where)
        .group_by(Case.destination_country, Case.current_situation)
    ).all()
    year_act = _rollup(
        by_act,
        lambda r: (r[0] or "", r[1].value if r[1] else ""),
        lambda k: k,
        order_by_count=False,
    )

    def year_of(key) -> str:
        return key[0] or _("Unknown year")

    return [
        Table(
            "year",
            _("Cases by year of the act"),
            [_("Year"), _("Cases")],
            _rollup(by_act, lambda r: r[0], lambda v: v or _("Not recorded"), order_by_count=False),
        ),
        Table(
            "year_act",
            _("Cases by year and act type"),
            [_("Year and act"), _("Cases")],
            [[year_of(k) + " · " + _label(ActType, k[1] or None), n] for k, n in year_act],
            groups=[year_of(k) for k, _n in year_act],
        ),
        Table(
            "destination",
            _("Cases by destination country"),
            [_("Destination"), _("Cases")],
            _rollup(by_place, lambda r: r[0], _country),
        ),
        Table(
            "situation",
            _("Cases by current situation"),
            [_("Situation"), _("Cases")],
            _rollup(
                by_place, lambda r: r[1].value if r[1] else None, lambda v: _label(Situation, v)
            ),
        ),
    ]


def people_tables(where) -> list[Table]:
    """People at risk (each once) in the filtered cases by nationality and by ethnicity.

    A person flagged "family at risk" never leaves by ethnicity (``anonymise.person_out``), and
    a count of people by ethnicity can name one: published, they are counted in a row of their
    own, not by ethnicity (the working view and the nationality table count them as anyone).
    """
    at_risk = (
        select(CasePerson.person_id)
        .join(Case, Case.id == CasePerson.case_id)
        .where(where, CasePerson.role == CaseRole.AT_RISK, CasePerson.hidden_at.is_(None))
    )
    rows = db.session.execute(
        select(Person.nationality, Person.ethnicity, Person.family_at_risk, func.count())
        .where(Person.id.in_(at_risk))
        .group_by(Person.nationality, Person.ethnicity, Person.family_at_risk)
    ).all()
    unflagged = [row for row in rows if not row[2]]
    relatives_at_risk = sum(int(row[-1]) for row in rows if row[2])
    public = _rollup(unflagged, lambda r: _fold(r[1]), _spellings(unflagged, 1))
    if relatives_at_risk:
        public.append([_("Not published (relatives at risk)"), relatives_at_risk])
    return [
        Table(
            "nationality",
            _("People at risk by nationality"),
            [_("Nationality"), _("People")],
            _rollup(rows, lambda r: r[0], _country),
        ),
        Table(
            "ethnicity",
            _("People at risk by ethnicity"),
            [_("Ethnicity"), _("People")],
            _rollup(rows, lambda r: _fold(r[1]), _spellings(rows, 1)),
            public_rows=public,
        ),
    ]


def _fold(text: str | None) -> str | None:
    """Free text as one group whatever its letter case and spacing ("Uzbek", "uzbek ")."""
    return " ".join(text.split()).casefold() or None if text else None


def _spellings(rows, column: int) -> Callable[[str | None], str]:
    """The label of each folded group: its most common spelling among the counted rows."""
    seen: dict[str, Counter[str]] = {}
    for row in rows:
        folded = _fold(row[column])
        if folded:
            seen.setdefault(folded, Counter())[" ".join(row[column].split())] += int(row[-1])
    return lambda key: seen[key].most_common(1)[0][0] if key else _("Not recorded")


# The most cases whose ids a statement is given (PostgreSQL): the planner prices each id given
# (a 20,000-case archive's ids cost 100 ms to plan), and beyond a few thousand cases reading
# the kinds of events counted for every case is as cheap as looking each case up.
_LOOKED_UP = 2000


def _counted_cases(where) -> list[int] | CTE:
    """The filtered cases whose events and actions are read (``_of_cases``).

    On PostgreSQL, up to ``_LOOKED_UP`` of them, their ids, selected first: the planner,
    knowing how many they are, looks a period's cases up through the indexes (or reads the
    kinds of events counted, when as cheap), not every event of the archive: an IN subquery
    of the cases is a semi-join there, planned as a hash join over the whole table, nested
    loops being off for these queries (``_planner_for_aggregates``). More cases, and on SQLite
    (which reads an IN subquery's ids first and looks each case up), a subquery of them (a
    CTE, selected once per statement).
    """
    ids = select(Case.id).where(where)
    if db.session.get_bind().dialect.name == "postgresql":
        few = list(db.session.scalars(ids.limit(_LOOKED_UP + 1)))
        if len(few) <= _LOOKED_UP:
            return few
    return ids.cte("counted_cases")


def _of_cases(column: Any, cases: list[int] | CTE) -> ColumnElement[bool]:
    """``column`` among the ``cases`` (``_counted_cases``)."""
    if isinstance(cases, list):
        return among(column, cases)
    return column.in_(select(cases.c.id))


def after_return(where) -> Table:
    # Each case once per outcome: the rows hold the filtered cases' events only.
    counted = func.count(distinct(Event.case_id))
    rows = db.session.execute(
        select(Event.event_type, counted)
        .where(
            Event.event_type.in_(_AFTER_RETURN),
            Event.hidden_at.is_(None),
            _of_cases(Event.case_id, _counted_cases(where)),
        )
        .group_by(Event.event_type)
        .order_by(counted.desc(), Event.event_type)
    ).all()
    return Table(
        "after_return",
        _("Outcome after return (cases with such an event)"),
        [_("Outcome"), _("Cases")],
        _counted(rows, lambda v: _label(EventType, v)),
        partition=False,  # a case with several outcomes is in several rows
    )


def provisions_violated(where, limit: int | None = 10) -> Table:
    counted = func.count(distinct(Case.id))
    rows = db.session.execute(
        select(Provision.code, Provision.title, Provision.title_ru, counted)
        .join(CaseProvision, CaseProvision.provision_id == Provision.id)
        .join(Case, Case.id == CaseProvision.case_id)
        .where(
            where,
            CaseProvision.assessment == Assessment.VIOLATED,
            CaseProvision.state == LinkState.ASSESSED,  # a lawyer's, not a suggestion
            CaseProvision.hidden_at.is_(None),
        )
        .group_by(Provision.code, Provision.title, Provision.title_ru)
        .order_by(counted.desc(), Provision.code)
        .limit(limit)
    ).all()
    return Table(
        "provisions",
        _("Legal provisions most often found violated"),
        [_("Provision"), _("Cases")],
        [[f"{code} {local_text(title, title_ru)}", n] for code, title, title_ru, n in rows],
        partition=False,
    )


def advocacy(where) -> Table:
    """Actions sent on the filtered cases, by type: how many, how many answered, the rate.

    An action planned or being drafted was not sent (as a request being drafted is no request),
    nor was one closed from there: nothing could answer it, so it is not counted
    (``advocacy.services.sent_clause``).
    """
    # Sets of ids (IN), not correlated EXISTS: one hash join over the whole table.
    on_cases = select(action_cases.c.action_id).join(Case, Case.id == action_cases.c.case_id)
    # Answered: a response recorded (``replied_clause``, the rule a reply taken back undoes).
    answered = func.sum(case((replied_clause(), 1), else_=0))
    rows = db.session.execute(
        select(AdvocacyAction.action_type, func.count(AdvocacyAction.id), answered)
        .where(
            AdvocacyAction.id.in_(on_cases.where(where)),
            sent_clause(),
        )
        .group_by(AdvocacyAction.action_type)
        .order_by(func.count(AdvocacyAction.id).desc())
    ).all()
    return Table(
        "advocacy",
        _("Advocacy actions and responses"),
        [_("Action"), _("Actions"), _("Answered"), _("Response rate")],
        [
            [_label(ActionType, t), n, int(a or 0), f"{round(100 * int(a or 0) / n)}%"]
            for t, n, a in rows
        ],
        partition=False,  # no other table gives the number of actions
        nested_cells=True,  # answered among those sent
    )


def _before(removal, grant):
    """SQL: the (partial) removal date ``removal`` ends before the day ``grant`` (ISO text)
    begins: "2011-06" is before "2011-07-02", not before "2011-06-20" (read in the person's
    favour, as ``advocacy.compliance.interim_measures_breach`` reads it)."""
    return removal < func.substr(grant, 1, func.length(removal))


def interim_measures(where) -> Table:
    """Cases where interim measures were requested, granted, and granted yet the person removed.

    Requested: a request event, a request action sent (``sent_clause``), or any grant
    (measures granted were requested, whoever recorded the request: a grant event, or an action
    that obtained them, ``advocacy.compliance.is_grant``: a complaint, a CED urgent action), so
    that no case counts as granted and not requested.
    Granted yet removed is ``advocacy.compliance.interim_measures_breach``'s rule, in SQL: a
    removal not known to predate the earliest dated grant, or the situation "removed" with no
    removal known to predate it. One grouped pass over the filtered cases' events of requests
    and grants, one over their actions, one over their removals, joined to the filtered cases
    (no per-case subquery).
    """

    def has(condition):
        return func.max(case((condition, 1), else_=0))

    cases = _counted_cases(where)
    on_date = type_coerce(Event.date, String)
    kinds = (EventType.INTERIM_MEASURES_REQUEST, EventType.INTERIM_MEASURES_GRANTED)
    is_grant = Event.event_type == EventType.INTERIM_MEASURES_GRANTED
    # One pass over each table gives what a case asked and obtained, and its earliest dated
    # grant (NULL: every grant is undated).
    events = (
        select(
            Event.case_id.label("case_id"),
            has(Event.event_type == EventType.INTERIM_MEASURES_REQUEST).label("requested"),
            has(is_grant).label("granted"),
            func.min(case((is_grant, on_date))).label("first"),
        )
        .where(
            Event.event_type.in_(kinds),
            Event.hidden_at.is_(None),
            _of_cases(Event.case_id, cases),
        )
        .group_by(Event.case_id)
        .cte("interim_events")
    )
    action_granted = grant_clause()
    request_action = AdvocacyAction.action_type == ActionType.INTERIM_MEASURES_REQUEST
    actions = (
        select(
            action_cases.c.case_id.label("case_id"),
            has(
                or_(
                    and_(request_action, sent_clause()),
                    action_granted,
                )
            ).label("requested"),
            has(action_granted).label("granted"),
            func.min(case((action_granted, cast(AdvocacyAction.response_on, String(10))))).label(
                "first"
            ),
        )
        .join(AdvocacyAction, AdvocacyAction.id == action_cases.c.action_id)
        .where(
            or_(request_action, action_granted),
            _of_cases(action_cases.c.case_id, cases),
        )
        .group_by(action_cases.c.case_id)
        .cte("interim_actions")
    )
    # The earliest dated grant of each granted case, events and actions together.
    grant_dates = union_all(
        select(events.c.case_id, events.c.first).where(events.c.granted == 1),
        select(actions.c.case_id, actions.c.first).where(actions.c.granted == 1),
    ).subquery()
    grants = (
        select(grant_dates.c.case_id, func.min(grant_dates.c.first).label("first"))
        .group_by(grant_dates.c.case_id)
        .subquery()
    )
    # Of each granted case's removals: any not known to predate the grant.
    later = or_(Event.date.is_(None), grants.c.first.is_(None), ~_before(on_date, grants.c.first))
    removals = (
        select(Event.case_id.label("case_id"), has(later).label("after"))
        .join(grants, grants.c.case_id == Event.case_id)
        .where(
            Event.event_type == EventType.REMOVAL,
            Event.hidden_at.is_(None),
            _of_cases(Event.case_id, cases),
        )
        .group_by(Event.case_id)
        .subquery()
    )
    granted = or_(events.c.granted == 1, actions.c.granted == 1)
    requested = or_(events.c.requested == 1, actions.c.requested == 1, granted)
    removed = or_(
        removals.c.after == 1,
        and_(Case.current_situation == Situation.REMOVED, removals.c.case_id.is_(None)),
    )

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    row = db.session.execute(
        select(count(requested), count(granted), count(and_(granted, removed)))
        .select_from(Case)
        .outerjoin(events, events.c.case_id == Case.id)
        .outerjoin(actions, actions.c.case_id == Case.id)
        .outerjoin(removals, removals.c.case_id == Case.id)
        .where(where)
    ).one()
    labels = (_("Requested"), _("Granted"), _("Granted, yet the person was removed"))
    return Table(
        "interim_measures",
        _("Interim measures"),
        [_("Interim measures"), _("Cases")],
        [[label, int(value or 0)] for label, value in zip(labels, row, strict=True)],
        partition=False,
        nested_rows=True,  # each row within the one before
    )


@contextmanager
def _planner_for_aggregates():
    """PostgreSQL plans these few large aggregates poorly: the access clause's subqueries make
    its estimates large enough to switch JIT compilation on (which costs more than the queries)
    and to choose nested loops over the cases. Both are off for these queries only."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    db.session.execute(text("SET LOCAL jit = off"))
    db.session.execute(text("SET LOCAL enable_nestloop = off"))
    try:
        yield
    finally:
        db.session.execute(text("RESET enable_nestloop"))
        db.session.execute(text("RESET jit"))


def cached_statistics(user: Any, filters: Filters) -> list[Table]:
    """``statistics``, computed once per change of the data, user, filters and language, then
    read from memory (``casework.core.datacache``): the aggregates read the whole archive.
    The tables returned are shared: read them, never change them."""
    from casework.audit.services import data_version

    return _statistics_of(data_version(), user.id, str(get_locale()), filters)


@data_cached(maxsize=256)
def _statistics_of(version: str, user_id: int, locale: str, filters: Filters) -> list[Table]:
    from casework.accounts.models import User

    return statistics(db.session.get(User, user_id), filters)


# Each group of tables counted at once, and the order the tables are given in.
_TABLES: tuple[tuple[tuple[str, ...], Callable[[Any], list[Table]]], ...] = (
    (("year", "year_act", "destination", "situation"), case_tables),
    (("nationality", "ethnicity"), people_tables),
    (("after_return",), lambda where: [after_return(where)]),
    (("provisions",), lambda where: [provisions_violated(where)]),
    (("advocacy",), lambda where: [advocacy(where)]),
    (("interim_measures",), lambda where: [interim_measures(where)]),
)
_ORDER = (
    "year", "year_act", "nationality", "ethnicity", "destination", "situation", "after_return",
    "provisions", "advocacy", "interim_measures",
)  # fmt: skip


def statistics(user: Any, filters: Filters, keys: Collection[str] | None = None) -> list[Table]:
    """Every statistic for the cases ``user`` may read that match ``filters``; with ``keys``,
    those tables only (a document that gives a few counts only those)."""
    where = case_filter(user, filters)
    made: dict[str, Table] = {}
    with _planner_for_aggregates():
        for group, count in _TABLES:
            if keys is None or not set(keys).isdisjoint(group):
                made.update((table.key, table) for table in count(where))
    return [made[key] for key in _ORDER if key in made and (keys is None or key in keys)]


def _single_table(key: str, where) -> Table:
    """The table ``key`` alone for the cases ``where`` keeps, every row counted (no top ten):
    a region's counts in the audit of publications (``_audit``)."""
    with _planner_for_aggregates():
        if key in ("year", "year_act", "destination", "situation"):
            return next(t for t in case_tables(where) if t.key == key)
        if key in ("nationality", "ethnicity"):
            return next(t for t in people_tables(where) if t.key == key)
        if key == "provisions":
            return provisions_violated(where, limit=None)
        alone = {"after_return": after_return, "advocacy": advocacy}
        return alone.get(key, interim_measures)(where)


def published_statistics(
    user: Any, filters: Filters, keys: Collection[str] | None = None
) -> list[Table]:
    """``statistics`` as they may leave the organisation (``publish``)."""
    return [publish(table) for table in statistics(user, filters, keys)]


# --- publication ----------------------------------------------------------------------------


def publication_details(filters: Filters) -> dict[str, Any]:
    """What a publication's audit entry keeps of its filters (codes and years: nothing
    identifying), so that a later one can be compared with it (``earlier_publication_clash``)."""
    return {
        "statuses": sorted(s.value for s in filters.statuses),
        "year_from": filters.year_from,
        "year_to": filters.year_to,
    }


def _filters_of(details: dict[str, Any]) -> Filters | None:
    """The filters a publication's audit entry recorded (None: recorded before they were)."""
    if "statuses" not in details:
        return None
    statuses = tuple(s for s in (CaseStatus.parse(v) for v in details["statuses"]) if s)
    years = [details.get("year_from"), details.get("year_to")]
    if not statuses or not all(y is None or isinstance(y, int) for y in years):
        return None
    return Filters(statuses, years[0], years[1])


@dataclass(frozen=True)
class Publication:
    """An earlier publication of a table: when, and for which filters."""

    at: Any
    filters: Filters


@dataclass(frozen=True)
class Clash:
    """The earlier publications of a table with which a new one would give a small group away."""

    earlier: tuple[Publication, ...]


# The earlier publications a new one is audited with: the same table's newest for distinct
# filters, among its newest publications read (a page viewed again is published again).
PUBLICATIONS_COMPARED = 500
PUBLICATIONS_READ = 20_000


def earlier_publication_clash(
    user: Any, key: str, filters: Filters, below: int | None = None
) -> Clash | None:
    """The earlier publications of the table ``key`` (downloads, by anyone) with which this
    one would work out a group too small to publish: 12 cases for 2011-2012, 12 for 2012-2013
    and 22 for 2011-2013 give the 2 of 2012 (``_audit``). The earlier tables are counted again
    now, for ``user``: the trail keeps the filters, not the counts."""
    from casework.audit.models import AuditEntry

    below = suppress_below() if below is None else below
    entries = db.session.execute(
        select(AuditEntry.at, AuditEntry.details)
        .where(
            AuditEntry.action == "output.generated",
            AuditEntry.object_id == "statistics",
            # The newest of this table's: downloads of the other tables do not push an earlier
            # publication of this one out of the audit.
            AuditEntry.details["table"].as_string() == key,
        )
        .order_by(AuditEntry.seq.desc())
        .limit(PUBLICATIONS_READ)
    )
    earlier: dict[Filters, Any] = {}  # each filters once, at their newest publication
    for at, details in entries:
        if len(earlier) >= PUBLICATIONS_COMPARED:
            break
        if (details or {}).get("table") != key:
            continue
        published = _filters_of(details)
        if published is not None and published != filters and published not in earlier:
            earlier[published] = at
    if not earlier:
        return None
    involved = _audit(user, key, filters, list(earlier), below)
    if not involved:
        return None
    return Clash(tuple(Publication(earlier[f], f) for f in reversed(earlier) if f in involved))


def release(user: Any, table: Table, filters: Filters, fmt: str, below: int) -> Clash | None:
    """Let the published ``table`` (counted for ``filters``) leave the organisation, as a
    download or the view for publication: recorded with its filters, so that later ones are
    audited with it; unless it would give a small group away with the earlier ones: then the
    earlier publications involved, and nothing recorded."""
    clash = earlier_publication_clash(user, table.key, filters, below)
    if clash is None:
        record_output(
            user,
            "statistics",
            fmt,
            table.total,
            table=table.key,
            suppressed_below=below,
            **publication_details(filters),
        )
    return clash


def release_all(
    user: Any, filters: Filters, fmt: str, below: int
) -> list[tuple[Table, Clash | None]]:
    """Every table as published for ``filters`` (the view for publication), each ``release``d
    with the clash that withholds it, if any."""
    return [
        (publish(table, below), release(user, table, filters, fmt, below))
        for table in cached_statistics(user, filters)
    ]


def _known_years(filters: Filters) -> tuple[int | None, int | None] | None:
    """The years of the acts ``filters`` keep (None: open); None for no year at all, which
    keeps the cases whose act has no date too (``case_filter``)."""
    end = filters.year_to if filters.year_to is not None and filters.year_to < 9999 else None
    if filters.year_from is None and end is None:
        return None
    return filters.year_from, end


# A part of a table: a row's key (its folded label) and the place of a count in it.
Part = tuple[str, int]


def _row_key(label: Any) -> str:
    return _fold(str(label)) or ""


def _parts(table: Table) -> dict[Part, int]:
    """The counts of the disjoint parts of ``table`` (its public rows): each count of a row,
    and for a count within another (``nested_rows``, ``nested_cells``) the difference."""
    public = table.rows if table.public_rows is None else table.public_rows
    parts: dict[Part, int] = {}
    for i, row in enumerate(public):
        key = _row_key(row[0])
        if table.nested_rows:  # requested, not granted; granted, not removed; removed
            after = int(public[i + 1][1]) if i + 1 < len(public) else 0
            parts[key, 1] = int(row[1]) - after
        elif table.nested_cells:  # sent, not answered; answered
            parts[key, 1] = int(row[1]) - int(row[2])
            parts[key, 2] = int(row[2])
        else:
            for place, cell in enumerate(row[1:], 1):
                if isinstance(cell, int):
                    parts[key, place] = cell
    return parts


def _cell_parts(table: Table, places: tuple[int, ...], column: int) -> set[Part]:
    """The parts a published count sums: the count in ``column`` of the public rows at
    ``places`` (several: a row "Other")."""
    public = table.rows if table.public_rows is None else table.public_rows
    keys = [_row_key(row[0]) for row in public]
    if table.nested_rows:
        return {(keys[i], 1) for i in range(places[0], len(public))}
    if table.nested_cells:
        key = keys[places[0]]
        return {(key, 1), (key, 2)} if column == 1 else {(key, column)}
    return {(keys[p], column) for p in places}


def _audit(
    user: Any, key: str, new: Filters, earlier: list[Filters], below: int
) -> set[Filters] | None:
    """The ``earlier`` filters with which a publication of ``key`` for ``new`` determines a
    group of 1 to ``below`` less one (``disclosure.newly_determined``); None: none.

    The atoms are the table's parts (a row's group, a count within another) in each region:
    the years between the filters' bounds and the act's unknown year, by the statuses the
    filters choose alike, the finest cells the filters can tell apart. Each published count is
    a sum of atoms. An atom with nothing in it is taken as known to be empty (the year table
    and a group's absence from a table tell it), so overlapping filters whose difference is
    one group in one year are refused as before. The groups audited: each atom, and each part
    (or cell of one row) over the regions any one filter could keep. The cost: one query for
    the years and statuses that hold cases, then one or two per region holding some (at most
    the years with cases times the statuses), and an elimination over the atoms holding some.
    """
    every = [new, *earlier]
    statuses = sorted({s for f in every for s in f.statuses}, key=lambda s: s.value)
    # Statuses every filter takes or leaves alike are one class.
    classes: dict[tuple[bool, ...], list[CaseStatus]] = {}
    for status in statuses:
        classes.setdefault(tuple(status in f.statuses for f in every), []).append(status)
    kinds = list(classes)
    bounds = [_known_years(f) for f in every]
    cuts = sorted(
        {b[0] for b in bounds if b and b[0] is not None}
        | {b[1] + 1 for b in bounds if b and b[1] is not None}
    )
    starts: list[int | None] = [None, *cuts]
    ends: list[int | None] = [*(c - 1 for c in cuts), None]
    years: list[tuple[int | None, int | None] | None] = list(zip(starts, ends, strict=True))
    if any(b is None for b in bounds):
        years.append(None)  # the cases whose act has no date
    regions = [(c, y) for c in range(len(kinds)) for y in range(len(years))]

    def keeps(f: int, region: tuple[int, int]) -> bool:
        kind, year = region
        if not kinds[kind][f]:
            return False
        if bounds[f] is None:
            return True
        if years[year] is None:
            return False
        lo, hi = bounds[f]
        start, end = years[year]
        return (lo is None or (start is not None and start >= lo)) and (
            hi is None or (end is not None and end <= hi)
        )

    def within(year: int | None, place: int) -> bool:
        span = years[place]
        if span is None or year is None:
            return span is None and year is None
        return (span[0] is None or year >= span[0]) and (span[1] is None or year <= span[1])

    held = db.session.execute(
        select(_year(), Case.status).where(case_filter(user, Filters(tuple(statuses)))).distinct()
    ).all()
    kind_of = {status: k for k, kind in enumerate(kinds) for status in classes[kind]}
    held_years = [(int(y) if y and y.isdigit() else None, kind_of[status]) for y, status in held]
    atoms: dict[tuple[Part, int], tuple[int, int]] = {}  # (part, region): (number, count)
    for r, (kind, year) in enumerate(regions):
        if not any(k == kind and within(y, year) for y, k in held_years):
            continue  # nothing there: every atom of the region is empty
        chosen = tuple(classes[kinds[kind]])
        for part, count in _region_parts(user, key, chosen, years[year]).items():
            if count > 0:
                atoms[part, r] = (len(atoms), count)

    shapes: set[frozenset[Part]] = {frozenset([part]) for part, _r in atoms}
    counts: list[list[tuple[Filters, frozenset[int]]]] = []
    for f, published in enumerate(every):
        table = _table_of(user, key, published)
        kept = [r for r in range(len(regions)) if keeps(f, regions[r])]
        sums = []
        for row, places in _publication(table, below):
            for column, cell in enumerate(row[1:], 1):
                if type(cell) is not int:
                    continue  # hidden ("<5") or withheld: no count published
                parts = _cell_parts(table, places, column)
                if len(places) == 1:
                    shapes.add(frozenset(parts))
                vector = frozenset(
                    atoms[part, r][0] for part in parts for r in kept if (part, r) in atoms
                )
                if vector:
                    sums.append((published, vector))
        counts.append(sums)

    groups = _small_groups(atoms, shapes, regions, years, kinds, below)
    return disclosure.newly_determined(
        [c for sums in counts[1:] for c in sums], [v for _f, v in counts[0]], groups
    )


def _region_parts(
    user: Any,
    key: str,
    statuses: tuple[CaseStatus, ...],
    years: tuple[int | None, int | None] | None,
) -> dict[Part, int]:
    """The parts of the table ``key`` over the cases of ``statuses`` whose act falls in
    ``years`` (None: has no date), computed once per change of the data, as the statistics."""
    from casework.audit.services import data_version

    return _parts_of(data_version(), user.id, str(get_locale()), key, statuses, years)


@data_cached(maxsize=1024)
def _parts_of(
    version: str,
    user_id: int,
    locale: str,
    key: str,
    statuses: tuple[CaseStatus, ...],
    years: tuple[int | None, int | None] | None,
) -> dict[Part, int]:
    from casework.accounts.models import User

    user = db.session.get(User, user_id)
    if years is None:
        where = and_(case_filter(user, Filters(statuses)), Case.act_date.is_(None))
    else:
        # From the year 0: every act with a date, and only those.
        where = case_filter(user, Filters(statuses, years[0] or 0, years[1]))
    return _parts(_single_table(key, where))


def _small_groups(atoms, shapes, regions, years, kinds, below) -> list[frozenset[int]]:
    """The groups audited, as sets of atoms holding some: each atom, and each shape (a part,
    or the parts of a published cell of one row) over the regions one filter could keep
    (consecutive years, or every year and none, by some classes of statuses), when they count
    1 to ``below`` less one."""
    known = [y for y in range(len(years)) if years[y] is not None]
    spans: list[frozenset[int]] = []
    for chosen in range(1, 2 ** len(kinds)):
        classes = [k for k in range(len(kinds)) if chosen >> k & 1]
        place = {region: r for r, region in enumerate(regions)}
        for i in range(len(known)):
            for j in range(i, len(known)):
                spans.append(frozenset(place[c, y] for c in classes for y in known[i : j + 1]))
        if len(known) < len(years):
            spans.append(frozenset(place[c, y] for c in classes for y in range(len(years))))
    groups: dict[frozenset[int], None] = {
        frozenset([number]): None for number, count in atoms.values() if count < below
    }
    for shape in shapes:
        held = [(r, atoms[part, r]) for part in shape for r in range(len(regions))
                if (part, r) in atoms]  # fmt: skip
        if not held:
            continue
        for span in spans:
            inside = [atom for r, atom in held if r in span]
            if inside and sum(count for _n, count in inside) < below:
                groups.setdefault(frozenset(n for n, _c in inside), None)
    return list(groups)


def _table_of(user: Any, key: str, filters: Filters) -> Table:
    return next(t for t in cached_statistics(user, filters) if t.key == key)


@dataclass(frozen=True)
class Hidden:
    """A count from 1 to ``below`` less one, not published: shown as "<5"."""

    below: int

    def __str__(self) -> str:
        return f"<{self.below}"


# A figure worked out from counts that are hidden (a response rate): not shown either.
WITHHELD = "–"


def suppress_below() -> int:
    """The smallest count published: the setting STATISTICS_SUPPRESS_BELOW (5 by default)."""
    return int(current_app.config["STATISTICS_SUPPRESS_BELOW"])


def publish(table: Table, below: int | None = None) -> Table:
    """``table`` as it may leave the organisation (its ``public_rows``): no count from 1 to
    ``below`` less one.

    In a partition (the rows add up to the cases or people counted, a total other tables give),
    the rows under ``below`` are combined into one last row, "Other"; while those are fewer
    than ``below`` together, the smallest other row joins them. No row then shows a small count,
    and none can be worked out as the total less the others. A partition within the rows of
    another table (the acts of a year) combines its groups as that table combines its rows
    (a year too small goes whole into "Other", with the years the year table puts there), then
    the rows within each group left (the year's total is published). A row that stands alone
    shows a small count as "<5", and a figure worked out from it (its rate) as "–".
    """
    below = suppress_below() if below is None else below
    rows = [row for row, _places in _publication(table, below)]
    return Table(table.key, table.title, table.columns, rows, partition=table.partition)


def _publication(table: Table, below: int) -> list[tuple[list[Any], tuple[int, ...]]]:
    """``publish``'s rows, each with the places of the public rows it counts (a row combined
    into "Other" is counted there): what the audit of publications reads them as."""
    public = table.rows if table.public_rows is None else table.public_rows
    other = _("Other (small groups combined)")
    if not table.partition:
        rows = [_hidden_cells(row, below, table.nested_cells) for row in public]
        if table.nested_rows:
            rows = _within_the_row_before(rows, public, below)
        return [(row, (i,)) for i, row in enumerate(rows)]
    if table.groups is None:
        return _combined(public, range(len(public)), below, other)
    members: dict[str, list[int]] = {}
    for place, group in enumerate(table.groups):
        members.setdefault(group, []).append(place)
    groups = list(members)
    joined = _joined([sum(int(public[i][1]) for i in members[g]) for g in groups], below)
    out: list[tuple[list[Any], tuple[int, ...]]] = []
    for i, group in enumerate(groups):
        if i not in joined:
            label = _("%(group)s · other (small groups combined)", group=group)
            out += _combined(public, members[group], below, label)
    if joined:
        places = tuple(p for i in sorted(joined) for p in members[groups[i]])
        together = sum(int(public[p][1]) for p in places)
        out.append(([other, _shown(together, below)], places))
    return out


def _shown(count: int, below: int) -> int | Hidden:
    return Hidden(below) if 0 < count < below else count


def _joined(counts: list[int], below: int) -> set[int]:
    """The places of the counts combined into "Other": those under ``below``, and while they
    are fewer than ``below`` together, the smallest other (the last of equals)."""
    joined = {i for i, n in enumerate(counts) if n < below}
    together = sum(counts[i] for i in joined)
    while joined and together < below and len(joined) < len(counts):
        smallest = min((i for i in range(len(counts)) if i not in joined),
                       key=lambda i: (counts[i], -i))  # fmt: skip
        joined.add(smallest)
        together += counts[smallest]
    return joined


def _combined(
    rows: list[list[Any]], places: Iterable[int], below: int, label: str
) -> list[tuple[list[Any], tuple[int, ...]]]:
    """The rows at ``places`` (one count each), the small ones combined into a last row
    ``label``; each with the places it counts."""
    places = list(places)
    joined = _joined([int(rows[p][1]) for p in places], below)
    kept = [(list(rows[p]), (p,)) for i, p in enumerate(places) if i not in joined]
    if not joined:
        return kept
    together = tuple(places[i] for i in sorted(joined))
    return [*kept, ([label, _shown(sum(int(rows[p][1]) for p in together), below)], together)]


def _hidden_cells(row: list[Any], below: int, nested: bool = False) -> list[Any]:
    """A row that stands alone: its small counts hidden, and its other figures with them.
    ``nested``: its later counts are within its first; one that falls short of the first by a
    small count is withheld ("–"), as that count would be worked out from the two."""
    first = row[1]
    counts: list[Any] = []
    for place, cell in enumerate(row[1:]):
        if isinstance(cell, int):
            short = first - cell if nested and place and isinstance(first, int) else 0
            cell = WITHHELD if 0 < short < below and cell >= below else _shown(cell, below)
        counts.append(cell)
    hidden = any(isinstance(cell, Hidden) or cell == WITHHELD for cell in counts)
    return [
        row[0],
        *(WITHHELD if hidden and not isinstance(cell, int | Hidden) else cell for cell in counts),
    ]


def _within_the_row_before(
    rows: list[list[Any]], exact: list[list[Any]], below: int
) -> list[list[Any]]:
    """Rows each counting within the one before: a count that falls short of the last one
    shown by a small count is withheld ("–"), as that count would be worked out from the two."""
    last: int | None = None
    out = []
    for row, counted in zip(rows, exact, strict=True):
        cell = row[1]
        if isinstance(cell, int) and last is not None and 0 < last - counted[1] < below:
            cell = WITHHELD
        if isinstance(cell, int):
            last = cell
        out.append([row[0], cell, *row[2:]])
    return out
