"""The loader decides before it decrypts: what a user may not see is refused still sealed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEntry
from casework.core.db import db
from casework.core.vocab import Role
from tests.case_helpers import decrypted_columns
from tests.clients import client_for
from tests.world import build_world


def _records_opened(client, url: str, status: int) -> list[str]:
    """The encrypted columns a request for ``url`` decrypted, the signed-in user's own aside."""
    with decrypted_columns() as opened:
        response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return [column for column in opened if not column.startswith("users.")]


@pytest.mark.parametrize(
    "role, address, shown",
    [
        # A case off the team.
        (Role.MONITOR, lambda w: f"/cases/{w.restricted.case.public_id}", "cases.narrative"),
        # An action: deciding reads its cases (may the user read one?); neither is opened.
        (
            Role.COORDINATOR,
            lambda w: f"/advocacy/actions/{w.restricted.action.public_id}",
            "advocacy_actions.title",
        ),
    ],
)
def test_what_the_user_may_not_see_is_refused_without_being_decrypted(app, role, address, shown):
    world = build_world()
    url = address(world)
    assert _records_opened(client_for(app, world.off[role]), url, 404) == []
    # The same page for the same role on the team: decrypted and shown.
    assert shown in _records_opened(client_for(app, world.on[role]), url, 200)


def test_a_record_asked_for_through_another_case_is_refused_without_being_decrypted(app):
    world = build_world()
    monitor = client_for(app, world.on[Role.MONITOR])
    ordinary, restricted = world.ordinary.case.public_id, world.restricted.case.public_id
    event, person = world.restricted.event.public_id, world.restricted.person.public_id
    for wrong in (
        f"/cases/{ordinary}/events/{event}/edit",
        f"/cases/{ordinary}/people/{person}",
    ):
        opened = _records_opened(monitor, wrong, 404)
        # The case in the address is read (the user may read it); the record is not.
        assert not [c for c in opened if c.split(".")[0] in ("events", "people", "person_names")]
    assert "events.description" in _records_opened(
        monitor, f"/cases/{restricted}/events/{event}/edit", 200
    )
    assert "people.contacts" in _records_opened(
        monitor, f"/cases/{restricted}/people/{person}", 200
    )


def test_a_refusal_left_sealed_is_still_audited_and_the_session_goes_on(app):
    world = build_world()
    outsider = world.off[Role.MONITOR]
    client = client_for(app, outsider)
    case = world.restricted.case
    assert client.get(f"/cases/{case.public_id}").status_code == 404
    refusal = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "access.refused", AuditEntry.actor_id == outsider.id
        )
    )
    assert (refusal.object_type, refusal.object_id) == ("cases", case.public_id)
    # The next request of the same session goes on as usual.
    assert client.get("/cases").status_code == 200


def test_what_deciding_read_is_decrypted_only_if_the_page_reads_it(app):
    world = build_world()
    action = world.restricted.action
    client = client_for(app, world.on[Role.COORDINATOR])
    with decrypted_columns() as opened:
        page = client.get(f"/advocacy/actions/{action.public_id}")
    assert page.status_code == 200
    # Deciding read the action's cases; the page names them by reference and reads no text.
    assert world.restricted.case.reference in page.get_data(as_text=True)
    assert not [column for column in opened if column.startswith("cases.")]
    assert "advocacy_actions.title" in opened
    # A page that shows a case's text after the check still reads it, decrypted.
    case_page = client.get(f"/cases/{world.restricted.case.public_id}")
    assert world.restricted.canaries["narrative"] in case_page.get_data(as_text=True)
