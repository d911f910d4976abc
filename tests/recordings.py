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


def _metadata_track(kind: bytes) -> bytes:
    """A timed metadata track whose samples lie in the media data: a GoPro's GPS track
    (``gpmd``) or Google's camera motion metadata (``camm``), which may hold GPS fixes."""
    handler = box(b"hdlr", bytes(8) + b"meta" + bytes(12) + b"GoPro MET\x00")
    entry = box(kind, bytes(6) + struct.pack(">H", 1) + bytes(8))
    stsd = box(b"stsd", struct.pack(">II", 0, 1) + entry)
    stbl = box(b"stbl", stsd + box(b"stts", bytes(8)) + box(b"stco", noise(20_000, 6)))
    minf = box(b"minf", box(b"nmhd", bytes(4)) + stbl)
    return box(
        b"trak", box(b"tkhd", bytes(84)) + box(b"mdia", box(b"mdhd", bytes(24)) + handler + minf)
    )


def _compressed_movie() -> bytes:
    """A movie box packed whole in ``cmov`` (QuickTime's compressed movie): its boxes, and any
    place among them, cannot be read without inflating it."""
    import zlib

    inner = box(b"moov", box(b"mvhd", bytes(100)) + box(b"udta", _xyz(PLACE)))
    packed = zlib.compress(inner)
    return box(
        b"cmov",
        box(b"dcom", b"zlib") + box(b"cmvd", struct.pack(">I", len(inner)) + packed),
    )


