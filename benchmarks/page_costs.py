"""What the main pages cost as the archive grows: latency and SQL statements per page.

    python -m benchmarks.page_costs [DATABASE_URL] [N] [--reuse]

Without a URL, a SQLite file under the system's temporary directory is used (one per N). The
database is emptied and rebuilt by the migrations, then filled with N cases (bulk inserts, as in
``benchmarks/statistics_100k.py``), one name per person (sealed through the ORM and indexed), an
imminent case in twenty, and one case with many people, events, legal links, actions and
comments. Each page is asked for through the test client as a signed-in coordinator (and the
name search also as a monitor), several times; the median time and the statements of the last
request are printed as a Markdown table.
"""

from __future__ import annotations

import random
import statistics as stats
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
from flask_migrate import upgrade
from sqlalchemy import MetaData, event, func, select, update

from benchmarks import statistics_100k
from benchmarks.statistics_100k import PASSWORD, _bulk, populate
from casework import create_app
from casework.accounts import totp
from casework.accounts.models import User
from casework.advocacy.models import AdvocacyAction, action_cases
from casework.cases.models import Case, CasePerson, Comment, Event
from casework.core.db import db, new_public_id, utcnow
from casework.core.vocab import (
    ActionOutcome,
    ActionStatus,
    ActionType,
    CaseRole,
    EventType,
    NameKind,
    Script,
    Urgency,
)
from casework.legal.models import CaseProvision, Provision
from casework.people.matching import index_names
from casework.people.models import Person, PersonName

FIRST = ["Akmal", "Dilshod", "Rustam", "Farrukh", "Jamshid", "Alisher", "Bekzod", "Timur",
         "Nodira", "Gulnara", "Malika", "Zarina", "Ilhom", "Murod", "Sanjar", "Aziz"]  # fmt: skip
LAST = ["Karimov", "Tursunov", "Rahimov", "Yusupov", "Nazarov", "Aliyev", "Saidov", "Qodirov",
        "Ergashev", "Mirzaev", "Abdullaev", "Hamidov", "Sharipov", "Umarov", "Xolmatov"]  # fmt: skip
RICH = 30  # people, events, legal links, actions and comments of the one rich case


def _names(n: int) -> None:
    """One sealed name per person, through the ORM (encryption), then the blind index."""
    rnd = random.Random(11)
    for start in range(1, n + 1, 2000):
        entries = [
            PersonName(
                person_id=i,
                name=f"{rnd.choice(FIRST)} {rnd.choice(LAST)}{i % 97}",
                script=Script.LATIN,
                kind=NameKind.AS_GIVEN,
                position=0,
            )
            for i in range(start, min(n, start + 1999) + 1)
        ]
        db.session.add_all(entries)
        db.session.flush()
        index_names(entries)
        db.session.commit()


def _rich_case(n: int) -> None:
    """Case 1 with RICH people, events, legal links, actions and comments."""
    now = datetime.now(UTC)
    common = {"created_at": now, "updated_at": now, "version": 1}
    monitor = db.session.scalar(select(User).where(User.email == "monitor@bench.example"))
    first = n + 1
    _bulk(
        Person.__table__,
        [
            {
                "id": first + k,
                "public_id": new_public_id(),
                "gender": "female",
                "legal_status": "asylum_seeker",
                "consent": "none",
                "family_at_risk": False,
                "birth_date_approximate": False,
                **common,
            }  # fmt: skip
            for k in range(RICH)
        ],
    )
    _bulk(
        CasePerson.__table__,
        [
            {"case_id": 1, "person_id": first + k, "role": CaseRole.FAMILY, "added_at": now}
            for k in range(RICH)
        ],
    )
    entries = [
        PersonName(
            person_id=first + k,
            name=f"Relative {k}",
            script=Script.LATIN,
            kind=NameKind.AS_GIVEN,
            position=0,
        )  # fmt: skip
        for k in range(RICH)
    ]
    db.session.add_all(entries)
    db.session.flush()
    index_names(entries)
    _bulk(
        Event.__table__,
        [
            {
                "public_id": new_public_id(),
                "case_id": 1,
                "event_type": EventType.COURT_DECISION,
                "date": f"2012-{k % 12 + 1:02d}",
                "date_approximate": False,
                **common,
            }  # fmt: skip
            for k in range(RICH)
        ],
    )
    instrument_id = db.session.scalar(select(Provision.instrument_id).limit(1))
    provisions = [
        Provision(instrument_id=instrument_id, code=f"BCAT:R{k}", title=f"Rich {k}")
        for k in range(RICH)
    ]
    db.session.add_all(provisions)
    db.session.flush()
    _bulk(
        CaseProvision.__table__,
        [
            {
                "public_id": new_public_id(),
                "case_id": 1,
                "provision_id": p.id,
                "assessment": "violated",
                "violation_status": "likely",
                "state": "assessed",
                **common,
            }  # fmt: skip
            for p in provisions
        ],
    )
    actions = [
        AdvocacyAction(
            action_type=ActionType.URGENT_APPEAL,
            status=ActionStatus.SUBMITTED,
            title=f"Appeal {k}",
            outcome=ActionOutcome.PENDING,
            thematic=False,  # linked in bulk below
            followup_due=date.today() + timedelta(days=k - 10),
        )
        for k in range(RICH)
    ]
    db.session.add_all(actions)
    db.session.flush()
    _bulk(action_cases, [{"action_id": a.id, "case_id": 1} for a in actions])
    for k in range(RICH):
        db.session.add(Comment(case_id=1, author_id=monitor.id, body=f"Note {k}"))
    db.session.execute(update(Case).where(Case.id == 1).values(urgency=Urgency.IMMINENT))
    db.session.commit()


