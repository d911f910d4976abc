"""Videos and sound recordings as phones save them (ISO base media boxes), with or without
where they were made. Nothing but the boxes: the checks read the movie box, never the media."""

from __future__ import annotations

import struct

from tests.photos import noise

# Where the video was made, as an ISO 6709 string: 43.2567 N, 76.9286 E (Almaty).
PLACE = b"+43.2567+076.9286/"
APPLE_LOCATION_KEY = b"com.apple.quicktime.location.ISO6709"


def box(kind: bytes, payload: bytes = b"", *, large: bool = False) -> bytes:
    """A box: its size (in 64 bits after its type with ``large``), its type, its payload."""
    if large:
        return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _xyz(place: bytes) -> bytes:
    """Android's (and an older iPhone's) ``©xyz``: the string's length, its language, it."""
    return box(b"\xa9xyz", struct.pack(">HH", len(place), 0x15C7) + place)


def _data(value: bytes) -> bytes:
    return box(b"data", struct.pack(">II", 1, 0) + value)  # UTF-8, no locale


def _apple_meta(place: bytes | None) -> bytes:
    """QuickTime metadata as an iPhone writes it: a handler, the keys, then their values (the
    items are numbered by their key's index, from 1)."""
    names = [b"com.apple.quicktime.make", b"com.apple.quicktime.model"]
    values = [b"Apple", b"iPhone 13"]
    if place is not None:
        names.insert(1, APPLE_LOCATION_KEY)
        values.insert(1, place)
    keys = struct.pack(">II", 0, len(names)) + b"".join(
        struct.pack(">I4s", 8 + len(name), b"mdta") + name for name in names
    )
    items = b"".join(
        box(struct.pack(">I", index), _data(value)) for index, value in enumerate(values, 1)
    )
    handler = box(b"hdlr", bytes(8) + b"mdta" + bytes(12) + b"\x00")
    return box(b"meta", handler + box(b"keys", keys) + box(b"ilst", items))


def _loci() -> bytes:
    """3GPP's location box: a language, a name, a role, then longitude, latitude, altitude."""
    coordinates = struct.pack(">iii", int(76.9286 * 65536), int(43.2567 * 65536), 0)
    return box(b"loci", bytes(4) + struct.pack(">H", 0x15C7) + b"Home\x00" + b"\x00" + coordinates)


def _track() -> bytes:
    """A track whose sample tables are large, as a long recording's are."""
    return box(b"trak", box(b"tkhd", bytes(84)) + box(b"mdia", box(b"minf", noise(40_000, 5))))


def video(
    place: str | None = "android",
    *,
    brand: bytes = b"mp42",
    moov_first: bool = False,
    media: int = 600_000,
    large_media: bool = False,
    location: bytes = PLACE,
    xmp: str | None = None,
    compatible: bytes | None = None,
) -> bytes:
    """A phone's video: ``ftyp``, then the media data (``mdat``) and the movie box (``moov``),
    which a phone writes last and an app that prepares a file for streaming writes first. Its
    place, if any, is where that phone writes it: "android" (``moov/udta/©xyz``), "iphone"
    (QuickTime metadata, ``moov/meta``), "3gpp" (``moov/udta/loci``) or "tagged" (an editor's
    ``moov/udta/meta/ilst/©xyz``). With ``xmp``, an editor's XMP packet too, where Adobe's
    tools write it (``moov/udta/XMP_``). ``compatible``: the brands ``ftyp`` lists (by default
    the major one and ``isom``, which a QuickTime file does not list)."""
    udta = b""
    meta = b""
    if place == "android":
        udta = box(b"udta", _xyz(location))
    elif place == "iphone":
        meta = _apple_meta(location)
    elif place == "3gpp":
        udta = box(b"udta", _loci())
    elif place == "tagged":
        handler = box(b"hdlr", bytes(8) + b"mdir" + b"appl" + bytes(8) + b"\x00")
        tags = box(b"ilst", box(b"\xa9nam", _data(b"Interview")) + box(b"\xa9xyz", _data(location)))
        udta = box(b"udta", box(b"meta", bytes(4) + handler + tags))
    elif place is None:
        meta = _apple_meta(None)
    if xmp is not None:
        udta = box(b"udta", udta[8:] + box(b"XMP_", xmp.encode()))
    moov = box(b"moov", box(b"mvhd", bytes(100)) + _track() + meta + udta + _track())
    mdat = box(b"mdat", noise(media, 4), large=large_media)
    if compatible is None:
        compatible = brand + (b"isom" if brand != b"qt  " else b"")
    ftyp = box(b"ftyp", brand + bytes(4) + compatible)
    return ftyp + box(b"wide") + (moov + mdat if moov_first else mdat + moov)
