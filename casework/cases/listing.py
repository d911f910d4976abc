"""The case list: filters that live in the URL, sorting, pagination; urgent cases; name search."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import load_only, selectinload

from casework import permissions
from casework.cases.models import (
    ACT_DATE_ASC_KEY,
    ACT_DATE_DESC_KEY,
    URGENCY_RANK,
    Case,
    CaseMember,
    CasePerson,
    Event,
    StatusChange,
)
from casework.cases.services import drafts_missing, return_reasons
from casework.core import hooks, keyset
from casework.core.datacache import data_cached
from casework.core.db import db
from casework.core.i18n import N_, gettext
from casework.core.types import PartialDate
from casework.core.vocab import ActType, CaseStatus, EventType, TeamRole, Urgency
from casework.people.matching import SEARCH_CANDIDATES, SEARCH_THRESHOLD, matched_names
from casework.people.models import Person
from casework.people.names import latin_key

PAGE_SIZE = 25
# The dashboard's urgent panel shows this many open urgent and imminent cases, with a link to
# the filtered list.
URGENT_LIMIT = 20
# The dashboard's drafts panel shows its user's this many most recently changed drafts.
DRAFTS_LIMIT = 10
# The dashboard's panel of the cases returned to their creator shows this many, the most
# recently changed first.
RETURNED_LIMIT = 10
# The list counts its cases up to this many, then says "more than": a count never scans the
# whole archive.
COUNT_CAP = 1000
CURSOR_SALT = "case-list-cursor"

# sort -> keys: (expression, descending?), the last one unique.
SORTS: dict[str, list[keyset.Key]] = {
    "updated": [(Case.updated_at, True), (Case.id, True)],
    "created": [(Case.id, True)],
    "reference": [(Case.reference_key, False), (Case.id, False)],
    "act_date": [(ACT_DATE_DESC_KEY, True), (Case.id, True)],
    "act_date_asc": [(ACT_DATE_ASC_KEY, False), (Case.id, False)],
    "urgency": [(URGENCY_RANK, True), (Case.updated_at, True), (Case.id, True)],
    "status": [(Case.status, False), (Case.reference_key, False), (Case.id, False)],
}
# Choices of the status and urgency filters beyond a single value: the dashboard's urgent panel
# links to the list of the open cases marked urgent or imminent.
OPEN = "open"  # every status but closed
URGENT_OR_IMMINENT = "urgent_or_imminent"
_WIDER_CHOICES = {"status": (OPEN,), "urgency": (URGENT_OR_IMMINENT,)}
# The filters of one value of a vocabulary (or one of its wider choices).
_VOCAB_FILTERS: dict[str, type[CaseStatus | Urgency | ActType]] = {
    "status": CaseStatus,
    "urgency": Urgency,
    "act_type": ActType,
}


def filter_choices(name: str) -> tuple[str, ...]:
    """The values the filter ``name`` takes (its vocabulary's, then its wider choices): what
    the API states and checks of it."""
    return tuple(member.value for member in _VOCAB_FILTERS[name]) + _WIDER_CHOICES.get(name, ())


SORT_LABELS = {
    "updated": N_("Recently updated"),
    "created": N_("Newest first"),
    "reference": N_("Reference"),
    "act_date": N_("Date of the act (newest first)"),
    "act_date_asc": N_("Date of the act (oldest first)"),
    "urgency": N_("Urgency"),
    "status": N_("Status"),
}
# A filter's value that is none of its vocabulary's: ignored, with one of these.
_UNKNOWN_VALUE = {
    "status": N_("Unknown status \u201c%(value)s\u201d ignored."),
    "urgency": N_("Unknown urgency \u201c%(value)s\u201d ignored."),
    "act_type": N_("Unknown act type \u201c%(value)s\u201d ignored."),
}


@dataclass
class CaseFilters:
    """Filters of the case list; every value is plain, non-identifying, URL-safe text."""

    status: str = ""
    urgency: str = ""
    act_type: str = ""
    nationality: str = ""
    ethnicity: str = ""
    destination: str = ""
    date_from: date | None = None
    date_to: date | None = None
    lawyer: str = ""
    mine: bool = False
    created_by_me: bool = False
    provision: str = ""
    reference: str = ""
    sort: str = "updated"
    cursor: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: Any) -> CaseFilters:
        """Read filters from request args; unreadable values are dropped with a message."""
        f = cls()
        errors = f.errors
        for name, vocab in _VOCAB_FILTERS.items():
            value = (args.get(name) or "").strip()
            if value and vocab.parse(value) is None and value not in _WIDER_CHOICES.get(name, ()):
                errors.append(gettext(_UNKNOWN_VALUE[name], value=value))
            elif value:
                setattr(f, name, value)
        for name in ("nationality", "destination"):
            value = (args.get(name) or "").strip().upper()
            if value and len(value) == 2 and value.isalpha():
                setattr(f, name, value)
            elif value:
                errors.append(
                    gettext("Unknown country code \u201c%(value)s\u201d ignored.", value=value)
                )
        f.ethnicity = (args.get("ethnicity") or "").strip()[:80]
        f.lawyer = (args.get("lawyer") or "").strip()[:40]
        f.provision = (args.get("provision") or "").strip()[:40]
        f.reference = (args.get("reference") or "").strip()[:40]
        f.mine = args.get("mine") in ("1", "on", "true", "y")
        f.created_by_me = args.get("created_by_me") in ("1", "on", "true", "y")
        for name in ("date_from", "date_to"):
            value = (args.get(name) or "").strip()
            if value:
                try:
                    day = date.fromisoformat(value)
                except ValueError:
                    errors.append(
                        gettext(
                            "\u201c%(value)s\u201d is not a date (YYYY-MM-DD); ignored.",
                            value=value,
                        )
                    )
                    continue
                if not PartialDate.MIN_YEAR <= day.year <= PartialDate.MAX_YEAR:
                    errors.append(
                        gettext(
                            "\u201c%(value)s\u201d is outside the years cases are recorded for "
                            "(%(first)s-%(last)s); ignored.",
                            value=value,
                            first=PartialDate.MIN_YEAR,
                            last=PartialDate.MAX_YEAR,
                        )
                    )
                    continue
                setattr(f, name, day)
        sort = args.get("sort") or "updated"
        f.sort = sort if sort in SORTS else "updated"
        f.cursor = (args.get("cursor") or "").strip()[:200]
        return f

    def identifying(self) -> bool:
        """Does a filter read identifying data (people's attributes, legal assessments)?"""
        return bool(self.nationality or self.ethnicity or self.provision)

    def args(self, **changes: Any) -> dict[str, Any]:
        """These filters as URL arguments (for links that keep them), with ``changes``."""
        data = {
            "status": self.status,
            "urgency": self.urgency,
            "act_type": self.act_type,
            "nationality": self.nationality,
            "ethnicity": self.ethnicity,
            "destination": self.destination,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "lawyer": self.lawyer,
            "mine": "1" if self.mine else "",
            "created_by_me": "1" if self.created_by_me else "",
            "provision": self.provision,
            "reference": self.reference,
            "sort": self.sort if self.sort != "updated" else "",
            "cursor": self.cursor,
        }
        data.update(changes)
        return {k: v for k, v in data.items() if v not in ("", None, False)}


def _person_clause(condition: Any) -> Any:
    return exists(
        select(CasePerson.id)
        .join(Person, Person.id == CasePerson.person_id)
        .where(CasePerson.case_id == Case.id, CasePerson.hidden_at.is_(None), condition)
    )


def filtered_query(user: Any, f: CaseFilters) -> Select:
    """Cases the user may see, narrowed by ``f`` (not yet sorted or paginated)."""
    # A discarded draft leaves the lists (its page stays, for a coordinator to bring it back).
    query = select(Case).where(permissions.visible_cases_clause(user), Case.hidden_at.is_(None))
    if f.identifying():
        # A filter on identifying data must not confirm it for cases the user may not read.
        query = query.where(permissions.readable_cases_clause(user))
    if f.status == OPEN:
        query = query.where(Case.status != CaseStatus.CLOSED)
    elif f.status:
        query = query.where(Case.status == f.status)
    if f.urgency == URGENT_OR_IMMINENT:
        query = query.where(Case.urgency.in_([Urgency.URGENT, Urgency.IMMINENT]))
    elif f.urgency:
        query = query.where(Case.urgency == f.urgency)
    if f.act_type:
        query = query.where(Case.act_type == f.act_type)
    if f.destination:
        query = query.where(Case.destination_country == f.destination)
    if f.nationality:
        query = query.where(_person_clause(Person.nationality == f.nationality))
    if f.ethnicity:
        query = query.where(_person_clause(func.lower(Person.ethnicity) == f.ethnicity.lower()))
    if f.date_from:
        # A partial date (ISO text) matches if any day it may stand for is in the range.
        start = f.date_from.isoformat()
        query = query.where(Case.act_date >= func.substr(start, 1, func.length(Case.act_date)))
    if f.date_to:
        query = query.where(Case.act_date <= f.date_to.isoformat())
    if f.lawyer:
        from casework.accounts.models import User

        # Who a case's lawyer is tells who works on it: only of cases whose team the user knows.
        query = query.where(permissions.known_teams_clause(user))
        query = query.where(
            exists(
                select(CaseMember.id)
                .join(User, User.id == CaseMember.user_id)
                .where(
                    CaseMember.case_id == Case.id,
                    CaseMember.team_role == TeamRole.LAWYER,
                    User.public_id == f.lawyer,
                )
            )
        )
    if f.mine:
        # IN, not EXISTS: a user's own cases are few, read off the team index by user.
        query = query.where(
            Case.id.in_(select(CaseMember.case_id).where(CaseMember.user_id == user.id))
        )
    if f.created_by_me:
        # Read off the index by creator, status and date of change (the drafts panel's order).
        query = query.where(Case.created_by_id == user.id)
    if f.provision:
        from casework.legal.models import CaseProvision
        from casework.legal.services import case_ids_citing

        # EXISTS, not IN: the planner may then walk the sort's index and stop at the page's
        # end, rather than read every case citing the provision and sort them all.
        citing = case_ids_citing(f.provision).where(CaseProvision.case_id == Case.id)
        query = query.where(exists(citing))
    if f.reference:
        query = query.where(reference_clause(f.reference))
    return query


# A reference filter matching up to this many cases takes them by id (``reference_clause``).
REFERENCE_IDS = 200


def reference_clause(text: str) -> ColumnElement[bool]:
    """The cases whose reference contains ``text`` (any case, ``%`` and ``_`` literal).

    Only our own reference: an organisation's own reference is encrypted at rest. A case dated
    since keeps its year-less reference findable. Asked as it is, "contains" has a list walk
    its order and ask every case, twice (count and page), before it knows that one case has
    the reference typed. So the cases are first looked for in the references alone: through
    PostgreSQL's trigram index where ``pg_trgm`` could be installed, else reading every
    reference once (SQLite reads their index). Up to REFERENCE_IDS of them, the list takes
    them by id. Beyond, the term is common (``KZ-2011``) and the list's walk fills a page
    early: the look-up stops at REFERENCE_IDS + 1 found.
    """
    term = text.strip().upper()
    contains = [
        Case.reference.contains(term, autoescape=True),
        Case.former_reference.contains(term, autoescape=True),
    ]
    lookups = (
        select(Case.id).where(contains[0]),
        # Few cases have a former reference: its index skips the others.
        select(Case.id).where(Case.former_reference.is_not(None), contains[1]),
    )
    found: set[int] = set()
    for ids in lookups:
        found.update(db.session.scalars(ids.limit(REFERENCE_IDS + 1)))
        if len(found) > REFERENCE_IDS:
            return or_(*contains)
    return Case.id.in_(sorted(found))


@dataclass
class CasePage:
    """One page of the list. ``total`` counts up to COUNT_CAP (``more_than``: there are more);
    the cursors lead to the pages before and after (None at either end); ``notice`` says why
    the list started again from the top (a cursor that is stale or not ours)."""

    items: list[Case]
    total: int
    more_than: bool
    next_cursor: str | None
    prev_cursor: str | None
    notice: str | None = None
    readable: frozenset[int] = frozenset()  # the rows whose identifying data the user may read


def _secret() -> Any:
    return current_app.config["SECRET_KEY"]


def count_capped(query: Select, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, more than ``cap``?) of the rows of ``query``, reading at most cap + 1 of them."""
    limited = query.order_by(None).with_only_columns(Case.id).limit(cap + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(limited)) or 0
    return min(total, cap), total > cap


def page_after(
    user: Any,
    query: Select,
    sort: str,
    cursor: str,
    salt: str,
    size: int,
    columns: tuple[Any, ...] = (),
    team: bool = True,
) -> tuple[list[Case], str | None, str | None]:
    """One page of ``query`` in the order of ``SORTS[sort]`` after (or before) the cursor's row:
    (rows, cursor of the previous page, cursor of the next page). The case list and the API
    page with it; ``columns``, when given, are the only ones loaded (``LISTED``), and ``team``
    loads each row's team for the policy (the case list asks the policy for the whole page at
    once instead). Raises ``keyset.BadCursor`` for a cursor that is not ours or has gone
    stale."""
    return keyset.page(
        # The team: what the policy reads for each row (the list shows no people).
        query.options(
            *([selectinload(Case.members)] if team else []),
            *([load_only(*columns)] if columns else []),
        ),
        id_column=Case.id,
        keys=SORTS[sort],
        sort=sort,
        cursor=cursor,
        secret=_secret(),
        salt=salt,
        size=size,
        visible=permissions.visible_cases_clause(user),
    )


def counted(user: Any, f: CaseFilters) -> tuple[int, bool]:
    """``count_capped`` of the filtered list, computed once per change of the data
    (``casework.core.datacache``): a selective filter reads many cases to count a thousand."""
    from casework.audit.services import data_version

    return _count_of(data_version(), user.id, tuple(sorted(f.args(sort="", cursor="").items())))


@data_cached(maxsize=1024)
def _count_of(version: str, user_id: int, filters: tuple[tuple[str, str], ...]) -> tuple[int, bool]:
    from casework.accounts.models import User

    user = db.session.get(User, user_id)
    return count_capped(filtered_query(user, CaseFilters.from_args(dict(filters))))


# What a row of the case table shows and the policy reads besides the team: a list neither
# loads nor decrypts the rest of a case (its narrative above all).
LISTED: tuple[Any, ...] = (
    Case.public_id,
    Case.reference,
    Case.title,
    Case.status,
    Case.urgency,
    Case.restricted,
    Case.act_type,
    Case.act_date,
    Case.act_date_approximate,
    Case.destination_country,
    Case.updated_at,
)


def list_cases(user: Any, f: CaseFilters, page_size: int = PAGE_SIZE) -> CasePage:
    """One page of the filtered, sorted case list: a fixed number of queries at any depth."""
    base = filtered_query(user, f)
    total, more_than = counted(user, f)
    (items, prev_cursor, next_cursor), notice = keyset.or_from_top(
        lambda at: page_after(user, base, f.sort, at, CURSOR_SALT, page_size, LISTED, team=False),
        f.cursor,
    )
    if notice:
        f.cursor = ""
    readable = permissions.readable_case_ids(user, [case.id for case in items])
    return CasePage(items, total, more_than, next_cursor, prev_cursor, notice, readable)


# --- urgent cases ---------------------------------------------------------------------------

_DETENTION_EVENTS = (EventType.ARREST, EventType.DETENTION_PENDING_EXTRADITION)
# An event that ends a detention: the person was released.
_END_OF_DETENTION_EVENTS = (EventType.RELEASE,)


@dataclass
class UrgentCase:
    case: Case
    detained_since: Any  # PartialDate or None
    days_detained: int | None
    next_deadline: hooks.Deadline | None


def _detention_clause() -> tuple[Any, ...]:
    kinds = _DETENTION_EVENTS + _END_OF_DETENTION_EVENTS
    return (
        Event.hidden_at.is_(None),
        Event.event_type.in_([e.value for e in kinds]),
        Event.date.is_not(None),
    )


def detention_start(case: Case) -> Any:
    """The date of the latest arrest or detention pending extradition (a PartialDate), unless a
    release is recorded since; None when not known to be detained."""
    return detention_starts([case.id]).get(case.id)


def _as_date(value: Any) -> PartialDate | None:
    if not value:
        return None
    return value if isinstance(value, PartialDate) else PartialDate.parse(value)


def detention_starts(case_ids: list[int]) -> dict[int, Any]:
    """``detention_start`` of many cases in one query: {case id: PartialDate}. A release ends
    the detention unless it is known to come before the latest arrest or detention."""
    if not case_ids:
        return {}
    detained = Event.event_type.in_([e.value for e in _DETENTION_EVENTS])
    rows = db.session.execute(
        select(
            Event.case_id,
            func.max(sql_case((detained, Event.date))),
            func.max(sql_case((~detained, Event.date))),
        )
        .where(Event.case_id.in_(case_ids), *_detention_clause())
        .group_by(Event.case_id)
    )
    starts: dict[int, Any] = {}
    for case_id, start_value, release_value in rows:
        start = _still_detained(_as_date(start_value), _as_date(release_value))
        if start is not None:
            starts[case_id] = start
    return starts


def detention_start_in(events: Iterable[Event]) -> Any:
    """``detention_start`` from a case's events already read (the case file's timeline): the
    latest dates as the query takes them, the greatest ISO text."""

    shown = [e for e in events if e.hidden_at is None and e.date is not None]

    def latest(kinds: tuple[EventType, ...]) -> str | None:
        return max((e.date.iso() for e in shown if e.event_type in kinds), default=None)

    return _still_detained(
        _as_date(latest(_DETENTION_EVENTS)), _as_date(latest(_END_OF_DETENTION_EVENTS))
    )


def _still_detained(start: PartialDate | None, release: PartialDate | None) -> Any:
    """The detention's start, unless a release is not known to come before it."""
    if start is not None and (release is None or release.latest() < start.earliest()):
        return start
    return None


