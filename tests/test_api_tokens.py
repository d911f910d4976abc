"""Personal access tokens in the web application: created (shown once), listed, revoked."""

from __future__ import annotations

import re

from sqlalchemy import select

from casework.api.models import ApiToken
from casework.audit.models import AuditEntry
from casework.core.db import db
from casework.core.vocab import Role
from tests.api_clients import ApiClient
from tests.clients import client_for

_SECRET = re.compile(r'<code id="new-token">(cw_[A-Za-z0-9_-]+)</code>')


def _create(client, **data):
    form = {"name": "intake app", "scope": "write", "days": "30", **data}
    return client.post("/profile/tokens", data=form)


def test_token_is_shown_once_stored_hashed_and_works(app, make_user):
    monitor = make_user(Role.MONITOR)
    browser = client_for(app, monitor)
    page = _create(browser)
    assert page.status_code == 201
    secret = _SECRET.search(page.get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == monitor.id))
    assert secret not in (token.token_hash, token.prefix) and secret.startswith(token.prefix)
    listing = browser.get("/profile/tokens").get_data(as_text=True)
    assert "intake app" in listing and secret not in listing and "never" in listing
    answer = ApiClient(app, secret).get("cases")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"  # case data never stays in a cache
    assert "never" not in browser.get("/profile/tokens").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "api_token.created" in actions
    assert secret not in str(db.session.scalars(select(AuditEntry.details)).all())


def test_revoked_token_stops_working_and_only_its_owner_revokes_it(app, make_user):
    owner, other = make_user(Role.LAWYER), make_user(Role.LAWYER)
    browser = client_for(app, owner)
    secret = _SECRET.search(_create(browser).get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    stranger = client_for(app, other)
    assert stranger.post(f"/profile/tokens/{token.public_id}/revoke").status_code == 404
    answer = ApiClient(app, secret).get("cases")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"  # case data never stays in a cache
    assert browser.post(f"/profile/tokens/{token.public_id}/revoke").status_code == 302
    assert ApiClient(app, secret).get("cases").status_code == 401
    assert "revoked" in browser.get("/profile/tokens").get_data(as_text=True)


def test_token_form_refuses_bad_input(app, make_user):
    browser = client_for(app, make_user(Role.MONITOR))
    assert _create(browser, name="").status_code == 422
    assert _create(browser, days="4000").status_code == 422
    assert _create(browser, scope="admin").status_code == 422
    assert db.session.scalar(select(ApiToken.id)) is None


def test_api_reference_page_is_rendered_from_the_spec(app, make_user):
    browser = client_for(app, make_user(Role.MONITOR))
    page = browser.get("/api-reference").get_data(as_text=True)
    assert "GET /api/v1/cases/{case_id}" in page and "CaseOut" in page
    assert 'src="http' not in page and 'href="http' not in page  # nothing from elsewhere
