"""Files encrypted on disk in authenticated chunks (AES-256-GCM, a key per file).

Format::

    header: b"CWF1" | key id (12 ASCII hex) | salt (16) | nonce prefix (7)
    chunks: AES-256-GCM(file key, nonce = prefix | counter (4, big-endian) | last (1),
                        chunk of at most 64 KiB, AD = header) -- ciphertext || tag(16)

The file key is HKDF-SHA-256(data key, salt, "casework/file/v1" 0x00 binding 0x00 key id), where
``binding`` names the file's place (the document's storage name): a file renamed to another
document's name fails. The counter stops reordering and the ``last`` flag stops truncation.
Each chunk is authenticated before any of its bytes are returned; ``verify`` checks the whole
file first so that a download fails before it starts, never halfway.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casework.core.crypto import KEY_BYTES, DecryptionFailed

MAGIC = b"CWF1"
CHUNK = 64 * 1024
_TAG = 16
_HEADER_LEN = len(MAGIC) + 12 + 16 + 7
_KEY_ID_RE = re.compile(rb"^[0-9a-f]{12}$")

# Looks up a data key by id (the caller's keyring).
KeyLookup = Callable[[str], bytes]


def _file_key(data_key: bytes, salt: bytes, binding: str, key_id: str) -> bytes:
    info = b"casework/file/v1\x00" + binding.encode() + b"\x00" + key_id.encode()
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(data_key)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= 2**32:
        raise DecryptionFailed("file too large for one key")
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def is_sealed_file(path: str | os.PathLike[str]) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


class FileSealer:
    """Write plaintext in; encrypted chunks go to ``out``. Call ``close()`` to finish."""

    def __init__(self, out: IO[bytes], *, key_id: str, data_key: bytes, binding: str) -> None:
        salt, self._prefix = os.urandom(16), os.urandom(7)
        self._header = MAGIC + key_id.encode() + salt + self._prefix
        self._aead = AESGCM(_file_key(data_key, salt, binding, key_id))
        self._out = out
        self._buffer = bytearray()
        self._counter = 0
        out.write(self._header)

    def _emit(self, chunk: bytes, last: bool) -> None:
        nonce = _nonce(self._prefix, self._counter, last)
        self._out.write(self._aead.encrypt(nonce, chunk, self._header))
        self._counter += 1

    def write(self, data: bytes) -> None:
        self._buffer += data
        # Keep at least one byte back: the last chunk is only known at close().
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]

    def close(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()


def _chunks(fh: IO[bytes], keys: KeyLookup, binding: str) -> Iterator[bytes]:
    header = fh.read(_HEADER_LEN)
    if len(header) != _HEADER_LEN or not header.startswith(MAGIC):
        raise DecryptionFailed("not an encrypted file")
    key_id_raw = header[4:16]
    if not _KEY_ID_RE.match(key_id_raw):
        raise DecryptionFailed("not an encrypted file")
    key_id = key_id_raw.decode()
    salt, prefix = header[16:32], header[32:39]
    aead = AESGCM(_file_key(keys(key_id), salt, binding, key_id))
    counter = 0
    current = fh.read(CHUNK + _TAG)
    while True:
        following = fh.read(CHUNK + _TAG) if len(current) == CHUNK + _TAG else b""
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, counter, last), current, header)
        except (InvalidTag, ValueError) as exc:
            raise DecryptionFailed("an encrypted file failed authentication") from exc
        if last:
            return
        counter += 1
        current = following


def seal_file(
    source: IO[bytes], out: IO[bytes], *, key_id: str, data_key: bytes, binding: str
) -> None:
    sealer = FileSealer(out, key_id=key_id, data_key=data_key, binding=binding)
    while block := source.read(CHUNK):
        sealer.write(block)
    sealer.close()


def verify(path: str | os.PathLike[str], keys: KeyLookup, binding: str) -> int:
    """Authenticate the whole file; returns its plaintext size."""
    with open(path, "rb") as fh:
        return verify_stream(fh, keys, binding)


def verify_stream(fh: IO[bytes], keys: KeyLookup, binding: str) -> int:
    """Authenticate a sealed file read from ``fh`` (from where it stands) to its end."""
    return sum(len(chunk) for chunk in _chunks(fh, keys, binding))


def iter_stream(fh: IO[bytes], keys: KeyLookup, binding: str) -> Iterator[bytes]:
    """The plaintext of a sealed file read from ``fh``, chunk by chunk (each authenticated)."""
    return _chunks(fh, keys, binding)


def open_stream(fh: IO[bytes], keys: KeyLookup, binding: str) -> Iterator[bytes]:
    """The plaintext chunks of a sealed stream read from ``fh`` (from its current position),
    each authenticated before it is returned; the last one also proves nothing was cut off."""
    yield from _chunks(fh, keys, binding)


def iter_plaintext(path: str | os.PathLike[str], keys: KeyLookup, binding: str) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        yield from _chunks(fh, keys, binding)


class PlaintextReader(io.RawIOBase):
    """A read-only file object over a sealed file (for ``send_file``)."""

    def __init__(
        self, source: str | os.PathLike[str] | IO[bytes], keys: KeyLookup, binding: str
    ) -> None:
        super().__init__()
        if isinstance(source, str | os.PathLike):
            self._file: IO[bytes] | None = None
            self._chunks = iter_plaintext(source, keys, binding)
        else:  # an open sealed file (from the attachment store), closed with the reader
            self._file = source
            self._chunks = _chunks(source, keys, binding)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
            if not self._pending:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        self._chunks.close()
        if self._file is not None:
            self._file.close()
        super().close()
