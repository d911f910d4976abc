"""E-mail reminders: overdue follow-ups and new urgent cases.

``flask --app casework reminders send`` (from cron, e.g. every morning). Nothing is sent when
``SMTP_HOST`` is unset. Each mail sent is recorded in the audit trail and the same reminder is
not sent twice on the same day. Mails carry reference numbers, dates and links only: never
names, titles or narratives, since mail passes through servers the organisation does not run.
Each mail is written in its reader's language, as the account notices are (``in_language``).
"""

from __future__ import annotations

import smtplib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from functools import partial
from typing import Any

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from casework.accounts.models import User
from casework.advocacy.models import AdvocacyAction
from casework.advocacy.services import _due_clause
from casework.audit.models import AuditEntry
from casework.audit.services import record
from casework.cases.models import Case, CaseMember
from casework.core import links
from casework.core.db import db
from casework.core.i18n import format_day, in_language, ngettext
from casework.core.i18n import gettext as _
from casework.core.mail import connect as _connect
from casework.core.vocab import ActionType, Urgency
from casework.permissions import (
    action_cases_for,
    can_view_action,
    can_view_case,
    holders_clause,
)

SENT = "reminder.sent"
RUN = "reminders.run"
FIRST_RUN_WINDOW = timedelta(days=1)


@dataclass
class Item:
    """One line of a reminder, and the object it is about (for the audit trail). ``line``
    writes it in the current language: each mail is written in its reader's."""

    kind: str  # "followup" or "urgent_case"
    object_type: str
    object_id: str
    line: Callable[[], str]
    case: Case | None = None


@dataclass
class Outbox:
    by_user: dict[int, list[Item]] = field(default_factory=lambda: defaultdict(list))
    users: dict[int, User] = field(default_factory=dict)

    def add(self, user: User, item: Item) -> None:
        if not user.is_active or not user.email:
            return
        if any(
            i.object_id == item.object_id and i.kind == item.kind for i in self.by_user[user.id]
        ):
            return
        self.users[user.id] = user
        self.by_user[user.id].append(item)


def _start_of_day(day: date) -> datetime:
    """The first moment of ``day`` as the server counts days (``date.today()``, its local
    time), in UTC: UTC's midnight made a server ahead of UTC mail twice in one of its days,
    and one behind it skip a day."""
    return datetime.combine(day, time.min).astimezone(UTC)


def _link(endpoint: str, **values: Any) -> str:
    """An absolute link (the CLI runs inside a request context built on ``BASE_URL``)."""
    try:
        return url_for(endpoint, _external=True, **values)
    except (RuntimeError, BuildError):
        return links.base_url() + "/"


def _case_link(case: Case) -> str:
    if "cases.case_file" in current_app.view_functions:
        return _link("cases.case_file", public_id=case.public_id)
    return _link("core.dashboard")


def _sent_today(today: date) -> set[tuple[str, str, str]]:
    """(kind, object id, recipient public id) of the reminders already sent today."""
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == SENT, AuditEntry.at >= _start_of_day(today))
    )
    sent = set()
    for entry in entries:
        details = entry.details or {}
        sent.add((details.get("kind", ""), entry.object_id or "", details.get("to", "")))
    return sent


def _last_run() -> datetime | None:
    return db.session.scalar(
        select(AuditEntry.at)
        .where(AuditEntry.action == RUN)
        .order_by(AuditEntry.at.desc())
        .limit(1)
    )


def _coordinators() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(holders_clause("org_followups"), User.is_active_account.is_(True))
        )
    )


def collect(today: date, since: datetime) -> Outbox:
    """Who should be reminded of what today."""
    outbox = Outbox()
    coordinators = _coordinators()
    actions = db.session.scalars(
        select(AdvocacyAction)
        .where(_due_clause(), AdvocacyAction.followup_due <= today)
        .options(selectinload(AdvocacyAction.cases), selectinload(AdvocacyAction.responsible))
        .order_by(AdvocacyAction.followup_due)
    )
    for action in actions:
        # Nobody responsible (or a deactivated account): the coordinators, so nothing is lost.
        # Each recipient is told only what they may see: the action, and the references of
        # its cases they may read.
        responsible = action.responsible
        recipients = [responsible] if responsible and responsible.is_active else coordinators
        recipients = [u for u in recipients if can_view_action(u, action)] or [
            u for u in coordinators if can_view_action(u, action)
        ]
        late = (today - action.followup_due).days
        link = _link("advocacy.action_detail", public_id=action.public_id)
        for user in recipients:
            cases = action_cases_for(user, action)
            item = Item(
                kind="followup",
                object_type=AdvocacyAction.__tablename__,
                object_id=action.public_id,
                line=partial(
                    _followup_line,
                    action.action_type,
                    [c.reference for c in cases],
                    action.followup_due,
                    late,
                    link,
                ),
                case=cases[0] if len(cases) == 1 else None,
            )
            outbox.add(user, item)
    cases = db.session.scalars(
        select(Case)
        .where(Case.urgency.in_([Urgency.IMMINENT, Urgency.URGENT]), Case.created_at >= since)
        .options(selectinload(Case.members).joinedload(CaseMember.user))
        .order_by(Case.created_at)
    )
    for case in cases:
        item = Item(
            kind="urgent_case",
            object_type=Case.__tablename__,
            object_id=case.public_id,
            line=partial(
                _urgent_line, case.reference, case.urgency, case.created_at, _case_link(case)
            ),
            case=case,
        )
        team = [m.user for m in case.members if m.user is not None]
        for user in [*coordinators, *team]:
            if can_view_case(user, case):
                outbox.add(user, item)
    return outbox


