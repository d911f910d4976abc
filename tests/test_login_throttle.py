"""Failed logins are throttled per account (passwords and codes alike); other accounts are not
affected; an unknown e-mail behaves like a known one. Behind a trusted proxy, the client
address is the forwarded one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from flask import request
from sqlalchemy import select

from casework import create_app
from casework.audit.models import AuditEntry
from casework.core.db import db
from tests.factories import PASSWORD, log_in, totp_code

T0 = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)
LIMIT = 5  # ACCOUNT_FAILURE_LIMIT: "5 per minute;20 per hour"


def _password(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def test_attempt_after_the_limit_is_refused_even_with_the_right_password(app, make_user):
    user, other = make_user(), make_user()
    with time_machine.travel(T0, tick=False) as clock:
        client = app.test_client()
        for _ in range(LIMIT):
            assert _password(client, user.email, "wrong password!").status_code == 200
        response = _password(client, user.email, PASSWORD)
        assert response.status_code == 429
        assert client.get("/").status_code == 302
        # From a fresh browser too: the limit is the account's, not the browser's.
        assert _password(app.test_client(), user.email, PASSWORD).status_code == 429
        # Other accounts are not affected.
        log_in(app.test_client(), other)
        assert "auth.login_throttled" in db.session.scalars(select(AuditEntry.action)).all()
        # After the window, the right password works again.
        clock.shift(timedelta(seconds=61))
        log_in(app.test_client(), user)


def test_wrong_codes_count_against_the_account(app, make_user):
    user = make_user()
    with time_machine.travel(T0, tick=False):
        client = app.test_client()
        for _ in range(LIMIT):
            assert _password(client, user.email, PASSWORD).status_code == 302
            assert client.post("/login/code", data={"code": "000000"}).status_code == 200
        # Right password and right code: still refused.
        fresh = app.test_client()
        assert _password(fresh, user.email, PASSWORD).status_code == 429
        client = app.test_client()
        assert client.post("/login/code", data={"code": totp_code(user)}).status_code == 302
        assert client.get("/").status_code == 302


def test_throttle_during_the_code_step_ends_the_half_open_login(app, make_user):
    user = make_user()
    with time_machine.travel(T0, tick=False):
        client = app.test_client()
        assert _password(client, user.email, PASSWORD).status_code == 302
        for _ in range(LIMIT):
            client.post("/login/code", data={"code": "000000"})
        assert client.post("/login/code", data={"code": totp_code(user)}).status_code == 429
        assert client.post("/login/code", data={"code": totp_code(user)}).status_code == 302
        assert client.get("/").status_code == 302


def test_unknown_accounts_are_throttled_the_same_way(app, make_user):
    make_user()
    with time_machine.travel(T0, tick=False):
        client = app.test_client()
        answers = [_password(client, "nobody@example.org", "wrong!").status_code for _ in range(6)]
        assert answers == [200] * LIMIT + [429]


def test_hourly_limit(app, make_user):
    user = make_user()
    with time_machine.travel(T0, tick=False) as clock:
        client = app.test_client()
        for _ in range(4):
            for _ in range(LIMIT):
                _password(client, user.email, "wrong password!")
            clock.shift(timedelta(seconds=61))
        assert _password(client, user.email, PASSWORD).status_code == 429
        clock.shift(timedelta(hours=1))
        assert _password(client, user.email, PASSWORD).status_code == 302


def test_trusted_proxies_give_the_real_client_address(app):
    seen: list[str] = []
    for proxies, expected in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        other = create_app(
            {
                "TESTING": True,
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "TRUSTED_PROXIES": proxies,
            }
        )
        other.before_request(lambda: seen.append(request.remote_addr))
        other.test_client().get(
            "/healthz",
            headers={"X-Forwarded-For": "203.0.113.9"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        assert seen[-1] == expected
        with other.app_context():
            db.engine.dispose()
