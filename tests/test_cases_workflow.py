"""The review workflow, editing with optimistic locking, assignment, and the timeline."""

from __future__ import annotations

import pytest

from casework.cases.models import Case
from casework.core.db import db
from casework.core.vocab import CaseStatus, Role
from tests.case_helpers import intake, page
from tests.factories import log_in


def _client(app, user):
    c = app.test_client()
    log_in(c, user)
    return c


# The case edit form's fields other than its texts, as the intake left them.
CASE_EDIT = {
    "act_type": "extradition",
    "act_date": "2011-06",
    "urgency": "routine",
    "current_situation": "detained",
    "destination_country": "UZ",
}


@pytest.fixture
def people(make_user):
    return {r: make_user(r) for r in (Role.MONITOR, Role.LAWYER, Role.COORDINATOR)}


def _move(client, case, to, comment="", expect=302):
    response = client.post(f"/cases/{case.public_id}/status", data={"to": to, "comment": comment})
    assert response.status_code == expect, (to, response.status_code)
    db.session.expire_all()
    return response


def test_case_goes_from_intake_to_closed_and_every_step_is_on_the_timeline(app, people):
    monitor = _client(app, people[Role.MONITOR])
    lawyer = _client(app, people[Role.LAWYER])
    coordinator = _client(app, people[Role.COORDINATOR])
    case = intake(monitor)

    # The coordinator assigns the lawyer.
    response = coordinator.post(
        f"/cases/{case.public_id}/team",
        data={"user": people[Role.LAWYER].public_id, "as_lawyer": "y"},
    )
    assert response.status_code == 302
    # The monitor submits; the lawyer cannot verify a case not yet in review.
    _move(monitor, case, "submitted")
    _move(lawyer, case, "verified", expect=403)
    _move(lawyer, case, "in_review")
    # Returning needs a comment.
    _move(lawyer, case, "returned")
    assert db.session.get(Case, case.id).status == CaseStatus.IN_REVIEW
    _move(lawyer, case, "returned", comment="Add the court decision of 2011-06-20.")
    # The lawyer edits the case.
    case = db.session.get(Case, case.id)
    response = lawyer.post(
        f"/cases/{case.public_id}/edit",
        data={
            "title": "Extradition of an Uzbek asylum seeker",
            "act_type": "extradition",
            "act_date": "2011-06-09",
            "urgency": "urgent",
            "current_situation": "removed",
            "destination_country": "UZ",
            "narrative": "Edited by the lawyer.",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    _move(monitor, case, "submitted")
    _move(lawyer, case, "in_review")
    _move(lawyer, case, "verified", comment="Checked against the court file.")
    _move(lawyer, case, "closed", expect=403)
    _move(coordinator, case, "closed")
    case = db.session.get(Case, case.id)
    assert case.status == CaseStatus.CLOSED
    assert case.narrative == "Edited by the lawyer."

    html = page(monitor, f"/cases/{case.public_id}")
    for text in (
        "Case opened as draft",
        "Draft → Submitted for review",
        "Submitted for review → In legal review",
        "In legal review → Returned to the monitor",
        "Add the court decision of 2011-06-20.",
        "Verified → Closed",
        "Checked against the court file.",
        "the situation from",
    ):
        assert text in html, text


def test_monitor_cannot_review_and_outsider_lawyer_cannot_either(app, people, make_user):
    monitor = _client(app, people[Role.MONITOR])
    case = intake(monitor)
    _move(monitor, case, "submitted")
    _move(monitor, case, "in_review", expect=403)
    stranger = _client(app, make_user(Role.LAWYER))
    _move(stranger, case, "in_review", expect=404)
    # A nonsense status is refused too.
    _move(_client(app, people[Role.COORDINATOR]), case, "teleported", expect=302)
    assert db.session.get(Case, case.id).status == CaseStatus.SUBMITTED


def test_stale_case_edit_shows_both_versions_and_loses_neither(app, people):
    monitor = _client(app, people[Role.MONITOR])
    coordinator = _client(app, people[Role.COORDINATOR])
    case = intake(monitor)
    loaded = case.version
    base = CASE_EDIT
    first = coordinator.post(
        f"/cases/{case.public_id}/edit",
        data=dict(base, narrative="Coordinator's version.", version=loaded),
    )
    assert first.status_code == 302
    second = monitor.post(
        f"/cases/{case.public_id}/edit",
        data=dict(base, narrative="Monitor's version.", version=loaded),
    )
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Coordinator&#39;s version." in html or "Coordinator's version." in html
    assert "Monitor&#39;s version." in html or "Monitor's version." in html
    # The saved version reads as the form does: labels, not stored codes.
    assert "Extradition" in html and "EXTRADITION" not in html and "Uzbekistan" in html
    db.session.expire_all()
    assert db.session.get(Case, case.id).narrative == "Coordinator's version."


def test_events_are_added_edited_and_sorted(app, people):
    monitor = _client(app, people[Role.MONITOR])
    case = intake(monitor, act_date="2011-06-15")
    pid = case.public_id
    for data in (
        {"event_type": "asylum_application", "date": "2010"},
        {
            "event_type": "arrest",
            "date": "09.06.2011",
            "place": "Almaty",
            "agencies": "KNB; migration police",
        },
        {
            "event_type": "extradition_request",
            "date": "2011-06",
            "requesting_state": "UZ",
            "legal_basis": "Minsk Convention 1993",
            "wanted_notice": "cis_interstate_search",
        },
        {"event_type": "after_return_sentence", "date": ""},
    ):
        assert monitor.post(f"/cases/{pid}/events/new", data=data).status_code == 302
    response = monitor.post(
        f"/cases/{pid}/events/new", data={"event_type": "arrest", "date": "31.02.2011"}
    )
    assert response.status_code == 200 and "not a real date" in response.get_data(as_text=True)
    html = page(monitor, f"/cases/{pid}")
    order = [
        html.index(t)
        for t in (
            "Asylum application",
            "Extradition request",
            "Arrest in Almaty",
            "Removal (the refoulement act)",
            "Sentence after return",
        )
    ]
    assert order == sorted(order)
    assert "KNB; migration police" in html and "CIS interstate search" in html
    assert "Date unknown" in html


def test_stale_event_edit_is_refused(app, people):
    from casework.cases.models import Event

    monitor = _client(app, people[Role.MONITOR])
    case = intake(monitor)
    event = db.session.query(Event).filter_by(case_id=case.id).one()
    url = f"/cases/{case.public_id}/events/{event.public_id}/edit"
    ok = monitor.post(
        url, data={"event_type": "removal", "date": "2011-06-10", "version": event.version}
    )
    assert ok.status_code == 302
    stale = monitor.post(
        url, data={"event_type": "removal", "date": "2011-06-11", "version": event.version}
    )
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(Event, event.id).date.iso() == "2011-06-10"


def test_comments_appear_on_the_timeline_and_admin_cannot_comment(app, people, make_user):
    monitor = _client(app, people[Role.MONITOR])
    case = intake(monitor)
    assert (
        monitor.post(
            f"/cases/{case.public_id}/comments", data={"body": "Family called today."}
        ).status_code
        == 302
    )
    assert "Family called today." in page(monitor, f"/cases/{case.public_id}")
    assert monitor.post(f"/cases/{case.public_id}/comments", data={"body": ""}).status_code == 302
    admin = make_user(Role.ADMIN)
    from casework.cases import services

    services.add_member(people[Role.COORDINATOR], db.session.get(Case, case.id), admin)
    db.session.commit()
    assert (
        _client(app, admin)
        .post(f"/cases/{case.public_id}/comments", data={"body": "x"})
        .status_code
        == 403
    )


def test_people_names_family_and_consent(app, people):
    from casework.people.models import Person

    monitor = _client(app, people[Role.MONITOR])
    case = intake(monitor)
    pid = case.public_id
    response = monitor.post(
        f"/cases/{pid}/people/new",
        data={
            "name": "Айгуль Кодирова",
            "name_kind": "as_given",
            "role": "family",
            "gender": "female",
            "birth_date": "1975",
            "nationality": "UZ",
            "legal_status": "mandate_refugee",
            "consent": "internal",
            "consent_date": "2024-02-01",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    at_risk = case.people[0].person
    wife = db.session.query(Person).filter(Person.id != at_risk.id).one()
    url = f"/cases/{pid}/people/{at_risk.public_id}"
    assert (
        monitor.post(
            f"{url}/names", data={"name-name": "Alisher Kholmatov", "name-kind": "transliteration"}
        ).status_code
        == 302
    )
    assert (
        monitor.post(
            f"{url}/family", data={"family-relative": wife.public_id, "family-relation": "spouse"}
        ).status_code
        == 302
    )
    response = monitor.post(
        url,
        data={
            "gender": "male",
            "birth_date": "1979-04",
            "nationality": "UZ",
            "legal_status": "asylum_seeker",
            "consent": "named",
            "consent_date": "2024-03-01",
            "version": at_risk.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    at_risk = db.session.get(Person, at_risk.id)
    assert (at_risk.consent.value, str(at_risk.consent_date)) == ("named", "2024-03-01")
    assert at_risk.consent_obtained_by_id == people[Role.MONITOR].id
    assert [n.name for n in at_risk.names] == ["Алишер Холматов", "Alisher Kholmatov"]
    html = page(monitor, f"/cases/{pid}")
    assert "Alisher Kholmatov" in html and "Spouse of" in html
    # Nobody is born "yesterday" in a case file: a slip, refused saying what to give instead.
    bad = monitor.post(url, data={"birth_date": "yesterday", "version": at_risk.version})
    assert bad.status_code == 200 and "give the date itself" in bad.get_data(as_text=True)
    bad = monitor.post(url, data={"birth_date": "spring 1979", "version": at_risk.version})
    assert bad.status_code == 200 and "is not a date" in bad.get_data(as_text=True)
    # A person can be in several cases.
    other = intake(monitor, name="Someone Else")
    response = monitor.post(
        f"/cases/{other.public_id}/people/new",
        data={"link-person": at_risk.public_id, "link-role": "witness"},
    )
    assert response.status_code == 302
    assert case.reference in page(monitor, f"/cases/{other.public_id}/people/{at_risk.public_id}")


def test_print_view_has_the_file_without_forms(app, people):
    monitor = _client(app, people[Role.MONITOR])
    case = intake(monitor)
    html = page(monitor, f"/cases/{case.public_id}/print")
    assert case.reference in html and "CONFIDENTIAL" in html and "TEAM-INTERNAL" in html
    # Intake leaves consent at "none": the name is not printed, even for the team.
    assert "Алишер Холматов" not in html and "Kholmatov" not in html
    assert 'name="body"' not in html  # no comment form
    assert 'class="print-view"' in html  # the stylesheet hides panels' buttons in this view
    history = page(monitor, f"/cases/{case.public_id}")
    assert "case.viewed" not in history  # reads are audited but are not "changes"


def test_stale_person_and_source_edits_are_refused_and_shown(app, people):
    from casework.evidence.models import Source
    from casework.people.models import Person

    monitor = _client(app, people[Role.MONITOR])
    lawyer = _client(app, people[Role.LAWYER])
    case = intake(monitor)
    from casework.cases import services

    services.add_member(
        people[Role.COORDINATOR], db.session.get(Case, case.id), people[Role.LAWYER]
    )
    db.session.commit()
    person = db.session.get(Case, case.id).people[0].person
    url = f"/cases/{case.public_id}/people/{person.public_id}"
    version = person.version
    assert monitor.post(url, data={"ethnicity": "Uzbek", "version": version}).status_code == 302
    stale = lawyer.post(url, data={"ethnicity": "Uyghur", "version": version})
    assert stale.status_code == 409
    assert "Uyghur" in stale.get_data(as_text=True) and "Uzbek" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, person.id).ethnicity == "Uzbek"

    monitor.post(
        f"/cases/{case.public_id}/sources/new",
        data={"kind": "media", "reliability": "C", "credibility": "3"},
    )
    source = db.session.query(Source).one()
    surl = f"/cases/{case.public_id}/sources/{source.public_id}"
    assert (
        monitor.post(
            surl,
            data={
                "kind": "media",
                "reliability": "B",
                "credibility": "2",
                "version": source.version,
            },
        ).status_code
        == 302
    )
    assert (
        lawyer.post(
            surl,
            data={
                "kind": "media",
                "reliability": "E",
                "credibility": "5",
                "version": source.version,
            },
        ).status_code
        == 409
    )
    db.session.expire_all()
    assert db.session.get(Source, source.id).reliability.value == "B"


def test_an_agency_is_recorded_with_its_state_and_shown_with_it(app, people):
    """The Uzbek SNB taking someone in Almaty is not a Kazakh agency: the event form records
    the State of the agencies it lists (the country list of the rest of the file), the
    timeline and the form show it, a State not on the list is refused."""
    from casework.cases.models import Agency, Event

    monitor = _client(app, people[Role.MONITOR])
    case = intake(monitor)
    pid = case.public_id
    assert 'name="agencies_country"' in page(monitor, f"/cases/{pid}/events/new")
    data = {
        "event_type": "arrest",
        "date": "2011-06",
        "agencies": "SNB",
        "agencies_country": "UZ",
    }
    assert monitor.post(f"/cases/{pid}/events/new", data=data).status_code == 302
    event = db.session.query(Event).filter_by(case_id=case.id, event_type="arrest").one()
    assert [(a.name, a.country) for a in event.agencies] == [("SNB", "UZ")]
    assert "Agencies: SNB (Uzbekistan)" in page(monitor, f"/cases/{pid}")

    url = f"/cases/{pid}/events/{event.public_id}/edit"
    form = page(monitor, url)
    assert '<option selected value="UZ">' in form
    bad = {**data, "agencies_country": "XX", "version": event.version}
    response = monitor.post(url, data=bad)
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert [(a.name, a.country) for a in event.agencies] == [("SNB", "UZ")]

    # The same name in another State, or with no State known, is another agency.
    for country in ("KZ", ""):
        knb = {"event_type": "arrest", "agencies": "KNB", "agencies_country": country}
        assert monitor.post(f"/cases/{pid}/events/new", data=knb).status_code == 302
    assert sorted((a.name, a.country or "") for a in db.session.query(Agency)) == [
        ("KNB", ""),
        ("KNB", "KZ"),
        ("SNB", "UZ"),
    ]


def test_the_state_of_agencies_is_read_as_any_country_of_the_file(app, people):
    """From an import or the API: a code or an English or Russian name; anything else is an
    error on the field and nothing is written."""
    from casework.cases.events import add_event
    from casework.core.errors import ValidationFailed

    user = people[Role.MONITOR]
    case = intake(_client(app, user))
    event = add_event(
        user, case, {"event_type": "arrest", "agencies": "СНБ", "agencies_country": "Узбекистан"}
    )
    assert [(a.name, a.country) for a in event.agencies] == [("СНБ", "UZ")]
    with pytest.raises(ValidationFailed) as refused:
        add_event(
            user, case, {"event_type": "arrest", "agencies": "X", "agencies_country": "Narnia"}
        )
    assert "agencies_country" in refused.value.errors


def test_the_longest_narratives_allowed_in_cyrillic_are_saved_not_refused_as_too_large(app, people):
    """Narrative and 'known after return' at their 50,000-character limit, in Russian: a form
    sent by a browser is URL-encoded (six bytes per Cyrillic letter), and the request must still
    reach the form rather than be refused whole for its size."""
    monitor = _client(app, people[Role.MONITOR])
    case = intake(monitor)
    text = ("Задержан сотрудниками КНБ в Алматы. " * 1400)[:50_000]
    response = monitor.post(
        f"/cases/{case.public_id}/edit",
        data={
            **CASE_EDIT,
            "narrative": text,
            "after_return": text,
            "version": case.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Case, case.id)
    assert saved.narrative == text and saved.after_return == text


def test_fields_a_form_does_not_have_are_ignored_not_assigned(app, people):
    """Mass assignment: a monitor's case edit that also sends the status, the restriction, the
    reference, the creator and the version's successor changes only what the form offers."""
    monitor = _client(app, people[Role.MONITOR])
    case = intake(monitor)
    before = db.session.get(Case, case.id)
    reference, status, restricted = before.reference, before.status, before.restricted
    response = monitor.post(
        f"/cases/{case.public_id}/edit",
        data={
            **CASE_EDIT,
            "narrative": "Edited.",
            "version": case.version,
            # Not fields of the form:
            "status": "closed",
            "restricted": "y",
            "reference": "KZ-1999-0001",
            "created_by_id": str(people[Role.COORDINATOR].id),
            "id": "1",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Case, case.id)
    assert saved.narrative == "Edited."  # the edit itself went through
    assert (saved.reference, saved.status, saved.restricted) == (reference, status, restricted)
    assert saved.created_by_id == people[Role.MONITOR].id
