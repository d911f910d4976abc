"""The API's case records, people, documents, legal grounds, advocacy and catalogue, as a team
member uses them: the same services as the pages, the anonymised view without identifying data."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from casework.audit.models import AuditEntry
from casework.core.db import db
from casework.core.vocab import Role
from tests.api_clients import ApiClient, api_for
from tests.photos import GPS, photo
from tests.world import build_world


def test_team_member_reads_every_record_and_the_anonymised_view_hides_identifying_data(app):
    world = build_world()
    cw = world.ordinary
    api = api_for(app, world.on[Role.LAWYER])
    base = f"cases/{cw.case.public_id}"
    for path, canary in (
        ("events", "event_description"),
        ("sources", "source_identity"),
        ("documents", "document_description"),
        ("people", "contacts"),
        ("legal-links", "analysis"),
        ("remedies", "remedy_notes"),
    ):
        full = api.get(f"{base}/{path}")
        assert full.status_code == 200, (path, full.get_json())
        assert cw.canaries[canary] in full.get_data(as_text=True), path
        anonymised = api.get(f"{base}/{path}?anonymised=true")
        assert anonymised.status_code == 200
        assert not [v for v in cw.canaries.values() if v in anonymised.get_data(as_text=True)]
        assert all(item["identifying"] is None for item in anonymised.get_json()["items"])
    person = api.get(f"people/{cw.person.public_id}").get_json()
    assert person["identifying"]["names"][0]["name"] == cw.canaries["name"]
    action = api.get(f"advocacy/actions/{cw.action.public_id}").get_json()
    assert action["cases"] == [cw.case.public_id]
    assert action["identifying"]["title"] == cw.canaries["action_title"]
    rec = api.get(f"upr/recommendations/{world.recommendation.public_id}").get_json()
    assert cw.case.public_id in rec["cases"]
    instrument = api.get(f"catalogue/instruments/{world.instrument.code}").get_json()
    assert world.provision.code in [p["code"] for p in instrument["provisions"]]
    assert api.get(f"catalogue/provisions/{world.provision.code}").status_code == 200


def test_protected_source_identity_is_the_teams_only(app):
    world = build_world()
    cw = world.ordinary
    off = api_for(app, world.off[Role.COORDINATOR]).get(f"cases/{cw.case.public_id}/sources")
    assert off.status_code == 200
    assert off.get_json()["items"][0]["identifying"]["identity"] is None
    on = api_for(app, world.on[Role.MONITOR]).get(f"cases/{cw.case.public_id}/sources")
    assert on.get_json()["items"][0]["identifying"]["identity"] == cw.canaries["source_identity"]


def test_team_member_adds_events_sources_people_and_documents(app):
    world = build_world()
    cw = world.ordinary
    api = api_for(app, world.on[Role.MONITOR])
    base = f"cases/{cw.case.public_id}"
    event = api.post(
        f"{base}/events",
        json={"event_type": "arrest", "date": "2011-05", "description": "Arrested at home."},
    )
    assert event.status_code == 201, event.get_json()
    assert event.get_json()["identifying"]["description"] == "Arrested at home."
    source = api.post(f"{base}/sources", json={"kind": "relative", "reliability": "B"})
    assert source.status_code == 201, source.get_json()
    assert source.get_json()["identity_protected"] is True
    person = api.post(
        f"{base}/people",
        json={"names": [{"name": "Иван Петров"}], "role": "witness", "nationality": "UZ"},
    )
    assert person.status_code == 201, person.get_json()
    assert person.get_json()["identifying"]["names"][0]["script"] == "cyrillic"
    upload = api.post(
        f"{base}/documents",
        data={"file": (io.BytesIO(b"A statement.\n"), "statement.txt"), "description": "Notes"},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    document_id = upload.get_json()["id"]
    download = api.get(f"{base}/documents/{document_id}/file")
    assert download.status_code == 200 and download.get_data() == b"A statement.\n"
    assert "attachment" in download.headers["Content-Disposition"]
    refused = api.post(
        f"{base}/documents",
        data={"file": (io.BytesIO(b"MZ\x90\x00binary"), "tool.exe")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "file" in refused.get_json()["error"]["fields"]
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"event.created", "source.created", "person.created", "document.uploaded"} <= actions
    assert "document.downloaded" in actions


def test_an_uploaded_photo_that_records_where_it_was_taken_is_flagged_to_the_client(app):
    """The API's uploader is told, as the form's is, that the photo carries GPS coordinates:
    a warning with a stable code and the form's words, never the coordinates themselves."""
    world = build_world()
    base = f"cases/{world.ordinary.case.public_id}"
    api = api_for(app, world.on[Role.MONITOR])

    def upload(content: bytes, name: str):
        return api.post(
            f"{base}/documents",
            data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )

    located = upload(photo(gps=True), "IMG_0412.jpg")
    assert located.status_code == 201, located.get_json()
    warnings = located.get_json()["warnings"]
    assert [w["code"] for w in warnings] == ["location_in_file"]
    assert "records where it was taken" in warnings[0]["message"]
    assert "43" not in warnings[0]["message"] and "76" not in warnings[0]["message"]
    assert str(GPS[2][0]) not in located.get_data(as_text=True)
    plain = upload(photo(gps=False), "IMG_0413.jpg")
    assert plain.status_code == 201 and plain.get_json()["warnings"] == []
    spec = ApiClient(app, None).get("openapi.json").get_json()
    assert "warnings" in str(spec["components"]["schemas"])


