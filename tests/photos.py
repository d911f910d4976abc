"""Photos as a phone or an editor saves them, with or without where they were taken (Exif GPS)."""

from __future__ import annotations

import io
import random
import struct

# Where the photo was taken, as a phone writes it: 43°15'7.5"N 76°57'3.2"E.
GPS = {1: "N", 2: (43.0, 15.0, 7.5), 3: "E", 4: (76.0, 57.0, 3.2)}


def exif(gps: bool) -> bytes:
    """An Exif block (a TIFF structure): the camera's maker, and the GPS coordinates if asked."""
    from PIL import Image

    block = Image.Exif()
    block[0x010F] = "Apple"  # the camera's maker: metadata that says nothing of a place
    if gps:
        block[0x8825] = GPS
    return block.tobytes()


def noise(size: int, seed: int = 7) -> bytes:
    """Bytes that do not compress, as a photo's pixels do not."""
    return random.Random(seed).randbytes(size)  # noqa: S311 (test data, not a secret)


def bloated_xmp(ancestors: int = 8000) -> str:
    """An XMP packet as an editor grows it: every document pasted in once is listed as an
    ancestor (hundreds of kilobytes in files edited many times)."""
    items = "".join(f"<rdf:li>xmp.did:{n:032x}</rdf:li>" for n in range(ancestors))
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description>'
        f"<photoshop:DocumentAncestors><rdf:Bag>{items}</rdf:Bag></photoshop:DocumentAncestors>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )


def xmp_with_place(as_elements: bool = False) -> str:
    """An XMP packet with where the photo was taken (``exif:GPSLatitude``...), as an editor
    writes it (attributes) or another (elements): what is left when a tool strips the Exif
    block alone."""
    if as_elements:
        place = (
            "<rdf:Description><exif:GPSLatitude>43,15.125N</exif:GPSLatitude>"
            "<exif:GPSLongitude>76,57.0533E</exif:GPSLongitude></rdf:Description>"
        )
    else:
        place = '<rdf:Description exif:GPSLatitude="43,15.125N" exif:GPSLongitude="76,57.0533E"/>'
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:exif="http://ns.adobe.com/exif/1.0/">'
        f"{place}</rdf:RDF></x:xmpmeta>"
    )


