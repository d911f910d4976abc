"""Import files between their check and their writing: encrypted on disk, for two hours at most.

A checked file waits in ``UPLOAD_DIR/imports`` under a random token until the coordinator
confirms (on the page, or through a background job for a large file, which may run on another
server sharing the upload folder). It holds identifying data, so it is sealed like a document.
"""

from __future__ import annotations

import io
import logging
import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import event

from casework.core import sealedfiles
from casework.core.crypto import DecryptionFailed
from casework.core.db import db
from casework.core.keyring import keyring

log = logging.getLogger(__name__)

STAGING_HOURS = 2
_TOKEN = re.compile(r"[0-9a-f]{32}")


def new_token() -> str:
    return secrets.token_hex(16)


def _dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _path(token: str) -> Path | None:
    return _dir() / token if _TOKEN.fullmatch(token or "") else None


def _binding(token: str) -> str:
    return f"imports/{token}"


def purge_stale() -> None:
    """Files checked but never confirmed hold identifying data: they do not linger."""
    limit = time.time() - STAGING_HOURS * 3600
    for path in _dir().iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def write(token: str, data: bytes) -> None:
    path = _path(token)
    if path is None:
        raise ValueError("not a staging token")
    key_id, data_key = keyring().active_key(db.session.connection())
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".staging-")
    try:
        with os.fdopen(fd, "wb") as out:
            sealedfiles.seal_file(
                io.BytesIO(data), out, key_id=key_id, data_key=data_key, binding=_binding(token)
            )
        os.replace(tmp_name, path)
        os.chmod(path, 0o600)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def read(token: str) -> bytes | None:
    """The staged file, or None if it is gone (expired, discarded, or never there)."""
    path = _path(token)
    if path is None or not path.is_file():
        return None
    ring = keyring()
    conn = db.session.connection()
    chunks = sealedfiles.iter_plaintext(
        path, lambda key_id: ring.data_key(conn, key_id), _binding(token)
    )
    try:
        return b"".join(chunks)
    except DecryptionFailed:
        # Damaged, or staged unencrypted by an older version: it has to be checked again.
        log.warning("staged import file %s does not decrypt; discarded", token)
        path.unlink(missing_ok=True)
        return None


def discard(token: str | None) -> None:
    path = _path(token or "")
    if path is not None:
        path.unlink(missing_ok=True)


def discard_after_commit(token: str) -> None:
    """Remove the staged file once the current transaction (the import) is committed."""
    event.listen(db.session(), "after_commit", lambda _session: discard(token), once=True)