@dataclass
class CasePanel:
    """A dashboard panel: the first rows of a filtered case list, in the list's order; how
    many the list holds, counted as the list counts (up to COUNT_CAP; ``more_than``: there are
    more); the list's URL arguments, for a link to all of them; and the rows whose identifying
    data the user may read (the policy asked once for all of them)."""

    items: list[Any]
    total: int
    more_than: bool
    list_args: dict[str, Any]
    readable: frozenset[int] = frozenset()

    @property
    def cut(self) -> bool:
        """Does the list hold more than the panel shows?"""
        return self.more_than or self.total > len(self.items)


@functools.cache
def _loaded(columns: tuple[Any, ...]) -> Any:
    # Each panel's loader option built once (a query never changes an option it uses).
    return load_only(*columns)


def first_of(
    user: Any, f: CaseFilters, limit: int, columns: tuple[Any, ...] = LISTED
) -> list[Case]:
    """The first ``limit`` cases of the filtered list, in its order (its first page's rows),
    with ``columns`` loaded (what a row of the case table shows, by default)."""
    query = (
        filtered_query(user, f)
        .options(_loaded(columns))
        .order_by(*keyset.order_by(SORTS[f.sort]))
        .limit(limit)
    )
    return list(db.session.scalars(query))


# What a row of the urgent panel shows: no title (a sealed text, left unopened).
URGENT_SHOWN: tuple[Any, ...] = (
    Case.public_id,
    Case.reference,
    Case.urgency,
    Case.act_type,
    Case.destination_country,
)


