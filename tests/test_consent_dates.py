"""A consent is recorded with the day it was given: a new level of consent carries the date of
the new consent, never the earlier one's that the form still shows."""

from __future__ import annotations

from datetime import date

import pytest

from casework.cases import services as case_services
from casework.core.db import db
from casework.core.vocab import Role
from casework.people.models import Person
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
