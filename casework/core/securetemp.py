"""Uploads held while a request is read, encrypted wherever they touch the disk.

Werkzeug spools a file part of a form to an ordinary temporary file once it passes 500 KB: the
plaintext of an evidence file or an imported spreadsheet would sit on the server's disk (and in
its free blocks after deletion) until the request ends. Here such a part goes to a
:class:`SecureTemporaryFile` instead: AES-256 in counter mode under a key made for that file
alone, kept in memory only, gone with the file. The file itself has no name on disk and is
deleted when closed (as SecureDrop's ``SecureTemporaryFile``).
"""

from __future__ import annotations

import io
import os
import tempfile
from typing import IO

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from flask import Request, current_app, g, session

from casework.accounts.sessions import SESSION_KEY

_BLOCK = 16
_COUNTERS = 1 << 128
# As Werkzeug: a part of a request known to be small stays in memory.
IN_MEMORY_MAX = 500 * 1024


class _ReadWriteSeek(io.RawIOBase):
    """A raw file that is read, written and sought."""

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True


class SecureTemporaryFile(_ReadWriteSeek):
    """A seekable temporary file written once, front to back, read any number of times; what
    it writes to disk is encrypted. Overwriting written bytes is refused: in counter mode it
    would encrypt two texts with the same key stream."""

    def __init__(self) -> None:
        super().__init__()
        self._key = os.urandom(32)
        self._start = int.from_bytes(os.urandom(_BLOCK), "big")
        self._file = tempfile.TemporaryFile()  # noqa: SIM115  (closed with this object)
        self._size = 0
        self._pos = 0

    def _stream_at(self, offset: int):
        counter = (self._start + offset // _BLOCK) % _COUNTERS
        cipher = Cipher(algorithms.AES(self._key), modes.CTR(counter.to_bytes(_BLOCK, "big")))
        stream = cipher.encryptor()
        stream.update(bytes(offset % _BLOCK))  # into the block, where ``offset`` lies
        return stream

    def write(self, data) -> int:  # type: ignore[override]
        self._checkClosed()
        if self._pos != self._size:
            raise io.UnsupportedOperation("a secure temporary file is written front to back")
        data = bytes(data)
        self._file.seek(self._size)
        self._file.write(self._stream_at(self._size).update(data))
        self._size += len(data)
        self._pos = self._size
        return len(data)

    def readinto(self, buffer) -> int:  # type: ignore[override]
        self._checkClosed()
        wanted = min(len(buffer), self._size - self._pos)
        if wanted <= 0:
            return 0
        self._file.seek(self._pos)
        plain = self._stream_at(self._pos).update(self._file.read(wanted))
        buffer[: len(plain)] = plain
        self._pos += len(plain)
        return len(plain)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._checkClosed()
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        self._checkClosed()
        return self._pos

    def close(self) -> None:
        if not self.closed:
            self._file.close()
            self._key = b""
        super().close()


class KeptUpTo(_ReadWriteSeek):
    """A file part held up to ``keep`` bytes: what is written past them is let go (the rest of
    the request is still read, for the form's other fields). Read, it is those bytes alone."""

    def __init__(self, held: IO[bytes], keep: int) -> None:
        super().__init__()
        self.held = held
        self._room = keep

    def write(self, data) -> int:  # type: ignore[override]
        self._checkClosed()
        kept = bytes(data[: max(self._room, 0)])
        if kept:
            self.held.write(kept)
            self._room -= len(kept)
        return len(data)

    def readinto(self, buffer) -> int:  # type: ignore[override]
        self._checkClosed()
        data = self.held.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._checkClosed()
        return self.held.seek(offset, whence)

    def tell(self) -> int:
        self._checkClosed()
        return self.held.tell()

    def close(self) -> None:
        if not self.closed:
            self.held.close()
        super().close()


def upload_stream(total_content_length: int | None, keep: int | None = None) -> IO[bytes]:
    """Where a file part of a request is held while the request is read: in memory when the
    whole request is known to be small, else encrypted on disk; with ``keep``, only that many of
    its bytes."""
    held: IO[bytes]
    if total_content_length is not None and total_content_length <= IN_MEMORY_MAX:
        held = io.BytesIO()
    else:
        held = SecureTemporaryFile()  # type: ignore[assignment]
    return held if keep is None else KeptUpTo(held, keep)  # type: ignore[return-value]


# What a request from someone not signed in may carry (a login, a code, a reset request): the
# larger ceiling that lets a too-large file's form come back is for those who may upload.
ANONYMOUS_MAX_BYTES = 1024 * 1024


def _signed_in() -> bool:
    """A session past the password step, or an API token the API took: told without the
    database, since a form may be read after the database failed (to give back what was typed).
    """
    return g.get("api_token") is not None or isinstance(session.get(SESSION_KEY), str)


class CaseworkRequest(Request):
    """The application's request: its uploads never reach the disk in plaintext, and of a file
    it holds one byte more than the upload limit (``MAX_UPLOAD_BYTES``) at most: enough for
    whoever takes the file to refuse it as too large, while the form's other fields, which may
    come after it, are still read. The limit itself is checked where the file is taken. Someone
    not signed in (nor holding an API token) is read ``ANONYMOUS_MAX_BYTES`` at most."""

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        limit = Request.max_content_length.fget(self)  # type: ignore[attr-defined]
        if self._max_content_length is None and current_app and not _signed_in():
            return ANONYMOUS_MAX_BYTES if limit is None else min(limit, ANONYMOUS_MAX_BYTES)
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return upload_stream(total_content_length, current_app.config["MAX_UPLOAD_BYTES"] + 1)
