"""The personal iCalendar feed: follow-up dates and remedy deadlines behind a revocable secret.

The URL holds a random secret; the database keeps only its SHA-256 (``User.calendar_token``), so
a copy of the database does not give anyone the feeds, and the look-up by digest leaks nothing
about the secret through timing. Event texts carry reference numbers and action types only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from casework.accounts.models import User
from casework.advocacy.hooks import action_label
from casework.advocacy.models import AdvocacyAction
from casework.advocacy.services import _due_clause, deadline_columns
from casework.audit.services import record
from casework.cases.models import Case
from casework.core.db import db, in_chunks
from casework.core.hooks import Deadline, deadlines_by_case, pending_deadlines_clauses
from casework.core.vocab import CaseStatus
from casework.permissions import (
    action_cases_for,
    can_use_calendar_feed,
    readable_case_ids,
    readable_cases_clause,
    visible_actions_clause,
)

TOKEN_BYTES = 32
# The feed leaves out dates that passed more than this many days ago: the follow-up lists and
# the case files still show them, and the feed's size follows the recent dates, not the years
# of an archive.
FEED_PAST_DAYS = 365


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def rotate_token(user: User) -> str:
    """Give the user a new feed secret (the old URL stops working); return the secret."""
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    had = user.calendar_token is not None
    user.calendar_token = _digest(secret)
    db.session.flush()
    record(user, "calendar.token_rotated" if had else "calendar.token_created", user)
    return secret


def revoke_token(user: User) -> None:
    """Switch the feed off."""
    if user.calendar_token is not None:
        user.calendar_token = None
        db.session.flush()
        record(user, "calendar.token_revoked", user)


def user_for_secret(secret: str) -> User | None:
    """The active user whose feed secret this is, or None."""
    if not secret or len(secret) > 128:
        return None
    digest = _digest(secret)
    user = db.session.scalar(select(User).where(User.calendar_token == digest))
    if user is None or not hmac.compare_digest(user.calendar_token or "", digest):
        return None
    return user if can_use_calendar_feed(user) else None


def _event(uid: str, day, summary: str, url: str | None, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    # The last day a date can be (a typo like 9999-12-31) has no day after it.
    event.add("dtend", day + timedelta(days=1) if day < date.max else day)
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    if url:
        event.add("url", url)
    return event


def build_feed(user: User, base_url: str, *, link=None) -> bytes:
    """The user's feed: follow-ups of the actions they may see, and the open deadlines (remedy
    appeals...) of the cases they may read, from FEED_PAST_DAYS ago on. Being responsible for
    an action gives no access."""
    stamp = datetime.now(UTC).replace(microsecond=0)
    since = date.today() - timedelta(days=FEED_PAST_DAYS)
    cal = Calendar()
    cal.add("prodid", "-//Casework//Deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Casework deadlines")
    link = link or (lambda endpoint, **values: None)
    base = base_url.rstrip("/")

    def absolute(path: str | None) -> str | None:
        return f"{base}{path}" if path and path.startswith("/") else path

    actions = db.session.scalars(
        select(AdvocacyAction)
        .where(
            _due_clause(),
            AdvocacyAction.followup_due >= since,
            visible_actions_clause(user),
        )
        # What an event shows: the action's type, body and date, its cases' references.
        .options(
            deadline_columns(),
            joinedload(AdvocacyAction.target_body),
            selectinload(AdvocacyAction.cases).options(
                load_only(Case.id, Case.public_id, Case.reference, Case.restricted, Case.hidden_at)
            ),
        )
        .order_by(AdvocacyAction.followup_due)
    ).all()
    readable = readable_case_ids(user, {c.id for a in actions for c in a.cases})
    for action in actions:
        refs = ", ".join(c.reference for c in action_cases_for(user, action, readable))
        refs = refs or "thematic"
        cal.add_component(
            _event(
                f"followup-{action.public_id}@casework",
                action.followup_due,
                f"Follow-up {refs}: {action_label(action)}",
                absolute(link("advocacy.action_detail", public_id=action.public_id)),
                stamp,
            )
        )
    # Only the cases with an open deadline, and of each only what the feed shows: a
    # coordinator reads the whole archive. Their deadlines are read an IN list of cases at a time.
    cases = db.session.scalars(
        select(Case)
        .where(
            readable_cases_clause(user),
            Case.status != CaseStatus.CLOSED,
            or_(*pending_deadlines_clauses(since)),
        )
        .options(load_only(Case.id, Case.public_id, Case.reference))
        .order_by(Case.reference_key)
    ).all()
    deadlines: dict[int, list[Deadline]] = {}
    for batch in in_chunks(cases):
        deadlines.update(deadlines_by_case(list(batch)))
    for case in cases:
        for deadline in deadlines[case.id]:
            if deadline.kind == "followup" or deadline.due < since:
                continue  # follow-ups: the actions above, already filtered by visibility
            cal.add_component(
                _event(
                    # The record's and its kind's: not its place among the case's deadlines nor
                    # its date, which change, and the client would show it twice or lose it.
                    f"deadline-{deadline.kind}-{deadline.record}@casework",
                    deadline.due,
                    f"{case.reference}: {deadline.label}",
                    absolute(deadline.url),
                    stamp,
                )
            )
    return cal.to_ical()
