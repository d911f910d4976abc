"""The request pipeline: login required by default, security headers, error pages."""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass

from flask import (
    Flask,
    flash,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import (
    Forbidden,
    HTTPException,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)

from casework import permissions
from casework.audit.wording import field_name
from casework.core import conflicts, countries, formflow, i18n, vocab
from casework.core.db import db, utcnow
from casework.core.errors import MissingVersion, NotVisible, PermissionDenied, RemovedFromCase
from casework.core.i18n import N_
from casework.core.i18n import gettext as _
from casework.core.navigation import nav_items
from casework.core.rendering import RowForm
from casework.core.rowurls import row_url

log = logging.getLogger(__name__)

# The only endpoints an anonymous visitor reaches. Everything else needs a login, so a view
# that forgets a decorator cannot open a route. tests/test_access.py enumerates app.url_map.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "core.healthz",
        "accounts.login",
        # The interface language chosen before logging in (a cookie with its code).
        "accounts.choose_language",
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

# Answered without reading the session or the user (not even in the response headers): the
# health check is polled often and must stay light; static files carry no case content.
NO_SESSION_ENDPOINTS = frozenset({"static", "core.healthz"})

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
    503: "unavailable",
}

SAVED_THEN_UNAVAILABLE = N_(
    "Your change was saved, but the database became unavailable before the next page could be "
    "shown. Do not send it again; reload in a minute."
)
# SQLite's OperationalErrors that mean "busy or out of reach", not "wrong SQL".
_SQLITE_UNAVAILABLE = ("locked", "busy", "disk i/o", "unable to open", "disk is full", "readonly")
# How long a client is asked to wait after a 503 (seconds).
RETRY_AFTER = 10
DATABASE_UNAVAILABLE = N_(
    "The database is unavailable at the moment: nothing was saved. Try again in a minute."
)
# Form fields never echoed back on the 503 page (typed again instead).
_SECRET_FIELD = re.compile(r"password|passphrase|code|secret|token|recovery", re.IGNORECASE)
# Form fields that carry no typing of the user's (versions, a form's key, buttons): sent again
# unseen.
_PLUMBING_FIELD = re.compile(r"(^|[_-])(version|next|form_key)$|^(save|save_draft|submit|to)$")


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

