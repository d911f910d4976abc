"""Every refusal of a signed-in user is in the audit trail (who, when, where), not only those on
an object the loader found: an administration page, the second-factor resets or the audit
trail asked for by a monitor left no trace, so probing by a stolen session went unseen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEntry
from casework.core.db import db
from casework.core.vocab import Role
from tests.clients import client_for


def _refusals() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "access.refused")))


@pytest.mark.parametrize(
    ("method", "path", "endpoint"),
    [
        ("GET", "/admin/users", "accounts.users"),
        ("GET", "/admin/users/new", "accounts.create_user"),
        ("POST", "/second-factor-resets", "accounts.second_factor_resets"),
    ],
)
def test_a_refused_page_is_audited_with_who_and_where(app, make_user, method, path, endpoint):
    monitor, admin = make_user(Role.MONITOR), make_user(Role.ADMIN)
    refused = client_for(app, monitor).open(path, method=method)
    assert refused.status_code == 403
    entries = _refusals()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor_id == monitor.id and entry.object_id == endpoint
    assert entry.client_addr == "127.0.0.1" and entry.details == {"status": 403}
    # The entitled user gets through, and nothing is recorded as refused.
    reader = client_for(app, admin)
    assert reader.get("/admin/users").status_code == 200
    assert len(_refusals()) == 1
    trail = reader.get("/admin/audit?object_type=page")
    assert trail.status_code == 200 and endpoint in trail.get_data(as_text=True)


def test_an_object_refusal_is_audited_once(app, make_user):
    """The loader's own audit of a refusal on an object is not doubled by the page's."""
    from tests.world import build_world

    world = build_world()
    admin = world.on[Role.ADMIN]  # on the team, yet no right to edit a case
    case_id = world.ordinary.case.public_id
    response = client_for(app, admin).post(f"/cases/{case_id}/edit")
    assert response.status_code == 403
    entries = _refusals()
    assert len(entries) == 1 and entries[0].object_type == "cases"