def urgent_filters() -> CaseFilters:
    """The open cases marked urgent or imminent, imminent first, then the most recently
    updated: the dashboard's urgent panel and the list it links to."""
    return CaseFilters(status=OPEN, urgency=URGENT_OR_IMMINENT, sort="urgency")


def urgent_cases(user: Any, today: date | None = None, limit: int | None = None) -> CasePanel:
    """The ``limit`` most urgent of the open urgent and imminent cases the user may see
    (``urgent_filters``), with days since detention and the next deadline, and how many there
    are (counted as the list counts). A fixed number of queries, whatever the number of cases;
    detention and deadlines (which may carry details) only of cases the user may read."""
    today = today or date.today()
    f = urgent_filters()
    cases = first_of(user, f, URGENT_LIMIT if limit is None else limit, URGENT_SHOWN)
    total, more_than = counted(user, f)
    readable = permissions.readable_case_ids(user, [c.id for c in cases])
    starts = detention_starts([c.id for c in cases if c.id in readable])
    all_deadlines = hooks.deadlines_by_case([c for c in cases if c.id in readable])
    result = []
    for case in cases:
        since = starts.get(case.id)
        days = (today - since.earliest()).days if since is not None else None
        deadlines = all_deadlines.get(case.id, [])
        upcoming = next(
            (d for d in deadlines if d.due >= today), deadlines[-1] if deadlines else None
        )
        result.append(UrgentCase(case, since, days, upcoming))
    return CasePanel(result, total, more_than, f.args(), readable)


