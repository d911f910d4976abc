"""Two application servers, one PostgreSQL, one Redis, one attachment store: whichever server a
request lands on, the user sees the same system.

A login made on server A holds on server B (sessions are rows in the database), a rate limit is
counted across both (in Redis), a stale edit sent to B after an edit on A is refused with the
conflict page, and a document uploaded through A downloads through B.

Needs PostgreSQL (``CASEWORK_TEST_DATABASE_URL``) and Redis (``CASEWORK_TEST_REDIS_URL``, a
database of its own: it is emptied). ``make test-multi`` runs it; elsewhere it is skipped.
Real HTTP with real CSRF tokens and rate limits, through ``requests``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from casework.cases.models import Case
from casework.core.db import db
from casework.core.vocab import Role
from casework.evidence.models import Document
from config import TEST_MASTER_KEY, TestingConfig
from tests.factories import PASSWORD, make_case, totp_code
from tests.html_forms import form_fields

DATABASE_URL = os.environ.get("CASEWORK_TEST_DATABASE_URL") or ""
REDIS_URL = os.environ.get("CASEWORK_TEST_REDIS_URL") or ""
REQUIRED = os.environ.get("CASEWORK_REQUIRE_MULTI") == "1"
LOGIN_LIMIT = 8

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

_SERVE = """
import sys
from werkzeug.serving import make_server
from casework import create_app

make_server("127.0.0.1", int(sys.argv[1]), create_app(), threaded=True).serve_forever()
"""


def _missing() -> str | None:
    if not DATABASE_URL.startswith("postgresql"):
        return "needs PostgreSQL (CASEWORK_TEST_DATABASE_URL)"
    if not REDIS_URL:
        return "needs Redis (CASEWORK_TEST_REDIS_URL)"
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis at CASEWORK_TEST_REDIS_URL does not answer ({type(exc).__name__})"
    return None


@pytest.fixture(scope="module", autouse=True)
def _requirements():
    problem = _missing()
    if problem and REQUIRED:
        pytest.fail(problem)
    if problem:
        pytest.skip(problem)


def _free_ports(count: int) -> list[int]:
    """Free local ports: from CASEWORK_TEST_PORT_BASE up if set, else any the system gives."""
    base = int(os.environ.get("CASEWORK_TEST_PORT_BASE") or 0)
    ports: list[int] = []
    candidates = iter(range(base, base + 100)) if base else iter(lambda: 0, None)
    for candidate in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            ports.append(probe.getsockname()[1])
        if len(ports) == count:
            return ports
    raise RuntimeError("no free ports")


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen
    log: Path


def _wait_until_up(server: Server, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server {server.name} exited:\n{server.log.read_text()[-3000:]}")
        try:
            if requests.get(server.url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server {server.name} did not start:\n{server.log.read_text()[-3000:]}")


@pytest.fixture
def servers(app) -> Iterator[tuple[Server, Server]]:
    import redis

    limits = redis.Redis.from_url(REDIS_URL)
    limits.flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="casework-two-servers-"))
    env = {
        **os.environ,
        "CASEWORK_ENV": "development",
        "CASEWORK_DATABASE_URL": DATABASE_URL,
        "CASEWORK_INSTANCE_DIR": str(workdir / "instance"),
        # One store for both (a shared folder here; a network filesystem or a bucket live).
        "CASEWORK_UPLOAD_DIR": str(workdir / "shared-files"),
        "CASEWORK_RATELIMIT_STORAGE_URL": REDIS_URL,
        "CASEWORK_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
        "CASEWORK_ACCOUNT_FAILURE_LIMIT": "100 per minute",
        # The same keys on both servers (and in this test, which made the accounts).
        "CASEWORK_SECRET_KEY": "two-servers-secret-key-0123456789abcdef",
        "CASEWORK_MASTER_KEY": TEST_MASTER_KEY,
        "CASEWORK_BLIND_INDEX_KEY": TestingConfig.blind_index_key(workdir),
    }
    env.pop("CASEWORK_STORAGE_URL", None)
    started: list[Server] = []
    try:
        for name, port in zip("AB", _free_ports(2), strict=True):
            log = workdir / f"server-{name}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(  # noqa: S603  (our own interpreter and script)
                    [sys.executable, "-c", _SERVE, str(port)],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append(Server(name, f"http://127.0.0.1:{port}", process, log))
        deadline = time.monotonic() + 120  # a loaded machine starts slowly
        for server in started:
            _wait_until_up(server, deadline)
        yield started[0], started[1]
    finally:
        for server in started:
            server.process.terminate()
        for server in started:
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
        limits.flushdb()


def _csrf_form(browser: requests.Session, url: str, action: str = "") -> dict[str, str]:
    """The fields of the page's form (by default, the one that posts to the page itself)."""
    response = browser.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 200, (url, response.status_code)
    return form_fields(response.text, action=action)