def test_match_finds_people_by_name_in_cases_one_reads(app):
    world = build_world()
    cw = world.ordinary
    on = api_for(app, world.on[Role.MONITOR]).post(
        "people/match", json={"name": cw.canaries["name"]}
    )
    # Fuzzy matching may also offer the look-alike canary of the user's other (restricted) case.
    ids = [m["case_id"] for m in on.get_json()["items"]]
    assert ids[0] == cw.case.public_id
    assert set(ids) <= {cw.case.public_id, world.restricted.case.public_id}
    off = api_for(app, world.off[Role.MONITOR]).post(
        "people/match", json={"name": cw.canaries["name"]}
    )
    assert off.get_json()["items"] == []


def test_idempotency_key_on_record_creates(app):
    world = build_world()
    cw = world.ordinary
    api = api_for(app, world.on[Role.MONITOR])
    base = f"cases/{cw.case.public_id}"
    key = {"Idempotency-Key": "event-1"}
    first = api.post(f"{base}/events", json={"event_type": "arrest"}, headers=key)
    again = api.post(f"{base}/events", json={"event_type": "arrest"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    key = {"Idempotency-Key": "upload-1"}
    uploads = [
        api.post(
            f"{base}/documents",
            data={"file": (io.BytesIO(b"Same file.\n"), "same.txt")},
            content_type="multipart/form-data",
            headers=key,
        )
        for _ in range(2)
    ]
    assert [u.status_code for u in uploads] == [201, 201]
    assert uploads[0].get_json() == uploads[1].get_json()
    events = api.get(f"{base}/events").get_json()["items"]
    assert len([e for e in events if e["event_type"] == "arrest"]) == 1
    documents = api.get(f"{base}/documents").get_json()["items"]
    assert len([d for d in documents if d["identifying"]["original_name"] == "same.txt"]) == 1


def test_lawyer_assesses_monitor_suggests_and_remedies_are_recorded(app):
    world = build_world()
    cw = world.ordinary
    base = f"cases/{cw.case.public_id}"
    other = world.provision.code.replace(":1", ":2")
    lawyer = api_for(app, world.on[Role.LAWYER])
    monitor = api_for(app, world.on[Role.MONITOR])
    link = {"provision": other, "assessment": "violated", "analysis": "Because."}
    refused = monitor.post(f"{base}/legal-links", json=link)
    assert refused.status_code == 403
    made = lawyer.post(f"{base}/legal-links", json=link)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["state"] == "assessed"
    suggested = monitor.post(
        f"{base}/legal-link-suggestions", json={"provision": other, "assessment": "at_risk"}
    )
    assert suggested.status_code == 201, suggested.get_json()
    assert suggested.get_json()["state"] == "suggested"
    unknown = lawyer.post(f"{base}/legal-links", json={**link, "provision": "NOPE:1"})
    assert unknown.status_code == 422
    remedy = lawyer.post(
        f"{base}/remedies",
        json={"kind": "extradition_appeal", "filed_on": "2011-07-01", "decided_on": "2011-06-01"},
    )
    assert remedy.status_code == 422 and "decided_on" in remedy.get_json()["error"]["fields"]
    remedy = lawyer.post(f"{base}/remedies", json={"kind": "extradition_appeal"})
    assert remedy.status_code == 201, remedy.get_json()


def test_remedy_dates_may_be_partial_and_approximate_through_the_api(app):
    """The filing and decision dates as an event's date: YYYY, YYYY-MM or YYYY-MM-DD with a
    flag; an exact day recorded before reads as it did; a bad date is refused by field."""
    from casework.legal.models import Remedy

    world = build_world()
    cw = world.ordinary
    base = f"cases/{cw.case.public_id}"
    lawyer = api_for(app, world.on[Role.LAWYER])
    before = lawyer.get(f"{base}/remedies").get_json()["items"]
    assert [(r["filed_on"], r["filed_on_approximate"]) for r in before] == [("2011-06-20", False)]
    bad = lawyer.post(f"{base}/remedies", json={"kind": "asylum_claim", "filed_on": "2009-13"})
    assert bad.status_code == 422 and "filed_on" in bad.get_json()["error"]["fields"]
    made = lawyer.post(
        f"{base}/remedies",
        json={
            "kind": "asylum_claim",
            "filed_on": "2009",
            "filed_on_approximate": True,
            "decided_on": "2010-08",
            "appeal_deadline": "2010-08-20",
        },
    )
    assert made.status_code == 201, made.get_json()
    out = made.get_json()
    assert (out["filed_on"], out["filed_on_approximate"]) == ("2009", True)
    assert (out["decided_on"], out["decided_on_approximate"]) == ("2010-08", False)
    assert out["appeal_deadline"] == "2010-08-20"
    listed = lawyer.get(f"{base}/remedies").get_json()["items"]
    assert [r["filed_on"] for r in listed] == ["2009", "2011-06-20"]  # by the date filed
    remedy = db.session.scalar(select(Remedy).where(Remedy.public_id == out["id"]))
    assert str(remedy.decided_on) == "2010-08"
    # The day stays a day: a deadline is never partial.
    month = lawyer.post(
        f"{base}/remedies", json={"kind": "asylum_claim", "appeal_deadline": "2010-08"}
    )
    assert month.status_code == 422
    spec = ApiClient(app, None).get("openapi.json").get_json()["components"]["schemas"]
    assert {"filed_on_approximate", "decided_on_approximate"} <= set(
        spec["RemedyCreate"]["properties"]
    )
    assert spec["RemedyOut"]["properties"]["filed_on"]["description"].startswith("A partial date")


def test_an_event_records_the_state_of_its_agencies_through_the_api(app):
    world = build_world()
    base = f"cases/{world.ordinary.case.public_id}"
    api = api_for(app, world.on[Role.LAWYER])
    event = {"event_type": "arrest", "agencies": "SNB", "agencies_country": "Uzbekistan"}
    made = api.post(f"{base}/events", json=event)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["identifying"]["agencies_country"] == "UZ"
    bad = api.post(f"{base}/events", json={**event, "agencies_country": "Narnia"})
    assert bad.status_code == 422 and "agencies_country" in bad.get_json()["error"]["fields"]


def test_lawyer_records_an_advocacy_action_for_a_case(app):
    world = build_world()
    cw = world.ordinary
    body = {"action_type": "urgent_appeal", "title": "Appeal to the Committee", "status": "planned"}
    made = api_for(app, world.on[Role.LAWYER]).post(
        f"cases/{cw.case.public_id}/advocacy-actions", json=body
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["cases"] == [cw.case.public_id]
    refused = api_for(app, world.on[Role.MONITOR]).post(
        f"cases/{cw.case.public_id}/advocacy-actions", json=body
    )
    assert refused.status_code == 403


def test_a_body_nested_deeper_than_the_decoder_goes_is_refused_not_a_server_error(app):
    world = build_world()
    api = api_for(app, world.on[Role.MONITOR], scope="read")
    assert api.post("search", json={"q": "deported"}).status_code == 200
    response = api.post(
        "search", data=b"[" * 100_000 + b"]" * 100_000, content_type="application/json"
    )
    assert response.status_code == 422, response.get_data(as_text=True)[:200]


def test_an_event_naming_a_source_not_of_its_case_is_refused_not_saved_without_it(app):
    """source_ids are public ids of the case's sources: an unknown one is a 422 on the field,
    never an event saved silently without the source the client named."""
    from casework.cases.models import Event

    world = build_world()
    base = f"cases/{world.ordinary.case.public_id}"
    api = api_for(app, world.on[Role.MONITOR])
    before = db.session.scalar(select(func.count(Event.id)))
    other_case_source = world.restricted.source.public_id
    for wrong in ("nosuchsource0000", other_case_source):
        refused = api.post(f"{base}/events", json={"event_type": "arrest", "source_ids": [wrong]})
        assert refused.status_code == 422, refused.get_json()
        assert "source_ids" in refused.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count(Event.id))) == before
    source_id = api.get(f"{base}/sources").get_json()["items"][0]["id"]
    made = api.post(f"{base}/events", json={"event_type": "arrest", "source_ids": [source_id]})
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["identifying"]["sources"] == [source_id]


def test_refusals_name_the_request_fields_the_client_sent(app):
    """An error's fields are the request's: a legal link's unknown source is on source_ids, an
    action's unknown body on target_body_id (the services call them sources and target_body)."""
    world = build_world()
    base = f"cases/{world.ordinary.case.public_id}"
    lawyer = api_for(app, world.on[Role.LAWYER])
    other = world.provision.code.replace(":1", ":2")
    link = lawyer.post(
        f"{base}/legal-links",
        json={"provision": other, "assessment": "violated", "source_ids": ["nosuchsource0000"]},
    )
    assert link.status_code == 422
    assert set(link.get_json()["error"]["fields"]) == {"source_ids"}
    action = lawyer.post(
        f"{base}/advocacy-actions",
        json={"action_type": "urgent_appeal", "title": "Appeal", "target_body_id": 99999},
    )
    assert action.status_code == 422
    assert set(action.get_json()["error"]["fields"]) == {"target_body_id"}
    person = lawyer.post(f"{base}/people", json={"names": [{"name": "   "}], "role": "witness"})
    assert person.status_code == 422
    assert set(person.get_json()["error"]["fields"]) <= {"names", "names.0.name"}


def test_an_upload_answers_the_statuses_the_document_lists(app):
    """Not multipart: 415, as documented for every body; over the server's limit: 413, in the
    error shape; the store or database down: 503. The document lists all three."""
    world = build_world()
    base = f"cases/{world.ordinary.case.public_id}"
    api = api_for(app, world.on[Role.MONITOR])
    as_json = api.post(f"{base}/documents", json={"description": "A statement"})
    assert as_json.status_code == 415, as_json.get_json()
    assert as_json.get_json()["error"]["code"] == "unsupported_media_type"
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        big = api.post(
            f"{base}/documents",
            data={"file": (io.BytesIO(b"x" * 5000), "big.txt")},
            content_type="multipart/form-data",
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert big.status_code == 413
    assert big.get_json()["error"]["code"] == "too_large"
    spec = ApiClient(app, None).get("openapi.json").get_json()
    upload = spec["paths"]["/api/v1/cases/{case_id}/documents"]["post"]["responses"]
    assert {"201", "413", "415", "422", "503"} <= set(upload)
    assert "503" in spec["paths"]["/api/v1/cases"]["get"]["responses"]


def test_partial_dates_and_countries_are_read_as_the_document_says(app):
    """Dates in the forms the document lists read back as YYYY, YYYY-MM or YYYY-MM-DD; a
    country given by code or name reads back as its ISO code. Every partial date and country
    of the document says so."""
    import re

    world = build_world()
    base = f"cases/{world.ordinary.case.public_id}"
    api = api_for(app, world.on[Role.LAWYER])
    for sent, read, approximate in (
        ("09.06.2011", "2011-06-09", False),
        ("06.2011", "2011-06", False),
        ("06/2011", "2011-06", False),
        ("2011/6/9", "2011-06-09", False),
        ("April 2011", "2011-04", False),
        ("c. 2010", "2010", True),
        ("unknown", None, False),
    ):
        made = api.post(f"{base}/events", json={"event_type": "arrest", "date": sent})
        assert made.status_code == 201, (sent, made.get_json())
        assert (made.get_json()["date"], made.get_json()["date_approximate"]) == (
            read, approximate,
        ), sent  # fmt: skip
    refused = api.post(f"{base}/events", json={"event_type": "arrest", "date": "31.02.2011"})
    assert refused.status_code == 422 and "date" in refused.get_json()["error"]["fields"]
    event = api.post(
        f"{base}/events",
        json={"event_type": "extradition_request", "requesting_state": "Uzbekistan",
              "destination_country": "uzb", "agencies": "SNB", "agencies_country": "Узбекистан"},
    ).get_json()  # fmt: skip
    assert (event["requesting_state"], event["destination_country"]) == ("UZ", "UZ")
    assert event["identifying"]["agencies_country"] == "UZ"
    person = api.post(
        f"{base}/people",
        json={"names": [{"name": "A Witness"}], "role": "witness", "birth_date": "12.04.1979",
              "nationality": "Россия"},
    )  # fmt: skip
    assert person.status_code == 201, person.get_json()
    assert person.get_json()["identifying"]["birth_date"] == "1979-04-12"
    assert person.get_json()["nationality"] == "RU"
    # The catalogue's adoption date, typed as text on the catalogue page, reads as a date.
    world.instrument.adopted_on = "10.12.1984"
    db.session.commit()
    instrument = api.get(f"catalogue/instruments/{world.instrument.code}").get_json()
    assert instrument["adopted_on"] == "1984-12-10"

    schemas = ApiClient(app, None).get("openapi.json").get_json()["components"]["schemas"]
    dates = countries = 0
    for model, schema in schemas.items():
        for name, prop in schema.get("properties", {}).items():
            kinds = [prop, *prop.get("anyOf", [])]
            if not any(k.get("type") == "string" and "format" not in k for k in kinds):
                continue
            says = prop.get("description", "")
            if re.search(r"(^|_)date$|_on$", name):
                dates += 1
                assert "YYYY, YYYY-MM or YYYY-MM-DD" in says, (model, name)
                if model.endswith(("Create", "Update")):
                    assert "DD.MM.YYYY, MM.YYYY" in says, (model, name)
            if re.search(r"country$|^requesting_state$|^nationality$", name):
                countries += 1
                assert "ISO 3166-1" in says, (model, name)
                if model.endswith(("Create", "Update")):
                    assert "name in English or Russian" in says, (model, name)
    assert dates >= 13 and countries >= 10


def test_the_catalogue_gives_the_russian_title_summary_and_status_beside_the_english(app):
    world = build_world()
    world.instrument.title_ru = "Конвенция против пыток"
    world.instrument.summary_ru = "Абсолютно запрещает пытки."
    world.instrument.kz_status_ru = "Участник с 1998 года"
    world.provision.title_ru = "Статья 3: невысылка"
    world.provision.summary_ru = "Ни одно государство не высылает лицо под угрозой пыток."
    db.session.commit()
    api = api_for(app, world.on[Role.MONITOR])
    instrument = api.get(f"catalogue/instruments/{world.instrument.code}").get_json()
    assert (instrument["title_ru"], instrument["summary_ru"], instrument["kz_status_ru"]) == (
        "Конвенция против пыток",
        "Абсолютно запрещает пытки.",
        "Участник с 1998 года",
    )
    assert instrument["title"] == world.instrument.title  # the English stays as it was
    provision = next(p for p in instrument["provisions"] if p["code"] == world.provision.code)
    assert provision["title_ru"] == "Статья 3: невысылка"
    alone = api.get(f"catalogue/provisions/{world.provision.code}").get_json()
    assert alone["summary_ru"] == "Ни одно государство не высылает лицо под угрозой пыток."
    listed = api.get("catalogue/instruments").get_json()["items"]
    assert next(i for i in listed if i["code"] == world.instrument.code)["kz_status_ru"] == (
        "Участник с 1998 года"
    )
    # An entry without a Russian text gives null: a reader shows the English.
    world.provision.summary_ru = None
    db.session.commit()
    alone = api.get(f"catalogue/provisions/{world.provision.code}").get_json()
    assert alone["summary_ru"] is None and alone["summary"] == world.provision.summary

    schemas = ApiClient(app, None).get("openapi.json").get_json()["components"]["schemas"]
    for model, fields in (
        ("InstrumentOut", ("title_ru", "summary_ru", "kz_status_ru")),
        ("ProvisionOut", ("title_ru", "summary_ru")),
    ):
        for name in fields:
            assert name in schemas[model]["properties"], (model, name)
            assert name in schemas[model]["required"], (model, name)
            assert "English" in schemas[model]["properties"][name]["description"], (model, name)
