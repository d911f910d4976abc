"""Upload content checks: what a file really is, read whole as it streams in.

``ContentCheck`` is fed every chunk of an upload and decides at the end: the type comes from
the magic numbers; plain text must be text from its first byte to its last (no NUL byte, no
markup that a browser would run, valid UTF-8 or Windows-1251); a PDF must not carry
JavaScript or launch actions, in its plain objects or in its Flate-compressed streams.
"""

from __future__ import annotations

import base64
import codecs
import re
import struct
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator

import filetype

from casework.core.errors import ValidationFailed
from casework.core.i18n import N_
from casework.core.i18n import gettext as _

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

NOT_ACCEPTED = N_(
    "The file's content is not an accepted type (PDF, image, audio, video, office document or"
    " plain text), whatever its name says."
)
TEXT_REFUSED = N_(
    "This text file is not plain text throughout (it holds binary data or web markup such as"
    " HTML or SVG). Save it as plain text and try again."
)
PDF_UNCHECKABLE_REFUSED = N_(
    "This PDF cannot be checked for JavaScript (it is encrypted, or its objects are packed in a"
    " way the check does not read). Print it to a new PDF (or scan it) and upload that instead."
)
PDF_ACTIVE_REFUSED = N_(
    "This PDF contains JavaScript or an action that launches a program, which could harm"
    " whoever opens it. Print it to a new PDF (or scan it) and upload that instead."
)

# Said to whoever uploads a file that records where it was taken (the page flashes it, the API
# lists it under its code): the coordinates themselves are never repeated.
LOCATION_IN_FILE = "location_in_file"
LOCATION_IN_FILE_WARNING = N_(
    "This photo records where it was taken (GPS coordinates in its metadata). The original is "
    "kept unchanged as evidence: never send this file outside the team; share a copy without "
    "location data, such as a screenshot."
)
VIDEO_LOCATION_WARNING = N_(
    "This video records where it was filmed (GPS coordinates in its metadata). The original is "
    "kept unchanged as evidence: never send this file outside the team; share a copy without "
    "location data, such as a screen recording."
)
# A video the check cannot read whole for a place (``PhotoLocation.unsure``): marked as one.
LOCATION_NOT_RULED_OUT = "location_not_ruled_out"
VIDEO_LOCATION_UNSURE_WARNING = N_(
    "This video may record where it was filmed: it carries a GPS track or metadata that could "
    "not be read, so a location could not be ruled out. The original is kept unchanged as "
    "evidence: treat it as if it recorded one, never send this file outside the team; share a "
    "copy without location data, such as a screen recording."
)
AUDIO_LOCATION_WARNING = N_(
    "This audio recording records where it was made (GPS coordinates in its metadata). The "
    "original is kept unchanged as evidence: never send this file outside the team; share a "
    "copy without location data."
)


def location_warning(content_type: str) -> str:
    """The warning (untranslated) for a file of ``content_type`` that records a place, in the
    words of its kind."""
    if content_type.startswith("video/"):
        return VIDEO_LOCATION_WARNING
    if content_type.startswith("audio/"):
        return AUDIO_LOCATION_WARNING
    return LOCATION_IN_FILE_WARNING


def _pdf_active_name(data: bytes) -> bytes | None:
    for match in _PDF_NAME.finditer(data):
        name = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name in PDF_ACTIVE_NAMES:
            return name
    return None


# --- decoding a stream as a PDF reader does: its whole filter chain ---------------------------

# A stream and the dictionary before it ("5 0 obj << ... >> stream ... endstream").
_PDF_OBJECT_STREAM = re.compile(rb"\bobj\b(.{0,4096}?)\bstream\r?\n(.*?)\bendstream", re.DOTALL)
_PDF_FILTERS = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
_PDF_FILTER_NAMES = {
    b"FlateDecode": "flate", b"Fl": "flate", b"ASCIIHexDecode": "hex", b"AHx": "hex",
    b"ASCII85Decode": "a85", b"A85": "a85", b"RunLengthDecode": "rl", b"RL": "rl",
    b"LZWDecode": "lzw", b"LZW": "lzw",
}  # fmt: skip
# Filters of image data: what they decode to is pixels, never PDF objects.
_PDF_IMAGE_FILTERS = frozenset(
    {b"DCTDecode", b"DCT", b"JPXDecode", b"CCITTFaxDecode", b"CCF", b"JBIG2Decode"}
)
PDF_UNCHECKABLE = b"uncheckable"


class _TooLarge(Exception):
    pass


def _unescape(data: bytes) -> bytes:
    return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _hex(data: bytes) -> bytes:
    digits = re.sub(rb"[^0-9A-Fa-f]", b"", data.split(b">", 1)[0])
    return bytes.fromhex((digits + b"0" if len(digits) % 2 else digits).decode())


