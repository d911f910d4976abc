"""Accounts: creation, login (password, then code), second factor, roles, deactivation,
password resets and own profile. Every change is audited; no secret reaches the audit trail."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from casework.accounts import passwords, sessions, totp
from casework.accounts.models import (
    NAME_MAX_LEN,
    AccountNotice,
    PasswordResetCode,
    SetupMarker,
    User,
    UserSession,
)
from casework.accounts.throttle import throttle
from casework.api import tokens
from casework.audit.services import data_version, record
from casework.core import links, mail
from casework.core.datacache import data_cached
from casework.core.db import db, utcnow
from casework.core.errors import DomainError, PermissionDenied, ValidationFailed, check_version
from casework.core.i18n import format_moment, in_language, known_language
from casework.core.i18n import gettext as _
from casework.core.vocab import Role
from casework.permissions import (
    can_manage_accounts,
    has_right,
    holders_clause,
    role_sees_every_case,
    roles_clause,
)


class Throttled(DomainError):
    """Too many failed attempts on this account: refused whatever was typed (HTTP 429)."""


# Kept for callers that hash a password directly (the CLI, tests).
hash_password = passwords.hash_password


def revoke_standing_credentials(user: User) -> None:
    """End what works without a password and a code once made: the user's API tokens and
    calendar feed secret. Called whenever the sessions end for a change of credentials or of
    the account (a password changed or reset, a second factor reset or replaced, a role change,
    a deactivation): a copy made with the old credentials may be an intruder's."""
    tokens.revoke_all(user)
    if user.calendar_token is not None:
        user.calendar_token = None
        record(None, "calendar.token_revoked", user)


def normalise_email(email: str) -> str:
    """Validate an address (no DNS look-up) and return it in canonical lower-case form."""
    try:
        result = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed({"email": [str(exc)]}) from exc
    return result.normalized.lower()


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"display_name": [_("A display name is required.")]})
    if len(name) > NAME_MAX_LEN:
        raise ValidationFailed(
            {
                "display_name": [
                    _("The display name may have at most %(n)s characters.", n=NAME_MAX_LEN)
                ]
            }
        )
    return name


def get_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def get_by_public_id(public_id: str) -> User | None:
    return db.session.scalar(select(User).where(User.public_id == public_id))


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


def _unusable_password() -> str:
    """A hash no one knows the password of (accounts waiting for their first password)."""
    return passwords.hash_password(secrets.token_urlsafe(32))


def create_user(
    email: str,
    password: str | None,
    role: Role | str,
    display_name: str | None = None,
    *,
    actor: User | None = None,
) -> User:
    """Create an account. ``actor`` is the admin doing it (None from the CLI or first-run
    setup). Without ``password`` the account has none until the user redeems a reset code."""
    email = normalise_email(email)
    role_value = Role.parse(str(role))
    if role_value is None:
        raise ValidationFailed(
            {"role": [_("Unknown role; choose one of %(roles)s.", roles=", ".join(Role))]}
        )
    if password is not None:
        passwords.check_new_password(password)
    name = _check_name(display_name or email.split("@")[0])
    taken = ValidationFailed({"email": [_("An account with this e-mail address already exists.")]})
    if get_by_email(email) is not None:
        raise taken
    user = User(
        email=email,
        display_name=name,
        password_hash=(
            passwords.hash_password(password) if password is not None else _unusable_password()
        ),
        role=role_value,
    )
    try:
        # Two admins creating the same address at once: the second meets the unique index.
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError as exc:
        raise taken from exc
    record(actor, "user.created", user, role=role_value.value)
    if role_sees_every_case(role_value):
        _coordinator_granted(actor, user)
    return user


def setup_first_admin(email: str, password: str, display_name: str) -> User:
    """First-run setup: create the first admin, once. The single-row ``setup_marker`` table
    makes a second, concurrent setup fail in the database, not in a read-then-write."""
    if user_count() > 0:
        raise PermissionDenied("Casework is already set up.")
    passwords.check_new_password(password)
    try:
        db.session.add(SetupMarker(id=1))
        db.session.flush()
    except (IntegrityError, OperationalError) as exc:
        raise PermissionDenied("Casework is already set up.") from exc
    return create_user(email, password, Role.ADMIN, display_name)


# --- login -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PasswordStep:
    """The result of the first login step: the user whose password was right."""

    user: User
    needs_enrolment: bool


