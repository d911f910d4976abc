"""What one bad value or an absent mail server must not break.

1. A far-future date (9999-12-31, accepted by the forms; an action's follow-up date is now
   refused outside 1900-2100, one saved before is not) made the calendar feed answer 500 for
   everyone who sees the follow-up or deadline.
2. A UPR import whose cycle cell is a non-ASCII "digit" ("²") answered 500.
3. With SMTP configured but the mail server unreachable, editing a verified case (and granting
   the coordinator role) answered 500 and the change was lost: the notices now go after the
   change is committed, and a mail server that fails is logged, never undoes it.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casework.advocacy.models import AdvocacyAction
from casework.cases.models import Case
from casework.core.db import db
from casework.core.vocab import ActionType, CaseStatus, Role, TeamRole
from tests.clients import client_for
from tests.factories import make_case, make_user
from tests.test_advocacy_reminders import _free_port


def _feed_path(client) -> str:
    response = client.post("/advocacy/calendar/rotate")
    assert response.status_code == 200
    url = re.search(r"<code>(http[^<]+\.ics)</code>", response.get_data(as_text=True)).group(1)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


# --- 1. calendar feed: 500 on a far-future date --------------------------------------------


@pytest.mark.parametrize("what", ["followup", "remedy"])
def test_a_far_future_date_does_not_break_the_calendar_feed(app, what):
    coordinator = make_user(Role.COORDINATOR)
    lawyer = make_user(Role.LAWYER)
    monitor = make_user(Role.MONITOR)
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),))
    soon = (date.today() + timedelta(days=3)).isoformat()
    lawyer_client = client_for(app, lawyer)
    # A correct action with a follow-up soon: what the entitled users' feeds must keep showing.
    r = lawyer_client.post(
        f"/cases/{case.public_id}/advocacy/new",
        data={
            "action_type": ActionType.URGENT_APPEAL.value,
            "title": "Appeal",
            "cases": case.reference,
            "status": "submitted",
            "outcome": "pending",
            "followup_due": soon,
            "responsible": lawyer.public_id,
        },
    )
    assert r.status_code == 302
    # One typo in a date field, accepted by the form (DateField has no range)...
    if what == "followup":
        letter = {
            "action_type": ActionType.NATIONAL_LETTER.value,
            "title": "Letter",
            "cases": case.reference,
            "status": "submitted",
            "outcome": "pending",
            "followup_due": "9999-12-31",
            "responsible": lawyer.public_id,
        }
        r = lawyer_client.post(f"/cases/{case.public_id}/advocacy/new", data=letter)
        # ...which the action's form now refuses; one saved before it did is still in the feed.
        assert r.status_code == 200 and "between 1900 and 2100" in r.get_data(as_text=True)
        r = lawyer_client.post(
            f"/cases/{case.public_id}/advocacy/new", data={**letter, "followup_due": soon}
        )
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        saved = db.session.scalar(
            select(AdvocacyAction).order_by(AdvocacyAction.id.desc()).limit(1)
        )
        saved.followup_due = date(9999, 12, 31)
        db.session.commit()
    else:
        r = lawyer_client.post(
            f"/cases/{case.public_id}/legal/remedies/new",
            data={"kind": "asylum_appeal", "outcome": "pending", "appeal_deadline": "9999-12-31"},
        )
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
    # ...and the feed of every user who sees it fails (the lawyer on the team, the coordinators).
    for user in (lawyer, coordinator):
        client = client_for(app, user)
        feed = client.get(_feed_path(client))
        assert feed.status_code == 200, f"{user.role.value}: feed answered {feed.status_code}"
        assert f"Follow-up {case.reference}" in feed.get_data(as_text=True)


# --- 2. UPR import: 500 on a non-ASCII digit -----------------------------------------------


def test_upr_import_with_a_superscript_digit_is_refused_not_a_500(app):
    coordinator = make_user(Role.COORDINATOR)
    client = client_for(app, coordinator)
    good = "cycle,number,recommending_state,text,response\n2,139.1,France,Text,supported\n"
    r = client.post(
        "/advocacy/upr/import",
        data={"file": (io.BytesIO(good.encode()), "upr.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302  # the entitled coordinator imports a correct file
    bad = "cycle,number,recommending_state,text,response\n\u00b2,139.2,France,Text,supported\n"
    r = client.post(
        "/advocacy/upr/import",
        data={"file": (io.BytesIO(bad.encode()), "upr.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422, r.status_code  # a row error, like any bad cycle


# --- 3. mail server down: edits fail with 500 and are lost ---------------------------------


def test_editing_a_verified_case_survives_an_unreachable_mail_server(app, monkeypatch):
    monitor = make_user(Role.MONITOR)
    lawyer = make_user(Role.LAWYER)
    case = make_case(
        monitor,
        team=((lawyer, TeamRole.LAWYER),),
        status=CaseStatus.VERIFIED,
        narrative="As verified.",
    )
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", _free_port())  # nothing listens there
    response = client_for(app, monitor).post(
        f"/cases/{case.public_id}/edit",
        data={
            "narrative": "Changed after verification.",
            "act_date": "2012",
            "urgency": "routine",
            "current_situation": "unknown",
            "version": case.version,
        },
    )
    assert response.status_code == 302, response.status_code
    db.session.expire_all()
    saved = db.session.get(Case, case.id)
    assert saved.status == CaseStatus.IN_REVIEW
    assert saved.narrative == "Changed after verification."


def test_granting_coordinator_survives_an_unreachable_mail_server(app, monkeypatch):
    make_user(Role.COORDINATOR)
    target = make_user(Role.MONITOR)
    admin = client_for(app, make_user(Role.ADMIN))
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", _free_port())
    db.session.refresh(target)
    response = admin.post(
        f"/admin/users/{target.public_id}",
        data={
            "display_name": target.display_name,
            "role": "coordinator",
            "active": "y",
            "version": target.version,
        },
    )
    assert response.status_code < 500, response.status_code


def test_the_notice_mail_goes_once_the_change_is_saved_and_never_for_one_undone(app, monkeypatch):
    from casework.cases import verification
    from casework.core import mail

    sent: list[list[str]] = []
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setattr(mail, "send_all", lambda messages: sent.append([m["To"] for m in messages]))
    monitor, lawyer = make_user(Role.MONITOR), make_user(Role.LAWYER)
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),), status=CaseStatus.VERIFIED)
    verification.facts_changed(monitor, case, ["narrative"])
    assert sent == []  # not before the commit
    db.session.rollback()
    assert sent == []  # nor for a change undone
    case = db.session.get(Case, case.id)
    verification.facts_changed(monitor, case, ["narrative"])
    db.session.commit()
    assert sent == [[lawyer.email]]


# --- 4. what the notice mails say: a reference and a link, never a name ---------------------


def _sent_mails(app, monkeypatch) -> list:
    from casework.core import mail

    sent: list = []
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "BASE_URL", "https://casework.example.org")
    monkeypatch.setattr(mail, "send_all", lambda messages: sent.extend(messages))
    return sent


def _mail_text(message) -> str:
    return f"{message['Subject']}\n{message.get_content()}"


def test_the_mail_of_a_verified_case_changed_names_no_one_and_links_the_case(app, monkeypatch):
    """Mail crosses servers the organisation does not run, in clear: who changed a case (a
    monitor, say) is told in the application's notice only; the mail has the reference and the
    link."""
    sent = _sent_mails(app, monkeypatch)
    monitor = make_user(Role.MONITOR, display_name="Dana Monitorova")
    lawyer = make_user(Role.LAWYER)
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),), status=CaseStatus.VERIFIED)
    response = client_for(app, monitor).post(
        f"/cases/{case.public_id}/edit",
        data={"act_date": "2012", "urgency": "routine", "current_situation": "unknown",
              "version": case.version},
    )  # fmt: skip
    assert response.status_code == 302
    assert [m["To"] for m in sent] == [lawyer.email]
    text = _mail_text(sent[0])
    assert "Monitorova" not in text and monitor.email not in text
    assert case.reference in text and "back in legal review" in text
    assert f"https://casework.example.org/cases/{case.public_id}" in text
    # The lawyer's notice in the application says who.
    assert "Dana Monitorova" in client_for(app, lawyer).get("/").get_data(as_text=True)


def test_the_mail_of_a_new_coordinator_names_no_one(app, monkeypatch):
    sent = _sent_mails(app, monkeypatch)
    coordinator = make_user(Role.COORDINATOR)
    target = make_user(Role.MONITOR, display_name="Promoted Monitorova")
    admin = make_user(Role.ADMIN, display_name="Admin Adminova")
    db.session.refresh(target)
    response = client_for(app, admin).post(
        f"/admin/users/{target.public_id}",
        data={"display_name": target.display_name, "role": "coordinator", "active": "y",
              "version": target.version},
    )  # fmt: skip
    assert response.status_code == 302
    assert [m["To"] for m in sent] == [coordinator.email]
    text = _mail_text(sent[0])
    for name in ("Monitorova", target.email, "Adminova", admin.email):
        assert name not in text
    assert "coordinator role" in text and "https://casework.example.org/" in text
    page = client_for(app, coordinator).get("/").get_data(as_text=True)
    assert "Promoted Monitorova" in page and "Admin Adminova" in page
