"""The API walked with a token of every role in every relation: it answers as the access policy
says, exactly like the pages (tests/test_policy_table.py holds the table and the expectations).
An object the user may not see answers like a missing one: 404, the same body.
"""

from __future__ import annotations

from typing import Any

import pytest

from casework.core.vocab import Role
from casework.permissions import Relation
from tests.api_clients import ApiClient, token_for
from tests.routes import build_url
from tests.test_policy_table import HIDDEN, OK, ROUTES, expected, relations_for
from tests.world import ROLES, World, build_world

API_ROUTES = sorted(
    endpoint for endpoint, entry in ROUTES.items() if isinstance(entry, tuple) and entry[0] == "api"
)


def _values(world: World, endpoint: str, role: Role, relation: Relation) -> tuple[Any, dict]:
    user, cw = world.placement(role, relation)
    action = world.thematic if cw is None else cw.action
    values: dict[str, Any] = {
        "action_id": action.public_id,
        "cycle_id": world.recommendation.cycle.public_id,
        "recommendation_id": world.recommendation.public_id,
        "code": world.provision.code if endpoint == "api.get_provision" else world.instrument.code,
    }
    if cw is not None:
        values.update(
            case_id=cw.case.public_id,
            person_id=cw.person.public_id,
            document_id=cw.document.public_id,
        )
    return user, values


def _answer(status: int) -> Any:
    assert status < 500, status
    return status if status in (401, 403, 404) else OK


def test_every_api_route_has_an_expectation(app):
    api_endpoints = {
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")
    } - {"api.openapi"}
    assert api_endpoints == set(API_ROUTES)


@pytest.mark.parametrize("endpoint", API_ROUTES)
def test_api_route_follows_the_policy_table(app, endpoint):
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    (method,) = rule.methods - {"HEAD", "OPTIONS"}
    kind, right = ROUTES[endpoint][1]
    world = build_world()
    users = (*world.on.values(), *world.off.values())
    clients = {user.id: ApiClient(app, token_for(user)) for user in users}
    checked = 0
    for role in ROLES:
        for relation in relations_for(kind):
            user, values = _values(world, endpoint, role, relation)
            response = clients[user.id].open(method, build_url(rule, values.get), json={})
            want = expected(kind, right, role, relation)
            got = _answer(response.status_code)
            assert got == want, (endpoint, role.value, relation.value, got, want)
            if got == HIDDEN:
                missing = clients[user.id].open(method, build_url(rule, lambda name: None), json={})
                assert missing.status_code == 404
                assert missing.get_json() == response.get_json(), endpoint
            if method != "GET" and got == OK:
                world = build_world(world.on, world.off)
            checked += 1
    assert checked
