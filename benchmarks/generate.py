"""Realistic synthetic data at scale, for the benchmarks and the load test.

    python -m benchmarks.generate DATABASE_URL [--cases 100000] [--seed 13] [--accounts FILE]

The database given is emptied and rebuilt by the migrations: never point it at one you want to
keep. At the default scale: 100,000 cases, 150,000 people with names in several scripts (Latin
Uzbek/Kyrgyz, Cyrillic Russian/Kazakh, Arabic-script Uyghur), 600,000 timeline events, legal
links to the catalogue's provisions (CAT:3 among them), domestic remedies, advocacy actions
with follow-ups, 5% restricted cases; one coordinator, lawyers and monitors on case teams; UPR
recommendations (one per 20 cases: 5,000) in the cycles of five States under review.

Rows are written the way the import writes them (``casework.imports.services``): plain rows in
bulk INSERTs, rows with encrypted values through the unit of work with their ids reserved first,
so that every value is sealed in the INSERT itself. Seeded: the same seed gives the same data
(apart from the random public ids and the ciphertexts). The accounts (e-mail, password, TOTP
seed) are written as JSON to ``--accounts`` for the clients that log in.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from benchmarks.bench_names import known_name, synthetic_name
from casework import create_app
from casework.accounts.services import create_user
from casework.advocacy.models import (
    AdvocacyAction,
    TargetBody,
    UPRCycle,
    UPRRecommendation,
    action_cases,
)
from casework.cases.models import Case, CaseMember, CasePerson, Event, StatusChange
from casework.core import indexversions
from casework.core.db import db, new_public_id
from casework.core.vocab import (
    ActionOutcome,
    ActionStatus,
    ActionType,
    ActType,
    Assessment,
    CaseRole,
    CaseStatus,
    ConsentLevel,
    EventType,
    Gender,
    LegalStatus,
    LinkState,
    NameKind,
    RemedyKind,
    RemedyOutcome,
    Role,
    Situation,
    TeamRole,
    UPRResponse,
    Urgency,
    ViolationStatus,
)
from casework.imports.services import BATCH, _insert, _insert_plain, _inserted_ids
from casework.legal.models import CaseProvision, Provision, Remedy
from casework.legal.seeding import seed_catalogue
from casework.people import matching
from casework.people.matching import name_tokens
from casework.people.models import Person, PersonName, PersonNameKey
from casework.people.names import detect_script
from tests.data.make_name_pairs import GIVEN_FEMALE, GIVEN_MALE, SURNAMES

PASSWORD = "benchmark passphrase 1"  # noqa: S105  (throwaway accounts in a throwaway database)
# Fixed keys of the throwaway bench databases: the generator seals with them, the server under
# test is started with them. Never valid anywhere else.
BENCH_KEYS = {
    "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
    "MASTER_KEY": "dGVzdGluZy1tYXN0ZXIta2V5LW5vdC1mb3ItcHJvZC0",
    "BLIND_INDEX_KEY": "bench-blind-index-key-not-for-production",
}
CHUNK = 5000  # cases per transaction
# Accounts by role: one coordinator, lawyers and monitors on the case teams.
STAFF = {"coordinator": 1, "admin": 1, "lawyer": 6, "monitor": 24}
COUNTRIES = ["UZ", "UZ", "UZ", "CN", "TJ", "KG", "TM", "RU", "AF", None]
ETHNICITIES = ["Uzbek", "Uzbek", "Uyghur", "Kyrgyz", "Kazakh", "Tajik", "Karakalpak", None]
EVENT_KINDS = [
    EventType.ASYLUM_APPLICATION, EventType.UNHCR_REGISTRATION, EventType.RSD_DECISION,
    EventType.ARREST, EventType.DETENTION_PENDING_EXTRADITION, EventType.EXTRADITION_REQUEST,
    EventType.EXTRADITION_DECISION, EventType.COURT_APPEAL, EventType.COURT_DECISION,
    EventType.INTERIM_MEASURES_REQUEST, EventType.INTERIM_MEASURES_GRANTED, EventType.REMOVAL,
]  # fmt: skip
DESCRIPTIONS = [
    "Detained at the migration service after a routine document check.",
    "Taken from home at night by plain-clothes officers; family not informed.",
    "Court hearing held in closed session; lawyer given no access to the file.",
    "Relatives report he was seen at the border crossing with escorts.",
    "Prosecutor's office confirmed receipt of the extradition request.",
    "UNHCR registration card confiscated during the arrest.",
]
RECOMMENDATIONS = [
    "Respect the principle of non-refoulement and refrain from extraditing persons to States "
    "where they would face a real risk of torture",
    "Ensure that asylum seekers have access to a fair and efficient refugee status "
    "determination procedure",
    "Investigate promptly all allegations of abductions and forcible returns of refugees",
    "Bring the definition of torture in the Criminal Code into line with the Convention against "
    "Torture",
    "Guarantee that diplomatic assurances are never used to circumvent the absolute prohibition "
    "of torture",
]
UPR_STATES = ["Kazakhstan", "Uzbekistan", "Kyrgyzstan", "Tajikistan", "China"]
RECOMMENDING = ["Germany", "Canada", "Norway", "France", "Brazil", "Japan", "Ghana", "Mexico"]
ANALYSES = [
    "Substantial grounds: prior torture of co-accused returned in 2019.",
    "Diplomatic assurances given; no effective monitoring mechanism.",
    "Charges of religious extremism used against returnees of this group.",
]


def bench_app(url: str) -> Flask:
    """The app over ``url`` with the bench keys (development settings, as the server uses)."""
    # Cheap password hashes: logging in is not what the benchmarks measure.
    settings = {"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": url, **BENCH_KEYS}
    return create_app({**settings, "PASSWORD_HASH_FAST": True})


def server_environment(url: str) -> dict[str, str]:
    """Environment variables for a server over a generated database."""
    return {
        "CASEWORK_ENV": "development",
        "CASEWORK_DATABASE_URL": url,
        **{f"CASEWORK_{k}": v for k, v in BENCH_KEYS.items()},
    }


# --- names ------------------------------------------------------------------------------------


def _by_script(groups: list[list[str]]) -> list[dict[str, list[str]]]:
    out = []
    for spellings in groups:
        scripts: dict[str, list[str]] = {}
        for s in spellings:
            scripts.setdefault(str(detect_script(s)), []).append(s)
        out.append(scripts)
    return out


_GIVEN = _by_script(GIVEN_MALE + GIVEN_FEMALE)
_SURNAMES = _by_script([spellings for spellings, _ in SURNAMES])


def common_surname() -> str:
    """A surname the generator gives to about one person in fifty (its first Latin spelling):
    a name search for it meets as many namesakes as a common surname in a real archive."""
    return _SURNAMES[0]["latin"][0]


def person_names(rng: random.Random) -> list[str]:
    """One to three names of one person, as different sources would write them: Latin
    (Uzbek, Kyrgyz), Cyrillic (Russian, Kazakh documents), Arabic script (Uyghur)."""
    if rng.random() < 0.45:
        first = synthetic_name(rng)
        return [first] if rng.random() < 0.6 else [first, synthetic_name(rng)]
    given, surname = rng.choice(_GIVEN), rng.choice(_SURNAMES)
    scripts = [s for s in ("latin", "cyrillic", "arabic") if s in given and s in surname]
    scripts = scripts or ["latin"]
    rng.shuffle(scripts)
    names = []
    for script in scripts[: rng.choice((1, 1, 2, 2, 3))]:
        g = rng.choice(given.get(script) or given["latin"])
        s = rng.choice(surname.get(script) or surname["latin"])
        names.append(f"{s} {g}" if script == "cyrillic" and rng.random() < 0.5 else f"{g} {s}")
    return names or [known_name(rng)]


# --- writing ----------------------------------------------------------------------------------


@dataclass
class Accounts:
    password: str = PASSWORD
    users: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, role: str, user: Any, secret: str) -> None:
        self.users.setdefault(role, []).append(
            {"email": user.email, "totp_secret": secret, "id": user.id}
        )


def _make_accounts(staff: dict[str, int]) -> tuple[Accounts, dict[str, list[int]]]:
    accounts = Accounts()
    ids: dict[str, list[int]] = {}
    for name, count in staff.items():
        role = Role(name)
        for k in range(1, count + 1):
            email = f"{role.value}{k}@bench.example"
            user = _account(accounts, role.value, email, role, f"{role.label} {k}")
            ids.setdefault(role.value, []).append(user.id)
    db.session.commit()
    return accounts, ids


def _account(accounts: Accounts, key: str, email: str, role: Role, name: str) -> Any:
    """A user with a confirmed second factor, listed in ``accounts`` under ``key``."""
    user = create_user(email, PASSWORD, role, name)
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_confirmed_at = datetime.now(UTC)
    db.session.flush()
    accounts.add(key, user, secret)
    return user


# Newcomers, a monitor and a lawyer who joined lately: each on the teams of this many cases,
# spread over the archive (the other monitors and lawyers share every case between them,
# thousands each).
NEWCOMER_TEAMS = 20
NEWCOMERS = {
    "newcomer": (Role.MONITOR, TeamRole.MEMBER),
    "newcomer_lawyer": (Role.LAWYER, TeamRole.LAWYER),
}


def _newcomers(accounts: Accounts, users: dict[str, list[int]]) -> None:
    """The NEWCOMERS (accounts keys ``newcomer``, ``newcomer_lawyer``), on NEWCOMER_TEAMS
    teams each."""
    ids = list(db.session.scalars(select(Case.id).order_by(Case.id)))
    step = max(1, len(ids) // NEWCOMER_TEAMS)
    for key, (role, team_role) in NEWCOMERS.items():
        email = f"{key.replace('_', '.')}@bench.example"
        user = _account(accounts, key, email, role, key.replace("_", " ").capitalize())
        _insert(
            CaseMember,
            [
                {"case_id": case_id, "user_id": user.id, "team_role": team_role.value,
                 "added_by_id": users["coordinator"][0]}
                for case_id in ids[::step][:NEWCOMER_TEAMS]
            ],
        )  # fmt: skip
    db.session.commit()


def _partial(rng: random.Random, start: int = 2008, end: int = 2025) -> str:
    year = rng.randint(start, end)
    return (
        f"{year}-{rng.randint(1, 12):02d}"
        if rng.random() < 0.6
        else f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    )


def _ids(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """``imports.services._inserted_ids`` in pieces of the size the import writes (its bulk
    INSERT ... RETURNING sorts the ids of one call in time quadratic in the call's rows)."""
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        ids += _inserted_ids(model, rows[start : start + BATCH])
    return ids


def _split_secret(model: Any, rows: list[dict[str, Any]], secret: tuple[str, ...]) -> list[int]:
    """Insert ``rows`` (ids in order): those without encrypted values in bulk, the others
    through the unit of work with reserved ids (``imports.services._inserted_ids``)."""
    plain = [i for i, r in enumerate(rows) if not any(r.get(a) is not None for a in secret)]
    sealed = [i for i, r in enumerate(rows) if any(r.get(a) is not None for a in secret)]
    ids = [0] * len(rows)
    for group in (plain, sealed):
        for i, new_id in zip(group, _ids(model, [rows[i] for i in group]), strict=True):
            ids[i] = new_id
    return ids


def _chunk(
    rng: random.Random, first: int, count: int, users: dict[str, list[int]], ctx: dict[str, Any]
) -> dict[str, int]:
    coordinator = users["coordinator"][0]
    monitors, lawyers = users["monitor"], users["lawyer"]
    provisions, cat3, bodies = ctx["provisions"], ctx["cat3"], ctx["bodies"]
    today = date.today()
    statuses = list(CaseStatus)
    acts, situations = list(ActType), list(Situation)
    # Cases.
    case_rows = []
    creators = []
    for k in range(first, first + count):
        creator = rng.choice(monitors)
        creators.append(creator)
        act_date = _partial(rng)
        case_rows.append(
            {
                "public_id": new_public_id(),
                "reference": f"KZ-{act_date[:4]}-{k:06d}",
                "title": f"{rng.choice(['Extradition', 'Deportation', 'Abduction', 'Forcible return'])} of an asylum seeker from {rng.choice(['Almaty', 'Astana', 'Shymkent', 'Taraz'])}",
                "status": CaseStatus.VERIFIED if rng.random() < 0.55 else rng.choice(statuses),
                "urgency": rng.choices(list(Urgency), weights=(85, 12, 3))[0],
                "restricted": rng.random() < 0.05,
                "act_type": rng.choice(acts),
                "act_date": act_date,
                "destination_country": rng.choice(COUNTRIES),
                "current_situation": rng.choice(situations),
                "narrative": rng.choice(DESCRIPTIONS) if rng.random() < 0.3 else None,
                "created_by_id": creator,
            }
        )
    case_ids = _ids(Case, case_rows)
    # Teams: the creating monitor, often a second monitor, a lawyer on a third of the cases.
    members = []
    for case_id, creator in zip(case_ids, creators, strict=True):
        members.append({"case_id": case_id, "user_id": creator, "team_role": "creator"})
        other = rng.choice(monitors)
        if other != creator and rng.random() < 0.4:
            members.append({"case_id": case_id, "user_id": other, "team_role": "member"})
        if rng.random() < 0.35:
            members.append(
                {"case_id": case_id, "user_id": rng.choice(lawyers), "team_role": "lawyer"}
            )
    _insert(CaseMember, [{**m, "added_by_id": coordinator} for m in members])
    _ids(
        StatusChange,
        [{"case_id": c, "to_status": CaseStatus.DRAFT, "author_id": coordinator} for c in case_ids],
    )
    # People: one at risk per case, a relative or a witness in half of them.
    person_rows, links = [], []
    for case_id in case_ids:
        roles = [CaseRole.AT_RISK] + (
            [rng.choice([CaseRole.FAMILY, CaseRole.WITNESS])] if rng.random() < 0.5 else []
        )
        for role in roles:
            links.append((case_id, role))
            person_rows.append(
                {
                    "public_id": new_public_id(),
                    "gender": rng.choice([Gender.MALE, Gender.MALE, Gender.FEMALE, Gender.UNKNOWN]),
                    "birth_date": str(rng.randint(1955, 2004)) if rng.random() < 0.7 else None,
                    "nationality": rng.choice(COUNTRIES),
                    "ethnicity": rng.choice(ETHNICITIES),
                    "legal_status": rng.choice(list(LegalStatus)),
                    "consent": rng.choice(list(ConsentLevel)),
                    "contacts": f"+7 7{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                    if rng.random() < 0.2
                    else None,
                    "created_by_id": coordinator,
                }
            )
    person_ids = _split_secret(Person, person_rows, ("contacts",))
    _insert(
        CasePerson,
        [
            {"case_id": c, "person_id": p, "role": str(r)}
            for (c, r), p in zip(links, person_ids, strict=True)
        ],
    )
    name_rows = [
        {
            "person_id": p,
            "name": name,
            "script": detect_script(name),
            "kind": NameKind.AS_GIVEN if i == 0 else NameKind.TRANSLITERATION,
            "position": i,
        }
        for p in person_ids
        for i, name in enumerate(person_names(rng))
    ]
    name_ids = _ids(PersonName, name_rows)
    ctx.setdefault("sample_names", [n["name"] for n in name_rows if n["script"] == "latin"][:5])
    _insert_plain(
        PersonNameKey,
        [
            {"person_id": n["person_id"], "name_id": nid, "kind": kind, "token": tok}
            for n, nid in zip(name_rows, name_ids, strict=True)
            for kind, tok in name_tokens(n["name"])
        ],
    )
    # Timeline: six events a case on average, a description on one in five.
    events = []
    for case_id in case_ids:
        for kind in rng.sample(EVENT_KINDS, rng.randint(3, 9)):
            events.append(
                {
                    "public_id": new_public_id(),
                    "case_id": case_id,
                    "event_type": kind,
                    "date": _partial(rng),
                    "destination_country": rng.choice(COUNTRIES)
                    if kind == EventType.REMOVAL
                    else None,
                    "description": rng.choice(DESCRIPTIONS) if rng.random() < 0.2 else None,
                    "created_by_id": coordinator,
                }
            )
    _split_secret(Event, events, ("description",))
    # Legal grounds: CAT:3 on most cases, one to three other provisions.
    grounds = []
    for case_id in case_ids:
        chosen = {cat3} if rng.random() < 0.7 else set()
        chosen |= set(rng.sample(provisions, rng.randint(0, 3)))
        for provision in chosen:
            grounds.append(
                {
                    "public_id": new_public_id(),
                    "case_id": case_id,
                    "provision_id": provision,
                    "assessment": rng.choice(list(Assessment)),
                    "violation_status": rng.choice(list(ViolationStatus)),
                    "state": LinkState.ASSESSED if rng.random() < 0.8 else LinkState.SUGGESTED,
                    "analysis": rng.choice(ANALYSES) if rng.random() < 0.15 else None,
                    "created_by_id": rng.choice(lawyers),
                }
            )
    _split_secret(CaseProvision, grounds, ("analysis",))
    # Domestic remedies on two cases in five, some with an appeal deadline ahead.
    remedies = [
        {
            "public_id": new_public_id(),
            "case_id": case_id,
            "kind": rng.choice(list(RemedyKind)),
            "filed_on": today - timedelta(days=rng.randint(10, 3000)),
            "outcome": rng.choice(list(RemedyOutcome)),
            "appeal_deadline": today + timedelta(days=rng.randint(-30, 60))
            if rng.random() < 0.2
            else None,
            "body": "Almaty city court" if rng.random() < 0.5 else None,
            "created_by_id": rng.choice(lawyers),
        }
        for case_id in case_ids
        if rng.random() < 0.4
    ]
    _split_secret(Remedy, remedies, ("body",))
    # Advocacy: one action per four cases, a few grouping several cases, and one thematic
    # action (no case) per 200 cases; follow-ups due.
    actions, action_links = [], []
    for start in range(0, len(case_ids), 4):
        group = case_ids[start : start + rng.choice((1, 1, 1, 2, 4))] if start % 200 else []
        status = rng.choice(list(ActionStatus))
        actions.append(
            {
                "public_id": new_public_id(),
                "action_type": rng.choice(list(ActionType)),
                "target_body_id": rng.choice(bodies) if bodies else None,
                "status": status,
                "title": f"{rng.choice(['Urgent appeal', 'Interim measures request', 'Allegation letter'])} {first + start}",
                "submitted_on": today - timedelta(days=rng.randint(5, 2000)),
                "followup_due": today + timedelta(days=rng.randint(-20, 40))
                if status != ActionStatus.CLOSED
                else None,
                "outcome": rng.choice(list(ActionOutcome)),
                "responsible_id": rng.choice(lawyers + [coordinator]),
                "created_by_id": coordinator,
                "thematic": not group,
            }
        )
        action_links.append(group)
    action_ids = _ids(AdvocacyAction, actions)
    _insert_plain(
        action_cases,
        [
            {"action_id": a, "case_id": c}
            for a, group in zip(action_ids, action_links, strict=True)
            for c in group
        ],
    )
    return {
        "cases": len(case_ids),
        "people": len(person_ids),
        "names": len(name_rows),
        "events": len(events),
        "case_provisions": len(grounds),
        "remedies": len(remedies),
        "actions": len(actions),
    }


def _recommendations(rng: random.Random, count: int) -> int:
    """``count`` UPR recommendations, spread over four cycles of each State under review."""
    cycles = []
    for state in UPR_STATES:
        for number in range(1, 5):
            cycle = UPRCycle(state_under_review=state, number=number)
            db.session.add(cycle)
            cycles.append(cycle)
    db.session.flush()
    rows = [
        {
            "public_id": new_public_id(),
            "cycle_id": cycles[k % len(cycles)].id,
            "number": f"{120 + k // (len(cycles) * 200)}.{k // len(cycles) % 200 + 1}",
            "recommending_state": rng.choice(RECOMMENDING),
            "text": rng.choice(RECOMMENDATIONS),
            "response": rng.choice(list(UPRResponse)),
            "themes": "asylum; torture" if rng.random() < 0.5 else None,
        }
        for k in range(count)
    ]
    return len(_ids(UPRRecommendation, rows))


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it does not exist (SQLite makes its file)."""
    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        return
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    engine.dispose()


def reset_database(app: Flask) -> None:
    with app.app_context():
        meta = MetaData()
        meta.reflect(bind=db.engine)
        meta.drop_all(bind=db.engine)
        if db.engine.dialect.name == "sqlite":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()


def generate(
    url: str,
    cases: int = 100_000,
    seed: int = 13,
    log: Any = print,
    staff: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Empty the database at ``url`` and fill it; the accounts and counts written. ``staff``:
    accounts by role (``STAFF`` by default; the load test wants one account per user)."""
    ensure_database(url)
    app = bench_app(url)
    reset_database(app)
    rng = random.Random(seed)
    started = time.perf_counter()
    with app.app_context():
        seed_catalogue()
        # The keys written below are made by the current matching rules.
        indexversions.record(matching.INDEX_NAME, matching.RULES_VERSION)
        db.session.commit()
        accounts, users = _make_accounts({**STAFF, **(staff or {})})
        provisions = list(db.session.scalars(select(Provision.id).order_by(Provision.id)))
        cat3 = db.session.scalar(select(Provision.id).where(Provision.code == "CAT:3"))
        bodies = list(db.session.scalars(select(TargetBody.id).order_by(TargetBody.id)))
        ctx = {"provisions": [p for p in provisions if p != cat3], "cat3": cat3, "bodies": bodies}
        totals: dict[str, int] = {}
        for first in range(1, cases + 1, CHUNK):
            counts = _chunk(rng, first, min(CHUNK, cases + 1 - first), users, ctx)
            db.session.commit()
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
            log(f"  {totals['cases']:>7} cases written ({time.perf_counter() - started:.0f} s)")
        totals["recommendations"] = _recommendations(rng, cases // 20)
        db.session.commit()
        _newcomers(accounts, users)
        if db.engine.dialect.name == "postgresql":
            # Outside a transaction: a rolled-back ANALYZE leaves the planner without statistics.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "counts": totals,
        # Names that exist (for searches and matches that must find someone).
        "sample_names": ctx["sample_names"],
        "accounts": {"password": accounts.password, "users": accounts.users},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="database URL (emptied and rebuilt)")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--accounts", type=Path, help="write the accounts (JSON) here")
    parser.add_argument(
        "--staff", default="", help="accounts by role, e.g. coordinator=10,monitor=40"
    )
    args = parser.parse_args()
    staff = {k: int(v) for k, v in (p.split("=") for p in args.staff.split(",") if p)}
    result = generate(args.url, args.cases, args.seed, staff=staff)
    if args.accounts:
        args.accounts.write_text(json.dumps(result["accounts"], indent=1))
    print(
        f"written in {result['seconds']} s: "
        + ", ".join(f"{v} {k}" for k, v in result["counts"].items())
    )


if __name__ == "__main__":
    main()
