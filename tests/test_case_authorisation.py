"""What a UN treaty body asks of the representation: the alleged victim's authorisation to act
for them (or why it cannot be obtained) and the other international procedures the matter went
to. Recorded on the case by its one edit form and the API, sealed where typed, audited."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, text

from casework.audit.models import AuditEntry
from casework.cases.models import Case
from casework.core.crypto import is_sealed_text
from casework.core.db import db
from casework.core.vocab import Authorisation, CaseStatus, OtherProcedure, Role, TeamRole
from tests.api_clients import api_for
from tests.case_helpers import intake, page
from tests.clients import client_for
from tests.factories import make_case

EDIT = {
    "act_type": "extradition",
    "act_date": "2011-06",
    "urgency": "routine",
    "current_situation": "detained",
    "destination_country": "UZ",
}
WHO = "Гульнора Холматова, his wife"
WHY = "Held incommunicado in the KNB remand centre since his arrest; no visit allowed."
ELSEWHERE = "Working Group on Arbitrary Detention, sent 2012-07-02, reference WGAD/2012/17."


def test_the_authorisation_and_other_procedures_are_edited_shown_sealed_and_audited(app, make_user):
    monitor = make_user(Role.MONITOR)
    client = client_for(app, monitor)
    case = intake(client)
    form = page(client, f"/cases/{case.public_id}/edit")
    for name in ("authorisation", "authorised_by", "authorised_on", "other_procedures"):
        assert f'name="{name}"' in form, name
    response = client.post(
        f"/cases/{case.public_id}/edit",
        data={
            **EDIT,
            "narrative": "Arrested at home by the KNB.",
            "authorisation": "through_family",
            "authorised_by": WHO,
            "authorised_on": "01.03.2012",
            "authorisation_note": WHY,
            "other_procedures": "pending",
            "other_procedures_details": ELSEWHERE,
            "version": case.version,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(Case, case.id)
    assert saved.authorisation == Authorisation.THROUGH_FAMILY
    assert saved.authorised_by == WHO and saved.authorised_on == date(2012, 3, 1)
    assert saved.authorisation_note == WHY
    assert saved.other_procedures == OtherProcedure.PENDING
    assert saved.other_procedures_details == ELSEWHERE
    # The typed text is sealed at rest, as every narrative field is.
    for column in ("authorised_by", "authorisation_note", "other_procedures_details"):
        raw = db.session.execute(
            text(f"SELECT {column} FROM cases WHERE id = :id"),  # noqa: S608
            {"id": case.id},
        ).scalar_one()
        assert is_sealed_text(raw), column
    # The form shows the date as typed back, and a save without the field keeps it.
    assert 'value="2012-03-01"' in page(client, f"/cases/{case.public_id}/edit")
    response = client.post(
        f"/cases/{case.public_id}/edit",
        data={**EDIT, "narrative": "Arrested at home.", "version": saved.version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Case, case.id)
    assert saved.authorised_on == date(2012, 3, 1) and saved.authorised_by == WHO
    # The case file shows them to the team.
    file = page(client, f"/cases/{case.public_id}")
    assert "Through the family" in file and "Гульнора Холматова" in file
    assert "Held incommunicado" in file and "WGAD/2012/17" in file
    # The history names the fields, with the codes and the date before and after, never the
    # text typed.
    entry = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "case.updated", AuditEntry.case_id == case.id)
        .order_by(AuditEntry.id)
    ).first()
    assert {"authorisation", "authorised_by", "other_procedures_details"} <= set(
        entry.details["fields"]
    )
    assert entry.details["changes"]["authorisation"] == ["not_recorded", "through_family"]
    # The day of the authorisation is identifying (the API gives it only to who may read the
    # case's identifying data): the trail says that it changed, not to what.
    assert "authorised_on" in entry.details["fields"]
    assert "authorised_on" not in entry.details["changes"]
    trail = str(entry.details)
    for typed in ("Гульнора", "incommunicado", "WGAD", "2012-03-01"):
        assert typed not in trail, typed


def test_an_unknown_choice_or_a_date_without_its_day_is_refused_and_nothing_saved(app, make_user):
    monitor = make_user(Role.MONITOR)
    client = client_for(app, monitor)
    case = intake(client)
    for field, value in (("authorisation", "by_carrier_pigeon"), ("authorised_on", "2012-03")):
        response = client.post(
            f"/cases/{case.public_id}/edit",
            data={**EDIT, field: value, "authorised_by": WHO, "version": case.version},
        )
        assert response.status_code == 200, field
        db.session.expire_all()
        assert db.session.get(Case, case.id).authorised_by is None, field


def test_an_authorisation_dated_in_the_future_is_refused_on_the_form_too(app, make_user):
    """The import's rule is the service's: the form and the API refuse a day to come, saying
    why, and take today."""
    monitor = make_user(Role.MONITOR)
    client = client_for(app, monitor)
    case = intake(client)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    data = {**EDIT, "authorisation": "written", "version": case.version}
    response = client.post(
        f"/cases/{case.public_id}/edit", data={**data, "authorised_on": tomorrow}
    )
    assert response.status_code == 200
    assert "The authorisation cannot be dated in the future." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).authorisation == Authorisation.NOT_RECORDED
    today = date.today().isoformat()
    response = client.post(f"/cases/{case.public_id}/edit", data={**data, "authorised_on": today})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).authorised_on == date.today()


def test_recording_the_authorisation_leaves_a_verified_case_verified(app, make_user):
    """The authorisation and the other procedures are the representation's, not facts a
    lawyer verified against the sources: recording them does not reopen the review."""
    lawyer = make_user(Role.LAWYER)
    monitor = make_user(Role.MONITOR)
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),), status=CaseStatus.VERIFIED)
    db.session.commit()
    client = client_for(app, monitor)
    response = client.post(
        f"/cases/{case.public_id}/edit",
        data={
            "urgency": "routine",
            "current_situation": "unknown",
            "authorisation": "written",
            "authorised_by": "The person himself",
            "other_procedures": "none",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Case, case.id)
    assert saved.authorisation == Authorisation.WRITTEN
    assert saved.other_procedures == OtherProcedure.NONE
    assert saved.status == CaseStatus.VERIFIED


def test_the_api_reads_and_changes_them_as_identifying_fields(app, make_user):
    monitor = make_user(Role.MONITOR)
    api = api_for(app, monitor)
    created = api.post("cases", json={"name": "Test Person", "act_type": "extradition"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["identifying"]["authorisation"] == "not_recorded"
    assert body["identifying"]["other_procedures"] == "not_stated"
    url = f"cases/{body['id']}"
    changed = api.patch(
        url,
        json={
            "authorisation": "cannot_be_obtained",
            "authorisation_note": WHY,
            "authorised_on": "2012-03-01",
            "other_procedures": "examined",
            "other_procedures_details": ELSEWHERE,
        },
        headers={"If-Match": created.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.get_json()
    identifying = changed.get_json()["identifying"]
    assert identifying["authorisation"] == "cannot_be_obtained"
    assert identifying["authorisation_note"] == WHY
    assert identifying["authorised_on"] == "2012-03-01"
    assert identifying["other_procedures"] == "examined"
    assert identifying["other_procedures_details"] == ELSEWHERE
    # A day to come is refused, as on the form and in an import.
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    refused = api.patch(
        url, json={"authorised_on": tomorrow}, headers={"If-Match": changed.headers["ETag"]}
    )
    assert refused.status_code == 422
    assert "cannot be dated in the future" in refused.get_data(as_text=True)
    # Null is no authorisation: the field always has a value.
    refused = api.patch(
        url, json={"authorisation": None}, headers={"If-Match": changed.headers["ETag"]}
    )
    assert refused.status_code == 422
    # Not in the anonymised view.
    anonymised = api.get(f"{url}?anonymised=true")
    assert anonymised.get_json()["identifying"] is None
    assert "incommunicado" not in anonymised.get_data(as_text=True)


def test_the_audit_trail_never_shows_the_day_of_the_authorisation(app, make_user):
    """An administrator reads the audit trail, not the case: the change of the authorisation's
    day is named there without its value, also in an entry written before it was withheld."""
    monitor = make_user(Role.MONITOR, display_name="Field Monitor")
    case = intake(client_for(app, monitor))
    response = client_for(app, monitor).post(
        f"/cases/{case.public_id}/edit",
        data={**EDIT, "authorisation": "written", "authorised_on": "17.05.2013",
              "version": case.version},
    )  # fmt: skip
    assert response.status_code == 302
    # As an earlier version wrote it: the day before and after among the values.
    db.session.add(
        AuditEntry(
            action="case.updated",
            object_type="cases",
            object_id=case.public_id,
            case_id=case.id,
            actor_id=monitor.id,
            details={
                "fields": ["authorised_on"],
                "changes": {"authorised_on": [None, "2014-09-23"]},
            },
        )
    )
    db.session.commit()
    admin = make_user(Role.ADMIN)
    trail = page(client_for(app, admin), "/admin/audit")
    assert "the date of the authorisation" in trail
    for value in ("2013-05-17", "17.05.2013", "2014-09-23", "23.09.2014"):
        assert value not in trail, value
    # The team still reads the day on the case file.
    assert "2013-05-17" in page(client_for(app, monitor), f"/cases/{case.public_id}")


def _stored_day(case_id: int):
    return db.session.execute(
        text("SELECT authorised_on FROM cases WHERE id = :id"), {"id": case_id}
    ).scalar_one()


def test_the_day_of_the_authorisation_is_sealed_at_rest_and_read_back_as_a_day(app, make_user):
    """The day the victim authorised the representation identifies them (it was kept as a plain
    date, readable in a copied database or a dump): it is sealed as the other fields are, and
    the form, the case file and the API still give it as a day."""
    monitor = make_user(Role.MONITOR)
    client = client_for(app, monitor)
    case = intake(client)
    response = client.post(
        f"/cases/{case.public_id}/edit",
        data={**EDIT, "authorisation": "written", "authorised_on": "01.03.2012",
              "version": case.version},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    raw = _stored_day(case.id)
    assert is_sealed_text(raw) and "2012" not in raw
    db.session.expire_all()
    assert db.session.get(Case, case.id).authorised_on == date(2012, 3, 1)
    assert 'value="2012-03-01"' in page(client, f"/cases/{case.public_id}/edit")
    api = api_for(app, monitor)
    read = api.get(f"cases/{case.public_id}")
    assert read.status_code == 200, read.get_json()
    assert read.get_json()["identifying"]["authorised_on"] == "2012-03-01"
    changed = api.patch(
        f"cases/{case.public_id}",
        json={"authorised_on": "2013-05-17"},
        headers={"If-Match": read.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["identifying"]["authorised_on"] == "2013-05-17"
    raw = _stored_day(case.id)
    assert is_sealed_text(raw) and "2013" not in raw
    db.session.expire_all()
    assert db.session.get(Case, case.id).authorised_on == date(2013, 5, 17)
    # Cleared, it is no value at all.
    response = client.post(
        f"/cases/{case.public_id}/edit",
        data={**EDIT, "authorisation": "written", "authorised_on": "",
              "version": db.session.get(Case, case.id).version},
    )  # fmt: skip
    assert response.status_code == 302
    assert _stored_day(case.id) is None