def _a85(data: bytes) -> bytes:
    data = data.strip()
    data = data[2:] if data.startswith(b"<~") else data
    return base64.a85decode(data.split(b"~>", 1)[0], ignorechars=b" \t\n\r\x0b\x0c")


def _run_length(data: bytes, limit: int) -> bytes:
    out, i = bytearray(), 0
    while i < len(data) and len(out) <= limit:
        n = data[i]
        if n == 128:
            break
        if n < 128:
            out += data[i + 1 : i + 2 + n]
            i += n + 2
        else:
            out += data[i + 1 : i + 2] * (257 - n)
            i += 2
    return bytes(out)


def _lzw(data: bytes, limit: int) -> bytes:
    """LZW as PDF writes it (early change), up to ``limit`` bytes."""
    out = bytearray()
    table = [bytes([i]) for i in range(256)] + [b"", b""]
    width, bits, nbits, previous = 9, 0, 0, b""
    for byte in data:
        bits, nbits = (bits << 8) | byte, nbits + 8
        while nbits >= width:
            nbits -= width
            code = (bits >> nbits) & ((1 << width) - 1)
            if code == 256:
                table, width, previous = table[:258], 9, b""
                continue
            if code == 257:
                return bytes(out)
            entry = table[code] if code < len(table) else previous + previous[:1]
            out += entry
            if len(out) > limit:
                return bytes(out)
            if previous and len(table) < 4096:
                table.append(previous + entry[:1])
            previous = entry
            if len(table) + 1 >= (1 << width) and width < 12:
                width += 1
    return bytes(out)


def _decode(data: bytes, filters: list[bytes], limit: int) -> bytes | None:
    """``data`` through ``filters`` in order, each output up to ``limit`` bytes (_TooLarge past
    it); None when a filter is not one this check reads."""
    for name in filters:
        kind = _PDF_FILTER_NAMES.get(name)
        try:
            if kind == "flate":
                inflater = zlib.decompressobj()
                data = inflater.decompress(data, limit + 1)
            elif kind == "hex":
                data = _hex(data)
            elif kind == "a85":
                data = _a85(data)
            elif kind == "rl":
                data = _run_length(data, limit)
            elif kind == "lzw":
                data = _lzw(data, limit)
            else:
                return None
        except (zlib.error, ValueError):
            return None
        if len(data) > limit:
            raise _TooLarge
    return data


def pdf_active_content(data: bytes) -> bytes | None:
    """The first name in ``data`` (a PDF) that runs code, ``PDF_UNCHECKABLE`` when what may
    hold PDF objects cannot be read, else None.

    Objects live in the file or in object streams (``/Type /ObjStm``), which a reader decodes
    through their whole filter chain: so does this check. An object stream it cannot decode
    in full (a filter it does not read, a predictor, more than PDF_INFLATE_PER_STREAM bytes)
    makes the file uncheckable, as does encryption. Other streams (pages, fonts, images) are
    read too, within PDF_INFLATE_TOTAL, but cannot hide an action: past the bound, or in a
    filter this check does not read, they are passed over.
    """
    found = _pdf_active_name(data)
    if found:
        return found
    if re.search(rb"/Encrypt\b", _unescape(data)):
        return PDF_UNCHECKABLE  # strings and streams a reader decrypts, this check cannot
    budget = PDF_INFLATE_TOTAL
    for match in _PDF_OBJECT_STREAM.finditer(data):
        dictionary = _unescape(match.group(1))
        object_stream = re.search(rb"/Type\s*/ObjStm\b", dictionary) is not None
        if not object_stream and budget <= 0:
            continue
        chain = _PDF_FILTERS.search(dictionary)
        filters = re.findall(rb"/([^\s/\[\]<>()]+)", chain.group(1)) if chain else []
        if any(f in _PDF_IMAGE_FILTERS for f in filters) and not object_stream:
            continue
        if object_stream and re.search(rb"/Predictor\s*(\d+)", dictionary):
            return PDF_UNCHECKABLE
        try:
            decoded = _decode(match.group(2), filters, PDF_INFLATE_PER_STREAM)
        except _TooLarge:
            if object_stream:
                return PDF_UNCHECKABLE
            budget -= PDF_INFLATE_PER_STREAM
            continue
        if decoded is None:
            if object_stream:
                return PDF_UNCHECKABLE
            continue
        if not object_stream:
            budget -= len(decoded)
        found = _pdf_active_name(decoded)
        if found:
            return found
    return None


# A photo's Exif block is a TIFF structure whose offsets count from its own header. A file keeps
# it near its start (JPEG, TIFF, most PNG), after the pixels (WebP, some PNG), or between the
# items of a HEIC file (the picture, then the Exif item, then a depth map or a gain map), and an
# editor's XMP packet may come first and grow large: the whole upload is looked through for the
# header, and what follows each one is read up to EXIF_WINDOW bytes on. A TIFF file is itself
# that structure: its directories may follow its pixels (as libtiff writes them), or lie between
# one page's pixels and the next, so they are also read at their offsets in the file, wherever
# they lie, as the upload streams past them.
EXIF_WINDOW = 256 * 1024
_TIFF_HEADERS = (b"II*\x00", b"MM\x00*")
_GPS_IFD_TAG = 0x8825
_GPS_LATITUDE, _GPS_LONGITUDE = 0x0002, 0x0004

