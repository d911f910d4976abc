"""The admin audit page: filters by user, action, object type and dates; robust paging."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from casework.audit.models import AuditEntry
from casework.audit.services import record
from casework.core.db import db
from casework.core.vocab import Role


def _rows(response) -> str:
    page = response.get_data(as_text=True)
    return page[page.index("<tbody>") : page.index("</tbody>")]


def test_admin_filters_the_trail(client, login, make_user):
    admin = make_user(Role.ADMIN, display_name="Auditing Admin")
    monitor = make_user(Role.MONITOR, display_name="Field Monitor")
    record(monitor, "case.viewed", object_type="cases", object_id="case-one")
    record(admin, "user.role_changed", object_type="users", object_id="user-two")
    old = record(monitor, "document.downloaded", object_type="documents", object_id="doc-three")
    db.session.commit()
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.id == old.id)
        .values(at=datetime(2025, 3, 1, tzinfo=UTC))
    )
    db.session.commit()
    login(admin)

    by_user = _rows(client.get(f"/admin/audit?user={monitor.public_id}"))
    assert "case-one" in by_user and "doc-three" in by_user and "user-two" not in by_user
    by_action = _rows(client.get("/admin/audit?action=user.role_changed"))
    assert "user-two" in by_action and "case-one" not in by_action
    by_type = _rows(client.get("/admin/audit?object_type=documents"))
    assert "doc-three" in by_type and "case-one" not in by_type
    by_dates = _rows(client.get("/admin/audit?since=2025-03-01&until=2025-03-01"))
    assert "doc-three" in by_dates and "case-one" not in by_dates
    after = _rows(client.get("/admin/audit?since=2025-03-02"))
    assert "doc-three" not in after and "case-one" in after
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Field Monitor" in page
    assert "<td>127.0.0.1</td>" in page  # the admin's own login, with its client address
    assert client.get("/admin/audit?user=nobody").status_code == 404


def test_bad_filters_and_pages_are_refused_not_crashing(client, login, make_user):
    login(make_user(Role.ADMIN))
    assert client.get("/admin/audit?page=1").status_code == 200
    for page in ("99999999999999999999999", "1000000", "0", "2"):
        assert client.get(f"/admin/audit?page={page}").status_code == 404, page
    for page in ("-1", "abc", "1.5", "１"):
        assert client.get(f"/admin/audit?page={page}").status_code == 400, page
    for day in ("2025-13-01", "yesterday", "0001-01-01", "9999-12-31"):
        assert client.get(f"/admin/audit?since={day}").status_code == 400, day
        assert client.get(f"/admin/audit?until={day}").status_code == 400, day


def test_pages_keep_the_filters(client, login, make_user, monkeypatch):
    from casework.audit import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    admin = make_user(Role.ADMIN)
    for i in range(5):
        record(admin, "test.event", object_type="system", object_id=f"n{i}")
    db.session.commit()
    login(admin)
    first = client.get("/admin/audit?action=test.event").get_data(as_text=True)
    assert "page=2" in first and "action=test.event" in first
    third = client.get("/admin/audit?action=test.event&page=3")
    assert third.status_code == 200 and "n0" in _rows(third)
    assert client.get("/admin/audit?action=test.event&page=4").status_code == 404


def test_only_admins_see_the_trail(client, login, make_user):
    login(make_user(Role.COORDINATOR))
    assert client.get("/admin/audit").status_code == 403
