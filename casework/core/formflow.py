"""The one way a form view saves: validate, call the service, commit once, flash, redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from casework.core.db import db
from casework.core.errors import StaleEdit, ValidationFailed
from casework.core.forms import apply_errors


def submit(
    form: FlaskForm,
    action: Callable[[], Any],
    *,
    success: str,
    then: str | Callable[[Any], str],
    on_stale: Callable[[StaleEdit], Response | tuple[Any, int]] | None = None,
) -> Response | tuple[Any, int] | None:
    """Handle a POSTed form; return the response to send, or None to render the form again.

    ``action`` calls the service (which flushes). On success: one commit, ``success`` flashed,
    redirect to ``then`` (a URL, or a function of the action's result). A ValidationFailed puts
    its messages on the form; a StaleEdit rolls back and goes to ``on_stale``.
    """
    if request.method != "POST" or not form.validate_on_submit():
        return None
    try:
        result = action()
    except StaleEdit as exc:
        db.session.rollback()
        if on_stale is None:
            raise
        return on_stale(exc)
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return None
    db.session.commit()
    flash(success, "success")
    return redirect(then(result) if callable(then) else then)
