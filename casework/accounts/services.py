"""Accounts: creation, authentication, roles, deactivation, own profile. Every change is audited."""

from __future__ import annotations

import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from sqlalchemy import func, select

from casework.accounts.models import (
    NAME_MAX_LEN,
    PASSWORD_MAX_LEN,
    PASSWORD_MIN_LEN,
    User,
)
from casework.audit.services import record
from casework.core.db import db, utcnow
from casework.core.errors import PermissionDenied, ValidationFailed, check_version
from casework.core.vocab import Role
from casework.permissions import can_manage_accounts

_hasher = PasswordHasher()
# Cheap parameters for the test suite only (TestingConfig.PASSWORD_HASH_FAST).
_fast_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
# Verified when the e-mail is unknown, so that a login takes as long either way.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def _hasher_for_app() -> PasswordHasher:
    if has_app_context() and current_app.config.get("PASSWORD_HASH_FAST"):
        return _fast_hasher
    return _hasher


def hash_password(password: str) -> str:
    return _hasher_for_app().hash(password)


def _check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN_LEN:
        raise ValidationFailed(
            {"password": [f"The password needs at least {PASSWORD_MIN_LEN} characters."]}
        )
    if len(password) > PASSWORD_MAX_LEN:
        raise ValidationFailed(
            {"password": [f"The password may have at most {PASSWORD_MAX_LEN} characters."]}
        )


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
        raise ValidationFailed({"display_name": ["A display name is required."]})
    if len(name) > NAME_MAX_LEN:
        raise ValidationFailed(
            {"display_name": [f"The display name may have at most {NAME_MAX_LEN} characters."]}
        )
    return name


def get_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def get_by_public_id(public_id: str) -> User | None:
    return db.session.scalar(select(User).where(User.public_id == public_id))


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


def create_user(
    email: str,
    password: str,
    role: Role | str,
    display_name: str | None = None,
    *,
    actor: User | None = None,
) -> User:
    """Create an account. ``actor`` is the admin doing it (None from the CLI or first-run setup)."""
    email = normalise_email(email)
    role_value = Role.parse(str(role))
    if role_value is None:
        raise ValidationFailed({"role": [f"Unknown role; choose one of {', '.join(Role)}."]})
    _check_password(password)
    name = _check_name(display_name or email.split("@")[0])
    if get_by_email(email) is not None:
        raise ValidationFailed({"email": ["An account with this e-mail address already exists."]})
    user = User(
        email=email,
        display_name=name,
        password_hash=hash_password(password),
        role=role_value,
        session_token=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.flush()
    record(actor, "user.created", user, role=role_value.value)
    return user


def setup_first_admin(email: str, password: str, display_name: str) -> User:
    """First-run setup: create the first admin, only while no account exists."""
    if user_count() > 0:
        raise PermissionDenied("Casework is already set up.")
    return create_user(email, password, Role.ADMIN, display_name)


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None. Failures are audited."""
    user = get_by_email(email or "")
    hasher = _hasher_for_app()
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        record(user, "auth.login_failed", user, object_type="users")
        return None
    if user is None or not user.is_active:
        record(user, "auth.login_refused_inactive", user, object_type="users")
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = utcnow()
    record(user, "auth.login", user)
    return user


def load_user_from_session(token: str) -> User | None:
    """Flask-Login loader: ``public_id:session_token`` of an active account."""
    public_id, _, session_token = (token or "").partition(":")
    user = get_by_public_id(public_id)
    if user is None or not secrets.compare_digest(user.session_token, session_token):
        return None
    return user


def change_own_password(user: User, current: str, new: str) -> None:
    """Change one's password; every other session of the user ends."""
    try:
        _hasher_for_app().verify(user.password_hash, current or "")
    except (VerificationError, InvalidHashError) as exc:
        raise ValidationFailed({"current_password": ["The current password is wrong."]}) from exc
    _check_password(new)
    user.password_hash = hash_password(new)
    user.session_token = secrets.token_hex(16)
    record(user, "user.password_changed", user)


def update_own_profile(user: User, display_name: str, expected_version: Any) -> None:
    name = _check_name(display_name)
    check_version(user, expected_version, {"display_name": name})
    if name != user.display_name:
        user.display_name = name
        record(user, "user.profile_updated", user, fields=["display_name"])


def _require_admin(actor: User) -> None:
    if not can_manage_accounts(actor):
        raise PermissionDenied("Only an administrator manages accounts.")


def _is_last_active_admin(user: User) -> bool:
    if user.role != Role.ADMIN or not user.is_active_account:
        return False
    count = db.session.scalar(
        select(func.count(User.id)).where(User.role == Role.ADMIN, User.is_active_account)
    )
    return (count or 0) <= 1


def admin_update_user(
    actor: User,
    user: User,
    *,
    role: str,
    display_name: str,
    active: bool,
    expected_version: Any,
) -> User:
    """An admin changes a user's role, name or active flag (never deletes an account)."""
    _require_admin(actor)
    role_value = Role.parse(role)
    if role_value is None:
        raise ValidationFailed({"role": ["Unknown role."]})
    name = _check_name(display_name)
    submitted = {"role": role_value, "display_name": name, "active": active}
    check_version(user, expected_version, submitted)
    if user.id == actor.id and (role_value != Role.ADMIN or not active):
        raise ValidationFailed(
            {"role": ["You cannot remove your own administrator rights or deactivate yourself."]}
        )
    if _is_last_active_admin(user) and (role_value != Role.ADMIN or not active):
        raise ValidationFailed({"role": ["This is the last active administrator."]})
    if role_value != user.role:
        record(actor, "user.role_changed", user, old=user.role.value, new=role_value.value)
        user.role = role_value
    if name != user.display_name:
        record(actor, "user.renamed", user)
        user.display_name = name
    if active != user.is_active_account:
        user.is_active_account = active
        # Deactivation ends the user's sessions at once.
        user.session_token = secrets.token_hex(16)
        record(actor, "user.activated" if active else "user.deactivated", user)
    return user


def admin_reset_password(actor: User, user: User, new_password: str) -> None:
    _require_admin(actor)
    _check_password(new_password)
    user.password_hash = hash_password(new_password)
    user.session_token = secrets.token_hex(16)
    record(actor, "user.password_reset", user)


def list_users() -> list[User]:
    return list(
        db.session.scalars(select(User).order_by(User.is_active_account.desc(), User.email))
    )


def users_with_role(*roles: Role, active_only: bool = True) -> list[User]:
    query = select(User).where(User.role.in_([r.value for r in roles]))
    if active_only:
        query = query.where(User.is_active_account)
    return list(db.session.scalars(query.order_by(User.display_name)))
