"""The admin audit page: filters by user, action, object type and dates; robust paging."""

from __future__ import annotations

import html
import re
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


def test_bad_filters_and_cursors_are_refused_not_crashing(client, login, make_user):
    login(make_user(Role.ADMIN))
    newest = _rows(client.get("/admin/audit"))
    # An altered or foreign cursor starts from the newest entries, and says so.
    for cursor in ("99999999999999999999999", "-1", "abc", "１", "x" * 500, "WyJuZXciLDEsImEiXQ"):
        response = client.get(f"/admin/audit?cursor={cursor}")
        assert response.status_code == 200, cursor
        assert _rows(response) == newest and "from the top" in response.get_data(as_text=True)
    # A day that is not one is ignored, and the page says so; the other filters stay.
    for day in ("2025-13-01", "yesterday", "0001-01-01", "9999-12-31", "31.02.2024"):
        for name in ("since", "until"):
            response = client.get(f"/admin/audit?{name}={day}&object_type=nothing-like-this")
            text = html.unescape(response.get_data(as_text=True))
            assert response.status_code == 200, day
            assert f"“{day}” is not a date (YYYY-MM-DD); ignored." in text
            assert "No entries." in _rows(response)  # the object type still filters
        assert _rows(client.get(f"/admin/audit?since={day}")) == newest


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', page)
    return html.unescape(found.group(1)) if found else None


def test_pages_keep_the_filters_and_go_back_and_forth(client, login, make_user, monkeypatch):
    from casework.audit import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    admin = make_user(Role.ADMIN)
    for i in range(5):
        record(admin, "test.event", object_type="system", object_id=f"n{i}")
    db.session.commit()
    login(admin)
    url, seen, pages = "/admin/audit?action=test.event", [], []
    while url:
        page = client.get(url).get_data(as_text=True)
        assert "action=test.event" in url
        pages.append(url)
        seen += re.findall(r"System (n\d)<", _rows(client.get(url)))
        url = _link(page, "next")
    # Every entry once, newest first, on three pages of two, two and one.
    assert seen == ["n4", "n3", "n2", "n1", "n0"] and len(pages) == 3
    back = _link(client.get(pages[2]).get_data(as_text=True), "prev")
    assert re.findall(r"System (n\d)<", _rows(client.get(back))) == ["n2", "n1"]


def test_only_admins_see_the_trail(client, login, make_user):
    login(make_user(Role.COORDINATOR))
    assert client.get("/admin/audit").status_code == 403


def test_a_later_page_costs_what_the_first_does(client, login, make_user, count_queries):
    from casework.audit import services

    admin = make_user(Role.ADMIN)
    for i in range(30):
        record(admin, "test.event", object_type="system", object_id=f"n{i}")
    db.session.commit()

    def cost(cursor: str) -> tuple[int, str | None]:
        with count_queries() as counter:
            page = services.trail_page(cursor, size=3)
        return counter["n"], page.next_cursor

    first, cursor = cost("")
    costs = []
    for _ in range(6):
        n, cursor = cost(cursor)
        costs.append(n)
    assert set(costs) == {first + 1}  # the cursor's entry, read again: at any depth


def test_the_trail_shows_no_document_hash_of_a_case_the_admin_may_not_read(app):
    """A document's hash is identifying: whoever holds a copy of a passport scan could confirm
    from the trail that the archive holds it. The case team sees it on the case file."""
    from tests.clients import client_for
    from tests.world import build_world

    world = build_world()
    document = world.restricted.document  # of a restricted case the admin is not on
    page = client_for(app, world.off[Role.ADMIN]).get("/admin/audit?object_type=documents")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "uploaded a document" in body
    assert document.sha256 not in body
    team = client_for(app, world.on[Role.MONITOR])
    assert document.sha256 in team.get(f"/cases/{world.restricted.case.public_id}").text


def test_a_hash_an_earlier_version_recorded_is_not_shown(app):
    """Entries are chained and never rewritten: the hash earlier versions wrote into an
    upload's details stays in the entry, and the trail leaves it out."""
    from tests.clients import client_for
    from tests.world import build_world

    world = build_world()
    document = world.restricted.document
    record(
        world.on[Role.MONITOR], "document.uploaded", document, case=world.restricted.case,
        sha256=document.sha256, size=document.size,
    )  # fmt: skip
    db.session.commit()
    body = client_for(app, world.off[Role.ADMIN]).get("/admin/audit?object_type=documents").text
    assert "size: " in body and document.sha256 not in body


def test_an_account_action_names_the_account_it_concerns(client, login, make_user):
    """'deactivated an account' and an opaque id do not tell the admin whose account it was."""
    admin = make_user(Role.ADMIN, display_name="Auditing Admin")
    target = make_user(Role.MONITOR, display_name="Zhanna Target", email="zhanna@example.org")
    login(admin)
    db.session.refresh(target)
    response = client.post(
        f"/admin/users/{target.public_id}",
        data={
            "display_name": "Zhanna Target",
            "role": "monitor",
            "active": "",
            "version": target.version,
        },
    )
    assert response.status_code == 302
    rows = _rows(client.get("/admin/audit?action=user.deactivated"))
    assert "deactivated an account" in rows
    assert "Zhanna Target" in rows and "zhanna@example.org" in rows
