"""An action linked to several cases, seen by someone who reads only some of them.

Its own words (title, notes, reference number, summary of the reply) may name people or facts
of any of its cases: whoever may not read every one of them still sees the action (its type,
body, dates, status, and the references of the cases they read), so that the follow-up of
theirs goes on, with a note that the rest is withheld, never the words themselves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from casework import permissions
from casework.advocacy import services, upr
from casework.advocacy.models import AdvocacyAction
from casework.cases import services as services_cases
from casework.core.cli import run_seeders
from casework.core.db import db
from casework.core.vocab import (
    ActionOutcome,
    ActionStatus,
    ActionType,
    Role,
    Situation,
    TeamRole,
)
from tests.api_clients import api_for
from tests.clients import client_for
from tests.factories import make_case, make_user

TODAY = date.today()
TITLE = "Appeal for Zulfiya Tokhtarova"
NOTES = "Her brother Rustam hides in Shymkent"
REFERENCE = "UA KAZ 9/2026 Tokhtarova"
REPLY = "The State says Tokhtarova was never detained"
WORDS = (TITLE, NOTES, REFERENCE, REPLY, "Tokhtarova")
WITHHELD = "Withheld: this action also concerns a case you may not read."


@pytest.fixture
def world():
    """A joint action on an ordinary case (the lawyer's) and a restricted one (whose team is a
    monitor and a coordinator); another coordinator and the lawyer read only the first."""
    lawyer = make_user(Role.LAWYER)
    insider = make_user(Role.COORDINATOR)
    outsider = make_user(Role.COORDINATOR)
    monitor = make_user(Role.MONITOR)
    shared = make_case(monitor, team=((lawyer, TeamRole.LAWYER),))
    secret = make_case(monitor, team=((insider, TeamRole.MEMBER),), restricted=True)
    run_seeders()
    action = services.create_action(
        insider,
        services.ActionData(
            action_type=ActionType.INTERIM_MEASURES_REQUEST,
            title=TITLE,
            description=NOTES,
            status=ActionStatus.RESPONSE_RECEIVED,
            submitted_on=TODAY - timedelta(days=30),
            response_on=TODAY - timedelta(days=20),
            followup_due=TODAY - timedelta(days=2),
            reference_number=REFERENCE,
            outcome=ActionOutcome.INTERIM_MEASURES_GRANTED,
            response_summary=REPLY,
            responsible_id=lawyer.id,
            case_references=[shared.reference, secret.reference],
        ),
    )
    db.session.commit()
    return {
        "lawyer": lawyer,
        "insider": insider,
        "outsider": outsider,
        "monitor": monitor,
        "shared": shared,
        "secret": secret,
        "action": action,
    }


def _page(app, user, url: str) -> str:
    response = client_for(app, user).get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _withheld(page: str) -> bool:
    return not any(word in page for word in WORDS)


def test_the_rule_is_every_case_readable(world):
    action, lawyer, insider = world["action"], world["lawyer"], world["insider"]
    assert permissions.can_view_action(lawyer, action)
    assert not permissions.can_read_action_text(lawyer, action)
    assert not permissions.can_read_action_text(world["outsider"], action)
    assert permissions.can_read_action_text(insider, action)
    readable = permissions.readable_case_ids(lawyer, {c.id for c in action.cases})
    assert not permissions.can_read_action_text(lawyer, action, readable)
    thematic = services.create_action(
        insider, services.ActionData(action_type=ActionType.PRESS_RELEASE, title="Thematic")
    )
    assert permissions.can_read_action_text(lawyer, thematic)
    assert not permissions.can_read_action_text(world["monitor"], thematic)


def test_the_list_of_actions_withholds_the_words(app, world):
    page = _page(app, world["lawyer"], "/advocacy/actions")
    assert world["action"].public_id in page and world["shared"].reference in page
    assert _withheld(page) and WITHHELD in page
    page = _page(app, world["insider"], "/advocacy/actions")
    assert TITLE in page and REFERENCE in page and WITHHELD not in page


@pytest.mark.parametrize(
    "url", ["/advocacy/followups", "/advocacy/followups?list=mine_overdue", "/"]
)
def test_follow_ups_and_the_dashboard_withhold_the_words(app, world, url):
    page = _page(app, world["lawyer"], url)
    assert world["action"].public_id in page and world["shared"].reference in page
    assert _withheld(page) and WITHHELD in page


def test_the_organisation_follow_ups_withhold_the_words(app, world):
    world["action"].responsible_id = None
    db.session.commit()
    page = _page(app, world["outsider"], "/advocacy/followups?list=org_overdue")
    assert world["action"].public_id in page
    assert _withheld(page) and WITHHELD in page
    assert TITLE in _page(app, world["insider"], "/advocacy/followups?list=org_overdue")


def test_the_action_page_withholds_the_words(app, world):
    url = f"/advocacy/actions/{world['action'].public_id}"
    page = _page(app, world["lawyer"], url)
    assert world["shared"].reference in page and world["secret"].reference not in page
    assert _withheld(page) and WITHHELD in page
    page = _page(app, world["insider"], url)
    assert all(word in page for word in (TITLE, NOTES, REFERENCE, REPLY))


def test_the_case_file_withholds_the_reference_number(app, world):
    """The advocacy panel, the timeline and the interim-measures breach of the lawyer's case
    name the action by its type and body, without the reference number."""
    world["shared"].current_situation = Situation.REMOVED
    db.session.commit()
    url = f"/cases/{world['shared'].public_id}"
    page = _page(app, world["lawyer"], url)
    assert 'class="breach"' in page
    assert _withheld(page)
    page = _page(app, world["insider"], url)
    assert page.count(REFERENCE) >= 3  # panel, breach, timeline


def test_the_upr_recommendation_withholds_the_words(app, world):
    insider, outsider = world["insider"], world["outsider"]
    rec = upr.create_recommendation(
        insider,
        upr.RecommendationData(cycle=3, number="139.24", recommending_state="Germany", text="T"),
    )
    db.session.commit()
    url = f"/advocacy/upr/recommendations/{rec.public_id}"
    page = _page(app, outsider, url)  # offered to be linked
    assert world["action"].public_id in page and _withheld(page)
    upr.link_action(insider, rec, world["action"])
    db.session.commit()
    page = _page(app, outsider, url)  # linked
    assert world["action"].public_id in page and _withheld(page) and WITHHELD in page
    assert TITLE in _page(app, insider, url)


def test_the_api_withholds_the_words(app, world):
    action = world["action"]
    for user in (world["lawyer"], world["outsider"]):
        api = api_for(app, user, "read")
        one = api.get(f"advocacy/actions/{action.public_id}").get_json()
        assert one["id"] == action.public_id and one["identifying"] is None
        assert one["cases"] == [world["shared"].public_id]
        listed = api.get("advocacy/actions").get_json()["items"]
        assert [a["id"] for a in listed] == [action.public_id]
        assert listed[0]["identifying"] is None
    one = api_for(app, world["insider"], "read").get(f"advocacy/actions/{action.public_id}")
    assert one.get_json()["identifying"]["title"] == TITLE


def test_the_calendar_feed_and_reminders_carry_no_words(app, world):
    """Already so (type, body and readable references only); kept so."""
    from casework.advocacy import calendar
    from casework.advocacy.reminders import collect

    feed = calendar.build_feed(world["lawyer"], "https://casework.example").decode()
    assert world["shared"].reference in feed and world["secret"].reference not in feed
    assert _withheld(feed)
    with app.test_request_context("/"):
        outbox = collect(TODAY, datetime.now(UTC) - timedelta(days=1))
        lines = [item.line() for item in outbox.by_user[world["lawyer"].id]]
    assert lines and _withheld("\n".join(lines))
    assert world["secret"].reference not in "\n".join(lines)


def test_only_who_reads_every_case_edits_the_action(app, world):
    action = world["action"]
    for user in (world["lawyer"], world["outsider"]):
        assert not permissions.can_edit_action(user, action)
        client = client_for(app, user)
        assert client.get(f"/advocacy/actions/{action.public_id}/edit").status_code in (403, 404)
        response = client.post(
            f"/advocacy/actions/{action.public_id}/status",
            data={"st-to_status": ActionStatus.CLOSED.value, "st-version": str(action.version)},
        )
        assert response.status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(AdvocacyAction, action.id).status == ActionStatus.RESPONSE_RECEIVED
    page = _page(app, world["insider"], f"/advocacy/actions/{action.public_id}/edit")
    assert TITLE in page and NOTES in page


def test_who_changed_the_action_is_not_named_to_who_reads_only_some_cases(app, world):
    """Only someone who may change the action on every one of its cases (so on the restricted
    case's team) records its steps: naming them, in the action's history and the timeline of the
    lawyer's case, told who works on the restricted case. Whoever reads only some of its cases
    sees each step, by "Someone"; whoever reads them all, who took it."""
    action, insider = world["action"], world["insider"]
    insider.display_name = "Aigerim Insider"
    services.change_status(insider, action, ActionStatus.CLOSED, action.version)
    db.session.commit()
    shared = world["shared"].public_id
    urls = (f"/advocacy/actions/{action.public_id}", f"/cases/{shared}", f"/cases/{shared}/print")
    closed = ActionStatus.CLOSED.label
    for user in (world["lawyer"], world["outsider"]):
        for url in urls:
            page = _page(app, user, url)
            assert closed in page and insider.display_name not in page, url
    page = _page(app, insider, urls[0])
    assert closed in page and insider.display_name in page
    reader = make_user(Role.COORDINATOR)  # reads both cases once on the restricted one's team
    services_cases.add_member(insider, world["secret"], reader)
    db.session.commit()
    for url in urls[1:]:
        assert insider.display_name in _page(app, reader, url), url