# A line keeps the values it shows, not the rows: each mail sent commits, which expires them.
def _followup_line(
    action_type: ActionType, references: list[str], due: date, late: int, link: str
) -> str:
    state = ngettext("%(num)s day late", "%(num)s days late", late) if late else _("due today")
    text = _(
        "%(action)s (%(cases)s): follow-up due %(date)s, %(state)s",
        action=action_type.label,
        cases=", ".join(references) or _("thematic"),
        date=format_day(due),
        state=state,
    )
    return f"- {text}\n  {link}"


def _urgent_line(reference: str, urgency: Urgency, recorded: datetime, link: str) -> str:
    text = _(
        "New case %(reference)s: %(urgency)s, recorded %(date)s",
        reference=reference,
        urgency=urgency.label,
        date=format_day(recorded),
    )
    return f"- {text}\n  {link}"


def _message(user: User, items: list[Item], today: date) -> EmailMessage:
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg.get("MAIL_FROM") or "casework@localhost"
    msg["To"] = user.email
    followups = [i for i in items if i.kind == "followup"]
    urgent = [i for i in items if i.kind == "urgent_case"]
    with in_language(user.language):  # the reader's language, as the account notices are
        msg["Subject"] = _("Casework reminders %(date)s", date=format_day(today))
        parts = [_("Reminders from Casework, %(date)s.", date=format_day(today)), ""]
        if urgent:
            parts += [_("New urgent cases:"), *[i.line() for i in urgent], ""]
        if followups:
            parts += [_("Follow-ups due or overdue:"), *[i.line() for i in followups], ""]
        parts += [_("Follow-up list: %(link)s", link=_link("advocacy.followups")), ""]
    msg.set_content("\n".join(parts))
    return msg


@dataclass
class SendReport:
    sent: int = 0
    skipped: int = 0
    configured: bool = True
    messages: list[str] = field(default_factory=list)


def send_reminders(today: date | None = None, *, dry_run: bool = False) -> SendReport:
    """Send today's reminders; record each mail in the audit trail (caller commits)."""
    cfg = current_app.config
    report = SendReport()
    if not cfg.get("SMTP_HOST"):
        report.configured = False
        return report
    today = today or date.today()
    now = datetime.now(UTC)
    since = _last_run() or (now - FIRST_RUN_WINDOW)
    outbox = collect(today, since)
    already = _sent_today(today)
    pending: list[tuple[User, list[Item]]] = []
    for user_id, items in outbox.by_user.items():
        user = outbox.users[user_id]
        fresh = [i for i in items if (i.kind, i.object_id, user.public_id) not in already]
        report.skipped += len(items) - len(fresh)
        if fresh:
            pending.append((user, fresh))
    if dry_run:
        report.messages = [f"{u.public_id}: {len(items)} item(s)" for u, items in pending]
        return report
    if pending:
        with _connect() as smtp:
            for user, items in pending:
                smtp.send_message(_message(user, items, today))
                for item in items:
                    record(
                        None,
                        SENT,
                        object_type=item.object_type,
                        object_id=item.object_id,
                        case=item.case,
                        kind=item.kind,
                        to=user.public_id,
                    )
                report.sent += 1
                # Recorded at once: a failure later in the run must not make this mail resend.
                db.session.commit()
    record(None, RUN, object_type="system", sent=report.sent)
    return report


reminders_cli = AppGroup("reminders", help="E-mail reminders (follow-ups, urgent cases).")


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Show who would get a mail; send nothing.")
def send_command(dry_run: bool) -> None:
    """Send due reminders (once per day and item); nothing without CASEWORK_SMTP_HOST."""
    # No request here: links start with the configured address.
    with current_app.test_request_context("/", base_url=links.configured_base_url()):
        try:
            report = send_reminders(dry_run=dry_run)
        except (smtplib.SMTPException, OSError) as exc:
            db.session.commit()  # keep the record of the mails that did go out
            raise click.ClickException(f"mail server error: {exc.__class__.__name__}") from exc
        if not report.configured:
            click.echo("SMTP is not configured (CASEWORK_SMTP_HOST): nothing sent.")
            return
        for line in report.messages:
            click.echo(line)
        db.session.commit()
        click.echo(f"{report.sent} mail(s) sent, {report.skipped} reminder(s) already sent today.")