def video(
    place: str | None = "android",
    *,
    track: bytes | None = None,
    compressed: bool = False,
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
    the major one and ``isom``, which a QuickTime file does not list). ``track``: a timed
    metadata track of that sample type too (``gpmd``, ``camm``); ``compressed``: the movie box
    holds nothing but a compressed movie (``cmov``)."""
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
    tracks = _track() + (_metadata_track(track) if track is not None else b"")
    moov = box(b"moov", box(b"mvhd", bytes(100)) + tracks + meta + udta + _track())
    if compressed:
        moov = box(b"moov", _compressed_movie())
    mdat = box(b"mdat", noise(media, 4), large=large_media)
    if compatible is None:
        compatible = brand + (b"isom" if brand != b"qt  " else b"")
    ftyp = box(b"ftyp", brand + bytes(4) + compatible)
    return ftyp + box(b"wide") + (moov + mdat if moov_first else mdat + moov)


# --- sound recordings of other kinds: MP3 (ID3 tags), WAV (RIFF chunks), Ogg (Vorbis comments) --

# Where it was recorded, as a recorder or a tag editor writes it in text: 43.2567 N, 76.9286 E.
TEXT_PLACE = "43.2567, 76.9286"


def _syncsafe(n: int) -> bytes:
    return bytes(((n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F))


def _id3_frame(kind: bytes, payload: bytes) -> bytes:
    """An ID3v2.3 frame: its name, its size, no flags, its payload."""
    return kind + struct.pack(">IH", len(payload), 0) + payload


def _id3_text(kind: bytes, text: str) -> bytes:
    return _id3_frame(kind, b"\x01" + text.encode("utf-16"))  # UTF-16 with its byte order mark


def mp3(place: str | None = "txxx", *, media: int = 300_000, cover: int = 200_000) -> bytes:
    """An MP3 recording as a phone's recorder app or a tag editor leaves it: an ID3v2.3 tag
    (a title, a cover picture, and its place if any), MPEG frames, then an ID3v1 tag. Its
    place: "txxx" (a user-defined frame named GEO), "comm" (a comment that gives coordinates),
    "v1" (the comment of the old tag at the end of the file), "dms" (a comment in degrees,
    minutes and seconds)."""
    frames = _id3_text(b"TIT2", "Interview 3") + _id3_frame(
        b"APIC", b"\x00image/jpeg\x00\x03\x00" + noise(cover, 8)
    )
    frames += _id3_text(b"TDAT", "1204") + _id3_text(b"TYER", "2026")
    if place == "txxx":
        frames += _id3_frame(b"TXXX", b"\x03GEO\x00" + TEXT_PLACE.encode())
    elif place == "comm":
        frames += _id3_frame(b"COMM", b"\x03eng\x00" + f"Recorded at {TEXT_PLACE}".encode())
    elif place == "dms":
        text = "43°15'24.1\"N 76°55'43.0\"E".encode("utf-16")
        frames += _id3_frame(b"COMM", b"\x01eng" + "".encode("utf-16") + b"\x00\x00" + text)
    elif place is None:
        frames += _id3_frame(b"COMM", b"\x03eng\x00Recorded on 2026-04-12, 14.30")
    tag = b"ID3\x03\x00\x00" + _syncsafe(len(frames) + 64) + frames + bytes(64)  # and padding
    comment = f"{TEXT_PLACE}".encode() if place == "v1" else b"Interview"
    v1 = b"TAG" + b"Interview 3".ljust(30, b"\x00") + bytes(60) + b"2026"
    v1 += comment.ljust(30, b"\x00") + b"\x0c"
    return tag + b"\xff\xfb\x90\x64" + noise(media, 9) + v1


def _riff_chunk(kind: bytes, payload: bytes) -> bytes:
    pad = b"\x00" if len(payload) % 2 else b""
    return kind + struct.pack("<I", len(payload)) + payload + pad


def wav(place: str | None = "info", *, media: int = 300_000) -> bytes:
    """A WAV recording as a field recorder writes it: its format, its samples, then a LIST
    chunk of INFO texts (a name, a comment: where, if ``place`` is "info") after them."""
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
    comment = f"GPS {TEXT_PLACE}" if place == "info" else "Witness statement, part 2"
    info = b"INFO" + _riff_chunk(b"INAM", b"Statement\x00")
    info += _riff_chunk(b"ICMT", comment.encode() + b"\x00")
    body = (
        b"WAVE"
        + _riff_chunk(b"fmt ", fmt)
        + _riff_chunk(b"data", noise(media, 10) + b"\x01")  # an odd size: padded
        + _riff_chunk(b"LIST", info)
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _ogg_page(payload: bytes, sequence: int, first: bool = False, serial: int = 0x1234) -> bytes:
    """An Ogg page (its checksum left at zero: the checks do not verify it)."""
    lacing = [255] * (len(payload) // 255) + [len(payload) % 255]
    header = b"OggS" + struct.pack(
        "<BBqIIIB", 0, 2 if first else 0, 0, serial, sequence, 0, len(lacing)
    )
    return header + bytes(lacing) + payload


def ogg(place: str | None = "location", *, opus: bool = False, media: int = 300_000) -> bytes:
    """An Ogg recording (Vorbis, or Opus as messaging apps send voice notes): its header page,
    its comments (a title, and ``LOCATION=`` coordinates if ``place``), then its audio pages."""
    comments = [b"TITLE=Voice message"]
    if place == "location":
        comments.append(f"LOCATION={TEXT_PLACE}".encode())
    elif place == "iso6709":
        comments.append(b"COMMENT=" + PLACE)
    vendor = b"Lavf60.3.100"
    packed = struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(comments))
    packed += b"".join(struct.pack("<I", len(c)) + c for c in comments)
    if opus:
        head = b"OpusHead" + bytes([1, 1]) + bytes(17)
        tags = b"OpusTags" + packed
    else:
        head = b"\x01vorbis" + bytes(23)
        tags = b"\x03vorbis" + packed + b"\x01"
    pages = _ogg_page(head, 0, first=True) + _ogg_page(tags, 1)
    audio = noise(media, 11)
    for n, at in enumerate(range(0, len(audio), 4000), 2):
        pages += _ogg_page(audio[at : at + 4000], n)
    return pages
