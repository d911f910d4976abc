"""Server-side sessions: the browser holds a random id, the ``user_sessions`` table says whether
it is still valid. Logout deletes the row; idle and absolute timeouts are checked on every
request; a password change, second-factor reset, role change or deactivation deletes every row
of the user. Flask's signed cookie only carries the id (and the CSRF token)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, session
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from casework.accounts.models import User, UserSession
from casework.core.db import db, utcnow

SESSION_KEY = "sid"
# Between the password and the code, a half-open login lives this long.
PENDING_LIFETIME = timedelta(minutes=10)
# last_seen_at is written at most this often (idle timeout precision), not on every request.
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta
    absolute: timedelta
    reauth: timedelta


def timeouts() -> Timeouts:
    cfg = current_app.config
    return Timeouts(
        idle=timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]),
        absolute=timedelta(hours=cfg["SESSION_ABSOLUTE_HOURS"]),
        reauth=timedelta(minutes=cfg["REAUTH_MINUTES"]),
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, *, second_factor_done: bool) -> UserSession:
    """Open a session for ``user`` under a new id and a new CSRF token (whatever the browser
    had before is dropped: no session fixation)."""
    end_current()
    session.clear()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    purge_expired(now)
    row = UserSession(
        token_hash=_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        second_factor_done=second_factor_done,
        reauthenticated_at=now if second_factor_done else None,
    )
    db.session.add(row)
    db.session.flush()
    session[SESSION_KEY] = token
    session.permanent = True
    g.user_session = row
    return row


def purge_expired(now: datetime) -> int:
    """Delete the rows of sessions that can no longer be used (abandoned, never logged out)."""
    limits = timeouts()
    stale = (
        (UserSession.created_at < now - limits.absolute)
        | (UserSession.last_seen_at < now - limits.idle)
        | (~UserSession.second_factor_done & (UserSession.created_at < now - PENDING_LIFETIME))
    )
    return db.session.execute(delete(UserSession).where(stale)).rowcount or 0


def renew(user: User, created_at: datetime, reauthenticated_at: datetime | None) -> UserSession:
    """The same login under a new id (after a password change): the timeouts still count from
    the original login."""
    row = start(user, second_factor_done=True)
    row.created_at = created_at
    row.reauthenticated_at = reauthenticated_at
    return row


def _expired(row: UserSession, now: datetime) -> bool:
    limits = timeouts()
    if not row.second_factor_done and now - row.created_at > PENDING_LIFETIME:
        return True
    return now - row.last_seen_at > limits.idle or now - row.created_at > limits.absolute


def current() -> UserSession | None:
    """The valid session row of this request (cached on ``g``), or None. An expired row is
    deleted; a live one has its last activity recorded."""
    if "user_session" in g:
        return g.user_session
    g.user_session = None
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    row = db.session.scalar(
        select(UserSession)
        .where(UserSession.token_hash == _hash(token))
        # Every page reads the user, and whether to show notices: one query for all three.
        .options(joinedload(UserSession.user).undefer(User.has_unread_notices))
    )
    now = utcnow()
    if row is None or _expired(row, now) or not row.user.is_active:
        if row is not None:
            _delete_now(row.id)
        session.pop(SESSION_KEY, None)
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        # Outside the request's transaction, so that reading a page (no commit) still counts
        # as activity, and a failed request does not undo it.
        with db.engine.begin() as conn:
            conn.execute(
                update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now)
            )
        row.last_seen_at = now
    g.user_session = row
    return row


def _delete_now(row_id: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(delete(UserSession).where(UserSession.id == row_id))
    db.session.expire_all()


def load_user() -> User | None:
    """The logged-in user, or None. A session waiting for the code is not logged in yet
    (unless the user has no second factor: then it reaches enrolment only)."""
    row = current()
    if row is None:
        return None
    if not row.second_factor_done and row.user.has_second_factor:
        return None
    return row.user


def end_current() -> None:
    """Log out this browser: its session row is deleted and its cookie emptied."""
    token = session.get(SESSION_KEY)
    if isinstance(token, str):
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))
    session.clear()
    g.user_session = None


def end_all(user: User, *, keep: UserSession | None = None) -> int:
    """End every session of ``user`` (but ``keep``); the number ended."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return db.session.execute(query).rowcount or 0


def active_count(user: User) -> int:
    return len(
        db.session.scalars(select(UserSession.id).where(UserSession.user_id == user.id)).all()
    )


def mark_reauthenticated(row: UserSession) -> None:
    row.reauthenticated_at = utcnow()


def recently_authenticated(row: UserSession | None) -> bool:
    if row is None or row.reauthenticated_at is None or not row.second_factor_done:
        return False
    return utcnow() - row.reauthenticated_at <= timeouts().reauth
