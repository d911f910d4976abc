"""The request pipeline: login required by default, security headers, error pages."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Forbidden, HTTPException, NotFound

from casework import permissions
from casework.core import countries, vocab
from casework.core.db import db, utcnow
from casework.core.errors import MissingVersion, NotVisible, PermissionDenied
from casework.core.navigation import nav_items

log = logging.getLogger(__name__)

# The only endpoints an anonymous visitor reaches. Everything else needs a login, so a view
# that forgets a decorator cannot open a route. tests/test_access.py enumerates app.url_map.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "core.healthz",
        "accounts.login",
        "accounts.setup",
        # Between the password and the code: the session is not logged in yet.
        "accounts.login_code",
        # Redeeming the one-time code an administrator gave (sets a password, logs nobody in).
        "accounts.password_reset",
        # Authenticated by the secret token in its URL, not by the session.
        "advocacy.calendar_feed",
        # The API's description: it holds no data.
        "api.openapi",
    }
)

# All that a logged-in user without a second factor reaches: enrolment, and logging out.
ENROLMENT_ENDPOINTS = frozenset({"static", "accounts.enrol", "accounts.logout"})

# Blueprints that authenticate every request themselves (the API: a bearer token, never the
# cookie session). Their endpoints answer 401 without valid credentials.
SELF_AUTHENTICATED_BLUEPRINTS = frozenset({"api"})

# The one shape of every JSON error: {"error": {"code", "message", "fields"}}.
ERROR_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    428: "precondition_required",
    429: "rate_limited",
    500: "server_error",
}


def json_error(status: int, message: str, fields: dict[str, list[str]] | None = None):
    """A JSON error response in the one shape clients parse."""
    body = {
        "error": {
            "code": ERROR_CODES.get(status, "error"),
            "message": message,
            "fields": fields or {},
        }
    }
    return jsonify(body), status


_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

# Two years, as browsers' preload lists expect; production only (it needs HTTPS).
_HSTS = "max-age=63072000; includeSubDomains"


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_pipeline(app: Flask) -> None:
    """Install the login gate, headers, template globals and error handlers on ``app``."""

    @app.before_request
    def require_login():
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if request.blueprint in SELF_AUTHENTICATED_BLUEPRINTS:
            return None
        if current_user.is_authenticated:
            if current_user.has_second_factor or request.endpoint in ENROLMENT_ENDPOINTS:
                return None
            if _wants_json():
                return jsonify(error="second factor required"), 401
            return redirect(url_for("accounts.enrol"))
        if _wants_json():
            return json_error(401, "Authentication required.")
        # Only the path: a query string may hold search terms.
        return redirect(url_for("accounts.login", next=request.path))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        # No other origin may hold a window reference to a page, or embed a response.
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if app.config.get("SEND_HSTS"):
            response.headers.setdefault("Strict-Transport-Security", _HSTS)
        # Never advertise the server software or its version.
        response.headers.pop("Server", None)
        if current_user.is_authenticated and request.endpoint != "static":
            # Case content must not stay in shared or seized browsers' caches.
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def template_globals():
        return {
            "perm": permissions,
            "vocab": vocab,
            "org_name": app.config["ORGANISATION_NAME"],
            "nav_items": lambda user: nav_items(user, permissions.has_right),
            "now_utc": utcnow,
        }

    @app.template_filter("pdate")
    def partial_date(value, approximate: bool = False, note: str | None = None) -> str:
        """A partial date for display: '2011-06', 'c. 2011', or 'unknown'."""
        if value is None:
            return f"unknown ({note})" if note else "unknown"
        text = value.iso() if hasattr(value, "iso") else value.isoformat()
        return f"c. {text}" if approximate else text

    @app.template_filter("country")
    def country_name(code: str | None) -> str:
        return countries.name(code) if code else "—"

    @app.template_filter("paragraphs")
    def paragraphs(text: str | None) -> Markup:
        """Plain text as escaped paragraphs (blank lines separate them; newlines break lines)."""
        if not text:
            return Markup("")
        parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
        return Markup("").join(
            Markup("<p>{}</p>").format(Markup("<br>").join(part.split("\n"))) for part in parts
        )

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        db.session.rollback()
        message = "The form expired or was sent from elsewhere. Reload the page and try again."
        if _wants_json():
            return json_error(400, message)
        return render_template("errors/error.html", code=400, message=message), 400

    def record_refusal(exc: Exception) -> None:
        # What the loader asked to audit about the refusal, after the request's rollback.
        after_rollback = getattr(exc, "after_rollback", None)
        if after_rollback is not None:
            after_rollback()
            db.session.commit()

    @app.errorhandler(NotVisible)
    def not_visible(exc: NotVisible):
        response = http_error(NotFound())
        record_refusal(exc)
        return response

    @app.errorhandler(MissingVersion)
    def missing_version(exc: MissingVersion):
        db.session.rollback()
        if _wants_json():
            return json_error(400, MissingVersion.message)
        return render_template("errors/error.html", code=400, message=MissingVersion.message), 400

    @app.errorhandler(StaleDataError)
    def simultaneous_save(exc: StaleDataError):
        # Two saves of one record in the same instant (after both checked its version): the
        # later one is refused whole, never a 500, never applied over the other.
        db.session.rollback()
        message = (
            "Someone else saved this record at the same moment: nothing of yours was saved. "
            "Reload the page and try again."
        )
        if _wants_json():
            return json_error(409, message)
        return render_template("errors/error.html", code=409, message=message), 409

    @app.errorhandler(PermissionDenied)
    def permission_denied(exc: PermissionDenied):
        response = http_error(Forbidden())
        record_refusal(exc)
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        code = exc.code or 500
        messages = {
            403: "You do not have permission to do this.",
            404: "There is nothing here, or you may not see it.",
            405: "This address does not accept that kind of request.",
            413: "The file or form is too large.",
            412: "The record changed since you read it; nothing was saved.",
            415: "This address does not accept that content type.",
            428: "Say which version you change (the If-Match header).",
            429: "Too many attempts. Wait a minute and try again.",
        }
        message = messages.get(code, exc.description or exc.name)
        if _wants_json():
            return json_error(code, message)
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        db.session.rollback()
        # The traceback goes to the log without request data (no form values, no query).
        log.exception("unhandled error on %s %s", request.method, request.endpoint)
        message = "Something went wrong on our side. Nothing you saved before was lost."
        if _wants_json():
            return json_error(500, message)
        return render_template("errors/error.html", code=500, message=message), 500
