"""A NUL character, which a browser never sends but a crafted request may, reaches neither a
person's record nor a query: PostgreSQL refuses it in text (a 500), so it is refused first,
as the API refuses it."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from casework.cases import services as case_services
from casework.core.db import db
from casework.core.vocab import Role, TeamRole
from tests.case_helpers import intake
from tests.clients import client_for


@contextmanager
def no_nul_reaches_the_database():
    sent: list[str] = []

    def spy(conn, cursor, statement, parameters, context, executemany):
        rows = parameters if executemany else [parameters]
        for row in rows:
            values = row.values() if isinstance(row, dict) else row or ()
            sent.extend(v for v in values if isinstance(v, str) and "\x00" in v)

    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)
    assert sent == []


@pytest.fixture
def world(app, make_user):
    coordinator, lawyer = make_user(Role.COORDINATOR), make_user(Role.LAWYER)
    client = client_for(app, make_user(Role.MONITOR))
    case = intake(client, name="Алишер Холматов")
    case_services.add_member(coordinator, case, lawyer, TeamRole.LAWYER)
    db.session.commit()
    return client, client_for(app, lawyer), case, case_services.primary_person(case)


def test_a_nul_in_a_persons_details_is_refused_and_nothing_saved(world):
    client, _lawyer, case, person = world
    url = f"/cases/{case.public_id}/people/{person.public_id}"
    form = {"gender": "male", "legal_status": "unknown", "consent": "none",
            "government_contact": "not_asked", "ethnicity": "Uzbek\x00",
            "version": person.version}  # fmt: skip
    with no_nul_reaches_the_database():
        response = client.post(url, data=form)
    assert response.status_code == 200
    assert "may not contain NUL" in response.get_data(as_text=True)
    db.session.expire_all()
    assert person.ethnicity is None and person.gender.value == "unknown"
    assert client.post(url, data=dict(form, ethnicity="Uzbek")).status_code == 302


def test_a_nul_in_a_persons_id_is_no_such_person(world):
    client, lawyer, case, person = world
    base = f"/cases/{case.public_id}/people"
    with no_nul_reaches_the_database():
        assert client.get(f"{base}/{person.public_id}%00").status_code == 404
        linked = client.post(f"{base}/new", data={"link-person": "ab\x00cd", "link-role": "family"})
        assert linked.status_code == 404
        merged = lawyer.post(f"{base}/{person.public_id}/merge", data={"other": "ab\x00cd"})
        assert merged.status_code == 404
