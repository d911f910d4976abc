"""Signed-in test clients, one per user, each checked to be signed in."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.factories import PASSWORD


def client_for(app: Any, user: Any, password: str = PASSWORD) -> FlaskClient:
    """A client signed in as ``user``; fails the test if the sign-in did not work."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "/login" not in response.headers["Location"]
    return client
