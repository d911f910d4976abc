"""The second factor: mandatory enrolment, codes that work once, recovery codes, and a reset
that needs a coordinator and an administrator together."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from casework.accounts import second_factor_reset, totp
from casework.accounts.models import RecoveryCode, User
from casework.audit.models import AuditEntry
from casework.core.db import db
from casework.core.errors import PermissionDenied
from casework.core.vocab import Role
from tests.factories import PASSWORD, log_in, totp_code
from tests.routes import build_url

T0 = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def _fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _password_step(client, user, password=PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})


def test_without_a_second_factor_only_enrolment_is_reachable(client, make_user):
    user = make_user(Role.COORDINATOR, second_factor=False)
    response = _password_step(client, user)
    assert response.headers["Location"] == "/account/two-factor/enrol"
    for path in ("/", "/cases", "/profile", "/account/two-factor", "/second-factor-resets"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/two-factor/enrol", path
    page = client.get("/account/two-factor/enrol").get_data(as_text=True)
    assert "<svg" in page  # the QR code is drawn in the page, no image service
    secret = _fresh(user).totp_secret
    assert re.sub(r"\s", "", re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1)) == secret
    # Wrong code: still not enrolled.
    response = client.post("/account/two-factor/enrol", data={"code": "000000"})
    assert "not right" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    response = client.post("/account/two-factor/enrol", data={"code": pyotp.TOTP(secret).now()})
    page = response.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/").status_code == 200
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert "auth.second_factor_enrolled" in _actions()
    # Once enrolled, the key is never shown again (the enrolment page sends elsewhere).
    response = client.get("/account/two-factor/enrol")
    assert response.status_code == 302
    assert secret not in client.get("/account/two-factor").get_data(as_text=True)


def test_json_requests_without_second_factor_get_401(client, make_user):
    user = make_user(second_factor=False)
    _password_step(client, user)
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 401


@time_machine.travel(T0, tick=False)
def test_a_code_works_once(app, make_user):
    user = make_user()
    code = pyotp.TOTP(user.totp_secret).now()
    first = app.test_client()
    _password_step(first, user)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    # The same code, replayed at once from another browser with the right password: refused.
    second = app.test_client()
    _password_step(second, user)
    response = second.post("/login/code", data={"code": code})
    assert response.status_code == 200
    assert "used already" in response.get_data(as_text=True)
    assert second.get("/").status_code == 302
    assert "auth.second_factor_failed" in _actions()
    # An older code (previous step) is refused too once a newer one was used.
    older = pyotp.TOTP(user.totp_secret).at(T0 - timedelta(seconds=30))
    assert second.post("/login/code", data={"code": older}).status_code == 200
    # The next step's code works.
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        code = pyotp.TOTP(user.totp_secret).now()
        assert second.post("/login/code", data={"code": code}).status_code == 302
        assert second.get("/").status_code == 200


def test_codes_two_steps_away_are_refused(make_user):
    user = make_user()
    with time_machine.travel(T0, tick=False):
        far = pyotp.TOTP(user.totp_secret).at(T0 + timedelta(seconds=90))
        assert not totp.verify_code(user, far)
        near = pyotp.TOTP(user.totp_secret).at(T0 + timedelta(seconds=30))
        assert totp.verify_code(user, near)


def test_recovery_code_works_once(app, make_user):
    user = make_user()
    codes = totp.new_recovery_codes(user)
    db.session.commit()
    client = app.test_client()
    _password_step(client, user)
    response = client.post("/login/code", data={"recovery_code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert "auth.recovery_code_used" in _actions()
    other = app.test_client()
    _password_step(other, user)
    assert other.post("/login/code", data={"recovery_code": codes[0]}).status_code == 200
    assert other.get("/").status_code == 302
    # Another user's code is no use either.
    assert totp.recovery_codes_left(_fresh(user)) == 9


def test_renewing_recovery_codes_needs_password_and_code_again(app, make_user):
    user = make_user()
    old = totp.new_recovery_codes(user)
    db.session.commit()
    with time_machine.travel(T0, tick=False) as clock:
        client = log_in(app.test_client(), user)
        clock.shift(timedelta(minutes=11))
        assert client.post("/account/two-factor/recovery-codes").status_code == 403
        response = client.get("/second-factor-resets")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/confirm")
        # A wrong code with the right password does not confirm.
        response = client.post(
            "/account/confirm?next=/account/two-factor",
            data={"password": PASSWORD, "code": "123456"},
        )
        assert response.status_code == 200
        response = client.post(
            "/account/confirm?next=/account/two-factor",
            data={"password": PASSWORD, "code": totp_code(user)},
        )
        assert response.headers["Location"] == "/account/two-factor"
        response = client.post("/account/two-factor/recovery-codes")
        assert response.status_code == 200
        assert "auth.reauthenticated" in _actions()
    assert not totp.use_recovery_code(_fresh(user), old[1])


def test_nobody_sees_another_users_seed(app, make_user):
    target = make_user(Role.COORDINATOR)
    secret = target.totp_secret
    for role in (Role.ADMIN, Role.COORDINATOR):
        client = log_in(app.test_client(), make_user(role))
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            url = build_url(rule, lambda name: target.public_id)
            page = client.get(url).get_data(as_text=True)
            assert secret not in page, url
            assert secret.lower() not in page.lower(), url


def _approve(client, target):
    return client.post("/second-factor-resets", data={"user": target.public_id})


def test_second_factor_reset_needs_a_coordinator_and_an_admin(app, make_user):
    target = make_user(Role.LAWYER)
    target_client = log_in(app.test_client(), target)
    coordinator = log_in(app.test_client(), make_user(Role.COORDINATOR))
    coordinator2 = log_in(app.test_client(), make_user(Role.COORDINATOR))
    admin = log_in(app.test_client(), make_user(Role.ADMIN))
    admin2 = log_in(app.test_client(), make_user(Role.ADMIN))

    assert _approve(admin, target).status_code == 302
    assert _fresh(target).totp_secret is not None
    # A second admin, or the same one again, does not complete it.
    for client in (admin, admin2):
        response = _approve(client, target)
        assert response.status_code == 200
        assert "a coordinator must approve" in response.get_data(as_text=True)
    assert _fresh(target).has_second_factor
    assert target_client.get("/").status_code == 200
    assert "Second-factor resets" in coordinator.get("/second-factor-resets").get_data(as_text=True)

    assert _approve(coordinator, target).status_code == 302
    user = _fresh(target)
    assert user.totp_secret is None and not user.has_second_factor
    # The reset ends the user's sessions; the next login leads to enrolment.
    assert target_client.get("/").status_code == 302
    response = _password_step(app.test_client(), target)
    assert response.headers["Location"] == "/account/two-factor/enrol"
    actions = _actions()
    assert actions.count("user.second_factor_reset_approved") == 2
    assert "user.second_factor_reset" in actions
    assert _approve(coordinator2, target).status_code == 200  # nothing left to reset


def test_the_reset_page_lists_accounts_without_a_query_each(app, make_user, count_queries):
    """The accounts that may be reset are listed from one query, without reading (and
    decrypting) each one's authenticator key."""
    coordinator = log_in(app.test_client(), make_user(Role.COORDINATOR))
    target = make_user(Role.LAWYER)

    def cost() -> int:
        db.session.expire_all()
        with count_queries() as counter:
            page = coordinator.get("/second-factor-resets").get_data(as_text=True)
        assert target.public_id in page
        return counter["n"]

    few = cost()
    for _ in range(5):
        make_user(Role.MONITOR)
    assert cost() == few


