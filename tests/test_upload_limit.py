"""The upload limit is stated on the form, checked in the browser, and a too-large request
comes back to its form with a clear message (never a bare error page, never a 500)."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from casework.core.vocab import Role, TeamRole
from tests.clients import client_for
from tests.factories import make_case, make_user


@pytest.fixture
def small_limit(app):
    saved = app.config["MAX_CONTENT_LENGTH"], app.config["MAX_UPLOAD_BYTES"]
    app.config["MAX_UPLOAD_BYTES"] = 2 * 1024 * 1024
    app.config["MAX_CONTENT_LENGTH"] = 3 * 1024 * 1024
    yield
    app.config["MAX_CONTENT_LENGTH"], app.config["MAX_UPLOAD_BYTES"] = saved


def test_the_form_states_the_limit_and_checks_it_before_sending(app):
    monitor = make_user(Role.MONITOR)
    case = make_case(monitor)
    html = client_for(app, monitor).get(f"/cases/{case.public_id}/documents/new").get_data(True)
    limit = app.config["MAX_UPLOAD_BYTES"]
    assert f'data-max-bytes="{limit}"' in html
    assert f"Largest file: {limit // (1024 * 1024)} MB." in html
    assert "js/upload-limit.js" in html
    script = client_for(app, monitor).get("/static/js/upload-limit.js")
    assert script.status_code == 200 and b"data-max-bytes" in script.data
    script.close()


def test_a_too_large_upload_returns_to_the_form_with_the_limit(app, small_limit):
    monitor = make_user(Role.MONITOR)
    lawyer = make_user(Role.LAWYER)
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),))
    client = client_for(app, monitor)
    url = f"/cases/{case.public_id}/documents/new"
    big = io.BytesIO(b"x" * (4 * 1024 * 1024))
    response = client.post(
        url, data={"file": (big, "scan.pdf"), "description": "Court file"}, follow_redirects=True
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "The file was too large: the limit is 2 MB. Nothing was saved." in html
    assert 'enctype="multipart/form-data"' in html  # the form itself, to try again
    assert response.request.path == url


def test_a_too_large_post_to_an_action_without_a_page_says_the_limit(app, small_limit):
    coordinator = make_user(Role.COORDINATOR)
    case = make_case(coordinator)
    client = client_for(app, coordinator)
    response = client.post(
        f"/cases/{case.public_id}/comments", data={"body": "x" * (4 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert "the limit is 2 MB" in response.get_data(as_text=True)


def test_the_browsers_message_of_a_too_large_file_is_in_the_readers_language(app):
    """The script only fills in the sizes: its sentence comes with the page, translated."""
    monitor = make_user(Role.MONITOR, language="ru")
    case = make_case(monitor)
    html = client_for(app, monitor).get(f"/cases/{case.public_id}/documents/new").get_data(True)
    assert (
        'data-too-large="Размер файла — {size} МБ; предел — {limit} МБ. Выберите файл поменьше '
        '(или разделите его) перед отправкой."'
    ) in html
    script = client_for(app, monitor).get("/static/js/upload-limit.js")
    code = script.get_data(as_text=True)
    script.close()
    assert "data-too-large" in code and "This file is" not in code


def test_a_too_large_attachment_returns_to_its_action_with_the_limit(app, small_limit):
    """An action's attachments are sent to an address of their own, from the action's page:
    the message comes back above that page, not on a bare error page."""
    from tests.test_advocacy_documents import _appeal_of, _attach

    appeal = _appeal_of(app)
    action_page = f"/advocacy/actions/{appeal.action.public_id}"
    big = io.BytesIO(b"%PDF-1.4\n" + b"x" * (4 * 1024 * 1024))
    response = appeal.client.post(
        f"{action_page}/documents",
        data={"doc-file": (big, "letter.pdf"), "doc-description": "Annex 2"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert response.request.path == action_page
    html = response.get_data(as_text=True)
    assert "The file was too large: the limit is 2 MB. Nothing was saved." in html
    # Within the limit, the same form attaches the file.
    small = _attach(appeal.client, appeal.action, b"%PDF-1.4\n" + b"x" * 1000, "letter.pdf")
    assert small.status_code in (302, 303)
    assert "letter.pdf" in appeal.client.get(action_page).get_data(as_text=True)


def _post_file(client, url: str, field: str, content: bytes, name: str, **fields: str):
    # Encoded here, in memory: the test client spools a large body to a file it leaves open.
    boundary, body = encode_multipart({field: FileStorage(io.BytesIO(content), name), **fields})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.fixture
def configured_limit(app, monkeypatch, tmp_path):
    """The limits as a server configured for 1 MB uploads has them (both from the settings)."""
    from config import DevelopmentConfig

    monkeypatch.setenv("CASEWORK_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("CASEWORK_MAX_UPLOAD_MB", "1")
    settings = DevelopmentConfig.load()
    saved = app.config["MAX_CONTENT_LENGTH"], app.config["MAX_UPLOAD_BYTES"]
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_CONTENT_LENGTH"]
    app.config["MAX_UPLOAD_BYTES"] = settings["MAX_UPLOAD_BYTES"]
    yield settings
    app.config["MAX_CONTENT_LENGTH"], app.config["MAX_UPLOAD_BYTES"] = saved


def test_a_file_a_few_times_over_the_limit_comes_back_with_what_was_typed(app, configured_limit):
    """A monitor without the page's script (a locked-down browser) sends a 3 MB video where
    1 MB is the limit: the form comes back with the limit said and the description they typed
    still in it; nothing is stored. A file within the limit, sent the same way, is stored."""
    from sqlalchemy import func, select

    from casework.core.db import db
    from casework.evidence.models import Document

    monitor = make_user(Role.MONITOR)
    case = make_case(monitor)
    client = client_for(app, monitor)
    url = f"/cases/{case.public_id}/documents/new"
    typed = "Video of the transfer at the airport, 12 April"
    big = b"%PDF-1.4\n" + b"x" * (3 * 1024 * 1024)
    response = _post_file(client, url, "file", big, "scan.pdf", description=typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The file is larger than the limit of 1 MB." in html
    assert f'value="{typed}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert db.session.scalar(select(func.count(Document.id))) == 0

    small = b"%PDF-1.4\n" + b"x" * 1000
    response = _post_file(client, url, "file", small, "scan.pdf", description=typed)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Document)).description == typed


def test_an_attachment_a_few_times_over_the_limit_comes_back_with_what_was_typed(
    app, configured_limit
):
    """The same on an action's page: its attachment form comes back with the description."""
    from tests.test_advocacy_documents import _appeal_of, _count

    appeal = _appeal_of(app)
    typed = "Reply of the Prosecutor General of Uzbekistan"
    big = b"%PDF-1.4\n" + b"x" * (3 * 1024 * 1024)
    url = f"/advocacy/actions/{appeal.action.public_id}/documents"
    response = _post_file(
        appeal.client, url, "doc-file", big, "letter.pdf", **{"doc-description": typed}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The file is larger than the limit of 1 MB." in html
    assert f'value="{typed}"' in html
    assert _count() == 0


def test_an_upload_holds_no_more_of_a_file_than_the_limit_needs(app, configured_limit):
    """Past the limit, a file's bytes are read and let go: the request holds one byte more
    than the limit, enough to say it is too large, however large the file."""
    limit = configured_limit["MAX_UPLOAD_BYTES"]
    held = {}
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(b"x" * 3 * limit), "a.pdf")})
    with app.test_request_context(
        "/", method="POST", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    ):
        from flask import request

        # As a signed-in uploader's request is read (no one is signed in here).
        request.max_content_length = app.config["MAX_CONTENT_LENGTH"]
        stream = request.files["file"].stream
        held["size"] = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        held["read"] = len(stream.read())
    assert held == {"size": limit + 1, "read": limit + 1}


def test_someone_not_signed_in_is_read_a_small_request_only(app):
    """The ceiling that lets a too-large file's form come back (several times the upload limit)
    is for those who may upload: a login form sent with megabytes is refused unread, while a
    signed-in user's request of the same size is read."""
    from casework.core.securetemp import ANONYMOUS_MAX_BYTES

    padding = "x" * (ANONYMOUS_MAX_BYTES + 1024)
    anonymous = app.test_client().post(
        "/login", data={"email": "someone@example.org", "password": padding}, follow_redirects=True
    )
    assert "too large" in anonymous.get_data(as_text=True)
    assert anonymous.request.path == "/login"
    monitor = make_user(Role.MONITOR)
    case = make_case(monitor)
    signed_in = client_for(app, monitor).post(
        f"/cases/{case.public_id}/comments", data={"body": padding}, follow_redirects=True
    )
    assert signed_in.status_code == 200
    assert "too large" not in signed_in.get_data(as_text=True)
