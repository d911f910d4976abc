"""The database failing halfway through a request: a 503 that keeps what was typed, nothing
half-written, the audit chain intact, and the next request works.

A fixture makes the Nth SQL statement fail (as a lost connection does); the intake is replayed
with N at every statement it runs. On PostgreSQL the backend is also killed mid-request.
"""

from __future__ import annotations

import errno
import io
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError

from casework.audit import chain
from casework.cases.models import Case
from casework.core import storage as storage_module
from casework.core.db import db
from casework.core.storage import storage
from casework.core.vocab import Role
from casework.evidence.models import Document
from tests.api_clients import api_for
from tests.case_helpers import INTAKE, intake
from tests.clients import client_for
from tests.html_forms import form_fields

TYPED = "Arrested at home by the KNB on 3 June; his wife saw the car (secret detail 41)."
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _row_counts() -> dict[str, int]:
    """Rows in every table, read on a connection of its own (not the test's session)."""
    with db.engine.connect() as conn:
        return {
            table.name: conn.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def _chain_ok() -> bool:
    db.session.expire_all()
    verdict = chain.verify(db.session)
    db.session.rollback()
    return verdict.ok


class Fault:
    """Counts the statements sent to the database; the ``fail_at``-th one fails."""

    def __init__(self, fail_at: int | None = None, action=None) -> None:
        self.fail_at = fail_at
        self.action = action
        self.count = 0
        self.fired = False
        self.committed = False  # did the request commit before the fault fired?
        self._busy = threading.local()

    def note_commit(self, session) -> None:
        if not self.fired and not session.in_nested_transaction():
            self.committed = True

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if getattr(self._busy, "on", False):
            return
        self.count += 1
        if self.count != self.fail_at:
            return
        self.fired = True
        if self.action is not None:
            self._busy.on = True
            try:
                self.action(cursor)
            finally:
                self._busy.on = False
            return
        raise OperationalError(statement, None, ConnectionError("injected: connection lost"))


@contextmanager
def fault(fail_at: int | None = None, action=None) -> Iterator[Fault]:
    counter = Fault(fail_at, action)
    event.listen(db.engine, "before_cursor_execute", counter)
    event.listen(db.session, "after_commit", counter.note_commit)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
        event.remove(db.session, "after_commit", counter.note_commit)


@pytest.fixture
def monitor_client(app, make_user):
    monitor = make_user(Role.MONITOR)
    client = client_for(app, monitor)
    intake(client)  # the first write of a run also creates the data key: warm it up
    return client


def _intake_form() -> dict[str, str]:
    return dict(INTAKE, narrative=TYPED)


def _assert_kept_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "nothing was saved" in html
    # What was typed comes back in the page, ready to send again.
    assert TYPED in html and "Алишер Холматов" in html
    assert 'name="narrative"' in html and 'action="/cases/new"' in html
    assert 'name="save" value="1"' in html and 'name="csrf_token"' in html


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}


def test_intake_fails_cleanly_at_every_statement(monitor_client, caplog):
    """Whatever statement fails, the intake is written whole or not at all."""
    client = monitor_client
    before = _row_counts()
    with fault() as probe:
        response = client.post("/cases/new", data=_intake_form())
    assert response.status_code == 302
    statements, whole = probe.count, _delta(before, _row_counts())
    assert statements > 10  # session, reference, case, member, person, names, keys, event...
    assert {"cases", "case_members", "people", "person_names", "case_people", "events",
            "status_changes", "audit_entries"} <= set(whole)  # fmt: skip

    before_commit = 0
    for n in range(1, statements + 1):
        before = _row_counts()
        with fault(fail_at=n) as injected:
            response = client.post("/cases/new", data=_intake_form())
        assert injected.fired, n
        if injected.committed:
            # Failing after the commit (reading the page that follows): all of it is saved,
            # and the user is told so rather than invited to send it again.
            assert _delta(before, _row_counts()) == whole, f"statement {n}"
            if response.status_code == 503:
                html = response.get_data(as_text=True)
                assert "was saved" in html and TYPED not in html
            continue
        before_commit += 1
        _assert_kept_page(response)
        assert _row_counts() == before, f"statement {n} left rows behind"
    assert before_commit > 10
    assert _chain_ok()
    # The typed text never reached the log.
    assert TYPED not in caplog.text and "Холматов" not in caplog.text

    # The next request works, and saves everything at once.
    before = _row_counts()
    assert client.post("/cases/new", data=_intake_form()).status_code == 302
    assert _delta(before, _row_counts()) == whole
    assert _chain_ok()


def test_the_page_sent_again_saves_the_case(monitor_client):
    """ "Try again" posts exactly what was typed (with a fresh CSRF token)."""
    client = monitor_client
    with fault(fail_at=5):
        response = client.post("/cases/new", data={**_intake_form(), "save_draft": "1"})
    _assert_kept_page(response)
    fields = form_fields(response.get_data(as_text=True), action="/cases/new")
    assert fields["narrative"] == TYPED and fields["save_draft"] == "1"
    response = client.post("/cases/new", data=fields)
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.scalar(
        select(Case).where(Case.public_id == response.headers["Location"].rsplit("/", 1)[1])
    )
    assert case.narrative == TYPED


def test_failure_while_checking_the_session_is_a_503_too(monitor_client):
    with fault(fail_at=1) as injected:
        response = monitor_client.get("/cases")
    assert injected.fired and response.status_code == 503
    assert monitor_client.get("/cases").status_code == 200


