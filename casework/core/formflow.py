"""The one way a form view saves: validate, call the service, commit once, flash, redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from casework.core import formkeys
from casework.core.db import db, utcnow
from casework.core.errors import StaleEdit, ValidationFailed
from casework.core.forms import apply_errors
from casework.core.i18n import gettext as _


def _operation() -> str:
    return f"form:{request.endpoint}"


def sent_before(form: FlaskForm | None) -> bool:
    """This form (``formkeys.OnceForm``) was saved already by this user: a second send. Said
    to the user; the caller redirects and saves nothing."""
    if form is None or formkeys.find(current_user, formkeys.key_of(form), _operation()) is None:
        return False
    flash(_(formkeys.ALREADY_SAVED), "info")
    return True


def minutes_since_saved(form: FlaskForm | None) -> int | None:
    """On opening a create form (``formkeys.OnceForm``): how many minutes ago its user last
    saved one like it, if within ``formkeys.RECENT``; the page says so to whoever came back to
    it by going Back. None otherwise."""
    if form is None or getattr(form, "form_key", None) is None or request.method != "GET":
        return None
    if not getattr(current_user, "is_authenticated", False):
        return None
    now = utcnow()
    saved = formkeys.last_saved(current_user, _operation(), now - formkeys.RECENT)
    return None if saved is None else int((now - saved).total_seconds() // 60)


def claim_sent(form: FlaskForm | None) -> bool:
    """Claim the form's key in the transaction that will save the form (a refused save rolls
    the claim back with it); False (rolled back, told to the user) when another send of the
    same form saved it meanwhile."""
    if form is None or formkeys.claim(current_user, formkeys.key_of(form), _operation()):
        return True
    db.session.rollback()
    flash(_(formkeys.ALREADY_SAVED), "info")
    return False


def submit(
    form: FlaskForm,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    then: str | Callable[[Any], str],
    on_stale: Callable[[StaleEdit], Response | tuple[Any, int]] | None = None,
    warning: Callable[[Any], str | None] | None = None,
) -> Response | tuple[Any, int] | None:
    """Handle a POSTed form; return the response to send, or None to render the form again.

    ``action`` calls the service (which flushes). On success: one commit, ``success`` flashed
    (a message, or a function of the action's result), redirect to ``then`` (a URL, or a
    function of the action's result); ``warning``, a function of the result, may add what the
    user should still do (flashed as a warning when it says something). A ValidationFailed puts its messages on the form; a
    StaleEdit rolls back and goes to ``on_stale``. A form with a key (``formkeys.OnceForm``)
    sent again saves nothing the second time.
    """
    if request.method != "POST":
        return None
    if sent_before(form):
        # Where the first send went, when that does not depend on what it made.
        return redirect(then if isinstance(then, str) else request.path)
    if not form.validate_on_submit():
        return None
    if not claim_sent(form):
        return redirect(then if isinstance(then, str) else request.path)
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
    flash(success(result) if callable(success) else success, "success")
    if warning is not None and (message := warning(result)):
        flash(message, "warning")
    return redirect(then(result) if callable(then) else then)


def perform(
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    then: str,
    form: FlaskForm | None = None,
    invalid: str | None = None,
) -> Response:
    """A one-button action posted from another page: do it and go back with a message.

    With ``form``, the action runs only if the form validates (else ``invalid`` is flashed, by
    default "Check the form and try again.").
    A ValidationFailed is flashed as it is; nothing is saved then.
    """
    if sent_before(form):
        return redirect(then)
    if form is not None and not form.validate_on_submit():
        flash(invalid or _("Check the form and try again."), "error")
        return redirect(then)
    if not claim_sent(form):
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
