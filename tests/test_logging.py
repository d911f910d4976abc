"""Identifying data never reaches the logs, even when something fails."""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import date
from urllib.error import HTTPError
from urllib.request import urlopen

from sqlalchemy import text
from werkzeug.serving import make_server

from casework.cases import services as case_services
from casework.core.accesslog import AccessLogFilter
from casework.core.db import db
from casework.core.vocab import Role, TeamRole
from casework.people import services as people_services
from tests.case_helpers import INTAKE, intake
from tests.clients import client_for
from tests.factories import log_in

SECRET_NAME = "Холматов-Secret-Name"


def _failed_intake(app, user, caplog, monkeypatch, failing):
    """An intake whose service fails with ``failing`` (its signature), sent by ``user`` with
    the secret name; the 500 response, everything logged in ``caplog``."""
    from casework.cases import services

    monkeypatch.setattr(services, "intake", failing)
    client = app.test_client()
    log_in(client, user)
    with caplog.at_level(logging.DEBUG):
        response = client.post("/cases/new", data=dict(INTAKE, name=SECRET_NAME))
    assert response.status_code == 500
    return response


def test_unexpected_database_error_logs_no_values(app, make_user, caplog, monkeypatch):
    def failing_intake(actor, data, *, draft=False, idempotency_key=None, typed_on=None):
        db.session.execute(
            text("INSERT INTO no_such_table (name) VALUES (:name)"), {"name": data.name}
        )

    user = make_user(Role.MONITOR)
    response = _failed_intake(app, user, caplog, monkeypatch, failing_intake)
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


CALENDAR_SECRET = "CalendarSecret-7f3a9c"


def _serve_and_get(app, paths: list[str]) -> None:
    """Requests ``paths`` from a real Werkzeug server, whose request logger is the one at risk."""
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in paths:
            # A 404 raises HTTPError: the request was logged all the same.
            with contextlib.suppress(HTTPError):
                urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=10)  # noqa: S310
    finally:
        server.shutdown()
        thread.join()


def test_request_log_holds_no_calendar_secret_and_no_filter_values(app, caplog):
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        _serve_and_get(
            app,
            [
                f"/calendar/{CALENDAR_SECRET}.ics",
                "/cases?nationality=UZ&destination=CN&q=Filter-Value-Marker",
                "/admin/audit?action=Filter-Value-Marker&page=2",
            ],
        )
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "werkzeug")
    assert "GET /calendar/[redacted].ics HTTP/1.1" in logged
    assert "GET /cases HTTP/1.1" in logged and "GET /admin/audit HTTP/1.1" in logged
    assert "GET /login HTTP/1.1" in logged  # the redirect's ?next= is gone too
    assert CALENDAR_SECRET not in caplog.text
    assert "Filter-Value-Marker" not in caplog.text and "nationality" not in caplog.text
    assert "?" not in logged


def test_access_log_filter_rewrites_gunicorn_style_lines(app):
    access_filter = next(
        f for f in logging.getLogger("gunicorn.access").filters if isinstance(f, AccessLogFilter)
    )
    record = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        '%(h)s "%(r)s" %(s)s',
        ({"h": "10.0.0.1", "r": f"GET /calendar/{CALENDAR_SECRET}.ics?x=1 HTTP/1.1", "s": "200"},),
        None,
    )
    assert access_filter.filter(record)
    assert record.getMessage() == '10.0.0.1 "GET /calendar/[redacted].ics HTTP/1.1" 200'


