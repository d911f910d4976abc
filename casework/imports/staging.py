"""Import files between their check and their writing: encrypted in the attachment store, for two hours at most.

A checked file waits in the attachment store (``imports/<token>``) under a random token until
the coordinator confirms (on the page, or through a background job for a large file, which may
run on another server: every server reaches the store). It holds identifying data, so it is sealed like a document.
A large file waits there while a background job checks it, and what the check found (its
report) waits beside it (``imports/<token>-check``), sealed too.
"""

from __future__ import annotations

import io
import json
import logging
import re
import secrets
import tempfile
import time
from typing import Any

from sqlalchemy import event

from casework.core import sealedfiles
from casework.core.crypto import DecryptionFailed
from casework.core.db import db
from casework.core.keyring import keyring
from casework.core.storage import storage

log = logging.getLogger(__name__)

STAGING_HOURS = 2
_PREFIX = "imports"
_TOKEN = re.compile(r"[0-9a-f]{32}")


def new_token() -> str:
    return secrets.token_hex(16)


def _key(token: str) -> str | None:
    return f"{_PREFIX}/{token}" if _TOKEN.fullmatch(token or "") else None


def purge_stale() -> None:
    """Files checked but never confirmed hold identifying data: they do not linger."""
    limit = time.time() - STAGING_HOURS * 3600
    store = storage()
    for key, modified in list(store.keys(_PREFIX)):
        if modified < limit:
            store.delete(key)


# A staged file starts with what its confirmation reads it by (``write``): this line, the
# length of the options' JSON (8 bytes, big-endian), the JSON, then the file.
_HEADER = b"casework-staged-import/1\n"
# What a background check found waits beside the file, under its key with this ending.
_OUTCOME = "-check"


def _put_sealed(key: str, data: bytes) -> None:
    key_id, data_key = keyring().active_key(db.session.connection())
    with tempfile.TemporaryFile() as sealed:
        sealedfiles.seal_file(
            io.BytesIO(data), sealed, key_id=key_id, data_key=data_key, binding=key
        )
        sealed.seek(0)
        storage().put(key, sealed)


def _get_sealed(key: str) -> bytes | None:
    """The plaintext kept under ``key``, or None if it is gone or does not decrypt (damaged,
    or staged unencrypted by an older version: it is removed, to be checked again)."""
    ring, conn = keyring(), db.session.connection()
    try:
        sealed = storage().open(key)
    except FileNotFoundError:
        return None
    try:
        with sealed:
            return b"".join(
                sealedfiles.iter_stream(sealed, lambda key_id: ring.data_key(conn, key_id), key)
            )
    except DecryptionFailed:
        log.warning("a staged import file does not decrypt; discarded")
        storage().delete(key)
        return None


def staged(token: str) -> tuple[dict[str, Any] | None, bytes] | None:
    """The staged options and file, or None if it is gone (expired, discarded, or never
    there). A file staged by an older version has no options."""
    key = _key(token)
    data = None if key is None else _get_sealed(key)
    if data is None:
        return None
    if not data.startswith(_HEADER):
        return None, data
    start = len(_HEADER) + 8
    length = int.from_bytes(data[len(_HEADER) : start], "big")
    return json.loads(data[start : start + length]), data[start + length :]


def write(token: str, data: bytes, options: dict[str, Any] | None = None) -> None:
    """Stage ``data`` with ``options``: what its confirmation reads it by again (its format,
    sheet, column mapping). They wait with the file, not in the session: the cookie carries
    the token only (a browser drops a cookie over 4 KB, and a mapping of a whole register's
    Russian headers, sealed, is more)."""
    key = _key(token)
    if key is None:
        raise ValueError("not a staging token")
    told = json.dumps(options).encode("utf-8")
    _put_sealed(key, _HEADER + len(told).to_bytes(8, "big") + told + data)


def read(token: str) -> bytes | None:
    """The staged file, or None if it is gone (expired, discarded, or never there)."""
    found = staged(token)
    return None if found is None else found[1]


def write_outcome(token: str, found: dict[str, Any]) -> None:
    """Keep what a background check of the staged file found (its report, or why the file
    cannot be imported) beside it, sealed and for as long: it quotes the file's cells and names
    the people they may match."""
    key = _key(token)
    if key is None:
        raise ValueError("not a staging token")
    _put_sealed(key + _OUTCOME, json.dumps(found).encode("utf-8"))


def outcome(token: str) -> dict[str, Any] | None:
    """What the check of the staged file found, or None (not checked yet, or gone)."""
    key = _key(token)
    data = None if key is None else _get_sealed(key + _OUTCOME)
    return None if data is None else json.loads(data)


def discard(token: str | None, *, keep_outcome: bool = False) -> None:
    """Remove the staged file and (unless ``keep_outcome``) what its check found."""
    key = _key(token or "")
    if key is not None:
        storage().delete(key)
        if not keep_outcome:
            storage().delete(key + _OUTCOME)


def discard_after_commit(token: str, *, keep_outcome: bool = False) -> None:
    """Remove the staged file once the current transaction (the import) is committed."""
    event.listen(
        db.session(),
        "after_commit",
        lambda _session: discard(token, keep_outcome=keep_outcome),
        once=True,
    )
