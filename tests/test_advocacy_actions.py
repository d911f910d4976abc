"""Advocacy actions: creation, follow-up, status moves, stale edits, hooks on the case file."""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from casework import permissions
from casework.advocacy import services
from casework.advocacy.compliance import interim_measures_breach
from casework.advocacy.models import AdvocacyAction, TargetBody
from casework.audit.models import AuditEntry
from casework.cases.models import Event
from casework.core import hooks
from casework.core.cli import run_seeders
from casework.core.db import db
from casework.core.errors import PermissionDenied
from casework.core.types import PartialDate
from casework.core.vocab import (
    ActionOutcome,
    ActionStatus,
    ActionType,
    EventType,
    Role,
    Situation,
    TeamRole,
    Urgency,
)
from tests.factories import make_case, make_user

TODAY = date.today()


def _ids(rows) -> list[int]:
    """The action ids of a follow-up list's rows."""
    return [row.id for row in rows]


def _appeal(actor, case, title: str) -> AdvocacyAction:
    """An urgent appeal about ``case``, planned by ``actor`` (through the service)."""
    return services.create_action(
        actor,
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL, title=title, case_references=[case.reference]
        ),
    )


def _sent_appeal(coordinator, case, **fields) -> AdvocacyAction:
    """An urgent appeal about ``case``, submitted forty days ago (through the service)."""
    data = {
        "action_type": ActionType.URGENT_APPEAL,
        "title": "Urgent appeal",
        "status": ActionStatus.SUBMITTED,
        "submitted_on": TODAY - timedelta(days=40),
        "case_references": [case.reference],
        **fields,
    }
    return services.create_action(coordinator, services.ActionData(**data))


def _step(client, action, to, *, on: str = "", outcome: str = "", **fields: str):
    """The status step form of ``action``, posted as its page sends it (``fields``: its other
    fields, by name without the form's prefix)."""
    to = to.value if hasattr(to, "value") else to
    data = {"st-to_status": to, "st-outcome": outcome, "st-version": str(action.version)}
    if on:
        data["st-on"] = on
    data.update({f"st-{name}": value for name, value in fields.items()})
    return client.post(f"/advocacy/actions/{action.public_id}/status", data=data)


def _stepped(client, action: AdvocacyAction, to: ActionStatus, **fields: str) -> AdvocacyAction:
    """``_step`` that must go through (a redirect), then the action as stored."""
    response = _step(client, action, to, **fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    return db.session.get(AdvocacyAction, action.id)


@pytest.fixture
def world():
    coordinator = make_user(Role.COORDINATOR)
    lawyer = make_user(Role.LAWYER)
    other_lawyer = make_user(Role.LAWYER)
    monitor = make_user(Role.MONITOR)
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),), urgency=Urgency.IMMINENT)
    other_case = make_case(monitor)
    run_seeders()
    db.session.commit()
    return {
        "coordinator": coordinator,
        "lawyer": lawyer,
        "other_lawyer": other_lawyer,
        "monitor": monitor,
        "case": case,
        "other_case": other_case,
    }


def _body_id(short: str) -> str:
    return str(db.session.scalar(select(TargetBody.id).where(TargetBody.short_name == short)))


def _action_form(**overrides):
    data = {
        "action_type": ActionType.URGENT_APPEAL.value,
        "target_body": _body_id("SR torture"),
        "title": "Urgent appeal on imminent extradition",
        "cases": "",
        "status": ActionStatus.SUBMITTED.value,
        "planned_on": "",
        "submitted_on": (TODAY - timedelta(days=20)).isoformat(),
        "followup_due": (TODAY - timedelta(days=3)).isoformat(),
        "response_on": "",
        "reference_number": "UA KAZ 1/2024",
        "outcome": ActionOutcome.PENDING.value,
        "response_summary": "",
        "description": "",
        "responsible": "",
    }
    data.update(overrides)
    return data


def test_seeder_is_idempotent(world):
    count = db.session.scalar(select(db.func.count()).select_from(TargetBody))
    assert count >= 8
    names = set(db.session.scalars(select(TargetBody.short_name)))
    assert {"SR torture", "WGAD", "WGEID", "CAT", "UNHCR", "OSCE/ODIHR", "PGO"} <= names
    run_seeders()
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(TargetBody)) == count


def test_overdue_urgent_appeal_is_followed_up_until_the_reply(client, login, world):
    """The issue's main story: created, overdue for the responsible user, answered, gone."""
    coordinator, lawyer, case = world["coordinator"], world["lawyer"], world["case"]
    login(coordinator)
    response = client.post(
        f"/cases/{case.public_id}/advocacy/new",
        data=_action_form(responsible=lawyer.public_id),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    action = db.session.scalar(select(AdvocacyAction))
    assert [c.id for c in action.cases] == [case.id]
    assert action.responsible_id == lawyer.id
    assert action.created_by_id == coordinator.id

    client.post("/logout")
    login(lawyer)
    page = client.get("/advocacy/followups").get_data(as_text=True)
    mine_overdue = page.split('id="mine-overdue"')[1].split('id="mine-upcoming"')[0]
    assert "UA KAZ 1/2024" in mine_overdue
    assert case.reference in mine_overdue
    dashboard = client.get("/").get_data(as_text=True)
    assert "Your overdue follow-ups" in dashboard
    assert "UA KAZ 1/2024" in dashboard

    detail = client.get(f"/advocacy/actions/{action.public_id}")
    assert detail.status_code == 200
    response = _step(
        client,
        action,
        ActionStatus.RESPONSE_RECEIVED,
        on=TODAY.isoformat(),
        outcome=ActionOutcome.STATE_REPLIED.value,
        response_summary="The State replied that the extradition was suspended.",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert action.status == ActionStatus.RESPONSE_RECEIVED
    assert action.response_on == TODAY
    assert action.outcome == ActionOutcome.STATE_REPLIED
    assert "suspended" in action.response_summary
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "advocacy.status_changed")
    )
    assert entry.details == {
        "from_status": "submitted",
        "to_status": "response_received",
        # The date that awaited the reply, cleared by it, is kept with the step.
        "followup_cleared": (TODAY - timedelta(days=3)).isoformat(),
        # And the outcome the reply found, which taking the reply back gives again.
        "outcome_before": "pending",
    }
    assert entry.case_id == case.id

    page = client.get("/advocacy/followups").get_data(as_text=True)
    assert "UA KAZ 1/2024" not in page
    assert "Your overdue follow-ups" not in client.get("/").get_data(as_text=True)
    assert services.followups(lawyer).mine_overdue == []


def _overdue_action(coordinator, responsible, references, days_late: int, **fields):
    """A submitted action whose follow-up is ``days_late`` days overdue."""
    return services.create_action(
        coordinator,
        services.ActionData(
            status=ActionStatus.SUBMITTED,
            followup_due=TODAY - timedelta(days=days_late),
            responsible_id=responsible.id,
            case_references=references,
            **fields,
        ),
    )


def test_organisation_overdue_shows_on_coordinator_dashboard(client, login, world):
    coordinator, lawyer = world["coordinator"], world["lawyer"]
    action = _overdue_action(
        coordinator,
        lawyer,
        [world["case"].reference],
        days_late=1,
        action_type=ActionType.ALLEGATION_LETTER,
        title="Allegation letter",
        reference_number="AL 7/2024",
    )
    db.session.commit()
    login(coordinator)
    dashboard = client.get("/").get_data(as_text=True)
    assert "Overdue across the organisation" in dashboard
    assert "AL 7/2024" in dashboard
    page = client.get("/advocacy/followups").get_data(as_text=True)
    org = page.split('id="org-overdue"')[1].split('id="org-upcoming"')[0]
    assert "AL 7/2024" in org
    mine = page.split('id="mine-overdue"')[1].split('id="mine-upcoming"')[0]
    assert "AL 7/2024" not in mine
    # Upcoming: within 14 days, not beyond.
    action.followup_due = TODAY + timedelta(days=10)
    db.session.commit()
    due = services.followups(lawyer)
    assert _ids(due.mine_upcoming) == [action.id] and due.mine_overdue == []
    action.followup_due = TODAY + timedelta(days=30)
    db.session.commit()
    assert services.followups(lawyer).mine_upcoming == []


def test_status_moves_are_checked(world):
    coordinator = world["coordinator"]
    action = services.create_action(
        coordinator,
        services.ActionData(action_type=ActionType.OTHER, title="Thematic letter"),
    )
    db.session.commit()
    assert action.cases == []
    with pytest.raises(services.ValidationFailed):
        services.change_status(coordinator, action, ActionStatus.RESPONSE_RECEIVED, action.version)
    services.change_status(coordinator, action, ActionStatus.DRAFTING, action.version)
    services.change_status(coordinator, action, ActionStatus.SUBMITTED, action.version)
    assert action.submitted_on == TODAY
    services.change_status(coordinator, action, ActionStatus.CLOSED, action.version)
    db.session.commit()
    assert [e.details["to_status"] for e in services.status_history(action)] == [
        "drafting",
        "submitted",
        "closed",
    ]


def test_create_rejects_bad_input_without_500(client, login, world):
    login(world["coordinator"])
    response = client.post(
        "/advocacy/actions/new",
        data=_action_form(followup_due="31/02/2024", title="", cases="KZ-1999-9999"),
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD" in text
    assert "A short title is required." in text
    db.session.expire_all()
    assert db.session.scalar(select(AdvocacyAction)) is None
    response = client.post(
        "/advocacy/actions/new", data=_action_form(cases="KZ-1999-9999", action_type="bogus")
    )
    assert response.status_code == 200
    response = client.post("/advocacy/actions/new", data=_action_form(cases="KZ-1999-9999"))
    assert response.status_code == 200
    assert "No case you may link has the reference KZ-1999-9999" in response.get_data(as_text=True)


def test_lawyer_links_only_own_cases_and_unknown_equals_invisible(client, login, world):
    lawyer, case, other = world["lawyer"], world["case"], world["other_case"]
    login(lawyer)
    response = client.post("/advocacy/actions/new", data=_action_form(cases=other.reference))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"No case you may link has the reference {other.reference}" in text
    # A thematic action is for coordinators.
    response = client.post("/advocacy/actions/new", data=_action_form(cases=""))
    assert "only coordinators record thematic actions" in response.get_data(as_text=True)
    response = client.post("/advocacy/actions/new", data=_action_form(cases=case.reference))
    assert response.status_code == 302


def test_stale_edit_shows_both_versions_and_loses_nothing(client, login, world):
    coordinator, case = world["coordinator"], world["case"]
    action = _appeal(coordinator, case, "Original title")
    db.session.commit()
    login(coordinator)
    page = client.get(f"/advocacy/actions/{action.public_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    # Someone else saves in between.
    action.reference_number = "SAVED-BY-OTHER"
    db.session.commit()
    response = client.post(
        f"/advocacy/actions/{action.public_id}/edit",
        data=_action_form(
            title="My competing title",
            cases=case.reference,
            status="planned",
            version=version,
            submitted_on="",
            followup_due="",
        ),
    )
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "SAVED-BY-OTHER" in text  # the current version, in the form
    assert "My competing title" in text  # the user's version, kept on screen
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert action.title == "Original title"
    assert action.reference_number == "SAVED-BY-OTHER"
    # Resubmitting with the current version works.
    response = client.post(
        f"/advocacy/actions/{action.public_id}/edit",
        data=_action_form(
            title="My competing title",
            cases=case.reference,
            status="planned",
            version=str(action.version),
            reference_number="SAVED-BY-OTHER",
            submitted_on="",
            followup_due="",
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AdvocacyAction, action.id).title == "My competing title"


def test_an_action_on_two_cases_is_changed_only_with_rights_on_both(world):
    """A lawyer on one of two cases sees the action and that case only, and may not change it:
    an edit could otherwise alter what is recorded about a case they may not read."""
    coordinator, lawyer, case, other = (
        world["coordinator"],
        world["lawyer"],
        world["case"],
        world["other_case"],
    )
    action = services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Joint appeal",
            case_references=[case.reference, other.reference],
        ),
    )
    db.session.commit()
    assert permissions.can_view_action(lawyer, action)
    assert permissions.action_cases_for(lawyer, action) == [case]
    assert not permissions.can_edit_action(lawyer, action)
    assert not permissions.can_download_action_document(lawyer, action)
    data = services.ActionData(
        action_type=ActionType.URGENT_APPEAL,
        title="Joint appeal (edited)",
        case_references=[case.reference],
    )
    with pytest.raises(PermissionDenied):
        services.update_action(lawyer, action, data, action.version)
    db.session.rollback()
    services.update_action(
        coordinator,
        action,
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Joint appeal (edited)",
            case_references=[case.reference, other.reference],
        ),
        action.version,
    )
    db.session.commit()
    assert {c.id for c in action.cases} == {case.id, other.id}