# Coordinates in an XMP packet (``exif:GPSLatitude="43,15.125N"``, or as an element), which an
# editor writes beside the Exif block and a tool that strips the Exif block alone leaves behind.
_XMP_PLACE = re.compile(rb"GPS(?:Latitude|Longitude)(?:\s*=\s*[\"']|>)\s*\d")
_XMP_OVERLAP = 64  # what a name cut across two chunks needs of the first

# Bytes of a TIFF structure: ``read(offset, length)``, shorter (or empty) where none were kept.
_Read = Callable[[int, int], bytes]


def _ifd_tags(read: _Read, offset: int, order: str) -> dict[int, tuple[int, int, bytes]]:
    """The entries of one TIFF directory: tag -> (type, count, value or offset field)."""
    if offset < 8:
        return {}
    head = read(offset, 2)
    if len(head) < 2:
        return {}
    (count,) = struct.unpack(order + "H", head)
    entries = read(offset + 2, 12 * min(count, 512))
    tags = {}
    for at in range(0, len(entries) - 11, 12):
        tag, kind, n = struct.unpack_from(order + "HHI", entries, at)
        tags[tag] = (kind, n, bytes(entries[at + 8 : at + 12]))
    return tags


def _records_place(read: _Read) -> bool:
    """Does the TIFF structure ``read`` gives record GPS coordinates?"""
    start = read(0, 8)
    if len(start) < 8:
        return False
    order = "<" if start.startswith(b"II") else ">"
    (first,) = struct.unpack_from(order + "I", start, 4)
    entry = _ifd_tags(read, first, order).get(_GPS_IFD_TAG)
    if entry is None:
        return False
    (gps_offset,) = struct.unpack(order + "I", entry[2])
    return _gps_records_place(_ifd_tags(read, gps_offset, order))


def _gps_records_place(gps: dict[int, tuple[int, int, bytes]]) -> bool:
    """Does a GPS directory hold a latitude or a longitude?"""
    return any(gps.get(tag, (0, 0))[1] > 0 for tag in (_GPS_LATITUDE, _GPS_LONGITUDE))


def _tiff_has_location(tiff: bytes | bytearray) -> bool:
    return _records_place(lambda offset, length: tiff[offset : offset + length])


# A video or a sound recording from a phone (MP4, QuickTime, 3GP, M4A: ISO base media boxes)
# keeps where it was made in its movie box (moov), before its media data (mdat) or after it,
# gigabytes on: in ``udta/©xyz`` (an ISO 6709 string, "+43.2567+076.9286/", as Android and older
# iPhones write it; in ``ilst/©xyz`` as tag editors do), in 3GPP's ``udta/loci``, or in QuickTime
# metadata (an iPhone: the key ``com.apple.quicktime.location.ISO6709`` in ``meta/keys``, its
# value in ``meta/ilst``). The boxes are walked by their sizes as the upload streams in, the rest
# passed over unread: only the few small boxes that may hold a place are kept, up to BOX_KEPT
# bytes each. As for a photo, any coordinates recorded count (zero ones too); none, no place.
BOX_KEPT = 64 * 1024
_ISO6709 = re.compile(rb"[+-]\d+(?:\.\d+)?[+-]\d+")
_APPLE_LOCATION_KEY = b"com.apple.quicktime.location.ISO6709"
_XYZ = b"\xa9xyz"
# The boxes walked into, by the box they are in ("" for the file); every other one is passed over.
_BOX_CONTAINERS = {
    b"": (b"moov",),
    b"moov": (b"trak", b"udta", b"meta"),
    b"trak": (b"udta", b"meta", b"mdia"),
    b"mdia": (b"minf",),
    b"minf": (b"stbl",),
    b"udta": (b"meta",),
    b"meta": (b"ilst",),
}
# What this walk cannot read, and so cannot rule a place out in: a track of timed metadata whose
# samples lie among the media data and may be GPS fixes (a GoPro's ``gpmd``, Google's camera
# motion metadata ``camm``), named by its sample description (``trak/mdia/minf/stbl/stsd``); a
# movie box packed whole (QuickTime's ``moov/cmov``), whose boxes are not inflated here.
_TRACKS_NOT_READ = frozenset({b"gpmd", b"camm"})
_BOX_KEYS_KEPT = 1024  # the items of one meta box remembered (an index each)
_TO_THE_END = 1 << 62  # a box that runs to the end of the file (its size written as 0)


class _MetaItems:
    """What one QuickTime ``meta`` box says so far: the indices of its location keys, and of
    its items whose value is a place."""

    def __init__(self) -> None:
        self.location_keys: set[int] = set()
        self.places: set[int] = set()

    def located(self) -> bool:
        return not self.location_keys.isdisjoint(self.places)