# Every response's security headers (those the view did not set itself): (name, the name in
# lower case, value), added in one pass over the response's own.
_HEADERS = tuple(
    (name, name.lower(), value)
    for name, value in (
        ("Content-Security-Policy", _CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        # No other origin may hold a window reference to a page, or embed a response.
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    )
)
_HSTS_HEADERS = (*_HEADERS, ("Strict-Transport-Security", "strict-transport-security", _HSTS))


# What an error page (or a JSON error) says for these statuses, in the reader's language.
_HTTP_ERROR_MESSAGES = {
    403: N_("You do not have permission to do this."),
    404: N_("There is nothing here, or you may not see it."),
    405: N_("This address does not accept that kind of request."),
    413: N_("The file or form is too large."),
    412: N_("The record changed since you read it; nothing was saved."),
    415: N_("This address does not accept that content type."),
    428: N_("Say which version you change (the If-Match header)."),
    429: N_("Too many attempts. Wait a minute and try again."),
    503: N_("A service the application needs is unavailable. Try again in a minute."),
}


def _megabytes(size: int) -> str:
    mb = size / (1024 * 1024)
    return f"{mb:.0f}" if mb == int(mb) else f"{mb:.1f}"


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def is_database_unavailable(exc: BaseException) -> bool:
    """Is ``exc`` the database being out of reach (connection lost, server down or busy, pool
    exhausted), as opposed to a bug or a constraint? Those requests are answered with a 503."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    if isinstance(exc.orig, sqlite3.Error):
        # SQLite calls a missing table or a syntax error "operational" too: those are bugs.
        message = str(exc.orig).lower()
        return any(sign in message for sign in _SQLITE_UNAVAILABLE)
    return True


# A case reference kept on one line (the ``case_ref`` filter); ``%s``: the reference, escaped.
_CASE_REF = '<span class="case-ref">%s</span>'


@dataclass(frozen=True)
class EchoedField:
    name: str
    label: str
    value: str
    visible: bool


def _echoed_form() -> tuple[list[EchoedField], list[str], list[str]]:
    """What the failed POST carried: its fields (sent back unchanged by "Try again"), the
    secret fields to type again, and the file fields to choose again."""
    fields: list[EchoedField] = []
    secret: list[str] = []
    if request.method != "POST" or request.mimetype not in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return [], [], []
    for name, values in request.form.lists():
        if name == "csrf_token":
            continue
        if _SECRET_FIELD.search(name):
            secret.append(name)
            continue
        words = field_name(name.replace("-", "_")).strip() or name
        label = words[:1].upper() + words[1:]
        for value in values:
            visible = bool(value.strip()) and not _PLUMBING_FIELD.search(name)
            fields.append(EchoedField(name, label, value, visible))
    files = [name for name, upload in request.files.items(multi=True) if upload.filename]
    return fields, secret, files


def _note_commit(session) -> None:
    # What the 503 page says if the database fails later in the same request.
    if has_request_context() and not session.in_nested_transaction():
        g.request_committed = True


def mark_signed_in() -> None:
    """Note that the request is someone's, for its response headers: asking again after the
    view's commit would reload the account (a commit expires it)."""
    g.signed_in = True


def _maybe_authenticated() -> bool:
    """Is someone logged in? If the database cannot say (it failed after the view's commit),
    assume so: the answer is then private, and the saved change is not reported as lost."""
    try:
        return bool(current_user.is_authenticated)
    except DBAPIError:
        db.session.rollback()
        return True


def _api_routing_refusal():
    """A request to an address or with a method the API lacks: None if it carries a usable
    token (the routing error, 404 or 405, answers after this hook), else the API's own refusal
    (401, or 429), counted and audited as on any other API address."""
    from casework.api.views import token_or_refusal

    _token, refusal = token_or_refusal()
    return refusal


def init_pipeline(app: Flask) -> None:
    """Install the login gate, headers, template globals and error handlers on ``app``."""

    @app.before_request
    def require_login():
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if request.blueprint in SELF_AUTHENTICATED_BLUEPRINTS:
            return None
        if current_user.is_authenticated:
            mark_signed_in()
            if current_user.has_second_factor or request.endpoint in ENROLMENT_ENDPOINTS:
                return None
            if _wants_json():
                return jsonify(error="second factor required"), 401
            return redirect(url_for("accounts.enrol"))
        if request.path.startswith("/api/") and request.routing_exception is not None:
            # An address or method the API lacks: with a valid token, the routing error (404,
            # 405), not a 401 that says the token is wrong; any other token is refused as on
            # the API's own addresses (counted against the address, audited).
            return _api_routing_refusal()
        if _wants_json():
            return json_error(401, _("Authentication required."))
        # Only the path: a query string may hold search terms.
        return redirect(url_for("accounts.login", next=request.path))

    @app.after_request
    def security_headers(response):
        headers = response.headers
        present = {name.lower() for name, _value in headers}
        for name, lowered, value in _HSTS_HEADERS if app.config.get("SEND_HSTS") else _HEADERS:
            if lowered not in present:
                headers.add(name, value)
        # Never advertise the server software or its version.
        if "server" in present:
            del headers["Server"]
        if response.status_code == 503 or g.get("database_unavailable"):
            # The answer may hold what the user typed; and asking who is logged in would need
            # the database.
            response.headers["Cache-Control"] = "no-store"
        elif request.endpoint in NO_SESSION_ENDPOINTS:
            # Never ask for the user here: it would load the session and the account.
            return response
        elif request.method not in ("GET", "HEAD") or g.get("signed_in") or _maybe_authenticated():
            # Case content must not stay in shared or seized browsers' caches; nor the answer to
            # a form sent before signing in, which shows what was typed (a failed login, the
            # e-mail address: often a monitor's name).
            response.headers["Cache-Control"] = "no-store"
        return response

    if not event.contains(db.session, "after_commit", _note_commit):
        event.listen(db.session, "after_commit", _note_commit)

    @app.context_processor
    def template_globals():
        return {
            "perm": permissions,
            "vocab": vocab,
            "org_name": app.config["ORGANISATION_NAME"],
            "nav_items": lambda user: nav_items(user, permissions.global_rights),
            "now_utc": utcnow,
        }

    # For the form macros (imported without the request's context): the upload limit.
    app.jinja_env.globals["upload_limit_bytes"] = lambda: app.config["MAX_UPLOAD_BYTES"]
    app.jinja_env.globals["upload_limit_mb"] = lambda: _megabytes(app.config["MAX_UPLOAD_BYTES"])
    app.jinja_env.globals["minutes_since_saved"] = formflow.minutes_since_saved
    # The links of a page's rows (each with its Edit and Remove): the URL rule walked once.
    app.jinja_env.globals["row_url"] = row_url
    # The forms of a page's rows (Remove, Restore): rendered once, each row's action put in.
    app.jinja_env.globals["row_form"] = RowForm

    @app.template_filter("pdate")
    def partial_date(value, approximate: bool = False, note: str | None = None) -> str:
        """A partial date in the reader's language: '12 Jun 2011', 'c. 2011', 'unknown'."""
        return i18n.format_partial_date(value, approximate, note)

    @app.template_filter("day")
    def day(value) -> str:
        """A date (or a moment's date) in the reader's language; '—' for none."""
        return i18n.format_day(value)

    @app.template_filter("moment")
    def moment(value) -> str:
        """A moment (UTC) as date and time in the reader's language; '—' for none."""
        return i18n.format_moment(value)

    @app.template_filter("number")
    def number(value) -> str:
        """A number with the reader's digit grouping and decimal sign."""
        return i18n.format_number(value)

    @app.template_filter("country")
    def country_name(code: str | None) -> str:
        return countries.local_name(code, i18n.current_language()) if code else "—"

    @app.template_filter("case_ref")
    def case_ref(reference: str | None) -> Markup:
        """A case reference kept on one line (KZ-2023-0012 never breaks at a hyphen): every page
        shows references through this filter (not ``<title>``, which holds text only)."""
        if not reference:
            return Markup("")
        # The reference escaped into a fixed text: a list writes one per row (or several), and
        # Markup's formatter costs four times as much for the same result.
        return Markup(_CASE_REF % escape(reference))  # noqa: S704  # nosec B704 (escaped)

    @app.template_filter("paragraphs")
    def paragraphs(text: str | None) -> Markup:
        """Plain text as escaped paragraphs (blank lines separate them; newlines break lines)."""
        if not text:
            return Markup("")
        parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
        return Markup("").join(
            Markup('<p dir="auto">{}</p>').format(Markup("<br>").join(part.split("\n")))
            for part in parts
        )

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        db.session.rollback()
        message = _("The form expired or was sent from elsewhere. Reload the page and try again.")
        if _wants_json():
            return json_error(400, message)
        return render_template("errors/error.html", code=400, message=message), 400

    def record_refusal(exc: Exception, *answered: int) -> None:
        # What the loader asked to audit about the refusal, after the request's rollback (with
        # the status answered, when it is not the one the loader expected).
        after_rollback = getattr(exc, "after_rollback", None)
        if after_rollback is not None:
            after_rollback(*answered)
            db.session.commit()

    def database_unavailable(exc: Exception):
        """The database failed during the request: everything it wrote is rolled back, and the
        user gets a 503 that keeps what they typed (in the page, for them only; never logged).
        The pool drops the dead connection (``pool_pre_ping`` checks the next one)."""
        g.database_unavailable = True
        saved = g.get("request_committed", False)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001  (the connection is gone; the session is reset below)
            log.warning("rollback failed after a database error")
        db.session.remove()
        orig = getattr(exc, "orig", None)
        log.warning(
            "database unavailable on %s %s (%s)",
            request.method,
            request.endpoint,
            type(orig or exc).__name__,
        )
        if _wants_json():
            response, status = json_error(
                503, _(SAVED_THEN_UNAVAILABLE if saved else DATABASE_UNAVAILABLE)
            )
        else:
            # Once the change is committed, sending the form again would save it twice.
            fields, secret, files = ([], [], []) if saved else _echoed_form()
            response = app.make_response(
                render_template(
                    "errors/unavailable.html",
                    fields=fields,
                    secret_fields=secret,
                    file_fields=files,
                    saved=saved,
                    action=request.full_path.rstrip("?") if request.query_string else request.path,
                )
            )
            status = 503
        response.status_code = status
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def database_error(exc: Exception):
        if is_database_unavailable(exc):
            return database_unavailable(exc)
        return unexpected_error(exc)

    @app.errorhandler(NotVisible)
    def not_visible(exc: NotVisible):
        response = http_error(NotFound())
        try:
            record_refusal(exc)
        except DBAPIError as db_exc:
            if not is_database_unavailable(db_exc):
                raise
            return database_unavailable(db_exc)
        return response

    @app.errorhandler(RemovedFromCase)
    def removed_from_case(exc: RemovedFromCase):
        """A form sent from the page of a record removed from its case meanwhile: the conflict
        display with what the user typed (theirs; the record is not shown), nothing saved.
        Anything else (reading its page, the API) gets the 404 of a record not seen."""
        if request.method != "POST" or _wants_json():
            return not_visible(exc)
        db.session.rollback()
        fields, _secret, _files = _echoed_form()
        typed = [(f.label, f.value) for f in fields if f.visible]
        response = app.make_response(conflicts.removed_page(typed, exc.case_public_id))
        try:
            record_refusal(exc, response.status_code)
        except DBAPIError as db_exc:
            if not is_database_unavailable(db_exc):
                raise
            return database_unavailable(db_exc)
        return response

    @app.errorhandler(MissingVersion)
    def missing_version(exc: MissingVersion):
        db.session.rollback()
        message = _(MissingVersion.message)
        if _wants_json():
            return json_error(400, message)
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(StaleDataError)
    def simultaneous_save(exc: StaleDataError):
        # Two saves of one record in the same instant (after both checked its version): the
        # later one is refused whole, never a 500, never applied over the other.
        db.session.rollback()
        message = _(
            "Someone else saved this record at the same moment: nothing of yours was saved. "
            "Reload the page and try again."
        )
        if _wants_json():
            return json_error(409, message)
        return render_template("errors/error.html", code=409, message=_(message)), 409

    def record_page_refusal() -> None:
        """A 403 with no object the loader audited (an administration page, a global right):
        who asked for which page, so that probing is seen. The API audits its own answers."""
        if g.get("refusal_recorded") or request.blueprint in SELF_AUTHENTICATED_BLUEPRINTS:
            return
        g.refusal_recorded = True
        if not _maybe_authenticated() or not current_user.is_authenticated:
            return
        from casework.audit.services import ACCESS_REFUSED, record

        user = current_user._get_current_object()
        record(
            user,
            ACCESS_REFUSED,
            object_type="page",
            object_id=(request.endpoint or "")[:40],
            status=403,
        )
        db.session.commit()

    @app.errorhandler(PermissionDenied)
    def permission_denied(exc: PermissionDenied):
        if getattr(exc, "after_rollback", None) is not None:
            g.refusal_recorded = True  # the loader's audit names the object
        response = http_error(Forbidden(), reason=exc.reason)
        try:
            record_refusal(exc)
        except DBAPIError as db_exc:
            if not is_database_unavailable(db_exc):
                raise
            return database_unavailable(db_exc)
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge):
        """A request over ``MAX_CONTENT_LENGTH`` goes back to its form with the limit stated
        (the request body is refused before it is read, so the form's fields cannot be kept). A
        file over the upload limit in a request within it is refused where it is taken, and its
        form comes back with what was typed (``securetemp.CaseworkRequest``)."""
        db.session.rollback()
        limit = _megabytes(app.config["MAX_UPLOAD_BYTES"])
        message = _(
            "The file was too large: the limit is %(mb)s MB. Nothing was saved. "
            "Choose a smaller file (or split it) and send the form again.",
            mb=limit,
        )
        if _wants_json():
            return json_error(413, message)
        page = _form_page(request.path, request.mimetype == "multipart/form-data")
        if request.method == "POST" and page is not None:
            # A 303 makes the browser GET the form again: the message is shown above it.
            flash(message, "error")
            return redirect(page, code=303)
        return render_template("errors/error.html", code=413, message=message), 413

    def _form_page(path: str, with_file: bool) -> str | None:
        """The page a too-large form goes back to: its own address, or, for a file sent to an
        address of its own (an action's attachments), the page above it, which holds the form."""
        if _serves_get(path):
            return path
        above = path.rsplit("/", 1)[0]
        return above if with_file and above and _serves_get(above) else None

    def _serves_get(path: str) -> bool:
        try:
            app.create_url_adapter(request).match(path, method="GET")
        except HTTPException:
            return False
        return True

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException, reason: str | None = None):
        # An error after the view (in an after-request hook) arrives as a 500 wrapping it.
        original = getattr(exc, "original_exception", None)
        if original is not None and is_database_unavailable(original):
            return database_unavailable(original)
        db.session.rollback()
        code = exc.code or 500
        if code == 403:
            try:
                record_page_refusal()
            except DBAPIError as db_exc:
                if not is_database_unavailable(db_exc):
                    raise
                return database_unavailable(db_exc)
        known = _HTTP_ERROR_MESSAGES.get(code)
        message = reason or (_(known) if known else exc.description or exc.name)
        headers = {}
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            # A 405 says which methods the address has (RFC 9110, 15.5.6).
            headers["Allow"] = ", ".join(sorted(set(exc.valid_methods)))
        if _wants_json():
            body, status = json_error(code, message)
            return body, status, headers
        return render_template("errors/error.html", code=code, message=message), code, headers

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        db.session.rollback()
        # The traceback goes to the log without request data (no form values, no query).
        log.exception("unhandled error on %s %s", request.method, request.endpoint)
        message = _("Something went wrong on our side. Nothing you saved before was lost.")
        if _wants_json():
            return json_error(500, message)
        return render_template("errors/error.html", code=500, message=message), 500
