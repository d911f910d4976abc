"""Nothing is deleted: records are hidden with who, when and why, and coordinators restore them."""

from __future__ import annotations

from sqlalchemy import select

from casework.cases.models import CasePerson, Event
from casework.core.db import db
from casework.core.vocab import Role
from casework.evidence.models import Source
from tests.case_helpers import intake, page
from tests.factories import log_in


def _client(app, user):
    c = app.test_client()
    log_in(c, user)
    return c


def test_hide_event_and_restore_by_coordinator(app, make_user):
    monitor_user = make_user(Role.MONITOR)
    monitor = _client(app, monitor_user)
    coordinator = _client(app, make_user(Role.COORDINATOR))
    case = intake(monitor)
    monitor.post(
        f"/cases/{case.public_id}/events/new",
        data={"event_type": "arrest", "date": "2011-06-01", "description": "Wrong entry"},
    )
    event = db.session.scalar(select(Event).where(Event.event_type == "arrest"))
    hide_url = f"/cases/{case.public_id}/events/{event.public_id}/hide"
    # A reason is required.
    monitor.post(hide_url, data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(Event, event.id).hidden_at is None
    assert monitor.post(hide_url, data={"reason": "Duplicate of the removal"}).status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.hidden_at is not None
    assert event.hidden_by_id == monitor_user.id
    assert event.hidden_reason == "Duplicate of the removal"
    assert "Wrong entry" not in page(monitor, f"/cases/{case.public_id}")
    # The coordinator still sees it, marked, and restores it; the monitor may not.
    restore_url = f"/cases/{case.public_id}/events/{event.public_id}/restore"
    assert monitor.post(restore_url).status_code == 403
    assert "Wrong entry" in page(coordinator, f"/cases/{case.public_id}")
    assert coordinator.post(restore_url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).hidden_at is None
    assert "Wrong entry" in page(monitor, f"/cases/{case.public_id}")


def test_hide_person_source_and_document(app, make_user):
    monitor = _client(app, make_user(Role.MONITOR))
    case = intake(monitor)
    monitor.post(
        f"/cases/{case.public_id}/sources/new",
        data={"kind": "relative", "identity": "Brother", "reliability": "B", "credibility": "2"},
    )
    source = db.session.scalar(select(Source))
    person = db.session.scalar(select(CasePerson)).person
    for kind, rid in (("sources", source.public_id), ("people", person.public_id)):
        assert (
            monitor.post(
                f"/cases/{case.public_id}/{kind}/{rid}/hide", data={"reason": "Entered by mistake"}
            ).status_code
            == 302
        )
    db.session.expire_all()
    assert db.session.get(Source, source.id).hidden_at is not None
    assert db.session.scalar(select(CasePerson)).hidden_at is not None
    # Rows still exist.
    assert db.session.scalar(select(Source)) is not None


def test_hide_unknown_record_is_404_and_outsider_cannot_hide(app, make_user):
    monitor = _client(app, make_user(Role.MONITOR))
    case = intake(monitor)
    assert (
        monitor.post(f"/cases/{case.public_id}/events/nope/hide", data={"reason": "x"}).status_code
        == 404
    )
    event = db.session.scalar(select(Event))
    outsider = _client(app, make_user(Role.MONITOR))
    assert (
        outsider.post(
            f"/cases/{case.public_id}/events/{event.public_id}/hide", data={"reason": "x"}
        ).status_code
        == 404
    )


def test_names_are_hidden_not_deleted_and_the_last_one_stays(app, make_user):
    from casework.people.models import PersonName

    monitor = _client(app, make_user(Role.MONITOR))
    case = intake(monitor)
    person = db.session.scalar(select(CasePerson)).person
    base = f"/cases/{case.public_id}/people/{person.public_id}"
    only = db.session.scalar(select(PersonName))
    monitor.post(f"{base}/names/{only.id}/hide", data={"reason": "typo"})
    db.session.expire_all()
    assert db.session.get(PersonName, only.id).hidden_at is None
    monitor.post(
        f"{base}/names", data={"name-name": "Alisher Kholmatov", "name-kind": "transliteration"}
    )
    assert monitor.post(f"{base}/names/{only.id}/hide", data={"reason": "typo"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(PersonName, only.id).hidden_at is not None
    assert "Alisher Kholmatov" in page(monitor, f"/cases/{case.public_id}")


def test_a_family_link_made_again_forgets_its_removal(app, make_user):
    """Linked, removed, linked again: the link says nothing of the removal any more (the
    audit trail keeps it), as a person added back to a case."""
    from casework.core.hiding import hide
    from casework.people.models import FamilyLink
    from casework.people.services import NameInput, add_family_link, create_person

    monitor = make_user(Role.MONITOR)
    person = create_person(monitor, [NameInput("Алишер Холматов")])
    wife = create_person(monitor, [NameInput("Гулнора Холматова")])
    link = add_family_link(monitor, wife, person, "spouse")
    hide(link, monitor, "Entered on the wrong person")
    db.session.commit()
    assert link.hidden_reason == "Entered on the wrong person"

    again = add_family_link(monitor, wife, person, "spouse")
    db.session.commit()
    db.session.expire_all()
    link = db.session.get(FamilyLink, again.id)
    assert (link.hidden_at, link.hidden_by_id, link.hidden_reason) == (None, None, None)
