"""The address absolute links (calendar feeds, e-mails) start with.

``CASEWORK_BASE_URL`` when it is set (recommended in production, so that links never depend on
the Host a request came with). Otherwise, in a request, the address the application is being
served on (its scheme and host, after ``CASEWORK_TRUSTED_PROXIES``); outside a request (the
command line, jobs), the development address.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """``https://host[:port]`` without a trailing slash; paths from ``url_for`` follow it."""
    configured = (current_app.config.get("BASE_URL") or "").strip().rstrip("/")
    if configured:
        return configured
    if has_request_context():
        return request.host_url.rstrip("/")
    return DEVELOPMENT_BASE_URL


def configured_base_url() -> str:
    """For jobs without a request: the configured address, else the development one."""
    return (current_app.config.get("BASE_URL") or "").strip().rstrip("/") or DEVELOPMENT_BASE_URL
