"""Account administration without admin super-powers: reset codes instead of admin-set
passwords, coordinator grants told to the coordinators, a single first-run setup."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from casework.accounts.models import AccountNotice, PasswordResetCode, User
from casework.audit.models import AuditEntry
from casework.core import mail
from casework.core.db import db
from casework.core.vocab import Role
from tests.factories import PASSWORD, log_in, totp_code

T0 = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)
NEW = "orchard lantern gravel quietly"


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def _code(page: str) -> str:
    return re.search(r'<p class="reset-code"><code>([0-9a-f-]+)</code>', page).group(1)


def _redeem(client, code, password=NEW):
    return client.post(
        "/password-reset", data={"code": code, "new_password": password, "confirm": password}
    )


def test_admin_reset_gives_a_one_time_code_the_user_redeems(app, make_user):
    target = make_user(Role.COORDINATOR)
    with time_machine.travel(T0, tick=False) as clock:
        target_client = log_in(app.test_client(), target)
        admin = log_in(app.test_client(), make_user(Role.ADMIN))
        page = admin.post(f"/admin/users/{target.public_id}/password").get_data(as_text=True)
        code = _code(page)
        # Only a hash is stored.
        stored = db.session.scalars(select(PasswordResetCode.code_hash)).all()
        assert stored and code.replace("-", "") not in " ".join(stored)
        anonymous = app.test_client()
        assert "common or leaked" in _redeem(anonymous, code, "password1234").get_data(as_text=True)
        clock.shift(timedelta(hours=1))
        response = _redeem(anonymous, code)
        assert response.status_code == 302 and response.headers["Location"] == "/login"
        # Redeeming logs nobody in, and ends the user's sessions.
        assert anonymous.get("/").status_code == 302
        assert target_client.get("/").status_code == 302
        assert "wrong, used or expired" in _redeem(anonymous, code, NEW + "!").get_data(
            as_text=True
        )
        # The new password works with the second factor; the old one does not.
        assert (
            app.test_client()
            .post("/login", data={"email": target.email, "password": PASSWORD})
            .status_code
            == 200
        )
        log_in(app.test_client(), target, NEW)
    actions = _actions()
    assert "user.password_reset_issued" in actions and "user.password_reset_used" in actions


def test_reset_code_expires_and_a_new_one_replaces_the_old(app, make_user):
    target = make_user()
    with time_machine.travel(T0, tick=False) as clock:
        admin = log_in(app.test_client(), make_user(Role.ADMIN))
        first = _code(
            admin.post(f"/admin/users/{target.public_id}/password").get_data(as_text=True)
        )
        second = _code(
            admin.post(f"/admin/users/{target.public_id}/password").get_data(as_text=True)
        )
        assert _redeem(app.test_client(), first).status_code == 200  # replaced
        clock.shift(timedelta(hours=73))
        assert _redeem(app.test_client(), second).status_code == 200  # expired
    db.session.expire_all()
    assert db.session.get(User, target.id).password_hash == target.password_hash


def test_new_account_gets_a_code_not_a_password(app, make_user):
    admin = log_in(app.test_client(), make_user(Role.ADMIN))
    response = admin.post(
        "/admin/users/new",
        data={"display_name": "New Monitor", "email": "new@example.org", "role": "monitor"},
    )
    code = _code(response.get_data(as_text=True))
    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert user.totp_secret is None
    client = app.test_client()
    assert _redeem(client, code).status_code == 302
    response = client.post("/login", data={"email": "new@example.org", "password": NEW})
    assert response.headers["Location"] == "/account/two-factor/enrol"


class FakeSMTP:
    sent: list = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, msg):
        FakeSMTP.sent.append(msg)


def test_granting_coordinator_is_audited_and_told_to_the_coordinators(app, make_user, monkeypatch):
    make_user(Role.COORDINATOR, is_active_account=False)
    existing = make_user(Role.COORDINATOR)
    target = make_user(Role.MONITOR, display_name="Promoted Person")
    admin = log_in(app.test_client(), make_user(Role.ADMIN))
    FakeSMTP.sent = []
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setattr(mail, "connect", lambda: FakeSMTP())
    db.session.refresh(target)
    response = admin.post(
        f"/admin/users/{target.public_id}",
        data={
            "display_name": target.display_name,
            "role": "coordinator",
            "active": "y",
            "version": target.version,
        },
        follow_redirects=True,
    )
    assert "other coordinators were notified" in response.get_data(as_text=True)
    assert "user.coordinator_granted" in _actions()
    assert [m["To"] for m in FakeSMTP.sent] == [existing.email]
    # The mail says that it happened (the notice says who): no name crosses the mail servers.
    assert "coordinator role" in FakeSMTP.sent[0].get_content()
    assert "Promoted Person" not in FakeSMTP.sent[0].get_content()
    # The existing coordinator sees the notice in the app, and can dismiss it.
    client = log_in(app.test_client(), existing)
    page = client.get("/").get_data(as_text=True)
    assert "Promoted Person" in page and "coordinator role" in page
    client.post("/notices/dismiss", data={"next": "/"})
    assert "Promoted Person" not in client.get("/").get_data(as_text=True)
    notices = db.session.scalars(
        select(AccountNotice).where(AccountNotice.message.contains("Promoted Person"))
    ).all()
    assert [n.user_id for n in notices] == [existing.id]


def test_creating_a_coordinator_notifies_too(app, make_user):
    existing = make_user(Role.COORDINATOR)
    admin = log_in(app.test_client(), make_user(Role.ADMIN))
    admin.post(
        "/admin/users/new",
        data={"display_name": "Second Coord", "email": "c2@example.org", "role": "coordinator"},
    )
    notice = db.session.scalar(select(AccountNotice))
    assert notice.user_id == existing.id and "Second Coord" in notice.message


def test_concurrent_first_run_setup_creates_one_admin(app):
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def attempt(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/setup",
            data={
                "display_name": f"Admin {n}",
                "email": f"admin{n}@example.org",
                "password": NEW,
                "confirm": NEW,
            },
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert db.session.scalar(select(func.count(User.id))) == 1
    assert sorted(statuses) == [302] + [404] * 19
    assert app.test_client().get("/setup").status_code == 404


def test_setup_leads_to_enrolment(client):
    response = client.post(
        "/setup",
        data={
            "display_name": "First",
            "email": "first@example.org",
            "password": NEW,
            "confirm": NEW,
        },
    )
    assert response.headers["Location"] == "/account/two-factor/enrol"
    assert client.get("/admin/users").headers["Location"] == "/account/two-factor/enrol"


def test_totp_code_helper_survives_many_logins(app, make_user):
    user = make_user()
    with time_machine.travel(T0, tick=False):
        for _ in range(4):
            log_in(app.test_client(), user)
        assert totp_code(user)


def test_a_notice_shows_on_the_next_page_and_costs_a_query_only_when_there_is_one(
    app, make_user, count_queries
):
    """Whether there are notices comes with the session: a page asks for them only when there
    are some, and one sent to a signed-in user shows on the next page."""
    existing = make_user(Role.COORDINATOR)
    client = log_in(app.test_client(), existing)

    def jobs_page() -> tuple[str, int]:
        db.session.expire_all()
        with count_queries() as counter:
            html = client.get("/jobs").get_data(as_text=True)
        return html, counter["n"]

    html, quiet = jobs_page()
    assert "coordinator role" not in html
    admin = log_in(app.test_client(), make_user(Role.ADMIN))
    admin.post(
        "/admin/users/new",
        data={"display_name": "Third Coord", "email": "c3@example.org", "role": "coordinator"},
    )
    html, noisy = jobs_page()
    assert "Third Coord" in html and noisy == quiet + 1
    client.post("/notices/dismiss", data={"next": "/jobs"})
    html, after = jobs_page()
    assert "Third Coord" not in html and after == quiet


def test_own_profile_saved_meanwhile_keeps_what_the_user_typed(app, make_user):
    from casework.accounts import services as accounts
    from tests.html_forms import form_fields

    user = make_user(Role.LAWYER, display_name="Aigerim")
    client = log_in(app.test_client(), user)
    fields = form_fields(client.get("/profile").get_data(as_text=True), "")
    # Meanwhile an administrator corrects the name.
    accounts.admin_update_user(
        make_user(Role.ADMIN),
        user,
        role="lawyer",
        display_name="Aigerim B.",
        active=True,
        expected_version=user.version,
    )
    db.session.commit()
    fields["profile-display_name"] = "Aigerim Bekova (typed)"
    response = client.post("/profile", data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Aigerim Bekova (typed)" in page  # not lost...
    assert "Aigerim B." in page  # ...and the saved name beside it
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Aigerim B."
    # Sent again from that page, the form saves: it now holds the saved version.
    assert client.post("/profile", data=form_fields(page, "")).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Aigerim Bekova (typed)"
