"""Photos as a phone or an editor saves them, with or without where they were taken (Exif GPS)."""

from __future__ import annotations

import io

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


def photo(gps: bool, kind: str = "JPEG", size: tuple[int, int] = (8, 8)) -> bytes:
    """A small picture in ``kind`` (a Pillow format name) carrying an Exif block."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size).save(out, kind, exif=exif(gps))
    return out.getvalue()
