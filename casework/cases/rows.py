"""The rows of a table of cases (the dashboard's and the case list's), written out in Python:
Jinja spends some three hundred calls on each row of cells (an escaped output, an attribute,
a filter each costs several). Every value is escaped here as the template escapes it; the
catalogue's texts are markup there, as here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from flask import current_app
from markupsafe import Markup, escape

from casework.core import countries
from casework.core.hooks import TimelineItem
from casework.core.i18n import (
    current_language,
    format_day,
    format_partial_date,
    gettext,
    ngettext,
    translate,
)
from casework.core.rendering import RowForm
from casework.core.rowurls import row_url
from casework.core.vocab import (
    ActType,
    CaseRole,
    CaseStatus,
    ConsentLevel,
    Credibility,
    Gender,
    GovernmentContact,
    LegalStatus,
    NameKind,
    Reliability,
    Script,
    SourceKind,
    Urgency,
)


def _record_url(case: Any, kind: str, record_id: Any, *, restore: bool = False) -> str:
    """Where a record of ``case`` is removed from it (or, ``restore``, restored)."""
    endpoint = "cases.restore_record" if restore else "cases.hide_record"
    return row_url(endpoint, public_id=case.public_id, kind=kind, record_id=record_id)


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


_ENTRY = (
    '\n    <li class="kind-%s%s">\n'
    '      <span class="when">%s</span> <span class="kind">%s</span><br>\n'
    "      %s\n      %s\n      %s\n      %s\n      %s\n      %s\n      %s\n    </li>\n  "
)
_ROW_FORM = '\n        <span class="no-print">%s</span>\n      '


def timeline_entries(
    items: Sequence[TimelineItem],
    case: Any,
    can_edit: bool,
    show_hidden: bool,
    hide_form: RowForm,
    restore_form: RowForm,
) -> Markup:
    """Each ``<li>`` of a case file's timeline (``cases/_file_body.html``): its day, kind,
    title (linked when it has a page), author, body, details and fingerprint, and the form
    that removes the record (for an editor) or brings it back (for who may restore it). Each
    kind's name and each day is written once for every item that shows it."""
    paragraphs = current_app.jinja_env.filters["paragraphs"]
    removed = gettext("(removed)")
    removed = f"<em> {removed}</em>"
    kinds: dict[str, str] = {}
    days: dict[tuple[Any, bool], str] = {}
    out = []
    for item in items:
        kind = kinds.get(item.kind)
        if kind is None:
            kind = kinds[item.kind] = gettext(item.kind)
        key = (item.when, item.approximate)
        when = days.get(key)
        if when is None:
            when = days[key] = escape(item.when_label)
        title = escape(item.title)
        if item.url:
            title = f'<a href="{escape(item.url)}" dir="auto">{title}</a>'
        else:
            title = f'<span dir="auto">{title}</span>'
        author = ""
        if item.author:
            author = f'<small> · <span dir="auto">{escape(item.author)}</span></small>'
        body = f'<div dir="auto">{paragraphs(item.body)}</div>' if item.body else ""
        extra = item.extra
        details = "".join(
            f'<br><small dir="auto">{escape(d)}</small>' for d in extra.get("details", ())
        )
        sha256 = extra.get("sha256")
        fingerprint = ""
        if sha256:
            fingerprint = f'<br><small>SHA-256 <code class="hash">{escape(sha256)}</code></small>'
        form = ""
        record_kind = extra.get("record_kind")
        if record_kind and (can_edit if not item.hidden else show_hidden):
            row_form = restore_form if item.hidden else hide_form
            form = _ROW_FORM % row_form(
                _record_url(case, record_kind, extra["record_id"], restore=item.hidden)
            )
        out.append(
            _ENTRY
            % (
                escape(item.kind),
                " hidden-record" if item.hidden else "",
                when,
                kind,
                title,
                author,
                removed if item.hidden else "",
                body,
                details,
                fingerprint,
                form,
            )
        )
    # Every value above is escaped, every text the catalogue's (as in the template).
    return Markup("".join(out))  # noqa: S704  # nosec B704


_SOURCE = (
    '\n    <tr class="%s">\n      <td data-label="%s">%s</td>\n'
    '      <td data-label="%s" dir="auto">%s</td>\n'
    '      <td data-label="%s" title="%s; %s"><strong>%s%s</strong></td>\n'
    '      <td data-label="%s" dir="auto">%s</td>\n'
    '      <td class="no-print">\n        %s\n      </td>\n    </tr>\n    '
)