def test_visibility_of_actions(world):
    coordinator, lawyer, other_lawyer = (
        world["coordinator"],
        world["lawyer"],
        world["other_lawyer"],
    )
    linked = _appeal(coordinator, world["case"], "Linked")
    thematic = services.create_action(
        coordinator, services.ActionData(action_type=ActionType.PRESS_RELEASE, title="Thematic")
    )
    db.session.commit()
    assert set(services.list_actions(lawyer)) == {linked, thematic}
    assert services.list_actions(other_lawyer) == [thematic]
    assert services.list_actions(world["monitor"]) == []
    assert set(services.list_actions(coordinator)) == {linked, thematic}
    assert services.can_edit_action(lawyer, linked)
    assert not services.can_edit_action(lawyer, thematic)


def test_an_action_is_flagged_thematic_exactly_while_no_case_is_linked(world):
    """The flag that lets the policy find thematic actions follows the links: set when an
    action is recorded without a case or loses its last, cleared when one is linked."""
    coordinator, case = world["coordinator"], world["case"]

    def edit(action, references):
        data = services.ActionData(
            action_type=ActionType.PRESS_RELEASE, title="Statement", case_references=references
        )
        services.update_action(coordinator, action, data, action.version)
        db.session.commit()
        return db.session.scalar(
            select(AdvocacyAction.thematic).where(AdvocacyAction.id == action.id)
        )

    action = services.create_action(
        coordinator, services.ActionData(action_type=ActionType.PRESS_RELEASE, title="Statement")
    )
    db.session.commit()
    assert action.thematic
    assert edit(action, [case.reference]) is False
    assert edit(action, [case.reference, world["other_case"].reference]) is False
    assert edit(action, []) is True
    linked = services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL, title="Appeal", case_references=[case.reference]
        ),
    )
    db.session.commit()
    assert linked.thematic is False


def test_the_list_of_actions_pages_newest_first_and_shows_only_readable_references(
    app, world, monkeypatch
):
    """Every action is reached by Next (none is cut off), newest first; a restricted case's
    reference shows only to its team; an altered cursor starts the list again, with a notice."""
    from tests.clients import client_for

    coordinator, lawyer = world["coordinator"], world["lawyer"]
    restricted = make_case(world["monitor"], team=((lawyer, TeamRole.LAWYER),))
    titles = [f"Appeal number {n}" for n in range(5)]
    for title in titles:
        services.create_action(
            coordinator,
            services.ActionData(
                action_type=ActionType.URGENT_APPEAL,
                title=title,
                case_references=[world["case"].reference, restricted.reference],
            ),
        )
    restricted.restricted = True  # after the links were made
    db.session.commit()
    monkeypatch.setattr(services, "ACTIONS_PAGE_SIZE", 2)

    # The coordinator reads one case of the two: the actions are told apart by their links.
    links = {
        a.title: f'/advocacy/actions/{a.public_id}"'
        for a in db.session.scalars(select(AdvocacyAction))
    }

    def walk(client) -> tuple[list[str], str]:
        url, seen, pages = "/advocacy/actions", [], ""
        while url:
            html = client.get(url).get_data(as_text=True)
            pages += html
            shown = [t for t in titles if links[t] in html]
            seen += sorted(shown, key=lambda t: html.index(links[t]))
            more = re.search(r'href="([^"]*)" rel="next"', html)
            url = more.group(1).replace("&amp;", "&") if more else ""
        return seen, pages

    seen, pages = walk(client_for(app, coordinator))
    assert seen == titles[::-1]
    assert world["case"].reference in pages and restricted.reference not in pages
    assert "Appeal number" not in pages  # the words of an action of a case not read
    seen, pages = walk(client_for(app, lawyer))  # on the restricted case's team
    assert seen == titles[::-1] and restricted.reference in pages
    assert all(title in pages for title in titles)
    # A cursor that was altered: the first page, and a notice that says so.
    response = client_for(app, coordinator).get("/advocacy/actions?cursor=forged")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and links["Appeal number 4"] in html
    assert "no longer available" in html


def _interim_request(coordinator, case, outcome=ActionOutcome.INTERIM_MEASURES_GRANTED):
    return services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.INTERIM_MEASURES_REQUEST,
            title="Interim measures request to CAT",
            status=ActionStatus.RESPONSE_RECEIVED,
            submitted_on=TODAY - timedelta(days=30),
            response_on=TODAY - timedelta(days=20),
            outcome=outcome,
            reference_number="G/SO 229/31 KAZ (1)",
            case_references=[case.reference],
        ),
    )


def test_interim_measures_breach_from_action_and_situation(world):
    coordinator, case = world["coordinator"], world["case"]
    assert interim_measures_breach(case) is None
    action = _interim_request(coordinator, case)
    db.session.commit()
    assert interim_measures_breach(case) is None  # granted, not removed
    case.current_situation = Situation.REMOVED
    db.session.commit()
    breach = interim_measures_breach(case, worded={action.id})
    assert breach is not None
    assert breach.granted_on == TODAY - timedelta(days=20)
    panels = {p.name: ctx for p, ctx in hooks.case_panels(case, coordinator)}
    assert panels["advocacy"]["breach"] == breach


@pytest.mark.parametrize(
    "action_type", [ActionType.TREATY_BODY_COMPLAINT, ActionType.CED_URGENT_ACTION]
)
def test_interim_measures_granted_on_a_complaint_count_as_a_grant(world, action_type):
    """A CAT complaint (rule 114) or a CED urgent action (ICPPED Art 30) often carries the
    interim-measures request: its outcome "Interim measures granted" is a grant, and removing
    the person afterwards breaches it (domain brief: CAT:22, "ignoring interim measures
    breaches it"), on the case file and in the statistics alike."""
    from casework.reports.statistics import Filters, statistics

    coordinator, case = world["coordinator"], world["case"]
    services.create_action(
        coordinator,
        services.ActionData(
            action_type=action_type,
            title="Complaint with a request for interim measures",
            status=ActionStatus.RESPONSE_RECEIVED,
            submitted_on=TODAY - timedelta(days=30),
            response_on=TODAY - timedelta(days=20),
            outcome=ActionOutcome.INTERIM_MEASURES_GRANTED,
            case_references=[case.reference],
        ),
    )
    case.current_situation = Situation.REMOVED
    db.session.commit()
    breach = interim_measures_breach(case)
    assert breach is not None and breach.granted_on == TODAY - timedelta(days=20)
    tables = {t.key: t for t in statistics(coordinator, Filters(statuses=(case.status,)))}
    counts = [row[1] for row in tables["interim_measures"].rows]
    assert counts == [1, 1, 1]  # requested, granted, granted yet removed


def test_breach_from_events_and_removal_before_grant(world):
    case = world["case"]
    grant = Event(
        case_id=case.id,
        event_type=EventType.INTERIM_MEASURES_GRANTED,
        date=PartialDate(2011, 3, 1),
    )
    early = Event(case_id=case.id, event_type=EventType.REMOVAL, date=PartialDate(2010, 6))
    db.session.add_all([grant, early])
    case.current_situation = Situation.REMOVED
    db.session.commit()
    db.session.refresh(case)
    assert interim_measures_breach(case) is None  # removed before the grant
    late = Event(case_id=case.id, event_type=EventType.REMOVAL, date=PartialDate(2011, 6, 9))
    db.session.add(late)
    db.session.commit()
    db.session.refresh(case)
    breach = interim_measures_breach(case)
    assert breach is not None and breach.removed_on == PartialDate(2011, 6, 9)


def test_case_panel_timeline_and_deadlines(client, login, world, app):
    coordinator, lawyer, monitor, case = (
        world["coordinator"],
        world["lawyer"],
        world["monitor"],
        world["case"],
    )
    action = _interim_request(coordinator, case)
    case.current_situation = Situation.REMOVED
    open_action = services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Appeal",
            status=ActionStatus.SUBMITTED,
            followup_due=TODAY + timedelta(days=5),
            case_references=[case.reference],
        ),
    )
    services.change_status(coordinator, open_action, ActionStatus.ACKNOWLEDGED, 1)
    db.session.commit()

    with app.test_request_context("/"):
        panels = {p.name: ctx for p, ctx in hooks.case_panels(case, lawyer)}
        assert {a.id for a in panels["advocacy"]["actions"]} == {action.id, open_action.id}
        assert panels["advocacy"]["can_manage"]
        assert panels["advocacy"]["breach"] is not None
        from casework.core.rendering import render_fragment

        html = render_fragment("advocacy/_case_panel.html", panels["advocacy"])
        assert 'class="breach"' in html
        assert "Interim measures breached" in html
        # Monitors on the team see the panel (and the breach) but cannot open actions.
        monitor_ctx = {p.name: c for p, c in hooks.case_panels(case, monitor)}["advocacy"]
        assert not monitor_ctx["can_open"] and not monitor_ctx["can_manage"]
        # A user who may not see the case sees nothing.
        outsider = world["other_lawyer"]
        assert "advocacy" not in {p.name: c for p, c in hooks.case_panels(case, outsider)}

        items = [i for i in hooks.timeline_items(case, lawyer) if i.kind in ("action", "status")]
        titles = [i.title for i in items]
        assert any(t.startswith("Submitted: Interim-measures request") for t in titles)
        assert any(t.startswith("Response received: Interim-measures request") for t in titles)
        assert any("Submitted \u2192 Acknowledged" in t for t in titles)
        assert hooks.timeline_items(case, outsider) == []

        deadlines = [d for d in hooks.case_deadlines(case) if d.kind == "followup"]
        assert [d.due for d in deadlines] == [TODAY + timedelta(days=5)]
        assert deadlines[0].url.endswith(open_action.public_id)


