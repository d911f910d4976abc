"""Login is required everywhere but a short allowlist; enumerated from the URL map."""

from __future__ import annotations

import pytest

from casework.core.pipeline import PUBLIC_ENDPOINTS
from tests.factories import PASSWORD
from tests.routes import build_url

ALLOWED_PUBLIC = {
    "static",
    "core.healthz",
    "accounts.login",
    "accounts.choose_language",  # a cookie with a language code, before anyone is known
    "accounts.setup",
    "accounts.login_code",
    "accounts.password_reset",
    "advocacy.calendar_feed",
    "api.openapi",  # the API's description: no data
}


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = build_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_allowlist_is_short_and_known():
    assert set(PUBLIC_ENDPOINTS) == ALLOWED_PUBLIC


def test_every_other_endpoint_redirects_anonymous_users_to_login(app, client):
    checked = 0
    for endpoint, method, url in _rules(app):
        response = client.open(url, method=method)
        if url.startswith("/api/"):
            assert response.status_code == 401, (endpoint, method, url)
        else:
            assert response.status_code == 302, (endpoint, method, url, response.status_code)
            assert "/login" in response.headers["Location"], (endpoint, url)
        checked += 1
    assert checked >= 8


def test_login_redirect_keeps_path_but_not_query(client, make_user):
    make_user()
    response = client.get("/admin/users?q=secret-name")
    assert response.status_code == 302
    assert "secret-name" not in response.headers["Location"]


@pytest.mark.parametrize("path", ["/healthz", "/login", "/static/css/casework.css"])
def test_public_endpoints_answer_anonymous_users(client, make_user, path):
    make_user()
    with client.get(path) as response:
        assert response.status_code == 200


def test_security_headers(client, make_user):
    make_user()
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_page_is_a_clean_404(client, login, make_user):
    login(make_user())
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_signed_in_answers_are_never_cached_even_after_the_view_commits(
    app, client, login, make_user
):
    from casework.core.vocab import Role
    from tests.factories import make_case

    monitor = make_user(Role.MONITOR)
    case = make_case(monitor)
    assert "Cache-Control" not in client.get("/login").headers  # nobody signed in yet
    login(monitor)
    # Viewing a case file commits its audit entry; adding a comment commits and redirects.
    viewed = client.get(f"/cases/{case.public_id}")
    added = client.post(f"/cases/{case.public_id}/comments", data={"body": "Seen at the court."})
    assert viewed.status_code == 200 and added.status_code == 302
    assert viewed.headers["Cache-Control"] == "no-store"
    assert added.headers["Cache-Control"] == "no-store"
    assert "Seen at the court." in client.get(f"/cases/{case.public_id}").get_data(as_text=True)


def test_what_was_typed_before_signing_in_is_never_cached(client, make_user):
    """The answer to a form sent before signing in shows what was typed: a failed login keeps
    the e-mail address (a monitor's name, often), the first-run setup the administrator's name.
    A browser may keep a page it may cache after the window is closed; these it may not."""
    assert "Cache-Control" not in client.get("/login").headers  # the empty form may be kept
    typed = "aliya.nurmagambetova@example.org"
    failed = client.post("/login", data={"email": typed, "password": "not the password at all"})
    assert typed in failed.get_data(as_text=True)  # kept in the form for another try
    assert failed.headers["Cache-Control"] == "no-store"
    setup = client.post(
        "/setup", data={"display_name": "Aliya Nurmagambetova", "email": typed, "password": "x"}
    )
    assert "Aliya Nurmagambetova" in setup.get_data(as_text=True)  # refused: too short
    assert setup.headers["Cache-Control"] == "no-store"
    # Signing in goes through as before.
    user = make_user()
    signed_in = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in.headers["Cache-Control"] == "no-store"
