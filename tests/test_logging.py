"""Identifying data never reaches the logs, even when something fails."""

from __future__ import annotations

import logging

from sqlalchemy import text

from casework.core.db import db
from casework.core.vocab import Role
from tests.case_helpers import INTAKE
from tests.factories import log_in

SECRET_NAME = "Холматов-Secret-Name"


def test_unexpected_database_error_logs_no_values(app, make_user, caplog, monkeypatch):
    from casework.cases import services

    def failing_intake(actor, data, *, draft=False):
        db.session.execute(
            text("INSERT INTO no_such_table (name) VALUES (:name)"), {"name": data.name}
        )

    monkeypatch.setattr(services, "intake", failing_intake)
    client = app.test_client()
    log_in(client, make_user(Role.MONITOR))
    with caplog.at_level(logging.DEBUG):
        response = client.post("/cases/new", data=dict(INTAKE, name=SECRET_NAME))
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert SECRET_NAME not in page and "Traceback" not in page
    assert "no_such_table" in caplog.text  # the failure itself is logged...
    assert SECRET_NAME not in caplog.text  # ...without the values


def test_normal_work_logs_no_names(app, make_user, caplog):
    client = app.test_client()
    log_in(client, make_user(Role.MONITOR))
    with caplog.at_level(logging.DEBUG):
        response = client.post("/cases/new", data=dict(INTAKE, name=SECRET_NAME))
        client.get(response.headers["Location"])
        client.post("/cases/search", data={"name": SECRET_NAME})
    assert SECRET_NAME not in caplog.text