def test_an_actions_status_change_on_the_case_timeline_is_one_sentence_in_russian(app, world):
    """The line is one sentence for the translator, not the action, the old and the new status
    put together in English order."""
    from flask_babel import force_locale

    coordinator, lawyer, case = world["coordinator"], world["lawyer"], world["case"]
    action = services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Appeal",
            status=ActionStatus.SUBMITTED,
            case_references=[case.reference],
        ),
    )
    services.change_status(coordinator, action, ActionStatus.ACKNOWLEDGED, 1)
    db.session.commit()
    with app.test_request_context("/"):
        with force_locale("ru"):
            titles = [i.title for i in hooks.timeline_items(case, lawyer) if i.kind == "status"]
        assert [t.partition(" \u2014 ")[2] for t in titles] == [
            "статус: Подано → Получение подтверждено"
        ]
        english = [i.title for i in hooks.timeline_items(case, lawyer) if i.kind == "status"]
        assert [t.partition(" \u2014 ")[2] for t in english] == [
            "status: Submitted \u2192 Acknowledged"
        ]


def test_coordinator_adds_and_retires_a_target_body(client, login, world):
    login(world["coordinator"])
    response = client.post("/advocacy/bodies", data={"name": "Embassy of X", "short_name": "EmbX"})
    assert response.status_code == 302
    db.session.expire_all()
    body = db.session.scalar(select(TargetBody).where(TargetBody.short_name == "EmbX"))
    assert body is not None
    response = client.post("/advocacy/bodies", data={"name": "Embassy of X"})
    assert "already in the list" in response.get_data(as_text=True)
    assert client.post(f"/advocacy/bodies/{body.id}/retire").status_code == 302
    db.session.expire_all()
    assert db.session.get(TargetBody, body.id).retired
    assert body not in services.list_bodies()


def test_case_file_shows_the_advocacy_panel_and_breach(app, client, login, world):
    if "cases.case_file" not in app.view_functions:
        pytest.skip("the case file page is not there yet")
    coordinator, case = world["coordinator"], world["case"]
    _interim_request(coordinator, case)
    case.current_situation = Situation.REMOVED
    db.session.commit()
    login(coordinator)
    page = client.get(f"/cases/{case.public_id}").get_data(as_text=True)
    assert 'class="breach"' in page
    assert "G/SO 229/31 KAZ (1)" in page
    assert f"/cases/{case.public_id}/advocacy/new" in page


