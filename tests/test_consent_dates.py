"""A consent is recorded with the day it was given: a new level of consent carries the date of
the new consent, never the earlier one's that the form still shows."""

from __future__ import annotations

import json
from datetime import date

import pytest

from casework.cases import services as case_services
from casework.core.db import db
from casework.core.vocab import Role
from casework.legal.seeding import seed_catalogue
from casework.people.models import Person
from tests.api_clients import api_for
from tests.case_helpers import intake, page
from tests.clients import client_for

EARLIER = date(2023, 5, 2)


@pytest.fixture
def consented(app, make_user):
    """A monitor's case whose person gave consent for internal use on EARLIER."""
    monitor = make_user(Role.MONITOR)
    client = client_for(app, monitor)
    case = intake(client)
    person = case_services.primary_person(case)
    url = f"/cases/{case.public_id}/people/{person.public_id}"
    response = client.post(url, data=_form(person, "internal", EARLIER.isoformat()))
    assert response.status_code == 302
    db.session.expire_all()
    assert (person.consent.value, person.consent_date) == ("internal", EARLIER)
    return monitor, client, url, person


def _form(person: Person, consent: str, consent_date: str) -> dict[str, str]:
    return {
        "gender": "male",
        "legal_status": "asylum_seeker",
        "consent": consent,
        "consent_date": consent_date,
        "government_contact": "not_asked",
        "version": str(person.version),
    }


def test_a_new_consent_level_needs_the_date_of_the_new_consent(consented):
    """The edit form shows the earlier consent's date: changing the level and saving it as it
    is would date the new consent to the old one. It is refused, saying so, and so is a new
    level with no date; with the new consent's date it is saved."""
    monitor, client, url, person = consented
    for sent, said in ((EARLIER.isoformat(), "date of the new consent"), ("", "Give the date")):
        response = client.post(url, data=_form(person, "named", sent))
        assert response.status_code == 200, sent
        assert said in response.get_data(as_text=True), sent
        db.session.expire_all()
        assert (person.consent.value, person.consent_date) == ("internal", EARLIER)
    response = client.post(url, data=_form(person, "named", "2024-01-10"))
    assert response.status_code == 302
    db.session.expire_all()
    assert (person.consent.value, person.consent_date) == ("named", date(2024, 1, 10))
    assert person.consent_obtained_by_id == monitor.id
    # The date alone corrected, the level the same: saved as typed.
    response = client.post(url, data=_form(person, "named", "2024-01-09"))
    assert response.status_code == 302
    db.session.expire_all()
    assert person.consent_date == date(2024, 1, 9)


def test_a_narrower_consent_keeps_the_date_of_the_wider_one_it_narrows(consented):
    """Named, then corrected to internal use: what the person agreed to on that day covers
    the narrower use, so the date the form shows stands (a monitor correcting a level chosen
    by mistake is not made to invent another day)."""
    _monitor, client, url, person = consented
    later = "2024-01-10"
    assert client.post(url, data=_form(person, "named", later)).status_code == 302
    db.session.expire_all()
    assert client.post(url, data=_form(person, "internal", later)).status_code == 302
    db.session.expire_all()
    assert (person.consent.value, person.consent_date) == ("internal", date(2024, 1, 10))


def test_a_consent_changed_on_the_day_it_was_recorded_keeps_that_day(consented):
    """Recorded today and corrected today: the date the form shows is the new consent's too."""
    _monitor, client, url, person = consented
    today = date.today().isoformat()
    assert client.post(url, data=_form(person, "anonymised", today)).status_code == 302
    db.session.expire_all()
    assert client.post(url, data=_form(person, "named", today)).status_code == 302
    db.session.expire_all()
    assert (person.consent.value, person.consent_date) == ("named", date.today())


def test_a_withdrawn_consent_is_never_refused_for_its_date(consented):
    """Consent withdrawn (none): saved at once; the earlier consent's date goes with it, and
    the case file no longer dates the withdrawal to the consent it ended."""
    _monitor, client, url, person = consented
    assert client.post(url, data=_form(person, "none", EARLIER.isoformat())).status_code == 302
    db.session.expire_all()
    assert (person.consent.value, person.consent_date) == ("none", None)
    case_file = url.rsplit("/people/", 1)[0]
    html = page(client, case_file)
    assert f"({EARLIER.isoformat()}" not in html  # "None (2023-05-02, by ...)"
    assert "to 2023-05-02" in html  # the history keeps it


NEW_PERSON = {
    "name": "Gulnora Xolmatova",
    "name_kind": "as_given",
    "role": "family",
    "gender": "female",
    "legal_status": "unknown",
    "consent": "internal",
    "government_contact": "not_asked",
    "confirm_new": "1",
}


def test_a_person_added_with_consent_needs_its_date(app, make_user):
    """A person added to a case with a consent above none: the form and the API refuse it
    without the day it was given (as a change of level is), and keep it with that day."""
    monitor = make_user(Role.MONITOR)
    client = client_for(app, monitor)
    case = intake(client)
    url = f"/cases/{case.public_id}/people/new"
    response = client.post(url, data=NEW_PERSON)
    assert response.status_code == 200
    assert "Give the date the consent was given." in response.get_data(as_text=True)
    assert db.session.query(Person).count() == 1
    response = client.post(url, data=dict(NEW_PERSON, consent_date="2024-02-01"))
    assert response.status_code == 302
    wife = db.session.query(Person).filter(Person.id != case.people[0].person_id).one()
    assert (wife.consent.value, wife.consent_date) == ("internal", date(2024, 2, 1))
    assert wife.consent_obtained_by_id == monitor.id
    # Without consent, no date is asked for.
    response = client.post(url, data=dict(NEW_PERSON, name="Rustam Nazarov", consent="none"))
    assert response.status_code == 302

    api = api_for(app, monitor)
    body = {"names": [{"name": "Komil Saidov"}], "role": "witness", "consent": "named"}
    refused = api.post(f"cases/{case.public_id}/people", json=body)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {
        "consent_date": ["Give the date the consent was given."]
    }
    created = api.post(f"cases/{case.public_id}/people", json=dict(body, consent_date="2024-02-03"))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["consent_date"] == "2024-02-03"


def test_an_imported_consent_without_its_date_is_a_warning_of_its_row(app, make_user, tmp_path):
    """A file without the optional consent_date column has the level of consent and not its
    day: each row with a consent above none is imported with it and a warning saying the date
    is to be added, as a date of the act given as a year is; a row without consent has no such
    warning."""
    seed_catalogue()
    coordinator = make_user(Role.COORDINATOR)
    path = tmp_path / "cases.csv"
    path.write_text(
        "person_name,act_type,act_date,consent\n"
        "Alisher Kholmatov,extradition,2011-06-09,named\n"
        "Rustam Nazarov,deportation,2012-03-01,\n"
        "Gulnora Xolmatova,extradition,2011-06-09,Внутреннее\n",
        "utf-8",
    )
    out = tmp_path / "report.json"
    result = app.test_cli_runner().invoke(
        args=["import", "cases", str(path), "--as", coordinator.email, "--report-json", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text("utf-8"))
    assert [(w["row"], w["column"], w["value"]) for w in report["warnings"]] == [
        (2, "consent", "named"),
        (4, "consent", "Внутреннее"),
    ]
    assert "date" in report["warnings"][0]["message"]
    consents = {p.consent.value: p.consent_date for p in db.session.query(Person)}
    assert consents == {"named": None, "none": None, "internal": None}
