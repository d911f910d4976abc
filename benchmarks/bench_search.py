"""Benchmark of full-text search: building the keyed token index and searching it.

    python -m benchmarks.bench_search [--cases 10000] [--events 2] [--comments 1]

Fills a scratch SQLite file (or ``$BENCH_DATABASE_URL``, whose tables it drops and rebuilds:
never point it at a database you want to keep) with encrypted cases, events and comments
through the ORM as the importer writes them (so the index is kept as in the application),
then times a full rebuild
(``search reindex``) and searches of rare, common and combined words by a coordinator (who
reads every ordinary case) and a monitor (a tenth of them).
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
from sqlalchemy import MetaData, func, insert, select

from casework import create_app
from casework.cases.models import Case, CaseMember, Comment, Event
from casework.core.db import db, new_public_id
from casework.core.vocab import CaseStatus, EventType, Role, TeamRole
from casework.imports.services import _inserted_ids  # the importer's fast path
from casework.search.index import reindex_all
from casework.search.models import SearchToken
from casework.search.services import search_cases
from tests.factories import make_user

COMMON = ["задержан", "депортирован", "arrested", "deported", "court", "суд", "police"]
RARE = "Quokkaberg"


def _fresh_database(url: str):
    app = create_app({"TESTING": True, "ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        meta = MetaData()
        meta.reflect(bind=db.engine)
        meta.drop_all(bind=db.engine)
        upgrade()
    return app


def _vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    letters = "abcdefghiklmnoprstuvz"
    cyr = "абвгдежзиклмнопрстуфхш"
    words = set()
    while len(words) < size:
        alphabet = cyr if rng.random() < 0.5 else letters
        words.add("".join(rng.choice(alphabet) for _ in range(rng.randint(4, 10))))
    return sorted(words)


def _text(rng: random.Random, vocab: list[str], n: int) -> str:
    # Zipf-like: a few words very common, most rare.
    chosen = [vocab[min(int(rng.paretovariate(1.1)) - 1, len(vocab) - 1)] for _ in range(n)]
    if rng.random() < 0.5:
        chosen.append(rng.choice(COMMON))
    return " ".join(chosen).capitalize() + "."


def populate(n_cases: int, events: int, comments: int, rng: random.Random) -> tuple:
    """Cases, events and comments as the importer writes them: ids reserved first, values
    sealed in the INSERT, a flush per batch (which indexes the batch's records)."""
    monitor = make_user(Role.MONITOR)
    coordinator = make_user(Role.COORDINATOR)
    monitor_id, coordinator_id = monitor.id, coordinator.id
    vocab = _vocabulary(rng)
    rng.shuffle(vocab)
    batch = 1000
    for start in range(0, n_cases, batch):
        numbers = range(start, min(n_cases, start + batch))
        case_rows = [
            {
                "public_id": new_public_id(),
                "reference": f"BS-{i:07d}",
                "created_by_id": monitor_id if i % 10 == 0 else coordinator_id,
                "status": CaseStatus.SUBMITTED,
                "title": _text(rng, vocab, 6),
                "narrative": _text(rng, vocab, 120) + (f" {RARE}." if i == n_cases // 2 else ""),
            }
            for i in numbers
        ]
        case_ids = _inserted_ids(Case, case_rows)
        db.session.execute(
            insert(CaseMember),
            [
                {"case_id": c, "user_id": row["created_by_id"], "team_role": TeamRole.CREATOR}
                for c, row in zip(case_ids, case_rows, strict=True)
            ],
        )
        _inserted_ids(
            Event,
            [
                {"public_id": new_public_id(), "case_id": c, "event_type": EventType.ARREST,
                 "description": _text(rng, vocab, 40)}
                for c in case_ids
                for _ in range(events)
            ],
        )  # fmt: skip
        _inserted_ids(
            Comment,
            [
                {"case_id": c, "author_id": monitor_id, "body": _text(rng, vocab, 25)}
                for c in case_ids
                for _ in range(comments)
            ],
        )
        db.session.commit()
        db.session.expunge_all()
    return db.session.get(type(monitor), monitor_id), db.session.get(type(monitor), coordinator_id)


def timed(fn, runs: int = 7) -> tuple[float, int]:
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        db.session.rollback()
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(result.cases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=2)
    parser.add_argument("--comments", type=int, default=1)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL")
    scratch = None
    if not url:
        scratch = Path(tempfile.mkdtemp(prefix="casework-bench-")) / "bench.db"
        url = f"sqlite:///{scratch}"
    app = _fresh_database(url)
    rng = random.Random(13)
    with app.app_context():
        print(f"database: {db.engine.dialect.name}")
        started = time.perf_counter()
        monitor, coordinator = populate(args.cases, args.events, args.comments, rng)
        records = args.cases * (1 + args.events + args.comments)
        print(
            f"wrote {args.cases} cases, {records} indexed records (encrypted, indexed on flush) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        count = reindex_all()
        db.session.commit()
        tokens = db.session.scalar(select(func.count()).select_from(SearchToken))
        print(f"reindex: {count} records, {tokens} tokens in {time.perf_counter() - started:.1f} s")
        queries = {
            "rare word": RARE,
            "common word": "deported",
            "common Russian word": "депортированы",
            "two common words (AND)": "arrested court",
            "no match": "Nonexistentword",
        }
        for user, who in ((coordinator, "coordinator"), (monitor, "monitor")):
            user = db.session.merge(user)
            for label, q in queries.items():
                seconds, found = timed(lambda q=q, user=user: search_cases(user, q))
                print(f"{who:12} {label:24} {seconds * 1000:7.1f} ms  ({found} cases shown)")
    if scratch is not None:
        size = scratch.stat().st_size / 1e6
        print(f"scratch database: {size:.0f} MB")
        scratch.unlink()


if __name__ == "__main__":
    main()