def test_a_name_in_a_script_no_font_draws_is_not_spelled_out_in_the_log(app, make_user, caplog):
    """The dossier's PDF renderer warns of each character no installed font has, quoting it:
    a name in such a script (here Glagolitic, and private-use characters no font has) went to
    the log letter by letter. The warning stays, without the character."""
    monitor, lawyer = make_user(Role.MONITOR), make_user(Role.LAWYER)
    case = intake(client_for(app, monitor), name="Ⰰⰱⰲⰳ \ue000\ue001")
    person = case_services.primary_person(case)
    people_services.update_person(
        monitor, person, {"consent": "named", "consent_date": date(2024, 3, 1)}, person.version
    )
    case_services.add_member(make_user(Role.COORDINATOR), case, lawyer, TeamRole.LAWYER)
    db.session.commit()
    with caplog.at_level(logging.DEBUG):
        response = client_for(app, lawyer).get(
            f"/cases/{case.public_id}/outputs/dossier/file?format=pdf"
        )
    assert response.status_code == 200
    assert "no installed font" in caplog.text
    for letter in "Ⰰⰱⰲⰳ\ue000\ue001":
        assert letter not in caplog.text
        assert f"U+{ord(letter):04X}" not in caplog.text


def test_a_database_error_quoting_a_value_is_logged_without_it(app, make_user, caplog, monkeypatch):
    """The server's own message may quote a row's values (PostgreSQL: "DETAIL: Key (email)=
    (...) already exists", "invalid input syntax ... "..."): an unexpected error is logged by its
    kind and the constraint it names, with its traceback, never by that message."""

    def failing_intake(actor, data, *, draft=False, idempotency_key=None, typed_on=None):
        # A text where a number belongs, and a duplicate key: each answered by the server with
        # a message quoting the value (on SQLite, by other messages; the log is the same).
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SELECT CAST(:name AS integer)"), {"name": data.name})
        db.session.execute(
            text("INSERT INTO users (id, email) SELECT id, email FROM users WHERE id = :id"),
            {"id": actor.id},
        )

    user = make_user(Role.MONITOR)
    _failed_intake(app, user, caplog, monkeypatch, failing_intake)
    assert SECRET_NAME not in caplog.text and user.email not in caplog.text
    assert "Traceback" in caplog.text and "failing_intake" in caplog.text
    assert "Error: " in caplog.text  # the kind of error, and on PostgreSQL its SQLSTATE
    if db.engine.dialect.name == "postgresql":
        assert "SQLSTATE 22P02" in caplog.text


def test_a_failed_jobs_database_error_reaches_the_queue_without_its_message():
    from sqlalchemy.exc import IntegrityError

    from casework.core.dberrors import DatabaseFailure, without_values

    class ServerError(Exception):
        sqlstate = "23505"

    quoted = "duplicate key value\nDETAIL:  Key (email)=(monitor@example.org) already exists."
    try:
        try:
            raise IntegrityError("INSERT INTO users ...", {}, ServerError(quoted))
        except IntegrityError as exc:
            raise RuntimeError("the job's own step failed") from exc
    except RuntimeError as exc:
        told = without_values(exc)
    assert isinstance(told, DatabaseFailure)
    assert "monitor@example.org" not in str(told) and "SQLSTATE 23505" in str(told)
    plain = ValueError("nothing of the database")
    assert without_values(plain) is plain


def test_any_unexpected_error_is_logged_without_its_message(app, make_user, caplog, monkeypatch):
    """A library's error may quote what it was given (openpyxl a cell, ``int()`` a typed text,
    a ``KeyError`` the key): the log says what was raised and where, never the message. An
    error of the app's own that names only a table, a column and a row keeps its message."""
    from casework.core.crypto import CryptoError

    def failing_intake(actor, data, *, draft=False, idempotency_key=None, typed_on=None):
        try:
            int(data.name)
        except ValueError as exc:
            raise KeyError(data.name) from exc

    _failed_intake(app, make_user(Role.MONITOR), caplog, monkeypatch, failing_intake)
    assert SECRET_NAME not in caplog.text
    assert "Traceback" in caplog.text and "failing_intake" in caplog.text
    assert "ValueError" in caplog.text and "KeyError" in caplog.text
    assert "message withheld" in caplog.text

    logger = logging.getLogger("casework.test")
    with caplog.at_level(logging.DEBUG):
        try:
            raise CryptoError("cases.narrative of row 7 does not decrypt")
        except CryptoError:
            logger.exception("a value could not be read")
    assert "cases.narrative of row 7 does not decrypt" in caplog.text
