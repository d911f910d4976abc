"""The audit trail, for administrators."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from casework.audit import services
from casework.permissions import can_view_audit

bp = Blueprint("audit", __name__)
PAGE_SIZE = 100


@bp.get("/admin/audit")
def trail():
    if not can_view_audit(current_user):
        abort(403)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    action = request.args.get("action") or None
    rows = services.entries(action=action, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "audit/trail.html",
        entries=rows[:PAGE_SIZE],
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        action=action,
    )
