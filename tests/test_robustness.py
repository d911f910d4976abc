"""Bad input never produces a 500: every route, every role, with empty and hostile data."""

from __future__ import annotations

import pytest

from casework.core.db import db
from casework.core.pipeline import PUBLIC_ENDPOINTS
from casework.core.vocab import Role, TeamRole
from tests.case_helpers import intake
from tests.factories import log_in
from tests.routes import build_url

HOSTILE = {
    "": "",
    "name": "x" * 5000,
    "date": "31.02.2011",
    "act_date": "'; DROP TABLE cases; --",
    "urgency": "<script>alert(1)</script>",
    "status": "nonsense",
    "to": "verified",
    "version": "not-a-number",
    "reason": "",
    "body": "=cmd|' /C calc'!A0",
    "email": "not-an-email",
    "role": "superuser",
    "followup_due": "2011-99-99",
    "cycle": "abc",
    "file": "not a file",
    "provision": "NOPE:1",
    "user": "nobody",
}


@pytest.fixture
def world(app, make_user):
    users = {role: make_user(role) for role in Role}
    client = app.test_client()
    log_in(client, users[Role.MONITOR])
    case = intake(client)
    from casework.cases import services

    services.add_member(users[Role.COORDINATOR], case, users[Role.LAWYER], TeamRole.LAWYER)
    db.session.commit()
    return users, case


def _urls(app, case, method: str):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or method not in rule.methods:
            continue
        case_scoped = rule.endpoint.startswith(
            (
                "cases.",
                "people.",
                "evidence.",
                "legal.case",
                "legal.new_link",
                "legal.suggest",
                "legal.new_remedy",
                "advocacy.new_case_action",
            )
        )

        def value_for(name: str, case_scoped=case_scoped) -> str | None:
            if name in ("public_id", "case_public_id") and case_scoped:
                return case.public_id
            return {"code": "CAT:3", "cycle": "3"}.get(name)

        yield rule.endpoint, build_url(rule, value_for)


@pytest.mark.parametrize("role", [Role.MONITOR, Role.LAWYER, Role.COORDINATOR, Role.ADMIN])
def test_no_route_gives_500_on_hostile_posts(app, world, role):
    users, case = world
    client = app.test_client()
    log_in(client, users[role])
    for endpoint, url in _urls(app, case, "POST"):
        if endpoint == "accounts.logout":
            continue
        for data in ({}, HOSTILE):
            response = client.post(url, data=data)
            assert response.status_code < 500, (role, endpoint, url, response.status_code)


@pytest.mark.parametrize("role", [Role.MONITOR, Role.LAWYER, Role.COORDINATOR, Role.ADMIN])
def test_every_page_renders_or_refuses_cleanly(app, world, role):
    users, case = world
    client = app.test_client()
    log_in(client, users[role])
    for endpoint, url in _urls(app, case, "GET"):
        for query in ("", "?page=-1&sort=%00&date_from=x&status=%3Cb%3E&cycle=x"):
            response = client.get(url + query)
            assert response.status_code < 500, (role, endpoint, url + query, response.status_code)
            response.close()
