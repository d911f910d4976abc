"""Locks shared by every app server and worker: in the database, never in a process.

``transaction_lock(name)`` serialises a critical section across processes and machines for the
rest of the current transaction: a PostgreSQL advisory transaction lock (released at commit or
rollback), or on SQLite the database's write lock (one writer at a time, whatever the process).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text

from casework.core.db import db

# Names of the locks in use (each maps to a 63-bit advisory lock key).
CASE_REFERENCES = "case-references"


def lock_key(name: str) -> int:
    """A stable advisory-lock key for ``name`` (positive, fits PostgreSQL's bigint)."""
    return int.from_bytes(hashlib.sha256(f"casework:{name}".encode()).digest()[:8], "big") >> 1


def transaction_lock(name: str, table: str = "cases") -> None:
    """Hold the lock ``name`` until the current transaction ends (waits for it if taken).

    On SQLite a no-op UPDATE of ``table`` takes the database's write lock instead.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
    else:
        db.session.execute(text(f"UPDATE {table} SET id = id WHERE 0"))  # noqa: S608  # nosec B608
