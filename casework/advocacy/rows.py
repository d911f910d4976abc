"""The rows of a follow-up table, written out in Python: the overview and the dashboard write a
hundred of them, and Jinja spends some three hundred calls on each row of cells (an escaped
output, an attribute, a call through the template context each costs several). Every value is
escaped here as the template escapes it; the catalogue's texts are markup there, as here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from flask import current_app
from markupsafe import Markup, escape

from casework.advocacy.services import FollowUpRow
from casework.core.i18n import format_day, gettext, ngettext
from casework.core.rowurls import row_url
from casework.core.vocab import ActionOutcome, ActionStatus, ActionType

_ROW = (
    '\n  <tr>\n    <td data-label="%s"><span class="nowrap">%s</span>%s</td>\n'
    '    <td data-label="%s"><a href="%s">%s</a><br><small>%s%s</small></td>\n'
    '    <td data-label="%s">%s</td>\n'
    '    <td data-label="%s"><span class="badge status-pill">%s</span></td>\n'
    "    %s\n  </tr>\n  "
)


def followup_rows(
    rows: Sequence[FollowUpRow],
    today: date,
    show_responsible: bool,
    columns: Sequence[str],
    case_url: Any,
) -> Markup:
    """Each row's ``<tr>`` (``followup_table``): ``columns`` the five column labels,
    ``case_url`` the template's global for a case's link. Each day, lateness and label is
    written once for every row that shows it."""
    case_ref = current_app.jinja_env.filters["case_ref"]  # every page's reference
    types, statuses = ActionType.labels(), ActionStatus.labels()
    withheld = gettext("Withheld: this action also concerns a case you may not read.")
    withheld = f'<em class="muted">{withheld}</em>'
    thematic = f'<span class="badge">{gettext("thematic")}</span>'
    due_by, action_col, cases_col, status_col, responsible_col = (str(c) for c in columns)
    days: dict[date, str] = {}
    late: dict[int, str] = {}
    out = []
    for row in rows:
        due = row.followup_due
        day = days.get(due)
        if day is None:
            day = days[due] = escape(format_day(due))
        behind = ""
        if due < today:
            n = (today - due).days
            behind = late.get(n)
            if behind is None:
                text = ngettext("%(num)s day late", "%(num)s days late", n)
                behind = late[n] = f' <span class="badge urgency-imminent">{text}</span>'
        label = types[row.action_type]
        title = f'<span dir="auto">{escape(row.title or label)}</span>' if row.words else withheld
        if row.body:
            kind = gettext("%(action)s to %(body)s", action=escape(label), body=escape(row.body))
        else:
            kind = escape(label)
        reference = ""
        if row.reference_number:
            reference = f' · <span dir="auto">{escape(row.reference_number)}</span>'
        refs = []
        for case in row.shown_cases:
            url = case_url(case)
            written = case_ref(case.reference)
            refs.append(f'<a href="{escape(url)}">{written}</a>' if url else written)
        responsible = ""
        if show_responsible:
            name = "—" if row.responsible is None else row.responsible
            responsible = f'<td data-label="{responsible_col}">{escape(name)}</td>'
        url = escape(row_url("advocacy.action_detail", public_id=row.public_id))
        out.append(
            _ROW
            % (
                due_by,
                day,
                behind,
                action_col,
                url,
                title,
                kind,
                reference,
                cases_col,
                ", ".join(refs) if refs else thematic,
                status_col,
                escape(statuses[row.status]),
                responsible,
            )
        )
    # Every value above is escaped, every text the catalogue's (as in the template).
    return Markup("".join(out))  # noqa: S704  # nosec B704


_ACTION = (
    '\n  <tr>\n    <td data-label="%s">%s%s</td>\n'
    '    <td data-label="%s">%s</td>\n'
    '    <td data-label="%s"><span class="badge status-pill">%s</span></td>\n'
    '    <td data-label="%s">%s</td>\n'
    '    <td data-label="%s">%s</td>\n'
    '    <td data-label="%s">%s</td>\n  </tr>\n  '
)


def case_action_rows(
    actions: Sequence[Any],
    worded: Collection[int],
    due: Collection[int],
    can_open: bool,
    columns: Sequence[str],
) -> Markup:
    """Each ``<tr>`` of a case file's advocacy panel (``advocacy/_case_panel.html``): the
    action's type (linked for who may open it), its reference number (for who may read its
    words: ``worded``), the body addressed, status, day submitted, follow-up day (for those
    ``due``) and outcome. ``columns``: the six column labels. Each label and day is written
    once for every row that shows it."""
    types, statuses, outcomes = ActionType.labels(), ActionStatus.labels(), ActionOutcome.labels()
    action_col, body_col, status_col, submitted_col, due_col, outcome_col = (
        str(c) for c in columns
    )
    days: dict[Any, str] = {}

    def day(value: Any) -> str:
        written = days.get(value)
        if written is None:
            written = days[value] = escape(format_day(value))
        return written

    out = []
    for action in actions:
        kind = escape(types[action.action_type])
        if can_open:
            url = row_url("advocacy.action_detail", public_id=action.public_id)
            kind = f'<a href="{escape(url)}">{kind}</a>'
        reference = ""
        if action.reference_number and action.id in worded:
            reference = f" <small>{escape(action.reference_number)}</small>"
        body = action.target_body
        out.append(
            _ACTION
            % (
                action_col,
                kind,
                reference,
                body_col,
                escape(body.local_short_name) if body else "—",
                status_col,
                escape(statuses[action.status]),
                submitted_col,
                day(action.submitted_on),
                due_col,
                day(action.followup_due) if action.id in due else "—",
                outcome_col,
                escape(outcomes[action.outcome]),
            )
        )
    # Every value above is escaped, every text the catalogue's (as in the template).
    return Markup("".join(out))  # noqa: S704  # nosec B704
