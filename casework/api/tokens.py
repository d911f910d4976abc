"""Personal access tokens: create (the secret shown once), authenticate, list, revoke."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from casework import permissions
from casework.api.models import TOKEN_NAME_MAX_LEN, ApiToken, TokenScope
from casework.audit.services import record
from casework.core.db import db, utcnow
from casework.core.errors import NotVisible, PermissionDenied, ValidationFailed
from casework.core.i18n import gettext as _

# Secrets look like "cw_<43 characters>": the prefix tells a leaked one apart in a scan.
SECRET_PREFIX = "cw_"  # noqa: S105  # nosec B105 (a marker, not a secret)
DEFAULT_DAYS = 90
MAX_DAYS = 365


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def create_token(actor: Any, name: str, scope: str, days: int | str | None) -> tuple[ApiToken, str]:
    """A new token of ``actor`` and its secret (returned once, stored only as a hash)."""
    if not permissions.can_use_api(actor):
        raise PermissionDenied()
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Name the token after what will use it (a script, a tool).")]
    elif len(name) > TOKEN_NAME_MAX_LEN:
        errors["name"] = [_("Keep the name under %(n)s characters.", n=TOKEN_NAME_MAX_LEN)]
    scope_value = TokenScope.parse(scope or "")
    if scope_value is None:
        errors["scope"] = [_("Choose read or write.")]
    try:
        lifetime = int(days) if days not in (None, "") else DEFAULT_DAYS
    except (TypeError, ValueError):
        lifetime = 0
    if not 1 <= lifetime <= MAX_DAYS:
        errors["days"] = [_("A token lives from 1 to %(n)s days.", n=MAX_DAYS)]
    if errors:
        raise ValidationFailed(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=actor.id,
        name=name,
        token_hash=_digest(secret),
        prefix=secret[:10],
        scope=scope_value,
        expires_at=utcnow() + timedelta(days=lifetime),
    )
    db.session.add(token)
    db.session.flush()
    record(actor, "api_token.created", token, scope=scope_value.value, days=lifetime)
    return token, secret


def is_usable(token: ApiToken) -> bool:
    """Not revoked, not expired, and its user still active with the right to use the API."""
    return (
        token.revoked_at is None
        and token.expires_at > utcnow()
        and permissions.can_use_api(token.user)
    )


def authenticate(secret: str | None) -> ApiToken | None:
    """The usable token with this secret, its last use noted; else None (the refusal audited)."""
    if not secret or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or not is_usable(token):
        record(
            getattr(token, "user", None),
            "api_token.refused",
            token,
            object_type="api_tokens",
            reason="unknown" if token is None else "revoked_or_expired",
        )
        return None
    token.last_used_at = utcnow()
    return token


def is_valid_secret(secret: str | None) -> bool:
    """Is ``secret`` a usable token's? A look-up only: nothing noted, nothing audited."""
    if not secret or len(secret) > 200:
        return False
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    return token is not None and is_usable(token)


def user_tokens(user: Any) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too, marked as such)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def get_own_token(user: Any, public_id: str) -> ApiToken:
    """One of the user's tokens; anybody else's does not exist for them."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.public_id == (public_id or "")[:40]))
    if not permissions.can_manage_token(user, token):
        raise NotVisible()
    return token


def revoke_token(actor: Any, token: ApiToken) -> None:
    if not permissions.can_manage_token(actor, token):
        raise NotVisible()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(actor, "api_token.revoked", token)


def revoke_all(user: Any) -> int:
    """Revoke every usable token of ``user``, after a change of credentials (a password changed
    or reset, a second factor reset or replaced), a role change or a deactivation: a token made
    with the old ones may be an intruder's, and it asks for no second factor. The number revoked
    (audited)."""
    revoked = (
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
        or 0
    )
    if revoked:
        record(None, "api_token.revoked_all", user, count=revoked)
    return revoked
