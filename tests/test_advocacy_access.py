"""Who may use which advocacy route: every route, every refused role, 403 or 404."""

from __future__ import annotations

import pytest

from casework.advocacy import services, upr
from casework.core.cli import run_seeders
from casework.core.db import db
from casework.core.vocab import ActionType, Role, TeamRole
from tests.factories import make_case, make_user

# Reachable by every signed-in user (their own calendar feed settings) or by anyone (the feed).
OPEN_TO_ALL = {
    "advocacy.calendar_settings",
    "advocacy.rotate_calendar",
    "advocacy.revoke_calendar",
    "advocacy.calendar_feed",
}
UPR_MANAGE = {
    "advocacy.new_recommendation",
    "advocacy.edit_recommendation",
    "advocacy.link_recommendation_case",
    "advocacy.unlink_recommendation_case",
    "advocacy.link_recommendation_action",
    "advocacy.unlink_recommendation_action",
    "advocacy.import_recommendations",
    "advocacy.cycle_response_date",
    "advocacy.new_cycle",
    "advocacy.edit_cycle",
}


@pytest.fixture
def world():
    coordinator = make_user(Role.COORDINATOR)
    monitor = make_user(Role.MONITOR)
    admin = make_user(Role.ADMIN)
    team_lawyer = make_user(Role.LAWYER)
    outside_lawyer = make_user(Role.LAWYER)
    # The monitor and the admin are on the case's team: even so, advocacy pages are refused.
    case = make_case(monitor, team=((team_lawyer, TeamRole.LAWYER), (admin, TeamRole.MEMBER)))
    run_seeders()
    linked = services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL, title="Linked", case_references=[case.reference]
        ),
    )
    thematic = services.create_action(
        coordinator, services.ActionData(action_type=ActionType.PRESS_RELEASE, title="Thematic")
    )
    rec = upr.create_recommendation(
        coordinator,
        upr.RecommendationData(cycle=3, number="139.24", recommending_state="Germany", text="T"),
    )
    rec.cases.append(case)
    linked.recommendations.append(rec)
    db.session.commit()
    body = services.list_bodies()[0]
    return {
        "coordinator": coordinator,
        "monitor": monitor,
        "admin": admin,
        "team_lawyer": team_lawyer,
        "outside_lawyer": outside_lawyer,
        "case": case,
        "linked": linked,
        "thematic": thematic,
        "rec": rec,
        "body": body,
    }


def _routes(app, world, action=None):
    """(endpoint, method, url) for every advocacy route, filled with real objects."""
    action = action or world["linked"]
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("advocacy."):
            continue
        values = {}
        for arg in rule.arguments:
            if arg == "public_id":
                values[arg] = world["rec"].public_id if "/upr/" in rule.rule else action.public_id
            elif arg == "case_public_id":
                values[arg] = world["case"].public_id
            elif arg == "action_public_id":
                values[arg] = action.public_id
            elif arg == "body_id":
                values[arg] = str(world["body"].id)
            elif arg == "cycle":
                values[arg] = world["rec"].cycle.public_id
            else:
                values[arg] = "x" * 16
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


@pytest.mark.parametrize("role", ["monitor", "admin"])
def test_roles_without_advocacy_are_refused_everywhere(app, client, login, world, role):
    login(world[role])
    checked = 0
    for endpoint, method, url in _routes(app, world):
        if endpoint in OPEN_TO_ALL:
            continue
        response = client.open(url, method=method)
        assert response.status_code in (403, 404), (endpoint, method, url, response.status_code)
        checked += 1
    assert checked >= 20


def test_lawyer_outside_the_case_gets_404_for_its_action(app, client, login, world):
    login(world["outside_lawyer"])
    linked = world["linked"]
    for path, method in (
        (f"/advocacy/actions/{linked.public_id}", "GET"),
        (f"/advocacy/actions/{linked.public_id}/edit", "GET"),
        (f"/advocacy/actions/{linked.public_id}/edit", "POST"),
        (f"/advocacy/actions/{linked.public_id}/status", "POST"),
        (f"/advocacy/actions/{linked.public_id}/documents", "POST"),
        (f"/advocacy/actions/{linked.public_id}/documents/xxxxxxxx", "GET"),
        (f"/cases/{world['case'].public_id}/advocacy/new", "GET"),
        (f"/cases/{world['case'].public_id}/advocacy/new", "POST"),
        ("/advocacy/actions/no-such-action", "GET"),
    ):
        assert client.open(path, method=method).status_code == 404, (path, method)
    listing = client.get("/advocacy/actions").get_data(as_text=True)
    assert world["thematic"].title in listing
    assert world["case"].reference not in listing
    page = client.get(f"/advocacy/upr/recommendations/{world['rec'].public_id}")
    assert world["case"].reference not in page.get_data(as_text=True)


def test_lawyers_may_not_manage_upr_or_thematic_actions_or_bodies(app, client, login, world):
    login(world["team_lawyer"])
    for endpoint, method, url in _routes(app, world, action=world["thematic"]):
        if endpoint in UPR_MANAGE:
            response = client.open(url, method=method)
            assert response.status_code == 403, (endpoint, method, url)
    thematic = world["thematic"].public_id
    assert client.get(f"/advocacy/actions/{thematic}").status_code == 200
    assert client.get(f"/advocacy/actions/{thematic}/edit").status_code == 403
    assert client.post(f"/advocacy/actions/{thematic}/status").status_code == 403
    assert client.post("/advocacy/bodies", data={"name": "New body"}).status_code == 403
    assert client.post(f"/advocacy/bodies/{world['body'].id}/retire").status_code == 403
    # Their own case's action is theirs to manage.
    linked = world["linked"].public_id
    assert client.get(f"/advocacy/actions/{linked}/edit").status_code == 200
    assert client.get(f"/cases/{world['case'].public_id}/advocacy/new").status_code == 200


def test_every_get_page_renders_for_a_coordinator(app, client, login, world):
    login(world["coordinator"])
    for endpoint, method, url in _routes(app, world):
        if method != "GET" or endpoint in {
            "advocacy.calendar_feed",
            "advocacy.download_action_document",
        }:
            continue
        response = client.get(url)
        assert response.status_code == 200, (endpoint, url, response.status_code)
