"""A create form opened again minutes after its user saved one (going Back after a save fetches
the page afresh, with a fresh key) carries a notice saying when; a script shows it only to
whoever came back through the browser's history (tests/e2e checks that part)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from casework.api.models import IdempotencyKey
from casework.core.db import db, utcnow
from casework.core.vocab import Role
from tests.clients import client_for
from tests.html_forms import form_fields

NOTICE = "data-after-back"


def test_the_intake_form_says_it_was_saved_minutes_ago_to_its_user_only(app, make_user):
    monitor_user = make_user(Role.MONITOR)
    monitor = client_for(app, monitor_user)
    colleague = client_for(app, make_user(Role.MONITOR))
    page = monitor.get("/cases/new").get_data(as_text=True)
    assert NOTICE not in page  # nothing saved yet
    form = form_fields(page, "")
    form.update({"name": "Timur Rakhimov", "narrative": "Detained today.", "save_draft": "1"})
    assert monitor.post("/cases/new", data=form).status_code == 302

    again = monitor.get("/cases/new").get_data(as_text=True)
    assert NOTICE in again and "You saved this form a moment ago" in again
    assert "js/after-back.js" in again
    # Only its user's saves count, and only forms of the same kind.
    assert NOTICE not in colleague.get("/cases/new").get_data(as_text=True)

    # Minutes later it says how many; past half an hour, nothing.
    db.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == monitor_user.id)
        .values(created_at=utcnow() - timedelta(minutes=12, seconds=5))
    )
    db.session.commit()
    assert "You saved this form 12 minutes ago" in monitor.get("/cases/new").get_data(as_text=True)
    db.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == monitor_user.id)
        .values(created_at=utcnow() - timedelta(minutes=31))
    )
    db.session.commit()
    assert NOTICE not in monitor.get("/cases/new").get_data(as_text=True)


def test_a_form_shown_again_with_its_errors_carries_no_notice(app, make_user):
    monitor = client_for(app, make_user(Role.MONITOR))
    form = form_fields(monitor.get("/cases/new").get_data(as_text=True), "")
    form.update({"name": "Timur Rakhimov", "narrative": "Detained.", "save_draft": "1"})
    monitor.post("/cases/new", data=form)
    fresh = form_fields(monitor.get("/cases/new").get_data(as_text=True), "")
    fresh.update({"save": "1"})  # nothing typed: refused, the form shown again
    refused = monitor.post("/cases/new", data=fresh)
    assert refused.status_code in (200, 422)
    assert NOTICE not in refused.get_data(as_text=True)


def test_a_form_of_another_case_does_not_say_it_was_saved(app, make_user):
    """An event saved on one case: the new-event form of another case, reached again through
    the browser's history, was said saved minutes ago (a second save would make a second
    record), though nothing was saved there; the user would leave that case's event unsaved.
    Only the form saved says so."""
    from tests.factories import make_case

    monitor_user = make_user(Role.MONITOR)
    first, second = make_case(monitor_user), make_case(monitor_user)
    monitor = client_for(app, monitor_user)
    url = f"/cases/{first.public_id}/events/new"
    form = form_fields(monitor.get(url).get_data(as_text=True), "")
    form.update({"event_type": "arrest", "date": "2011-06-12", "description": "Detained."})
    assert monitor.post(url, data=form).status_code == 302

    assert "You saved this form" in monitor.get(url).get_data(as_text=True)
    other = monitor.get(f"/cases/{second.public_id}/events/new").get_data(as_text=True)
    assert NOTICE not in other
