"""The API's cases: tokens, the same access policy as the pages, If-Match, Idempotency-Key."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import func, select

from casework.api.cases import CaseCreate, CaseOut
from casework.api.models import ApiToken, IdempotencyKey
from casework.audit.models import AuditEntry
from casework.cases.models import Case
from casework.core.db import db, utcnow
from casework.core.vocab import CaseStatus, Role, TeamRole, Urgency
from tests.api_clients import ApiClient, api_for, token_for
from tests.clients import client_for
from tests.factories import make_case
from tests.world import build_world

ERROR_KEYS = {"code", "message", "fields"}


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    return body["error"]


def test_openapi_is_served_without_a_token_and_everything_else_needs_one(app):
    anonymous = ApiClient(app, None)
    spec = anonymous.get("openapi.json")
    assert spec.status_code == 200 and spec.get_json()["openapi"].startswith("3.1")
    assert _error(anonymous.get("cases"), 401)["code"] == "unauthenticated"
    assert _error(anonymous.get("no-such-thing"), 401)["code"] == "unauthenticated"


def test_a_cookie_session_never_authorises_an_api_call(app, make_user):
    monitor = make_user(Role.MONITOR)
    browser = client_for(app, monitor)
    assert browser.get("/cases").status_code == 200  # the session works for pages
    _error(browser.get("/api/v1/cases"), 401)
    _error(browser.post("/api/v1/cases", json={"draft": True}), 401)
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_monitors_token_cannot_read_another_teams_case(app):
    world = build_world()
    outsider = api_for(app, world.off[Role.MONITOR])
    theirs = outsider.get(f"cases/{world.ordinary.case.public_id}")
    missing = outsider.get("cases/nosuchcase000000")
    assert _error(theirs, 404) == _error(missing, 404)
    listed = outsider.get("cases").get_json()["items"]
    assert listed == []
    # Its team's monitor reads it, with the identifying fields.
    member = api_for(app, world.on[Role.MONITOR])
    own = member.get(f"cases/{world.ordinary.case.public_id}")
    assert own.status_code == 200
    assert own.get_json()["identifying"]["narrative"] == world.ordinary.canaries["narrative"]


def test_restricted_case_identifying_fields_never_reach_an_off_team_coordinator(app):
    world = build_world()
    cw = world.restricted
    coordinator = api_for(app, world.off[Role.COORDINATOR])
    seen = [
        coordinator.get(f"cases/{cw.case.public_id}"),
        coordinator.get("cases"),
        coordinator.get("cases?limit=100"),
        coordinator.get(f"cases?reference={cw.canaries['external_ref']}"),
    ]
    text = "".join(r.get_data(as_text=True) for r in seen)
    assert cw.case.reference in text  # it knows the case exists, as on the pages
    assert seen[0].get_json()["identifying"] is None
    assert [label for label, value in cw.canaries.items() if value in text] == []
    # On its team, the coordinator reads them; with anonymised=true, nobody does.
    member = api_for(app, world.on[Role.COORDINATOR])
    full = member.get(f"cases/{cw.case.public_id}").get_json()
    assert full["identifying"]["title"] == cw.canaries["title"]
    anonymised = member.get(f"cases/{cw.case.public_id}?anonymised=true")
    assert anonymised.get_json()["identifying"] is None
    assert cw.canaries["title"] not in anonymised.get_data(as_text=True)


def test_revoked_and_expired_tokens_are_refused(app, make_user):
    monitor = make_user(Role.MONITOR)
    secret = token_for(monitor)
    api = ApiClient(app, secret)
    assert api.get("cases").status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == monitor.id))
    assert token.last_used_at is not None
    token.revoked_at = utcnow()
    db.session.commit()
    _error(api.get("cases"), 401)
    expired = ApiClient(app, token_for(monitor))
    newest = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
    newest.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _error(expired.get("cases"), 401)
    _error(ApiClient(app, "cw_not-a-token").get("cases"), 401)
    refused = db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "api_token.refused")
    )
    assert refused == 3


def test_deactivated_users_tokens_stop_working(app, make_user):
    monitor = make_user(Role.MONITOR)
    api = api_for(app, monitor)
    monitor.is_active_account = False
    db.session.commit()
    _error(api.get("cases"), 401)


def test_a_read_token_cannot_write(app, make_user):
    monitor = make_user(Role.MONITOR)
    reader = api_for(app, monitor, scope="read")
    assert _error(reader.post("cases", json={"draft": True}), 403)["code"] == "forbidden"
    writer = api_for(app, monitor)
    assert writer.post("cases", json={"draft": True, "act_place": "Almaty"}).status_code == 201


def test_create_then_update_with_if_match(app, make_user):
    monitor = make_user(Role.MONITOR)
    api = api_for(app, monitor)
    created = api.post(
        "cases",
        json={"name": "Test Person", "act_type": "extradition", "act_date": "2011-06",
              "destination_country": "UZ", "narrative": "What happened."},
    )  # fmt: skip
    assert created.status_code == 201, created.get_json()
    case = created.get_json()
    assert case["reference"].startswith("KZ-2011-")
    assert case["identifying"]["narrative"] == "What happened."
    url = f"cases/{case['id']}"
    etag = created.headers["ETag"]
    assert api.get(url).headers["ETag"] == etag
    changed = api.patch(url, json={"urgency": "imminent"}, headers={"If-Match": etag})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["urgency"] == "imminent"
    assert changed.headers["ETag"] != etag


def test_stale_if_match_gets_412_and_changes_nothing(app, make_user):
    monitor = make_user(Role.MONITOR)
    api = api_for(app, monitor)
    case = api.post("cases", json={"draft": True, "narrative": "First."}).get_json()
    url = f"cases/{case['id']}"
    old = api.get(url).headers["ETag"]
    assert (
        api.patch(url, json={"narrative": "Second."}, headers={"If-Match": old}).status_code == 200
    )
    stale = api.patch(url, json={"narrative": "Third."}, headers={"If-Match": old})
    assert _error(stale, 412)["code"] == "precondition_failed"
    assert _error(api.patch(url, json={"narrative": "Fourth."}), 428)
    db.session.expire_all()
    stored = db.session.scalar(select(Case).where(Case.public_id == case["id"]))
    assert stored.narrative == "Second."


def test_same_idempotency_key_twice_creates_one_case(app, make_user):
    monitor = make_user(Role.MONITOR)
    api = api_for(app, monitor)
    body = {"draft": True, "narrative": "Once."}
    first = api.post("cases", json=body, headers={"Idempotency-Key": "intake-42"})
    second = api.post("cases", json=body, headers={"Idempotency-Key": "intake-42"})
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count(Case.id))) == 1
    other = api.post("cases", json={"draft": True}, headers={"Idempotency-Key": "intake-42"})
    assert _error(other, 409)
    assert api.post("cases", json=body, headers={"Idempotency-Key": "intake-43"}).status_code == 201
    assert db.session.scalar(select(func.count(Case.id))) == 2


def test_an_idempotency_key_keeps_nothing_that_confirms_a_guessed_name(app, make_user):
    """A create's Idempotency-Key is kept (seven days, and in backups) with what tells a
    retry from another request: the request's path and body, which name the person. Anyone
    holding the database must not confirm a guessed name by hashing the request it would have
    been; a retry is still told from another request."""
    monitor = make_user(Role.MONITOR)
    case = make_case(monitor)
    api = api_for(app, monitor)
    path = f"/api/v1/cases/{case.public_id}/people"
    body = b'{"names": [{"name": "Alisher Kholmatov"}], "role": "at_risk"}'
    send = {"data": body, "content_type": "application/json", "headers": {"Idempotency-Key": "p1"}}
    first, again = api.post(path, **send), api.post(path, **send)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    other = api.post(path, **{**send, "data": body.replace(b"Alisher", b"Alisherjon")})
    assert _error(other, 409)
    guessed = {
        hashlib.sha256(path.encode() + b"\0" + body).hexdigest(),
        hashlib.sha256(path.encode() + body).hexdigest(),
        hashlib.sha256(body).hexdigest(),
    }
    stored = db.session.scalars(select(IdempotencyKey.request_hash)).all()
    assert len(stored) == 1 and not guessed & set(stored)


def test_invalid_input_answers_422_with_fields(app, make_user):
    api = api_for(app, make_user(Role.MONITOR))
    bad = _error(api.post("cases", json={"act_type": "teleportation", "x": 1}), 422)
    assert "act_type" in bad["fields"] and "x" in bad["fields"]
    refused = _error(api.post("cases", json={"name": "A", "act_type": "extradition",
                                             "act_date": "soon"}), 422)  # fmt: skip
    assert "act_date" in refused["fields"]
    assert _error(api.post("cases", data="{}", content_type="text/plain"), 415)
    assert list(_error(api.get("cases?cursor=forged"), 422)["fields"]) == ["cursor"]


def test_cursor_pages_through_every_visible_case_once(app, make_user):
    monitor = make_user(Role.MONITOR)
    api = api_for(app, monitor)
    for n in range(5):
        api.post("cases", json={"draft": True, "narrative": f"case {n}"})
    seen, cursor = [], None
    while True:
        page = api.get("cases?limit=2" + (f"&cursor={cursor}" if cursor else "")).get_json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5


def test_a_cursor_whose_row_left_the_list_says_to_start_again(app, make_user):
    """A page's last case no longer the user's (taken off its team) meanwhile: the next page
    cannot continue from it, and the refusal says what to do (the document says so too)."""
    from casework.cases import services as case_services

    creator, monitor, coordinator = (make_user(r) for r in (Role.MONITOR, Role.MONITOR,
                                                             Role.COORDINATOR))  # fmt: skip
    for n in range(3):
        api_for(app, creator).post("cases", json={"draft": True, "narrative": f"case {n}"})
    for case in db.session.scalars(select(Case)):
        case_services.add_member(coordinator, case, monitor)
    db.session.commit()
    api = api_for(app, monitor)
    page = api.get("cases?limit=2").get_json()
    last = db.session.scalar(select(Case).where(Case.public_id == page["items"][-1]["id"]))
    case_services.remove_member(coordinator, last, monitor)
    db.session.commit()
    refused = _error(api.get(f"cases?limit=2&cursor={page['next_cursor']}"), 422)
    assert "start again without a cursor" in refused["fields"]["cursor"][0]
    assert "read again from the start without one" in api.get("openapi.json").get_data(as_text=True)
    assert len(api.get("cases").get_json()["items"]) == 2  # from the start, it answers


def test_every_api_call_is_audited(app, make_user):
    monitor = make_user(Role.MONITOR)
    api = api_for(app, monitor)
    api.get("cases")
    api.get("cases/nosuchcase000000")
    rows = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "api.request").order_by(AuditEntry.id)
    ).all()
    assert [(r.details["endpoint"], r.details["status"]) for r in rows] == [
        ("list_cases", 200),
        ("get_case", 404),
    ]
    assert all(r.actor_id == monitor.id for r in rows)


def test_api_needs_no_csrf_token_but_pages_still_do(app, make_user):
    monitor = make_user(Role.MONITOR)
    browser = client_for(app, monitor)
    api = api_for(app, monitor)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert api.post("cases", json={"draft": True, "act_place": "Almaty"}).status_code == 201
        assert browser.post("/cases/new", data={"save_draft": "1"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_case_list_costs_no_query_per_case(app, make_user, count_queries):
    api = api_for(app, make_user(Role.MONITOR))

    def queries() -> int:
        with count_queries() as counter:
            assert api.get("cases?limit=100").status_code == 200
        return counter["n"]

    for _ in range(2):
        api.post("cases", json={"draft": True, "act_place": "Almaty"})
    few = queries()
    for _ in range(8):
        api.post("cases", json={"draft": True, "act_place": "Almaty"})
    assert queries() <= few


def test_openapi_schemas_are_the_models_that_validate_requests(app):
    spec = ApiClient(app, None).get("openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    create = spec["paths"]["/api/v1/cases"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CaseCreate"
    }
    assert set(schemas["CaseCreate"]["properties"]) == set(CaseCreate.model_fields)
    assert set(schemas["CaseOut"]["properties"]) == set(CaseOut.model_fields)
    update = spec["paths"]["/api/v1/cases/{case_id}"]["patch"]
    assert {"412", "428"} <= set(update["responses"])
    assert any(p["name"] == "If-Match" for p in update["parameters"])
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_an_idempotency_key_with_a_control_character_is_refused(app, make_user):
    """Refused with a message (422), not stored: a NUL in a key is a 500 on PostgreSQL."""
    api = api_for(app, make_user(Role.MONITOR))
    answer = api.post("cases", json={"draft": True}, headers={"Idempotency-Key": "a\x1bb"})
    assert _error(answer, 422)
    assert "printable ASCII" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_a_change_cannot_null_a_field_that_always_has_a_value(app, make_user):
    """Urgency, current situation and the approximate flag have no empty value: null is refused
    (422, nothing changed), not taken as "back to the default", and the document says so."""
    api = api_for(app, make_user(Role.MONITOR))
    created = api.post(
        "cases",
        json={"draft": True, "narrative": "Held.", "urgency": "urgent",
              "current_situation": "detained", "act_date": "2011", "act_date_approximate": True},
    )  # fmt: skip
    url = f"cases/{created.get_json()['id']}"
    etag = created.headers["ETag"]
    for name in ("urgency", "current_situation", "act_date_approximate"):
        refused = api.patch(url, json={name: None}, headers={"If-Match": etag})
        assert name in _error(refused, 422)["fields"]
    case = api.get(url).get_json()
    assert (case["urgency"], case["current_situation"], case["act_date_approximate"]) == (
        "urgent", "detained", True,
    )  # fmt: skip
    assert api.patch(url, json={"act_date": None}, headers={"If-Match": etag}).status_code == 200
    spec = ApiClient(app, None).get("openapi.json").get_json()["components"]["schemas"]
    fields = spec["CaseUpdate"]["properties"]
    for name in ("urgency", "current_situation", "act_date_approximate"):
        assert "null" not in str(fields[name]) and "default" not in fields[name], name
    assert {"type": "null"} in fields["act_date"]["anyOf"]


def test_a_replayed_create_carries_the_etag_and_the_document_names_it(app, make_user):
    """The same Idempotency-Key answers as the first create did, ETag included (the If-Match of
    a later change); GET, POST and PATCH of a case document the header."""
    api = api_for(app, make_user(Role.MONITOR))
    body, key = {"draft": True, "narrative": "Once."}, {"Idempotency-Key": "intake-etag"}
    first = api.post("cases", json=body, headers=key)
    again = api.post("cases", json=body, headers=key)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers.get("ETag") == first.headers["ETag"] == '"v1"'
    paths = ApiClient(app, None).get("openapi.json").get_json()["paths"]
    for path, method, status in (
        ("/api/v1/cases", "post", "201"),
        ("/api/v1/cases/{case_id}", "get", "200"),
        ("/api/v1/cases/{case_id}", "patch", "200"),
    ):
        assert "ETag" in paths[path][method]["responses"][status].get("headers", {}), method


def test_a_valid_token_on_an_address_or_method_the_api_lacks_is_not_told_to_authenticate(
    app, make_user
):
    """401 means "no valid token": with one, a method the path lacks is a 405 and an unknown
    path a 404, in the error shape; without one, both stay 401 (nothing is revealed)."""
    api = api_for(app, make_user(Role.MONITOR))
    case = api.post("cases", json={"draft": True, "narrative": "Kept."}).get_json()
    assert _error(api.open("DELETE", f"cases/{case['id']}"), 405)["code"] == "method_not_allowed"
    assert _error(api.open("PUT", f"cases/{case['id']}", json={}), 405)
    assert _error(api.get("no-such-thing"), 404)["code"] == "not_found"
    anonymous = ApiClient(app, None)
    assert _error(anonymous.open("DELETE", f"cases/{case['id']}"), 401)
    assert _error(ApiClient(app, "cw_not-a-token").get("no-such-thing"), 401)


def test_a_draft_keeps_what_it_cannot_read_as_the_document_says(app, make_user):
    """A draft refuses nothing typed: an unreadable date becomes the date note, an unknown
    country is left empty. The description of the body says so (an integrator comparing the
    answer with what it sent is told why they differ); without draft, both are refused."""
    api = api_for(app, make_user(Role.MONITOR))
    body = {"narrative": "Taken.", "act_date": "last spring", "destination_country": "Narnia"}
    draft = api.post("cases", json={**body, "draft": True})
    assert draft.status_code == 201, draft.get_json()
    case = draft.get_json()
    assert (case["act_date"], case["destination_country"]) == (None, None)
    assert case["identifying"]["act_date_note"] == "last spring"
    full = api.post("cases", json={**body, "name": "A Person", "act_type": "extradition"})
    assert set(_error(full, 422)["fields"]) == {"act_date", "destination_country"}
    spec = ApiClient(app, None).get("openapi.json").get_json()["components"]["schemas"]
    described = " ".join(spec["CaseCreate"]["description"].split())
    assert "kept as the act_date_note" in described
    assert "unknown destination_country is left empty" in described


def test_the_idempotency_key_schema_accepts_what_the_server_accepts_and_says_how_long_kept(
    app, make_user
):
    """The header's schema is the server's rule (printable ASCII, spaces within, up to the
    column's length): a key the server takes matches it, a key it refuses does not; and the
    description says how long a key is remembered (the clean-up job's age)."""
    import re

    from casework.core import formkeys

    spec = ApiClient(app, None).get("openapi.json").get_json()
    (header,) = [
        p
        for p in spec["paths"]["/api/v1/cases"]["post"]["parameters"]
        if p["name"] == "Idempotency-Key"
    ]
    schema = header["schema"]
    assert (schema["minLength"], schema["maxLength"]) == (1, formkeys.KEY_MAX_LEN)
    assert f"{formkeys.KEPT.days} days" in header["description"]

    def documented(key: str) -> bool:
        return bool(re.fullmatch(schema["pattern"], key)) and 1 <= len(key) <= schema["maxLength"]

    api = api_for(app, make_user(Role.MONITOR))
    longest = "k" * formkeys.KEY_MAX_LEN
    for key in ("intake 42 (retry #2)", "a+b/c=d?e&f'g\"h~", "{order}:[1]", "x", longest,
                longest + "k", "a\x1bb", "tab\there", "del\x7f"):  # fmt: skip
        answer = api.post("cases", json={"draft": True, "narrative": key}, headers={
            "Idempotency-Key": key})  # fmt: skip
        assert answer.status_code in (201, 422), answer.get_json()
        assert (answer.status_code == 201) == documented(key), key
    # Sent again within the days the document names, a key still answers the first case.
    again = api.post("cases", json={"draft": True, "narrative": "x"}, headers={
        "Idempotency-Key": "x"})  # fmt: skip
    assert again.headers["Idempotent-Replayed"] == "true"


def test_the_case_list_is_newest_first_and_matches_part_of_a_reference_as_documented(
    app, make_user
):
    api = api_for(app, make_user(Role.MONITOR))
    made = [
        api.post(
            "cases", json={"name": f"Person {n}", "act_type": "extradition", "act_date": year}
        ).get_json()  # fmt: skip
        for n, year in enumerate(("2011-06", "2012", "2011"))
    ]
    listed = api.get("cases").get_json()["items"]
    assert [c["id"] for c in listed] == [c["id"] for c in reversed(made)]
    in_2011 = {c["id"] for c in made if c["reference"].startswith("KZ-2011-")}
    assert len(in_2011) == 2
    assert {c["id"] for c in api.get("cases?reference=kz-2011").get_json()["items"]} == in_2011
    number = made[1]["reference"].rsplit("-", 1)[1]
    found = api.get(f"cases?reference={number}").get_json()["items"]
    assert made[1]["id"] in {c["id"] for c in found}
    spec = ApiClient(app, None).get("openapi.json").get_json()
    operation = spec["paths"]["/api/v1/cases"]["get"]
    assert "newest first" in operation["summary"]
    assert "most recently created case first" in operation["description"]
    assert (
        "Newest first"
        in spec["components"]["schemas"]["CasePage"]["properties"]["items"]["description"]
    )
    (reference,) = [p for p in operation["parameters"] if p["name"] == "reference"]
    assert "reference contains this text" in reference["description"]
    (destination,) = [p for p in operation["parameters"] if p["name"] == "destination"]
    assert "ISO 3166-1 alpha-2" in destination["description"]
    page = client_for(app, make_user(Role.MONITOR)).get("/api-reference").get_data(as_text=True)
    assert "most recently created case first" in page and "reference contains this text" in page


def test_a_method_the_path_lacks_is_answered_with_the_methods_it_has(app, make_user):
    """405 carries Allow (RFC 9110): the methods the document lists for the path, and HEAD and
    OPTIONS, which every path answers."""
    api = api_for(app, make_user(Role.MONITOR))
    case = api.post("cases", json={"draft": True, "narrative": "Kept."}).get_json()
    paths = ApiClient(app, None).get("openapi.json").get_json()["paths"]
    for method, path, documented in (
        ("DELETE", f"cases/{case['id']}", "/api/v1/cases/{case_id}"),
        ("PUT", "cases", "/api/v1/cases"),
        ("POST", "advocacy/actions", "/api/v1/advocacy/actions"),
    ):
        refused = api.open(method, path, json={})
        assert _error(refused, 405)["code"] == "method_not_allowed"
        assert "Allow" in refused.headers, path
        allowed = {m.strip() for m in refused.headers["Allow"].split(",")}
        assert allowed == {m.upper() for m in paths[documented]} | {"HEAD", "OPTIONS"}, path
        assert method not in allowed
    assert {"GET", "PATCH"} <= set(api.open("DELETE", f"cases/{case['id']}").allow)


def test_the_case_list_takes_the_pages_wider_filters(app, make_user):
    """Open cases, urgent or imminent ones, the ones I created: the choices of the case-list
    page (and of the dashboard's links to it), read by the same code, within what I may see."""
    monitor, other = make_user(Role.MONITOR), make_user(Role.MONITOR)
    status, urgency = CaseStatus, Urgency
    cases = {
        "a": make_case(monitor, status=status.DRAFT, urgency=urgency.URGENT),
        "b": make_case(monitor, status=status.CLOSED, urgency=urgency.IMMINENT),
        "c": make_case(monitor, status=status.SUBMITTED, urgency=urgency.ROUTINE),
        "d": make_case(
            other,
            status=status.VERIFIED,
            urgency=urgency.IMMINENT,
            team=((monitor, TeamRole.MEMBER),),
        ),
        # Another's restricted case, without the monitor on its team: never theirs to list.
        "e": make_case(other, status=status.SUBMITTED, urgency=urgency.URGENT, restricted=True),
    }
    names = {case.public_id: name for name, case in cases.items()}
    api = api_for(app, monitor)

    def listed(query: str) -> str:
        response = api.get(f"cases?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return "".join(sorted(names[c["id"]] for c in response.get_json()["items"]))

    assert listed("") == "abcd"
    assert listed("status=open") == "acd"
    assert listed("urgency=urgent_or_imminent") == "abd"
    assert listed("created_by_me=true") == "abc"
    assert listed("status=open&urgency=urgent_or_imminent&created_by_me=true") == "a"
    assert listed("status=closed") == "b"  # a single value, as before
    for query in ("status=opened", "urgency=urgent_or_routine", "created_by_me=perhaps"):
        name = query.partition("=")[0]
        assert list(_error(api.get(f"cases?{query}"), 422)["fields"]) == [name]
    # Its creator's team lists the restricted case; the monitor's own page agrees with the API.
    theirs = api_for(app, other).get("cases?created_by_me=1&status=open&urgency=urgent")
    assert [c["id"] for c in theirs.get_json()["items"]] == [cases["e"].public_id]
    page = client_for(app, monitor).get("/cases?status=open&created_by_me=1").get_data(True)
    assert all((cases[n].reference in page) == (n in "ac") for n in "abcde")


def test_created_by_me_never_lists_a_case_its_creator_may_no_longer_see(app):
    """The filter narrows what the user may see; it is no way around the restriction."""
    world = build_world()
    restricted = world.restricted.case
    outsider = world.off[Role.MONITOR]
    restricted.created_by_id = outsider.id  # created by them, and on its team no longer
    db.session.commit()
    assert api_for(app, outsider).get("cases?created_by_me=true").get_json()["items"] == []
    assert api_for(app, outsider).get("cases?status=open").get_json()["items"] == []
    # Its team's monitor, who created the ordinary case, gets that one through.
    mine = api_for(app, world.on[Role.MONITOR]).get("cases?created_by_me=1").get_json()["items"]
    assert [c["id"] for c in mine] == [world.ordinary.case.public_id]


def test_the_document_lists_the_wider_filter_choices(app):
    spec = ApiClient(app, None).get("openapi.json").get_json()
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/cases"]["get"]["parameters"]}
    schemas = spec["components"]["schemas"]

    def values(name: str) -> set[str]:
        found: set[str] = set()
        for option in parameters[name]["schema"].get("anyOf", [parameters[name]["schema"]]):
            if "$ref" in option:
                option = schemas[option["$ref"].rsplit("/", 1)[1]]
            found |= set(option.get("enum", [])) | (
                {option["const"]} if "const" in option else set()
            )
        return found

    assert values("status") == {s.value for s in CaseStatus} | {"open"}
    assert values("urgency") == {u.value for u in Urgency} | {"urgent_or_imminent"}
    assert "every status but closed" in parameters["status"]["description"]
    assert "urgent or imminent" in parameters["urgency"]["description"]
    assert parameters["created_by_me"]["schema"]["type"] == "boolean"
    assert "you created" in parameters["created_by_me"]["description"]
    for name in ("status", "urgency"):
        assert "null" not in str(parameters[name]["schema"]), name  # absent, never null
