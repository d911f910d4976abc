"""Fresh authentication before sensitive actions (second factor, roles, bulk exports).

``@require_recent_auth`` on a view: unless the user gave password and code within
``REAUTH_MINUTES``, a GET is sent to the confirmation page (and back afterwards) and any other
method is refused with 403, so a stolen, idle session cannot do these things."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, redirect, request, url_for

from casework.accounts import sessions


def has_recent_auth() -> bool:
    """True if this request's session gave password and code recently."""
    return sessions.recently_authenticated(sessions.current())


def require_recent_auth(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if has_recent_auth():
            return view(*args, **kwargs)
        if request.method in ("GET", "HEAD"):
            return redirect(url_for("accounts.reauthenticate", next=request.path))
        abort(403)

    return wrapped
