"""Where attachments live: one interface, a folder (the default) or an S3-compatible bucket.

Every file reaches the store already sealed (``casework.core.sealedfiles``): the store never
sees a plaintext byte or a file name, only random keys such as ``documents/<64 hex>`` and
ciphertext. Several application servers share one store: a folder on a shared (network)
filesystem, or a bucket (``CASEWORK_STORAGE_URL=s3://bucket/prefix``, MinIO or any
S3-compatible service).

A file written during a request belongs to that request's database transaction: ``put_pending``
stores it and, should the transaction end without a commit (a validation error, the database
failing halfway, the commit itself failing), removes it again, so that no file is left that no
row points to. Conversely a file is only ever written before the row that names it, so no row
can point to a missing file.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

EXTENSION = "casework.storage"
# Keys are chosen by the application: lowercase words and hex, "/" between parts.
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,127}(/[a-z0-9][a-z0-9_-]{0,127}){0,3}$")
_COPY_CHUNK = 1024 * 1024


class StorageUnavailable(OSError):
    """The store cannot be reached or refused the operation (not: the key does not exist)."""


def check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise ValueError("not a storage key")
    return key


class Storage(Protocol):
    """A flat store of sealed files under keys the application chose at random."""

    def put(self, key: str, source: IO[bytes]) -> None:
        """Store everything ``source`` yields under ``key`` (whole or not at all)."""

    def open(self, key: str) -> IO[bytes]:
        """The stored bytes as a seekable file; FileNotFoundError when there is no such key."""

    def get(self, key: str) -> bytes:
        """The stored bytes; FileNotFoundError when there is no such key."""

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""

    def exists(self, key: str) -> bool: ...

    def keys(self, prefix: str) -> Iterator[tuple[str, float]]:
        """The keys under ``prefix/`` with their modification time (seconds since the epoch)."""


class FileSystemStorage:
    """Files in a folder (0700, files 0600). Several servers share it over a network filesystem.

    A file appears under its key only once it is complete (written to a temporary name in the
    same folder, flushed to disk, then renamed), so a reader never sees half a file.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"FileSystemStorage({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def _folder(self, path: Path) -> Path:
        """The file's folder, created private (0700) level by level under the root."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = self.root.stat()
        if info.st_mode & 0o077 and info.st_uid == os.getuid():
            self.root.chmod(0o700)
        folder = self.root
        for part in path.parent.relative_to(self.root).parts:
            folder = folder / part
            folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    def put(self, key: str, source: IO[bytes]) -> None:
        path = self._path(key)
        folder = self._folder(path)
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".upload-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(source, out, _COPY_CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> IO[bytes]:
        return open(self._path(key), "rb")  # noqa: SIM115  (the caller closes it)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def keys(self, prefix: str) -> Iterator[tuple[str, float]]:
        folder = self._path(prefix)
        if not folder.is_dir():
            return
        for path in folder.iterdir():
            if path.is_file() and not path.name.startswith("."):
                yield f"{prefix}/{path.name}", path.stat().st_mtime


class S3Storage:
    """Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph...), under an optional prefix.

    The client is a boto3 S3 client; its endpoint and credentials come from the environment
    (``CASEWORK_S3_ENDPOINT_URL``, and boto3's own ``AWS_ACCESS_KEY_ID``,
    ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION`` or a credentials file).
    """

    def __init__(self, bucket: str, prefix: str = "", client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._client = client

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r}, prefix={self.prefix!r})"

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client(
                "s3",
                endpoint_url=os.environ.get("CASEWORK_S3_ENDPOINT_URL") or None,
                region_name=os.environ.get("CASEWORK_S3_REGION") or None,
            )
        return self._client

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    @contextlib.contextmanager
    def _errors(self, key: str) -> Iterator[None]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in {"NoSuchKey", "404", "NotFound"}:
                raise FileNotFoundError(errno.ENOENT, "no such stored file", key) from exc
            raise StorageUnavailable(
                errno.EIO, f"the file store refused the request ({code})"
            ) from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(errno.EIO, "the file store cannot be reached") from exc

    def put(self, key: str, source: IO[bytes]) -> None:
        with self._errors(key):
            # One object appears whole or not at all (multipart uploads complete atomically).
            self.client.upload_fileobj(source, self.bucket, self._name(key))

    def open(self, key: str) -> IO[bytes]:
        # Downloaded once into a private temporary file (ciphertext only): a download is
        # authenticated whole before its first byte is sent, then read a second time.
        spool = tempfile.TemporaryFile()  # noqa: SIM115  (returned to the caller)
        try:
            with self._errors(key):
                self.client.download_fileobj(self.bucket, self._name(key), spool)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return spool

    def get(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()

    def delete(self, key: str) -> None:
        with self._errors(key):
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def exists(self, key: str) -> bool:
        try:
            with self._errors(key):
                self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except FileNotFoundError:
            return False
        return True

    def keys(self, prefix: str) -> Iterator[tuple[str, float]]:
        start = self._name(prefix) + "/"
        skip = len(self.prefix) + 1 if self.prefix else 0
        with self._errors(prefix):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start
            )
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][skip:], item["LastModified"].timestamp()


def storage_from_url(url: str | None, upload_dir: str) -> Storage:
    """The store named by ``CASEWORK_STORAGE_URL``: unset or ``file:///path`` a folder
    (``CASEWORK_UPLOAD_DIR`` by default), ``s3://bucket/prefix`` a bucket."""
    if not url:
        return FileSystemStorage(upload_dir)
    parts = urlsplit(url)
    if parts.scheme == "file" and parts.path:
        return FileSystemStorage(parts.path)
    if parts.scheme == "s3" and parts.netloc:
        return S3Storage(parts.netloc, parts.path)
    raise ValueError("CASEWORK_STORAGE_URL must be file:///path or s3://bucket/prefix")


