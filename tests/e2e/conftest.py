"""End-to-end fixtures: the app served on a free local port, Debian's Chromium through Playwright.

Two servers: one on an empty database (first-run setup) and one on the demo data
(`casework.demo`), each in its own temporary instance directory. Run with ``make e2e``; a failed
test leaves a screenshot in ``e2e-artifacts/``.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", "e2e-artifacts"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


@dataclass
class Site:
    """A served app: its address, the app (for a test to read the database) and accounts."""

    base: str
    app: Any
    accounts: dict[str, Any] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base + path


def _serve(prefix: str, prepare=None) -> Iterator[Site]:
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    env = {
        "CASEWORK_INSTANCE_DIR": str(tmp),
        "CASEWORK_DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}",
        "CASEWORK_UPLOAD_DIR": str(tmp / "uploads"),
        "CASEWORK_LOGIN_RATE_LIMIT": "1000 per minute",
        "CASEWORK_ACCOUNT_FAILURE_LIMIT": "1000 per minute",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        from flask_migrate import upgrade

        from casework import create_app

        app = create_app("development")
        with app.app_context():
            upgrade()
            accounts = prepare() if prepare else {}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", app, accounts)
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def fresh_site() -> Iterator[Site]:
    """An installation nobody has set up yet."""
    yield from _serve("casework-e2e-fresh-")


@pytest.fixture(scope="session")
def demo_site() -> Iterator[Site]:
    """The demo data, with one account per role (``site.accounts[role]``)."""
    from casework import demo

    def prepare():
        return {a.role: a for a in demo.load_demo()}

    yield from _serve("casework-e2e-demo-", prepare)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def pages(browser, request) -> Iterator[Any]:
    """``pages(viewport)``: a new page in its own context; closed (and shot on failure) after."""
    opened: list[Page] = []

    def _open(viewport: dict[str, int] = LAPTOP, **kwargs: Any) -> Page:
        context = browser.new_context(viewport=viewport, accept_downloads=True, **kwargs)
        page = context.new_page()
        page.set_default_timeout(15_000)
        opened.append(page)
        return page

    yield _open
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for n, page in enumerate(opened):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            path = ARTIFACTS / f"{request.node.name}-{n}.png"
            page.screenshot(path=str(path), full_page=True)
            print(f"screenshot: {path}")
        page.context.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


def current_code(site: Site, email: str) -> str:
    """An authenticator code the app accepts now for ``email`` (the replay guard respected)."""
    from sqlalchemy import select

    from casework.accounts.models import User
    from casework.core.db import db
    from tests.factories import totp_code

    with site.app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        code = totp_code(user)
        db.session.remove()
    return code


def log_in(page: Page, site: Site, role: str) -> None:
    """Log in through the login page as the demo account of ``role``."""
    account = site.accounts[role]
    page.goto(site.url("/login"))
    page.fill("input[name=email]", account.email)
    page.fill("input[name=password]", account.password)
    page.click("main button[type=submit]")
    page.fill("input[name=code]", current_code(site, account.email))
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def axe_violations(
    page: Page,
    impacts: tuple[str, ...] = ("serious", "critical"),
    rules: tuple[str, ...] = (),
) -> list[str]:
    """axe-core's violations of the given impacts on the current page, one line each; only
    those of ``rules`` when given (a rule off by default is run when named)."""
    # Evaluated through the browser's debugging protocol: the page's CSP (script-src 'self')
    # stays in force for the page itself.
    page.evaluate(AXE.read_text())
    # A colour still changing (a button's transition, as when the pointer left by the last
    # click rests on it) is measured half-way by the contrast rule: let them end first.
    page.evaluate(
        "() => Promise.all(document.getAnimations()"
        ".filter(a => a.effect && isFinite(a.effect.getComputedTiming().endTime))"
        ".map(a => a.finished.catch(() => null)))"
    )
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": list(rules)}
    result = page.evaluate("async (options) => await axe.run(document, options)", options)
    lines = []
    for v in result["violations"]:
        if v["impact"] in impacts:
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets}")
    return lines