# --- the user's own drafts -----------------------------------------------------------------


@dataclass
class DraftToComplete:
    case: Case
    # What a full save needs that the draft lacks (keys of ``services.MISSING_FACTS``, empty:
    # nothing), or None for a case whose people the user may not read.
    missing: list[str] | None


def drafts_filters() -> CaseFilters:
    """The user's own drafts, the most recently changed first: the dashboard's drafts panel
    and the list it links to (the cases they created and the policy still shows them)."""
    return CaseFilters(status=CaseStatus.DRAFT.value, created_by_me=True)


def own_drafts(user: Any, limit: int | None = None) -> CasePanel:
    """The ``limit`` most recently changed of the user's own drafts, each with what it lacks
    of what a full save needs, and how many there are (counted as the list counts). A fixed
    number of queries, whatever the number of cases."""
    limit = DRAFTS_LIMIT if limit is None else limit
    return _own_panel(user, drafts_filters(), limit, drafts_missing, DraftToComplete)


def _own_panel(
    user: Any,
    f: CaseFilters,
    limit: int,
    details: Callable[[list[Case]], dict[int, Any]],
    item: Callable[[Case, Any], Any],
) -> CasePanel:
    """A dashboard panel: the ``limit`` most recently changed cases of ``f``, each an ``item``
    with its ``details`` (read in one query, of the cases the user may read only), and how many
    there are (counted as the list counts)."""
    cases = first_of(user, f, limit)
    total, more_than = counted(user, f)
    readable = permissions.readable_case_ids(user, [c.id for c in cases])
    found = details([c for c in cases if c.id in readable])
    items = [item(case, found.get(case.id)) for case in cases]
    return CasePanel(items, total, more_than, f.args(), readable)


