"""Signed-in test clients, one per user, each checked to be signed in."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.factories import PASSWORD, log_in


def client_for(app: Any, user: Any, password: str = PASSWORD) -> FlaskClient:
    """A client signed in as ``user`` through the whole flow (password, then code)."""
    return log_in(app.test_client(), user, password)