def init_storage(app: Flask) -> Storage:
    store = app.config.get("STORAGE") or storage_from_url(
        app.config.get("STORAGE_URL"), app.config["UPLOAD_DIR"]
    )
    app.extensions[EXTENSION] = store
    return store


def storage() -> Storage:
    """The current app's attachment store."""
    return current_app.extensions[EXTENSION]


# --- files that belong to a database transaction ---------------------------------------------

_PENDING = "casework.storage.pending"

# Given a connection, is the file still named by a committed row? (Asked before a file written
# in a transaction that ended without a commit is removed.)
ReferenceCheck = Callable[[Connection], bool]


def put_pending(session: Session, key: str, source: IO[bytes], referenced: ReferenceCheck) -> None:
    """Store a file that the session's current transaction is about to name in a row.

    If that transaction ends without a commit, the file is removed again, unless ``referenced``
    says a committed row names it after all (a commit whose answer was lost with the
    connection) or the database cannot say (then the file stays: better an unused file than
    a row without its file).
    """
    store = storage()
    store.put(key, source)
    session.info.setdefault(_PENDING, []).append((store, key, referenced))


def _forget(session: Session) -> None:
    # after_commit also follows a savepoint's release: only the outermost commit counts.
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)


def _cleanup(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    engine = session.get_bind()
    for store, key, referenced in pending:
        try:
            with engine.connect() as conn:
                named = referenced(conn)
        except DBAPIError:
            log.warning("kept stored file %s: the database cannot say whether it is used", key)
            continue
        if named:
            continue
        try:
            store.delete(key)
        except OSError:
            log.warning("could not remove the unused stored file %s", key)


def install_session_hooks(session_factory: Any) -> None:
    """Remove the files of a transaction that ends without a commit (see ``put_pending``)."""
    if not event.contains(session_factory, "after_commit", _forget):
        event.listen(session_factory, "after_commit", _forget)
        event.listen(session_factory, "after_transaction_end", _cleanup)
