"""Statistics over 100,000 cases: how long the page takes for a coordinator.

    python -m benchmarks.statistics_100k postgresql+psycopg://user@host/empty_db [N] [--reuse]

The database given is emptied and rebuilt by the migrations (``--reuse``: a database this
script filled before is timed again as it is). Rows are written with bulk
inserts (no ORM objects); the page is then asked for through the test client, as a signed-in
coordinator, several times, and the best and median times printed.
"""

from __future__ import annotations

import random
import statistics as stats
import sys
import time
from datetime import UTC, datetime

from flask_migrate import upgrade
from sqlalchemy import MetaData, insert

from casework import create_app
from casework.accounts.services import create_user
from casework.advocacy.models import AdvocacyAction, action_cases
from casework.cases.models import Case, CaseMember, CasePerson, Event
from casework.core.db import db, new_public_id
from casework.core.keyring import keyring
from casework.core.vocab import (
    ActionOutcome,
    ActionStatus,
    ActionType,
    ActType,
    CaseRole,
    CaseStatus,
    EventType,
    Situation,
    TeamRole,
    Urgency,
)
from casework.legal.models import CaseProvision, Instrument, Provision
from casework.people.models import Person

PASSWORD = "benchmark passphrase 1"  # noqa: S105  (a throwaway account in a throwaway database)
CHUNK = 5000


def _chunks(rows, size=CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _bulk(table, rows) -> None:
    for chunk in _chunks(rows):
        db.session.execute(insert(table), chunk)


def populate(n: int) -> None:
    rnd = random.Random(10)
    now = datetime.now(UTC)
    monitor = create_user("monitor@bench.example", PASSWORD, "monitor", "Monitor")
    create_user("coordinator@bench.example", PASSWORD, "coordinator", "Coordinator")
    db.session.flush()
    instrument = Instrument(
        code="BCAT", title="Bench convention", instrument_type="treaty", direction="protective"
    )
    db.session.add(instrument)
    db.session.flush()
    provisions = []
    for k in range(1, 16):
        p = Provision(instrument_id=instrument.id, code=f"BCAT:{k}", title=f"Article {k}")
        db.session.add(p)
        provisions.append(p)
    db.session.flush()
    statuses = list(CaseStatus)
    acts, situations = list(ActType), list(Situation)
    countries = ["UZ", "TJ", "CN", "RU", "KG", "TM", "AF", None]
    common = {"created_at": now, "updated_at": now, "version": 1}
    cases = [
        {
            "id": i,
            "public_id": new_public_id(),
            "reference": f"KZ-B-{i:07d}",
            "status": CaseStatus.VERIFIED if rnd.random() < 0.6 else rnd.choice(statuses),
            "urgency": Urgency.ROUTINE,
            "restricted": rnd.random() < 0.05,
            "act_type": rnd.choice(acts),
            "act_date": f"{rnd.randint(2005, 2025)}-{rnd.randint(1, 12):02d}",
            "act_date_approximate": False,
            "destination_country": rnd.choice(countries),
            "current_situation": rnd.choice(situations),
            "created_by_id": monitor.id,
            **common,
        }
        for i in range(1, n + 1)
    ]
    _bulk(Case.__table__, cases)
    _bulk(
        CaseMember.__table__,
        [
            {"case_id": i, "user_id": monitor.id, "team_role": TeamRole.CREATOR, "added_at": now}
            for i in range(1, n + 1)
        ],
    )
    _bulk(
        Person.__table__,
        [
            {
                "id": i,
                "public_id": new_public_id(),
                "gender": "male",
                "nationality": rnd.choice(countries),
                "ethnicity": rnd.choice(["Uzbek", "Uyghur", "Tajik", "Kazakh", None]),
                "legal_status": "asylum_seeker",
                "consent": "none",
                "family_at_risk": False,
                "birth_date_approximate": False,
                **common,
            }
            for i in range(1, n + 1)
        ],
    )
    _bulk(
        CasePerson.__table__,
        [
            {"case_id": i, "person_id": i, "role": CaseRole.AT_RISK, "added_at": now}
            for i in range(1, n + 1)
        ],
    )
    events = []
    kinds = [EventType.ARREST, EventType.REMOVAL, EventType.AFTER_RETURN_DETENTION,
             EventType.TORTURE_ALLEGATION, EventType.INTERIM_MEASURES_REQUEST,
             EventType.INTERIM_MEASURES_GRANTED]  # fmt: skip
    for i in range(1, n + 1):
        for kind in rnd.sample(kinds, 2):
            events.append(
                {
                    "public_id": new_public_id(),
                    "case_id": i,
                    "event_type": kind,
                    "date_approximate": False,
                    **common,
                }  # fmt: skip
            )
    _bulk(Event.__table__, events)
    _bulk(
        CaseProvision.__table__,
        [
            {
                "public_id": new_public_id(),
                "case_id": i,
                "provision_id": rnd.choice(provisions).id,
                "assessment": rnd.choice(["violated", "at_risk", "relevant"]),
                "violation_status": "likely",
                "state": "assessed",
                **common,
            }
            for i in range(1, n + 1, 2)
        ],
    )
    ring = keyring()
    key = ring.active_key(db.session.connection())
    actions = [
        {
            "id": k,
            "public_id": new_public_id(),
            "action_type": rnd.choice(
                [ActionType.URGENT_APPEAL, ActionType.INTERIM_MEASURES_REQUEST]
            ),
            "status": rnd.choice([ActionStatus.SUBMITTED, ActionStatus.RESPONSE_RECEIVED]),
            # Titles are encrypted at rest: sealed here, as the ORM would.
            "title": ring.seal_value(key, "advocacy_actions", "title", k, "Action"),
            "outcome": rnd.choice([ActionOutcome.PENDING, ActionOutcome.INTERIM_MEASURES_GRANTED]),
            "thematic": False,  # each linked to a case below
            **common,
        }
        for k in range(1, n // 5 + 1)
    ]
    _bulk(AdvocacyAction.__table__, actions)
    _bulk(action_cases, [{"action_id": k, "case_id": k * 5} for k in range(1, n // 5 + 1)])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Outside a transaction: a rolled-back ANALYZE leaves the planner without statistics.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def main() -> None:
    url = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 100_000
    app = create_app({"TESTING": True, "ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if "--reuse" in sys.argv:
            n = db.session.query(Case).count()
        else:
            meta = MetaData()
            meta.reflect(bind=db.engine)
            meta.drop_all(bind=db.engine)
            upgrade()
            started = time.perf_counter()
            populate(n)
            print(f"{n} cases written in {time.perf_counter() - started:.1f} s")
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "coordinator@bench.example", "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code
    timings = []
    for _ in range(7):
        started = time.perf_counter()
        response = client.get("/reports/statistics")
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Cases by year" in page
    print(
        f"statistics page, {n} cases: best {min(timings) * 1000:.0f} ms, "
        f"median {stats.median(timings) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
