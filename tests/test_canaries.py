"""Canaries: identifying values planted in every free-text field of a restricted case appear in
no page, feed, e-mail, filter result or count seen by anyone off its team, whatever their role.
The same walk as its team shows the values, so the test would see a leak if there were one."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from casework.advocacy import calendar, reminders
from casework.cases import services as cases
from casework.core.db import db
from casework.core.pipeline import PUBLIC_ENDPOINTS
from casework.core.vocab import Role, TeamRole
from tests.clients import client_for
from tests.extract import response_text
from tests.factories import make_user
from tests.routes import build_url
from tests.world import ROLES, World, build_world

OFF_TEAM = ROLES  # every role, off the restricted case's team


def _get_values(world: World, endpoint: str, cw=None, action=None):
    """Values for a GET of ``endpoint`` about ``cw`` (the restricted case's world unless given)
    and ``action`` (its action unless given)."""
    cw = cw or world.restricted
    action = action or cw.action
    blueprint = endpoint.split(".")[0]
    values = {
        "case_public_id": cw.case.public_id,
        "event_id": cw.event.public_id,
        "source_id": cw.source.public_id,
        "person_id": cw.person.public_id,
        "link_id": cw.link.public_id,
        "precedent_id": cw.precedent.public_id,
        "remedy_id": cw.remedy.public_id,
        "document_id": cw.document.public_id,
        "code": world.provision.code if ".provision" in endpoint else world.instrument.code,
        "cycle": world.recommendation.cycle.public_id,
        "user_id": world.on[Role.LAWYER].public_id,
    }
    if blueprint == "advocacy" and "recommendation" in endpoint:
        values["public_id"] = world.recommendation.public_id
    elif blueprint == "advocacy" and endpoint != "advocacy.new_case_action":
        values["public_id"] = action.public_id
        values["document_id"] = cw.action_document.public_id
    elif blueprint == "accounts":
        values["public_id"] = world.on[Role.MONITOR].public_id
    else:
        values["public_id"] = cw.case.public_id
    return values


def _everything_seen(app, world: World, user) -> str:
    """Every GET page, list filter, name search, feed and e-mail ``user`` gets, as one text."""
    client = client_for(app, user)
    seen: list[str] = []
    cw = world.restricted
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = build_url(rule, _get_values(world, rule.endpoint).get)
        with client.get(url) as response:
            seen.append(response_text(response))  # generated documents: their text
    # Bulk exports (POST): only the cases the user may read.
    for fmt in ("csv", "xlsx", "json"):
        with client.post("/reports/export", data={"format": fmt}) as response:
            seen.append(response_text(response))
    # Filters and searches that could confirm an identifying value by whether the case shows.
    c = cw.canaries
    for query in (
        f"ethnicity={c['ethnicity']}",
        "nationality=UZ",
        f"provision={world.provision.code}",
        f"reference={c['external_ref']}",
    ):
        page = client.get(f"/cases?{query}").get_data(as_text=True)
        if cw.case.reference in page:
            seen.append(f"filter {query} lists {cw.case.reference}: {c['ethnicity']}")
    for name in (c["name"], c["other_name"], c["relative_name"]):
        page = client.post("/cases/search", data={"name": name}).get_data(as_text=True)
        if cw.case.reference in page:
            seen.append(f"search finds {cw.case.reference}: {name}")
    # Full-text search for every planted value: the case is never found, nor a value shown.
    for label, value in c.items():
        page = client.post("/search", data={"q": value}).get_data(as_text=True)
        page = page.replace(f'value="{value}"', "")  # the search box echoes what was typed
        if cw.case.reference in page:
            seen.append(f"search finds {cw.case.reference}: {label}")
        seen.append(page)
    # The provision page counts citing cases: the restricted one must not be counted.
    page = client.get(f"/legal/provisions/{world.provision.code}").get_data(as_text=True)
    if cw.case.reference in page:
        seen.append(f"provision page cites {cw.case.reference}: {c['analysis']}")
    # The calendar feed and the reminder e-mail.
    db.session.refresh(user)  # signing in changed the account row
    secret = calendar.rotate_token(user)
    db.session.commit()
    with client.get(f"/calendar/{secret}.ics") as response:
        seen.append(response.get_data(as_text=True))
    outbox = reminders.collect(date.today(), datetime.now(UTC) - timedelta(days=1))
    items = outbox.by_user.get(user.id, [])
    if items:
        seen.append(reminders._message(user, items, date.today()).as_string())
    return "\n".join(seen)


def _leaks(world: World, text: str) -> list[str]:
    return sorted(label for label, value in world.restricted.canaries.items() if value in text)


@pytest.mark.parametrize("role", OFF_TEAM, ids=lambda r: r.value)
def test_restricted_case_leaks_nothing_off_its_team(app, role):
    world = build_world()
    assert _leaks(world, _everything_seen(app, world, world.off[role])) == []


def test_its_team_sees_the_values_the_others_do_not(app):
    """The walk above reaches the planted values: a team member sees them on these pages."""
    world = build_world()
    seen = _everything_seen(app, world, world.on[Role.LAWYER])
    for label in (
        "narrative",
        "name",
        "contacts",
        "event_description",
        "analysis",
        "comment",
        "authorised_by",
        "authorisation_note",
        "other_procedures_details",
    ):
        assert world.restricted.canaries[label] in seen, label
    assert world.restricted.case.reference in seen


def test_off_team_coordinator_sees_that_the_case_exists(app):
    world = build_world()
    client = client_for(app, world.off[Role.COORDINATOR])
    cw = world.restricted
    page = client.get(f"/cases/{cw.case.public_id}").get_data(as_text=True)
    assert cw.case.reference in page and "Extradition" in page and "Uzbekistan" in page
    assert _leaks(world, page) == []
    assert cw.case.reference in client.get("/cases").get_data(as_text=True)


def test_who_works_on_a_restricted_case_is_not_shown_off_its_team(app):
    """Its team's names are as identifying as its people's: the page and its print an off-team
    coordinator gets name none of them; a coordinator on the team sees them all."""
    world = build_world()
    cw = world.restricted
    names = [world.on[role].display_name for role in world.on]
    off = client_for(app, world.off[Role.COORDINATOR])
    for url in (f"/cases/{cw.case.public_id}", f"/cases/{cw.case.public_id}/print"):
        page = off.get(url).get_data(as_text=True)
        assert cw.case.reference in page
        assert [name for name in names if name in page] == [], url
    page = client_for(app, world.on[Role.COORDINATOR]).get(f"/cases/{cw.case.public_id}")
    assert all(name in page.get_data(as_text=True) for name in names)


def _insider(world: World, role: Role, team_role: TeamRole = TeamRole.MEMBER):
    """A user on the restricted case's team and on no other: whatever ties them to a case ties
    them to the restricted one."""
    user = make_user(role)
    case = db.session.get(type(world.restricted.case), world.restricted.case.id)
    cases.add_member(world.on[Role.COORDINATOR], case, user, team_role)
    db.session.commit()
    return user


def test_the_lawyer_filter_does_not_tell_who_is_a_restricted_cases_lawyer(app):
    """Filtering the case list by lawyer would list the restricted case under its lawyer's name
    for a coordinator off its team: it lists the cases whose team they may know of. A coordinator
    on its team finds it so, and the filter still finds the ordinary cases of a lawyer."""
    from tests.api_clients import api_for

    world = build_world()
    lawyer = _insider(world, Role.LAWYER, TeamRole.LAWYER)
    restricted, ordinary = world.restricted.case, world.ordinary.case
    off = world.off[Role.COORDINATOR]
    web, api = client_for(app, off), api_for(app, off)
    for user in (lawyer, world.on[Role.LAWYER]):
        page = web.get(f"/cases?lawyer={user.public_id}").get_data(as_text=True)
        assert restricted.reference not in page
        assert restricted.public_id not in api.get(f"cases?lawyer={user.public_id}").get_data(
            as_text=True
        )
    assert restricted.reference in web.get("/cases").get_data(as_text=True)  # it exists
    shared = f"/cases?lawyer={world.on[Role.LAWYER].public_id}"
    assert ordinary.reference in web.get(shared).get_data(as_text=True)
    on = world.on[Role.COORDINATOR]
    page = client_for(app, on).get(f"/cases?lawyer={lawyer.public_id}").get_data(as_text=True)
    assert restricted.reference in page
    found = api_for(app, on).get(f"cases?lawyer={lawyer.public_id}").get_data(as_text=True)
    assert restricted.public_id in found


# Where any account is listed as an account, tied to no case: the administrators' list of
# accounts and their audit trail (who did what, objects by opaque id), the API's list of whom an
# action may be given to. Account pickers (a form's <select>) are left out of every page.
ACCOUNT_LISTS = frozenset({"accounts.users", "audit.trail", "api.list_responsible_candidates"})


def _worked_on_the_restricted_case_alone(app, world: World) -> tuple[dict, object]:
    """One user of each role on the restricted case's team and on no other, each having worked
    on it: viewed it, commented, recorded an event, a remedy, a review step; the consent of a
    person it shares with the ordinary case, and a step of an action of both cases."""
    from datetime import date as day

    from casework.advocacy import services as advocacy
    from casework.cases.events import add_event
    from casework.core.vocab import ActionStatus, ActionType
    from casework.legal import services as legal
    from casework.people import services as people

    team = {
        role: _insider(world, role, TeamRole.LAWYER if role == Role.LAWYER else TeamRole.MEMBER)
        for role in ROLES
    }
    for role, user in team.items():
        user.display_name = f"Hushed{role.value.title()}Qv"
    case = db.session.get(type(world.restricted.case), world.restricted.case.id)
    monitor, lawyer, coordinator = team[Role.MONITOR], team[Role.LAWYER], team[Role.COORDINATOR]
    cases.add_comment(monitor, case, "Seen at the border.")
    add_event(monitor, case, {"event_type": "arrest", "date": "2011-06-01", "description": "x"})
    legal.add_remedy(
        lawyer, case, kind="extradition_appeal", body="Court", filed_on=day(2011, 6, 20)
    )
    cases.transition(lawyer, case, "in_review", None)
    person = world.ordinary.person
    cases.add_person_to_case(monitor, case, person, "witness")
    consent = {"consent": "internal", "consent_date": day.today()}
    people.update_person(monitor, person, consent, person.version, case=case)
    shared = advocacy.create_action(
        coordinator,
        advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Joint appeal",
            case_references=[world.ordinary.case.reference, case.reference],
        ),
    )
    db.session.commit()
    advocacy.change_status(coordinator, shared, ActionStatus.SUBMITTED, shared.version)
    db.session.commit()
    for user in team.values():
        client_for(app, user).get(f"/cases/{case.public_id}")
    return team, shared


def _pages_seen(app, world: World, user, shared) -> dict[str, str]:
    """Every GET page and API answer about the restricted case, the ordinary one and their
    joint action, the calendar feed and the reminders, as ``user`` gets them, by where."""
    from casework.accounts import services as accounts
    from tests.api_clients import api_for

    accounts.dismiss_notices(user)  # "a new coordinator": told of every account so granted
    db.session.commit()
    client, api = client_for(app, user), api_for(app, user)
    seen: dict[str, str] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in PUBLIC_ENDPOINTS | ACCOUNT_LISTS:
            continue
        for cw, action in ((world.restricted, None), (world.ordinary, shared)):
            if rule.endpoint.startswith("api."):
                values = {
                    "case_id": cw.case.public_id,
                    "person_id": cw.person.public_id,
                    "action_id": (action or cw.action).public_id,
                }
                url = build_url(rule, values.get)
                seen[url] = api.get(url).get_data(as_text=True)
                continue
            url = build_url(rule, _get_values(world, rule.endpoint, cw, action).get)
            with client.get(url) as response:
                seen[url] = re.sub(
                    r"<select\b.*?</select>", "", response_text(response), flags=re.S
                )
    db.session.refresh(user)
    secret = calendar.rotate_token(user)
    db.session.commit()
    seen["calendar"] = client.get(f"/calendar/{secret}.ics").get_data(as_text=True)
    outbox = reminders.collect(date.today(), datetime.now(UTC) - timedelta(days=1))
    items = outbox.by_user.get(user.id, [])
    if items:
        seen["reminders"] = reminders._message(user, items, date.today()).as_string()
    return seen


def _naming(team: dict, seen: dict[str, str]) -> dict[str, list[str]]:
    """Where each page names a member of ``team`` (by name or e-mail)."""
    found = {}
    for where, text in seen.items():
        names = [u.display_name for u in team.values() if u.display_name in text or u.email in text]
        if names:
            found[where] = names
    return found


@pytest.mark.parametrize("role", OFF_TEAM, ids=lambda r: r.value)
def test_who_works_on_a_restricted_case_alone_is_named_nowhere_off_its_team(app, role):
    """Someone on a restricted case's team and on no other, having worked on it and on what it
    shares with an ordinary case, is named on no page, API answer, filter, feed or e-mail of
    anyone off its team (the ordinary case's readers included), but where accounts are listed
    as accounts. A coordinator on both teams sees every one of them named."""
    world = build_world()
    team, shared = _worked_on_the_restricted_case_alone(app, world)
    assert _naming(team, _pages_seen(app, world, world.off[role], shared)) == {}
    if role == Role.COORDINATOR:
        seen = _pages_seen(app, world, world.on[Role.COORDINATOR], shared)
        named = {name for names in _naming(team, seen).values() for name in names}
        assert named == {u.display_name for u in team.values()}


def _api_everything_seen(app, world: World, user) -> str:
    """Every GET of the API about the restricted case, and a name match, with ``user``'s token."""
    from tests.api_clients import api_for  # the API's test client, used by these two tests only

    api = api_for(app, user)
    cw = world.restricted
    values = {
        "case_id": cw.case.public_id,
        "person_id": cw.person.public_id,
        "document_id": cw.document.public_id,
        "action_id": cw.action.public_id,
        "cycle_id": world.recommendation.cycle.public_id,
        "recommendation_id": world.recommendation.public_id,
        "code": world.instrument.code,
    }
    seen: list[str] = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or "GET" not in rule.methods:
            continue
        seen.append(api.get(build_url(rule, values.get)).get_data(as_text=True))
    c = cw.canaries
    for query in (f"ethnicity={c['ethnicity']}", f"reference={c['external_ref']}"):
        page = api.get(f"cases?{query}").get_data(as_text=True)
        if cw.case.public_id in page:
            seen.append(f"filter {query} lists the case: {c['ethnicity']}")
    for name in (c["name"], c["relative_name"]):
        page = api.post("people/match", json={"name": name}).get_data(as_text=True)
        if cw.case.public_id in page:
            seen.append(f"match finds the case: {name}")
    for label, value in c.items():
        page = api.post("search", json={"q": value}).get_data(as_text=True)
        if cw.case.public_id in page:
            seen.append(f"search finds the case: {label}")
        seen.append(page.replace(f'"q": "{value}"', ""))
    return "\n".join(seen)


@pytest.mark.parametrize("role", OFF_TEAM, ids=lambda r: r.value)
def test_api_leaks_nothing_of_a_restricted_case_off_its_team(app, role):
    world = build_world()
    assert _leaks(world, _api_everything_seen(app, world, world.off[role])) == []


def test_api_gives_its_team_the_values(app):
    world = build_world()
    seen = _api_everything_seen(app, world, world.on[Role.LAWYER])
    for label in (
        "narrative",
        "name",
        "contacts",
        "event_description",
        "analysis",
        "authorised_by",
        "other_procedures_details",
    ):
        assert world.restricted.canaries[label] in seen, label
