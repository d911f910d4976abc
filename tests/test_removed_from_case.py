"""Someone removed from a case (their link to it hidden) is no longer reached through it.

The policy's clause for people and name matching dropped hidden links; the person endpoint,
the person page through that case and the page's "Also in" did not, and opened what other
teams record about the person. Each test also shows who is still entitled.
"""

from __future__ import annotations

from sqlalchemy import select

from casework.cases import services as case_services
from casework.cases.models import CasePerson
from casework.core.db import db
from casework.core.vocab import Role
from casework.people import services as people_services
from tests.api_clients import api_for
from tests.case_helpers import intake
from tests.clients import client_for
from tests.factories import make_case

SECRET_CONTACT = "+7 701 555 0199 (safe house, Almaty)"


def test_a_person_removed_from_a_case_is_not_opened_by_the_api_through_it(app, make_user):
    """A person whose link to a case was hidden (removed from the case file) is no longer
    seen through that case (``permissions.visible_people_clause``); the API's person endpoint
    still answers with every identifying detail, including what another (restricted) team
    recorded afterwards."""
    monitor = make_user(Role.MONITOR)
    coordinator = make_user(Role.COORDINATOR)
    x = intake(client_for(app, monitor), name="Алишер Холматов")
    person = case_services.primary_person(x)
    # A restricted case of another team (the coordinator on it) records the same man.
    r = make_case(coordinator, restricted=True)
    case_services.add_person_to_case(coordinator, r, person, "at_risk")
    db.session.commit()
    # The monitor removes him from their own case ("entered by mistake").
    hide = client_for(app, monitor).post(
        f"/cases/{x.public_id}/people/{person.public_id}/hide", data={"reason": "Wrong man"}
    )
    assert hide.status_code == 302
    db.session.expire_all()
    link = db.session.scalar(select(CasePerson).where(CasePerson.case_id == x.id))
    assert link.hidden_at is not None
    # The restricted team then records where he hides.
    person = db.session.get(type(person), person.id)
    people_services.update_person(
        coordinator, person, {"contacts": SECRET_CONTACT}, person.version, case=r
    )
    db.session.commit()

    # The entitled user (on the restricted team) reads him.
    entitled = api_for(app, coordinator).get(f"people/{person.public_id}")
    assert entitled.status_code == 200
    assert entitled.get_json()["identifying"]["contacts"] == SECRET_CONTACT
    # The monitor may no longer see him anywhere else (policy clause, name matching)...
    match = api_for(app, monitor).post("people/match", json={"name": "Алишер Холматов"})
    assert match.status_code == 200 and match.get_json()["items"] == []
    # ...nor through the person endpoint (it answered with the restricted team's data).
    response = api_for(app, monitor).get(f"people/{person.public_id}")
    assert SECRET_CONTACT not in response.get_data(as_text=True)
    assert response.status_code == 404


def test_a_person_removed_from_a_case_is_not_opened_through_its_page(app, make_user):
    """The same hole on the pages: the loader checks that a person belongs to the case by any
    link, hidden or not, and only asks whether the *person* is hidden. A monitor who removed
    a person from their case keeps reading (and editing) what other teams record about them."""
    monitor, other_monitor = make_user(Role.MONITOR), make_user(Role.MONITOR)
    coordinator = make_user(Role.COORDINATOR)
    x = intake(client_for(app, monitor), name="Алишер Холматов")
    y = intake(client_for(app, other_monitor), name="Гулнора Холматова")
    person = case_services.primary_person(x)
    case_services.add_person_to_case(coordinator, y, person, "witness")
    db.session.commit()
    own = client_for(app, monitor)
    url = f"/cases/{x.public_id}/people/{person.public_id}"
    assert own.get(url).status_code == 200
    assert own.post(url + "/hide", data={"reason": "Wrong man"}).status_code == 302
    db.session.expire_all()
    person = db.session.get(type(person), person.id)
    people_services.update_person(
        other_monitor, person, {"contacts": SECRET_CONTACT}, person.version, case=y
    )
    db.session.commit()
    # Entitled: the other team reads him from their case.
    theirs = client_for(app, other_monitor).get(f"/cases/{y.public_id}/people/{person.public_id}")
    assert theirs.status_code == 200 and SECRET_CONTACT in theirs.get_data(as_text=True)
    # He is gone from the monitor's case file...
    assert (
        "Холматов"
        not in own.get(f"/cases/{x.public_id}")
        .get_data(as_text=True)
        .split('id="people"')[-1]
        .split("</details>")[0]
    )
    # ...and the person page through that case no longer opens (it showed their data).
    response = own.get(url)
    assert SECRET_CONTACT not in response.get_data(as_text=True)
    assert response.status_code == 404


def test_the_person_page_names_no_case_the_person_was_removed_from(app, make_user):
    """The person page's "Also in" lists the readable cases the person is in, not those they
    were removed from: a monitor (who may not see hidden records) would learn of the removal."""
    monitor = make_user(Role.MONITOR)
    client = client_for(app, monitor)
    a = intake(client, name="Алишер Холматов")
    b = make_case(monitor, reference="KZ-2011-0777")
    c = make_case(monitor, reference="KZ-2011-0888")
    person = case_services.primary_person(a)
    case_services.add_person_to_case(monitor, b, person, "witness")
    case_services.add_person_to_case(monitor, c, person, "witness")
    db.session.commit()
    response = client.post(
        f"/cases/{b.public_id}/people/{person.public_id}/hide", data={"reason": "Not him"}
    )
    assert response.status_code == 302
    html = client.get(f"/cases/{a.public_id}/people/{person.public_id}").get_data(as_text=True)
    assert "KZ-2011-0888" in html  # a visible link is named (entitled)
    assert "KZ-2011-0777" not in html  # the hidden one is not


def test_a_coordinator_sees_the_removed_person_on_the_case_and_restores_the_link(app, make_user):
    monitor, coordinator = make_user(Role.MONITOR), make_user(Role.COORDINATOR)
    x = intake(client_for(app, monitor), name="Алишер Холматов")
    person = case_services.primary_person(x)
    own = client_for(app, monitor)
    url = f"/cases/{x.public_id}/people/{person.public_id}"
    assert own.post(url + "/hide", data={"reason": "Wrong man"}).status_code == 302
    assert own.get(url).status_code == 404
    # A coordinator (who brings hidden records back) sees him on the case's page, as any
    # removed record, and restores him there (his own page opens for nobody meanwhile)...
    boss = client_for(app, coordinator)
    assert boss.get(url).status_code == 404
    case_page = boss.get(f"/cases/{x.public_id}").get_data(as_text=True)
    assert "Алишер Холматов" in case_page and f"{url}/restore" in case_page
    assert boss.post(url + "/restore").status_code == 302
    # ...and once the link is restored the monitor reaches him again.
    assert own.get(url).status_code == 200