def test_action_document_upload_and_download(client, login, world):
    coordinator, lawyer = world["coordinator"], world["lawyer"]
    action = _appeal(coordinator, world["case"], "Appeal")
    db.session.commit()
    login(lawyer)
    import io

    response = client.post(
        f"/advocacy/actions/{action.public_id}/documents",
        data={
            "doc-file": (io.BytesIO(b"Reply of the State, plain text.\n"), "reply.txt"),
            "doc-description": "Reply",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post(
        f"/advocacy/actions/{action.public_id}/documents",
        data={"doc-file": (io.BytesIO(b"<html><script>"), "x.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    db.session.expire_all()
    docs = services.action_documents(lawyer, action)
    assert len(docs) == 1
    doc, show_name = docs[0]
    assert show_name and doc.original_name == "reply.txt"
    page = client.get(f"/advocacy/actions/{action.public_id}").get_data(as_text=True)
    assert "reply.txt" in page
    with client.get(f"/advocacy/actions/{action.public_id}/documents/{doc.public_id}") as response:
        assert response.status_code == 200
        assert response.data == b"Reply of the State, plain text.\n"
        assert "attachment" in response.headers["Content-Disposition"]
    # Another action's URL does not serve it.
    other = services.create_action(
        coordinator, services.ActionData(action_type=ActionType.OTHER, title="Other")
    )
    db.session.commit()
    assert (
        client.get(f"/advocacy/actions/{other.public_id}/documents/{doc.public_id}").status_code
        == 404
    )


def test_calendar_and_status_changes_need_the_csrf_token(app, client, login, world):
    login(world["coordinator"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/advocacy/calendar/rotate").status_code == 400
        assert client.post("/advocacy/calendar/revoke").status_code == 400
        assert client.post("/advocacy/actions/new", data=_action_form()).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.scalar(select(AdvocacyAction)) is None


def test_a_next_follow_up_set_with_the_reply_is_followed_up(world):
    """Domain brief, section 4: an action records its "reply and outcome, and the next
    follow-up date". The next date given when the reply is recorded is followed up (lists,
    reminders, feeds); the date that awaited the reply is not, once the reply is in."""
    coordinator, case = world["coordinator"], world["case"]
    action = _sent_appeal(
        coordinator, case, followup_due=TODAY + timedelta(days=5), responsible_id=coordinator.id
    )
    db.session.commit()
    services.change_status(
        coordinator,
        action,
        ActionStatus.RESPONSE_RECEIVED,
        action.version,
        on=TODAY - timedelta(days=10),
        outcome=ActionOutcome.STATE_REPLIED,
    )
    db.session.commit()
    assert not services.is_due(action)  # the reply came: the awaited date is moot
    assert action.id not in _ids(services.followups(coordinator).mine_upcoming)
    services.change_status(
        coordinator, action, ActionStatus.ACKNOWLEDGED, action.version
    )  # a correction, then the reply again with the next follow-up date
    services.change_status(
        coordinator,
        action,
        ActionStatus.RESPONSE_RECEIVED,
        action.version,
        on=TODAY - timedelta(days=10),
        outcome=ActionOutcome.STATE_REPLIED,
        followup_due=TODAY - timedelta(days=1),
    )
    db.session.commit()
    assert services.is_due(action)
    assert action.id in _ids(services.followups(coordinator).mine_overdue)
    services.change_status(coordinator, action, ActionStatus.CLOSED, action.version)
    db.session.commit()
    assert not services.is_due(action)
    assert action.id not in _ids(services.followups(coordinator).mine_overdue)


def test_followups_show_only_the_references_of_readable_cases(client, login, world):
    """The follow-up lists decide which case references to show in one query: the same rule as
    ``action_cases_for``, case by case."""
    coordinator, lawyer, case, other = (
        world["coordinator"],
        world["lawyer"],
        world["case"],
        world["other_case"],
    )
    other.reference = "KZ-2011-7777"
    action = _overdue_action(
        coordinator,
        lawyer,
        [case.reference, other.reference],
        days_late=2,
        action_type=ActionType.URGENT_APPEAL,
        title="Joint appeal",
    )
    db.session.commit()
    assert services.followups(lawyer).readable == {case.id}  # the other case: not its team's
    other.restricted = True  # now only its team (the monitor) reads it
    db.session.commit()
    assert services.followups(coordinator).readable == {case.id}
    due = services.followups(lawyer)
    assert _ids(due.mine_overdue) == [action.id] and due.readable == {case.id}
    assert permissions.action_cases_for(lawyer, action, due.readable) == [case]
    assert permissions.action_cases_for(lawyer, action) == [case]
    login(lawyer)
    for url in ("/advocacy/followups", "/"):
        page = client.get(url).get_data(as_text=True)
        assert action.public_id in page and case.reference in page, url
        # Its title may speak of the other case too: withheld (test_advocacy_shared_actions).
        assert "KZ-2011-7777" not in page and "Joint appeal" not in page, url
    # Restricted no more, the other case is read by the coordinator, who sees both references.
    other.restricted = False
    db.session.commit()
    client.post("/logout")
    login(coordinator)
    page = client.get("/advocacy/followups").get_data(as_text=True)
    assert case.reference in page and "KZ-2011-7777" in page and "Joint appeal" in page


def test_the_api_pages_through_every_action_once_with_readable_cases_only(
    app, world, count_queries
):
    from tests.api_clients import api_for

    coordinator, lawyer = world["coordinator"], world["lawyer"]
    restricted = make_case(world["monitor"], team=((lawyer, TeamRole.LAWYER),))
    for n in range(5):
        services.create_action(
            coordinator,
            services.ActionData(
                action_type=ActionType.URGENT_APPEAL,
                title=f"Appeal {n}",
                description=f"Long text {n}",
                case_references=[world["case"].reference, restricted.reference],
            ),
        )
    restricted.restricted = True
    db.session.commit()

    def walk(user) -> list[dict]:
        api, seen, cursor = api_for(app, user, "read"), [], None
        while True:
            page = api.get("advocacy/actions?limit=2" + (f"&cursor={cursor}" if cursor else ""))
            assert page.status_code == 200, page.get_json()
            seen += page.get_json()["items"]
            cursor = page.get_json()["next_cursor"]
            if cursor is None:
                return seen

    seen = walk(lawyer)  # reads both cases: the actions' words too
    assert [a["identifying"]["title"] for a in seen] == [f"Appeal {n}" for n in range(4, -1, -1)]
    assert seen[0]["identifying"]["description"] == "Long text 4"
    assert all(restricted.public_id in a["cases"] for a in seen)
    # Reading one case of the two: every action, without the restricted case or the words.
    others = walk(coordinator)
    assert [a["id"] for a in others] == [a["id"] for a in seen]
    assert all(a["cases"] == [world["case"].public_id] for a in others)
    assert all(a["identifying"] is None for a in others)
    forged = api_for(app, coordinator, "read").get("advocacy/actions?cursor=forged")
    assert forged.status_code == 422
    # No query per action: a page of five costs what a page of one does.
    api = api_for(app, coordinator, "read")
    costs = []
    for limit in (1, 5):
        db.session.expire_all()
        with count_queries() as counter:
            assert len(api.get(f"advocacy/actions?limit={limit}").get_json()["items"]) == limit
        costs.append(counter["n"])
    assert costs[0] == costs[1]


def test_each_follow_up_list_is_reached_in_full_a_page_at_a_time(
    app, client, login, world, monkeypatch
):
    """The overview shows the soonest of each list and links to the whole list, which pages
    soonest first through every one; a cursor that was altered, or one of another list,
    starts it again from the top with a notice; an unknown list is not found."""
    coordinator, lawyer = world["coordinator"], world["lawyer"]
    for late in range(1, 6):
        _overdue_action(
            coordinator,
            lawyer,
            [world["case"].reference],
            days_late=late,
            action_type=ActionType.URGENT_APPEAL,
            title=f"Appeal {late} days late",
        )
    db.session.commit()
    monkeypatch.setattr(services, "FOLLOWUP_LIMIT", 2)
    monkeypatch.setattr(services, "FOLLOWUP_PAGE_SIZE", 2)
    login(coordinator)
    overview = client.get("/advocacy/followups").get_data(as_text=True)
    assert re.findall(r"Appeal (\d) days late", overview) == ["5", "4"]  # the org list
    assert "/advocacy/followups?list=org_overdue" in overview
    url, seen = "/advocacy/followups?list=org_overdue", []
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r"Appeal (\d) days late", html)
        more = re.search(r'href="([^"]*)" rel="next"', html)
        url = more.group(1).replace("&amp;", "&") if more else ""
    assert seen == ["5", "4", "3", "2", "1"]
    # The lawyer's own list has them too; the coordinator's own has none.
    from tests.clients import client_for

    client = client_for(app, lawyer)
    mine = client.get("/advocacy/followups?list=mine_overdue").get_data(as_text=True)
    assert re.findall(r"Appeal (\d) days late", mine) == ["5", "4"]
    cursor = re.search(r'cursor=([^"&]+)" rel="next"', mine).group(1)
    for bad in ("forged", cursor):  # the second: a cursor of another list
        html = client.get(f"/advocacy/followups?list=org_upcoming&cursor={bad}")
        assert html.status_code == 200 and "no longer available" in html.get_data(as_text=True)
    assert client.get("/advocacy/followups?list=everything").status_code == 404


def test_a_lawyer_on_few_teams_pages_through_their_cases_and_the_thematic_follow_ups(
    app, world, monkeypatch
):
    """A lawyer on one team gets, soonest first and each once, the follow-ups of their case
    and the thematic ones, interleaved by date, a page at a time forwards and back; never
    those of a case they are not on. The overview cuts the same list at its soonest."""
    from tests.clients import client_for

    coordinator, lawyer = world["coordinator"], world["lawyer"]
    for late in range(1, 8):
        # Odd days late: on the lawyer's case; even: thematic; and one on a case not theirs.
        references = [world["case"].reference] if late % 2 else []
        _overdue_action(
            coordinator,
            coordinator,
            references,
            days_late=late,
            action_type=ActionType.URGENT_APPEAL,
            title=f"Appeal {late} late",
        )
    _overdue_action(
        coordinator,
        coordinator,
        [world["other_case"].reference],
        days_late=4,
        action_type=ActionType.URGENT_APPEAL,
        title="Not yours",
    )
    db.session.commit()
    monkeypatch.setattr(services, "FOLLOWUP_LIMIT", 3)
    monkeypatch.setattr(services, "FOLLOWUP_PAGE_SIZE", 2)
    client = client_for(app, lawyer)
    overview = client.get("/advocacy/followups").get_data(as_text=True)
    assert re.findall(r"Appeal (\d) late", overview) == ["7", "6", "5"]
    url, pages = "/advocacy/followups?list=org_overdue", []
    while url:
        html = client.get(url).get_data(as_text=True)
        assert "Not yours" not in html
        pages.append(re.findall(r"Appeal (\d) late", html))
        more = re.search(r'href="([^"]*)" rel="next"', html)
        url = more.group(1).replace("&amp;", "&") if more else ""
    assert pages == [["7", "6"], ["5", "4"], ["3", "2"], ["1"]]
    back = re.search(r'href="([^"]*)" rel="prev"', html).group(1).replace("&amp;", "&")
    assert re.findall(r"Appeal (\d) late", client.get(back).get_data(as_text=True)) == ["3", "2"]


def test_an_actions_dates_read_as_in_the_list_for_a_russian_reader(client, login, world):
    coordinator, case = world["coordinator"], world["case"]
    coordinator.language = "ru"
    db.session.commit()
    login(coordinator)
    client.post(f"/cases/{case.public_id}/advocacy/new", data=_action_form())
    action = db.session.scalar(select(AdvocacyAction))
    submitted = TODAY - timedelta(days=20)
    detail = client.get(f"/advocacy/actions/{action.public_id}").get_data(as_text=True)
    listing = client.get("/advocacy/actions").get_data(as_text=True)
    followups = client.get("/advocacy/followups").get_data(as_text=True)
    assert submitted.strftime("%d.%m.%Y") in listing
    assert submitted.strftime("%d.%m.%Y") in detail
    assert submitted.isoformat() not in detail
    assert TODAY.strftime("%d.%m.%Y") in followups and TODAY.isoformat() not in followups


def test_a_submission_or_reply_cannot_be_dated_in_the_future(app, client, login, world):
    """A letter sent or a reply received next month has not happened: the form, the status
    step and the API refuse it alike (a day's grace: the user's today may be the server's
    tomorrow), and nothing is saved."""
    coordinator, case = world["coordinator"], world["case"]
    later = (TODAY + timedelta(days=30)).isoformat()
    login(coordinator)
    for fields in (
        {"submitted_on": later},
        {"status": "response_received", "response_on": later, "followup_due": ""},
        # The reply's date, left empty, is today: before a submission dated next month.
        {"status": "response_received", "submitted_on": later, "followup_due": ""},
    ):
        response = client.post("/advocacy/actions/new", data=_action_form(**fields))
        assert response.status_code == 200, fields
        assert "cannot be dated in the future" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(AdvocacyAction)) is None

    # Tomorrow passes: somewhere it is already tomorrow.
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    response = client.post(
        "/advocacy/actions/new", data=_action_form(submitted_on=tomorrow, followup_due="")
    )
    assert response.status_code == 302
    action = db.session.scalar(select(AdvocacyAction))
    response = _step(client, action, ActionStatus.RESPONSE_RECEIVED.value, on=later)
    assert response.status_code == 400
    assert "cannot be dated in the future" in response.get_data(as_text=True)
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert action.status == ActionStatus.SUBMITTED and action.response_on is None

    from tests.api_clients import api_for

    api = api_for(app, coordinator)
    made = api.post(
        f"cases/{case.public_id}/advocacy-actions",
        json={"action_type": "urgent_appeal", "title": "Appeal", "submitted_on": later},
    )
    assert made.status_code == 422, made.get_json()
    assert "submitted_on" in made.get_json()["error"]["fields"]


def test_a_date_given_to_a_step_that_keeps_none_is_refused_not_dropped(client, login, world):
    """Only a submission and a reply are dated on an action: a date typed for an
    acknowledgement or a closure was accepted and thrown away. It is refused, saying why."""
    coordinator = world["coordinator"]
    action = _overdue_action(
        coordinator,
        coordinator,
        [world["case"].reference],
        days_late=1,
        action_type=ActionType.URGENT_APPEAL,
        title="Urgent appeal",
    )
    db.session.commit()
    login(coordinator)
    for step in (ActionStatus.ACKNOWLEDGED, ActionStatus.CLOSED):
        response = _step(client, action, step.value, on=(TODAY - timedelta(days=2)).isoformat())
        assert response.status_code == 400, step
        assert "Only a submission or a reply is dated" in response.get_data(as_text=True)
        db.session.expire_all()
        action = db.session.get(AdvocacyAction, action.id)
        assert action.status == ActionStatus.SUBMITTED
    # Without a date the step is recorded.
    response = _step(client, action, ActionStatus.ACKNOWLEDGED.value)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AdvocacyAction, action.id).status == ActionStatus.ACKNOWLEDGED


def test_taking_back_a_reply_brings_back_the_follow_up_date_it_cleared(client, login, world):
    """A reply recorded by mistake clears the date that awaited it; the one step back that
    corrects it (to acknowledged) left the action with no follow-up date at all: off every
    list, feed and reminder, and the date recorded nowhere. The step back restores it."""
    coordinator = world["coordinator"]
    due = TODAY + timedelta(days=5)
    action = services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Urgent appeal",
            status=ActionStatus.SUBMITTED,
            submitted_on=TODAY - timedelta(days=40),
            followup_due=due,
            responsible_id=coordinator.id,
            case_references=[world["case"].reference],
        ),
    )
    db.session.commit()
    login(coordinator)

    def step(to: ActionStatus) -> None:
        response = _step(client, action, to)
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()

    step(ActionStatus.RESPONSE_RECEIVED)
    action = db.session.get(AdvocacyAction, action.id)
    assert action.followup_due is None and not services.is_due(action)
    step(ActionStatus.ACKNOWLEDGED)
    action = db.session.get(AdvocacyAction, action.id)
    assert action.followup_due == due
    assert services.is_due(action)
    assert action.id in _ids(services.followups(coordinator).mine_upcoming)
    page = client.get(f"/advocacy/actions/{action.public_id}").get_data(as_text=True)
    assert "Follow up by" in page


def test_the_case_file_shows_the_next_follow_up_set_with_the_reply(app, world):
    """After a reply the action waits for the next follow-up date given with it (``is_due``):
    the case file's advocacy panel showed a dash for every answered action instead."""
    coordinator, lawyer, case = world["coordinator"], world["lawyer"], world["case"]
    action = _sent_appeal(coordinator, case, followup_due=TODAY - timedelta(days=20))
    answered = services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.ALLEGATION_LETTER,
            title="Allegation letter",
            status=ActionStatus.SUBMITTED,
            submitted_on=TODAY - timedelta(days=50),
            followup_due=TODAY - timedelta(days=30),
            case_references=[case.reference],
        ),
    )
    db.session.commit()
    nxt = TODAY + timedelta(days=17)
    services.change_status(
        coordinator,
        action,
        ActionStatus.RESPONSE_RECEIVED,
        action.version,
        on=TODAY - timedelta(days=10),
        followup_due=nxt,
    )
    # Answered with no next date: nothing to follow up.
    services.change_status(coordinator, answered, ActionStatus.RESPONSE_RECEIVED, answered.version)
    db.session.commit()
    assert services.is_due(action) and not services.is_due(answered)
    with app.test_request_context("/"):
        from casework.core.rendering import render_fragment

        context = {p.name: ctx for p, ctx in hooks.case_panels(case, lawyer)}["advocacy"]
        html = render_fragment("advocacy/_case_panel.html", context)
    assert nxt.isoformat() in html
    assert (TODAY - timedelta(days=30)).isoformat() not in html


def test_a_russian_coordinator_is_told_in_russian_what_is_wrong_with_an_action(
    client, login, world
):
    """The action's checks, its conflict notices and the breach on the case file spoke English
    to a Russian-speaking coordinator."""
    coordinator, lawyer, case = world["coordinator"], world["lawyer"], world["case"]
    coordinator.language = "ru"
    lawyer.language = "ru"
    db.session.commit()
    login(coordinator)
    html = client.post(
        "/advocacy/actions/new",
        data=_action_form(followup_due="31/02/2024", cases="KZ-1999-9999"),
    ).get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD" not in html and "ГГГГ-ММ-ДД" in html
    html = client.post("/advocacy/actions/new", data=_action_form(cases="KZ-1999-9999")).get_data(
        as_text=True
    )
    assert "No case you may link" not in html and "KZ-1999-9999" in html
    html = client.post(
        "/advocacy/actions/new", data=_action_form(cases="", responsible="nobody")
    ).get_data(as_text=True)
    assert "Choose an active lawyer or coordinator." not in html

    action = _appeal(coordinator, case, "Appeal")
    db.session.commit()
    html = client.post(
        f"/advocacy/actions/{action.public_id}/edit",
        data=_action_form(
            cases=case.reference,
            status=ActionStatus.RESPONSE_RECEIVED.value,
            submitted_on="",
            followup_due="",
            version=str(action.version),
        ),
    ).get_data(as_text=True)
    assert "An action cannot go from" not in html and "Получен ответ" in html
    html = client.post(
        f"/advocacy/actions/{action.public_id}/edit",
        data=_action_form(cases=case.reference, status="planned", version="0"),
    ).get_data(as_text=True)
    assert "Someone else changed this action" not in html

    client.post("/logout")
    login(lawyer)
    html = client.post("/advocacy/actions/new", data=_action_form(cases="")).get_data(as_text=True)
    assert "only coordinators record thematic actions" not in html

    _interim_request(coordinator, case)
    case.current_situation = Situation.REMOVED
    db.session.commit()
    html = client.get(f"/cases/{case.public_id}").get_data(as_text=True)
    assert "Interim measures were granted" not in html
    assert (TODAY - timedelta(days=20)).strftime("%d.%m.%Y") in html


