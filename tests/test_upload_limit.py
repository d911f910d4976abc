"""The upload limit is stated on the form, checked in the browser, and a too-large request
comes back to its form with a clear message (never a bare error page, never a 500)."""

from __future__ import annotations

import io

import pytest

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
