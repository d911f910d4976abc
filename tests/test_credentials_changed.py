"""When an account's credentials change, what was made with the old ones stops working.

An adversary with a seized phone, or a phished password and code, could make a 365-day API
token; the organisation then followed the recovery steps (second-factor reset, new password),
which ended the browser sessions, and the token went on reading the cases without any second
factor. And the two approvals of a second-factor reset could be one person's, given under two
roles.
"""

from __future__ import annotations

import pytest

from casework.accounts import second_factor_reset
from casework.accounts import services as accounts
from casework.accounts.models import User
from casework.core.db import db
from casework.core.errors import ValidationFailed
from casework.core.vocab import Role
from tests.api_clients import token_for
from tests.factories import PASSWORD, log_in

NEW_PASSWORD = "a brand new long passphrase"


def _fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _reads(app, secret: str) -> int:
    headers = {"Authorization": f"Bearer {secret}"}
    return app.test_client().get("/api/v1/cases", headers=headers).status_code


def test_a_second_factor_reset_and_a_password_reset_revoke_the_accounts_tokens(app, make_user):
    victim, admin = make_user(Role.COORDINATOR), make_user(Role.ADMIN)
    coordinator = make_user(Role.COORDINATOR)
    secret = token_for(victim, "read")
    assert _reads(app, secret) == 200
    second_factor_reset.approve(admin, victim)
    second_factor_reset.approve(coordinator, victim)
    db.session.commit()
    assert _reads(app, secret) == 401
    # A token made afterwards (the owner's, enrolled again) works until the next reset.
    later = token_for(_fresh(victim), "read")
    assert _reads(app, later) == 200
    code = accounts.issue_password_reset(admin, _fresh(victim))
    db.session.commit()
    accounts.redeem_password_reset(code, NEW_PASSWORD)
    db.session.commit()
    assert _reads(app, later) == 401


