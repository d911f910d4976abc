"""The dashboard and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from casework.core.dashboard import dashboard_for
from casework.core.db import db
from casework.core.rendering import render_fragment

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness and database reachability, with no content."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001  (any database failure means unhealthy)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok")


@bp.get("/")
def dashboard():
    board = dashboard_for(current_user)
    sections = [render_fragment(s.template, ctx) for s, ctx in board.sections]
    return render_template("core/dashboard.html", board=board, sections=sections)