def test_api_create_answers_503_in_the_error_shape_and_writes_nothing(app, make_user):
    monitor = make_user(Role.MONITOR)
    api = api_for(app, monitor)
    body = {"name": "Алишер Холматов", "act_type": "extradition", "act_date": "2011-06",
            "narrative": TYPED}  # fmt: skip
    before = _row_counts()
    with fault() as probe:
        assert api.post("cases", json=body).status_code == 201
    whole = _delta(before, _row_counts())
    for n in range(1, probe.count + 1):
        before = _row_counts()
        with fault(fail_at=n) as injected:
            response = api.post("cases", json=body)
        if injected.committed:
            assert _delta(before, _row_counts()) == whole
            continue
        assert response.status_code == 503, n
        assert response.headers["Retry-After"].isdigit()
        assert response.get_json()["error"]["code"] == "unavailable"
        assert TYPED not in response.get_data(as_text=True)
        assert _row_counts() == before, f"statement {n} left rows behind"
    assert _chain_ok()
    assert api.post("cases", json=body).status_code == 201


# --- PostgreSQL: the backend killed mid-request ------------------------------------------------


def _kill_backend(cursor) -> None:
    """Terminate the server process behind ``cursor`` from another connection."""
    pid = cursor.connection.info.backend_pid
    with db.engine.connect() as other:
        # Waits (up to 5 s) until the process is gone, so the statement meets a dead connection.
        assert other.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        other.commit()


@pytest.mark.skipif(
    not (os.environ.get("CASEWORK_TEST_DATABASE_URL") or "").startswith("postgresql"),
    reason="kills a PostgreSQL backend",
)
def test_backend_killed_mid_intake(monitor_client):
    client = monitor_client
    before = _row_counts()
    with fault() as probe:
        assert client.post("/cases/new", data=_intake_form()).status_code == 302
    statements, whole = probe.count, _delta(before, _row_counts())
    killed_before_commit = 0
    for n in range(2, statements + 1, 2):
        before = _row_counts()
        with fault(fail_at=n, action=_kill_backend) as injected:
            response = client.post("/cases/new", data=_intake_form())
        assert injected.fired
        if injected.committed:
            assert _delta(before, _row_counts()) == whole, f"killed at statement {n}"
        else:
            killed_before_commit += 1
            _assert_kept_page(response)
            assert _row_counts() == before, f"killed at statement {n}: rows left behind"
        # The pool dropped the dead connection: the next request works.
        assert client.get("/cases").status_code == 200
    assert killed_before_commit > 5
    assert _chain_ok()
    before = _row_counts()
    assert client.post("/cases/new", data=_intake_form()).status_code == 302
    assert _delta(before, _row_counts()) == whole


# --- attachments: the store and the database fail apart ----------------------------------------


def _stored(app) -> set[str]:
    folder = Path(app.config["UPLOAD_DIR"])
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def _upload(client, case, description="Decision of the Almaty court, 12 June"):
    return client.post(
        f"/cases/{case.public_id}/documents/new",
        data={"file": (io.BytesIO(PDF), "decision.pdf"), "description": description},
        content_type="multipart/form-data",
    )


@pytest.fixture
def case_with_client(monitor_client):
    return monitor_client, intake(monitor_client)


def test_disk_full_keeps_the_form_and_leaves_no_file_and_no_row(app, case_with_client, monkeypatch):
    client, case = case_with_client
    files, rows = _stored(app), _row_counts()

    def disk_full(source, out, length=0):
        out.write(source.read(10))  # half a file on disk, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(storage_module.shutil, "copyfileobj", disk_full)
    response = _upload(client, case)
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "could not be stored" in html and "Nothing was saved" in html
    assert "Decision of the Almaty court, 12 June" in html  # the other fields are kept
    assert _stored(app) == files  # no file, not even the temporary one
    assert _row_counts() == rows
    monkeypatch.undo()
    assert _upload(client, case).status_code == 302


def test_database_failing_after_the_file_was_stored_removes_the_file(
    app, case_with_client, monkeypatch
):
    client, case = case_with_client
    with fault() as probe:
        assert _upload(client, case).status_code == 302
    statements = probe.count
    files, rows = _stored(app), _row_counts()
    store = storage()
    real_put = store.put
    current: list[Fault] = []
    failed_after_put = []

    def put(key, source):
        if not current[-1].fired:
            failed_after_put.append(current[-1].fail_at)
        real_put(key, source)

    monkeypatch.setattr(store, "put", put)
    for n in range(1, statements + 1):
        with fault(fail_at=n) as injected:
            current.append(injected)
            response = _upload(client, case)
        if injected.committed:  # the document and its file were saved together
            db.session.expire_all()
            latest = db.session.scalars(select(Document).order_by(Document.id.desc())).first()
            assert latest.storage_name in _stored(app)
            files, rows = _stored(app), _row_counts()
            continue
        assert response.status_code == 503, n
        html = response.get_data(as_text=True)
        assert "Decision of the Almaty court" in html and 'type="file" name="file"' in html
        assert _stored(app) == files, f"statement {n}: a file without its row"
        assert _row_counts() == rows
    # Some of those failures came after the file was in the store, and it was removed again.
    assert failed_after_put


def test_commit_failing_removes_the_stored_file(app, case_with_client, monkeypatch):
    client, case = case_with_client
    files, rows = _stored(app), _row_counts()

    def refuse_commit(session):
        raise OperationalError("COMMIT", None, ConnectionError("injected: connection lost"))

    event.listen(db.session, "before_commit", refuse_commit)
    try:
        response = _upload(client, case)
    finally:
        event.remove(db.session, "before_commit", refuse_commit)
    assert response.status_code == 503
    assert _stored(app) == files and _row_counts() == rows
    assert _upload(client, case).status_code == 302
    db.session.expire_all()
    document = db.session.scalar(select(Document))
    assert _stored(app) == files | {document.storage_name}
