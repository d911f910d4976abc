"""A person in an ordinary case and in a restricted one: what reaches a reader of the first.

The case file shows such a person's names, birth, nationality and consent to the ordinary
case's team, and leaves their contacts, address and notes (typed by whichever team, often where
to find them and why) to those who may change the person: whoever may read every restricted
case they are in. The API answers as the pages do.
"""

from __future__ import annotations

from casework.cases import services as cases
from casework.cases.models import CaseMember
from casework.core.db import db
from casework.core.vocab import Role, TeamRole
from tests.api_clients import api_for
from tests.world import build_world

WITHHELD = ("contacts", "address", "person_notes")


def _shared():
    world = build_world()
    person = world.restricted.person
    ordinary = world.ordinary.case
    insider = world.on[Role.MONITOR]  # on both teams
    cases.add_person_to_case(insider, ordinary, person, "at_risk")
    outsider = world.off[Role.MONITOR]
    db.session.add(CaseMember(case_id=ordinary.id, user_id=outsider.id, team_role=TeamRole.MEMBER))
    db.session.commit()
    return world, person, ordinary, insider, outsider


def test_the_api_gives_a_shared_persons_contacts_only_to_readers_of_every_restricted_case(app):
    world, person, ordinary, insider, outsider = _shared()
    canaries = world.restricted.canaries
    api = api_for(app, outsider, "read")
    for url in (f"people/{person.public_id}", f"cases/{ordinary.public_id}/people"):
        response = api.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert canaries["name"] in body, url  # the person, as the case file shows them
        assert not [key for key in WITHHELD if canaries[key] in body], url
    one = api.get(f"people/{person.public_id}").get_json()["identifying"]
    assert one["contacts"] is None and one["address"] is None and one["notes"] is None
    # The restricted case's team gets them.
    api = api_for(app, insider, "read")
    for url in (f"people/{person.public_id}", f"cases/{ordinary.public_id}/people"):
        body = api.get(url).get_data(as_text=True)
        assert all(canaries[key] in body for key in WITHHELD), url


def test_the_edit_page_refused_says_why_without_naming_the_other_case(app):
    """Changing the person would change what the restricted case holds: refused (403), as
    before, but with a reason instead of a bare refusal, naming no case and no detail."""
    from tests.clients import client_for

    world, person, ordinary, insider, outsider = _shared()
    edit = f"/cases/{ordinary.public_id}/people/{person.public_id}"
    response = client_for(app, outsider).get(edit)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "also recorded in a case you may not change" in page
    assert world.restricted.case.reference not in page and "restricted" not in page.lower()
    assert not [key for key in WITHHELD if world.restricted.canaries[key] in page]
    api = api_for(app, outsider, "read")  # the API's refusals keep their own words
    assert api.get(f"cases/{world.restricted.case.public_id}").status_code == 404
    assert client_for(app, insider).get(edit).status_code == 200


def test_who_recorded_a_shared_persons_consent_on_the_restricted_case_is_not_named(app):
    """The consent of a person also in a restricted case may be recorded from that case by
    someone on its team alone: the ordinary case's file named them ("by ..."), telling who works
    on the restricted case and that the person is in another case. Its readers still see the
    consent and its date; whoever may read every restricted case the person is in, who took it."""
    from datetime import date

    from casework.people import services as people
    from tests.clients import client_for
    from tests.factories import make_user

    world, person, ordinary, insider, outsider = _shared()
    restricted = world.restricted.case
    hushed = make_user(Role.MONITOR, display_name="Aigerim Hushed")
    cases.add_member(world.on[Role.COORDINATOR], restricted, hushed)
    people.update_person(
        hushed,
        person,
        {"consent": "internal", "consent_date": date(2026, 1, 5)},
        person.version,
        case=restricted,
    )
    db.session.commit()
    for url in (f"/cases/{ordinary.public_id}", f"/cases/{ordinary.public_id}/print"):
        page = client_for(app, outsider).get(url).get_data(as_text=True)
        assert "Internal: identifying data" in page, url
        assert hushed.display_name not in page, url
        page = client_for(app, insider).get(url).get_data(as_text=True)
        assert hushed.display_name in page, url
