"""Pages of the web application about the API: one's personal access tokens, the reference."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user

from casework import permissions
from casework.accounts.recent_auth import require_recent_auth
from casework.api import tokens
from casework.api.forms import TokenForm
from casework.api.openapi import build_spec
from casework.core.db import db, utcnow
from casework.core.errors import ValidationFailed
from casework.core.formflow import perform
from casework.core.forms import apply_errors
from casework.core.i18n import gettext as _

bp = Blueprint("api_web", __name__)


def _page(form: TokenForm, secret: str | None = None, created: Any = None, status: int = 200):
    return render_template(
        "api/tokens.html",
        form=form,
        tokens=tokens.user_tokens(current_user),
        secret=secret,
        created=created,
        now=utcnow(),
    ), status


@bp.get("/profile/tokens")
def token_list():
    if not permissions.can_use_api(current_user):
        abort(403)
    return _page(TokenForm())


@bp.post("/profile/tokens")
@require_recent_auth
def create_token():
    if not permissions.can_use_api(current_user):
        abort(403)
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        token, secret = tokens.create_token(
            current_user, form.name.data, form.scope.data, form.days.data
        )
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _page(form, status=422)
    db.session.commit()
    # The secret is shown in this answer only: never stored, never put in a flash or a redirect.
    return _page(TokenForm(formdata=None), secret=secret, created=token, status=201)


@bp.post("/profile/tokens/<token_id>/revoke")
def revoke_token(token_id: str):
    token = tokens.get_own_token(current_user, token_id)
    return perform(
        lambda: tokens.revoke_token(current_user, token),
        success=_("Token revoked: it no longer works."),
        then=url_for("api_web.token_list"),
    )


@bp.get("/api-reference")
def reference():
    """The API reference, rendered here from the OpenAPI document (nothing from elsewhere)."""
    return render_template("api/reference.html", spec=build_spec())
