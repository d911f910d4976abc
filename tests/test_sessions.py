"""Server-side sessions: a new id at login, revoked at logout and by account changes, idle and
absolute timeouts, cookie attributes, fresh authentication for sensitive actions."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import pytest
import time_machine
from itsdangerous import BadData
from sqlalchemy import func, select

from casework.accounts.models import UserSession
from casework.core.db import db
from casework.core.vocab import Role, TeamRole
from config import ProductionConfig
from tests.factories import PASSWORD, log_in, totp_code

COOKIE = "casework_session"
T0 = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)


def _sessions() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(UserSession.id)))


def _copy(client, app):
    """A second browser holding a copy of ``client``'s cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def test_login_sets_a_strict_httponly_cookie_with_a_new_id(app, client, make_user):
    user = make_user()
    client.get("/login")
    with client.session_transaction() as sess:
        sess["probe"] = "x"
    before = client.get_cookie(COOKIE).value
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Strict" in header
    response = client.post("/login/code", data={"code": totp_code(user)})
    after = client.get_cookie(COOKIE).value
    assert after != before
    with client.session_transaction() as sess:
        assert "probe" not in sess  # nothing from before the login survives
    # The old, anonymous cookie is not logged in.
    old = app.test_client()
    old.set_cookie(COOKIE, before)
    assert old.get("/").status_code == 302


def test_csrf_token_changes_at_login(app, make_user):
    user = make_user()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()

        def token(path):
            page = client.get(path).get_data(as_text=True)
            return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

        first = token("/login")
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": first})
        second = token("/login/code")
        client.post("/login/code", data={"code": totp_code(user), "csrf_token": second})
        third = token("/account/two-factor")
        with client.session_transaction() as sess:
            raw = sess["csrf_token"]
        assert len({first, second, third}) == 3
        # The token issued before login is refused afterwards.
        response = client.post("/logout", data={"csrf_token": first})
        assert response.status_code == 400
        assert raw
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_production_cookie_is_secure_and_host_prefixed(monkeypatch):
    monkeypatch.setenv("CASEWORK_SECRET_KEY", os.urandom(24).hex())
    monkeypatch.setenv("CASEWORK_MASTER_KEY", os.urandom(32).hex())
    monkeypatch.setenv("CASEWORK_BLIND_INDEX_KEY", os.urandom(24).hex())
    monkeypatch.setenv("CASEWORK_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379")
    monkeypatch.setenv("CASEWORK_REDIS_URL", "redis://127.0.0.1:6379/1")
    monkeypatch.setenv("CASEWORK_DATABASE_URL", "postgresql+psycopg://casework@127.0.0.1/casework")
    settings = ProductionConfig.load()
    assert settings["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Strict"
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings.get("SESSION_COOKIE_DOMAIN") is None


def test_logout_ends_the_session_on_the_server(app, client, make_user):
    user = make_user()
    log_in(client, user)
    thief = _copy(client, app)
    assert thief.get("/").status_code == 200
    assert _sessions() == 1
    client.post("/logout")
    assert _sessions() == 0
    response = thief.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_password_change_ends_every_other_session(app, make_user):
    user = make_user()
    mine, other = log_in(app.test_client(), user), log_in(app.test_client(), user)
    before = mine.get_cookie(COOKIE).value
    stolen = _copy(mine, app)
    response = mine.post(
        "/profile",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "another long passphrase",
            "pw-confirm": "another long passphrase",
        },
    )
    assert response.status_code == 302
    assert mine.get("/").status_code == 200
    assert mine.get_cookie(COOKIE).value != before
    assert other.get("/").status_code == 302
    assert stolen.get("/").status_code == 302
    assert _sessions() == 1


@pytest.mark.parametrize("change", ["role", "deactivate"])
def test_role_change_or_deactivation_ends_the_users_sessions(app, make_user, change):
    admin = log_in(app.test_client(), make_user(Role.ADMIN))
    target = make_user(Role.MONITOR)
    target_client = log_in(app.test_client(), target)
    db.session.refresh(target)
    data = {"display_name": target.display_name, "role": "lawyer", "version": target.version}
    if change == "role":
        data["active"] = "y"
    else:
        data["role"] = "monitor"
    assert admin.post(f"/admin/users/{target.public_id}", data=data).status_code == 302
    assert target_client.get("/").status_code == 302
    assert admin.get("/").status_code == 200


