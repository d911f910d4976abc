"""A form sent twice (a double tap, a retry over a slow connection) saves once.

Each rendered create form carries a random key (``OnceForm``). A save claims the key for its
user and the form's operation in the same transaction as the record; the unique constraint
(user, key) decides between two sends at once. A send whose key was claimed already saves
nothing and is told so. The keys live beside the API's idempotency keys.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import has_request_context, request
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField
from wtforms.validators import Length

from casework.api.models import IdempotencyKey
from casework.core.db import db, utcnow
from casework.core.i18n import N_

KEY_MAX_LEN = 100  # the column's length: form keys and the API's Idempotency-Key alike
# A key is needed while its form may be sent again; the API's keys as long as a client retries.
KEPT = timedelta(days=7)
# A create form opened again this soon after its user saved one says when (going Back after a
# save fetches the page afresh: a fresh key, with what the browser restores in the fields, so a
# second save makes a second record).
RECENT = timedelta(minutes=30)
ALREADY_SAVED = N_("This form was already saved; it was not saved a second time.")


def new_form_key() -> str:
    """A random key per rendered form."""
    return secrets.token_urlsafe(24)


class OnceForm:
    """Mixin for a form whose save creates a record: the form carries its key."""

    form_key = HiddenField(default=new_form_key, validators=[Length(max=KEY_MAX_LEN)])


def clean(value: str | None) -> str | None:
    """``value`` as a key, or None when it is not one (empty, too long, not printable ASCII: a
    NUL, which PostgreSQL cannot store as text, or another control character)."""
    value = (value or "").strip()
    if not (value.isascii() and value.isprintable()):
        return None
    return value if 0 < len(value) <= KEY_MAX_LEN else None


def key_of(form: Any) -> str | None:
    """The form's key, or None (no key field, or a value that is not a key)."""
    field = getattr(form, "form_key", None)
    return clean(field.data) if field is not None else None


def find(actor: Any, key: str | None, operation: str) -> IdempotencyKey | None:
    """The claim of ``key`` by ``actor`` for ``operation``, if the form was saved before."""
    if not key or actor is None or getattr(actor, "id", None) is None:
        return None
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == actor.id,
            IdempotencyKey.key == key,
            IdempotencyKey.operation == operation,
        )
    )


def _page() -> str:
    """The page a form is saved from (its path, hashed to fit the claim's column), or ""
    outside a request: one create form of a kind is not another case's (``last_saved``)."""
    if not has_request_context():
        return ""
    return hashlib.sha256(request.path.encode("utf-8")).hexdigest()


def claim(actor: Any, key: str | None, operation: str, object_id: str = "") -> bool:
    """Claim ``key`` in the current transaction; False when another send claimed it first
    (the caller rolls back: the record was saved by that send)."""
    if not key or actor is None or getattr(actor, "id", None) is None:
        return True
    try:
        with db.session.begin_nested():
            db.session.add(
                IdempotencyKey(
                    user_id=actor.id,
                    key=key,
                    operation=operation,
                    request_hash=_page(),
                    status=303,
                    object_id=object_id,
                )
            )
            db.session.flush()
    except IntegrityError:
        return False
    return True


def last_saved(actor: Any, operation: str, since: datetime) -> datetime | None:
    """When ``actor`` last saved a form of ``operation`` from this page (not the same form of
    another case), if not before ``since``."""
    if actor is None or getattr(actor, "id", None) is None:
        return None
    return db.session.scalar(
        select(func.max(IdempotencyKey.created_at)).where(
            IdempotencyKey.user_id == actor.id,
            IdempotencyKey.operation == operation,
            IdempotencyKey.request_hash == _page(),
            IdempotencyKey.created_at >= since,
        )
    )


def purge(now: Any = None) -> int:
    """Forget keys older than ``KEPT``; returns how many."""
    cutoff = (now or utcnow()) - KEPT
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return result.rowcount or 0
