"""Uploads held while a request is read are encrypted on disk, and read back whole."""

from __future__ import annotations

import io
import os
from contextlib import contextmanager

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from casework.core.securetemp import IN_MEMORY_MAX, SecureTemporaryFile

SECRET = "Kholmatov Dilshod, ул. Абая 12, кв. 5".encode()


def _on_disk(stream: SecureTemporaryFile) -> bytes:
    disk = stream._file
    disk.seek(0)
    return disk.read()


def test_what_is_written_is_read_back_and_never_lies_on_disk_in_clear():
    body = os.urandom(70_001) + SECRET * 1000 + os.urandom(33)
    stream = SecureTemporaryFile()
    for start in range(0, len(body), 8191):  # as a parser writes: chunks of any size
        stream.write(body[start : start + 8191])
    assert stream.tell() == len(body)
    assert SECRET not in _on_disk(stream) and len(_on_disk(stream)) == len(body)
    stream.seek(0)
    assert stream.read() == body
    # Read anywhere, as a spreadsheet reader (a ZIP) does: from the end, across blocks.
    for offset, size in ((0, 1), (15, 2), (70_000, 5000), (len(body) - 7, 100)):
        stream.seek(offset)
        assert stream.read(size) == body[offset : offset + size]
    assert stream.seek(-33, io.SEEK_END) == len(body) - 33
    assert stream.read() == body[-33:]
    stream.seek(10)
    stream.seek(5, io.SEEK_CUR)
    assert stream.read(3) == body[15:18]
    stream.close()
    assert stream.closed and stream._file.closed


def test_two_files_of_the_same_text_look_unrelated_on_disk():
    first, second = SecureTemporaryFile(), SecureTemporaryFile()
    first.write(SECRET)
    second.write(SECRET)
    assert _on_disk(first) != _on_disk(second)


def test_written_bytes_are_never_written_over():
    stream = SecureTemporaryFile()
    stream.write(b"0123456789")
    stream.seek(3)
    with pytest.raises(io.UnsupportedOperation):
        stream.write(b"x")
    with pytest.raises(ValueError):
        stream.seek(-1)
    stream.seek(0, io.SEEK_END)
    stream.write(b"ab")
    stream.seek(0)
    assert stream.read() == b"0123456789ab"


@contextmanager
def _posting(app, content: bytes, name: str):
    # Encoded in memory: the test client would spool a large body to a file it leaves open.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), name)})
    with app.test_request_context(
        "/", method="POST", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    ) as ctx:
        # Read as a signed-in uploader's request is (no one is signed in here).
        ctx.request.max_content_length = app.config["MAX_CONTENT_LENGTH"]
        yield ctx


@pytest.mark.parametrize("size", [IN_MEMORY_MAX + 1, 3 * 1024 * 1024])
def test_a_large_upload_is_held_encrypted_while_the_request_is_read(app, size):
    body = SECRET + b"\x00" * (size - len(SECRET))
    with _posting(app, body, "scan.pdf") as ctx:
        held = ctx.request.files["file"]
        assert isinstance(held.stream.held, SecureTemporaryFile)
        assert SECRET not in _on_disk(held.stream.held)
        assert held.read() == body
        held.close()


def test_a_small_request_keeps_its_file_in_memory(app):
    with _posting(app, SECRET, "note.txt") as ctx:
        held = ctx.request.files["file"]
        assert isinstance(held.stream.held, io.BytesIO)
        assert held.read() == SECRET
