"""The legal links of a case file's legal panel (``legal/_case_panel.html``), written out in
Python as the case file's other rows are (``casework.cases.rows``): every value is escaped here
as the template escapes it; the catalogue's texts are markup there, as here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from casework.core.i18n import format_day, gettext
from casework.core.rowurls import row_url
from casework.core.vocab import ViolationStatus
from casework.legal.services import source_label

_LINK = (
    '\n  <article class="legal-link">\n    <header>\n'
    '      <a href="%s"><code>%s</code></a>\n      %s\n'
    '      <span class="badge violation-%s">%s %s</span>\n      %s\n    </header>\n    %s\n'
    "    <footer>\n      <small>%s, %s%s</small>\n      %s\n    </footer>\n  </article>\n  "
)
_PARAGRAPH = '\n    <p dir="auto">%s</p>\n    '
_ACTIONS = (
    '\n      <span class="no-print">\n        · <a href="%s">%s</a>\n'
    '        · <a href="%s">%s</a>\n      </span>\n      '
)


def paragraphs(text: str | None) -> str:
    """What ``legal/_macros.html``'s ``paragraphs`` writes: each paragraph's lines escaped."""
    if not text:
        return ""
    paras = "".join(
        _PARAGRAPH % "<br>".join(escape(line) for line in para.strip().split("\n"))
        for para in text.split("\n\n")
        if para.strip()
    )
    return f"\n    {paras}\n  "


def link_articles(
    links: Sequence[Any], case: Any, show_analysis: bool, can_edit_links: bool
) -> Markup:
    """Each ``<article>`` of an assessment's links: the provision (linked), its title, the
    violation's status, the analysis and supporting sources (to those who may read them), who
    linked it and when, and Edit and Hide for who may change the links. Each label and day is
    looked up once for every link that shows it."""
    statuses = ViolationStatus.labels()
    violation, verify = gettext("Violation:"), gettext("Verify")
    verify = f'<span class="badge urgency-urgent">{verify}</span>'
    no_analysis = gettext("No analysis yet.")
    restricted = gettext("The analysis of a restricted case is shown to its team only.")
    supporting, edit, hide = gettext("Supporting sources:"), gettext("Edit"), gettext("Hide")

    def day(value: Any) -> str:
        return escape(format_day(value))

    out = []
    for link in links:
        provision = link.provision
        if show_analysis:
            analysis = paragraphs(link.analysis) or f'<p class="empty">{no_analysis}</p>'
            sources = ""
            if link.sources:
                labels = "; ".join(escape(source_label(s)) for s in link.sources)
                sources = f"\n      <p><small>{supporting} {labels}</small></p>\n      "
            analysis = f"\n      {analysis}\n      {sources}\n    "
        else:
            analysis = f'\n      <p class="empty">{restricted}</p>\n    '
        updated = ""
        if link.updated_at and link.updated_at.date() != link.created_at.date():
            updated = " · " + gettext("updated %(date)s", date=day(link.updated_at))
        actions = ""
        if can_edit_links:
            ids = {"case_public_id": case.public_id, "link_id": link.public_id}
            actions = _ACTIONS % (
                escape(row_url("legal.edit_link", **ids)),
                edit,
                escape(row_url("legal.hide_link", **ids)),
                hide,
            )
        out.append(
            _LINK
            % (
                escape(row_url("legal.provision", code=provision.code)),
                escape(provision.code),
                escape(provision.local_title),
                escape(link.violation_status.value),
                violation,
                escape(statuses[link.violation_status]),
                verify if provision.needs_verification else "",
                analysis,
                escape(link.created_by.display_name) if link.created_by else "—",
                day(link.created_at),
                updated,
                actions,
            )
        )
    # Every value above is escaped, every text the catalogue's (as in the template).
    return Markup("".join(out))  # noqa: S704  # nosec B704