def _bulk_without_actions(table, rows) -> None:
    # Action titles are sealed: the actions are written through the ORM below instead.
    if table is not AdvocacyAction.__table__ and table is not action_cases:
        _bulk(table, rows)


def _actions(n: int) -> None:
    """An advocacy action for one case in ten, through the ORM (titles are sealed)."""
    for start in range(10, n + 1, 10_000):
        actions = [
            AdvocacyAction(
                action_type=ActionType.URGENT_APPEAL,
                status=ActionStatus.SUBMITTED,
                title="Action",
                outcome=ActionOutcome.PENDING,
                thematic=False,  # linked in bulk below
                followup_due=date.today() + timedelta(days=(k % 60) - 30),
            )
            for k in range(start, min(n, start + 9_999) + 1, 10)
        ]
        db.session.add_all(actions)
        db.session.flush()
        case_ids = range(start, min(n, start + 9_999) + 1, 10)
        links = zip(actions, case_ids, strict=True)
        _bulk(action_cases, [{"action_id": a.id, "case_id": c} for a, c in links])
        db.session.commit()


def build(n: int) -> None:
    statistics_100k._bulk = _bulk_without_actions
    populate(n)
    _actions(n)
    db.session.execute(
        update(Case).where(Case.id % 20 == 0).values(urgency=Urgency.IMMINENT, updated_at=utcnow())
    )
    db.session.commit()
    _names(n)
    _rich_case(n)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def _log_in(app, email: str):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user.totp_secret is None:
            user.totp_secret = pyotp.random_base32()
            user.totp_confirmed_at = utcnow()
            db.session.commit()
        secret = user.totp_secret
        # The replay guard refuses a step already used: take the next one (inside the drift).
        step = max(totp.current_step(), (user.totp_last_step or -1) + 1)
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    assert urlsplit(response.headers["Location"]).path == "/login/code"
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).generate_otp(step)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def _measure(app, client, method: str, url: str, data=None, runs: int = 7) -> tuple[float, int]:
    counter = {"n": 0}

    def before(*args, **kwargs):
        counter["n"] += 1

    timings = []
    with app.app_context():
        engine = db.engine
    for _ in range(runs):
        counter["n"] = 0
        event.listen(engine, "before_cursor_execute", before)
        started = time.perf_counter()
        response = client.open(url, method=method, data=data)
        timings.append(time.perf_counter() - started)
        event.remove(engine, "before_cursor_execute", before)
        assert response.status_code == 200, (url, response.status_code)
    return stats.median(timings) * 1000, counter["n"]


def deep_list_url(app, n: int) -> str:
    """A page of the list half-way through the archive: a cursor where the list has them
    (keyset pagination), else the page number (OFFSET)."""
    try:
        from casework.cases.listing import CURSOR_SALT  # noqa: PLC0415
        from casework.core.keyset import make_cursor  # noqa: PLC0415
    except ImportError:
        return f"/cases?page={max(1, n // 50)}"
    cursor = make_cursor(app.config["SECRET_KEY"], CURSOR_SALT, "updated", n // 2, before=False)
    return f"/cases?cursor={cursor}"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = next((int(a) for a in args if a.isdigit()), 10_000)
    url = next((a for a in args if not a.isdigit()), "")
    if not url:
        url = f"sqlite:///{Path(tempfile.gettempdir()) / f'casework-page-costs-{n}.db'}"
    app = create_app({"TESTING": True, "ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if "--reuse" not in sys.argv:
            meta = MetaData()
            meta.reflect(bind=db.engine)
            meta.drop_all(bind=db.engine)
            upgrade()
            started = time.perf_counter()
            build(n)
            print(f"{n} cases written in {time.perf_counter() - started:.1f} s")
        n = db.session.scalar(select(func.count(Case.id))) - 0
        rich = db.session.scalar(select(Case.public_id).where(Case.id == 1))
        code = db.session.scalar(select(Provision.code).where(Provision.code == "BCAT:1"))
    coordinator = _log_in(app, "coordinator@bench.example")
    monitor = _log_in(app, "monitor@bench.example")
    deep = deep_list_url(app, n)
    pages = [
        ("healthz", coordinator, "GET", "/healthz", None),
        ("dashboard", coordinator, "GET", "/", None),
        ("case list", coordinator, "GET", "/cases", None),
        ("case list, filtered", coordinator, "GET", "/cases?status=verified&destination=UZ", None),
        ("case list, sorted by reference", coordinator, "GET", "/cases?sort=reference", None),
        ("case list, deep page", coordinator, "GET", deep, None),
        ("case file (30 of everything)", coordinator, "GET", f"/cases/{rich}", None),
        ("provision page", coordinator, "GET", f"/legal/provisions/{code}", None),
        ("follow-ups", coordinator, "GET", "/advocacy/followups", None),
        ("UPR", coordinator, "GET", "/advocacy/upr", None),
        ("name search, no match", coordinator, "POST", "/cases/search", {"name": "Zzyzx Qwv"}),
        ("name search, match", coordinator, "POST", "/cases/search", {"name": "Karimov"}),
        ("name search, monitor", monitor, "POST", "/cases/search", {"name": "Karimov"}),
    ]
    print(f"\n{n} cases ({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]})\n")
    print("| page | median ms | queries |\n| --- | ---: | ---: |")
    for label, client, method, page_url, data in pages:
        ms, queries = _measure(app, client, method, page_url, data)
        print(f"| {label} | {ms:.0f} | {queries} |", flush=True)


if __name__ == "__main__":
    main()