def test_a_reply_recorded_on_the_edit_form_ends_the_follow_up_it_awaited(client, login, world):
    """The status step clears the follow-up date that awaited a reply; the edit form, moving
    the action to 'Response received', kept it, so an early reply left the action upcoming,
    then overdue and mailed about, though answered. A new date typed with the reply is the
    next follow-up and is kept."""
    coordinator, case = world["coordinator"], world["case"]
    awaited = TODAY + timedelta(days=5)

    def submitted() -> AdvocacyAction:
        action = _sent_appeal(
            coordinator, case, followup_due=awaited, responsible_id=coordinator.id
        )
        db.session.commit()
        return action

    def reply(action: AdvocacyAction, followup_due: date) -> AdvocacyAction:
        response = client.post(
            f"/advocacy/actions/{action.public_id}/edit",
            data=_action_form(
                cases=case.reference,
                status=ActionStatus.RESPONSE_RECEIVED.value,
                submitted_on=(TODAY - timedelta(days=40)).isoformat(),
                followup_due=followup_due.isoformat(),
                response_on=(TODAY - timedelta(days=1)).isoformat(),
                responsible=coordinator.public_id,
                version=str(action.version),
            ),
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        return db.session.get(AdvocacyAction, action.id)

    login(coordinator)
    answered = reply(submitted(), awaited)
    assert answered.followup_due is None and not services.is_due(answered)
    assert answered.id not in _ids(services.followups(coordinator).mine_upcoming)
    # Taken back with the status step, it waits by that date again.
    response = _step(client, answered, ActionStatus.ACKNOWLEDGED.value)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AdvocacyAction, answered.id).followup_due == awaited

    nxt = TODAY + timedelta(days=60)
    followed = reply(submitted(), nxt)
    assert followed.followup_due == nxt and services.is_due(followed)


def test_an_edit_conflict_names_the_type_status_and_outcome_typed_not_their_codes(
    client, login, world
):
    """The conflict page showed the user's unsaved type, status and outcome as stored codes
    ("urgent_appeal", "response_received"), in any language."""
    coordinator, case = world["coordinator"], world["case"]
    action = services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.OTHER, title="Letter", case_references=[case.reference]
        ),
    )
    db.session.commit()
    coordinator.language = "ru"
    db.session.commit()
    login(coordinator)
    response = client.post(
        f"/advocacy/actions/{action.public_id}/edit",
        data=_action_form(
            cases=case.reference,
            status=ActionStatus.SUBMITTED.value,
            outcome=ActionOutcome.STATE_REPLIED.value,
            version="0",
        ),
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    mine = html.split('class="conflict"', 1)[1].split("</article>", 1)[0]
    for code in ("urgent_appeal", "submitted", "state_replied"):
        assert code not in mine, code
    for vocab in (ActionType.URGENT_APPEAL, ActionStatus.SUBMITTED, ActionOutcome.STATE_REPLIED):
        with client.application.test_request_context(headers={"Accept-Language": "ru"}):
            from flask_babel import force_locale

            with force_locale("ru"):
                assert vocab.label in mine
    response = client.post(
        f"/advocacy/actions/{action.public_id}/status",
        data={"st-to_status": "submitted", "st-outcome": "", "st-version": "0"},
    )
    assert response.status_code == 409
    mine = response.get_data(as_text=True).split('class="conflict"', 1)[1].split("</div>", 1)[0]
    assert "submitted" not in mine and "Подано" in mine


def test_taking_back_a_reply_takes_back_its_date(app, world):
    """After the step back from 'Response received', the reply's date stayed: the case's
    timeline still said the response was received and the statistics counted the action as
    answered. The date goes with the step back (kept on the audit trail with it)."""
    from casework.reports.statistics import advocacy as advocacy_table

    coordinator, lawyer, case = world["coordinator"], world["lawyer"], world["case"]
    action = _sent_appeal(coordinator, case)
    db.session.commit()
    replied = TODAY - timedelta(days=10)
    services.change_status(
        coordinator, action, ActionStatus.RESPONSE_RECEIVED, action.version, on=replied
    )
    services.change_status(coordinator, action, ActionStatus.ACKNOWLEDGED, action.version)
    db.session.commit()
    assert action.response_on is None
    assert services.status_history(action)[-1].details["response_cleared"] == replied.isoformat()
    with app.test_request_context("/"):
        titles = [i.title for i in hooks.timeline_items(case, lawyer) if i.kind == "action"]
    assert not any(t.startswith("Response received") for t in titles)
    from casework.cases.models import Case

    assert advocacy_table(Case.id == case.id).rows == [["Urgent appeal", 1, 0, "0%"]]


def test_taking_back_a_reply_takes_back_what_it_said(client, login, world):
    """The step back from 'Response received' kept the outcome entered with the reply ('State
    replied' on an action no longer answered). The action says again what it said before the
    reply: nothing yet, or the interim measures granted before it, which a reply left as they
    were; the outcome taken back stays on the audit trail."""
    coordinator, case = world["coordinator"], world["case"]

    def action(outcome: ActionOutcome) -> AdvocacyAction:
        return services.create_action(
            coordinator,
            services.ActionData(
                action_type=ActionType.CED_URGENT_ACTION,
                title="Urgent action",
                status=ActionStatus.ACKNOWLEDGED,
                submitted_on=TODAY - timedelta(days=40),
                outcome=outcome,
                case_references=[case.reference],
            ),
        )

    pending, granted, kept = (
        action(ActionOutcome.PENDING),
        action(ActionOutcome.INTERIM_MEASURES_GRANTED),
        action(ActionOutcome.INTERIM_MEASURES_GRANTED),
    )
    db.session.commit()
    login(coordinator)

    def step(action: AdvocacyAction, to: ActionStatus, outcome: str = "") -> AdvocacyAction:
        response = _step(client, action, to, outcome=outcome)
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        return db.session.get(AdvocacyAction, action.id)

    for one, said in (
        (pending, ActionOutcome.STATE_REPLIED.value),
        (granted, ActionOutcome.STATE_REPLIED.value),
        (kept, ""),
    ):
        one = step(one, ActionStatus.RESPONSE_RECEIVED, said)
        step(one, ActionStatus.ACKNOWLEDGED)
    pending, granted, kept = (
        db.session.get(AdvocacyAction, a.id) for a in (pending, granted, kept)
    )
    assert pending.outcome == ActionOutcome.PENDING
    assert services.status_history(pending)[-1].details["outcome_cleared"] == "state_replied"
    assert granted.outcome == ActionOutcome.INTERIM_MEASURES_GRANTED
    assert kept.outcome == ActionOutcome.INTERIM_MEASURES_GRANTED
    assert "outcome_cleared" not in services.status_history(kept)[-1].details
    page = client.get(f"/advocacy/actions/{pending.public_id}").get_data(as_text=True)
    assert re.search(r"<dt>Outcome</dt>\s*<dd>Pending</dd>", page)


def test_a_next_follow_up_date_that_cannot_be_is_refused_saying_why(app, client, login, world):
    """The status step took a "next follow-up by" before the submission it follows up, one
    given with the closing of the action (which nothing follows up), and year 0001. The step,
    the edit form and the API refuse them alike, each with its reason, and save nothing; a date
    after the submission is taken."""
    from tests.api_clients import api_for

    coordinator, case = world["coordinator"], world["case"]
    sent = TODAY - timedelta(days=20)
    action = _overdue_action(
        coordinator, coordinator, [case.reference], days_late=3,
        action_type=ActionType.URGENT_APPEAL, title="Urgent appeal", submitted_on=sent,
    )  # fmt: skip
    db.session.commit()
    login(coordinator)
    before_sending = (sent - timedelta(days=5)).isoformat()
    refusals = (
        (ActionStatus.ACKNOWLEDGED, before_sending, "cannot come before the submission"),
        (ActionStatus.ACKNOWLEDGED, "0001-06-01", "between 1900 and 2100"),
        (ActionStatus.CLOSED, (TODAY + timedelta(days=10)).isoformat(), "A closed action"),
    )
    for to, due, reason in refusals:
        response = _step(client, action, to, followup_due=due)
        assert response.status_code == 400, (to, due)
        assert reason in response.get_data(as_text=True), (to, due)
        db.session.expire_all()
        action = db.session.get(AdvocacyAction, action.id)
        assert (action.status, action.followup_due) == (
            ActionStatus.SUBMITTED, TODAY - timedelta(days=3),
        )  # fmt: skip

    # The edit form and a new action: the same reasons.
    for due, reason in ((before_sending, "cannot come before the submission"),
                        ("0001-06-01", "between 1900 and 2100")):  # fmt: skip
        fields = {"submitted_on": sent.isoformat(), "followup_due": due}
        edit = client.post(
            f"/advocacy/actions/{action.public_id}/edit",
            data=_action_form(**fields, version=str(action.version)),
        )
        assert edit.status_code == 200 and reason in edit.get_data(as_text=True), due
        new = client.post("/advocacy/actions/new", data=_action_form(**fields))
        assert new.status_code == 200 and reason in new.get_data(as_text=True), due
    closed = client.post(
        "/advocacy/actions/new",
        data=_action_form(status="closed", followup_due=(TODAY + timedelta(days=9)).isoformat()),
    )
    assert closed.status_code == 200 and "A closed action" in closed.get_data(as_text=True)
    # The API too.
    api = api_for(app, coordinator)
    for due in (before_sending, "0001-06-01"):
        made = api.post(
            f"cases/{case.public_id}/advocacy-actions",
            json={"action_type": "urgent_appeal", "title": "Appeal",
                  "submitted_on": sent.isoformat(), "followup_due": due},
        )  # fmt: skip
        assert made.status_code == 422, made.get_json()
        assert "followup_due" in made.get_json()["error"]["fields"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AdvocacyAction.id))) == 1
    action = db.session.get(AdvocacyAction, action.id)
    assert action.version == 1 and action.followup_due == TODAY - timedelta(days=3)

    # A date after the submission is the next follow-up.
    later = TODAY + timedelta(days=10)
    response = _step(client, action, "acknowledged", followup_due=later.isoformat())
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert (action.status, action.followup_due) == (ActionStatus.ACKNOWLEDGED, later)


def test_the_follow_up_page_says_a_next_date_after_the_reply_counts(client, login, world):
    """The page said an action is followed up only while no response has come, yet a next
    follow-up date given with the reply is followed up too (``is_due``): it says so, in English
    and in Russian."""
    coordinator = world["coordinator"]
    login(coordinator)
    page = client.get("/advocacy/followups").get_data(as_text=True)
    assert "no response yet" not in page
    assert "once a reply is in, the date of the next follow-up" in page
    assert f"Today is {TODAY.isoformat()}." in page
    db.session.expire_all()  # signing in changed the account
    coordinator.language = "ru"
    db.session.commit()
    page = client.get("/advocacy/followups").get_data(as_text=True)
    assert "ещё нет ответа" not in page
    assert "после получения ответа — дата следующей проверки" in page
    assert f"Сегодня {TODAY.strftime('%d.%m.%Y')}." in page


