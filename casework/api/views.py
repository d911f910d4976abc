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
from casework.core.db import db
from casework.core.pipeline import json_error, mark_signed_in
from casework.extensions import csrf, limiter

# Served without a token: it describes the API and holds no data.
PUBLIC_API_ENDPOINTS = frozenset({"api.openapi"})


@bp.before_request
def authenticate():
    """A bearer token, or 401. The cookie session never authorises an API call."""
    g._login_user = AnonymousUserMixin()  # Flask-Login's current user: never the cookie's
    if request.endpoint in PUBLIC_API_ENDPOINTS:
        return None
    address = request.remote_addr or "unknown"
    if throttle().address_blocked(address):
        # Too many refused tokens from this address: not even looked up (nor audited again).
        return json_error(429, "Too many refused tokens from this address. Wait and try again.")
    secret = bearer_secret()
    token = tokens.authenticate(secret)
    if token is None:
        if secret:
            throttle().address_failed(address)
        db.session.commit()  # the refusal is audited
        response, status = json_error(401, "Send a valid personal access token (Bearer).")
        response.headers["WWW-Authenticate"] = 'Bearer realm="casework"'
        return response, status
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
