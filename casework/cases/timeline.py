"""The case's own contributions to its timeline: events, status changes, comments, documents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from casework import permissions
from casework.cases.events import agency_label, case_events
from casework.cases.models import Case, Comment, StatusChange
from casework.cases.services import INTAKE_NOTE
from casework.core import countries
from casework.core.db import db
from casework.core.hooks import TimelineItem
from casework.core.i18n import current_language
from casework.core.i18n import gettext as _
from casework.core.rowurls import row_url
from casework.evidence.services import case_documents


def _country(code: str) -> str:
    """A country named in the reader's language, as the rest of the case file names it."""
    return countries.local_name(code, current_language())


def _event_title(event: Any) -> str:
    parts = [event.event_type.label]
    if event.act_type:
        parts.append(f"({event.act_type.label})")
    if event.place:
        parts.append(_("in %(place)s", place=event.place.name))
    if event.destination_country:
        parts.append(_("to %(country)s", country=_country(event.destination_country)))
    return " ".join(parts)


def case_timeline(case: Case, user: Any) -> list[TimelineItem]:
    """Items of this area; identifying text only for users who may see it."""
    identifying = permissions.can_view_identifying(user, case)
    editable = permissions.can_edit_case(user, case)
    show_hidden = permissions.can_restore(user, case)
    items: list[TimelineItem] = []
    for event in case_events(case, include_hidden=show_hidden):
        details = []
        if event.agencies:
            details.append(
                _(
                    "Agencies: %(agencies)s",
                    agencies="; ".join(
                        agency_label(a.name, a.country, current_language()) for a in event.agencies
                    ),
                )
            )
        if event.requesting_state:
            details.append(
                _("Requesting State: %(country)s", country=_country(event.requesting_state))
            )
        if event.wanted_notice:
            details.append(_("Wanted notice: %(notice)s", notice=event.wanted_notice.label))
        if event.legal_basis:
            details.append(_("Legal basis invoked: %(basis)s", basis=event.legal_basis))
        if event.asylum_stage:
            details.append(_("Asylum stage: %(stage)s", stage=event.asylum_stage.label))
        if event.date_note:
            details.append(_("Date: %(note)s", note=event.date_note))
        if event.sources:
            details.append(_("%(n)s source(s)", n=len(event.sources)))
        items.append(
            TimelineItem(
                when=event.date,
                kind="event",
                title=_event_title(event),
                body=event.description if identifying else None,
                # The event's page is its edit form: linked only for those who may edit.
                url=row_url("cases.edit_event", public_id=case.public_id, event_id=event.public_id)
                if editable
                else None,
                author=event.created_by.display_name if event.created_by else None,
                hidden=event.is_hidden,
                approximate=event.date_approximate,
                extra={"details": details, "record_id": event.public_id, "record_kind": "events"},
            )
        )
    changes = db.session.scalars(
        select(StatusChange)
        .where(StatusChange.case_id == case.id)
        .order_by(StatusChange.created_at)
    )
    for change in changes:
        title = (
            _("Status: %(old)s → %(new)s", old=change.from_status.label, new=change.to_status.label)
            if change.from_status
            else _("Case opened as %(status)s", status=change.to_status.label.lower())
        )
        items.append(
            TimelineItem(
                when=change.created_at,
                kind="status",
                title=title,
                # The intake's note is the application's own words, not a person's.
                body=_(change.comment) if change.comment == INTAKE_NOTE else change.comment,
                author=change.author.display_name,
            )
        )
    comment_query = (
        select(Comment).where(Comment.case_id == case.id).options(joinedload(Comment.author))
    )
    if not show_hidden:
        comment_query = comment_query.where(Comment.hidden_at.is_(None))
    for comment in db.session.scalars(comment_query.order_by(Comment.created_at)):
        items.append(
            TimelineItem(
                when=comment.created_at,
                kind="comment",
                title=_("Comment"),
                body=comment.body if identifying else _("(comment hidden: restricted case)"),
                author=comment.author.display_name,
                hidden=comment.is_hidden,
                extra={"record_id": str(comment.id), "record_kind": "comments"},
            )
        )
    for document in case_documents(case, include_hidden=show_hidden):
        items.append(
            TimelineItem(
                when=document.uploaded_at,
                kind="document",
                title=_("Document added: %(name)s", name=document.original_name)
                if identifying
                else _("Document added"),
                body=document.description if identifying else None,
                url=row_url(
                    "evidence.download_document",
                    public_id=case.public_id,
                    document_id=document.public_id,
                )
                if identifying
                else None,
                author=document.uploaded_by.display_name,
                hidden=document.is_hidden,
                extra={"sha256": document.sha256},
            )
        )
    return items
