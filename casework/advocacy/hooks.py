"""What advocacy adds to pages it does not own: the case panel, timeline, deadlines, dashboard."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import BuildError

from casework.advocacy import services
from casework.advocacy.compliance import interim_measures_breach
from casework.advocacy.models import AdvocacyAction
from casework.core.hooks import Deadline, TimelineItem
from casework.core.i18n import gettext as _
from casework.core.rowurls import row_url
from casework.core.vocab import ActionStatus, ActionType
from casework.permissions import (
    can_manage_advocacy,
    can_view_advocacy,
    can_view_identifying,
    knows_action_team,
    readable_action_texts,
    readable_case_ids,
    receives_org_followups,
)


def link(endpoint: str, **values: Any) -> str | None:
    """A URL when one can be built here (a request, or a configured server name), else None."""
    try:
        return row_url(endpoint, **values)
    except (RuntimeError, BuildError):
        return None


def action_label(action: AdvocacyAction, *, with_reference: bool = False) -> str:
    """A label of the action type and target body; with its reference number (identifying, so
    only for pages of readers of every one of its cases, never feeds or e-mails) when asked."""
    label = ActionType.labels()[action.action_type]
    if action.target_body is not None:
        label = _(
            "%(action)s to %(body)s",
            action=label,
            body=action.target_body.local_short_name,
        )
    if with_reference and action.reference_number:
        label += f" ({action.reference_number})"
    return label


def worded_actions(user: Any, actions: list[AdvocacyAction], case: Any = None) -> frozenset[int]:
    """The ids of those of ``actions`` whose own words (reference number...) ``user`` may read
    (``can_read_action_text``): one query for all of them, none when ``case`` (the file they
    are shown on) is their only case. An action of the case may concern other cases too, which
    the reader of this one may not read."""
    known = (case,) if case is not None else ()
    readable = readable_case_ids(user, {c.id for a in actions for c in a.cases}, known)
    return readable_action_texts(user, actions, readable)


def case_panel_context(case: Any, user: Any) -> dict[str, Any] | None:
    """The advocacy panel of a case file: its actions and, first, any interim-measures breach."""
    if not can_view_identifying(user, case):
        return None
    actions = services.case_actions(case)
    worded = worded_actions(user, actions, case)
    return {
        "case": case,
        "actions": actions,
        "worded": worded,
        # The actions whose follow-up date is still awaited (after a reply, only a next one).
        "due": frozenset(a.id for a in actions if services.is_due(a)),
        "breach": interim_measures_breach(case, worded=worded),
        "can_manage": can_manage_advocacy(user, case),
        "can_open": can_view_advocacy(user),
        "new_url": link("advocacy.new_case_action", case_public_id=case.public_id),
    }


def timeline(case: Any, user: Any) -> list[TimelineItem]:
    """Submissions, responses and status changes of the case's actions."""
    if not can_view_identifying(user, case):
        return []
    actions = services.case_actions(case)
    histories = services.status_histories(actions)
    may_open = can_view_advocacy(user)
    worded = worded_actions(user, actions, case)
    # An action may concern other cases, whose team this case's reader may not be told of.
    readable = readable_case_ids(user, {c.id for a in actions for c in a.cases}, (case,))
    named = frozenset(a.id for a in actions if knows_action_team(user, a, readable))
    items: list[TimelineItem] = []
    for action in actions:
        url = link("advocacy.action_detail", public_id=action.public_id) if may_open else None
        label = action_label(action, with_reference=action.id in worded)
        if action.submitted_on:
            items.append(
                TimelineItem(
                    when=action.submitted_on,
                    kind="action",
                    title=_("Submitted: %(action)s", action=label),
                    url=url,
                )
            )
        if action.response_on:
            items.append(
                TimelineItem(
                    when=action.response_on,
                    kind="action",
                    title=_("Response received: %(action)s", action=label),
                    body=action.outcome.label,
                    url=url,
                )
            )
        for entry in histories.get(action.public_id, []):
            details = entry.details or {}
            old = ActionStatus.parse(details.get("from_status"))
            new = ActionStatus.parse(details.get("to_status"))
            items.append(
                TimelineItem(
                    when=entry.at,
                    kind="status",
                    title=_(
                        "%(action)s \u2014 status: %(old)s \u2192 %(new)s",
                        action=label,
                        old=old.label if old else "?",
                        new=new.label if new else "?",
                    ),
                    url=url,
                    author=(entry.actor.display_name if action.id in named else _("Someone"))
                    if entry.actor
                    else None,
                )
            )
    return items


def _deadline(action: AdvocacyAction) -> Deadline:
    return Deadline(
        due=action.followup_due,
        label=_("Follow-up: %(action)s", action=action_label(action)),
        kind="followup",
        record=action.public_id,
        url=link("advocacy.action_detail", public_id=action.public_id),
    )


def deadlines(cases: list[Any]) -> dict[int, list[Deadline]]:
    """Follow-up dates of the cases' actions still waiting for a reply, per case id."""
    result: dict[int, list[Deadline]] = {}
    for case_id, action in services.open_followups_for_cases([c.id for c in cases]):
        result.setdefault(case_id, []).append(_deadline(action))
    return result


def case_deadlines(case: Any) -> list[Deadline]:
    """``deadlines`` of one case, from its actions as its file's panel and timeline read them
    (``services.case_actions``, once per request)."""
    due = [a for a in services.case_actions(case) if services.is_due(a)]
    return [_deadline(a) for a in sorted(due, key=lambda a: a.followup_due)]


# The dashboard shows this many of each list; the follow-up page has the longer lists.
DASHBOARD_LIMIT = 10


def dashboard_context(user: Any) -> dict[str, Any] | None:
    """The user's overdue follow-ups (and the organisation's, for coordinators)."""
    if not can_view_advocacy(user):
        return None
    org_wanted = receives_org_followups(user)
    due = services.followups(
        user,
        limit=DASHBOARD_LIMIT,
        org_without_mine=True,
        only=frozenset(
            {"mine_overdue", "mine_upcoming"} | ({"org_overdue"} if org_wanted else set())
        ),
    )
    org = due.org_overdue if org_wanted else []
    if not due.mine_overdue and not org and not due.mine_upcoming:
        return None
    return {
        "mine_overdue": due.mine_overdue,
        "mine_upcoming": due.mine_upcoming,
        "org_overdue": org,
        "today": due.today,
        "more": due.more,
        "readable": due.readable,
    }
