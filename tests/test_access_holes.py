"""One test per hole of the access-policy review: each failed before the policy was unified."""

from __future__ import annotations

from sqlalchemy import func, select

from casework.advocacy import calendar
from casework.advocacy import services as advocacy
from casework.audit.models import AuditEntry
from casework.cases import services as cases
from casework.cases.models import Case, CaseMember
from casework.core.db import db
from casework.core.vocab import ActionType, Role, TeamRole
from casework.people import services as people
from casework.people.models import Person
from tests.clients import client_for
from tests.world import build_world


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# 1. Restricted cases are restricted from coordinators off their team ------------------------


def test_off_team_coordinator_cannot_join_lift_or_strip_a_restricted_case(app):
    world = build_world()
    case = world.restricted.case
    lawyer = world.on[Role.LAWYER]
    outsider = client_for(app, world.off[Role.COORDINATOR])
    base = f"/cases/{case.public_id}"
    assert outsider.get(f"{base}/team").status_code == 403
    response = outsider.post(
        f"{base}/team", data={"user": world.off[Role.COORDINATOR].public_id, "as_lawyer": ""}
    )
    assert response.status_code == 403
    assert outsider.post(f"{base}/restricted", data={"restricted": "0"}).status_code == 403
    assert outsider.post(f"{base}/team/{lawyer.public_id}/remove").status_code == 403
    db.session.expire_all()
    assert case.restricted
    assert {m.user_id for m in case.members} == {u.id for u in world.on.values()}
    # A coordinator on the team may do all three.
    insider = client_for(app, world.on[Role.COORDINATOR])
    assert insider.post(f"{base}/team/{lawyer.public_id}/remove").status_code == 302
    assert insider.post(f"{base}/restricted", data={"restricted": "0"}).status_code == 302
    db.session.expire_all()
    assert not case.restricted


def test_views_of_a_restricted_case_are_audited_even_off_the_team(app):
    world = build_world()
    outsider = world.off[Role.COORDINATOR]
    client = client_for(app, outsider)
    case = world.restricted.case
    assert client.get(f"/cases/{case.public_id}").status_code == 200
    assert client.get(f"/cases/{case.public_id}/print").status_code == 200
    actions = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.case_id == case.id, AuditEntry.actor_id == outsider.id
        )
    ).all()
    assert sorted(actions) == ["case.printed", "case.viewed"]


def test_list_filters_do_not_confirm_hidden_attributes(app):
    world = build_world()
    ethnicity = world.restricted.canaries["ethnicity"]
    outsider = client_for(app, world.off[Role.COORDINATOR])
    assert world.restricted.case.reference not in outsider.get(
        f"/cases?ethnicity={ethnicity}"
    ).get_data(as_text=True)
    insider = client_for(app, world.on[Role.COORDINATOR])
    assert world.restricted.case.reference in insider.get(f"/cases?ethnicity={ethnicity}").get_data(
        as_text=True
    )


# 2. Advocacy actions take the access of their cases -----------------------------------------


def test_action_on_two_cases_shows_a_lawyer_only_their_case_and_no_document(app):
    world = build_world()
    first, second = world.ordinary.case, world.restricted.case
    coordinator = world.on[Role.COORDINATOR]
    action = advocacy.create_action(
        coordinator,
        advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Joint urgent appeal",
            case_references=[first.reference, second.reference],
        ),
    )
    import io

    from casework.evidence.services import store_document

    document = store_document(coordinator, io.BytesIO(b"Letter\n"), "letter.txt", action=action)
    lawyer = world.off[Role.LAWYER]
    db.session.add(CaseMember(case_id=first.id, user_id=lawyer.id, team_role=TeamRole.MEMBER))
    db.session.commit()
    client = client_for(app, lawyer)
    page = client.get(f"/advocacy/actions/{action.public_id}").get_data(as_text=True)
    assert first.reference in page
    assert second.reference not in page
    assert "letter.txt" not in page
    url = f"/advocacy/actions/{action.public_id}/documents/{document.public_id}"
    assert client.get(url).status_code == 403
    # A coordinator on both teams downloads it.
    with client_for(app, coordinator).get(url) as response:
        assert response.status_code == 200


# 3. Shared people do not leak across cases --------------------------------------------------


