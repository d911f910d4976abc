"""The API's advocacy: the target bodies an action names by id, listed for those who see advocacy."""

from __future__ import annotations

from casework.advocacy import services as advocacy
from casework.core.db import db
from casework.core.vocab import Role
from tests.api_clients import ApiClient, api_for
from tests.world import build_world

ERROR_KEYS = {"code", "message", "fields"}


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    return body["error"]


def test_target_bodies_are_listed_with_their_ids_for_those_who_see_advocacy(app):
    world = build_world()
    advocacy.seed_target_bodies()
    retired = advocacy.create_body(world.on[Role.COORDINATOR], "An embassy", "EmbX")
    advocacy.set_body_retired(world.on[Role.COORDINATOR], retired, True)
    db.session.commit()
    listed = api_for(app, world.on[Role.LAWYER], scope="read").get("advocacy/target-bodies")
    assert listed.status_code == 200, listed.get_json()
    items = listed.get_json()["items"]
    stored = advocacy.list_bodies(include_retired=True)
    assert [(b["id"], b["name"], b["short_name"], b["retired"]) for b in items] == [
        (b.id, b.name, b.short_name, b.retired) for b in stored
    ]
    assert {"CAT", "UNHCR", "SR torture"} <= {b["short_name"] for b in items}
    assert next(b for b in items if b["id"] == retired.id)["retired"] is True
    assert (
        api_for(app, world.off[Role.COORDINATOR]).get("advocacy/target-bodies").status_code == 200
    )
    # Who may not see advocacy is refused; without a token, nothing is said.
    for role in (Role.MONITOR, Role.ADMIN):
        refused = api_for(app, world.on[role]).get("advocacy/target-bodies")
        assert _error(refused, 403)["code"] == "forbidden"
    assert _error(ApiClient(app, None).get("advocacy/target-bodies"), 401)


def test_a_listed_body_id_creates_an_action_that_reads_back_with_it(app):
    world = build_world()
    advocacy.seed_target_bodies()
    db.session.commit()
    api = api_for(app, world.on[Role.LAWYER])
    bodies = api.get("advocacy/target-bodies").get_json()["items"]
    cat = next(b for b in bodies if b["short_name"] == "CAT")
    made = api.post(
        f"cases/{world.ordinary.case.public_id}/advocacy-actions",
        json={
            "action_type": "treaty_body_complaint",
            "title": "Complaint",
            "target_body_id": cat["id"],
        },
    )
    assert made.status_code == 201, made.get_json()
    assert (made.get_json()["target_body_id"], made.get_json()["target_body"]) == (
        cat["id"], cat["name"],
    )  # fmt: skip
    read = api.get(f"advocacy/actions/{made.get_json()['id']}").get_json()
    assert (read["target_body_id"], read["target_body"]) == (cat["id"], cat["name"])
    listed = api.get("advocacy/actions").get_json()["items"]
    assert listed[0]["id"] == read["id"] and listed[0]["target_body_id"] == cat["id"]
    # An action addressed to nobody says so in both fields.
    bare = api.post(
        f"cases/{world.ordinary.case.public_id}/advocacy-actions",
        json={"action_type": "urgent_appeal", "title": "Appeal"},
    ).get_json()
    assert (bare["target_body_id"], bare["target_body"]) == (None, None)


def test_the_document_says_where_target_body_ids_come_from(app):
    spec = ApiClient(app, None).get("openapi.json").get_json()
    listing = spec["paths"]["/api/v1/advocacy/target-bodies"]["get"]
    assert listing["operationId"] == "list_target_bodies"
    assert {"200", "401", "403"} <= set(listing["responses"])
    schemas = spec["components"]["schemas"]
    assert (
        "advocacy/target-bodies"
        in schemas["ActionCreate"]["properties"]["target_body_id"]["description"]
    )
    assert "target_body_id" in schemas["ActionOut"]["properties"]
    assert set(schemas["TargetBodyOut"]["properties"]) == {"id", "name", "short_name", "retired"}


def test_the_action_list_is_newest_first_as_documented(app):
    world = build_world()
    api = api_for(app, world.on[Role.LAWYER])
    base = f"cases/{world.ordinary.case.public_id}/advocacy-actions"
    made = [
        api.post(base, json={"action_type": "urgent_appeal", "title": f"Appeal {n}"}).get_json()
        for n in range(3)
    ]
    listed = [a["id"] for a in api.get("advocacy/actions").get_json()["items"]]
    assert listed[:3] == [a["id"] for a in reversed(made)]
    spec = ApiClient(app, None).get("openapi.json").get_json()
    operation = spec["paths"]["/api/v1/advocacy/actions"]["get"]
    assert "most recently created action first" in operation["description"]
    items = spec["components"]["schemas"]["ActionList"]["properties"]["items"]
    assert "Newest first" in items["description"]
