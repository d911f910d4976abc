"""API test clients: a token for a user, and requests that carry it."""

from __future__ import annotations

from typing import Any

from casework.api import tokens
from casework.core.db import db


def token_for(user: Any, scope: str = "write", days: int = 30) -> str:
    """A new personal access token of ``user`` (its secret)."""
    _token, secret = tokens.create_token(user, "tests", scope, days)
    db.session.commit()
    return secret


class ApiClient:
    """Requests to /api/v1 with a bearer token and no cookie."""

    def __init__(self, app: Any, secret: str | None) -> None:
        self.client = app.test_client(use_cookies=False)
        self.secret = secret

    def open(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any):
        headers = dict(headers or {})
        if self.secret:
            headers["Authorization"] = f"Bearer {self.secret}"
        url = path if path.startswith("/") else f"/api/v1/{path}"
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        response.get_data()  # buffered, so that a download's file can be closed now
        response.close()
        return response

    def get(self, path: str, **kwargs: Any):
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any):
        return self.open("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any):
        return self.open("PATCH", path, **kwargs)


def api_for(app: Any, user: Any, scope: str = "write") -> ApiClient:
    return ApiClient(app, token_for(user, scope))
