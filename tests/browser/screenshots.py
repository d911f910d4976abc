"""Screenshots of the main pages in headless Chromium, as a monitor, a lawyer and an admin see them.

Run with ``make screenshots``; images go to ``screenshots/``. Uses the system Chromium
(``/usr/bin/chromium`` or ``$CHROMIUM``); no browser is downloaded. Data is fictional.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pyotp
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

OUT = Path(os.environ.get("SCREENSHOT_DIR", "screenshots"))
PASSWORD = "screenshot passphrase"
# TOTP secrets of the seeded accounts, and the last time step each one used (a code works once).
SECRETS: dict[str, str] = {}
_last_step: dict[str, int] = {}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _seed(app) -> dict[str, str]:
    from flask_migrate import upgrade

    from casework.accounts.services import create_user
    from casework.cases import events, services
    from casework.core.cli import run_seeders
    from casework.core.db import db, utcnow
    from casework.core.vocab import Role, TeamRole
    from casework.evidence.services import add_source

    with app.app_context():
        upgrade()
        run_seeders()
        admin = create_user("admin@example.org", PASSWORD, Role.ADMIN, "Ada Admin")
        monitor = create_user("monitor@example.org", PASSWORD, Role.MONITOR, "Marat Monitor")
        lawyer = create_user("lawyer@example.org", PASSWORD, Role.LAWYER, "Lola Lawyer")
        coordinator = create_user(
            "coord@example.org", PASSWORD, Role.COORDINATOR, "Cora Coordinator"
        )
        # Not enrolled yet: shows the second-factor enrolment page.
        create_user("new@example.org", PASSWORD, Role.MONITOR, "Nina Newcomer")
        for user in (admin, monitor, lawyer, coordinator):
            user.totp_secret = pyotp.random_base32()
            user.totp_confirmed_at = utcnow()
            SECRETS[user.email] = user.totp_secret
        case, _ = services.intake(
            monitor,
            services.IntakeInput(
                name="Алишер Холматов",
                act_type="extradition",
                act_date=(date.today() - timedelta(days=20)).isoformat(),
                act_place="Almaty",
                destination_country="UZ",
                urgency="imminent",
                current_situation="detained",
                narrative="Arrested at his home at night by officers in plain clothes.\n\n"
                "His family learned of the extradition request two days later.",
            ),
        )
        services.add_member(coordinator, case, lawyer, TeamRole.LAWYER)
        events.add_event(monitor, case, {"event_type": "asylum_application", "date": "2010-03"})
        events.add_event(
            monitor,
            case,
            {
                "event_type": "detention_pending_extradition",
                "date": (date.today() - timedelta(days=18)).isoformat(),
                "place": "Almaty",
                "agencies": "KNB; migration police",
                "requesting_state": "UZ",
                "legal_basis": "Minsk Convention 1993, Art. 56",
                "wanted_notice": "cis_interstate_search",
            },
        )
        add_source(
            monitor,
            case,
            {
                "kind": "relative",
                "identity": "His brother",
                "reliability": "B",
                "credibility": "2",
                "how_they_know": "Was present at the arrest",
            },
        )
        services.transition(monitor, case, "submitted", None)
        services.add_comment(lawyer, case, "Asked the family for the court decision.")
        _legal_and_advocacy(case, lawyer, coordinator)
        db.session.commit()
        del admin
        return {"case": case.public_id}


def _legal_and_advocacy(case, lawyer, coordinator) -> None:
    from casework.advocacy import services as advocacy
    from casework.core.vocab import ActionType
    from casework.legal import services as legal

    legal.add_link(
        lawyer,
        case,
        provision=legal.get_provision("CAT:3"),
        assessment="at_risk",
        violation_status="likely",
        analysis="Uzbek nationals returned on extremism charges face torture.\n\nSee CAT 444/2010.",
    )
    legal.add_link(lawyer, case, provision=legal.get_provision("MINSK93"), assessment="invoked")
    legal.add_remedy(
        lawyer,
        case,
        kind="extradition_appeal",
        body="Almaty City Court",
        filed_on=date.today() - timedelta(days=5),
        appeal_deadline=date.today() + timedelta(days=6),
    )
    advocacy.create_action(
        coordinator,
        advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Urgent appeal to the Special Rapporteur on torture",
            status="submitted",
            submitted_on=date.today() - timedelta(days=10),
            followup_due=date.today() - timedelta(days=2),
            reference_number="UA KAZ 1/2026",
            responsible_id=coordinator.id,
            case_references=[case.reference],
        ),
        case=case,
    )


def _code(email: str) -> str:
    """A code for a step this account has not used yet (waiting for the next one if need be)."""
    step = max(int(time.time()) // 30, _last_step.get(email, -1) + 1)
    time.sleep(max(0.0, (step - 1) * 30 - time.time() + 1))
    _last_step[email] = step
    return pyotp.TOTP(SECRETS[email]).generate_otp(step)


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    if email in SECRETS:
        page.fill("input[name=code]", _code(email))
        page.click("main button[type=submit]")


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="casework-shots-"))
    os.environ["CASEWORK_INSTANCE_DIR"] = str(tmp)
    os.environ["CASEWORK_DATABASE_URL"] = f"sqlite:///{tmp / 'shots.db'}"
    os.environ["CASEWORK_LOGIN_RATE_LIMIT"] = "1000 per minute"
    from casework import create_app

    app = create_app("development")
    ids = _seed(app)
    server = make_server("127.0.0.1", 0, app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    OUT.mkdir(exist_ok=True)
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        shots = [
            ("monitor@example.org", PHONE, "/cases/new", "intake-phone.png"),
            ("monitor@example.org", PHONE, "/", "dashboard-phone.png"),
            ("monitor@example.org", PHONE, f"/cases/{ids['case']}", "case-file-phone.png"),
            ("lawyer@example.org", DESKTOP, f"/cases/{ids['case']}", "case-file-desktop.png"),
            ("lawyer@example.org", DESKTOP, "/cases", "case-list-desktop.png"),
            ("coord@example.org", DESKTOP, "/", "dashboard-coordinator.png"),
            ("admin@example.org", DESKTOP, "/admin/users", "accounts-desktop.png"),
            ("new@example.org", PHONE, "/account/two-factor/enrol", "enrol-phone.png"),
            ("lawyer@example.org", DESKTOP, "/legal/", "legal-catalogue.png"),
            ("lawyer@example.org", DESKTOP, "/legal/provisions/CAT:3", "legal-provision.png"),
            ("coord@example.org", DESKTOP, "/advocacy/followups", "followups.png"),
            (
                "coord@example.org",
                PHONE,
                f"/cases/{ids['case']}",
                "case-file-coordinator-phone.png",
            ),
        ]
        for email, viewport, path, name in shots:
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            _login(page, base, email)
            page.goto(base + path)
            page.screenshot(path=str(OUT / name), full_page=True)
            print(f"{OUT / name}  ({page.title()})")
            context.close()
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