def _refuse_if_throttled(email: str, user: User | None) -> None:
    if throttle().blocked(email):
        record(user, "auth.login_throttled", user, object_type="users")
        raise Throttled("Too many failed attempts on this account.")


def check_password(email: str, password: str) -> PasswordStep | None:
    """First login step. None if the e-mail or password is wrong or the account deactivated
    (the same answer, in the same time, for an unknown e-mail). Failures are audited and
    counted against the account; past the limit, Throttled is raised even for the right one."""
    email = (email or "").strip().lower()
    user = get_by_email(email) if email else None
    _refuse_if_throttled(email, user)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        throttle().failed(email)
        action = "auth.login_failed" if not ok or user is None else "auth.login_refused_inactive"
        record(user, action, user, object_type="users")
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return PasswordStep(user=user, needs_enrolment=not user.has_second_factor)


def check_second_factor(user: User, code: str | None, recovery_code: str | None = None) -> bool:
    """Second login step (and re-authentication): a fresh TOTP code or an unused recovery
    code. A failure counts against the account like a wrong password."""
    _refuse_if_throttled(user.email, user)
    if code and totp.verify_code(user, code):
        return True
    if recovery_code and totp.use_recovery_code(user, recovery_code):
        record(user, "auth.recovery_code_used", user, left=totp.recovery_codes_left(user))
        return True
    throttle().failed(user.email)
    record(user, "auth.second_factor_failed", user)
    return False


def complete_login(user: User) -> UserSession:
    """Both factors given: open a full session (new id, new CSRF token)."""
    user.last_login_at = utcnow()
    record(user, "auth.login", user)
    return sessions.start(user, second_factor_done=True)


def start_password_only_session(user: User) -> UserSession:
    """Password given: a session that waits for the code, or that reaches only enrolment."""
    return sessions.start(user, second_factor_done=False)


def end_other_sessions(user: User, row: UserSession) -> int:
    """Log the user out everywhere but this browser; how many sessions ended."""
    ended = sessions.end_all(user, keep=row)
    record(user, "auth.other_sessions_ended", user, count=ended)
    return ended


def session_count(user: User) -> int:
    return sessions.active_count(user)


def logout(user: Any) -> None:
    if getattr(user, "is_authenticated", False):
        record(user, "auth.logout", user)
    sessions.end_current()


def reauthenticate(user: User, row: UserSession, password: str, code: str | None) -> bool:
    """Password and code again, before a sensitive change; True if both were right."""
    _refuse_if_throttled(user.email, user)
    if not passwords.verify_password(user.password_hash, password):
        throttle().failed(user.email)
        record(user, "auth.reauth_failed", user)
        return False
    if not check_second_factor(user, code):
        return False
    sessions.mark_reauthenticated(row)
    record(user, "auth.reauthenticated", user)
    return True


# --- second factor ---------------------------------------------------------------------------


def pending_totp_secret(user: User) -> str:
    """The secret being enrolled (created on first call; kept until confirmed)."""
    if user.has_second_factor:
        raise PermissionDenied("A second factor is already set up.")
    if not user.totp_secret:
        user.totp_secret = totp.new_secret()
        user.totp_last_step = None
    return user.totp_secret


def confirm_enrolment(user: User, row: UserSession, code: str | None) -> list[str]:
    """The first code from the new authenticator proves the enrolment; returns the ten
    recovery codes (shown once). The session becomes a full one under a new id."""
    if user.has_second_factor or not user.totp_secret:
        raise PermissionDenied("Nothing to enrol.")
    if not totp.verify_code(user, code):
        record(user, "auth.enrolment_failed", user)
        raise ValidationFailed(
            {"code": [_("This code is not right. Check the clock of the device.")]}
        )
    user.totp_confirmed_at = utcnow()
    codes = totp.new_recovery_codes(user)
    record(user, "auth.second_factor_enrolled", user)
    sessions.end_all(user, keep=row)
    complete_login(user)
    return codes


def replace_second_factor(user: User, row: UserSession) -> None:
    """Drop the current authenticator so that a new one is enrolled at once (a new phone).
    Callers ask for fresh authentication first; the user's other sessions end."""
    totp.remove_second_factor(user)
    sessions.end_all(user, keep=row)
    revoke_standing_credentials(user)
    record(user, "auth.second_factor_replaced", user)


def regenerate_recovery_codes(user: User) -> list[str]:
    codes = totp.new_recovery_codes(user)
    record(user, "auth.recovery_codes_renewed", user)
    return codes