def test_idle_timeout(app, make_user):
    user = make_user()
    with time_machine.travel(T0, tick=False) as clock:
        client = log_in(app.test_client(), user)
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200  # activity keeps it alive
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get("/")
        assert response.status_code == 302
        assert _sessions() == 0  # the expired row is gone
        clock.shift(timedelta(minutes=1))
        assert client.get("/").status_code == 302


def test_absolute_timeout(app, make_user):
    user = make_user()
    with time_machine.travel(T0, tick=False) as clock:
        client = log_in(app.test_client(), user)
        for _ in range(35):  # busy all day: a request every 20 minutes
            clock.shift(timedelta(minutes=20))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=20))  # 12 h 0 min after login
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=1))
        assert client.get("/").status_code == 302


def test_timeouts_are_configurable(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    user = make_user()
    with time_machine.travel(T0, tick=False) as clock:
        client = log_in(app.test_client(), user)
        clock.shift(timedelta(minutes=6))
        assert client.get("/").status_code == 302


def test_half_open_login_expires(app, make_user):
    user = make_user()
    with time_machine.travel(T0, tick=False) as clock:
        client = app.test_client()
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        clock.shift(timedelta(minutes=11))
        response = client.post("/login/code", data={"code": totp_code(user)})
        assert response.headers["Location"] == "/login"
        assert client.get("/").status_code == 302


def test_role_changes_need_fresh_authentication(app, make_user):
    target = make_user(Role.MONITOR)
    admin = make_user(Role.ADMIN)
    with time_machine.travel(T0, tick=False) as clock:
        client = log_in(app.test_client(), admin)
        clock.shift(timedelta(minutes=11))
        url = f"/admin/users/{target.public_id}"
        db.session.refresh(target)
        data = {
            "display_name": "x",
            "role": "coordinator",
            "active": "y",
            "version": target.version,
        }
        assert client.post(url, data=data).status_code == 403
        response = client.get(url)
        assert response.status_code == 302 and "/account/confirm" in response.headers["Location"]
        assert client.post("/admin/users/new", data={}).status_code == 403
        assert client.post(f"{url}/password").status_code == 403
        client.post(
            f"/account/confirm?next={url}", data={"password": PASSWORD, "code": totp_code(admin)}
        )
        assert client.get(url).status_code == 200
        assert client.post(url, data=data).status_code == 302


def test_abandoned_sessions_are_purged_at_the_next_login(app, make_user):
    user = make_user()
    with time_machine.travel(T0, tick=False) as clock:
        log_in(app.test_client(), user)
        log_in(app.test_client(), user)
        assert _sessions() == 2
        clock.shift(timedelta(minutes=31))
        log_in(app.test_client(), make_user())
        assert _sessions() == 1


def test_user_logs_out_everywhere_else(app, make_user):
    user = make_user()
    mine, other = log_in(app.test_client(), user), log_in(app.test_client(), user)
    page = mine.get("/profile").get_data(as_text=True)
    assert "logged in 2 times" in page
    response = mine.post("/account/sessions/end-others", follow_redirects=True)
    assert "Logged out of 1 other session" in response.get_data(as_text=True)
    assert other.get("/").status_code == 302
    assert mine.get("/").status_code == 200


def test_bulk_export_and_token_creation_need_fresh_authentication(app, make_user):
    coordinator = make_user(Role.COORDINATOR)
    with time_machine.travel(T0, tick=False) as clock:
        client = log_in(app.test_client(), coordinator)
        clock.shift(timedelta(minutes=11))
        response = client.post("/reports/export", data={"format": "csv"})
        assert response.status_code == 302 and "/account/confirm" in response.headers["Location"]
        response = client.post("/profile/tokens", data={"name": "x", "scope": "read", "days": "30"})
        assert response.status_code == 403
        client.post(
            "/account/confirm?next=/reports/export",
            data={"password": PASSWORD, "code": totp_code(coordinator)},
        )
        response = client.post("/reports/export", data={"format": "csv"})
        assert response.status_code == 200 and response.mimetype == "text/csv"
        response = client.post("/profile/tokens", data={"name": "x", "scope": "read", "days": "30"})
        assert response.status_code == 201


def _readable_cookie(value: str) -> str:
    """What anyone holding the cookie reads without the server's key: a signed cookie's
    payload is base64 (zlib-compressed when that is shorter), signed but not encrypted."""
    import base64
    import contextlib
    import zlib

    payload = value.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if value.startswith("."):
        with contextlib.suppress(zlib.error):
            data = zlib.decompress(data)
    return value + "\n" + data.decode("utf-8", "replace")


def test_the_session_cookie_never_carries_what_a_page_is_told_in_clear(app, make_user):
    """A message shown after a redirect waits in the session until the next page: it may quote
    what was typed (a draft's unreadable date, a country) or name a colleague. The cookie goes
    back and forth in headers and stays in the browser's cookie store: it is encrypted, and
    the next page still shows the message."""
    from tests.case_helpers import INTAKE
    from tests.factories import make_case

    typed_date, typed_country = "KholmatovStreet 5, Almaty", "KholmatovHouse"
    monitor = make_user(Role.MONITOR, display_name="Dana Monitorova")
    client = log_in(app.test_client(), monitor)
    draft = dict(INTAKE, act_date=typed_date, destination_country=typed_country, save_draft="1")
    del draft["save"]
    response = client.post("/cases/new", data=draft)
    assert response.status_code == 302
    cookies = [_readable_cookie(c.split("=", 1)[1]) for c in response.headers.getlist("Set-Cookie")]
    assert cookies and not [c for c in cookies if "Kholmatov" in c]
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert typed_date in shown and typed_country in shown  # the next page tells the monitor
    # Removing a monitor from a team names them to the coordinator, not in the cookie.
    coordinator = make_user(Role.COORDINATOR)
    case = make_case(coordinator, team=((monitor, TeamRole.MEMBER),))
    manager = log_in(app.test_client(), coordinator)
    response = manager.post(f"/cases/{case.public_id}/team/{monitor.public_id}/remove")
    assert response.status_code == 302
    cookies = [_readable_cookie(c.split("=", 1)[1]) for c in response.headers.getlist("Set-Cookie")]
    assert cookies and not [c for c in cookies if "Monitorova" in c]
    assert "Dana Monitorova was removed" in manager.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_a_cookie_sealed_with_a_former_key_opens_with_it_as_a_fallback_and_a_plain_one_never(app):
    from flask.sessions import SecureCookieSessionInterface

    from casework.core.sessioncookie import SealedCookieSessionInterface

    sealed = SealedCookieSessionInterface()
    with app.test_request_context("/"):
        old = sealed.get_signing_serializer(app).dumps({"sid": "abc"})
        plain = SecureCookieSessionInterface().get_signing_serializer(app).dumps({"sid": "abc"})
        assert "abc" not in _readable_cookie(old)
    rotated = {"SECRET_KEY": "a new key of the server", "SECRET_KEY_FALLBACKS": [app.secret_key]}
    with app.test_request_context("/"), patch.dict(app.config, rotated):
        assert sealed.get_signing_serializer(app).loads(old) == {"sid": "abc"}
    other = {"SECRET_KEY": "another key"}
    with app.test_request_context("/"), patch.dict(app.config, other), pytest.raises(BadData):
        sealed.get_signing_serializer(app).loads(old)
    # Signed with the right key, but not sealed.
    with app.test_request_context("/"), pytest.raises(BadData):
        sealed.get_signing_serializer(app).loads(plain)
    # A browser still holding a cookie of before is simply not logged in.
    browser = app.test_client()
    browser.set_cookie(COOKIE, plain)
    assert browser.get("/").status_code == 302


def test_the_cookie_keys_are_derived_once_per_key_not_on_every_request(app, make_user, monkeypatch):
    """Opening and sealing the cookie of every request (and of the health check) needs the keys
    derived from SECRET_KEY: derived once per key, not twice per request. A key changed while
    the server runs (the former one a fallback) is used at once, and still opens the cookie."""
    from casework.core import sessioncookie

    derived: list[object] = []
    real = sessioncookie._cookie_key
    monkeypatch.setattr(
        sessioncookie, "_cookie_key", lambda secret: derived.append(secret) or real(secret)
    )
    client = log_in(app.test_client(), make_user(Role.COORDINATOR))
    assert client.get("/jobs").status_code == 200
    derived.clear()
    for _ in range(3):
        assert client.get("/jobs").status_code == 200
        assert client.get("/healthz").status_code == 200
    assert derived == []
    former = app.secret_key
    rotated = {"SECRET_KEY": "a new key of the server", "SECRET_KEY_FALLBACKS": [former]}
    with patch.dict(app.config, rotated):
        assert client.get("/jobs").status_code == 200  # the cookie sealed with the former key
        assert client.get("/jobs").status_code == 200  # sealed with the new one
        assert sorted(derived) == sorted([former, "a new key of the server"])
    with patch.dict(app.config, {"SECRET_KEY": "another key"}):
        assert client.get("/jobs").status_code == 302  # neither key: not signed in