# --- the cases returned to their creator --------------------------------------------------


@dataclass
class ReturnedCase:
    case: Case
    # The reviewer's step that returned it (their reason, name and day), or None for a case
    # whose identifying data the user may not read.
    returned: StatusChange | None


def returned_filters() -> CaseFilters:
    """The cases the user created that a reviewer returned to the monitor, the most recently
    changed first: the dashboard's panel and the list it links to (of the cases the policy
    still shows them). A case submitted again leaves them."""
    return CaseFilters(status=CaseStatus.RETURNED.value, created_by_me=True)


def returned_to_me(user: Any, limit: int | None = None) -> CasePanel:
    """The ``limit`` most recently changed of the cases returned to the user
    (``returned_filters``), each with the step that returned it, and how many there are
    (counted as the list counts). A fixed number of queries, whatever the number of cases or
    of their returns; the reasons (typed text) only of the cases the user may read."""
    limit = RETURNED_LIMIT if limit is None else limit
    return _own_panel(user, returned_filters(), limit, return_reasons, ReturnedCase)


# --- name search (POST only: names never go in a URL) ---------------------------------------


# A name search shows this many cases, the best matches first.
NAME_RESULTS = 50
# What a case found by a name shows of itself (the pages, the API and the full-text search
# alike): its link, its reference and its status; never its title, which is not decrypted.
NAME_FOUND: tuple[Any, ...] = (Case.public_id, Case.reference, Case.status)


