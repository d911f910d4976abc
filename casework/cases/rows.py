"""The rows of a table of cases (the dashboard's and the case list's), written out in Python:
Jinja spends some three hundred calls on each row of cells (an escaped output, an attribute,
a filter each costs several). Every value is escaped here as the template escapes it; the
catalogue's texts are markup there, as here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from flask import current_app
from markupsafe import Markup, escape

from casework.core import countries
from casework.core.i18n import (
    current_language,
    format_day,
    format_partial_date,
    gettext,
    ngettext,
)
from casework.core.rowurls import row_url
from casework.core.vocab import ActType, CaseStatus, Urgency

_ROW = (
    '\n  <tr>\n    <td data-label="%s"><a href="%s">%s</a>%s%s</td>\n'
    '    <td data-label="%s"><span class="badge status-pill">%s</span></td>\n'
    '    <td data-label="%s"><span class="badge urgency-%s">%s</span></td>\n'
    '    <td data-label="%s">%s</td>\n'
    '    <td data-label="%s">%s</td>\n'
    '    <td data-label="%s">%s</td>\n'
    '    <td data-label="%s">%s</td>\n  </tr>\n  '
)


def case_rows(cases: Sequence[Any], readable: Collection[int], columns: Sequence[str]) -> Markup:
    """Each case's ``<tr>`` (``cases/_table.html``): ``readable`` the ids whose title may be
    shown, ``columns`` the seven column labels. Each label, day and country is written once
    for every row that shows it."""
    case_ref = current_app.jinja_env.filters["case_ref"]  # every page's reference
    statuses, urgencies, acts = CaseStatus.labels(), Urgency.labels(), ActType.labels()
    restricted = f' <span class="badge">{gettext("restricted")}</span>'
    language = current_language()
    reference, status, urgency, act, when, destination, updated = (str(c) for c in columns)
    days: dict[date, str] = {}
    places: dict[str | None, str] = {}
    out = []
    for case in cases:
        title = ""
        if case.title and case.id in readable:
            title = f'<br><small dir="auto">{escape(case.title)}</small>'
        day = case.updated_at
        day = day.date() if isinstance(day, datetime) else day
        written = days.get(day)
        if written is None:
            written = days[day] = escape(format_day(day))
        code = case.destination_country
        place = places.get(code)
        if place is None:
            place = countries.local_name(code, language) if code else "—"
            place = places[code] = escape(place)
        out.append(
            _ROW
            % (
                reference,
                escape(row_url("cases.case_file", public_id=case.public_id)),
                case_ref(case.reference),
                restricted if case.restricted else "",
                title,
                status,
                escape(statuses[case.status]),
                urgency,
                escape(case.urgency.value),
                escape(urgencies[case.urgency]),
                act,
                escape(acts[case.act_type]) if case.act_type else "—",
                when,
                escape(format_partial_date(case.act_date, case.act_date_approximate)),
                destination,
                place,
                updated,
                written,
            )
        )
    # Every value above is escaped, every text the catalogue's (as in the template).
    return Markup("".join(out))  # noqa: S704  # nosec B704


_URGENT = (
    '\n    <li>\n      <span class="badge urgency-%s">%s</span>\n'
    '      <a href="%s"><strong>%s</strong></a>\n      %s\n      %s\n      %s\n    </li>\n  '
)
_DETAILS = "\n      <br><small>\n      %s\n      · %s\n      </small>\n      "


def urgent_items(panel: Any) -> Markup:
    """Each ``<li>`` of the urgent cases' panel (``cases/_urgent_panel.html``): the case's
    urgency, reference, act and destination, and for a case the reader may read its detention
    and next deadline. Each label and country is written once for every item that shows it."""
    case_ref = current_app.jinja_env.filters["case_ref"]
    urgencies, acts = Urgency.labels(), ActType.labels()
    language = current_language()
    unknown = gettext("Detention date unknown")
    next_deadline = gettext("Next deadline:")
    no_deadline = gettext("no deadline recorded")
    places: dict[str, str] = {}
    out = []
    for item in panel.items:
        case = item.case
        act = f"· {escape(acts[case.act_type])}" if case.act_type else ""
        place = ""
        if case.destination_country:
            place = places.get(case.destination_country)
            if place is None:
                name = countries.local_name(case.destination_country, language)
                place = places[case.destination_country] = f"→ {escape(name)}"
        details = ""
        if case.id in panel.readable:
            if item.days_detained is not None:
                detained = ngettext(
                    "Detained since %(date)s (%(num)s day)",
                    "Detained since %(date)s (%(num)s days)",
                    item.days_detained,
                    date=escape(format_partial_date(item.detained_since)),
                )
            else:
                detained = unknown
            deadline = item.next_deadline
            if deadline:
                due = escape(format_day(deadline.due))
                shown = f"{next_deadline} <strong>{due}</strong> ({escape(deadline.label)})"
            else:
                shown = no_deadline
            details = _DETAILS % (detained, shown)
        out.append(
            _URGENT
            % (
                escape(case.urgency.value),
                escape(urgencies[case.urgency]),
                escape(row_url("cases.case_file", public_id=case.public_id)),
                case_ref(case.reference),
                act,
                place,
                details,
            )
        )
    # Every value above is escaped, every text the catalogue's (as in the template).
    return Markup("".join(out))  # noqa: S704  # nosec B704