def test_changing_ones_password_or_authenticator_revokes_ones_tokens(app, make_user):
    user = make_user(Role.COORDINATOR)
    client = log_in(app.test_client(), user)
    secret = token_for(user, "read")
    assert _reads(app, secret) == 200
    response = client.post(
        "/profile",
        data={"pw-current_password": PASSWORD, "pw-new_password": NEW_PASSWORD,
              "pw-confirm": NEW_PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302
    assert _reads(app, secret) == 401
    other = token_for(_fresh(user), "read")
    accounts.replace_second_factor(_fresh(user), None)
    db.session.commit()
    assert _reads(app, other) == 401


def test_one_person_cannot_give_both_approvals_of_a_second_factor_reset(app, make_user):
    target, person = make_user(Role.MONITOR), make_user(Role.COORDINATOR)
    admin = make_user(Role.ADMIN)
    second_factor_reset.approve(person, target)
    db.session.commit()
    person = _fresh(person)
    accounts.admin_update_user(
        _fresh(admin), person, role="admin", display_name=person.display_name, active=True,
        expected_version=person.version,
    )  # fmt: skip
    db.session.commit()
    with pytest.raises(ValidationFailed):
        second_factor_reset.approve(_fresh(person), _fresh(target))
    db.session.rollback()
    assert _fresh(target).has_second_factor
    # Another administrator gives the second approval: the reset goes through.
    request = second_factor_reset.approve(_fresh(admin), _fresh(target))
    db.session.commit()
    assert request.completed_at is not None and not _fresh(target).has_second_factor


def test_guessing_the_current_password_on_the_profile_page_is_throttled(app, make_user):
    """A stolen session (a seized, unlocked phone) tried passwords on the profile's password
    form without limit: each wrong guess now counts against the account, as at login."""
    from casework.accounts.throttle import throttle

    owner = log_in(app.test_client(), make_user())
    assert owner.post("/profile", data=_change(PASSWORD)).status_code == 302  # entitled

    user = make_user()
    thief = log_in(app.test_client(), user)
    statuses = [
        thief.post("/profile", data=_change(f"guess {i:04d}")).status_code for i in range(8)
    ]
    assert statuses[0] == 200 and 429 in statuses
    assert throttle().blocked(user.email)
    # The session that guessed is over; the account's owner logs in again once the block ends.
    assert thief.get("/profile").status_code == 302


def _change(current: str) -> dict[str, str]:
    return {"pw-current_password": current, "pw-new_password": NEW_PASSWORD,
            "pw-confirm": NEW_PASSWORD}  # fmt: skip


def test_one_administrator_alone_cannot_make_a_coordinator_and_approve_with_it(
    app, make_user, monkeypatch
):
    """An administrator could create a coordinator account (its one-time code comes to them),
    enrol an authenticator for it and give both approvals of anyone's second-factor reset.
    An approval now needs an authenticator in force for SECOND_FACTOR_APPROVER_DAYS; the other
    coordinators are told of the new coordinator the day it is made."""
    from datetime import timedelta

    from casework.core.db import utcnow

    monkeypatch.setitem(app.config, "SECOND_FACTOR_APPROVER_DAYS", 7)
    victim, admin = make_user(Role.MONITOR), make_user(Role.ADMIN)
    puppet = make_user(Role.COORDINATOR)  # enrolled today
    for user in (victim, admin):
        user.totp_confirmed_at = utcnow() - timedelta(days=30)
    db.session.commit()
    second_factor_reset.approve(_fresh(admin), _fresh(victim))
    db.session.commit()
    with pytest.raises(ValidationFailed, match="in use for 7 days"):
        second_factor_reset.approve(_fresh(puppet), _fresh(victim))
    db.session.rollback()
    assert _fresh(victim).has_second_factor
    # A coordinator of standing gives the second approval: the reset goes through.
    coordinator = make_user(Role.COORDINATOR)
    coordinator.totp_confirmed_at = utcnow() - timedelta(days=8)
    db.session.commit()
    request = second_factor_reset.approve(_fresh(coordinator), _fresh(victim))
    db.session.commit()
    assert request.completed_at is not None and not _fresh(victim).has_second_factor


@pytest.mark.parametrize("change", ["deactivate_then_reactivate", "role"])
def test_deactivation_or_a_role_change_revokes_the_accounts_tokens(app, make_user, change):
    """Deactivating an account (a seized phone, a monitor who left) ended its browser
    sessions, but its tokens only paused: reactivated, the account's old tokens, perhaps an
    intruder's, read the cases again. A role change ended the sessions, but a token made under
    the old role went on with the new role's reach (a monitor's token promoted to see every
    case)."""
    admin, user = make_user(Role.ADMIN), make_user(Role.MONITOR)
    kept = token_for(make_user(Role.MONITOR), "read")  # another account's token is untouched
    secret = token_for(user, "read")
    assert _reads(app, secret) == 200

    def update(**changes):
        target = _fresh(user)
        values = {"role": target.role.value, "active": target.is_active_account, **changes}
        accounts.admin_update_user(
            _fresh(admin), target, display_name=target.display_name,
            expected_version=target.version, **values,
        )  # fmt: skip
        db.session.commit()

    if change == "role":
        update(role=Role.COORDINATOR.value)
    else:
        update(active=False)
        assert _reads(app, secret) == 401
        update(active=True)
    assert _reads(app, secret) == 401
    assert _reads(app, kept) == 200
    # The owner makes a new token under the account as it now is: it works.
    assert _reads(app, token_for(_fresh(user), "read")) == 200


def _feed(app, secret: str) -> int:
    return app.test_client(use_cookies=False).get(f"/calendar/{secret}.ics").status_code


@pytest.mark.parametrize(
    "change", ["password_changed", "password_reset", "second_factor_reset", "deactivated"]
)
def test_a_change_of_credentials_switches_off_the_calendar_feed(app, make_user, change):
    """The calendar feed's secret URL is a standing credential too (it lists the deadlines of
    the cases the user reads, asking for no second factor): it outlived every recovery step
    that revoked the API tokens. An intruder's copy now stops with them."""
    from casework.advocacy import calendar

    admin, coordinator = make_user(Role.ADMIN), make_user(Role.COORDINATOR)
    user = make_user(Role.LAWYER)
    other = make_user(Role.LAWYER)
    kept = calendar.rotate_token(other)  # another account's feed is untouched
    secret = calendar.rotate_token(user)
    db.session.commit()
    assert _feed(app, secret) == 200
    if change == "password_changed":
        client = log_in(app.test_client(), user)
        assert client.post("/profile", data=_change(PASSWORD)).status_code == 302
    elif change == "password_reset":
        code = accounts.issue_password_reset(admin, _fresh(user))
        db.session.commit()
        accounts.redeem_password_reset(code, NEW_PASSWORD)
    elif change == "second_factor_reset":
        second_factor_reset.approve(_fresh(admin), _fresh(user))
        second_factor_reset.approve(_fresh(coordinator), _fresh(user))
    else:
        target = _fresh(user)
        for active in (False, True):
            accounts.admin_update_user(
                _fresh(admin), target, role=target.role.value, active=active,
                display_name=target.display_name, expected_version=target.version,
            )  # fmt: skip
            db.session.commit()
    db.session.commit()
    assert _feed(app, secret) == 404
    assert _feed(app, kept) == 200
    # The owner switches a new feed on: it works.
    fresh = calendar.rotate_token(_fresh(user))
    db.session.commit()
    assert _feed(app, fresh) == 200
