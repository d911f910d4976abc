"""Extension points through which each area adds to pages it does not own.

- case panels: sections of the case file page (legal grounds, remedies, advocacy...);
- timeline providers: items merged into a case's chronological timeline;
- dashboard sections: panels on every user's dashboard (deadlines, overdue follow-ups...).

Each area registers its hooks in its views module's ``init_app(app)``. Every hook receives
the current user and must apply the permission rules itself (``casework.permissions``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from casework.core.i18n import N_, format_moment, format_partial_date, translate
from casework.core.requestmemo import per_request
from casework.core.types import PartialDate


@dataclass(frozen=True)
class CasePanel:
    """A section of the case file: ``template`` is rendered with ``context(case, user)``.

    ``context`` returns None when the user may not see the panel at all.
    """

    name: str
    title: str
    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class DashboardSection:
    """A panel of the dashboard: ``template`` rendered with ``context(user)`` (None: skip)."""

    name: str
    template: str
    context: Callable[[Any], dict[str, Any] | None]
    order: int = 100


@dataclass
class TimelineItem:
    """One entry of a case timeline.

    ``when`` is a PartialDate (facts), a date or a datetime (records); None sorts last.
    ``kind`` is a short machine name (event, document, comment, status, action, legal...).
    """

    when: PartialDate | date | datetime | None
    kind: str
    title: str
    body: str | None = None
    url: str | None = None
    author: str | None = None
    hidden: bool = False
    approximate: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> tuple[int, str]:
        if self.when is None:
            return (1, "")
        if isinstance(self.when, PartialDate):
            return (0, self.when.iso())
        return (0, self.when.isoformat())

    @property
    def when_label(self) -> str:
        """The date in the reader's convention (a moment: date, time and UTC)."""
        if self.when is None:
            return translate(N_("Date unknown"))
        if isinstance(self.when, datetime):
            return f"{format_moment(self.when)} UTC"
        return format_partial_date(self.when, self.approximate)


# The kinds of timeline items, as the case file names them (translated there).
TIMELINE_KINDS = (
    N_("event"),
    N_("status"),
    N_("comment"),
    N_("document"),
    N_("action"),
    N_("legal"),
    N_("remedy"),
)

TimelineProvider = Callable[[Any, Any], list[TimelineItem]]


@dataclass(frozen=True)
class Deadline:
    """A dated thing to do on a case (an appeal deadline, a follow-up due...). ``record`` is
    the public id of the record whose deadline it is (the remedy, the action): with ``kind``,
    what names the deadline whatever its date and whatever other deadlines the case has."""

    due: date
    label: str
    kind: str
    record: str
    url: str | None = None


# provider(cases) -> {case id: that case's open deadlines}: one query for any number of cases.
DeadlineProvider = Callable[[list[Any]], dict[int, list[Deadline]]]
# pending(since) -> a SQL condition over cases, true of every case the provider may give a
# deadline due on or after ``since``.
PendingClause = Callable[[date], Any]

_case_panels: list[CasePanel] = []
_dashboard_sections: list[DashboardSection] = []
_timeline_providers: list[tuple[str, TimelineProvider]] = []
_deadline_providers: list[tuple[str, DeadlineProvider]] = []
_deadline_pending: dict[str, PendingClause] = {}
# of_case(case) -> the case's open deadlines, from what its file reads anyway (once per request).
_deadline_of_case: dict[str, Callable[[Any], list[Deadline]]] = {}


def register_case_panel(panel: CasePanel) -> None:
    if all(p.name != panel.name for p in _case_panels):
        _case_panels.append(panel)
        _case_panels.sort(key=lambda p: p.order)


def register_dashboard_section(section: DashboardSection) -> None:
    if all(s.name != section.name for s in _dashboard_sections):
        _dashboard_sections.append(section)
        _dashboard_sections.sort(key=lambda s: s.order)


def register_timeline_provider(name: str, provider: TimelineProvider) -> None:
    if all(n != name for n, _ in _timeline_providers):
        _timeline_providers.append((name, provider))


def register_deadline_provider(
    name: str,
    provider: DeadlineProvider,
    pending: PendingClause,
    of_case: Callable[[Any], list[Deadline]] | None = None,
) -> None:
    """``provider(cases)`` maps each case id to its open deadlines (past ones included);
    ``pending(since)`` is a SQL condition true of every case it may give one due on or after
    ``since`` (so that a list of deadlines reads those cases only, not the archive);
    ``of_case(case)``, when given, gives one case's (as ``provider`` would) from the records its
    file reads for its panels, instead of reading them again."""
    if all(n != name for n, _ in _deadline_providers):
        _deadline_providers.append((name, provider))
        _deadline_pending[name] = pending
        if of_case is not None:
            _deadline_of_case[name] = of_case


def pending_deadlines_clauses(since: date) -> list[Any]:
    """One SQL condition per deadline provider: a case with an open deadline due on or after
    ``since`` meets one."""
    return [_deadline_pending[name](since) for name, _ in _deadline_providers]


def deadlines_by_case(cases: list[Any]) -> dict[int, list[Deadline]]:
    """Every open deadline of each case, soonest first, with one query per provider."""
    result: dict[int, list[Deadline]] = {case.id: [] for case in cases}
    if not cases:
        return result
    for _, provider in _deadline_providers:
        for case_id, items in provider(cases).items():
            result[case_id].extend(items)
    for items in result.values():
        items.sort(key=lambda d: d.due)
    return result


@per_request
def case_deadlines(case: Any) -> list[Deadline]:
    """Every open deadline of the case, soonest first (read once per request: the case file
    and its panels each show some), from the records its panels read where a provider can."""
    result: list[Deadline] = []
    for name, provider in _deadline_providers:
        of_case = _deadline_of_case.get(name)
        result.extend(of_case(case) if of_case else provider([case]).get(case.id, []))
    result.sort(key=lambda d: d.due)
    return result


def case_panels(case: Any, user: Any) -> list[tuple[CasePanel, dict[str, Any]]]:
    """The panels this user may see on this case's file, with their contexts."""
    result = []
    for panel in _case_panels:
        context = panel.context(case, user)
        if context is not None:
            result.append((panel, context))
    return result


def dashboard_sections(user: Any) -> list[tuple[DashboardSection, dict[str, Any]]]:
    result = []
    for section in _dashboard_sections:
        context = section.context(user)
        if context is not None:
            result.append((section, context))
    return result


def timeline_items(case: Any, user: Any) -> list[TimelineItem]:
    """Every provider's items for the case, in chronological order (unknown dates last)."""
    items: list[TimelineItem] = []
    for _, provider in _timeline_providers:
        items.extend(provider(case, user))
    return sorted(items, key=lambda item: item.sort_key)
