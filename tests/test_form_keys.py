"""A create form sent twice (a double tap, a retry over a slow connection) saves once: every
form that makes a record carries its own key, claimed with what it saves."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from casework.api.models import IdempotencyKey
from casework.cases.models import Comment, Event
from casework.core import formkeys
from casework.core.db import db, utcnow
from casework.core.vocab import Role
from casework.evidence.models import Document, Source
from casework.people.models import Person
from tests.case_helpers import intake, page
from tests.clients import client_for
from tests.factories import make_user

ALREADY = "This form was already saved; it was not saved a second time."


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _key(html: str) -> str:
    return re.search(r'name="form_key" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def monitor(app):
    user = make_user(Role.MONITOR)
    client = client_for(app, user)
    return client, intake(client)


EVENT = {"event_type": "arrest", "date": "2011-06-09", "description": "Taken at night."}


@pytest.mark.parametrize(
    "path, data, model",
    [
        ("events/new", EVENT, Event),
        ("sources/new", {"kind": "relative", "identity": "The brother"}, Source),
        ("people/new", {"name": "Rustam Nazarov", "role": "witness", "confirm_new": "1"}, Person),
    ],
)
def test_a_create_form_sent_twice_saves_once(monitor, path, data, model):
    client, case = monitor
    url = f"/cases/{case.public_id}/{path}"
    key = _key(page(client, url))
    assert key != _key(page(client, url))  # a key per rendered form
    before = _count(model)
    first = client.post(url, data={**data, "form_key": key})
    second = client.post(url, data={**data, "form_key": key})
    assert first.status_code == second.status_code == 302, first.get_data(as_text=True)
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(model) == before + 1
    assert ALREADY in page(client, f"/cases/{case.public_id}")
    # Another rendering of the form is another record.
    client.post(url, data={**data, "form_key": _key(page(client, url))})
    assert _count(model) == before + 2


def test_a_comment_and_a_document_sent_twice_are_saved_once(monitor):
    client, case = monitor
    file_page = page(client, f"/cases/{case.public_id}")
    key = _key(file_page[file_page.index("/comments") :])
    for _ in range(2):
        client.post(
            f"/cases/{case.public_id}/comments", data={"body": "Call the lawyer.", "form_key": key}
        )
    assert _count(Comment) == 1
    url = f"/cases/{case.public_id}/documents/new"
    key = _key(page(client, url))
    for _ in range(2):
        response = client.post(
            url,
            data={"file": (io.BytesIO(b"Court decision.\n"), "decision.txt"), "form_key": key},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
    assert _count(Document) == 1


def test_a_refused_send_does_not_use_the_key_up(monitor):
    """The key is claimed with the save: a send the form refuses can be corrected and sent."""
    client, case = monitor
    url = f"/cases/{case.public_id}/events/new"
    key = _key(page(client, url))
    before = _count(Event)
    refused = client.post(url, data={**EVENT, "date": "2011-13-45", "form_key": key})
    assert refused.status_code == 200 and _count(Event) == before
    assert _key(refused.get_data(as_text=True)) == key  # the same form, shown again
    assert client.post(url, data={**EVENT, "form_key": key}).status_code == 302
    assert _count(Event) == before + 1


def test_an_edit_sent_twice_is_saved_once_not_shown_as_a_conflict(monitor):
    """The second send of an edit carries the version the first one replaced: without the key
    it would be an edit conflict with oneself."""
    client, case = monitor
    client.post(f"/cases/{case.public_id}/events/new", data=EVENT)
    event = db.session.scalar(
        select(Event).where(Event.case_id == case.id).order_by(Event.id.desc()).limit(1)
    )
    url = f"/cases/{case.public_id}/events/{event.public_id}/edit"
    form = page(client, url)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    data = {**EVENT, "description": "Taken at dawn.", "version": version, "form_key": _key(form)}
    assert client.post(url, data=data).status_code == 302
    again = client.post(url, data=data)
    assert again.status_code == 302
    assert ALREADY in page(client, f"/cases/{case.public_id}")
    db.session.expire_all()
    assert db.session.get(Event, event.id).description == "Taken at dawn."


def test_another_users_key_is_theirs(app, monitor):
    client, case = monitor
    other = make_user(Role.MONITOR)
    url = f"/cases/{case.public_id}/events/new"
    key = _key(page(client, url))
    client.post(url, data={**EVENT, "form_key": key})
    # The other user cannot use this case, and their own key space is separate anyway.
    assert formkeys.find(other, key, "form:cases.new_event") is None
    assert formkeys.find(
        db.session.get(type(other), case.created_by_id), key, "form:cases.new_event"
    )


def test_old_keys_are_forgotten_by_the_clean_up(monitor):
    client, case = monitor
    client.post(f"/cases/{case.public_id}/events/new", data={**EVENT, "form_key": "old-key"})
    client.post(f"/cases/{case.public_id}/events/new", data={**EVENT, "form_key": "new-key"})
    db.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.key == "old-key")
        .values(created_at=utcnow() - formkeys.KEPT - timedelta(hours=1))
    )
    db.session.commit()
    assert formkeys.purge() == 1
    db.session.commit()
    assert set(db.session.scalars(select(IdempotencyKey.key))) >= {"new-key"}
    assert "old-key" not in set(db.session.scalars(select(IdempotencyKey.key)))


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1bb", "a\nb", "a\tb"])
def test_a_key_with_control_characters_is_no_key(monitor, bad):
    """A key with a NUL or another control character cannot be stored as text by every
    database (PostgreSQL refuses NUL, a 500): it is no key, the form is saved as without one."""
    assert formkeys.clean(bad) is None
    client, case = monitor
    url = f"/cases/{case.public_id}/events/new"
    before = _count(Event)
    assert client.post(url, data={**EVENT, "form_key": bad}).status_code == 302
    assert _count(Event) == before + 1
    assert not any(not key.isprintable() for key in db.session.scalars(select(IdempotencyKey.key)))
    assert formkeys.clean(" form-key-1 ") == "form-key-1"