def test_shared_person_shows_no_relative_from_a_restricted_case_and_is_not_editable(app):
    world = build_world()
    person = world.restricted.person  # spouse of a relative known only in the restricted case
    ordinary = world.ordinary.case
    monitor = world.on[Role.MONITOR]
    cases.add_person_to_case(monitor, ordinary, person, "at_risk")
    outsider = world.off[Role.MONITOR]
    db.session.add(CaseMember(case_id=ordinary.id, user_id=outsider.id, team_role=TeamRole.MEMBER))
    db.session.commit()
    client = client_for(app, outsider)
    page = client.get(f"/cases/{ordinary.public_id}").get_data(as_text=True)
    assert world.restricted.canaries["relative_name"] not in page
    edit = f"/cases/{ordinary.public_id}/people/{person.public_id}"
    assert client.get(edit).status_code == 403
    response = client.post(edit, data={"contacts": "changed", "version": str(person.version)})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Person, person.id).contacts == world.restricted.canaries["contacts"]
    # The restricted case's team sees the link and may edit the person.
    insider = client_for(app, monitor)
    page = insider.get(f"/cases/{ordinary.public_id}").get_data(as_text=True)
    assert world.restricted.canaries["relative_name"] in page
    assert insider.get(edit).status_code == 200
    assert people.family_of(person, monitor)


# 4. The calendar feed names only what the user may see --------------------------------------


def test_calendar_feed_names_no_invisible_case_even_for_the_responsible_user(app):
    world = build_world()
    lawyer = world.off[Role.LAWYER]
    action = world.restricted.action
    action.responsible_id = lawyer.id  # responsible, but on neither team
    db.session.commit()
    client = client_for(app, lawyer)
    db.session.refresh(lawyer)
    secret = calendar.rotate_token(lawyer)
    db.session.commit()
    with client.get(f"/calendar/{secret}.ics") as response:
        feed = response.get_data(as_text=True)
    assert world.restricted.case.reference not in feed
    assert world.ordinary.case.reference not in feed
    assert world.restricted.canaries["action_reference"] not in feed
    # On the team, the same lawyer's feed has the follow-up.
    insider = world.on[Role.LAWYER]
    client = client_for(app, insider)
    db.session.refresh(insider)
    secret = calendar.rotate_token(insider)
    db.session.commit()
    with client.get(f"/calendar/{secret}.ics") as response:
        assert world.restricted.case.reference in response.get_data(as_text=True)


# 6. Smaller holes ---------------------------------------------------------------------------


def test_edits_without_a_version_are_refused_and_change_nothing(app):
    world = build_world()
    cw = world.ordinary
    client = client_for(app, world.on[Role.MONITOR])
    base = f"/cases/{cw.case.public_id}"
    for url, data in (
        (f"{base}/edit", {"narrative": "overwritten"}),
        (f"{base}/people/{cw.person.public_id}", {"contacts": "overwritten"}),
        (f"{base}/events/{cw.event.public_id}/edit", {"event_type": "arrest"}),
        (f"{base}/sources/{cw.source.public_id}", {"kind": "media"}),
    ):
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert "Reload the page" in response.get_data(as_text=True)
    db.session.expire_all()
    assert cw.case.narrative == cw.canaries["narrative"]
    assert cw.person.contacts == cw.canaries["contacts"]
    # With the version, the same edit goes through.
    response = client.post(
        f"{base}/people/{cw.person.public_id}",
        data={"contacts": "new contact", "version": str(cw.person.version), "consent": "none"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert cw.person.contacts == "new contact"


def test_hostile_numbers_and_dates_give_no_500(app):
    world = build_world()
    coordinator = client_for(app, world.on[Role.COORDINATOR])
    response = coordinator.get("/cases?date_to=9999-12-31&date_from=0001-01-01")
    assert response.status_code == 200
    assert "outside the years" in response.get_data(as_text=True)
    assert coordinator.post(f"/advocacy/bodies/{'9' * 24}/retire").status_code == 404
    assert coordinator.post(f"/advocacy/bodies/{world.body.id}/retire").status_code == 302


def test_admin_on_a_team_gets_no_link_that_answers_403(app):
    world = build_world()
    admin = client_for(app, world.on[Role.ADMIN])
    page = admin.get(f"/cases/{world.ordinary.case.public_id}").get_data(as_text=True)
    assert world.ordinary.canaries["narrative"] in page  # on the team: reads the case
    assert f"/events/{world.ordinary.event.public_id}/edit" not in page
    monitor = client_for(app, world.on[Role.MONITOR])
    page = monitor.get(f"/cases/{world.ordinary.case.public_id}").get_data(as_text=True)
    assert f"/events/{world.ordinary.event.public_id}/edit" in page
    assert _count(Case) == 2


def test_refusals_on_existing_objects_are_audited(app):
    world = build_world()
    case = world.restricted.case
    coordinator, monitor = world.off[Role.COORDINATOR], world.off[Role.MONITOR]
    assert client_for(app, coordinator).get(f"/cases/{case.public_id}/team").status_code == 403
    assert client_for(app, monitor).get(f"/cases/{case.public_id}").status_code == 404
    assert client_for(app, monitor).get("/cases/zz99999999999999").status_code == 404
    refusals = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "access.refused")
    ).all()
    assert sorted((e.actor_id, e.details["status"], e.object_id) for e in refusals) == sorted(
        [(coordinator.id, 403, case.public_id), (monitor.id, 404, case.public_id)]
    )