def test_a_form_sent_without_the_outcome_leaves_it_as_it_is(client, login, world):
    """A status step sent without the outcome field (a client that leaves the "(unchanged)"
    choice out) was refused with "Not a valid choice"; so was a new action. A missing outcome is
    no change on the step, and nothing recorded yet (pending) on a new action."""
    coordinator = world["coordinator"]
    login(coordinator)
    fields = _action_form()
    del fields["outcome"]
    response = client.post("/advocacy/actions/new", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    action = db.session.scalar(select(AdvocacyAction))
    assert action.outcome == ActionOutcome.PENDING
    action.outcome = ActionOutcome.COMMUNICATION_SENT
    db.session.commit()
    response = client.post(
        f"/advocacy/actions/{action.public_id}/status",
        data={"st-to_status": "acknowledged", "st-version": str(action.version)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert action.status == ActionStatus.ACKNOWLEDGED
    assert action.outcome == ActionOutcome.COMMUNICATION_SENT


def test_a_date_of_an_action_in_a_year_no_case_is_recorded_for_is_refused(client, login, world):
    """0001 typed for 2001 (a date field's year missing a digit) was saved as the year 1."""
    coordinator = world["coordinator"]
    login(coordinator)
    for name in ("planned_on", "submitted_on", "response_on"):
        fields = {name: "0001-05-02", "followup_due": ""}
        if name == "response_on":
            fields["status"] = "response_received"
        response = client.post("/advocacy/actions/new", data=_action_form(**fields))
        assert response.status_code == 200, name
        assert "Give a date between" in response.get_data(as_text=True), name
    db.session.expire_all()
    assert db.session.scalar(select(AdvocacyAction)) is None
    response = client.post("/advocacy/actions/new", data=_action_form(followup_due=""))
    assert response.status_code == 302  # the same form with its dates right is saved
    action = db.session.scalar(select(AdvocacyAction))
    response = _step(client, action, ActionStatus.RESPONSE_RECEIVED.value, on="0001-05-02")
    assert response.status_code == 400
    assert "Give a date between" in response.get_data(as_text=True)


def test_closing_an_answered_action_does_not_bring_back_the_follow_up_its_reply_ended(
    client, login, world
):
    """The reply ends the follow-up date that awaited it; closing the answered action with the
    status step put that date back on it (and on the audit trail as restored), as if the reply
    had been taken back: a closed action is not followed up, and the edit form's closing left
    it empty. Only the step back to before the reply restores it."""
    coordinator = world["coordinator"]
    awaited = TODAY + timedelta(days=5)
    action = services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Urgent appeal",
            status=ActionStatus.SUBMITTED,
            submitted_on=TODAY - timedelta(days=40),
            followup_due=awaited,
            case_references=[world["case"].reference],
        ),
    )
    db.session.commit()
    login(coordinator)
    for to in (ActionStatus.RESPONSE_RECEIVED, ActionStatus.CLOSED):
        response = _step(client, action, to)
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        action = db.session.get(AdvocacyAction, action.id)
    assert action.status == ActionStatus.CLOSED and action.followup_due is None
    assert "followup_restored" not in services.status_history(action)[-1].details


def _edit(client, action: AdvocacyAction, **overrides: str):
    """The edit form of ``action`` posted with its saved values, as the page fills them in,
    and ``overrides`` typed over them."""
    fields = _action_form(
        action_type=action.action_type.value,
        target_body=str(action.target_body_id or ""),
        title=action.title,
        cases=", ".join(c.reference for c in action.cases),
        status=action.status.value,
        planned_on=action.planned_on.isoformat() if action.planned_on else "",
        submitted_on=action.submitted_on.isoformat() if action.submitted_on else "",
        followup_due=action.followup_due.isoformat() if action.followup_due else "",
        response_on=action.response_on.isoformat() if action.response_on else "",
        reference_number=action.reference_number or "",
        outcome=action.outcome.value,
        response_summary=action.response_summary or "",
        description=action.description or "",
        responsible=action.responsible.public_id if action.responsible else "",
        version=str(action.version),
    )
    fields.update(overrides)
    return client.post(f"/advocacy/actions/{action.public_id}/edit", data=fields)


def test_a_reply_taken_back_on_the_edit_form_is_taken_back_as_by_the_status_step(
    client, login, world
):
    """The status step back from 'Response received' takes the reply back: its date, what
    only a reply says, and the follow-up date it ended. The edit form moved the action back to
    'Acknowledged' keeping the reply's date and outcome as they were filled in, so it still
    counted as answered, and it left the action with no follow-up date. The edit form takes the
    reply back by the same rule, on the audit trail alike; an outcome chosen on the form with
    the step back is kept, as the step keeps the one chosen with it."""
    from casework.cases.models import Case
    from casework.reports.statistics import advocacy as advocacy_table

    coordinator, case = world["coordinator"], world["case"]
    awaited = TODAY + timedelta(days=5)

    def replied(before: ActionOutcome) -> AdvocacyAction:
        action = services.create_action(
            coordinator,
            services.ActionData(
                action_type=ActionType.CED_URGENT_ACTION,
                title="Urgent action",
                status=ActionStatus.ACKNOWLEDGED,
                submitted_on=TODAY - timedelta(days=40),
                followup_due=awaited,
                outcome=before,
                responsible_id=coordinator.id,
                case_references=[case.reference],
            ),
        )
        db.session.commit()
        response = _step(
            client, action, ActionStatus.RESPONSE_RECEIVED,
            on=(TODAY - timedelta(days=2)).isoformat(), outcome=ActionOutcome.STATE_REPLIED.value,
        )  # fmt: skip
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        action = db.session.get(AdvocacyAction, action.id)
        assert action.followup_due is None and action.response_on is not None
        return action

    def back(action: AdvocacyAction, **typed: str) -> AdvocacyAction:
        version = action.version
        response = _edit(client, action, status=ActionStatus.ACKNOWLEDGED.value, **typed)
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        action = db.session.get(AdvocacyAction, action.id)
        assert action.version == version + 1  # one save
        return action

    login(coordinator)
    pending = back(replied(ActionOutcome.PENDING))
    assert pending.response_on is None
    assert pending.outcome == ActionOutcome.PENDING
    assert pending.followup_due == awaited and services.is_due(pending)
    assert pending.id in _ids(services.followups(coordinator).mine_upcoming)
    details = services.status_history(pending)[-1].details
    assert details["to_status"] == "acknowledged"
    assert details["response_cleared"] == (TODAY - timedelta(days=2)).isoformat()
    assert details["outcome_cleared"] == "state_replied"
    assert details["followup_restored"] == awaited.isoformat()
    assert advocacy_table(Case.id == case.id).rows == [["CED urgent action", 1, 0, "0%"]]

    # The interim measures granted before the reply come back, as with the step.
    granted = back(replied(ActionOutcome.INTERIM_MEASURES_GRANTED))
    assert granted.outcome == ActionOutcome.INTERIM_MEASURES_GRANTED
    assert granted.response_on is None
    # An outcome chosen on the form and a follow-up date typed are what the user says.
    later = TODAY + timedelta(days=30)
    chosen = back(
        replied(ActionOutcome.PENDING),
        outcome=ActionOutcome.NO_REPLY.value,
        followup_due=later.isoformat(),
    )
    assert (chosen.outcome, chosen.followup_due, chosen.response_on) == (
        ActionOutcome.NO_REPLY, later, None,
    )  # fmt: skip
    # The date emptied on the form with the step back is taken back all the same, on the trail.
    emptied = back(replied(ActionOutcome.PENDING), response_on="")
    assert emptied.response_on is None and emptied.followup_due == awaited
    details = services.status_history(emptied)[-1].details
    assert details["response_cleared"] == (TODAY - timedelta(days=2)).isoformat()


def test_the_outcome_other_says_nothing_of_a_reply(client, login, world):
    """ "Other" was among the outcomes only a reply gives: an intervention submitted with it
    (as existing data holds) counted as answered with no reply recorded, and taking back a
    reply took it away (to "Pending") when the trail did not say what came before. It says
    nothing of a reply: it is kept, on the step back of the status step and of the edit form,
    and counts as answered only with a reply's date or status."""
    from casework.cases.models import Case
    from casework.reports.statistics import advocacy as advocacy_table

    coordinator, case = world["coordinator"], world["case"]

    def action(status: ActionStatus, **fields) -> AdvocacyAction:
        return services.create_action(
            coordinator,
            services.ActionData(
                action_type=ActionType.UNHCR_INTERVENTION,
                title="Intervention",
                status=status,
                submitted_on=TODAY - timedelta(days=40),
                outcome=ActionOutcome.OTHER,
                case_references=[case.reference],
                **fields,
            ),
        )

    action(ActionStatus.SUBMITTED)  # "other" with no reply recorded
    by_step = action(ActionStatus.RESPONSE_RECEIVED, response_on=TODAY - timedelta(days=3))
    by_form = action(ActionStatus.RESPONSE_RECEIVED, response_on=TODAY - timedelta(days=3))
    db.session.commit()
    login(coordinator)
    assert _step(client, by_step, ActionStatus.ACKNOWLEDGED).status_code == 302
    edited = _edit(client, by_form, status=ActionStatus.ACKNOWLEDGED.value)
    assert edited.status_code == 302, edited.get_data(as_text=True)
    db.session.expire_all()
    for one in (by_step, by_form):
        one = db.session.get(AdvocacyAction, one.id)
        assert (one.status, one.outcome, one.response_on) == (
            ActionStatus.ACKNOWLEDGED, ActionOutcome.OTHER, None,
        )  # fmt: skip
        assert "outcome_cleared" not in services.status_history(one)[-1].details
    assert advocacy_table(Case.id == case.id).rows == [["UNHCR intervention", 3, 0, "0%"]]


def test_a_reply_date_needs_the_status_of_a_reply_on_the_forms(client, login, world):
    """The status step dates a reply only with the move to "Response received" and refuses a
    date given to a step before it; the edit form (and the new-action form) saved a reply's
    date typed on an action left "Submitted", which then counted as answered while waiting
    for the reply. A reply date typed with a status before the reply is refused, under the
    field, and nothing is saved; with "Response received" (or closing) it is taken. A reply
    date an action already holds (existing data) is kept on an edit that leaves it as it is."""
    coordinator, case = world["coordinator"], world["case"]
    replied = (TODAY - timedelta(days=2)).isoformat()
    action = _sent_appeal(coordinator, case)
    db.session.commit()
    login(coordinator)
    reason = "choose that status, or leave the date empty"
    for status in ("submitted", "acknowledged"):
        response = _edit(client, action, status=status, response_on=replied)
        assert response.status_code == 200, status
        page = response.get_data(as_text=True)
        assert reason in page and "Response received on" in page, status
        new = client.post(
            "/advocacy/actions/new",
            data=_action_form(status=status, response_on=replied, followup_due=""),
        )
        assert new.status_code == 200 and reason in new.get_data(as_text=True), status
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert (action.version, action.response_on) == (1, None)
    assert db.session.scalar(select(func.count(AdvocacyAction.id))) == 1
    # A reply taken back with another date typed is refused alike.
    assert _step(client, action, ActionStatus.RESPONSE_RECEIVED, on=replied).status_code == 302
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    other_day = (TODAY - timedelta(days=5)).isoformat()
    refused = _edit(client, action, status="acknowledged", response_on=other_day)
    assert refused.status_code == 200 and reason in refused.get_data(as_text=True)
    # With the status of a reply, or closing, the date is taken.
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    saved = _edit(client, action, response_on=other_day)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    closed = client.post(
        "/advocacy/actions/new",
        data=_action_form(status="closed", response_on=replied, followup_due=""),
    )
    assert closed.status_code == 302, closed.get_data(as_text=True)
    # Existing data: a submitted action holding a reply date is edited with it left as it is.
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert action.response_on == TODAY - timedelta(days=5)
    action.status = ActionStatus.SUBMITTED
    db.session.commit()
    kept = _edit(client, action, title="Urgent appeal (UA)")
    assert kept.status_code == 302, kept.get_data(as_text=True)
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert (action.title, action.response_on) == ("Urgent appeal (UA)", TODAY - timedelta(days=5))


def test_a_next_follow_up_typed_with_a_reply_on_the_forms_comes_after_it(client, login, world):
    """The status step refuses a next follow-up date on or before the reply it is given with
    (nothing follows up a reply before it came). The edit form and the new-action form saved
    one: the action was never followed up (``is_due`` wants a date after the reply) and no one
    was told. They refuse it with the step's reason; a date after the reply is taken."""
    coordinator, case = world["coordinator"], world["case"]
    awaited = TODAY + timedelta(days=5)
    action = _sent_appeal(coordinator, case, followup_due=awaited)
    db.session.commit()
    login(coordinator)
    reply = TODAY - timedelta(days=2)
    reason = "The next follow-up comes after the reply."
    for due, replied in ((reply - timedelta(days=1), reply), (reply, reply), (TODAY, None)):
        typed = {
            "status": "response_received",
            "followup_due": due.isoformat(),
            "response_on": replied.isoformat() if replied else "",
        }
        edit = _edit(client, action, **typed)
        assert edit.status_code == 200 and reason in edit.get_data(as_text=True), due
        new = client.post("/advocacy/actions/new", data=_action_form(**typed))
        assert new.status_code == 200 and reason in new.get_data(as_text=True), due
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert (action.status, action.followup_due, action.version) == (
        ActionStatus.SUBMITTED, awaited, 1,
    )  # fmt: skip
    assert db.session.scalar(select(func.count(AdvocacyAction.id))) == 1
    nxt = reply + timedelta(days=30)
    saved = _edit(
        client, action, status="response_received", followup_due=nxt.isoformat(),
        response_on=reply.isoformat(),
    )  # fmt: skip
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert action.followup_due == nxt and services.is_due(action)


def test_reopening_an_answered_action_keeps_the_date_of_its_reply(client, login, world):
    """An answered action closed, then reopened as "Response received" with the status step
    and no date, had its reply dated today: the case's timeline and the compliance check (an
    interim-measures grant is dated by its reply) moved the reply to the day of the reopening.
    The edit form kept the date; so does the step, as it keeps a submission's (a date given
    with the step is the reply's date)."""
    coordinator, case = world["coordinator"], world["case"]
    replied = TODAY - timedelta(days=20)

    def answered_and_closed() -> AdvocacyAction:
        action = _interim_request(coordinator, case)
        db.session.commit()
        assert _step(client, action, ActionStatus.CLOSED).status_code == 302
        db.session.expire_all()
        return db.session.get(AdvocacyAction, action.id)

    login(coordinator)
    by_step = answered_and_closed()
    assert _step(client, by_step, ActionStatus.RESPONSE_RECEIVED).status_code == 302
    by_form = answered_and_closed()
    assert _edit(client, by_form, status="response_received").status_code == 302
    dated = answered_and_closed()
    given = TODAY - timedelta(days=10)
    response = _step(client, dated, ActionStatus.RESPONSE_RECEIVED, on=given.isoformat())
    assert response.status_code == 302
    db.session.expire_all()
    for one, day in ((by_step, replied), (by_form, replied), (dated, given)):
        one = db.session.get(AdvocacyAction, one.id)
        assert (one.status, one.response_on) == (ActionStatus.RESPONSE_RECEIVED, day)


def test_an_edit_keeps_the_responsible_person_whose_account_was_deactivated(client, login, world):
    """The person responsible for an action may have left (account deactivated: the reminders
    then go to the coordinators). The status step leaves them as they are; the edit form did
    not offer them, so saving it for anything else (a new title) silently made nobody
    responsible, and a client sending them back was refused. The form offers the person kept
    on the action, an edit that leaves them keeps them, and choosing them anew is refused."""
    coordinator, lawyer, case = world["coordinator"], world["lawyer"], world["case"]
    action = _sent_appeal(coordinator, case, responsible_id=lawyer.id)
    other = _appeal(coordinator, case, "Another appeal")
    lawyer.is_active_account = False
    db.session.commit()
    login(coordinator)
    page = client.get(f"/advocacy/actions/{action.public_id}/edit").get_data(as_text=True)
    assert re.search(rf'<option selected value="{lawyer.public_id}">', page) or re.search(
        rf'<option value="{lawyer.public_id}" selected', page
    ), "the person kept on the action is offered, chosen"
    response = _edit(client, action, title="Urgent appeal (UA)")
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert (action.title, action.responsible_id) == ("Urgent appeal (UA)", lawyer.id)
    # Not offered elsewhere, and refused as a new choice.
    page = client.get(f"/advocacy/actions/{other.public_id}/edit").get_data(as_text=True)
    assert lawyer.public_id not in page
    refused = _edit(client, other, responsible=lawyer.public_id)
    assert refused.status_code == 200
    assert "Choose an active lawyer or coordinator." in refused.get_data(as_text=True)


def test_an_action_moved_to_submitted_on_the_edit_form_is_followed_up_after_it(
    client, login, world
):
    """Moved to "Submitted" with no date, an action is submitted today, on the status step as
    on the edit form. The step refused a follow-up date before that day; the form checked it
    against the empty date typed and saved one before the submission (overdue at once). It
    checks the day the action is dated by, with the step's reason. (A new action recorded as
    submitted after the fact, with no date, keeps the follow-up date given.)"""
    coordinator = world["coordinator"]
    login(coordinator)
    action = _appeal(coordinator, world["case"], "Urgent appeal")
    db.session.commit()
    before = (TODAY - timedelta(days=3)).isoformat()
    typed = {"status": "submitted", "submitted_on": "", "followup_due": before}
    reason = "The follow-up cannot come before the submission"
    step = _step(client, action, ActionStatus.SUBMITTED, followup_due=before)
    assert step.status_code == 400 and reason in step.get_data(as_text=True)
    edit = _edit(client, action, **typed)
    assert edit.status_code == 200 and reason in edit.get_data(as_text=True)
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert (action.status, action.version) == (ActionStatus.PLANNED, 1)
    # A date from the submission on is taken, and the action dated today.
    saved = _edit(client, action, **{**typed, "followup_due": TODAY.isoformat()})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert (action.status, action.submitted_on, action.followup_due) == (
        ActionStatus.SUBMITTED, TODAY, TODAY,
    )  # fmt: skip


def test_a_submission_taken_back_on_the_edit_form_loses_its_date_as_on_the_status_step(
    client, login, world
):
    """Sent by mistake: moved back to drafting on the edit form, whatever date the form still
    shows, the action is no longer dated as sent (timeline, statistics), as the status step
    does; the date is kept on the audit trail."""
    coordinator, case = world["coordinator"], world["case"]
    sent = TODAY - timedelta(days=20)
    action = _sent_appeal(coordinator, case, title="Sent by mistake", submitted_on=sent)
    db.session.commit()
    login(coordinator)
    response = client.post(
        f"/advocacy/actions/{action.public_id}/edit",
        data=_action_form(
            title="Sent by mistake",
            cases=case.reference,
            status=ActionStatus.DRAFTING.value,
            version=str(action.version),
            submitted_on=sent.isoformat(),
            followup_due="",
            reference_number="",
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    action = db.session.get(AdvocacyAction, action.id)
    assert action.status == ActionStatus.DRAFTING and action.submitted_on is None
    assert services.status_history(action)[-1].details["submission_cleared"] == sent.isoformat()


def test_a_sent_action_closed_and_reopened_as_planned_is_no_longer_dated_as_sent(
    client, login, world
):
    """Sent, closed, then reopened as "Planned": the action says it is not sent,
    so it no longer shows a submission date, on the status step and on the edit form alike, as
    "Submitted" moved back to drafting does; the date stays on the audit trail. Reopened as
    "Submitted" it keeps its date."""
    coordinator, case = world["coordinator"], world["case"]
    sent = TODAY - timedelta(days=20)
    login(coordinator)

    def closed_after_sending() -> AdvocacyAction:
        action = _sent_appeal(coordinator, case, submitted_on=sent)
        db.session.commit()
        response = _step(client, action, ActionStatus.CLOSED)
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        return db.session.get(AdvocacyAction, action.id)

    def moved(action: AdvocacyAction, to: ActionStatus, *, form: bool) -> AdvocacyAction:
        if form:
            response = _edit(client, action, status=to.value, submitted_on=sent.isoformat())
        else:
            response = _step(client, action, to)
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        return db.session.get(AdvocacyAction, action.id)

    for form in (False, True):
        action = moved(closed_after_sending(), ActionStatus.PLANNED, form=form)
        assert (action.status, action.submitted_on) == (ActionStatus.PLANNED, None), form
        details = services.status_history(action)[-1].details
        assert details["submission_cleared"] == sent.isoformat()
    for form in (False, True):
        action = moved(closed_after_sending(), ActionStatus.SUBMITTED, form=form)
        assert (action.status, action.submitted_on) == (ActionStatus.SUBMITTED, sent)


def test_an_answered_action_reopened_before_its_reply_is_no_longer_answered(client, login, world):
    """An answered action, closed, then reopened at a step before the reply ("Submitted",
    "Acknowledged") kept its reply's date and what only the reply said: it still counted as
    answered in the statistics and waited for no follow-up. Reopening there takes the reply
    back as the step back from "Response received" does, on the status step and on the edit
    form alike (on the audit trail with the step); the reply's summary, text a user typed, is
    kept. Reopened as "Response received" it keeps its reply; a closed action never answered
    keeps the outcome it was closed with."""
    from casework.cases.models import Case
    from casework.reports.statistics import advocacy as advocacy_table

    coordinator, case = world["coordinator"], world["case"]
    awaited = TODAY + timedelta(days=5)
    replied_on = TODAY - timedelta(days=10)
    login(coordinator)

    step = functools.partial(_stepped, client)

    def answered_and_closed() -> AdvocacyAction:
        action = _sent_appeal(
            coordinator, case, followup_due=awaited, responsible_id=coordinator.id
        )
        db.session.commit()
        action = step(
            action, ActionStatus.RESPONSE_RECEIVED, on=replied_on.isoformat(),
            outcome=ActionOutcome.STATE_REPLIED.value, response_summary="The State denies it.",
        )  # fmt: skip
        action = step(action, ActionStatus.CLOSED)
        assert action.response_on == replied_on and action.followup_due is None
        return action

    def edit(action: AdvocacyAction, to: ActionStatus) -> AdvocacyAction:
        response = _edit(client, action, status=to.value)
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        return db.session.get(AdvocacyAction, action.id)

    reopened = [
        step(answered_and_closed(), ActionStatus.SUBMITTED),
        step(answered_and_closed(), ActionStatus.ACKNOWLEDGED),
        edit(answered_and_closed(), ActionStatus.SUBMITTED),
        edit(answered_and_closed(), ActionStatus.ACKNOWLEDGED),
    ]
    for action in reopened:
        assert action.status in (ActionStatus.SUBMITTED, ActionStatus.ACKNOWLEDGED)
        assert action.response_on is None
        assert action.outcome == ActionOutcome.PENDING
        assert action.followup_due == awaited and services.is_due(action)
        assert action.response_summary == "The State denies it."
        details = services.status_history(action)[-1].details
        assert details["from_status"] == "closed"
        assert details["response_cleared"] == replied_on.isoformat()
        assert details["outcome_cleared"] == "state_replied"
        assert details["followup_restored"] == awaited.isoformat()
        page = client.get(f"/advocacy/actions/{action.public_id}").get_data(as_text=True)
        assert re.search(r"<dt>Response on</dt><dd>—</dd>", page)
    assert set(_ids(services.followups(coordinator).mine_upcoming)) == {a.id for a in reopened}
    assert advocacy_table(Case.id == case.id).rows == [["Urgent appeal", 4, 0, "0%"]]

    # Reopened as "Response received", by either way, it keeps its reply.
    kept = [
        step(answered_and_closed(), ActionStatus.RESPONSE_RECEIVED),
        edit(answered_and_closed(), ActionStatus.RESPONSE_RECEIVED),
    ]
    for action in kept:
        assert (action.response_on, action.outcome) == (replied_on, ActionOutcome.STATE_REPLIED)

    # Interim measures granted on an action closed unanswered stay when it is reopened.
    granted = _sent_appeal(
        coordinator, case, status=ActionStatus.ACKNOWLEDGED,
        outcome=ActionOutcome.INTERIM_MEASURES_GRANTED,
    )  # fmt: skip
    db.session.commit()
    granted = step(step(granted, ActionStatus.CLOSED), ActionStatus.ACKNOWLEDGED)
    assert granted.outcome == ActionOutcome.INTERIM_MEASURES_GRANTED
    assert "outcome_cleared" not in services.status_history(granted)[-1].details


def test_a_reply_reopened_then_taken_back_leaves_no_outcome_of_a_reply(client, login, world):
    """Reopening an answered action as "Response received" is no new reply, but the trail
    kept the reply's own outcome as the one "before" it: taken back afterwards (the step back
    to "Acknowledged", or closed and reopened before the reply), the action kept "State
    replied" and still counted as answered. It gets back what it said before the reply."""
    from casework.cases.models import Case
    from casework.reports.statistics import advocacy as advocacy_table

    coordinator, case = world["coordinator"], world["case"]
    login(coordinator)

    def step(action: AdvocacyAction, to: ActionStatus) -> AdvocacyAction:
        response = _step(client, action, to)
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        return db.session.get(AdvocacyAction, action.id)

    def reopened_reply(by_form: bool) -> AdvocacyAction:
        action = _interim_request(coordinator, case, outcome=ActionOutcome.STATE_REPLIED)
        db.session.commit()
        action = step(action, ActionStatus.CLOSED)
        if by_form:
            assert _edit(client, action, status="response_received").status_code == 302
            db.session.expire_all()
            return db.session.get(AdvocacyAction, action.id)
        return step(action, ActionStatus.RESPONSE_RECEIVED)

    taken_back = [
        step(reopened_reply(by_form=False), ActionStatus.ACKNOWLEDGED),
        step(reopened_reply(by_form=True), ActionStatus.ACKNOWLEDGED),
        step(step(reopened_reply(by_form=False), ActionStatus.CLOSED), ActionStatus.SUBMITTED),
    ]
    for action in taken_back:
        assert action.response_on is None
        assert action.outcome == ActionOutcome.PENDING
    assert advocacy_table(Case.id == case.id).rows == [["Interim-measures request", 3, 0, "0%"]]


def test_the_next_step_is_chosen_not_taken_back_by_default(app, world):
    """The first move offered from "submitted" is back to drafting: a coordinator on a phone
    who types the reply and records the step without looking at the list must not move the
    action back. The list starts blank; a step without a status is refused under its field."""
    from tests.case_helpers import page
    from tests.clients import client_for

    coordinator = world["coordinator"]
    action = _sent_appeal(coordinator, world["case"])
    db.session.commit()
    client = client_for(app, coordinator)
    html = page(client, f"/advocacy/actions/{action.public_id}")
    select_field = re.search(r'<select[^>]*name="st-to_status"[^>]*>(.*?)</select>', html, re.S)
    first = re.search(r"<option([^>]*)>([^<]*)</option>", select_field.group(1))
    assert 'value=""' in first.group(1) and first.group(2) == "— choose —"
    assert "selected" not in select_field.group(1)

    response = _step(client, action, "", response_summary="The State replied.")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="st-to_status-error">Choose the status the action moves to.<' in html
    assert "The State replied." in html  # what was typed is kept
    db.session.refresh(action)
    assert action.status == ActionStatus.SUBMITTED

    response = _step(client, action, ActionStatus.RESPONSE_RECEIVED, on=TODAY.isoformat())
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.status == ActionStatus.RESPONSE_RECEIVED


def test_reopening_an_answered_action_keeps_the_next_follow_up_set_with_its_reply(
    client, login, world
):
    """The next follow-up date given with a reply is what the action waits for after it. An
    answered action closed, then reopened as "Response received" (by the status step or the
    edit form), lost that date, as if the reopening were a new reply ending the date that
    awaited it: the action fell off every follow-up list. Reopening is no new reply and keeps
    it; only taking the reply back clears what the reply set."""
    coordinator, case = world["coordinator"], world["case"]
    awaited = TODAY + timedelta(days=5)
    replied_on = TODAY - timedelta(days=3)
    following = TODAY + timedelta(days=10)
    login(coordinator)

    step = functools.partial(_stepped, client)

    def answered_and_closed() -> AdvocacyAction:
        action = _sent_appeal(
            coordinator, case, followup_due=awaited, responsible_id=coordinator.id
        )
        db.session.commit()
        action = step(
            action, ActionStatus.RESPONSE_RECEIVED, on=replied_on.isoformat(),
            outcome=ActionOutcome.STATE_REPLIED.value, followup_due=following.isoformat(),
        )  # fmt: skip
        assert action.followup_due == following and services.is_due(action)
        return step(action, ActionStatus.CLOSED)

    by_step = step(answered_and_closed(), ActionStatus.RESPONSE_RECEIVED)
    by_form = answered_and_closed()
    assert _edit(client, by_form, status="response_received").status_code == 302
    db.session.expire_all()
    by_form = db.session.get(AdvocacyAction, by_form.id)
    for action in (by_step, by_form):
        assert action.status == ActionStatus.RESPONSE_RECEIVED
        assert action.followup_due == following and services.is_due(action)
        assert "followup_cleared" not in services.status_history(action)[-1].details
    assert {by_step.id, by_form.id} <= set(_ids(services.followups(coordinator).mine_upcoming))


def test_taking_back_a_reply_clears_the_next_follow_up_it_set(client, login, world):
    """A reply given with a next follow-up date replaced the date that awaited it without
    keeping that date on the audit trail; the step back then left the reply's next date on an
    action that awaits the reply again, and the awaited date was lost. The reply records the
    date it replaced; taking the reply back (the status step or the edit form) clears the date
    the reply set and brings the awaited one back. A date changed since the reply is the
    user's and stays."""
    coordinator, case = world["coordinator"], world["case"]
    awaited = TODAY + timedelta(days=5)
    following = TODAY + timedelta(days=10)
    login(coordinator)

    step = functools.partial(_stepped, client)

    def replied(by_form: bool = False) -> AdvocacyAction:
        action = _sent_appeal(
            coordinator, case, followup_due=awaited, responsible_id=coordinator.id
        )
        db.session.commit()
        if by_form:
            response = _edit(
                client, action, status="response_received", followup_due=following.isoformat()
            )
            assert response.status_code == 302, response.get_data(as_text=True)
            db.session.expire_all()
            action = db.session.get(AdvocacyAction, action.id)
        else:
            action = step(
                action, ActionStatus.RESPONSE_RECEIVED, followup_due=following.isoformat()
            )
        assert action.followup_due == following
        details = services.status_history(action)[-1].details
        assert details["followup_cleared"] == awaited.isoformat()
        return action

    def back_by_form(action: AdvocacyAction) -> AdvocacyAction:
        response = _edit(client, action, status=ActionStatus.ACKNOWLEDGED.value)
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        return db.session.get(AdvocacyAction, action.id)

    taken_back = [
        step(replied(), ActionStatus.ACKNOWLEDGED),
        back_by_form(replied(by_form=True)),
        step(step(replied(), ActionStatus.CLOSED), ActionStatus.SUBMITTED),
    ]
    for action in taken_back:
        assert action.response_on is None
        assert action.followup_due == awaited and services.is_due(action)
        details = services.status_history(action)[-1].details
        assert details["followup_restored"] == awaited.isoformat()
        assert details["followup_cleared"] == following.isoformat()

    # A next date changed after the reply is the user's own: the step back keeps it.
    later = TODAY + timedelta(days=20)
    changed = replied()
    response = _edit(client, changed, followup_due=later.isoformat())
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    changed = step(db.session.get(AdvocacyAction, changed.id), ActionStatus.ACKNOWLEDGED)
    assert changed.followup_due == later


def test_the_summary_of_a_reply_taken_back_is_kept_but_not_shown_as_the_reply(client, login, world):
    """Taking a reply back took back its date and outcome but the action's page still showed
    what the reply said under "Response", as if the reply were in. The summary is kept (the
    user's own text; the audit trail holds no narrative, only that it was kept) and shown as the
    summary of a reply taken back, until a reply is recorded again."""
    coordinator, case = world["coordinator"], world["case"]
    action = _sent_appeal(coordinator, case)
    db.session.commit()
    login(coordinator)

    def step(to: ActionStatus, **fields: str) -> AdvocacyAction:
        response = _step(client, action, to, **fields)
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        return db.session.get(AdvocacyAction, action.id)

    def response_heading() -> str:
        page = client.get(f"/advocacy/actions/{action.public_id}").get_data(as_text=True)
        assert "The State denies it." in page
        return re.search(r"<h2>([^<]*)</h2>\s*(?:<p[^>]*>[^<]*</p>\s*)?<p>The State", page).group(1)

    action = step(ActionStatus.RESPONSE_RECEIVED, response_summary="The State denies it.")
    assert response_heading() == "Response"
    action = step(ActionStatus.ACKNOWLEDGED)
    assert action.response_summary == "The State denies it."
    assert services.status_history(action)[-1].details["summary_kept"] is True
    assert response_heading() == "Summary of a reply taken back"
    action = step(ActionStatus.RESPONSE_RECEIVED)
    assert response_heading() == "Response"