def _item_value(payload: bytes) -> bytes:
    """The value of an ``ilst`` item: its ``data`` box, after the type and the locale."""
    if len(payload) < 16 or payload[4:8] != b"data":
        return b""
    (size,) = struct.unpack_from(">I", payload)
    return payload[16:size]


def _location_key_indices(payload: bytes) -> set[int]:
    """The 1-based indices of a ``keys`` box's location keys."""
    found: set[int] = set()
    if len(payload) < 8:
        return found
    (count,) = struct.unpack_from(">I", payload, 4)
    at = 8
    for index in range(1, count + 1):
        if at + 8 > len(payload):
            break
        (size,) = struct.unpack_from(">I", payload, at)
        if size < 8:
            break
        if payload[at + 8 : at + size] == _APPLE_LOCATION_KEY:
            found.add(index)
        at += size
    return found


class _StreamWalk(ABC):
    """Walks a file's structure as its bytes arrive; ``located`` once it has met a place. The
    walk (``_walk``) is a generator that yields how many bytes it wants next (a negative
    number: that many passed over) and is sent them; at the end of the file it is sent what is
    left (fewer bytes, then none), and stops."""

    def __init__(self) -> None:
        self.located = False
        self.offset = 0  # bytes of the file taken by the walk
        self._got = bytearray()
        self._walking: Generator[int, bytes, None] | None = self._walk()
        self._want = next(self._walking)

    @abstractmethod
    def _walk(self) -> Generator[int, bytes, None]:
        """The walk of one kind of file (``_Boxes``, ``_PngText``)."""

    def feed(self, chunk: bytes) -> None:
        at = 0
        while at < len(chunk) and self._walking is not None:
            if self._want < 0:
                n = min(-self._want, len(chunk) - at)
                self._want += n
            else:
                n = min(self._want - len(self._got), len(chunk) - at)
                self._got += chunk[at : at + n]
            at += n
            self.offset += n
            if self._want == 0 or (self._want > 0 and len(self._got) == self._want):
                data = bytes(self._got)
                self._got.clear()
                self._send(data)

    def finish(self) -> None:
        """The end of the file: what the walk still wants is cut short."""
        for _attempt in range(64):  # the walk is never that deep: each level then stops
            if self._walking is None:
                return
            data = bytes(self._got) if self._want > 0 else b""
            self._got.clear()
            self._send(data)
        self._walking = None

    def _send(self, data: bytes) -> None:
        if self._walking is None:
            return
        try:
            self._want = self._walking.send(data)
        except StopIteration:
            self._walking = None
            return
        if self.located:
            self._walking = None


def _box_types(data: bytes) -> list[bytes]:
    """The types of the boxes one after another in ``data``."""
    found, at = [], 0
    while at + 8 <= len(data) and len(found) < 64:
        size, kind = struct.unpack_from(">I4s", data, at)
        found.append(kind)
        if size < 8:
            break
        at += size
    return found


class _Boxes(_StreamWalk):
    """The boxes of an ISO base media file (a video, a sound recording); ``unsure`` once it has
    met what may hold a place it cannot read."""

    def __init__(self) -> None:
        self.unsure = False
        super().__init__()

    def _walk(self) -> Generator[int, bytes, None]:
        return self._children(_TO_THE_END, b"")

    def _children(
        self, end: int, parent: bytes, meta: _MetaItems | None = None, first: bytes = b""
    ) -> Generator[int, bytes, None]:
        """The boxes from here to ``end`` (``first``: the start of the first one's header,
        already read)."""
        while True:
            start = self.offset - len(first)
            if end - start < 8:
                if end > self.offset:
                    yield self.offset - end
                return
            header = first + (yield 8 - len(first))
            first = b""
            if len(header) < 8:
                return
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                large = yield 8
                if len(large) < 8:
                    return
                (size,) = struct.unpack(">Q", large)
            elif size == 0:
                size = end - start
            if size < self.offset - start:
                return  # smaller than its own header: nothing after it can be found
            box_end = min(start + size, end)
            yield from self._box(kind, parent, box_end, meta)
            if box_end > self.offset:
                yield self.offset - box_end
            if box_end >= end:
                return

    def _box(
        self, kind: bytes, parent: bytes, end: int, meta: _MetaItems | None
    ) -> Generator[int, bytes, None]:
        if kind in _BOX_CONTAINERS.get(parent, ()):
            if kind != b"meta":
                yield from self._children(end, kind, meta)
                return
            if end - self.offset < 8:
                return
            # ISO's meta box starts with a version and flags, QuickTime's with its first box.
            start = yield 4
            items = _MetaItems()
            yield from self._children(end, kind, items, b"" if start == bytes(4) else start)
            return
        if (parent, kind) == (b"moov", b"cmov"):
            self.unsure = True
        kept = parent == b"ilst" or (parent, kind) in (
            (b"udta", _XYZ),
            (b"udta", b"loci"),
            (b"meta", b"keys"),
            (b"stbl", b"stsd"),
        )
        if not kept or end <= self.offset:
            return
        payload = yield min(BOX_KEPT, end - self.offset)
        if kind == b"stsd":
            # A version and flags, a count, then the sample entries (boxes named by their type).
            self.unsure |= not _TRACKS_NOT_READ.isdisjoint(_box_types(payload[8:]))
        elif kind == _XYZ and parent == b"udta":
            # A string's length, its language, then the string.
            self.located = _ISO6709.search(payload[4:]) is not None
        elif kind == b"loci":
            # A version, a language, a name (at least its final NUL), a role, then the
            # longitude, the latitude and the altitude.
            self.located = len(payload) >= 4 + 2 + 1 + 1 + 12
        elif meta is not None and kind == b"keys":
            meta.location_keys |= _location_key_indices(payload)
            self.located = meta.located()
        elif parent == b"ilst" and _ISO6709.search(_item_value(payload)):
            if kind == _XYZ:
                self.located = True
            elif meta is not None and len(meta.places) < _BOX_KEYS_KEPT:
                meta.places.add(struct.unpack(">I", kind)[0])
                self.located = meta.located()


