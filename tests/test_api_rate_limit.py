"""Rate limits per token: one token's requests do not use up another's."""

from __future__ import annotations

import pytest

from casework import create_app
from casework.core.db import db
from casework.core.vocab import Role
from casework.extensions import limiter
from tests.api_clients import ApiClient, token_for


@pytest.fixture
def limited_app(app):
    """The same database, with rate limiting on and a small API limit."""
    limited = create_app(
        {
            **app.config,
            "RATELIMIT_ENABLED": True,
            "API_RATE_LIMIT": "3 per minute",
        }
    )
    limited.test_client_class = app.test_client_class
    yield limited
    with limited.app_context():  # its own engine: close its connections
        db.session.remove()
        db.engine.dispose()
    # The limiter is one object for every app: leave it as the test app had it (off).
    limiter.reset()
    limiter.enabled = False


def test_each_token_has_its_own_limit(limited_app, make_user):
    first = ApiClient(limited_app, token_for(make_user(Role.MONITOR)))
    second = ApiClient(limited_app, token_for(make_user(Role.MONITOR)))
    assert [first.get("cases").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("cases")
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert second.get("cases").status_code == 200
