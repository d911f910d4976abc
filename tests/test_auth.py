"""Login, logout, first-run setup, the CLI and own-profile changes."""

from __future__ import annotations

from sqlalchemy import select

from casework.accounts.models import User
from casework.audit.models import AuditEntry
from casework.core.db import db
from casework.core.vocab import Role
from tests.factories import PASSWORD, log_in, totp_code


def test_login_with_right_password(client, make_user):
    user = make_user(Role.LAWYER)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/code"
    # The password alone logs nobody in.
    assert client.get("/").status_code == 302
    response = client.post("/login/code", data={"code": totp_code(user)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None


def test_login_email_is_case_insensitive(client, make_user):
    user = make_user(email="Someone@Example.org")
    response = client.post("/login", data={"email": "SOMEONE@example.ORG", "password": PASSWORD})
    assert response.status_code == 302
    assert user.email == "someone@example.org"


def test_login_with_wrong_password_is_refused_and_audited(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "wrong password!"})
    assert response.status_code == 200
    assert "Wrong e-mail or password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "auth.login_failed" in actions


def test_login_unknown_email_gives_the_same_message(client, make_user):
    make_user()
    response = client.post("/login", data={"email": "nobody@example.org", "password": PASSWORD})
    assert "Wrong e-mail or password" in response.get_data(as_text=True)


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user(is_active_account=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_next_url_cannot_leave_the_site(client, make_user):
    user = make_user()

    def login_to(next_url):
        step = client.post(
            "/login",
            query_string={"next": next_url},
            data={"email": user.email, "password": PASSWORD},
        )
        response = client.post(step.headers["Location"], data={"code": totp_code(user)})
        client.post("/logout")
        return response.headers["Location"]

    assert login_to("https://evil.example/x") == "/"
    assert login_to("//evil.example/x") == "/"
    assert login_to("/profile") == "/profile"


def test_logout_is_post_only(client, login, make_user):
    login(make_user())
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_login_points_to_setup_when_no_user_exists(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'href="/setup"' in response.get_data(as_text=True)
    # Nobody can log in, and nothing is audited as a failure of a real account.
    response = client.post("/login", data={"email": "a@example.org", "password": PASSWORD})
    assert response.status_code == 200


def test_setup_creates_first_admin_then_closes(client):
    response = client.post(
        "/setup",
        data={
            "display_name": "First Admin",
            "email": "admin@example.org",
            "password": "a long enough passphrase",
            "confirm": "a long enough passphrase",
        },
    )
    assert response.status_code == 302
    admin = db.session.scalar(select(User))
    assert admin.role == Role.ADMIN
    assert admin.password_hash.startswith("$argon2")
    client.post("/logout")
    assert client.get("/setup").status_code == 404
    response = client.post(
        "/setup",
        data={
            "display_name": "Intruder",
            "email": "intruder@example.org",
            "password": "a long enough passphrase",
            "confirm": "a long enough passphrase",
        },
    )
    assert response.status_code == 404
    assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_setup_rejects_short_password(client):
    response = client.post(
        "/setup",
        data={
            "display_name": "A",
            "email": "a@example.org",
            "password": "short",
            "confirm": "short",
        },
    )
    assert response.status_code == 200
    assert "between 15 and" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_cli_creates_user_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "user",
            "create",
            "cli@example.org",
            "--role",
            "lawyer",
            "--name",
            "Cli Lawyer",
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "cli@example.org"))
    assert user.role == Role.LAWYER and user.display_name == "Cli Lawyer"


def test_cli_refuses_bad_input(app, make_user):
    make_user(email="taken@example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["user", "create", "taken@example.org", "--role", "lawyer", "--password-stdin"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code != 0
    assert "already exists" in result.output
    result = runner.invoke(
        args=["user", "create", "new@example.org", "--role", "lawyer", "--password-stdin"],
        input="short\n",
    )
    assert result.exit_code != 0
    assert "at least 15" in result.output


def test_change_own_password_ends_other_sessions(app, make_user):
    user = make_user()
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        log_in(c, user)
    response = first.post(
        "/profile",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "another long passphrase",
            "pw-confirm": "another long passphrase",
        },
    )
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_change_own_password_needs_the_current_one(client, login, make_user):
    login(make_user())
    response = client.post(
        "/profile",
        data={
            "pw-current_password": "not my password",
            "pw-new_password": "another long passphrase",
            "pw-confirm": "another long passphrase",
        },
    )
    assert response.status_code == 200
    assert "current password is wrong" in response.get_data(as_text=True)


def test_change_display_name(client, login, make_user):
    user = make_user()
    login(user)
    db.session.refresh(user)  # logging in updated the account (last login)
    response = client.post(
        "/profile", data={"profile-display_name": "New Name", "profile-version": user.version}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "New Name"
