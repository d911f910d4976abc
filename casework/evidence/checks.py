"""Upload content checks: what a file really is, read whole as it streams in.

``ContentCheck`` is fed every chunk of an upload and decides at the end: the type comes from
the magic numbers; plain text must be text from its first byte to its last (no NUL byte, no
markup that a browser would run, valid UTF-8 or Windows-1251); a PDF must not carry
JavaScript or launch actions, in its plain objects or in its Flate-compressed streams.
"""

from __future__ import annotations

import codecs
import re
import zlib

import filetype

from casework.core.errors import ValidationFailed

HEAD_BYTES = 8192
TEXT_REFUSED_MARKERS = (
    b"<html",
    b"<!doctype",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<iframe",
    b"<body",
)
_MARKER_OVERLAP = max(len(m) for m in TEXT_REFUSED_MARKERS) - 1

# PDF names that run code or programs: /JS and /JavaScript actions (also behind /OpenAction
# or /AA), /Launch actions. Names may be written with #xx escapes (/J#61vaScript).
PDF_ACTIVE_NAMES = frozenset({b"JS", b"JavaScript", b"Launch"})
_PDF_NAME = re.compile(rb"/([^\s()<>\[\]{}/%]+)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
# Inflating is bounded: a compressed stream could expand enormously (a "zip bomb").
PDF_INFLATE_PER_STREAM = 8 * 1024 * 1024
PDF_INFLATE_TOTAL = 128 * 1024 * 1024

NOT_ACCEPTED = (
    "The file's content is not an accepted type (PDF, image, audio, video, office document or"
    " plain text), whatever its name says."
)
TEXT_REFUSED = (
    "This text file is not plain text throughout (it holds binary data or web markup such as"
    " HTML or SVG). Save it as plain text and try again."
)
PDF_ACTIVE_REFUSED = (
    "This PDF contains JavaScript or an action that launches a program, which could harm"
    " whoever opens it. Print it to a new PDF (or scan it) and upload that instead."
)


def _pdf_active_name(data: bytes) -> bytes | None:
    for match in _PDF_NAME.finditer(data):
        name = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name in PDF_ACTIVE_NAMES:
            return name
    return None


def pdf_active_content(data: bytes) -> bytes | None:
    """The first name in ``data`` (a PDF) that runs code, or None."""
    found = _pdf_active_name(data)
    if found:
        return found
    budget = PDF_INFLATE_TOTAL
    for match in _PDF_STREAM.finditer(data):
        if budget <= 0:
            break
        try:
            inflated = zlib.decompressobj().decompress(
                match.group(1), min(PDF_INFLATE_PER_STREAM, budget)
            )
        except zlib.error:
            continue  # not Flate-compressed (images, fonts in other filters)
        budget -= len(inflated)
        found = _pdf_active_name(inflated)
        if found:
            return found
    return None


class ContentCheck:
    """Feed an upload's chunks in order, then ``finish()`` for its MIME type (or a refusal)."""

    def __init__(self, extension: str) -> None:
        self.extension = extension
        self.head = b""
        self._tail = b""
        self._nul_or_markup = False
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._utf8_ok = True
        self._cp1251_ok = True
        self._pdf: bytearray | None = bytearray()

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        if self._pdf is not None:
            if len(self.head) >= 4 and not self.head.startswith(b"%PDF"):
                self._pdf = None
            else:
                self._pdf += chunk
        if self.extension == ".txt":
            self._feed_text(chunk)

    def _feed_text(self, chunk: bytes) -> None:
        if self._nul_or_markup:
            return
        window = (self._tail + chunk).lower()
        if b"\x00" in chunk or any(marker in window for marker in TEXT_REFUSED_MARKERS):
            self._nul_or_markup = True
            return
        self._tail = window[-_MARKER_OVERLAP:]
        if self._utf8_ok:
            try:
                self._utf8.decode(chunk)
            except UnicodeDecodeError:
                self._utf8_ok = False
        if self._cp1251_ok:
            try:
                chunk.decode("cp1251")
            except UnicodeDecodeError:
                self._cp1251_ok = False

    def _is_text(self) -> bool:
        if self._nul_or_markup:
            return False
        if self._utf8_ok:
            try:
                self._utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                self._utf8_ok = False
        return self._utf8_ok or self._cp1251_ok

    def finish(self) -> str:
        """The MIME type of the whole content; ValidationFailed with a clear message if refused."""
        kind = filetype.guess(self.head)
        if kind is not None:
            mime = kind.mime
            if mime == "audio/x-m4a":
                mime = "audio/mp4"
            if mime == "video/quicktime" and self.extension in (".mp4", ".m4v"):
                mime = "video/mp4"
            if mime == "application/pdf" and pdf_active_content(bytes(self._pdf or b"")):
                raise ValidationFailed({"file": [PDF_ACTIVE_REFUSED]})
            return mime
        if self.extension == ".txt":
            if not self._is_text():
                raise ValidationFailed({"file": [TEXT_REFUSED]})
            return "text/plain"
        raise ValidationFailed({"file": [NOT_ACCEPTED]})