def photo(
    gps: bool, kind: str = "JPEG", size: tuple[int, int] = (8, 8), xmp: str | None = None
) -> bytes:
    """A picture in ``kind`` (a Pillow format name) carrying an Exif block; larger than 8x8,
    its pixels are noise (a file of about width x height x 3 bytes); with ``xmp``, that packet
    too (for PNG an iTXt chunk, which comes before the Exif chunk; for WebP an XMP chunk, which
    comes after it)."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    width, height = size
    picture = Image.frombytes("RGB", size, noise(width * height * 3))
    options: dict = {"exif": exif(gps)}
    if xmp is not None and kind == "PNG":
        options["pnginfo"] = PngInfo()
        options["pnginfo"].add_itxt("XML:com.adobe.xmp", xmp)
    elif xmp is not None:
        options["xmp"] = xmp.encode()
    out = io.BytesIO()
    picture.save(out, kind, **options)
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def heic(gps: bool, before: int = 600_000, after: int = 600_000) -> bytes:
    """The layout of a HEIC photo from a phone: its boxes, then the data of its items one after
    another (the picture, its Exif item, an auxiliary image such as a depth map or an HDR gain
    map). Nothing but the layout: the checks read the Exif item, never the picture."""
    item = struct.pack(">I", 6) + b"Exif\x00\x00" + exif(gps)  # the offset of the TIFF header
    return (
        _box(b"ftyp", b"heic" + b"\x00\x00\x00\x00" + b"mif1heic")
        + _box(b"meta", b"\x00" * 64)
        + _box(b"mdat", noise(before, 1) + item + noise(after, 2))
    )


def tiff_directory_last(gps: bool, pixels: int = 600_000) -> bytes:
    """A TIFF as libtiff writes it: the header, the pixels, and only then its directories (the
    GPS directory, then the first one pointing at it): every offset counts from the file's
    start."""
    pixel_data = noise(pixels, 3)
    gps_at = 8 + len(pixel_data)
    gps_ifd = b""
    if gps:
        # Latitude and longitude as three rationals each, kept after the directory.
        values_at = gps_at + 2 + 12 * 4 + 4
        gps_ifd = struct.pack("<H", 4)
        gps_ifd += struct.pack("<HHI4s", 1, 2, 2, b"N\x00\x00\x00")
        gps_ifd += struct.pack("<HHII", 2, 5, 3, values_at)
        gps_ifd += struct.pack("<HHI4s", 3, 2, 2, b"E\x00\x00\x00")
        gps_ifd += struct.pack("<HHII", 4, 5, 3, values_at + 24)
        gps_ifd += struct.pack("<I", 0)
        gps_ifd += struct.pack("<6I", 43, 1, 15, 1, 75, 10) + struct.pack(
            "<6I", 76, 1, 57, 1, 32, 10
        )
    first_at = gps_at + len(gps_ifd)
    entries = [
        (0x0100, 4, 1, 400),  # width
        (0x0101, 4, 1, 500),  # height
        (0x0102, 3, 1, 8),  # bits per sample
        (0x0106, 3, 1, 1),  # black is zero
        (0x0111, 4, 1, 8),  # the pixels' offset
        (0x0117, 4, 1, len(pixel_data)),  # their length
    ]
    if gps:
        entries.append((0x8825, 4, 1, gps_at))
    first = struct.pack("<H", len(entries))
    first += b"".join(struct.pack("<HHII", *entry) for entry in entries)
    first += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", first_at) + pixel_data + gps_ifd + first


def raw_profile(block: bytes, name: str = "exif") -> str:
    """A profile as ImageMagick writes it in a PNG's text: a blank line, its name, its length,
    then its bytes in hex digits, 72 to a line."""
    digits = block.hex()
    lines = "\n".join(digits[at : at + 72] for at in range(0, len(digits), 72))
    return f"\n{name}\n{len(block):8d}\n{lines}\n"


def png_with_raw_profile(gps: bool, chunk: str = "zTXt", name: str = "exif") -> bytes:
    """A PNG converted by ImageMagick from a phone's photo: no eXIf chunk, the photo's Exif
    block (after its "Exif" mark, as in a JPEG) as a raw profile in a ``chunk`` text chunk."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    block = b"Exif\x00\x00" + exif(gps)
    text = raw_profile(block if name != "xmp" else xmp_with_place().encode(), name)
    info = PngInfo()
    info.add_text("Software", "ImageMagick 7.1.1-21")
    keyword = f"Raw profile type {name}"
    if chunk == "iTXt":
        info.add_itxt(keyword, text, zip=True)
    else:
        info.add_text(keyword, text, zip=chunk == "zTXt")
    out = io.BytesIO()
    Image.frombytes("RGB", (300, 300), noise(300 * 300 * 3)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _directory(entries: list[tuple[int, int, int, int]], following: int = 0) -> bytes:
    """A TIFF directory (little-endian): its entries, then where the next one lies."""
    packed = b"".join(struct.pack("<HHII", *entry) for entry in entries)
    return struct.pack("<H", len(entries)) + packed + struct.pack("<I", following)


def two_page_tiff(gps: bool, gps_last: bool = False, pixels: int = 600_000) -> bytes:
    """A two-page TIFF as libtiff writes it (a scan of a two-page document, a drone's map with
    its overview): the first page's pixels, its directory, the second page's pixels, its
    directory. The first page's GPS directory comes just before its own directory, or with
    ``gps_last`` after the second page: either way far from both ends of the file."""
    first_pixels, second_pixels = noise(pixels, 3), noise(pixels, 4)
    # A latitude and a longitude (their values not written: the checks look for the tags alone).
    gps_ifd = _directory([(2, 5, 3, 0), (4, 5, 3, 0)])
    page = [(0x0100, 4, 1, 400), (0x0101, 4, 1, 500), (0x0102, 3, 1, 8), (0x0106, 3, 1, 1)]
    before = b"" if gps_last or not gps else gps_ifd
    first_at = 8 + len(first_pixels) + len(before)
    first_len = len(_directory([*page, (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0)]))
    second_pixels_at = first_at + (first_len if gps else first_len - 12)
    second_at = second_pixels_at + len(second_pixels)
    second = _directory([*page, (0x0111, 4, 1, second_pixels_at), (0x0117, 4, 1, pixels)])
    gps_at = second_at + len(second) if gps_last else 8 + len(first_pixels)
    entries = [*page, (0x0111, 4, 1, 8), (0x0117, 4, 1, pixels)]
    if gps:
        entries.append((0x8825, 4, 1, gps_at))
    first = _directory(entries, following=second_at)
    after = gps_ifd if gps_last and gps else b""
    return (
        b"II*\x00"
        + struct.pack("<I", first_at)
        + first_pixels
        + before
        + first
        + second_pixels
        + second
        + after
    )
