"""The API blueprint (/api/v1/): token authentication, rate limits, the OpenAPI document.

The resources are in their own modules (``casework.api.cases``...), each registering its
operations on ``bp`` when imported here.
"""

from __future__ import annotations

from flask import Flask, g, jsonify, request
from flask_login import AnonymousUserMixin

from casework.accounts.throttle import throttle
from casework.api import advocacy, cases, evidence, legal, people, records, search, tokens  # noqa: F401  (routes)
from casework.api.framework import bearer_secret, bp, rate_limit, rate_limit_key
from casework.api.openapi import build_spec
from casework.audit.services import record
from casework.core.db import db
from casework.core.pipeline import json_error, mark_signed_in
from casework.extensions import csrf, limiter

# Served without a token: it describes the API and holds no data.
PUBLIC_API_ENDPOINTS = frozenset({"api.openapi"})


def token_or_refusal():
    """The usable token the request carries and None, or None and the answer refusing it (401,
    or 429 past the per-address limit of refused tokens). Every API request without a session
    is answered through here, the addresses the API lacks included: otherwise a 404 for a valid
    token and a 401 for any other would test tokens unseen and without limit."""
    address = request.remote_addr or "unknown"
    secret = bearer_secret()
    if throttle().address_blocked(address) and not tokens.is_valid_secret(secret):
        # Too many refused tokens from this address: refused unseen (nor audited again). A
        # usable token still gets through, so that guesses or a forgotten script's revoked
        # token cannot lock out everyone behind the same address (an office, a VPN).
        return None, json_error(
            429, "Too many refused tokens from this address. Wait and try again."
        )
    token = tokens.authenticate(secret)
    if token is None:
        if secret:
            throttle().address_failed(address)
            if throttle().address_blocked(address):
                # The address is blocked from now on: said once (its address, no token).
                record(None, "api_token.address_throttled", object_type="api_tokens")
        db.session.commit()  # the refusal is audited
        response, status = json_error(401, "Send a valid personal access token (Bearer).")
        response.headers["WWW-Authenticate"] = 'Bearer realm="casework"'
        return None, (response, status)
    return token, None


@bp.before_request
def authenticate():
    """A bearer token, or 401. The cookie session never authorises an API call."""
    g._login_user = AnonymousUserMixin()  # Flask-Login's current user: never the cookie's
    if request.endpoint in PUBLIC_API_ENDPOINTS:
        return None
    token, refusal = token_or_refusal()
    if token is None:
        return refusal
    g.api_token = token
    g.api_user = token.user
    g._login_user = token.user
    mark_signed_in()
    return None


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec())


def init_app(app: Flask) -> None:
    # Token-authenticated requests carry no cookie to forge: no CSRF token applies.
    csrf.exempt(bp)
    limiter.limit(rate_limit, key_func=rate_limit_key)(bp)
