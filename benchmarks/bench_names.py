"""Benchmarks of names: importing 10,000 rows, and ``people match`` among 150,000 people.

    python -m benchmarks.bench_names [--people 150000] [--rows 10000]

Runs on a scratch SQLite file, or on ``$BENCH_DATABASE_URL`` (PostgreSQL), whose tables it
drops and rebuilds: never point it at a database you want to keep. Targets: the import under
10 s, a match under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import MetaData, insert, select, text

from casework import create_app
from casework.cases.models import Case, CaseMember, CasePerson
from casework.core.db import db, new_public_id
from casework.core.vocab import CaseRole, CaseStatus, Role, TeamRole
from casework.imports.reading import read_csv
from casework.imports.services import ImportOptions, import_cases
from casework.legal.seeding import seed_catalogue
from casework.people.matching import find_matches, name_tokens
from casework.people.models import Person, PersonName, PersonNameKey
from tests.data.make_name_pairs import GIVEN_FEMALE, GIVEN_MALE, SURNAMES
from tests.factories import make_user

SYLLABLES = ["ab", "ad", "al", "am", "an", "ar", "as", "at", "ba", "bek", "dil", "dor", "er", "gul", "ha", "il", "is", "jon", "ka", "kar", "ki", "mur", "na", "nur", "ol", "qo", "ra", "rus", "sa", "sha", "sul", "ta", "tol", "tur", "u", "ul", "us", "xo", "ya", "yor", "zi", "zo"]  # fmt: skip
ENDINGS = ["ov", "ev", "iy", "bayev", "ova", "", "jon", "bek"]


def synthetic_name(rng: random.Random) -> str:
    def word(n: int) -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(n)).capitalize()

    return f"{word(rng.randint(2, 3))} {word(rng.randint(2, 3))}{rng.choice(ENDINGS)}"


def known_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN_MALE + GIVEN_FEMALE)
    surname, _ = rng.choice(SURNAMES)
    return f"{rng.choice(given)} {rng.choice(surname)}"


def _fresh_database(url: str):
    app = create_app({"TESTING": True, "ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        meta = MetaData()
        meta.reflect(bind=db.engine)
        meta.drop_all(bind=db.engine)
        upgrade()
    return app


def populate(n_people: int, owner_id: int, rng: random.Random) -> None:
    """``n_people`` people, 10 to a case, two names each, with their blind-index keys."""
    per_case = 10
    for start in range(0, n_people, 5000):
        count = min(5000, n_people - start)
        cases = [
            {
                "public_id": new_public_id(),
                "reference": f"BX-{start + i:07d}",
                "created_by_id": owner_id,
                "status": CaseStatus.DRAFT,
            }
            for i in range(0, count, per_case)
        ]
        case_ids = list(db.session.scalars(insert(Case).returning(Case.id), cases))
        db.session.execute(
            insert(CaseMember),
            [{"case_id": c, "user_id": owner_id, "team_role": TeamRole.CREATOR} for c in case_ids],
        )
        person_ids = list(
            db.session.scalars(
                insert(Person).returning(Person.id),
                [{"public_id": new_public_id()} for _ in range(count)],
            )
        )
        db.session.execute(
            insert(CasePerson),
            [
                {"case_id": case_ids[i // per_case], "person_id": p, "role": CaseRole.AT_RISK}
                for i, p in enumerate(person_ids)
            ],
        )
        names = []
        for p in person_ids:
            first = known_name(rng) if rng.random() < 0.3 else synthetic_name(rng)
            names += [(p, first, 0), (p, synthetic_name(rng), 1)]
        # Names go through the ORM: it seals them (encryption at rest), a bulk INSERT would not.
        rows = [
            PersonName(person_id=p, name=t, script="latin", kind="as_given", position=i)
            for p, t, i in names
        ]
        db.session.add_all(rows)
        db.session.flush()
        name_ids = [row.id for row in rows]
        db.session.execute(
            insert(PersonNameKey),
            [
                {"person_id": p, "name_id": nid, "kind": kind, "token": tok}
                for (p, text, _), nid in zip(names, name_ids, strict=True)
                for kind, tok in name_tokens(text)
            ],
        )
        db.session.commit()


def bench_match(n_people: int, rng: random.Random) -> dict[str, float]:
    coordinator = make_user(Role.COORDINATOR)
    monitor = make_user(Role.MONITOR)
    t0 = time.perf_counter()
    populate(n_people, monitor.id, rng)
    if db.engine.dialect.name == "postgresql":
        # Fresh statistics, as autovacuum keeps them on a live database.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    build = time.perf_counter() - t0
    queries = [known_name(rng) for _ in range(60)]
    timings, found = [], 0
    for user in (coordinator, monitor):
        find_matches(user, [queries[0]])  # warm caches
        for q in queries:
            t = time.perf_counter()
            found += len(find_matches(user, [q]))
            timings.append((time.perf_counter() - t) * 1000)
            db.session.rollback()
    people = db.session.scalar(select(db.func.count(Person.id)))
    return {
        "people": people,
        "build_s": build,
        "match_ms_median": statistics.median(timings),
        "match_ms_p95": sorted(timings)[int(len(timings) * 0.95)],
        "match_ms_max": max(timings),
        "candidates_returned": found,
    }


def import_file(rows: int, rng: random.Random) -> bytes:
    header = "case_key,person_name,other_names,gender,birth_date,nationality,act_type,act_date,perpetrators,sources,consent,urgency,legal_grounds"
    lines = [header]
    for i in range(rows):
        key = f"OLD-{i // 2:05d}" if i % 3 else ""
        lines.append(
            f"{key},{known_name(rng)},{synthetic_name(rng)},m,19{rng.randint(50, 99)},UZ,"
            f"extradition,20{rng.randint(10, 23)}-0{rng.randint(1, 9)},KNB; police,relative,,"
            "urgent,CAT:3"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def bench_import(rows: int, rng: random.Random) -> dict[str, float]:
    seed_catalogue()
    db.session.commit()
    coordinator = make_user(Role.COORDINATOR)
    data = import_file(rows, rng)
    t0, cpu0 = time.perf_counter(), time.process_time()
    table = read_csv(data)
    report = import_cases(coordinator, table, ImportOptions())
    db.session.commit()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    assert report.written and not report.rejected, report.rejected[:3]
    return {
        "rows": rows,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        **{f"created_{k}": v for k, v in report.created.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=150_000)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{Path(tempfile.mkdtemp(prefix='casework-bench-')) / 'bench.db'}"
    )
    backend = url.split(":", 1)[0]
    rng = random.Random(11)
    app = _fresh_database(url)
    with app.app_context():
        result = bench_import(args.rows, rng)
        print(f"[{backend}] import {result['rows']} rows: {result['seconds']:.2f} s "
              f"(this process's CPU: {result['cpu_seconds']:.2f} s; load {os.getloadavg()[0]:.1f}) "
              f"({result['created_cases']} cases, {result['created_people']} people)")  # fmt: skip
    app = _fresh_database(url)
    with app.app_context():
        result = bench_match(args.people, rng)
        print(f"[{backend}] people match among {result['people']} people "
              f"(built in {result['build_s']:.0f} s): median {result['match_ms_median']:.1f} ms, "
              f"p95 {result['match_ms_p95']:.1f} ms, max {result['match_ms_max']:.1f} ms; "
              f"load {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
