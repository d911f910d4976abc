"""``flask --app casework demo load``: fictional cases and one account per role, for a first look.

Everything here goes through the same services as the pages, so the demo data is sealed,
audited and checked exactly like real data. Refused in production and on a database that
already holds accounts or cases.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import click
import pyotp
from flask import current_app
from sqlalchemy import func, select

from casework.core.db import db, utcnow
from casework.core.errors import ValidationFailed

# Reserved for documentation (RFC 2606): no demo address can reach anyone.
DEMO_DOMAIN = "demo.example.org"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    totp_secret: str


def _refuse_unless_allowed() -> None:
    if current_app.config.get("ENV_NAME") == "production":
        raise ValidationFailed({"demo": ["The demo is refused in production."]})
    from casework.accounts.models import User
    from casework.cases.models import Case

    if db.session.scalar(select(func.count()).select_from(User)) or db.session.scalar(
        select(func.count()).select_from(Case)
    ):
        raise ValidationFailed(
            {"demo": ["This database already holds accounts or cases: use an empty one."]}
        )


def _accounts() -> tuple[dict[str, Any], dict[str, str]]:
    from casework.accounts.services import create_user
    from casework.core.vocab import Role

    people = {
        Role.ADMIN: "Demo Admin",
        Role.COORDINATOR: "Demo Coordinator",
        Role.LAWYER: "Demo Lawyer",
        Role.MONITOR: "Demo Monitor",
    }
    users: dict[str, Any] = {}
    passwords: dict[str, str] = {}
    for role, name in people.items():
        password = "demo-" + secrets.token_urlsafe(12)
        user = create_user(f"{role.value}@{DEMO_DOMAIN}", password, role, name)
        user.totp_secret = pyotp.random_base32()
        # Enrolled a month ago, as accounts of standing are: the demo administrator and
        # coordinator may approve a second-factor reset (SECOND_FACTOR_APPROVER_DAYS).
        user.totp_confirmed_at = utcnow() - timedelta(days=30)
        users[role.value] = user
        passwords[role.value] = password
    return users, passwords


def _ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def _case(monitor: Any, *, draft: bool = False, **values: Any) -> Any:
    from casework.cases import services

    case, _ = services.intake(monitor, services.IntakeInput(**values), draft=draft)
    return case


def _cases(users: dict[str, Any]) -> list[Any]:
    """Six fictional cases covering every status, urgency and script the screens show."""
    from casework.cases import events, services
    from casework.core.vocab import NameKind, Script, TeamRole
    from casework.evidence.services import add_source
    from casework.people.services import NameInput

    monitor, lawyer, coord = users["monitor"], users["lawyer"], users["coordinator"]
    made = []

    # 1. Imminent extradition to Uzbekistan, in legal review.
    c1 = _case(
        monitor,
        name="Алишер Холматов (demo)",
        act_type="extradition",
        act_date=_ago(20),
        act_place="Almaty",
        destination_country="UZ",
        urgency="imminent",
        current_situation="detained",
        narrative="Fictional demo case. Arrested at home at night by officers in plain "
        "clothes; the family learned of the extradition request two days later.",
        extra_names=[NameInput("Alisher Kholmatov", Script.LATIN, NameKind.TRANSLITERATION)],
    )
    services.add_member(coord, c1, lawyer, TeamRole.LAWYER)
    events.add_event(monitor, c1, {"event_type": "asylum_application", "date": "2019-03"})
    events.add_event(
        monitor,
        c1,
        {
            "event_type": "detention_pending_extradition",
            "date": _ago(18),
            "place": "Almaty",
            "agencies": "KNB; migration police",
            "requesting_state": "UZ",
            "legal_basis": "Minsk Convention 1993, Art. 56",
            "wanted_notice": "cis_interstate_search",
        },
    )
    events.add_event(monitor, c1, {"event_type": "extradition_request", "date": _ago(15)})
    add_source(
        monitor,
        c1,
        {
            "kind": "relative",
            "identity": "His brother (demo)",
            "reliability": "B",
            "credibility": "2",
            "how_they_know": "Was present at the arrest",
        },
    )
    services.transition(monitor, c1, "submitted", None)
    services.transition(lawyer, c1, "in_review", None)
    services.add_comment(lawyer, c1, "Asked the family for the court decision.")
    made.append(c1)

    # 2. Uyghur, deportation to China, verified; Arabic-script name.
    c2 = _case(
        monitor,
        name="ئابدۇرەھىم تۇرسۇن (demo)",
        act_type="deportation",
        act_date="2021-06-14",
        act_place="Zharkent",
        destination_country="CN",
        urgency="urgent",
        current_situation="removed",
        narrative="Fictional demo case. Deported after his residence permit was withdrawn; "
        "no contact with the family since.",
        extra_names=[NameInput("Abdurehim Tursun", Script.LATIN, NameKind.TRANSLITERATION)],
    )
    services.add_member(coord, c2, lawyer, TeamRole.LAWYER)
    events.add_event(monitor, c2, {"event_type": "removal", "date": "2021-06-14"})
    events.add_event(monitor, c2, {"event_type": "disappearance", "date": "2021-07"})
    services.transition(monitor, c2, "submitted", None)
    services.transition(lawyer, c2, "in_review", None)
    services.transition(lawyer, c2, "verified", None)
    made.append(c2)

    # 3. Kyrgyz, abduction, submitted; approximate year only.
    made.append(
        _case(
            monitor,
            name="Бакыт Асанов (demo)",
            act_type="abduction",
            act_date="2014",
            act_date_approximate=True,
            act_place="Bishkek road, near Korday",
            destination_country="KG",
            current_situation="unknown",
            narrative="Fictional demo case. Taken from a minibus near the border; "
            "relatives report he was later seen in detention.",
        )
    )
    services.transition(monitor, made[-1], "submitted", None)

    # 4. Returned to the monitor with a question.
    c4 = _case(
        monitor,
        name="Dilnoza Yusupova (demo)",
        act_type="coerced_voluntary_return",
        act_date="2023-02",
        destination_country="UZ",
        current_situation="at_liberty",
        narrative="Fictional demo case. Signed a 'voluntary return' paper in detention.",
    )
    services.add_member(coord, c4, lawyer, TeamRole.LAWYER)
    services.transition(monitor, c4, "submitted", None)
    services.transition(lawyer, c4, "in_review", None)
    services.transition(lawyer, c4, "returned", "Which court signed the detention order?")
    made.append(c4)

    # 5. A restricted case: only its team sees who is in it.
    c5 = _case(
        monitor,
        name="Witness W-1 (demo)",
        act_type="attempted_removal",
        act_date=_ago(60),
        destination_country="TJ",
        narrative="Fictional demo case. A witness at risk; the case is restricted to its team.",
    )
    services.set_restricted(coord, c5, True)
    made.append(c5)

    # 6. A draft with no date yet.
    made.append(
        _case(
            monitor,
            draft=True,
            name="Unknown man at the airport (demo)",
            narrative="Fictional demo case. Seen at the airport under escort; details to follow.",
        )
    )
    return made


def _legal_and_advocacy(users: dict[str, Any], cases: list[Any]) -> None:
    from casework.advocacy import services as advocacy
    from casework.core.vocab import ActionType
    from casework.legal import services as legal

    lawyer, coord = users["lawyer"], users["coordinator"]
    c1, c2 = cases[0], cases[1]
    legal.add_link(
        lawyer,
        c1,
        provision=legal.get_provision("CAT:3"),
        assessment="at_risk",
        violation_status="likely",
        analysis="Uzbek nationals returned on extremism charges face torture (demo analysis).",
    )
    legal.add_link(lawyer, c1, provision=legal.get_provision("MINSK93"), assessment="invoked")
    legal.add_remedy(
        lawyer,
        c1,
        kind="extradition_appeal",
        body="Almaty City Court",
        filed_on=date.today() - timedelta(days=5),
        appeal_deadline=date.today() + timedelta(days=6),
    )
    legal.add_link(
        lawyer,
        c2,
        provision=legal.get_provision("CAT:3"),
        assessment="violated",
        violation_status="confirmed",
        analysis="Removed despite a pending asylum claim (demo analysis).",
    )
    advocacy.create_action(
        coord,
        advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Urgent appeal to the Special Rapporteur on torture (demo)",
            status="submitted",
            submitted_on=date.today() - timedelta(days=10),
            followup_due=date.today() - timedelta(days=2),
            reference_number="UA KAZ 0/2026 (demo)",
            responsible_id=coord.id,
            case_references=[c1.reference],
        ),
        case=c1,
    )
    advocacy.create_action(
        coord,
        advocacy.ActionData(
            action_type=ActionType.INTERIM_MEASURES_REQUEST,
            title="Request for interim measures to the Committee against Torture (demo)",
            status="planned",
            planned_on=date.today() + timedelta(days=3),
            responsible_id=coord.id,
            case_references=[c1.reference],
        ),
        case=c1,
    )


def _representation(users: dict[str, Any], cases: list[Any]) -> None:
    """What a treaty body asks of the representation, on three cases: a written authorisation
    (case 1, before the interim-measures request), one that cannot be obtained from a man who
    disappeared after his deportation (case 2, whose matter is also before another UN body),
    an oral one (case 4). The others have nothing recorded yet, as real cases often do."""
    from casework.cases import services

    lawyer = users["lawyer"]
    c1, c2, c4 = cases[0], cases[1], cases[3]
    values = {
        c1: {
            "authorisation": "written",
            "authorised_by": "The person himself, through the lawyer (demo)",
            "authorised_on": _ago(16),
            "authorisation_note": "Power of attorney signed in the remand centre in the "
            "lawyer's presence (demo).",
            "other_procedures": "none",
        },
        c2: {
            "authorisation": "cannot_be_obtained",
            "authorisation_note": "Disappeared after his deportation: no contact with him "
            "since July 2021, his family abroad cannot reach him (demo).",
            "other_procedures": "pending",
            "other_procedures_details": "Human Rights Committee, communication sent in "
            "September 2021, not yet registered (demo, fictional).",
        },
        c4: {
            "authorisation": "oral",
            "authorised_by": "The person herself, by telephone (demo)",
            "authorised_on": "2023-03-10",
        },
    }
    for case, data in values.items():
        services.update_case(lawyer, case, data, case.version)


def _upr(users: dict[str, Any], cases: list[Any]) -> None:
    """Two demonstration recommendations in each of Kazakhstan's 2010, 2014, 2019 and 2025
    reviews; the texts are paraphrases marked as demo text, not quotations."""
    from casework.advocacy import upr

    coord = users["coordinator"]
    upr.seed_cycles()
    rows = [
        (1, "97.12", "Austria", "torture; refoulement", "supported"),
        (1, "98.3", "Canada", "asylum", "noted"),
        (2, "121.45", "Germany", "refoulement; extradition", "supported"),
        (2, "122.8", "Norway", "torture", "noted"),
        (3, "139.24", "Switzerland", "refoulement", "supported"),
        (3, "140.7", "Sweden", "asylum; detention", "noted"),
        (4, "125.31", "Netherlands", "refoulement; extradition", "pending"),
        (4, "125.60", "Czechia", "torture", "pending"),
    ]
    for cycle, number, state, themes, response in rows:
        rec = upr.create_recommendation(
            coord,
            upr.RecommendationData(
                cycle=cycle,
                number=number,
                recommending_state=state,
                text=f"Demo text: ensure that no one is returned to a country where they "
                f"would face a real risk of torture ({themes}).",
                response=response,
                themes=themes,
            ),
        )
        if "refoulement" in themes and cycle >= 2:
            upr.link_case(coord, rec, cases[1].reference)


def load_demo() -> list[DemoAccount]:
    """Fill an empty database with fictional data; returns the demo accounts' credentials."""
    from casework.core.cli import run_seeders

    _refuse_unless_allowed()
    run_seeders()
    users, passwords = _accounts()
    db.session.flush()
    cases = _cases(users)
    _legal_and_advocacy(users, cases)
    _representation(users, cases)
    _upr(users, cases)
    db.session.commit()
    return [DemoAccount(role, u.email, passwords[role], u.totp_secret) for role, u in users.items()]


