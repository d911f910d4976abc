"""The personal iCalendar feed: valid, private, revocable."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar

from casework.accounts.models import User
from casework.advocacy import services
from casework.core.db import db
from casework.core.vocab import ActionStatus, ActionType, Role, TeamRole, Urgency
from tests.case_helpers import decrypted_columns
from tests.factories import make_case, make_user

TODAY = date.today()
PERSON_NAME = "Kholmatov"


@pytest.fixture
def world():
    coordinator = make_user(Role.COORDINATOR)
    lawyer = make_user(Role.LAWYER, display_name="Lawyer Person")
    other_lawyer = make_user(Role.LAWYER)
    monitor = make_user(Role.MONITOR)
    case = make_case(
        monitor,
        team=((lawyer, TeamRole.LAWYER),),
        urgency=Urgency.IMMINENT,
        title=f"Extradition of {PERSON_NAME}",
        narrative=f"{PERSON_NAME} was arrested in Almaty.",
    )
    other_case = make_case(monitor)
    mine = services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title=f"Appeal for {PERSON_NAME}",
            status=ActionStatus.SUBMITTED,
            followup_due=TODAY + timedelta(days=3),
            reference_number="UA KAZ 2/2024",
            responsible_id=lawyer.id,
            case_references=[case.reference],
        ),
    )
    hidden = services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.NATIONAL_LETTER,
            title="Letter",
            followup_due=TODAY + timedelta(days=4),
            reference_number="HIDDEN-REF",
            case_references=[other_case.reference],
        ),
    )
    db.session.commit()
    return {
        "coordinator": coordinator,
        "lawyer": lawyer,
        "other_lawyer": other_lawyer,
        "case": case,
        "mine": mine,
        "hidden": hidden,
    }


def _feed_path(client) -> str:
    response = client.post("/advocacy/calendar/rotate")
    assert response.status_code == 200
    url = re.search(r"<code>(http[^<]+\.ics)</code>", response.get_data(as_text=True)).group(1)
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_feed_is_valid_icalendar_and_stops_after_rotation(app, client, login, world):
    login(world["lawyer"])
    assert client.get("/advocacy/calendar").status_code == 200
    path = _feed_path(client)
    db.session.expire_all()
    stored = db.session.get(User, world["lawyer"].id).calendar_token
    assert stored and stored not in path  # only a digest is stored

    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    cal = Calendar.from_ical(response.data)
    events = cal.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert f"followup-{world['mine'].public_id}@casework" in uids
    assert f"followup-{world['hidden'].public_id}@casework" not in uids
    followup = next(e for e in events if world["mine"].public_id in str(e["UID"]))
    assert followup.decoded("DTSTART") == TODAY + timedelta(days=3)
    assert world["case"].reference in str(followup["SUMMARY"])
    body = response.get_data(as_text=True)
    # Reference numbers of communications are identifying: a feed leaves the organisation.
    assert "UA KAZ 2/2024" not in body
    assert PERSON_NAME not in body
    assert "Lawyer Person" not in body

    new_path = _feed_path(client)
    assert new_path != path
    assert anonymous.get(path).status_code == 404
    assert anonymous.get(new_path).status_code == 200

    assert client.post("/advocacy/calendar/revoke").status_code == 302
    assert anonymous.get(new_path).status_code == 404


def test_unknown_token_and_deactivated_user(app, client, login, world):
    anonymous = app.test_client()
    assert anonymous.get("/calendar/nope.ics").status_code == 404
    assert anonymous.get("/calendar/" + "x" * 300 + ".ics").status_code == 404
    login(world["coordinator"])
    path = _feed_path(client)
    assert anonymous.get(path).status_code == 200
    db.session.expire_all()
    coordinator = db.session.get(User, world["coordinator"].id)
    coordinator.is_active_account = False
    db.session.commit()
    assert anonymous.get(path).status_code == 404


def test_coordinator_feed_has_every_open_followup(app, client, login, world):
    login(world["coordinator"])
    path = _feed_path(client)
    cal = Calendar.from_ical(app.test_client().get(path).data)
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert {f"followup-{world[k].public_id}@casework" for k in ("mine", "hidden")} <= uids


def test_calendar_page_is_post_only_for_changes(client, login, world):
    login(world["other_lawyer"])
    assert client.get("/advocacy/calendar/rotate").status_code == 405
    assert client.get("/advocacy/calendar/revoke").status_code == 405


def test_feed_has_remedy_deadlines_of_visible_cases_only(app, client, login, world):
    from casework.core.vocab import RemedyKind
    from casework.legal.models import Remedy

    other = make_case(world["coordinator"])
    db.session.add_all(
        [
            Remedy(
                case_id=world["case"].id,
                kind=RemedyKind.EXTRADITION_APPEAL,
                body="Almaty City Court",
                appeal_deadline=TODAY + timedelta(days=8),
            ),
            Remedy(
                case_id=other.id,
                kind=RemedyKind.ASYLUM_APPEAL,
                appeal_deadline=TODAY + timedelta(days=9),
            ),
        ]
    )
    db.session.commit()
    login(world["lawyer"])
    path = _feed_path(client)
    cal = Calendar.from_ical(app.test_client().get(path).data)
    deadlines = [e for e in cal.walk("VEVENT") if "Appeal deadline" in str(e["SUMMARY"])]
    assert len(deadlines) == 1
    assert str(deadlines[0]["SUMMARY"]).startswith(world["case"].reference)
    assert deadlines[0].decoded("DTSTART") == TODAY + timedelta(days=8)
    assert other.reference not in app.test_client().get(path).get_data(as_text=True)


def test_feed_links_use_the_address_the_app_is_served_on(app, client, login, world, monkeypatch):
    """Without CASEWORK_BASE_URL, the feed's address and its links are the server's own (not
    port 5000 when the app runs elsewhere); a configured base URL wins."""
    monkeypatch.setitem(app.config, "BASE_URL", "")
    login(world["lawyer"])
    response = client.post("/advocacy/calendar/rotate", base_url="http://localhost:8512")
    url = re.search(r"<code>(http[^<]+\.ics)</code>", response.get_data(as_text=True)).group(1)
    assert url.startswith("http://localhost:8512/calendar/")
    path = url.split("8512", 1)[1]
    feed = app.test_client().get(path, base_url="http://localhost:8512")
    body = feed.get_data(as_text=True)
    assert "127.0.0.1:5000" not in body
    assert "http://localhost:8512/" in body.replace("\r\n ", "")
    monkeypatch.setitem(app.config, "BASE_URL", "https://casework.example.org")
    response = client.post("/advocacy/calendar/rotate", base_url="http://localhost:8512")
    assert "<code>https://casework.example.org/calendar/" in response.get_data(as_text=True)


def test_a_coordinators_feed_reads_the_cases_with_deadlines_in_batches(
    app, client, login, world, count_queries, monkeypatch
):
    """A coordinator reads the whole archive: the feed reads only the cases with an open
    deadline, a batch of them at a time (never one IN list of every case), and its cost does
    not grow with the cases, deadlines or actions."""
    from casework.core import db as core_db
    from casework.core.vocab import CaseStatus, RemedyKind
    from casework.legal.models import Remedy

    monkeypatch.setattr(core_db, "IN_CHUNK", 2)
    login(world["coordinator"])
    path = _feed_path(client)
    feed = app.test_client()

    def add(k: int) -> list:
        cases = []
        for i in range(k):
            case = make_case(world["coordinator"], status=CaseStatus.VERIFIED)
            make_case(world["coordinator"])  # no deadline: not read
            db.session.add(
                Remedy(
                    case_id=case.id,
                    kind=RemedyKind.ASYLUM_APPEAL,
                    appeal_deadline=TODAY + timedelta(days=i + 1),
                )
            )
            services.create_action(
                world["coordinator"],
                services.ActionData(
                    action_type=ActionType.URGENT_APPEAL,
                    title="Appeal",
                    status=ActionStatus.SUBMITTED,
                    followup_due=TODAY + timedelta(days=i + 2),
                    case_references=[case.reference],
                ),
            )
            cases.append(case)
        db.session.commit()
        return cases

    def cost() -> int:
        db.session.expire_all()
        with count_queries() as counter:
            assert feed.get(path).status_code == 200
        return counter["n"]

    first = add(2)
    few = cost()
    later = add(2)
    assert cost() == few + 2  # two more batches of two cases (their deadlines, their actions)
    cal = Calendar.from_ical(feed.get(path).data)
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    for case in first + later:
        assert sum(s.startswith(f"{case.reference}: Appeal deadline") for s in summaries) == 1
        assert any(s.startswith("Follow-up") and case.reference in s for s in summaries)


def test_the_feed_leaves_out_dates_past_more_than_a_year_ago(app, client, login, world):
    """Open deadlines and follow-ups stay in the feed up to FEED_PAST_DAYS after their date,
    then leave it (the follow-up lists and the case file still show them); the cases whose
    only deadlines are older are not read."""
    from casework.advocacy.calendar import FEED_PAST_DAYS
    from casework.core.vocab import RemedyKind
    from casework.legal.models import Remedy

    recent, old = TODAY - timedelta(days=FEED_PAST_DAYS), TODAY - timedelta(days=FEED_PAST_DAYS + 1)
    old_case = make_case(world["coordinator"])
    db.session.add_all(
        [
            Remedy(
                case_id=world["case"].id, kind=RemedyKind.EXTRADITION_APPEAL, appeal_deadline=recent
            ),
            Remedy(case_id=world["case"].id, kind=RemedyKind.ASYLUM_APPEAL, appeal_deadline=old),
            Remedy(case_id=old_case.id, kind=RemedyKind.ASYLUM_APPEAL, appeal_deadline=old),
        ]
    )
    for due, title in ((recent, "Recent follow-up"), (old, "Old follow-up")):
        services.create_action(
            world["coordinator"],
            services.ActionData(
                action_type=ActionType.URGENT_APPEAL,
                title=title,
                status=ActionStatus.SUBMITTED,
                followup_due=due,
                case_references=[world["case"].reference],
            ),
        )
    db.session.commit()
    login(world["coordinator"])
    cal = Calendar.from_ical(app.test_client().get(_feed_path(client)).data)
    days = sorted(e.decoded("DTSTART") for e in cal.walk("VEVENT"))
    # The two recent dates, and the fixture's two follow-ups in the coming days.
    assert days == [recent, recent, TODAY + timedelta(days=3), TODAY + timedelta(days=4)]
    assert old_case.reference not in cal.to_ical().decode()


def test_the_feed_and_the_dashboard_decrypt_only_what_they_show(app, client, login, world):
    """A deadline shows a reference, the action's type and body, a remedy's kind: the feed (a
    request that carries no session, only the feed's secret) and the dashboard read no case
    narrative, no action's texts or reference number, no court or notes of a remedy."""
    from casework.core.vocab import RemedyKind
    from casework.legal.models import Remedy

    db.session.add(
        Remedy(
            case_id=world["case"].id,
            kind=RemedyKind.EXTRADITION_APPEAL,
            body="Almaty City Court",
            notes=f"{PERSON_NAME}'s lawyer filed it",
            appeal_deadline=TODAY + timedelta(days=8),
        )
    )
    db.session.commit()
    login(world["lawyer"])
    path = _feed_path(client)
    with decrypted_columns() as opened:
        feed = app.test_client().get(path).get_data(as_text=True)
        dashboard = client.get("/").get_data(as_text=True)
    assert world["case"].reference in feed and "Appeal deadline" in feed
    assert world["case"].reference in dashboard
    sealed_texts = {
        "cases.narrative",
        "cases.act_place",
        "advocacy_actions.description",
        "advocacy_actions.response_summary",
        "remedies.notes",
        "remedies.body",
    }
    assert not sealed_texts & set(opened), opened


def test_a_deadlines_uid_stays_when_other_deadlines_come(app, client, login, world):
    """A deadline's UID held its place among the case's deadlines and its date: a follow-up
    added to the case shifted the others' UIDs, and calendar applications showed the same
    deadline twice or lost it. A UID is the record's public id and the kind of deadline: other
    deadlines, and a change of its date, leave it as it was."""
    from casework.core.vocab import RemedyKind
    from casework.legal.models import Remedy

    remedy = Remedy(
        case_id=world["case"].id,
        kind=RemedyKind.EXTRADITION_APPEAL,
        appeal_deadline=TODAY + timedelta(days=8),
    )
    db.session.add(remedy)
    db.session.commit()
    login(world["lawyer"])
    path = _feed_path(client)

    def events() -> dict[str, str]:
        cal = Calendar.from_ical(app.test_client().get(path).data)
        return {str(e["UID"]): str(e["SUMMARY"]) for e in cal.walk("VEVENT")}

    first = events()
    [uid] = [u for u, summary in first.items() if "Appeal deadline" in summary]
    assert uid == f"deadline-appeal_deadline-{remedy.public_id}@casework"

    services.create_action(
        world["coordinator"],
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Sooner",
            status=ActionStatus.SUBMITTED,
            followup_due=TODAY + timedelta(days=1),
            case_references=[world["case"].reference],
        ),
    )
    db.session.add(
        Remedy(
            case_id=world["case"].id,
            kind=RemedyKind.ASYLUM_APPEAL,
            appeal_deadline=TODAY + timedelta(days=2),
        )
    )
    db.session.commit()
    second = events()
    assert len(second) == len(first) + 2
    assert {u: s for u, s in second.items() if u in first} == first
    remedy = db.session.get(Remedy, remedy.id)
    remedy.appeal_deadline = TODAY + timedelta(days=20)
    db.session.commit()
    assert set(events()) == set(second)
