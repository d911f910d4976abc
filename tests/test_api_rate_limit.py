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


def test_guessing_tokens_from_one_address_is_throttled(app, make_user):
    """Every request's token was its own rate-limit key: a made-up token had a fresh limit, so
    one address could try tokens without end (each refusal also a durable audit entry).
    Refused tokens now count against the address; past the limit it is refused unseen."""
    from sqlalchemy import func, select

    from casework.audit.models import AuditEntry

    owner = ApiClient(app, token_for(make_user(Role.MONITOR)))
    assert owner.get("cases").status_code == 200  # entitled: let through
    statuses = [ApiClient(app, f"cw_guess{i:04d}").get("cases").status_code for i in range(15)]
    assert statuses[:10] == [401] * 10
    assert set(statuses[10:]) == {429}
    audited = db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "api_token.refused")
    )
    assert audited == 10
    # Requests without a token are no guesses; another address is not affected.
    other = app.test_client(use_cookies=False)
    answer = other.get(
        "/api/v1/cases",
        headers={"Authorization": "Bearer cw_guess"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert answer.status_code == 401


def _refused_count(action: str) -> int:
    from sqlalchemy import func, select

    from casework.audit.models import AuditEntry

    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def test_refused_tokens_from_a_shared_address_do_not_lock_out_valid_tokens(app, make_user):
    """An office behind one address (or anyone sharing it) sending made-up or revoked tokens
    blocked the address for every token: the colleagues' valid tokens were refused with a 429.
    A valid token still gets through; the guesses stay refused, unseen and not audited again."""
    owner = ApiClient(app, token_for(make_user(Role.MONITOR)))
    for i in range(12):
        ApiClient(app, f"cw_guess{i:04d}").get("cases")
    assert ApiClient(app, "cw_guess9999").get("cases").status_code == 429
    audited = _refused_count("api_token.refused")
    assert owner.get("cases").status_code == 200
    assert ApiClient(app, "cw_guess9998").get("cases").status_code == 429
    assert _refused_count("api_token.refused") == audited
    # The address's block is recorded once, with no token in it.
    assert _refused_count("api_token.address_throttled") == 1


def test_an_unknown_api_address_is_no_way_round_the_token_throttle(app, make_user):
    """With a token, an address the API lacks answered 404 for a valid token and 401 for any
    other, without counting or auditing the refused one: a way to test stolen or guessed
    tokens unseen and without limit."""
    owner = ApiClient(app, token_for(make_user(Role.MONITOR)))
    assert owner.get("no-such-thing").status_code == 404  # entitled: the routing answer
    assert owner.open("DELETE", "cases").status_code == 405
    statuses = [
        ApiClient(app, f"cw_guess{i:04d}").get("no-such-thing").status_code for i in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert set(statuses[10:]) == {429}
    assert _refused_count("api_token.refused") == 10
    assert owner.get("no-such-thing").status_code == 404
