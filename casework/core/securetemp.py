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
from flask import Request

_BLOCK = 16
_COUNTERS = 1 << 128
# As Werkzeug: a part of a request known to be small stays in memory.
IN_MEMORY_MAX = 500 * 1024


class SecureTemporaryFile(io.RawIOBase):
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

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

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


def upload_stream(total_content_length: int | None) -> IO[bytes]:
    """Where a file part of a request is held while the request is read: in memory when the
    whole request is known to be small, else encrypted on disk."""
    if total_content_length is not None and total_content_length <= IN_MEMORY_MAX:
        return io.BytesIO()
    return SecureTemporaryFile()  # type: ignore[return-value]


class CaseworkRequest(Request):
    """The application's request: its uploads never reach the disk in plaintext."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return upload_stream(total_content_length)