# A PNG that ImageMagick wrote keeps the Exif block (or an XMP packet) of the photo it came from
# as text: a tEXt, zTXt (compressed) or iTXt chunk named "Raw profile type exif" (or "APP1",
# "xmp"), whose text is a blank line, the profile's name, its length, then its bytes in hex
# digits over many lines. Each such chunk is read up to PNG_TEXT_KEPT bytes, inflated up to as
# many, and its bytes looked through as the rest of the file is.
PNG_TEXT_KEPT = 3 * EXIF_WINDOW
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
_RAW_PROFILE = b"raw profile type "
_NOT_HEX = re.compile(rb"[^0-9A-Fa-f]")


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, PNG_TEXT_KEPT)
    except zlib.error:
        return b""


def _png_text(kind: bytes, data: bytes) -> bytes:
    """The text of a PNG text chunk whose keyword names a raw profile (else nothing)."""
    keyword, _nul, rest = data.partition(b"\x00")
    if not keyword.lower().startswith(_RAW_PROFILE):
        return b""
    if kind == b"zTXt":
        return _inflate(rest[1:])
    if kind == b"iTXt":
        compressed = rest[:1] == b"\x01"
        _language, _nul, rest = rest[2:].partition(b"\x00")
        _translated, _nul, text = rest.partition(b"\x00")
        return _inflate(text) if compressed else text
    return rest


