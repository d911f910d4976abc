"""The rows the lists write out in Python (``cases/rows.py``, ``advocacy/rows.py``) escape what
they show as the templates do: a title, a reference number, a body's or a user's name, what a
case file's timeline and sources show, that holds markup is shown as text, never run."""

from __future__ import annotations

from datetime import date, timedelta

from casework.advocacy import services as advocacy
from casework.advocacy.models import TargetBody
from casework.cases import services as cases
from casework.cases.events import add_event
from casework.core.db import db
from casework.core.vocab import ActionStatus, ActionType, ActType, Role, Urgency
from casework.evidence import services as evidence
from tests.factories import log_in, make_case

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;"


def test_markup_typed_into_what_a_list_row_shows_is_shown_as_text(app, make_user):
    coordinator = make_user(Role.COORDINATOR, display_name="Coordinator " + HOSTILE)
    case = make_case(
        coordinator,
        title="Case " + HOSTILE,
        urgency=Urgency.IMMINENT,
        act_type=ActType.EXTRADITION,
        destination_country="UZ",
    )
    body = TargetBody(name="Body " + HOSTILE, short_name="B<i>x</i>")
    db.session.add(body)
    db.session.commit()
    advocacy.create_action(
        coordinator,
        advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Appeal " + HOSTILE,
            target_body_id=body.id,
            status=ActionStatus.SUBMITTED,
            followup_due=date.today() - timedelta(days=3),
            reference_number="Ref " + HOSTILE,
            responsible_id=coordinator.id,
            case_references=[case.reference],
        ),
    )
    db.session.commit()
    client = log_in(app.test_client(), coordinator)
    for path in ("/", "/cases", "/advocacy/followups", "/advocacy/followups?list=org_overdue"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<img src=x" not in html, path
        assert "<i>x</i>" not in html, path
        assert ESCAPED in html, path  # shown, as text
    # Each page shows what it lists: the case's title, the action's words and body.
    followups = client.get("/advocacy/followups").get_data(as_text=True)
    assert "Appeal " + ESCAPED in followups and "Ref " + ESCAPED in followups
    assert "B&lt;i&gt;x&lt;/i&gt;" in followups
    assert "Case " + ESCAPED in client.get("/cases").get_data(as_text=True)


def test_markup_typed_into_a_case_file_s_timeline_and_sources_is_shown_as_text(app, make_user):
    """The case file writes its timeline's items and its sources' rows in Python: an event's
    place, agencies, legal basis and description, a comment, an author's name, a source's
    identity and how it knows, each holding markup, are shown as text."""
    monitor = make_user(Role.MONITOR, display_name="Monitor " + HOSTILE)
    case = make_case(monitor)
    source = evidence.add_source(
        monitor,
        case,
        {
            "kind": "witness",
            "identity": "Witness " + HOSTILE,
            "how_they_know": "Saw " + HOSTILE,
            "identity_protected": False,
        },
    )
    add_event(
        monitor,
        case,
        {
            "event_type": "arrest",
            "date": "2012-06",
            "place": "Town " + HOSTILE,
            "agencies": "Agency " + HOSTILE,
            "legal_basis": "Basis " + HOSTILE,
            "date_note": "Note " + HOSTILE,
            "description": "Told " + HOSTILE,
            "source_ids": [source.public_id],
        },
    )
    cases.add_comment(monitor, case, "Comment " + HOSTILE)
    db.session.commit()
    client = log_in(app.test_client(), monitor)
    html = client.get(f"/cases/{case.public_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    for shown in (
        "in Town " + ESCAPED,  # the event's title
        "Agency " + ESCAPED,
        "Basis " + ESCAPED,
        "Note " + ESCAPED,
        "Told " + ESCAPED,
        "Comment " + ESCAPED,
        '<span dir="auto">Monitor ' + ESCAPED + "</span>",  # an item's author
        "Witness " + ESCAPED + "</td>",
        "Saw " + ESCAPED + "</td>",
    ):
        assert shown in html, shown
