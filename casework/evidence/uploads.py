"""Taking an upload on a page: the one way a case's and an advocacy action's documents arrive.

The file itself is checked and stored by ``services.store_document``; this is what the page
around it does, for every upload form alike (the API answers in its own way).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, request
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from casework.core.db import db
from casework.core.errors import StorageFailed, ValidationFailed
from casework.core.formflow import claim_sent, sent_before
from casework.core.forms import apply_errors
from casework.core.i18n import gettext as _
from casework.evidence.models import Document
from casework.evidence.services import upload_warnings


def receive(form: FlaskForm, store: Callable[[], Document], *, then: str) -> Response | int:
    """Handle an upload form (a ``formkeys.OnceForm``): the response to send, or the status to
    show the form again with.

    ``store`` calls ``store_document``. Stored: one commit, the SHA-256 said, and a warning
    when the file records where it was taken (a photo's or a recording's GPS coordinates); then
    a redirect to ``then`` (to its page's top when there is a warning). Shown again: 200 for a GET, 422 when the form or the file is refused,
    503 when the file store is full or unreachable (not the user's mistake). Sent twice: stored
    once.
    """
    if request.method != "POST":
        return 200
    if sent_before(form):
        return redirect(then)
    if not form.validate_on_submit():
        return 422
    if not claim_sent(form):
        return redirect(then)
    try:
        document = store()
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return 503 if isinstance(exc, StorageFailed) else 422
    db.session.commit()
    flash(_("Document stored. SHA-256: %(hash)s", hash=document.sha256), "success")
    warnings = upload_warnings(document)
    for _code, message in warnings:
        flash(message, "warning")
    # The messages show at the top of the page: with a warning, open it there, not on the
    # section ``then`` may point to further down (a long case file on a phone).
    return redirect(then.partition("#")[0] if warnings else then)
