"""Read functions remembered for the rest of a request, until the next write.

A case file asks several panels for the same rows (the legal panel, the timeline and the
deadlines each read the case's remedies). ``per_request`` runs such a read once per request and
hands each caller its own copy of the list. Anything the session flushes, commits or rolls back
forgets every remembered result, so a read after a write sees the write. Outside a request (the
command line, jobs) nothing is remembered.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

F = TypeVar("F", bound=Callable[..., Any])

_KEY = "casework_request_memo"


def _argument_key(value: Any) -> Any:
    # ORM objects by identity: one object per row in a session, and they are not hashable by
    # value. Everything else (flags, codes) as it is.
    return ("object", id(value)) if hasattr(value, "_sa_instance_state") else value


def per_request(fn: F) -> F:
    """Remember ``fn``'s result for the request (keyed on its arguments), until the next write:
    a list is handed to each caller as its own copy, anything else (immutable) as it is."""

    @functools.wraps(fn)
    def remembered(*args: Any, **kwargs: Any) -> Any:
        if not has_request_context():
            return fn(*args, **kwargs)
        memo = g.setdefault(_KEY, {})
        key = (
            fn.__qualname__,
            tuple(_argument_key(a) for a in args),
            tuple(sorted((k, _argument_key(v)) for k, v in kwargs.items())),
        )
        if key not in memo:
            # Keep the arguments alive with the result, so that an id is never reused.
            memo[key] = ((args, kwargs), fn(*args, **kwargs))
        found = memo[key][1]
        return list(found) if isinstance(found, list) else found

    return remembered  # type: ignore[return-value]


def per_request_shown(fn: F) -> F:
    """``per_request`` for a read ``fn(..., include_hidden=False)`` of rows that may be hidden
    (``hidden_at``): read once with the hidden rows, which callers who do not want them
    (a timeline, beside a panel that offers to restore them) are handed without."""
    remembered = per_request(fn)

    @functools.wraps(fn)
    def read(*args: Any, include_hidden: bool = False, **kwargs: Any) -> list[Any]:
        rows = remembered(*args, include_hidden=True, **kwargs)
        return rows if include_hidden else [r for r in rows if r.hidden_at is None]

    return read  # type: ignore[return-value]


def per_request_dict(name: Any) -> dict[Any, Any]:
    """A dict kept under ``name`` for the rest of the request, until the next write (as what
    ``per_request`` remembers); outside a request, a new empty dict each time."""
    if not has_request_context():
        return {}
    memo = g.setdefault(_KEY, {})
    return memo.setdefault(("dict", name), (None, {}))[1]


def forget() -> None:
    """Forget every remembered result of the request."""
    if has_request_context():
        g.pop(_KEY, None)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context: Any) -> None:
    forget()


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _after_transaction(session: Session) -> None:
    forget()
