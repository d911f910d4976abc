"""Every state-changing route of the web application refuses a request without a CSRF token,
for every role, and changes nothing (no row, no audit entry): the route map is walked, so a new
route cannot be left out. The API (bearer tokens, no cookies) is the only exemption."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casework.core.db import db
from casework.core.vocab import Role
from tests.clients import client_for
from tests.routes import build_url
from tests.test_policy_table import ROUTES, _values, relations_for
from tests.world import build_world

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _digest() -> str:
    """Row counts of every table (the audit trail included)."""
    db.session.expire_all()
    counts = []
    for table in sorted(db.metadata.tables.values(), key=lambda t: t.name):
        counts.append(f"{table.name}={db.session.scalar(select(func.count()).select_from(table))}")
    return ";".join(counts)


def _web_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.methods & STATE_CHANGING and not rule.endpoint.startswith("api.")
    ]


def test_every_state_changing_route_needs_the_csrf_token(app):
    world = build_world()
    rules = _web_rules(app)
    assert len(rules) > 50
    clients = {}
    tried = 0
    for role in (Role.MONITOR, Role.LAWYER, Role.COORDINATOR, Role.ADMIN):
        clients[role] = client_for(app, world.on[role])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for rule in rules:
            kind, _right = (
                ROUTES[rule.endpoint]["POST"]
                if isinstance(ROUTES.get(rule.endpoint), dict)
                else ROUTES.get(rule.endpoint, ("user", ""))
            )
            for role, client in clients.items():
                relation = relations_for(kind)[0]
                _user, values = _values(world, rule.endpoint, role, relation)
                url = build_url(rule, values.get)
                db.session.commit()  # what building the values made
                before = _digest()
                for method in sorted(rule.methods & STATE_CHANGING):
                    response = client.open(url, method=method, data={"confirm": "y"})
                    response.close()
                    assert response.status_code == 400, (rule.endpoint, method, role.value)
                    assert _digest() == before, (rule.endpoint, method, role.value)
                    tried += 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert tried > 200


@pytest.mark.parametrize("path", ["/logout", "/notices/dismiss", "/account/sessions/end-others"])
def test_with_the_token_the_same_request_goes_through(app, make_user, path):
    """The refusal above is the token's doing: with it, the entitled user gets through."""
    import re

    user = make_user(Role.LAWYER)
    client = client_for(app, user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/profile").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        assert client.post(path).status_code == 400
        assert client.post(path, data={"csrf_token": token}).status_code in (302, 303)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
