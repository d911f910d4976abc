"""The backup archive: one file, encrypted and authenticated from its first byte to its last.

Format::

    b"CWBACKUP/1\\n"
    header: one line of JSON (ASCII), then b"\\n":
            {"format": 1, "master_key_id": "<16 hex>", "created_at": "<ISO 8601 UTC>"}
    body:   a sealed stream (``casework.core.sealedfiles``: AES-256-GCM in 64 KiB chunks,
            a counter in every nonce, a flag on the last chunk) whose plaintext is a tar stream

The body's key is derived from the master key (HKDF-SHA-256, info ``"casework/backup/v1" 0x00
master key id``), then per archive from a random salt; the stream is bound to the SHA-256 of the
magic line and header, so a changed header, a changed, reordered or missing chunk, and a cut-off
end all fail authentication. The header names the master key (by its id, which reveals nothing
of it), so an archive of another installation is recognised as such before anything is read.

The tar stream holds, in this order:

- ``manifest.json``: format, created-at, Casework version, database dialect, Alembic revision,
  row counts per table, the master key id and the data key ids, and the size and SHA-256 of
  every other member;
- ``database/casework.sqlite3`` (SQLite online backup) or ``database/casework.pgdump``
  (``pg_dump`` custom format);
- ``uploads/<name>``: the upload folder's files, as stored (each is already sealed on its own).

Reading checks every member against the manifest while it streams, then reads the stream to its
authenticated end; nothing is trusted (or applied by a restore) before that.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casework.core import sealedfiles
from casework.core.crypto import KEY_BYTES, DecryptionFailed, MasterKey

MAGIC = b"CWBACKUP/1\n"
FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/casework.sqlite3"
PGDUMP_MEMBER = "database/casework.pgdump"
UPLOADS_PREFIX = "uploads/"
_MAX_HEADER = 4096
_MAX_MANIFEST = 64 * 1024 * 1024
_COPY = 1024 * 1024


class ArchiveRefused(Exception):
    """The archive cannot be trusted: damaged, altered, truncated, or not this installation's."""


class ForeignArchive(ArchiveRefused):
    """The archive was made under a master key this installation does not have."""


@dataclass
class Member:
    """A file to put in the archive: its name there, where it is now, and its checksum."""

    name: str
    path: Path
    size: int
    sha256: str


@dataclass
class Manifest:
    created_at: str
    dialect: str
    alembic_revision: str | None
    master_key_id: str
    row_counts: dict[str, int]
    members: dict[str, dict[str, Any]]
    data_key_ids: list[str] = field(default_factory=list)
    casework_version: str = ""
    format: int = FORMAT

    @property
    def database_member(self) -> str:
        return PGDUMP_MEMBER if self.dialect == "postgresql" else SQLITE_MEMBER

    @property
    def upload_members(self) -> list[str]:
        return sorted(n for n in self.members if n.startswith(UPLOADS_PREFIX))

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, sort_keys=True, indent=1).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            manifest = cls(**data)
        except (ValueError, TypeError) as exc:
            raise ArchiveRefused("the archive's manifest is unreadable") from exc
        if manifest.format != FORMAT:
            raise ArchiveRefused(f"unknown manifest format {manifest.format!r}")
        return manifest