def _raw_profile(text: bytes) -> bytes:
    """The bytes of a raw profile: after its name and its length, hex digits."""
    lines = text.lstrip(b"\n").split(b"\n", 2)
    if len(lines) < 3:
        return b""
    digits = _NOT_HEX.sub(b"", lines[2])
    return bytes.fromhex(digits[: len(digits) // 2 * 2].decode())


def _profile_records_place(profile: bytes) -> bool:
    """Do these bytes (an Exif block, an XMP packet) record a place?"""
    if _XMP_PLACE.search(profile):
        return True
    for header in _TIFF_HEADERS:
        at = profile.find(header)
        while at != -1:
            if _tiff_has_location(profile[at : at + EXIF_WINDOW]):
                return True
            at = profile.find(header, at + 1)
    return False


class _PngText(_StreamWalk):
    """The text chunks of a PNG file, for the raw profiles ImageMagick writes."""

    def _walk(self) -> Generator[int, bytes, None]:
        if (yield len(_PNG_SIGNATURE)) != _PNG_SIGNATURE:
            return
        while True:
            header = yield 8
            if len(header) < 8:
                return
            length, kind = struct.unpack(">I4s", header)
            if kind in _PNG_TEXT_CHUNKS and length:
                data = yield min(length, PNG_TEXT_KEPT)
                self.located = _profile_records_place(_raw_profile(_png_text(kind, data)))
                length -= len(data)
            if kind == b"IEND":
                return
            yield -(length + 4)  # and its CRC


# A sound recording of another kind keeps what a recorder app or a tag editor says of it as
# text: an MP3 in ID3 frames (a tag at the file's start, the old 128-byte tag at its end), a
# WAV in the INFO texts of a LIST chunk (often after its samples) or a broadcast extension
# (bext, iXML), an Ogg file (Vorbis, Opus) in the comments of its second packet. There is no
# one field for a place: coordinates in any of these texts count ("43.2567, 76.9286",
# "+43.2567+076.9286/", 43°15'24"N), as does a number under a name that says a place (a
# frame or a comment named GEO, GPS, LOCATION, LATITUDE...). Each text is read up to BOX_KEPT
# bytes; the rest of the file (the sound, a cover picture) is passed over unread.
_TEXT_PLACES = (
    # Decimal degrees, a latitude then a longitude (at least three decimals each).
    re.compile(r"(?<![\d.])[-+]?\d{1,2}\.\d{3,}\s*[,;/ ]\s*[-+]?\d{1,3}\.\d{3,}(?![\d.])"),
    # ISO 6709: a latitude of 2, 4 or 6 digits, a longitude of 3, 5 or 7.
    re.compile(
        r"(?<!\d)[-+]\d{2}(?:\d{2}){0,2}(?:\.\d+)?[-+]\d{3}(?:\d{2}){0,2}(?:\.\d+)?(?![\d.])"
    ),
    # Degrees and minutes, then a hemisphere.
    re.compile(r"\d{1,3}\s*°\s*\d{1,2}(?:[.,]\d+)?\s*['′][^NSns°]{0,16}[NSns]"),
)
_PLACE_NAMES = frozenset(
    {"geo", "gps", "location", "latitude", "longitude", "lat", "lon", "lng", "coordinates",
     "coords", "iso6709", "geotag", "position"}
)  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")
_DIGIT = re.compile(r"\d")


def text_records_place(name: str, value: str) -> bool:
    """Does a text of a recording's tags (``value``, under ``name``) give coordinates?"""
    if any(pattern.search(value) for pattern in _TEXT_PLACES):
        return True
    named = not _PLACE_NAMES.isdisjoint(_WORD.findall(name.lower()))
    return named and _DIGIT.search(value) is not None


def _id3_text(encoding: int, data: bytes) -> list[str]:
    """The strings of an ID3 frame's text (NUL-separated) in its encoding."""
    codec, nul = {0: ("latin-1", b"\x00"), 1: ("utf-16", b"\x00\x00"),
                  2: ("utf-16-be", b"\x00\x00"), 3: ("utf-8", b"\x00")}.get(encoding, ("latin-1", b"\x00"))  # fmt: skip
    if len(nul) == 2:
        # Split on a NUL character, not on two NUL bytes across two characters.
        parts, at, start = [], 0, 0
        while at + 1 < len(data):
            if data[at : at + 2] == nul:
                parts.append(data[start:at])
                start = at + 2
            at += 2
        parts.append(data[start:])
    else:
        parts = data.split(nul)
    return [part.decode(codec, "replace") for part in parts]


def _id3_frame_records_place(kind: bytes, payload: bytes) -> bool:
    """Does an ID3 frame (a text, a comment, a user-defined text or object) give a place?"""
    if not payload:
        return False
    name = kind.decode("latin-1")
    encoding, data = payload[0], payload[1:]
    if kind in (b"COMM", b"COM", b"USLT", b"ULT"):
        data = data[3:]  # a language
    elif kind in (b"GEOB", b"GEO"):
        mime, _nul, data = data.partition(b"\x00")
        name += " " + mime.decode("latin-1")
    elif not kind.startswith(b"T"):
        return False
    texts = _id3_text(encoding, data)
    if kind in (b"TXXX", b"TXX", b"COMM", b"COM", b"GEOB", b"GEO", b"USLT", b"ULT"):
        name += " " + texts[0]  # the description names what follows
        texts = texts[1:]
    return any(text_records_place(name, text) for text in texts)


class _Id3(_StreamWalk):
    """The frames of an ID3v2 tag at the start of a file (an MP3 recording)."""

    def _walk(self) -> Generator[int, bytes, None]:
        header = yield 10
        if len(header) < 10 or not header.startswith(b"ID3"):
            return
        version, flags = header[3], header[5]
        end = 10 + _syncsafe(header[6:10])
        if flags & 0x40 and version >= 3:  # an extended header: passed over
            size = yield 4
            if len(size) < 4:
                return
            length = _syncsafe(size) if version == 4 else struct.unpack(">I", size)[0] + 4
            yield -(max(length - 4, 0))
        name_len, head_len = (3, 6) if version == 2 else (4, 10)
        while self.offset + head_len <= end:
            frame = yield head_len
            if len(frame) < head_len or frame[0] == 0:
                return  # the end of the file, or the tag's padding
            kind = frame[:name_len]
            if version == 2:
                size = int.from_bytes(frame[3:6], "big")
            elif version == 4:
                size = _syncsafe(frame[4:8])
            else:
                (size,) = struct.unpack(">I", frame[4:8])
            size = min(size, end - self.offset)
            if kind[:1] in (b"T", b"C", b"G", b"U"):
                payload = yield min(size, BOX_KEPT)
                self.located = _id3_frame_records_place(kind, payload)
                size -= len(payload)
            if size > 0:
                yield -size


def _syncsafe(data: bytes) -> int:
    return int.from_bytes(bytes(b & 0x7F for b in data), "big") if len(data) == 4 else 0


def _id3v1_records_place(tail: bytes) -> bool:
    """Does the old ID3 tag (the last 128 bytes of an MP3) give a place in its texts?"""
    tag = tail[-128:]
    if len(tag) < 128 or not tag.startswith(b"TAG"):
        return False
    fields = (tag[3:33], tag[33:63], tag[63:93], tag[97:127])  # title, artist, album, comment
    return any(text_records_place("", f.split(b"\x00")[0].decode("latin-1")) for f in fields)


_RIFF_KEPT = (b"LIST", b"bext", b"iXML")


class _Riff(_StreamWalk):
    """The chunks of a WAV file: its LIST/INFO texts and broadcast extension, wherever they are."""

    def _walk(self) -> Generator[int, bytes, None]:
        header = yield 12
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            return
        while True:
            chunk = yield 8
            if len(chunk) < 8:
                return
            kind, (size,) = chunk[:4], struct.unpack("<I", chunk[4:8])
            padded = size + (size & 1)
            if kind in _RIFF_KEPT:
                payload = yield min(size, BOX_KEPT)
                self.located = _riff_records_place(kind, payload)
                padded -= len(payload)
            if padded > 0:
                yield -padded


def _riff_records_place(kind: bytes, payload: bytes) -> bool:
    if kind != b"LIST":
        return text_records_place(kind.decode("latin-1"), payload.decode("latin-1"))
    if payload[:4] != b"INFO":
        return False
    at = 4
    while at + 8 <= len(payload):
        name, (size,) = payload[at : at + 4], struct.unpack_from("<I", payload, at + 4)
        value = payload[at + 8 : at + 8 + size].split(b"\x00")[0]
        if text_records_place(name.decode("latin-1"), value.decode("utf-8", "replace")):
            return True
        at += 8 + size + (size & 1)
    return False


_OGG_COMMENTS = (b"\x03vorbis", b"OpusTags")
_OGG_PAGES_READ = 16  # the comments are the second packet: a few pages in at most


class _OggComments(_StreamWalk):
    """The comments of an Ogg file's first stream (Vorbis or Opus), from its first pages."""

    def _walk(self) -> Generator[int, bytes, None]:
        packets = bytearray()
        serial = None
        for _page in range(_OGG_PAGES_READ):
            header = yield 27
            if len(header) < 27 or not header.startswith(b"OggS"):
                return
            segments = yield header[26]
            if len(segments) < header[26]:
                return
            payload = yield sum(segments)
            serial = header[14:18] if serial is None else serial
            if header[14:18] == serial:
                packets += payload[: BOX_KEPT - len(packets)]
            found = _ogg_comments(bytes(packets))
            if found is not None:
                self.located = found
                return
            if len(packets) >= BOX_KEPT:
                return


def _ogg_comments(packets: bytes) -> bool | None:
    """Do the comments in ``packets`` give a place (None: not all read yet)?"""
    marker = next((m for m in _OGG_COMMENTS if m in packets), None)
    if marker is None:
        return None
    at = packets.index(marker) + len(marker)
    if at + 4 > len(packets):
        return None
    (vendor,) = struct.unpack_from("<I", packets, at)
    at += 4 + vendor
    if at + 4 > len(packets):
        return None
    (count,) = struct.unpack_from("<I", packets, at)
    at += 4
    for _comment in range(min(count, 4096)):
        if at + 4 > len(packets):
            return None
        (size,) = struct.unpack_from("<I", packets, at)
        text = packets[at + 4 : at + 4 + size]
        if len(text) < size:
            return False if len(packets) >= BOX_KEPT else None
        name, _eq, value = text.decode("utf-8", "replace").partition("=")
        if text_records_place(name, value):
            return True
        at += 4 + size
    return False


class PhotoLocation:
    """Feed an upload's chunks; ``found()`` says whether an image records where it was taken
    (GPS coordinates: in an Exif block, wherever the file keeps it, even as a PNG's text, or in
    an XMP packet), or a video or a sound recording where it was made (in its movie box, an
    MP3's ID3 tags, a WAV's INFO texts, an Ogg file's comments, or an XMP packet). The file is
    not changed: it is evidence, kept as it came. What is held at once: three times
    EXIF_WINDOW bytes, BOX_KEPT bytes (twice for an Ogg file), twice PNG_TEXT_KEPT bytes and a
    chunk."""

    def __init__(self) -> None:
        self._head = bytearray()  # the first EXIF_WINDOW bytes
        self._buffer = bytearray()  # the last bytes read, from offset size - len(buffer)
        self._size = 0
        self._xmp_tail = b""
        self._located = False
        self._xmp_located = False
        self._tiff_gps_at: int | None = None  # where a TIFF file's GPS directory lies
        self._boxes = _Boxes()
        self._png_text = _PngText()
        self._recordings = (_Id3(), _Riff(), _OggComments())

    def feed(self, chunk: bytes) -> None:
        self._boxes.feed(chunk)
        self._png_text.feed(chunk)
        for walk in self._recordings:
            walk.feed(chunk)
        if self._located:
            return
        window = self._xmp_tail + chunk
        if _XMP_PLACE.search(window):
            self._located = self._xmp_located = True
            return
        self._xmp_tail = window[-_XMP_OVERLAP:]
        if len(self._head) < EXIF_WINDOW:
            self._head += chunk[: EXIF_WINDOW - len(self._head)]
        self._size += len(chunk)
        self._buffer += chunk
        if len(self._buffer) >= 2 * EXIF_WINDOW:
            # Every header that starts here with EXIF_WINDOW bytes after it is read now; what a
            # later header may start at, or need, is kept.
            read = len(self._buffer) - EXIF_WINDOW
            self._located = self._read_headers(read) or self._read_tiff_file()
            del self._buffer[:read]

    def _read_headers(self, before: int) -> bool:
        """Does an Exif block whose header starts before offset ``before`` record a place?"""
        for header in _TIFF_HEADERS:
            end = before + len(header) - 1
            at = self._buffer.find(header, 0, end)
            while at != -1:
                if _tiff_has_location(self._buffer[at : at + EXIF_WINDOW]):
                    return True
                at = self._buffer.find(header, at + 1, end)
        return False

    def _read_file(self, offset: int, length: int) -> bytes:
        """The file's bytes at ``offset``, from its first or its last bytes kept (the most of
        them either holds)."""
        pieces = ((0, self._head), (self._size - len(self._buffer), self._buffer))
        found = b""
        for start, data in pieces:
            if start <= offset < start + len(data):
                here = bytes(data[offset - start : offset - start + length])
                found = here if len(here) > len(found) else found
        return found

    def _read_tiff_file(self) -> bool:
        """Does this TIFF file record a place, as far as the bytes kept now show? Its
        directories may lie anywhere: the first one, once read whole, gives where the GPS one
        lies, which is then read whenever its bytes are kept (before the first or after it).
        Every stretch of EXIF_WINDOW bytes is kept whole at one time or another."""
        if len(self._head) < 8 or not self._head.startswith(_TIFF_HEADERS):
            return False
        order = "<" if self._head.startswith(b"II") else ">"
        if self._tiff_gps_at is None:
            (first,) = struct.unpack_from(order + "I", self._head, 4)
            entry = _ifd_tags(self._read_file, first, order).get(_GPS_IFD_TAG)
            if entry is None:
                return False  # not read yet, or no GPS directory (read again later: no harm)
            (self._tiff_gps_at,) = struct.unpack(order + "I", entry[2])
        return _gps_records_place(_ifd_tags(self._read_file, self._tiff_gps_at, order))

    def unsure(self, mime: str) -> bool:
        """Could a place not be ruled out, where none was found (a video's GPS track among its
        media data, a compressed movie box)?"""
        return mime.startswith(("video/", "audio/")) and self._boxes.unsure and not self.found(mime)

    def found(self, mime: str) -> bool:
        if mime.startswith(("video/", "audio/")):
            for walk in (self._boxes, *self._recordings):
                walk.finish()
            if any(walk.located for walk in (self._boxes, *self._recordings)):
                return True
            return self._xmp_located or _id3v1_records_place(bytes(self._buffer[-128:]))
        if not mime.startswith("image/"):
            return False
        if self._located or self._png_text.located or self._read_headers(len(self._buffer)):
            return True
        return self._read_tiff_file()


# ISO media files that ``filetype`` names only when they also list a brand it knows (isom,
# mp41...): 3GP and 3G2 files of older phones, M4V files, which often list their own alone.
_MOVIE_BRANDS = ((b"3gp", "video/3gpp"), (b"3g2", "video/3gpp2"), (b"M4V", "video/mp4"))


def _movie_by_brand(head: bytes) -> str | None:
    """The MIME type an ISO media file's major brand gives (``ftyp`` first), or None."""
    if head[4:8] != b"ftyp":
        return None
    major = head[8:12]
    return next((mime for prefix, mime in _MOVIE_BRANDS if major.startswith(prefix)), None)


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
        mime = kind.mime if kind is not None else _movie_by_brand(self.head)
        if mime is not None:
            if mime == "audio/x-m4a":
                mime = "audio/mp4"
            if mime == "video/quicktime" and self.extension in (".mp4", ".m4v"):
                mime = "video/mp4"
            if mime == "application/pdf":
                found = pdf_active_content(bytes(self._pdf or b""))
                if found == PDF_UNCHECKABLE:
                    raise ValidationFailed({"file": [_(PDF_UNCHECKABLE_REFUSED)]})
                if found:
                    raise ValidationFailed({"file": [_(PDF_ACTIVE_REFUSED)]})
            return mime
        if self.extension == ".txt":
            if not self._is_text():
                raise ValidationFailed({"file": [_(TEXT_REFUSED)]})
            return "text/plain"
        raise ValidationFailed({"file": [_(NOT_ACCEPTED)]})