def name_search_page(user: Any, text: str) -> tuple[list[tuple[Case, str]], bool]:
    """The NAME_RESULTS best cases of a name search, and whether more match (a common surname
    is borne by thousands: the page then asks for more of the name)."""
    found = search_by_name(user, text, limit=NAME_RESULTS + 1)
    return found[:NAME_RESULTS], len(found) > NAME_RESULTS


def search_by_name(user: Any, text: str, limit: int = NAME_RESULTS) -> list[tuple[Case, str]]:
    """Cases whose people may be called ``text``, in any script or transliteration.

    Candidates come from the blind index of matching keys (never a scan of all names); only
    people and cases whose identifying data the user may see are returned, with the matched name.
    """
    if len(latin_key(text).replace(" ", "")) < 2:
        return []
    found = matched_names(
        user, [text], threshold=SEARCH_THRESHOLD, limit=limit, candidates=SEARCH_CANDIDATES
    )
    if not found:
        return []
    matched = dict(found)
    rows = db.session.execute(
        select(Case, CasePerson.person_id)
        .join(CasePerson, CasePerson.case_id == Case.id)
        .where(
            CasePerson.person_id.in_(matched),
            CasePerson.hidden_at.is_(None),
            Case.hidden_at.is_(None),  # a discarded draft has left the lists
            permissions.readable_cases_clause(user),
        )
        .options(load_only(*NAME_FOUND))
        .order_by(Case.reference_key)
    )
    rank = {person_id: i for i, (person_id, _) in enumerate(found)}
    seen: set[int] = set()
    results: list[tuple[int, Case, str]] = []
    for case, person_id in rows:
        if case.id in seen:
            continue
        seen.add(case.id)
        results.append((rank[person_id], case, matched[person_id]))
    results.sort(key=lambda r: r[0])
    return [(case, name) for _, case, name in results[:limit]]
