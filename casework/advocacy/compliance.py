"""Interim-measures compliance: was a person removed although a UN body asked the State not to?"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement

from casework.advocacy.models import AdvocacyAction
from casework.advocacy.services import case_actions
from casework.cases.events import case_events
from casework.cases.models import Case
from casework.core.i18n import N_, format_day, format_partial_date
from casework.core.i18n import gettext as _
from casework.core.types import PartialDate
from casework.core.vocab import ActionOutcome, EventType, Situation


@dataclass(frozen=True)
class Breach:
    """Interim measures were granted and the person was removed afterwards (or is removed).

    ``granted_on`` is the earliest known grant date (None: date unknown); ``removed_on`` the
    removal event's date (None: known only from the case's current situation).
    """

    granted_on: date | None
    removed_on: PartialDate | None
    granted_by: str
    action: AdvocacyAction | None = None

    @property
    def message(self) -> str:
        """What the case file says, in the reader's language and date convention."""
        values = {
            "by": self.granted_by,
            "granted": format_day(self.granted_on),
            "removed": format_partial_date(self.removed_on),
        }
        if self.granted_on and self.removed_on:
            text = N_(
                "Interim measures were granted on %(granted)s (%(by)s), yet the person was "
                "removed on %(removed)s."
            )
        elif self.granted_on:
            text = N_(
                "Interim measures were granted on %(granted)s (%(by)s), yet the person was removed."
            )
        elif self.removed_on:
            text = N_(
                "Interim measures were granted (%(by)s), yet the person was removed on %(removed)s."
            )
        else:
            text = N_("Interim measures were granted (%(by)s), yet the person was removed.")
        return _(text, **values)


def grant_clause() -> ColumnElement[bool]:
    """SQL over ``AdvocacyAction``: the action's outcome is a grant of interim measures
    (``is_grant``)."""
    return AdvocacyAction.outcome == ActionOutcome.INTERIM_MEASURES_GRANTED


def is_grant(action: AdvocacyAction) -> bool:
    """Interim measures were granted on this action, whatever carried the request: a rule 114
    or rule 94 request, the complaint itself, or a CED urgent action."""
    return action.outcome == ActionOutcome.INTERIM_MEASURES_GRANTED


def _grant_label(action: AdvocacyAction, *, with_reference: bool) -> str:
    """The request that was granted: its body, and its reference when known and asked (the
    action's own words: only for readers of every one of its cases)."""
    body = None
    if action.target_body is not None:
        body = action.target_body.local_short_name
    reference = action.reference_number if with_reference else None
    if body and reference:
        return _("%(body)s request %(ref)s", body=body, ref=reference)
    if body:
        return _("%(body)s request", body=body)
    return _("request %(ref)s", ref=reference) if reference else _("request")


def _grants(
    case: Case, worded: Collection[int]
) -> list[tuple[date | None, str, AdvocacyAction | None]]:
    grants: list[tuple[date | None, str, AdvocacyAction | None]] = []
    for action in case_actions(case):
        if is_grant(action):
            label = _grant_label(action, with_reference=action.id in worded)
            grants.append((action.response_on, label, action))
    for event in case_events(case):
        if event.event_type != EventType.INTERIM_MEASURES_GRANTED:
            continue
        grants.append((event.date.earliest() if event.date else None, _("recorded event"), None))
    return grants


def interim_measures_breach(case: Case, *, worded: Collection[int] = ()) -> Breach | None:
    """The breach of interim measures on this case, if any. The request is named by its
    reference number only for the actions of ``worded`` (ids: whose words the reader reads).

    A removal counts when a removal event may have happened on or after the grant (imprecise
    dates are read in the person's favour: flagged), or when the case's current situation is
    "removed" and no removal event is known to predate every grant. The statistics count the
    same rule in SQL (``reports.statistics.interim_measures``): change both together.
    """
    grants = _grants(case, worded)
    if not grants:
        return None
    dated = [g for g in grants if g[0] is not None]
    first = min(dated, key=lambda g: g[0]) if dated else grants[0]
    granted_on = first[0]
    removals = [e for e in case_events(case) if e.event_type == EventType.REMOVAL]
    for removal in sorted(removals, key=lambda e: (e.date is None, e.date or PartialDate(1900))):
        if removal.date is None or granted_on is None or removal.date.latest() >= granted_on:
            return Breach(granted_on, removal.date, first[1], first[2])
    if case.current_situation == Situation.REMOVED:
        all_before = removals and all(
            r.date is not None and granted_on is not None and r.date.latest() < granted_on
            for r in removals
        )
        if not all_before:
            return Breach(granted_on, None, first[1], first[2])
    return None