def source_rows(
    sources: Sequence[Any],
    case: Any,
    can_see_identity: Callable[[Any], bool],
    flags: Mapping[str, Any],
    columns: Sequence[str],
    hide_form: RowForm,
    restore_form: RowForm,
) -> Markup:
    """Each ``<tr>`` of a case file's sources (``cases/_file_body.html``): its kind, who it is
    (only to those who may see the identity, and never in a print of a protected one), its
    rating and how it knows (for those who may read the case), and its Edit and Remove (or
    Restore). ``flags``: ``identifying``, ``can_edit``, ``show_hidden``, ``printing``;
    ``columns`` the four column labels. The policy is asked once per source."""
    kinds, reliabilities, credibilities = (
        SourceKind.labels(),
        Reliability.labels(),
        Credibility.labels(),
    )
    identifying, can_edit = flags["identifying"], flags["can_edit"]
    show_hidden, printing = flags["show_hidden"], flags["printing"]
    protected = gettext("protected")
    protected = f"<em>{protected}</em>"
    edit = gettext("Edit")
    kind_col, who_col, rating_col, how_col = (str(c) for c in columns)
    out = []
    for source in sources:
        visible = can_see_identity(source)
        who = protected
        if visible and not (printing and source.identity_protected):
            who = escape(source.identity or "—")
        how = "—"
        if identifying:
            how = escape(source.how_they_know or "—")
        actions = ""
        if can_edit and not source.is_hidden and visible:
            url = row_url(
                "evidence.edit_source", public_id=case.public_id, source_id=source.public_id
            )
            remove = _record_url(case, "sources", source.public_id)
            actions = f'<a href="{escape(url)}">{edit}</a>\n          {hide_form(remove)}\n        '
        elif source.is_hidden and show_hidden:
            actions = restore_form(_record_url(case, "sources", source.public_id, restore=True))
        out.append(
            _SOURCE
            % (
                "hidden-record" if source.is_hidden else "",
                kind_col,
                escape(kinds[source.kind]),
                who_col,
                who,
                rating_col,
                escape(reliabilities[source.reliability]),
                escape(credibilities[source.credibility]),
                escape(source.reliability.value),
                escape(source.credibility.value),
                how_col,
                how,
                actions,
            )
        )
    # Every value above is escaped, every text the catalogue's (as in the template).
    return Markup("".join(out))  # noqa: S704  # nosec B704


_PERSON = (
    '\n  <article class="%s">\n    <header>\n      \n      \n'
    '      <strong dir="auto">%s</strong>\n      · %s%s\n    </header>\n    %s\n'
    '    <footer class="no-print">\n      %s\n    </footer>\n  </article>\n  '
)
_PERSON_FACTS = (
    '\n    %s\n    <dl class="facts">\n'
    "      <dt>%s</dt><dd>%s</dd>\n"
    "      <dt>%s</dt><dd>%s</dd>\n"
    "      <dt>%s</dt><dd>%s</dd>\n"
    '      <dt>%s</dt><dd dir="auto">%s</dd>\n'
    "      <dt>%s</dt><dd>%s</dd>\n"
    "      %s\n"
    "      <dt>%s</dt><dd>%s%s</dd>\n"
    "      <dt>%s</dt><dd>%s</dd>\n"
    "      %s\n    </dl>\n    "
)


