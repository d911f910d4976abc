"""Data keys: stored wrapped in ``data_keys``, unwrapped once per process by the master key.

The keyring holds the configured master key and, during a rotation, the previous one; each data
key row says which master key wraps it, so the right one is used and a wrong key is named in the
error instead of producing garbage.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Connection, LargeBinary, String, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.crypto import (
    MasterKey,
    MasterKeyMismatch,
    Sealed,
    new_data_key,
    open_sealed,
    seal,
    value_context,
)
from casework.core.db import UTCDateTime, db, utcnow

EXTENSION = "casework.keyring"


class DataKey(db.Model):
    """A data key, wrapped by the master key whose id is ``master_key_id``."""

    __tablename__ = "data_keys"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    master_key_id: Mapped[str] = mapped_column(String(16), nullable=False)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # A retired key still decrypts; new values use the newest key that is not retired.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


_table = DataKey.__table__


class Keyring:
    """Master keys and a cache of unwrapped data keys (by id; ids are random, never reused)."""

    def __init__(self, master: MasterKey, previous: MasterKey | None = None) -> None:
        self.master = master
        self._masters = {master.id: master}
        if previous is not None:
            self._masters.setdefault(previous.id, previous)
        self._cache: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def master_by_id(self, master_key_id: str) -> MasterKey | None:
        """The configured (or, during a rotation, previous) master key with this id."""
        return self._masters.get(master_key_id)

    def unwrap(self, key_id: str, master_key_id: str, wrapped: bytes) -> bytes:
        master = self._masters.get(master_key_id)
        if master is None:
            raise MasterKeyMismatch(
                f"data key {key_id} is wrapped by master key {master_key_id}, but the "
                f"configured master key is {self.master.id}: set CASEWORK_MASTER_KEY (or "
                "CASEWORK_OLD_MASTER_KEY during a rotation) to the key that wraps it"
            )
        return master.unwrap(key_id, wrapped)

    def known(self, key_id: str) -> bytes | None:
        """The data key ``key_id`` if this process has unwrapped it already, else None."""
        return self._cache.get(key_id)

    def data_key(self, conn: Connection, key_id: str) -> bytes:
        """The data key ``key_id``; unknown ids and wrong master keys raise."""
        cached = self.known(key_id)
        if cached is not None:
            return cached
        row = conn.execute(
            select(_table.c.master_key_id, _table.c.wrapped).where(_table.c.id == key_id)
        ).one_or_none()
        if row is None:
            raise MasterKeyMismatch(f"data key {key_id} does not exist")
        key = self.unwrap(key_id, row.master_key_id, row.wrapped)
        with self._lock:
            self._cache[key_id] = key
        return key

    def active_key(self, conn: Connection) -> tuple[str, bytes]:
        """The key for new values in this transaction, created if there is none yet.

        Looked up in the database (not cached) so that a key created in a transaction that was
        rolled back is never used again.
        """
        key_id = conn.execute(
            select(_table.c.id)
            .where(_table.c.retired_at.is_(None))
            .order_by(_table.c.created_at.desc(), _table.c.id)
            .limit(1)
        ).scalar_one_or_none()
        if key_id is None:
            return self.create_key(conn)
        return key_id, self.data_key(conn, key_id)

    def create_key(self, conn: Connection) -> tuple[str, bytes]:
        """A new data key, wrapped by the configured master key; it becomes the active one."""
        key_id, key = new_data_key()
        conn.execute(
            insert(_table).values(
                id=key_id,
                master_key_id=self.master.id,
                wrapped=self.master.wrap(key_id, key),
                created_at=utcnow(),
            )
        )
        with self._lock:
            self._cache[key_id] = key
        return key_id, key

    # --- values, for code that works on rows rather than ORM objects (migrations, CLI) ----

    @staticmethod
    def seal_value(
        key: tuple[str, bytes], table: str, column: str, row_id: Any, text: str
    ) -> Sealed:
        key_id, data_key = key
        return seal(
            text,
            key_id=key_id,
            data_key=data_key,
            context=value_context(table, column, row_id, key_id),
        )

    def open_value(
        self, conn: Connection, value: Sealed, table: str, column: str, row_id: Any
    ) -> str:
        key_id = value.key_id
        return open_sealed(
            value,
            data_key=self.data_key(conn, key_id),
            context=value_context(table, column, row_id, key_id),
        )


def init_keyring(app: Flask) -> Keyring:
    """Build the app's keyring from MASTER_KEY (and OLD_MASTER_KEY during a rotation)."""
    old = app.config.get("OLD_MASTER_KEY")
    keyring = Keyring(
        MasterKey.parse(app.config["MASTER_KEY"]), MasterKey.parse(old) if old else None
    )
    app.extensions[EXTENSION] = keyring
    return keyring


def keyring() -> Keyring:
    """The current app's keyring (outside an app context, nothing can be encrypted)."""
    return current_app.extensions[EXTENSION]


# --- master key rotation --------------------------------------------------------------------


@dataclass
class RotationReport:
    rewrapped: int = 0
    already_done: int = 0


def rotate_master_key(engine: Any, old: MasterKey, new: MasterKey) -> RotationReport:
    """Re-wrap every data key still under ``old`` with ``new``, one short transaction per key.

    Values are not touched. An interrupted run leaves each key wrapped by one master key or the
    other, and running it again finishes the job. A key wrapped by neither stops the run.
    """
    report = RotationReport()
    with engine.connect() as conn:
        rows = conn.execute(select(_table.c.id, _table.c.master_key_id).order_by(_table.c.id)).all()
    for key_id, master_key_id in rows:
        if master_key_id == new.id:
            report.already_done += 1
            continue
        if master_key_id != old.id:
            raise MasterKeyMismatch(
                f"data key {key_id} is wrapped by master key {master_key_id}, which is neither "
                f"the old ({old.id}) nor the new ({new.id}) one"
            )
        with engine.begin() as conn:
            row = conn.execute(
                select(_table.c.master_key_id, _table.c.wrapped)
                .where(_table.c.id == key_id)
                .with_for_update()
            ).one()
            if row.master_key_id == new.id:  # another run did it meanwhile
                report.already_done += 1
                continue
            data_key = old.unwrap(key_id, row.wrapped)
            conn.execute(
                update(_table)
                .where(_table.c.id == key_id, _table.c.master_key_id == old.id)
                .values(master_key_id=new.id, wrapped=new.wrap(key_id, data_key))
            )
        report.rewrapped += 1
    return report


def key_status(conn: Connection, ring: Keyring) -> dict[str, int]:
    """How many data keys each master key wraps; raises if the keyring cannot unwrap one."""
    counts: dict[str, int] = {}
    for row in conn.execute(select(_table)):
        ring.unwrap(row.id, row.master_key_id, row.wrapped)
        counts[row.master_key_id] = counts.get(row.master_key_id, 0) + 1
    return counts


def retire_active_keys(conn: Connection) -> None:
    """Stop using the current data keys for new values (they still decrypt old ones)."""
    conn.execute(update(_table).where(_table.c.retired_at.is_(None)).values(retired_at=utcnow()))