def recovery_codes_left(user: User) -> int:
    return totp.recovery_codes_left(user)


# --- passwords -------------------------------------------------------------------------------


def change_own_password(user: User, current: str, new: str) -> None:
    """Change one's password; every session of the user ends, this one under a new id.

    A wrong current password counts against the account as a failed login does (audited;
    past the limit, Throttled even for the right one): a stolen session is no password oracle.
    """
    _refuse_if_throttled(user.email, user)
    if not passwords.verify_password(user.password_hash, current):
        throttle().failed(user.email)
        record(user, "auth.reauth_failed", user)
        raise ValidationFailed({"current_password": [_("The current password is wrong.")]})
    passwords.check_new_password(new, "new_password")
    user.password_hash = passwords.hash_password(new)
    row = sessions.current()
    created, reauth = (row.created_at, row.reauthenticated_at) if row else (utcnow(), None)
    sessions.end_all(user)
    revoke_standing_credentials(user)
    record(user, "user.password_changed", user)
    if row is not None:
        sessions.renew(user, created, reauth)


def _code_hash(code: str) -> str:
    cleaned = "".join(ch for ch in (code or "") if ch.isalnum()).lower()
    return hashlib.sha256(cleaned.encode()).hexdigest()


def issue_password_reset(actor: User, user: User) -> str:
    """An admin creates a one-time code with which ``user`` sets a new password themselves;
    the code is returned once (to hand over through a safe channel), only its hash is kept.
    The admin never learns or sets the password, and the second factor stays in force."""
    _require_admin(actor)
    now = utcnow()
    db.session.execute(
        update(PasswordResetCode)
        .where(PasswordResetCode.user_id == user.id, PasswordResetCode.used_at.is_(None))
        .values(used_at=now)
    )
    code = secrets.token_hex(12)  # 96 bits
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    db.session.add(
        PasswordResetCode(
            user_id=user.id,
            code_hash=_code_hash(code),
            created_by_id=actor.id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    record(actor, "user.password_reset_issued", user, hours=hours)
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def redeem_password_reset(code: str, new_password: str) -> User:
    """Set a new password with a reset code; every session of the user ends."""
    row = db.session.scalar(
        select(PasswordResetCode).where(PasswordResetCode.code_hash == _code_hash(code))
    )
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        raise ValidationFailed({"code": [_("This code is wrong, used or expired.")]})
    passwords.check_new_password(new_password, "new_password")
    user = row.user
    row.used_at = utcnow()
    user.password_hash = passwords.hash_password(new_password)
    sessions.end_all(user)
    revoke_standing_credentials(user)
    record(user, "user.password_reset_used", user)
    return user


def update_own_profile(
    user: User, display_name: str, expected_version: Any, language: str | None = None
) -> None:
    """Change one's own display name and interface language (None or "": the browser's)."""
    name = _check_name(display_name)
    chosen = known_language(language)
    if language and chosen is None:
        raise ValidationFailed({"language": [_("Choose a language from the list.")]})
    check_version(user, expected_version, {"display_name": name, "language": chosen})
    changed = [
        field
        for field, old, new in (
            ("display_name", user.display_name, name),
            ("language", user.language, chosen),
        )
        if old != new
    ]
    user.display_name = name
    user.language = chosen
    if changed:
        record(user, "user.profile_updated", user, fields=changed)


# --- administration --------------------------------------------------------------------------


def _require_admin(actor: User) -> None:
    if not can_manage_accounts(actor):
        raise PermissionDenied("Only an administrator manages accounts.")


def _is_last_active_admin(user: User) -> bool:
    """Is ``user`` the last active account able to manage accounts?"""
    if not has_right(user, "manage_accounts"):
        return False
    count = db.session.scalar(
        select(func.count(User.id)).where(holders_clause("manage_accounts"), User.is_active_account)
    )
    return (count or 0) <= 1


def _coordinator_granted(actor: User | None, user: User) -> None:
    """Granting the coordinator role (who sees every case) is recorded prominently and told
    to every other coordinator, in the app (who, and by whom) and by e-mail when SMTP is
    configured (that it happened, and a link: no name crosses the mail servers)."""
    record(actor, "user.coordinator_granted", user)
    now = utcnow()
    others = [u for u in users_with_role(Role.COORDINATOR) if u.id != user.id]
    mails = []
    for other in others:
        with in_language(other.language):  # the notice and the mail in the reader's language
            values = {"name": user.display_name, "email": user.email, "when": format_moment(now)}
            if actor is not None:
                text = _(
                    "%(name)s (%(email)s) was given the coordinator role by %(by)s on %(when)s "
                    "UTC. If you did not expect this, tell the other coordinators.",
                    by=actor.display_name,
                    **values,
                )
            else:
                text = _(
                    "%(name)s (%(email)s) was given the coordinator role from the command line "
                    "on %(when)s UTC. If you did not expect this, tell the other coordinators.",
                    **values,
                )
            subject = _("Casework: a new coordinator")
            # Mail crosses servers the organisation does not run: who was given the role, and
            # by whom, is said in the notice only.
            body = _(
                "An account was given the coordinator role on %(when)s UTC. If you did not "
                "expect this, tell the other coordinators. Which account, and who gave the role, "
                "is said at the top of your Casework pages: %(link)s",
                when=values["when"],
                link=links.base_url() + "/",
            )
        db.session.add(AccountNotice(user_id=other.id, message=text[:300]))
        if mail.configured():
            mails.append(mail.message(other.email, subject, body))
    if mail.configured():
        mail.send_after_commit(mails)
        record(actor, "user.coordinator_grant_mailed", user, to=len(others))


def admin_update_user(
    actor: User,
    user: User,
    *,
    role: str,
    display_name: str,
    active: bool,
    expected_version: Any,
) -> User:
    """An admin changes a user's role, name or active flag (never deletes an account). A
    role change or deactivation ends every session of the user and revokes their API tokens
    (a token made under the old role must not gain the new one's reach, and a reactivated
    account must not bring back the tokens it had)."""
    _require_admin(actor)
    role_value = Role.parse(role)
    if role_value is None:
        raise ValidationFailed({"role": [_("Unknown role.")]})
    name = _check_name(display_name)
    submitted = {"role": role_value, "display_name": name, "active": active}
    check_version(user, expected_version, submitted)
    if user.id == actor.id and (role_value != Role.ADMIN or not active):
        raise ValidationFailed(
            {"role": [_("You cannot remove your own administrator rights or deactivate yourself.")]}
        )
    if _is_last_active_admin(user) and (role_value != Role.ADMIN or not active):
        raise ValidationFailed({"role": [_("This is the last active administrator.")]})
    if role_value != user.role:
        record(actor, "user.role_changed", user, old=user.role.value, new=role_value.value)
        user.role = role_value
        sessions.end_all(user)
        revoke_standing_credentials(user)
        if role_sees_every_case(role_value):
            _coordinator_granted(actor, user)
    if name != user.display_name:
        record(actor, "user.renamed", user)
        user.display_name = name
    if active != user.is_active_account:
        user.is_active_account = active
        sessions.end_all(user)
        revoke_standing_credentials(user)
        record(actor, "user.activated" if active else "user.deactivated", user)
    return user


def list_users() -> list[User]:
    return list(
        db.session.scalars(select(User).order_by(User.is_active_account.desc(), User.email))
    )


def users_with_role(*roles: Role, active_only: bool = True) -> list[User]:
    query = select(User).where(roles_clause(roles))
    if active_only:
        query = query.where(User.is_active_account)
    return list(db.session.scalars(query.order_by(User.display_name)))


@dataclass(frozen=True)
class UserName:
    """An account as a choice in a form: what it shows and what it sends."""

    public_id: str
    display_name: str


def user_names(*roles: Role) -> tuple[UserName, ...]:
    """``users_with_role`` (active ones) as choices, kept until the next recorded change: the
    case list offers its lawyers on every page."""
    return _user_names(data_version(), tuple(sorted(roles)))


@data_cached(maxsize=64)
def _user_names(version: str, roles: tuple[Role, ...]) -> tuple[UserName, ...]:
    return tuple(UserName(u.public_id, u.display_name) for u in users_with_role(*roles))


# --- notices ---------------------------------------------------------------------------------


def unread_notices(user: User) -> list[AccountNotice]:
    return list(
        db.session.scalars(
            select(AccountNotice)
            .where(AccountNotice.user_id == user.id, AccountNotice.read_at.is_(None))
            .order_by(AccountNotice.created_at.desc())
            .limit(20)
        )
    )


def dismiss_notices(user: User) -> None:
    db.session.execute(
        update(AccountNotice)
        .where(AccountNotice.user_id == user.id, AccountNotice.read_at.is_(None))
        .values(read_at=utcnow())
    )