def _log_in(browser: requests.Session, server: Server, user) -> None:
    fields = _csrf_form(browser, server.url + "/login")
    fields.update(email=user.email, password=PASSWORD)
    response = browser.post(server.url + "/login", data=fields, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    assert urlsplit(response.headers["Location"]).path == "/login/code"
    fields = _csrf_form(browser, server.url + "/login/code")
    fields["code"] = totp_code(user)
    response = browser.post(
        server.url + "/login/code", data=fields, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, response.text[:500]


def test_two_servers_behave_as_one(servers, make_user):
    a, b = servers
    monitor = make_user(Role.MONITOR)
    case = make_case(monitor, title="Two servers")
    browser = requests.Session()

    # Logged in on A; B knows the session (a row in the database, not the server's memory).
    _log_in(browser, a, monitor)
    assert browser.get(b.url + "/cases", allow_redirects=False, timeout=10).status_code == 200
    anonymous = requests.Session()
    assert anonymous.get(b.url + "/cases", allow_redirects=False, timeout=10).status_code == 302

    # Optimistic locking across servers: the form read on B, the case saved on A meanwhile.
    edit = f"/cases/{case.public_id}/edit"
    stale = _csrf_form(browser, b.url + edit)
    fresh = _csrf_form(browser, a.url + edit)
    fresh["title"] = "Saved on A"
    response = browser.post(a.url + edit, data=fresh, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    stale["title"] = "Typed on B"
    response = browser.post(b.url + edit, data=stale, allow_redirects=False, timeout=10)
    assert response.status_code == 409
    assert "Saved on A" in response.text and "Typed on B" in response.text  # both versions shown
    db.session.expire_all()
    assert db.session.get(Case, case.id).title == "Saved on A"

    # A document uploaded through A downloads through B.
    upload = f"/cases/{case.public_id}/documents/new"
    fields = _csrf_form(browser, a.url + upload)
    fields["description"] = "Decision"
    response = browser.post(
        a.url + upload,
        data=fields,
        files={"file": ("decision.pdf", PDF, "application/pdf")},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    db.session.expire_all()
    document = db.session.scalar(select(Document).where(Document.case_id == case.id))
    download = browser.get(
        f"{b.url}/cases/{case.public_id}/documents/{document.public_id}", timeout=10
    )
    assert download.status_code == 200 and download.content == PDF

    # The login limit is counted across both servers: attempts alternate between them.
    statuses: list[tuple[str, int, str | None]] = []
    for attempt in range(LOGIN_LIMIT + 2):
        server = (a, b)[attempt % 2]
        stranger = requests.Session()
        fields = _csrf_form(stranger, server.url + "/login")
        fields.update(email=f"nobody{attempt}@example.org", password="wrong password 1234")
        response = stranger.post(
            server.url + "/login", data=fields, allow_redirects=False, timeout=10
        )
        statuses.append(
            (server.name, response.status_code, response.headers.get("X-RateLimit-Remaining"))
        )
    refused = [(name, status) for name, status, _ in statuses if status == 429]
    # The monitor's login used one attempt: the limit falls due one attempt early, on both.
    assert [status for _, status, _ in statuses[: LOGIN_LIMIT - 1]] == [200] * (LOGIN_LIMIT - 1)
    assert {name for name, _ in refused} == {"A", "B"}, statuses
    remaining = [int(left) for _, status, left in statuses if status == 200 and left]
    assert remaining == sorted(remaining, reverse=True) and len(set(remaining)) == len(remaining)

    # And the session still holds on both.
    for server in (a, b):
        assert (
            browser.get(server.url + "/cases", allow_redirects=False, timeout=10).status_code == 200
        )