def current_code(email: str) -> str:
    """The current authenticator code of a demo account (never of a real one)."""
    from casework.accounts.models import User

    if current_app.config.get("ENV_NAME") == "production":
        raise ValidationFailed({"demo": ["Refused in production."]})
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.email.endswith("@" + DEMO_DOMAIN) or not user.totp_secret:
        raise ValidationFailed({"email": ["Not a demo account."]})
    return pyotp.TOTP(user.totp_secret).now()


@click.group("demo")
def demo_cli() -> None:
    """Fictional demonstration data (refused in production)."""


@demo_cli.command("load")
def load_command() -> None:
    """Fill an EMPTY database with fictional cases and one account per role."""
    try:
        accounts = load_demo()
    except ValidationFailed as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("Demo data loaded (all of it fictional). Demo accounts:")
    for a in accounts:
        click.echo(f"  {a.role:<12} {a.email:<32} password: {a.password}")
        click.echo(f"  {'':<12} authenticator key: {a.totp_secret}")
    click.echo(
        "Log in with an authenticator app holding the key, or print the current code with\n"
        "  flask --app casework demo code monitor@" + DEMO_DOMAIN
    )


@demo_cli.command("code")
@click.argument("email")
def code_command(email: str) -> None:
    """Print the current authenticator code of a demo account."""
    try:
        click.echo(current_code(email))
    except ValidationFailed as exc:
        raise click.ClickException(str(exc)) from None
