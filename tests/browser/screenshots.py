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
DESKTOP = {"width": 1280, "height": 800}
# The narrowest phone checked: no main page may scroll sideways at this width.
NARROW = {"width": 360, "height": 740}
LANGUAGES = ("en", "ru")


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
        _long_case(monitor, case)
        services.transition(monitor, case, "submitted", None)
        services.add_comment(lawyer, case, "Asked the family for the court decision.")
        _legal_and_advocacy(case, lawyer, coordinator)
        # A second case, to which someone recorded in the first is added (found by name).
        second, _ = services.intake(
            monitor, services.IntakeInput(name="Rustam Karimov", act_type="deportation")
        )
        db.session.commit()
        del admin
        return {"case": case.public_id, "second": second.public_id}


def _long_case(monitor, case) -> None:
    """What makes a case file long and wide: people in several scripts (an Arabic-script Uyghur
    name), many events, a document with its hash and a long file name."""
    import io

    from casework.cases import events
    from casework.cases import services as cases
    from casework.evidence.services import store_document
    from casework.people import services as people

    person = people.create_person(
        monitor,
        [
            people.NameInput("مەمەتجان ئابدۇللا", "arabic"),
            people.NameInput("Memetjan Abdulla", "latin", "transliteration"),
            people.NameInput("Меметжан Абдулла", "cyrillic", "transliteration"),
        ],
        gender="male",
        nationality="CN",
        ethnicity="Uyghur",
        legal_status="asylum_seeker",
    )
    cases.add_person_to_case(monitor, case, person, "witness")
    for n, kind in enumerate(("court_appeal", "interim_measures_request", "court_decision")):
        events.add_event(
            monitor,
            case,
            {
                "event_type": kind,
                "date": (date.today() - timedelta(days=15 - 4 * n)).isoformat(),
                "place": "Almaty",
                "description": "Hearing at the Almaty City Court; the lawyer was given the file "
                "one hour before. Reference of the decision: 2-1234/2026-ALM-EXTR-APPEAL-0001.",
            },
        )
    store_document(
        monitor,
        io.BytesIO(b"Decision of the Almaty City Court (fictional example).\n"),
        "almaty-city-court-decision-on-the-extradition-appeal-final-version.txt",
        case=case,
        description="Court decision, scanned copy",
    )


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


# The pages every language is photographed on, at a phone's and a laptop's size.
PAGES = (
    ("dashboard", "/"),
    ("case-list", "/cases"),
    ("intake", "/cases/new"),
    ("case-file", "/cases/{case}"),
)


def _no_sideways_scroll(page) -> bool:
    """Does the page fit its window's width (nothing to scroll sideways)?"""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


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
    too_wide: list[str] = []
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
        # One login per account (a TOTP code works once); its session serves every shot.
        states = {}
        for email in (
            "monitor@example.org",
            "lawyer@example.org",
            "coord@example.org",
            "admin@example.org",
        ):
            context = browser.new_context(viewport=DESKTOP)
            page = context.new_page()
            _login(page, base, email)
            states[email] = context.storage_state()
            context.close()

        def shoot(email, viewport, path, name, language="en", check=True, then=None):
            context = browser.new_context(viewport=viewport, storage_state=states.get(email))
            context.add_cookies([{"name": "lang", "value": language, "url": base}])
            page = context.new_page()
            if email is not None and email not in states:
                _login(page, base, email)
            page.goto(base + path)
            if then is not None:
                then(page)
            page.screenshot(path=str(OUT / name), full_page=True)
            print(f"{OUT / name}  ({page.title()})")
            if check:
                page.set_viewport_size(NARROW)
                if not _no_sideways_scroll(page):
                    width = page.evaluate("document.documentElement.scrollWidth")
                    too_wide.append(f"{path} ({language}): {width}px wide at 360px")
            context.close()

        for language in LANGUAGES:
            for label, path in PAGES:
                url = path.format(case=ids["case"])
                shoot("monitor@example.org", PHONE, url, f"{label}-phone-{language}.png", language)
                shoot(
                    "lawyer@example.org", DESKTOP, url, f"{label}-desktop-{language}.png", language
                )
            shoot(None, PHONE, "/login", f"login-phone-{language}.png", language)
        shots = [
            ("coord@example.org", DESKTOP, "/", "dashboard-coordinator.png"),
            ("admin@example.org", DESKTOP, "/admin/users", "accounts-desktop.png"),
            ("new@example.org", PHONE, "/account/two-factor/enrol", "enrol-phone.png"),
            ("lawyer@example.org", DESKTOP, "/legal/", "legal-catalogue.png"),
            ("lawyer@example.org", DESKTOP, "/legal/provisions/CAT:3", "legal-provision.png"),
            ("coord@example.org", DESKTOP, "/advocacy/followups", "followups.png"),
            (
                "coord@example.org",
                PHONE,
                "/advocacy/followups?list=org_overdue",
                "followup-list-phone.png",
            ),
            ("coord@example.org", DESKTOP, "/advocacy/actions", "actions.png"),
            ("coord@example.org", PHONE, "/legal/deadlines", "deadlines-phone.png"),
            (
                "coord@example.org",
                PHONE,
                f"/cases/{ids['case']}",
                "case-file-coordinator-phone.png",
            ),
        ]
        for email, viewport, path, name in shots:
            shoot(email, viewport, path, name)

        def find_someone(page) -> None:
            page.click("text=Someone already recorded in another case")
            page.fill("input[name=find-name]", "Memetjan Abdulla")
            page.click("button:has-text('Find')")
            page.wait_for_load_state()

        shoot(
            "monitor@example.org",
            PHONE,
            f"/cases/{ids['second']}/people/new",
            "add-someone-recorded-phone.png",
            then=find_someone,
        )
        browser.close()
    server.shutdown()
    if too_wide:
        print("Pages wider than a 360 px phone:", *too_wide, sep="\n  ")
        return 1
    print("No page scrolls sideways at 360 px.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
