"""Account administration in the UI: admins only, audited, never deleting."""

from __future__ import annotations

from sqlalchemy import select

from casework.accounts.models import User
from casework.audit.models import AuditEntry
from casework.core.db import db
from casework.core.vocab import Role
from tests.factories import log_in


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_non_admins_are_refused(client, login, make_user):
    target = make_user()
    for role in (Role.MONITOR, Role.LAWYER, Role.COORDINATOR):
        c = client.application.test_client()
        user = make_user(role)
        log_in(c, user)
        assert c.get("/admin/users").status_code == 403
        assert c.get("/admin/users/new").status_code == 403
        assert c.post(f"/admin/users/{target.public_id}", data={"role": "admin"}).status_code == 403
        assert c.get("/admin/audit").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, target.id).role == Role.MONITOR


def test_admin_creates_account(client, login, make_user):
    login(make_user(Role.ADMIN))
    response = client.post(
        "/admin/users/new",
        data={
            "display_name": "New Lawyer",
            "email": "lawyer@example.org",
            "role": "lawyer",
        },
    )
    # The admin sets no password: they get a one-time code for the new user.
    assert response.status_code == 200
    assert "One-time code" in response.get_data(as_text=True) or "Account created" in (
        response.get_data(as_text=True)
    )
    created = db.session.scalar(select(User).where(User.email == "lawyer@example.org"))
    assert created.role == Role.LAWYER
    assert "user.created" in _actions()
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "lawyer@example.org" in listing and "never" in listing


def test_admin_create_rejects_duplicate_email(client, login, make_user):
    login(make_user(Role.ADMIN))
    make_user(email="dup@example.org")
    response = client.post(
        "/admin/users/new",
        data={
            "display_name": "X",
            "email": "dup@example.org",
            "role": "lawyer",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)


def test_two_admins_creating_one_address_at_once_get_a_message_not_an_error(
    client, login, make_user, monkeypatch
):
    """The second of two simultaneous creations passes the check before the first is saved,
    then meets the unique index: the form says the address exists, as when it is not a race."""
    from casework.accounts import services

    login(make_user(Role.ADMIN))
    make_user(email="race@example.org")
    monkeypatch.setattr(services, "get_by_email", lambda email: None)  # the check ran first
    response = client.post(
        "/admin/users/new",
        data={"display_name": "X", "email": "race@example.org", "role": "lawyer"},
    )
    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.scalars(select(User).where(User.email == "race@example.org")).all()) == 1
    # A new address is still created.
    monkeypatch.undo()
    created = client.post(
        "/admin/users/new",
        data={"display_name": "Y", "email": "new@example.org", "role": "lawyer"},
    )
    assert "Account created" in created.get_data(as_text=True)


def test_admin_changes_role_and_deactivates(client, login, make_user):
    login(make_user(Role.ADMIN))
    target = make_user(Role.MONITOR)
    target_client = client.application.test_client()
    log_in(target_client, target)
    db.session.refresh(target)
    response = client.post(
        f"/admin/users/{target.public_id}",
        data={
            "display_name": target.display_name,
            "role": "coordinator",
            "active": "",
            "version": target.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    target = db.session.get(User, target.id)
    assert target.role == Role.COORDINATOR
    assert not target.is_active_account
    actions = _actions()
    assert "user.role_changed" in actions and "user.deactivated" in actions
    # The deactivated user's open session ends at once.
    assert target_client.get("/").status_code == 302
    # Never deleted.
    assert db.session.get(User, target.id) is not None


def test_admin_cannot_demote_themselves(client, login, make_user):
    admin = make_user(Role.ADMIN)
    login(admin)
    db.session.refresh(admin)
    response = client.post(
        f"/admin/users/{admin.public_id}",
        data={
            "display_name": admin.display_name,
            "role": "monitor",
            "active": "y",
            "version": admin.version,
        },
    )
    assert response.status_code == 200
    assert "own administrator rights" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == Role.ADMIN


def test_stale_account_edit_is_refused_not_applied(client, login, make_user):
    """Optimistic locking: two admins edit the same account; the second save is refused."""
    login(make_user(Role.ADMIN))
    target = make_user(Role.MONITOR)
    loaded_version = target.version
    # Another admin saves first.
    target.role = Role.LAWYER
    db.session.commit()
    response = client.post(
        f"/admin/users/{target.public_id}",
        data={
            "display_name": "Overwritten?",
            "role": "coordinator",
            "active": "y",
            "version": loaded_version,
        },
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed this account" in page
    assert "Overwritten?" in page  # the user's unsaved input is shown, not lost
    db.session.expire_all()
    target = db.session.get(User, target.id)
    assert target.role == Role.LAWYER
    assert target.display_name != "Overwritten?"


def test_orm_refuses_concurrent_update(app, make_user):
    """Below the forms, SQLAlchemy's version counter refuses a stale UPDATE."""
    import pytest
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    target = make_user()
    with Session(db.engine) as first, Session(db.engine) as second:
        a = first.get(User, target.id)
        b = second.get(User, target.id)
        a.display_name = "first"
        first.commit()
        b.display_name = "second"
        with pytest.raises(StaleDataError):
            second.commit()


def test_admin_resets_password(client, login, make_user):
    login(make_user(Role.ADMIN))
    target = make_user()
    # The old way (the admin types the new password) no longer exists.
    response = client.post(
        f"/admin/users/{target.public_id}/password",
        data={"reset-new_password": "brand new passphrase"},
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, target.id).password_hash == target.password_hash
    other = client.application.test_client()
    assert (
        other.post(
            "/login", data={"email": target.email, "password": "brand new passphrase"}
        ).status_code
        == 200
    )


def test_audit_trail_lists_account_changes(client, login, make_user):
    login(make_user(Role.ADMIN))
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "auth.login" in page


def test_deactivating_and_reactivating_say_what_happened(client, login, make_user):
    """'Account updated.' does not tell the admin that the person was locked out, or let in."""
    login(make_user(Role.ADMIN))
    target = make_user(Role.MONITOR, display_name="Aigerim Field")
    db.session.refresh(target)
    data = {
        "display_name": "Aigerim Field",
        "role": "monitor",
        "active": "",
        "version": target.version,
    }
    page = client.post(f"/admin/users/{target.public_id}", data=data, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Aigerim Field is deactivated" in text and "API tokens" in text
    db.session.expire_all()
    target = db.session.get(User, target.id)
    data.update(active="y", version=target.version)
    page = client.post(f"/admin/users/{target.public_id}", data=data, follow_redirects=True)
    assert "Aigerim Field is active again" in page.get_data(as_text=True)
