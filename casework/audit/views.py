"""The audit trail, for administrators: filter by user, action, object type and dates."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from flask import Blueprint, Flask, abort, flash, render_template, request
from flask_login import current_user

from casework.audit import services, wording
from casework.audit.cli import audit_cli
from casework.core.i18n import gettext as _
from casework.permissions import can_view_audit

bp = Blueprint("audit", __name__)
PAGE_SIZE = 100


@dataclass
class TrailFilters:
    user: str = ""
    action: str = ""
    object_type: str = ""
    since: str = ""
    until: str = ""

    def args(self, **extra: object) -> dict[str, object]:
        return {k: v for k, v in {**asdict(self), **extra}.items() if v}


def _day(filters: TrailFilters, name: str) -> date | None:
    """The day of the filter ``name``; one that is not a day is ignored (and emptied), and the
    page says so, as the statistics page does."""
    value = getattr(filters, name)
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 9000:
        flash(_("“%(value)s” is not a date (YYYY-MM-DD); ignored.", value=value[:20]), "warning")
        setattr(filters, name, "")
        return None
    return day


@bp.get("/admin/audit")
def trail():
    if not can_view_audit(current_user):
        abort(403)
    filters = TrailFilters(
        **{k: request.args.get(k, "")[:80] for k in TrailFilters.__annotations__}
    )
    actor = services.actor_by_public_id(filters.user) if filters.user else None
    if filters.user and actor is None:
        abort(404)
    page = services.trail_page(
        (request.args.get("cursor") or "").strip()[:200],
        size=PAGE_SIZE,
        actor_id=actor.id if actor else None,
        action=filters.action or None,
        object_type=filters.object_type or None,
        since=_day(filters, "since"),
        until=_day(filters, "until"),
    )
    if page.notice:
        flash(_(page.notice), "warning")
    return render_template(
        "audit/trail.html",
        page=page,
        accounts=services.accounts_named(page.entries),
        filters=filters,
        actors=services.actors(),
        action_groups=wording.action_choices(services.actions()),
        object_types=wording.object_type_choices(services.object_types()),
    )


def init_app(app: Flask) -> None:
    # Every page that shows history shows sentences, never action codes.
    app.add_template_filter(wording.describe, "sentence")
    app.add_template_filter(wording.shown_details, "shown_details")
    app.add_template_filter(wording.object_type_label, "object_type")
    app.cli.add_command(audit_cli)
