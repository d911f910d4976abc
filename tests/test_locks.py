"""Locks that several app servers share: they live in the database, not in a process."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from casework.core.db import db
from casework.core.locks import CASE_REFERENCES, lock_key, transaction_lock


def _try_elsewhere() -> bool:
    """Could another server (another connection) take the lock now?"""
    with db.engine.connect() as other:
        taken = other.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": lock_key(CASE_REFERENCES)}
        )
        other.rollback()
        return bool(taken)


def test_the_reference_lock_is_held_until_the_transaction_ends(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: its write lock serves")
    assert _try_elsewhere()
    transaction_lock(CASE_REFERENCES)
    assert not _try_elsewhere()
    db.session.commit()
    assert _try_elsewhere()


def test_lock_keys_are_stable_and_distinct():
    assert lock_key(CASE_REFERENCES) == lock_key("case-references")
    assert lock_key(CASE_REFERENCES) != lock_key("something-else")
    assert 0 < lock_key(CASE_REFERENCES) < 2**63
