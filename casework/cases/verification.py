"""Workflow honesty: a verified case whose facts change goes back into legal review.

A lawyer verified the facts as they stood. When someone other than the case's assigned lawyer
changes them (the case's narrative, dates, places, its events or people), the case moves from
*verified* back to *in legal review*: a status change by the editor, audited
(``case.reopened_for_review``, with the changed field names), and every assigned lawyer is told
in the application (a notice at the top of their pages) and by e-mail when SMTP is configured.
The notice and the mail carry the reference and the field names; the notice also says who
changed the case, the mail only links to it (mail crosses servers the organisation does not
run, in clear). The case history shows what changed (``casework.audit.wording``).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for

from casework import permissions
from casework.accounts.models import AccountNotice
from casework.audit.services import record
from casework.cases.models import Case, StatusChange
from casework.core import links, mail
from casework.core.db import db, utcnow
from casework.core.i18n import format_moment, in_language
from casework.core.i18n import gettext as _
from casework.core.vocab import CaseStatus, TeamRole


def facts_changed(actor: Any, case: Case, fields: list[str]) -> bool:
    """The facts of ``case`` changed (``fields``: names of what changed). Returns True if a
    verified case went back into legal review."""
    if case.status != CaseStatus.VERIFIED or not fields:
        return False
    if permissions.confirms_verified_facts(actor, case):
        return False
    db.session.add(
        StatusChange(
            case_id=case.id,
            from_status=CaseStatus.VERIFIED,
            to_status=CaseStatus.IN_REVIEW,
            comment=None,
            author_id=actor.id,
        )
    )
    names = sorted(set(fields))
    record(
        actor,
        "case.reopened_for_review",
        case,
        case=case,
        fields=names,
        old=CaseStatus.VERIFIED.value,
        new=CaseStatus.IN_REVIEW.value,
    )
    case.status = CaseStatus.IN_REVIEW
    case.updated_at = utcnow()
    _tell_lawyers(actor, case, names)
    db.session.flush()
    return True


def _case_link(case: Case) -> str:
    """The case file's absolute address (also outside a request: an import job, the CLI)."""
    if has_request_context():
        path = url_for("cases.case_file", public_id=case.public_id)
    else:
        path = current_app.url_map.bind("localhost").build(
            "cases.case_file", {"public_id": case.public_id}
        )
    return links.base_url() + path


def _tell_lawyers(actor: Any, case: Case, fields: list[str]) -> None:
    lawyers = [
        m.user
        for m in case.members
        if m.team_role == TeamRole.LAWYER and m.user_id != actor.id and m.user.is_active_account
    ]
    now = utcnow()
    mails = []
    for lawyer in lawyers:
        with in_language(lawyer.language):  # the notice and the mail in the lawyer's language
            text = _(
                "Case %(reference)s was changed after you verified it (%(fields)s), by %(who)s "
                "on %(when)s UTC. It is back in legal review.",
                reference=case.reference,
                fields=", ".join(fields),
                who=actor.display_name,
                when=format_moment(now),
            )
            subject = _("Casework: %(reference)s is back in legal review", reference=case.reference)
            # Mail crosses servers the organisation does not run: no name, the notice says who.
            body = _(
                "Case %(reference)s was changed after you verified it (%(fields)s) on %(when)s "
                "UTC. It is back in legal review. Who changed it, and what: %(link)s",
                reference=case.reference,
                fields=", ".join(fields),
                when=format_moment(now),
                link=_case_link(case),
            )
        db.session.add(AccountNotice(user_id=lawyer.id, message=text[:300]))
        if mail.configured():
            mails.append(mail.message(lawyer.email, subject, body))
    if mails:
        mail.send_after_commit(mails)
