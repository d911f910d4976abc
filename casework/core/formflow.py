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


def perform(
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    then: str,
    form: FlaskForm | None = None,
    invalid: str = "Check the form and try again.",
) -> Response:
    """A one-button action posted from another page: do it and go back with a message.

    With ``form``, the action runs only if the form validates (else ``invalid`` is flashed).
    A ValidationFailed is flashed as it is; nothing is saved then.
    """
    if form is not None and not form.validate_on_submit():
        flash(invalid, "error")
        return redirect(then)
    try:
        result = action()
    except ValidationFailed as exc:
        db.session.rollback()
        for messages in exc.errors.values():
            for message in messages:
                flash(message, "error")
    else:
        db.session.commit()
        flash(success(result) if callable(success) else success, "success")
    return redirect(then)
