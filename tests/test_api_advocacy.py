"""The API's advocacy: the target bodies an action names by id, listed for those who see advocacy."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

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


def test_an_action_created_through_the_api_has_a_responsible_person(app):
    """The web form makes whoever records an action responsible for it (they may choose
    another lawyer or coordinator, or nobody); through the API nobody could be, so its
    follow-ups reached only the coordinators. The API takes the same field, by the same rule,
    and leaves it to the creator when not given."""
    from casework.advocacy.models import AdvocacyAction
    from casework.advocacy.reminders import collect

    world = build_world()
    lawyer, coordinator = world.on[Role.LAWYER], world.on[Role.COORDINATOR]
    api = api_for(app, lawyer)
    url = f"cases/{world.ordinary.case.public_id}/advocacy-actions"
    appeal = {"action_type": "urgent_appeal", "title": "Appeal"}

    def stored(answer) -> AdvocacyAction:
        assert answer.status_code == 201, answer.get_json()
        db.session.expire_all()
        return advocacy.get_action(answer.get_json()["id"])

    made = api.post(url, json={**appeal, "submitted_on": "2011-06-20",
                               "followup_due": "2011-07-20"})  # fmt: skip
    assert made.get_json()["responsible"] == lawyer.public_id
    action = stored(made)
    assert action.responsible_id == lawyer.id
    # The lawyer is reminded of the follow-up, the coordinators are not.
    outbox = collect(date.today(), datetime.now(UTC))
    assert any(i.object_id == action.public_id for i in outbox.by_user[lawyer.id])
    assert not any(i.object_id == action.public_id for i in outbox.by_user[coordinator.id])

    chosen = api.post(url, json={**appeal, "responsible": coordinator.public_id})
    assert chosen.get_json()["responsible"] == coordinator.public_id
    assert stored(chosen).responsible_id == coordinator.id
    nobody = api.post(url, json={**appeal, "responsible": None})
    assert nobody.get_json()["responsible"] is None
    assert stored(nobody).responsible_id is None
    assert api.get(f"advocacy/actions/{chosen.get_json()['id']}").get_json()["responsible"] == (
        coordinator.public_id
    )

    # Who may not be responsible for an action (a monitor, an administrator, a deactivated
    # account, no account) is refused as on the form, and nothing is created.
    gone = world.off[Role.LAWYER]
    gone.is_active_account = False
    db.session.commit()
    count = db.session.scalar(select(func.count(AdvocacyAction.id)))
    for who in (world.on[Role.MONITOR].public_id, world.on[Role.ADMIN].public_id,
                gone.public_id, "nosuchuser"):  # fmt: skip
        refused = api.post(url, json={**appeal, "responsible": who})
        assert _error(refused, 422)["fields"] == {
            "responsible": ["Choose an active lawyer or coordinator."]
        }
    assert db.session.scalar(select(func.count(AdvocacyAction.id))) == count


def test_the_document_says_who_is_responsible_for_an_action(app):
    from casework.api.advocacy import ActionCreate, ActionOut

    schemas = ApiClient(app, None).get("openapi.json").get_json()["components"]["schemas"]
    assert set(schemas["ActionCreate"]["properties"]) == set(ActionCreate.model_fields)
    assert set(schemas["ActionOut"]["properties"]) == set(ActionOut.model_fields)
    given = schemas["ActionCreate"]["properties"]["responsible"]
    assert "default" not in given  # left out: the creator, which null is not
    assert "you" in given["description"] and "null" in given["description"]
    assert {"type": "null"} in given["anyOf"]
    assert "responsible" in schemas["ActionOut"]["required"]


def test_an_action_created_answered_is_followed_up_after_the_reply_as_documented(app):
    """An action created through the API with its response received is dated as answered
    today; a follow-up date on or before it is the next follow-up of nothing (never due). It is
    refused as on the status step and the forms, and the document says so; a later date is the
    next follow-up."""
    world = build_world()
    api = api_for(app, world.on[Role.LAWYER])
    url = f"cases/{world.ordinary.case.public_id}/advocacy-actions"
    answered = {"action_type": "urgent_appeal", "title": "Appeal", "status": "response_received",
                "submitted_on": "2011-06-20"}  # fmt: skip
    today = date.today()
    for due in ("2011-07-20", today.isoformat()):
        refused = api.post(url, json={**answered, "followup_due": due})
        assert _error(refused, 422)["fields"] == {
            "followup_due": ["The next follow-up comes after the reply."]
        }, due
    later = date.fromordinal(today.toordinal() + 30).isoformat()
    made = api.post(url, json={**answered, "followup_due": later})
    assert made.status_code == 201, made.get_json()
    assert (made.get_json()["response_on"], made.get_json()["followup_due"]) == (
        today.isoformat(), later,
    )  # fmt: skip
    spec = ApiClient(app, None).get("openapi.json").get_json()
    due = spec["components"]["schemas"]["ActionCreate"]["properties"]["followup_due"]
    assert "after today for an action created with its response received" in due["description"]


def test_the_accounts_an_action_may_be_given_to_are_listed_as_on_the_form(app):
    world = build_world()
    lawyer = world.on[Role.LAWYER]
    db.session.commit()
    listed = api_for(app, lawyer, scope="read").get("advocacy/responsible-candidates")
    assert listed.status_code == 200, listed.get_json()
    items = listed.get_json()["items"]
    # The web form's Responsible list, in its order: active lawyers and coordinators only.
    expected = advocacy.responsible_candidates()
    assert [(u["id"], u["display_name"], u["role"]) for u in items] == [
        (u.public_id, u.display_name, u.role.value) for u in expected
    ]
    assert {u["role"] for u in items} == {"lawyer", "coordinator"}
    assert set(items[0]) == {"id", "display_name", "role"}  # never an e-mail address
    # An id from the list makes that account responsible for a new action.
    coordinator = next(u for u in items if u["role"] == "coordinator")
    made = api_for(app, lawyer).post(
        f"cases/{world.ordinary.case.public_id}/advocacy-actions",
        json={"action_type": "urgent_appeal", "title": "Appeal", "responsible": coordinator["id"]},
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["responsible"] == coordinator["id"]
    # Who may not see advocacy is refused; without a token, nothing is said.
    for role in (Role.MONITOR, Role.ADMIN):
        refused = api_for(app, world.on[role]).get("advocacy/responsible-candidates")
        assert _error(refused, 403)["code"] == "forbidden"
    assert _error(ApiClient(app, None).get("advocacy/responsible-candidates"), 401)


def test_a_deactivated_account_is_no_longer_listed(app):
    world = build_world()
    lawyer = world.on[Role.LAWYER]
    gone = world.off[Role.LAWYER]
    gone.is_active_account = False
    db.session.commit()
    items = api_for(app, lawyer).get("advocacy/responsible-candidates").get_json()["items"]
    ids = {u["id"] for u in items}
    assert lawyer.public_id in ids and gone.public_id not in ids
