"""Uploads are checked whole: text to its last byte, PDFs for JavaScript and launch actions."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from sqlalchemy import func, select

from casework.core.db import db
from casework.core.errors import ValidationFailed
from casework.core.vocab import Role
from casework.evidence.checks import (
    ContentCheck,
    PhotoLocation,
    pdf_active_content,
    text_records_place,
)
from casework.evidence.models import Document
from tests.case_helpers import intake
from tests.factories import log_in
from tests.photos import (
    bloated_xmp,
    heic,
    photo,
    png_with_raw_profile,
    raw_profile,
    tiff_directory_last,
    two_page_tiff,
    xmp_with_place,
)
from tests.recordings import PLACE, box, mp3, ogg, video, wav

TEXT_PAD = "Показания свидетеля, записанные в Алматы.\n".encode() * 400  # ~30 KB of clean text


def _pdf(*objects: bytes) -> bytes:
    body = b"".join(b"%d 0 obj\n%s\nendobj\n" % (i + 1, obj) for i, obj in enumerate(objects))
    return b"%PDF-1.7\n" + body + b"trailer << /Root 1 0 R >>\n%%EOF\n"


def _stream(data: bytes, *, compress: bool = True) -> bytes:
    payload = zlib.compress(data) if compress else data
    flate = b" /Filter /FlateDecode" if compress else b""
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(payload), flate, payload)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"
CLEAN_PDF = _pdf(CATALOG, PAGES, _stream(b"BT /F1 12 Tf (Court decision) Tj ET"))
ACTIVE_PDFS = {
    "open action with JavaScript": _pdf(
        b"<< /Type /Catalog /OpenAction 3 0 R >>",
        PAGES,
        b"<< /S /JavaScript /JS (app.alert(1)) >>",
    ),
    "escaped name": _pdf(b"<< /Type /Catalog /OpenAction << /S /J#61vaScript /J#53 (x) >> >>"),
    "launch action": _pdf(
        b"<< /Type /Catalog /AA << /O << /S /Launch /F (cmd.exe) >> >> >>", PAGES
    ),
    "JavaScript in a compressed object stream": _pdf(
        CATALOG,
        PAGES,
        b"<< /Type /ObjStm /N 1 /First 4" + _stream(b"5 0 << /S /JavaScript /JS (x) >>")[2:],
    ),
    "JavaScript name tree": _pdf(
        b"<< /Type /Catalog /Names << /JavaScript 3 0 R >> >>", PAGES, b"<< /Names [] >>"
    ),
}


def _check(content: bytes, extension: str, chunk: int = 1024 * 1024) -> str:
    check = ContentCheck(extension)
    for start in range(0, len(content), chunk):
        check.feed(content[start : start + chunk])
    return check.finish()


@pytest.mark.parametrize("name", sorted(ACTIVE_PDFS))
def test_pdfs_with_active_content_are_refused(name):
    with pytest.raises(ValidationFailed, match="JavaScript or an action that launches"):
        _check(ACTIVE_PDFS[name], ".pdf")


def test_clean_pdfs_pass_and_similar_names_are_not_mistaken():
    assert _check(CLEAN_PDF, ".pdf") == "application/pdf"
    lookalikes = _pdf(CATALOG, PAGES, b"<< /JSON 1 /JavaScriptless 2 /Launcher 3 >>")
    assert _check(lookalikes, ".pdf", chunk=7) == "application/pdf"
    assert pdf_active_content(lookalikes) is None


def test_a_compression_bomb_in_a_pdf_is_inflated_only_up_to_a_bound(monkeypatch):
    from casework.evidence import checks

    monkeypatch.setattr(checks, "PDF_INFLATE_PER_STREAM", 1024)
    bomb = _pdf(CATALOG, PAGES, _stream(b"\x00" * 50_000_000))
    assert len(bomb) < 100_000
    assert _check(bomb, ".pdf") == "application/pdf"


@pytest.mark.parametrize(
    "late",
    [
        b"\x00\x01\x02binary",
        b"<script>alert(1)</script>",
        b"<SVG onload=alert(1)>",
        b"\xff\xfe\x98 not text in any accepted encoding \x98",
    ],
)
def test_text_is_checked_to_its_last_byte(late):
    content = TEXT_PAD + late + b"\n"
    assert len(TEXT_PAD) > 8192
    for chunk in (1024 * 1024, 4096, 5):  # a marker cut across two chunks is still found
        with pytest.raises(ValidationFailed, match="not plain text throughout"):
            _check(content, ".txt", chunk=chunk)


def test_clean_text_in_utf8_or_windows_1251_passes():
    assert _check(TEXT_PAD, ".txt", chunk=3) == "text/plain"  # characters cut across chunks
    cyrillic_1251 = "Показания свидетеля\n".encode("cp1251") * 1000
    assert _check(cyrillic_1251, ".txt") == "text/plain"


def test_upload_of_active_pdf_is_refused_with_a_clear_message(app, make_user):
    client = log_in(app.test_client(), make_user(Role.MONITOR))
    case = intake(client)

    def upload(content: bytes, name: str):
        return client.post(
            f"/cases/{case.public_id}/documents/new",
            data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )

    refused = upload(ACTIVE_PDFS["open action with JavaScript"], "decision.pdf")
    assert refused.status_code == 422
    assert "Print it to a new PDF" in refused.get_data(as_text=True)
    late_markup = upload(TEXT_PAD + b"<html><body>x</body></html>", "notes.txt")
    assert late_markup.status_code == 422
    assert db.session.scalar(select(func.count(Document.id))) == 0
    assert upload(CLEAN_PDF, "decision.pdf").status_code == 302
    assert db.session.scalar(select(func.count(Document.id))) == 1


@pytest.mark.parametrize("chunk", [1024 * 1024, 4096, 5])
def test_a_photos_location_is_found_however_the_upload_is_cut(chunk):
    """An Exif header or block cut across chunks, at the start of a file or deep inside it."""

    def located(content: bytes, mime: str) -> bool:
        check = PhotoLocation()
        for start in range(0, len(content), chunk):
            check.feed(content[start : start + chunk])
        return check.found(mime)

    assert located(photo(gps=True), "image/jpeg")
    assert not located(photo(gps=False), "image/jpeg")
    for before in (300_000, 524_287, 786_430):  # around where what is read is let go
        assert located(heic(gps=True, before=before), "image/heic"), before
        assert not located(heic(gps=False, before=before), "image/heic"), before
    # A TIFF file: its directories before its pixels (Pillow), or after them (libtiff).
    assert located(photo(gps=True, kind="TIFF"), "image/tiff")
    assert not located(photo(gps=False, kind="TIFF"), "image/tiff")
    assert located(tiff_directory_last(gps=True), "image/tiff")
    assert not located(tiff_directory_last(gps=False), "image/tiff")
    # A two-page TIFF: the first page's directories far from both ends of the file.
    for gps_last in (False, True):
        assert located(two_page_tiff(True, gps_last), "image/tiff"), gps_last
        assert not located(two_page_tiff(False, gps_last), "image/tiff"), gps_last
    # Coordinates in an XMP packet, the Exif block stripped (its name cut across chunks too).
    assert located(photo(gps=False, xmp=xmp_with_place()), "image/jpeg")
    assert located(photo(gps=False, kind="PNG", xmp=xmp_with_place(True)), "image/png")
    assert not located(photo(gps=False, kind="PNG", xmp=bloated_xmp(50)), "image/png")
    assert not located(heic(gps=True), "video/mp4")  # only an image is said to record a place


def _located(content: bytes, mime: str, chunk: int = 1024 * 1024) -> bool:
    check = PhotoLocation()
    for start in range(0, len(content), chunk):
        check.feed(content[start : start + chunk])
    return check.found(mime)


@pytest.mark.parametrize("chunk", [1024 * 1024, 4096, 5])
def test_a_videos_place_is_found_in_its_movie_box_however_the_upload_is_cut(chunk):
    """Where a phone writes it (Android's ©xyz, an iPhone's QuickTime metadata, 3GPP's loci, an
    editor's tag), the movie box before the media data or after it."""
    for place in ("android", "iphone", "3gpp", "tagged"):
        assert _located(video(place), "video/mp4", chunk), place
        assert _located(video(place, moov_first=True), "video/mp4", chunk), place
    # An iPhone's QuickTime file, its media data's size written in 64 bits.
    assert _located(video("iphone", brand=b"qt  ", large_media=True), "video/mp4", chunk)
    # Zero coordinates are coordinates, as in a photo; an empty place is none.
    assert _located(video("android", location=b"+00.0000+000.0000/"), "video/mp4", chunk)
    assert not _located(video("android", location=b""), "video/mp4", chunk)
    assert not _located(video("iphone", location=b""), "video/mp4", chunk)
    assert not _located(video(None), "video/mp4", chunk)
    assert not _located(video(None, moov_first=True), "video/mp4", chunk)
    # An editor's XMP packet that says where (exif:GPSLatitude), as in a photo.
    assert _located(video(None, xmp=xmp_with_place()), "video/mp4", chunk)
    assert not _located(video(None, xmp=bloated_xmp(50)), "video/mp4", chunk)
    # A sound recording in the same boxes (M4A).
    assert _located(video("tagged", brand=b"M4A "), "audio/mp4", chunk)
    assert not _located(video(None, brand=b"M4A "), "audio/mp4", chunk)


def test_a_cut_or_malformed_video_is_read_without_error_and_said_to_record_no_place():
    """An upload cut anywhere, or a box whose size is wrong (too small, past its parent, to the
    end of the file), never stops the upload: nothing is found where nothing can be read."""
    whole = video("iphone", media=2000)
    moov, place = whole.index(b"moov") - 4, whole.index(PLACE)
    for cut in [*range(0, len(whole), 37), *range(place - 64, place + 64)]:
        if cut <= place + 2 or cut >= place + len(PLACE):
            assert _located(whole[:cut], "video/mp4", 4096) == (cut >= place + len(PLACE)), cut
    for size in (0, 1, 2, 7, 8, 9, 0xFFFFFFFF):
        broken = whole[:moov] + struct.pack(">I", size) + whole[moov + 4 :]
        for chunk in (7, 4096):
            assert _located(broken, "video/mp4", chunk) in (True, False)
    # Media data said to run far past the end of the upload: the movie box is never reached.
    claimed = box(b"ftyp", b"mp42" + bytes(4) + b"isom") + struct.pack(">I4sQ", 1, b"mdat", 1 << 40)
    assert not _located(claimed + video("android"), "video/mp4")


@pytest.mark.parametrize("chunk", [1024 * 1024, 4096, 5])
def test_a_pngs_raw_profile_is_read_for_a_place_however_the_upload_is_cut(chunk):
    """ImageMagick keeps the photo's Exif block (or XMP packet) as hex digits in a text chunk,
    compressed or not: it is decoded and read as the block itself would be."""
    for kind in ("tEXt", "zTXt", "iTXt"):
        for name in ("exif", "APP1"):
            assert _located(png_with_raw_profile(True, kind, name), "image/png", chunk)
            assert not _located(png_with_raw_profile(False, kind, name), "image/png", chunk)
        assert _located(png_with_raw_profile(True, kind, "xmp"), "image/png", chunk)


def _png(*chunks: tuple[bytes, bytes]) -> bytes:
    """A PNG's signature and ``chunks`` (their CRCs left at zero: nothing here checks them)."""
    body = b"".join(struct.pack(">I", len(data)) + kind + data + bytes(4) for kind, data in chunks)
    return b"\x89PNG\r\n\x1a\n" + body


def test_a_malformed_or_inflating_raw_profile_is_read_without_error():
    """A text chunk cut short, hex digits that are not, a chunk said longer than the file, or a
    compressed profile that would inflate to 50 MB: read within bounds, no error, no place."""
    keyword = b"Raw profile type exif\x00"
    whole = png_with_raw_profile(True, "zTXt")
    text = raw_profile(b"Exif\x00\x00" + b"\x00" * 50_000_000).encode()
    for content in (
        whole[: whole.index(b"zTXtRaw") + 40],
        _png((b"tEXt", keyword + b"\nexif\n  40\nzz-not-hex\n")),
        _png((b"tEXt", keyword + b"\nexif")),
        _png((b"zTXt", keyword + b"\x00" + b"\x78\x9c garbage")),
        _png((b"iTXt", keyword + b"\x01\x00")),
        _png((b"zTXt", keyword + b"\x00" + zlib.compress(text, 9))),
        _png((b"tEXt", keyword))[:-4] + struct.pack(">I", 0xFFFFFFFF) + b"tEXt" + keyword,
    ):
        for chunk in (7, 4096):
            assert not _located(content, "image/png", chunk)


@pytest.mark.parametrize("chunk", [1024 * 1024, 4096, 5])
def test_a_sound_recordings_place_is_found_in_its_tags_however_the_upload_is_cut(chunk):
    """An MP3's ID3 tags (a GEO frame, a comment, the old tag at the end), a WAV's INFO texts
    after its samples, an Ogg file's Vorbis or Opus comments: coordinates there are a place.
    Dates, times and numbers that are not coordinates are not."""
    for place in ("txxx", "comm", "dms", "v1"):
        assert _located(mp3(place), "audio/mpeg", chunk), place
    assert not _located(mp3(None), "audio/mpeg", chunk)
    assert _located(wav("info"), "audio/x-wav", chunk)
    assert not _located(wav(None), "audio/x-wav", chunk)
    for opus in (False, True):
        assert _located(ogg("location", opus=opus), "audio/ogg", chunk), opus
        assert _located(ogg("iso6709", opus=opus), "audio/ogg", chunk), opus
        assert not _located(ogg(None, opus=opus), "audio/ogg", chunk), opus


def test_a_cut_or_malformed_sound_recording_is_read_without_error():
    """A recording cut anywhere, or whose sizes are wrong, never stops the upload."""
    for whole in (mp3("txxx", media=2000, cover=100), wav("info", media=2000), ogg(media=2000)):
        for cut in range(0, len(whole), 13):
            assert _located(whole[:cut], "audio/mpeg", 4096) in (True, False)
        for at in range(4, 200, 3):
            broken = whole[:at] + b"\xff\xff\xff\xff" + whole[at + 4 :]
            assert _located(broken, "audio/ogg", 7) in (True, False)


def test_coordinates_in_a_recordings_text_are_told_from_dates_times_and_numbers():
    places = [
        ("COMM", "Recorded at 43.2567, 76.9286"),
        ("ICMT", "+43.2567+076.9286/"),
        ("COMM", "43°15'24.1\"N 76°55'43.0\"E"),
        ("TXXX GEO", "43,2567 76,9286"),
        ("LOCATION", "43.2567"),
    ]
    others = [
        ("COMM", "Recorded on 2026-04-12 at 14.30, room 12-104"),
        ("COMM", "ISBN 978-5-17-118366-6; call +7 701 123 4567"),
        ("TDRC", "2026-04-12T14:30:00"),
        ("TIT2", "Interview 3, version 1.2.345"),
        ("TXXX George", "12"),
        ("LOCATION", "Almaty"),
    ]
    assert all(text_records_place(name, value) for name, value in places)
    assert not any(text_records_place(name, value) for name, value in others)


@pytest.mark.parametrize("chunk", [1024 * 1024, 4096, 5])
def test_a_gps_track_or_a_compressed_movie_box_means_a_place_cannot_be_ruled_out(chunk):
    """A GoPro's GPS track (gpmd) or camera motion metadata (camm) keeps its fixes among the
    media data, a compressed movie box (cmov) hides every box: the check reads neither, so it
    says it cannot rule a place out, never that there is none."""

    def read(content: bytes) -> tuple[bool, bool]:
        check = PhotoLocation()
        for start in range(0, len(content), chunk):
            check.feed(content[start : start + chunk])
        return check.found("video/mp4"), check.unsure("video/mp4")

    for track in (b"gpmd", b"camm"):
        assert read(video(None, track=track)) == (False, True), track
        assert read(video(None, track=track, moov_first=True)) == (False, True), track
        assert read(video("android", track=track)) == (True, False), track
    assert read(video(None, compressed=True)) == (False, True)
    assert read(video(None)) == (False, False)
    assert read(video(None, track=b"mp4a")) == (False, False)  # a sound track: nothing hidden