def test_second_factor_reset_refusals(app, make_user):
    target = make_user(Role.COORDINATOR)
    for role in (Role.MONITOR, Role.LAWYER):
        client = log_in(app.test_client(), make_user(role))
        assert client.get("/second-factor-resets").status_code == 403
        assert _approve(client, target).status_code == 403
    # Nobody approves their own reset, whatever their role.
    own = log_in(app.test_client(), target)
    assert _approve(own, target).status_code == 200
    with pytest.raises(PermissionDenied):
        second_factor_reset.approve(target, target)
    assert _fresh(target).has_second_factor


def test_second_factor_reset_lapses(app, make_user):
    target = make_user()
    admin = make_user(Role.ADMIN)
    coordinator = make_user(Role.COORDINATOR)
    with time_machine.travel(T0, tick=False):
        second_factor_reset.approve(admin, target)
        db.session.commit()
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        request = second_factor_reset.approve(coordinator, target)
        db.session.commit()
        assert request.completed_at is None
    assert _fresh(target).has_second_factor


def test_moving_to_a_new_authenticator_needs_fresh_authentication(app, make_user):
    user = make_user()
    with time_machine.travel(T0, tick=False) as clock:
        client = log_in(app.test_client(), user)
        other = log_in(app.test_client(), user)
        clock.shift(timedelta(minutes=11))
        assert client.post("/account/two-factor/replace").status_code == 403
        assert _fresh(user).has_second_factor
        client.post(
            "/account/confirm?next=/account/two-factor",
            data={"password": PASSWORD, "code": totp_code(user)},
        )
        response = client.post("/account/two-factor/replace")
        assert response.headers["Location"] == "/account/two-factor/enrol"
        assert other.get("/").status_code == 302
        assert client.get("/").headers["Location"] == "/account/two-factor/enrol"
        old_secret = user.totp_secret
        client.get("/account/two-factor/enrol")
        new_secret = _fresh(user).totp_secret
        assert new_secret and new_secret != old_secret
        client.post("/account/two-factor/enrol", data={"code": pyotp.TOTP(new_secret).now()})
        assert client.get("/").status_code == 200
    assert "auth.second_factor_replaced" in _actions()
