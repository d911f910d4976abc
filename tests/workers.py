"""What each parallel test worker (pytest-xdist, ``make test``) has to itself.

Workers share this machine's PostgreSQL, Redis and ports; each one gets its own database, Redis
database and port, derived from its number, so that one worker's clean-up never empties
another's data. A run without xdist is worker 0 and uses the names as given.
"""

from __future__ import annotations

import os

from sqlalchemy import create_engine, make_url, text

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"... under xdist
INDEX = int(WORKER[2:]) if WORKER.startswith("gw") else 0


def redis_url(base: str) -> str:
    """The Redis database of this worker: the base's database number plus the worker's."""
    if not WORKER:
        return base
    head, _, number = base.rpartition("/")
    return f"{head}/{int(number or 0) + INDEX}"


def port(base: int) -> int:
    """A port of this worker's own, ``base`` for worker 0."""
    return base + INDEX


def database_url(url: str) -> str:
    """This worker's PostgreSQL database beside ``url``'s (created when missing); SQLite
    files are already per process."""
    parsed = make_url(url)
    if not WORKER or not parsed.get_backend_name().startswith("postgresql"):
        return url
    name = f"{parsed.database}_{WORKER}"
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if found is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)