def people_entries(
    people: Sequence[Mapping[str, Any]],
    case: Any,
    flags: Mapping[str, Any],
    hide_form: RowForm,
    restore_form: RowForm,
) -> Markup:
    """Each ``<article>`` of a case file's people (``cases/_file_body.html``): a person's
    name (or number, and never in a print for one who gave no consent), role, other names,
    facts, family, and their Edit and Remove (or Restore). ``people``: the view's entries
    (``link``, ``person``, ``names``, ``family``, ``consent_by``); ``flags``: ``identifying``,
    ``can_edit``, ``show_hidden``, ``printing``. Each label is looked up once per page."""
    identifying, can_edit = flags["identifying"], flags["can_edit"]
    show_hidden, printing = flags["show_hidden"], flags["printing"]
    roles, genders, statuses = CaseRole.labels(), Gender.labels(), LegalStatus.labels()
    consents, contacts = ConsentLevel.labels(), GovernmentContact.labels()
    scripts, kinds = Script.labels(), NameKind.labels()
    language = current_language()
    # Each called by name, so that the catalogue's extraction finds them.
    words = {
        "(no name)": gettext("(no name)"),
        "removed:": gettext("removed:"),
        "Also:": gettext("Also:"),
        "Gender": gettext("Gender"),
        "Born": gettext("Born"),
        "Nationality": gettext("Nationality"),
        "Ethnicity": gettext("Ethnicity"),
        "Legal status": gettext("Legal status"),
        "UNHCR no.": gettext("UNHCR no."),
        "Consent": gettext("Consent"),
        "Government may be contacted": gettext("Government may be contacted"),
        "Family": gettext("Family"),
        "(not printed)": gettext("(not printed)"),
        "Edit": gettext("Edit"),
    }
    places: dict[str | None, str] = {}
    out = []
    for number, entry in enumerate(people, start=1):
        link, person, names = entry["link"], entry["person"], entry["names"]
        hidden = link.is_hidden
        unprintable = printing and person.consent.value == "none"
        if identifying and not unprintable:
            name = escape(names[0].name) if names else words["(no name)"]
        elif unprintable:
            name = gettext("Person %(n)s (no consent: name not printed)", n=number)
        else:
            name = gettext("Person %(n)s", n=number)
        removed = ""
        if hidden:
            reason = escape(translate(link.hidden_reason))
            removed = f' · <em>{words["removed:"]} <span dir="auto">{reason}</span></em>'
        code = person.nationality
        place = places.get(code)
        if place is None:
            place = countries.local_name(code, language) if code else "—"
            place = places[code] = escape(place)
        if identifying:
            also = ""
            if len(names) > 1 and not unprintable:
                others = "; ".join(
                    f'<span dir="auto">{escape(n.name)}</span> <span class="badge">'
                    f"{escape(scripts[n.script])} · {escape(kinds[n.kind])}</span>"
                    for n in names[1:]
                )
                also = f"<p><small>{words['Also:']} {others}</small></p>"
            unhcr = ""
            if person.unhcr_number and not unprintable:
                unhcr = (
                    f"<dt>{words['UNHCR no.']}</dt>"
                    f'<dd dir="auto">{escape(person.unhcr_number)}</dd>'
                )
            consent = ""
            if person.consent_date:
                by = entry["consent_by"]
                by = ", " + gettext("by %(name)s", name=escape(by.display_name)) if by else ""
                consent = f" ({escape(format_day(person.consent_date))}{by})"
            family = "".join(
                f"<dt>{words['Family']}</dt><dd>{escape(label)} "
                + (
                    words["(not printed)"]
                    if printing and (unprintable or other.consent.value == "none")
                    else f'<span dir="auto">{escape(other.primary_name)}</span>'
                )
                + "</dd>"
                for _link, other, label in entry["family"]
            )
            facts = _PERSON_FACTS % (
                also,
                words["Gender"],
                escape(genders[person.gender]),
                words["Born"],
                escape(format_partial_date(person.birth_date, person.birth_date_approximate)),
                words["Nationality"],
                place,
                words["Ethnicity"],
                escape(person.ethnicity or "—"),
                words["Legal status"],
                escape(statuses[person.legal_status]),
                unhcr,
                words["Consent"],
                escape(consents[person.consent]),
                consent,
                words["Government may be contacted"],
                escape(contacts[person.government_contact]),
                family,
            )
        else:
            facts = (
                f"\n    <p><small>{escape(genders[person.gender])} · {place} · "
                f"{escape(statuses[person.legal_status])}</small></p>\n    "
            )
        actions = ""
        if can_edit and not hidden:
            edit = row_url(
                "people.edit_person", public_id=case.public_id, person_id=person.public_id
            )
            remove = _record_url(case, "people", person.public_id)
            actions = (
                f'\n        <a href="{escape(edit)}">{words["Edit"]}</a>\n'
                f"        {hide_form(remove)}\n      "
            )
        elif hidden and show_hidden and person.merged_into_id is None:
            # A merge is undone instead.
            restore = _record_url(case, "people", person.public_id, restore=True)
            actions = f"\n        {restore_form(restore)}\n      "
        out.append(
            _PERSON
            % (
                "hidden-record" if hidden else "",
                name,
                escape(roles[link.role]),
                removed,
                facts,
                actions,
            )
        )
    # Every value above is escaped, every text the catalogue's (as in the template).
    return Markup("".join(out))  # noqa: S704  # nosec B704