def file_sha256(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while block := fh.read(_COPY):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _archive_key(master: MasterKey) -> bytes:
    info = b"casework/backup/v1\x00" + master.id.encode()
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(
        master.key
    )


def _binding(head: bytes) -> str:
    return "backup/" + hashlib.sha256(head).hexdigest()


class _SealingWriter(io.RawIOBase):
    """What tarfile writes to: every byte goes through the sealer."""

    def __init__(self, sealer: sealedfiles.FileSealer) -> None:
        super().__init__()
        self._sealer = sealer

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        self._sealer.write(data)
        return len(data)


def write_archive(out: IO[bytes], master: MasterKey, manifest: Manifest, members: list[Member]):
    """Write the archive of ``manifest`` and ``members`` to ``out`` (streamed; memory bounded).

    Each member is hashed again as it is written; a file that changed since the manifest was
    made stops the backup.
    """
    header = json.dumps(
        {"format": FORMAT, "master_key_id": master.id, "created_at": manifest.created_at},
        sort_keys=True,
    ).encode("ascii")
    head = MAGIC + header + b"\n"
    out.write(head)
    sealer = sealedfiles.FileSealer(
        out, key_id=master.id[:12], data_key=_archive_key(master), binding=_binding(head)
    )
    writer = _SealingWriter(sealer)
    with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        raw = manifest.to_json()
        tar.addfile(_info(MANIFEST, len(raw)), io.BytesIO(raw))
        for member in members:
            with open(member.path, "rb") as fh:
                hashing = _HashingReader(fh)
                tar.addfile(_info(member.name, member.size), hashing)
                if hashing.size != member.size or hashing.hexdigest() != member.sha256:
                    raise OSError(f"{member.name} changed while the backup was being written")
    sealer.close()


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    return info


class _HashingReader:
    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self._digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self._digest.update(data)
        self.size += len(data)
        return data

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


class _ChunkReader(io.RawIOBase):
    """A file object over authenticated plaintext chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._done:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                self._done = True
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def drain(self) -> None:
        """Read to the authenticated end of the stream."""
        while self.read(_COPY):
            pass


@dataclass
class ArchiveHeader:
    master_key_id: str
    created_at: str


def read_header(fh: IO[bytes]) -> tuple[ArchiveHeader, bytes]:
    """The archive's clear header (not yet authenticated) and the bytes it was read from."""
    magic = fh.read(len(MAGIC))
    if magic != MAGIC:
        raise ArchiveRefused("not a Casework backup archive (or its first bytes were altered)")
    line = fh.readline(_MAX_HEADER)
    try:
        data = json.loads(line)
        header = ArchiveHeader(str(data["master_key_id"]), str(data["created_at"]))
        if data["format"] != FORMAT or not line.endswith(b"\n"):
            raise ValueError
    except (ValueError, KeyError, TypeError) as exc:
        raise ArchiveRefused("the archive's header is damaged") from exc
    return header, magic + line


def read_archive(
    path: Path,
    find_master: Callable[[str], MasterKey | None],
    *,
    extract_to: Path | None = None,
    check_manifest: Callable[[Manifest], None] | None = None,
) -> Manifest:
    """Authenticate the whole archive and check every member against the manifest.

    With ``extract_to``, members are written there (files 0600) as they are read; the caller
    must not use them unless this returns. ``check_manifest`` may refuse the archive as soon as
    its manifest is read (a dialect mismatch, say). Raises ``ArchiveRefused``.
    """
    try:
        with open(path, "rb") as fh:
            header, head = read_header(fh)
            master = find_master(header.master_key_id)
            if master is None:
                raise ForeignArchive(
                    f"the archive was made under master key {header.master_key_id}, which this "
                    "installation does not have (another installation's archive, or the master "
                    "key was changed: configure the key it was made under)"
                )
            archive_key = _archive_key(master)
            reader = _ChunkReader(
                sealedfiles.open_stream(fh, lambda _key_id: archive_key, _binding(head))
            )
            manifest = _read_members(reader, extract_to, check_manifest)
            reader.drain()
    except DecryptionFailed as exc:
        raise ArchiveRefused(
            "the archive failed authentication: it is damaged, truncated or was altered, "
            "or it was not made with this master key"
        ) from exc
    except (tarfile.TarError, EOFError) as exc:
        raise ArchiveRefused(f"the archive's contents are damaged ({exc})") from exc
    if manifest.master_key_id != header.master_key_id:
        raise ArchiveRefused("the archive's manifest and header name different master keys")
    return manifest


def _read_members(
    reader: _ChunkReader,
    extract_to: Path | None,
    check_manifest: Callable[[Manifest], None] | None,
) -> Manifest:
    with tarfile.open(fileobj=io.BufferedReader(reader, _COPY), mode="r|") as tar:
        manifest = _check_members(tar, extract_to, check_manifest)
    if manifest is None:
        raise ArchiveRefused("the archive is empty")
    return manifest


def _check_members(
    tar: tarfile.TarFile,
    extract_to: Path | None,
    check_manifest: Callable[[Manifest], None] | None,
) -> Manifest | None:
    manifest: Manifest | None = None
    seen: set[str] = set()
    for info in tar:
        if manifest is None:
            if info.name != MANIFEST or not info.isfile() or info.size > _MAX_MANIFEST:
                raise ArchiveRefused("the archive does not start with its manifest")
            source = tar.extractfile(info)
            if source is None:
                raise ArchiveRefused("the archive's manifest cannot be read")
            manifest = Manifest.from_json(source.read())
            if check_manifest is not None:
                check_manifest(manifest)
            continue
        name = info.name
        expected = manifest.members.get(name)
        if expected is None or name in seen or not info.isfile() or not _safe(name):
            raise ArchiveRefused(f"the archive holds a member its manifest does not list: {name}")
        seen.add(name)
        source = tar.extractfile(info)
        if source is None:
            raise ArchiveRefused(f"the archive member {name} cannot be read")
        digest, size = hashlib.sha256(), 0
        target = None
        if extract_to is not None:
            dest = extract_to / name
            dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            target = open(dest, "xb")  # noqa: SIM115  (closed below)
            os.chmod(dest, 0o600)
        try:
            while block := source.read(_COPY):
                digest.update(block)
                size += len(block)
                if target is not None:
                    target.write(block)
        finally:
            if target is not None:
                target.close()
        if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
            raise ArchiveRefused(f"checksum mismatch for {name}")
    if manifest is None:
        return None
    missing = set(manifest.members) - seen
    if missing:
        raise ArchiveRefused(f"{len(missing)} member(s) listed in the manifest are missing")
    return manifest


def _safe(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return (
        not name.startswith("/")
        and ".." not in parts
        and (name in (SQLITE_MEMBER, PGDUMP_MEMBER) or name.startswith(UPLOADS_PREFIX))
    )
