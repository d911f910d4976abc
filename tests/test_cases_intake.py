"""Quick intake by a field monitor, drafts, references, and who may create cases."""

from __future__ import annotations

from sqlalchemy import func, select

from casework.cases.models import Case, Event
from casework.core.db import db
from casework.core.vocab import CaseStatus, EventType, Role, Script, Urgency
from tests.case_helpers import INTAKE, intake, page


def test_monitor_logs_a_case_in_one_form(client, login, make_user):
    monitor = make_user(Role.MONITOR)
    login(monitor)
    case = intake(client, urgency="imminent")
    assert case.reference == "KZ-2011-0001"
    assert case.status == CaseStatus.DRAFT
    assert case.urgency == Urgency.IMMINENT
    assert case.destination_country == "UZ"
    person = case.people[0].person
    assert person.names[0].name == "Алишер Холматов"
    assert person.names[0].script == Script.CYRILLIC
    events = db.session.scalars(select(Event).where(Event.case_id == case.id)).all()
    # An imminent removal of a detained person: detention pending it, not a removal.
    assert [e.event_type for e in events] == [EventType.DETENTION_PENDING_EXTRADITION]
    html = page(client, f"/cases/{case.public_id}")
    assert "KZ-2011-0001" in html and "Алишер Холматов" in html and "Draft" in html


def test_references_count_per_year_of_the_act(client, login, make_user):
    login(make_user(Role.MONITOR))
    first = intake(client)
    second = intake(client, act_date="12.03.2011")
    other_year = intake(client, act_date="2007")
    unknown = intake(client, act_date="unknown")
    assert [first.reference, second.reference, other_year.reference] == [
        "KZ-2011-0001",
        "KZ-2011-0002",
        "KZ-2007-0001",
    ]
    # No date of the act: no year in the reference (not the current year).
    assert unknown.reference == "KZ-XXXX-0001"
    assert unknown.act_date is None


def test_missing_facts_are_refused_with_messages_and_nothing_saved(client, login, make_user):
    login(make_user(Role.MONITOR))
    response = client.post(
        "/cases/new", data=dict(INTAKE, name="", act_type="", act_date="spring 2011")
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Give the person" in html
    assert "Say what happened" in html or "is not a date" in html
    assert db.session.scalar(select(func.count(Case.id))) == 0
    # What was typed is still in the form.
    assert "Arrested at home by the KNB." in html


def test_incomplete_form_is_saved_as_draft_without_losing_what_was_typed(client, login, make_user):
    login(make_user(Role.MONITOR))
    data = dict(INTAKE, name="", act_type="", act_date="spring 2011", destination_country="")
    data.pop("save")
    data["save_draft"] = "1"
    response = client.post("/cases/new", data=data)
    assert response.status_code == 302
    case = db.session.scalar(select(Case))
    assert case.status == CaseStatus.DRAFT
    assert case.act_date is None
    assert case.act_date_note == "spring 2011"
    assert case.narrative == "Arrested at home by the KNB."
    html = page(client, response.headers["Location"])
    assert "spring 2011" in html


def test_unknown_act_type_is_refused(client, login, make_user):
    login(make_user(Role.MONITOR))
    response = client.post("/cases/new", data=dict(INTAKE, act_type="teleportation"))
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_admin_cannot_create_cases(client, login, make_user):
    login(make_user(Role.ADMIN))
    assert client.get("/cases/new").status_code == 403
    assert client.post("/cases/new", data=INTAKE).status_code == 403
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_intake_page_is_usable_without_javascript(client, login, make_user):
    login(make_user(Role.MONITOR))
    html = page(client, "/cases/new")
    assert 'name="save_draft"' in html and 'name="csrf_token"' in html
    assert "<script" not in html


def test_references_go_on_past_9999_in_a_year_and_are_never_given_twice(client, login, make_user):
    from tests.factories import make_case

    monitor = make_user(Role.MONITOR)
    # A busy year: numbers compare as numbers (KZ-2011-10000 comes after KZ-2011-9999).
    make_case(monitor, reference="KZ-2011-9999")
    make_case(monitor, reference="KZ-2011-10000")
    # An undated case that got its dated reference: its year-less one is not given again.
    make_case(monitor, reference="KZ-2007-0001", former_reference="KZ-XXXX-0004")
    make_case(monitor, reference="KZ-XXXX-0002")
    # Written by another system, with more zeros: still a number.
    make_case(monitor, reference="KZ-2012-000500")
    make_case(monitor, reference="KZ-2012-0499")
    login(monitor)
    assert intake(client, act_date="2011-05").reference == "KZ-2011-10001"
    assert intake(client, act_date="2011").reference == "KZ-2011-10002"
    assert intake(client, act_date="2012").reference == "KZ-2012-0501"
    assert intake(client, act_date="").reference == "KZ-XXXX-0005"


def test_a_dates_note_shows_beside_a_known_date(client, login, make_user):
    """A date kept as its year, with the words it was given in ("лето 2011"), shows both on the
    case file: the year alone would read as all that is known."""
    from casework.core.types import PartialDate
    from tests.factories import make_case

    monitor = make_user(Role.MONITOR)
    noted = make_case(monitor, act_date=PartialDate(2011), act_date_note="лето 2011")
    approximate = make_case(
        monitor, act_date=PartialDate(2012), act_date_approximate=True, act_date_note="2012?"
    )
    unknown = make_case(monitor, act_date_note="before the elections")
    login(monitor)
    assert "2011 (лето 2011)" in page(client, f"/cases/{noted.public_id}")
    assert "c. 2012 (2012?)" in page(client, f"/cases/{approximate.public_id}")
    assert "unknown (before the elections)" in page(client, f"/cases/{unknown.public_id}")
