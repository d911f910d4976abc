"""Uploads: content-checked type allow-list, size limit, SHA-256, private storage, safe download."""

from __future__ import annotations

import hashlib
import io
import os
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from casework.core.db import db
from casework.core.vocab import Role, TeamRole
from casework.evidence.models import Document
from tests.api_clients import api_for
from tests.case_helpers import intake, page
from tests.clients import client_for
from tests.factories import log_in, make_case, make_user
from tests.photos import (
    bloated_xmp,
    heic,
    photo,
    png_with_raw_profile,
    tiff_directory_last,
    two_page_tiff,
    xmp_with_place,
)
from tests.recordings import mp3, ogg, video, wav

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64


def _client(app, user):
    c = app.test_client()
    log_in(c, user)
    return c


@pytest.fixture
def monitor_case(app, make_user):
    monitor = make_user(Role.MONITOR)
    client = _client(app, monitor)
    return client, intake(client)


def _upload(client, case, content: bytes, name: str):
    # Encoded here, in memory: the test client spools a large body to a file it leaves open.
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(content), name), "description": "Court decision"}
    )
    return client.post(
        f"/cases/{case.public_id}/documents/new",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _stored_files(app) -> list[str]:
    folder = app.config["UPLOAD_DIR"]
    return list(os.listdir(folder)) if os.path.isdir(folder) else []


def _count() -> int:
    return db.session.scalar(select(func.count(Document.id)))


def test_pdf_is_stored_hashed_and_downloadable_as_attachment(app, monitor_case):
    client, case = monitor_case
    before = set(_stored_files(app))
    response = _upload(client, case, PDF, "решение суда.pdf")
    assert response.status_code == 302
    document = db.session.scalar(select(Document))
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.size == len(PDF)
    assert document.storage_name != "решение суда.pdf" and "." not in document.storage_name
    assert set(_stored_files(app)) - before == {document.storage_name}
    assert "static" not in app.config["UPLOAD_DIR"]
    html = page(client, f"/cases/{case.public_id}")
    assert document.sha256 in html
    download = client.get(f"/cases/{case.public_id}/documents/{document.public_id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.data == PDF
    download.close()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "report.pdf", "not an accepted type"),
        (
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100,
            "scan.pdf",
            "not an accepted type",
        ),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "photo.jpg", "not an accepted type"),
        (b"<!DOCTYPE html><html></html>", "notes.txt", "not plain text throughout"),
        (PNG, "scan.pdf", "its name ends in"),
        (PDF, "evil.html", "are not accepted"),
        (PDF, "noextension", "are not accepted"),
        (b"", "empty.pdf", "The file is empty"),
    ],
)
def test_disguised_and_empty_files_are_refused_and_nothing_is_stored(
    app, monitor_case, content, name, message
):
    client, case = monitor_case
    before = set(_stored_files(app))
    response = _upload(client, case, content, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count() == 0
    assert set(_stored_files(app)) == before


def test_oversize_file_is_refused(app, monitor_case):
    client, case = monitor_case
    before = set(_stored_files(app))
    old = app.config["MAX_UPLOAD_BYTES"]
    app.config["MAX_UPLOAD_BYTES"] = 1024
    try:
        response = _upload(client, case, PDF + b"0" * 2048, "big.pdf")
    finally:
        app.config["MAX_UPLOAD_BYTES"] = old
    assert response.status_code == 422
    assert "larger than the limit" in response.get_data(as_text=True)
    assert _count() == 0
    assert set(_stored_files(app)) == before


def test_request_over_the_content_length_is_a_clean_413(app, monitor_case):
    client, case = monitor_case
    old = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 512
    try:
        response = _upload(client, case, PDF + b"0" * 4096, "big.pdf")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = old
    # Back to the upload form (a GET of the same address), the message flashed above it.
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/cases/{case.public_id}/documents/new")
    assert "too large" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_plain_text_and_images_are_accepted(app, monitor_case):
    client, case = monitor_case
    assert (
        _upload(client, case, "Показания свидетеля\n".encode(), "testimony.txt").status_code == 302
    )
    assert _upload(client, case, PNG, "photo.png").status_code == 302
    assert _count() == 2


def test_download_is_refused_to_users_who_may_not_see_the_case(app, monitor_case, make_user):
    client, case = monitor_case
    _upload(client, case, PDF, "a.pdf")
    document = db.session.scalar(select(Document))
    url = f"/cases/{case.public_id}/documents/{document.public_id}"
    outsider = _client(app, make_user(Role.MONITOR))
    assert outsider.get(url).status_code == 404
    # A coordinator off the team of a restricted case may not download either.
    coordinator = make_user(Role.COORDINATOR)
    from casework.cases import services

    services.set_restricted(coordinator, case, True)
    db.session.commit()
    assert _client(app, coordinator).get(url).status_code == 403
    # Uploading is refused to outsiders as well.
    assert _upload(outsider, case, PDF, "b.pdf").status_code == 404


def _zip(entries: list[tuple[str, str]]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries:
            archive.writestr(name, text)
    return buffer.getvalue()


def test_office_documents_are_recognised_by_content(app, monitor_case):
    client, case = monitor_case
    docx = _zip(
        [
            ("[Content_Types].xml", "<Types/>"),
            ("_rels/.rels", "<x/>"),
            ("word/document.xml", "<w/>"),
        ]
    )
    assert _upload(client, case, docx, "appeal.docx").status_code == 302
    # The same archive named as a spreadsheet is refused.
    assert _upload(client, case, docx, "appeal.xlsx").status_code == 422
    # A zip that is not an office document is refused whatever its name.
    plain_zip = _zip([("payload.exe", "MZ")])
    assert _upload(client, case, plain_zip, "appeal.docx").status_code == 422
    assert _count() == 1


def test_a_phone_photo_that_records_where_it_was_taken_is_flagged(app, monitor_case):
    """A photo from a phone may carry GPS coordinates (where a person hides, a detention
    site): the monitor is told at once, the original is kept unchanged as evidence."""
    client, case = monitor_case
    located = photo(gps=True)
    response = _upload(client, case, located, "IMG_0412.jpg")
    assert response.status_code == 302
    html = page(client, response.headers["Location"])
    assert "records where it was taken" in html
    document = db.session.scalar(select(Document))
    assert document.sha256 == hashlib.sha256(located).hexdigest()  # evidence kept as it came

    response = _upload(client, case, photo(gps=False), "IMG_0413.jpg")
    assert "records where it was taken" not in page(client, response.headers["Location"])
    assert _count() == 2


BADGE = re.compile(
    r'<span class="badge badge-warning" title="([^"]+)">Location data in file</span>'
)


def test_a_document_whose_file_records_where_it_was_taken_is_marked_on_the_case(app):
    """The warning at upload is seen once, by the uploader: the document stays marked on the
    case's page for everyone of its team, and in the API, without the coordinates."""
    monitor = make_user(Role.MONITOR)
    lawyer = make_user(Role.LAWYER)
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),))
    client = client_for(app, monitor)
    assert _upload(client, case, photo(gps=True), "IMG_0412.jpg").status_code == 302
    assert _upload(client, case, photo(gps=False), "IMG_0413.jpg").status_code == 302
    assert _upload(client, case, PDF, "decision.pdf").status_code == 302
    db.session.expire_all()
    marks = {d.original_name: d.records_location for d in db.session.scalars(select(Document))}
    assert marks == {"IMG_0412.jpg": True, "IMG_0413.jpg": False, "decision.pdf": False}

    html = page(client_for(app, lawyer), f"/cases/{case.public_id}")
    badges = BADGE.findall(html)
    assert len(badges) == 1
    assert "where it was taken" in badges[0] and "cleaned" in badges[0]
    listing = html[html.index('id="documents"') :]
    row = listing[listing.index("IMG_0412.jpg") : listing.index("IMG_0413.jpg")]
    assert "Location data in file" in row
    assert not re.search(r"43|76|GPSLatitude", BADGE.search(html).group(0))

    listed = api_for(app, lawyer).get(f"cases/{case.public_id}/documents").get_json()["items"]
    assert sorted(d["records_location"] for d in listed) == [False, False, True]


def test_a_document_not_checked_for_a_location_is_not_marked(app):
    """A document stored before the check was kept (NULL) is neither flagged nor cleared."""
    monitor = make_user(Role.MONITOR)
    case = make_case(monitor)
    client = client_for(app, monitor)
    assert _upload(client, case, photo(gps=True), "IMG_0412.jpg").status_code == 302
    document = db.session.scalar(select(Document))
    document.records_location = None
    db.session.commit()
    assert "Location data in file" not in page(client, f"/cases/{case.public_id}")
    listed = api_for(app, monitor).get(f"cases/{case.public_id}/documents").get_json()["items"]
    assert listed[0]["records_location"] is None


def test_a_download_is_named_by_reference_never_by_the_name_it_was_uploaded_with(app):
    """A file's name can identify someone ("passport_ivanov.pdf"): it is sealed at rest, shown
    on the case's pages, and never sent in a header (Content-Disposition ends up in download
    lists and in the names of saved files). Every download, from a page or the API, is named by
    the case's reference and the document's id, keeps its extension, and is never cached."""
    from tests.api_clients import api_for
    from tests.clients import client_for
    from tests.world import build_world

    world = build_world()
    cw = world.ordinary
    lawyer = world.on[Role.LAWYER]
    client = client_for(app, lawyer)
    document, action_document = cw.document, cw.action_document
    downloads = {
        "page": client.get(f"/cases/{cw.case.public_id}/documents/{document.public_id}"),
        "action": client.get(
            f"/advocacy/actions/{cw.action.public_id}/documents/{action_document.public_id}"
        ),
        "api": api_for(app, lawyer).get(
            f"cases/{cw.case.public_id}/documents/{document.public_id}/file"
        ),
    }
    for via, response in downloads.items():
        assert response.status_code == 200, via
        response.get_data()
        response.close()
        headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
        assert cw.canaries["document_name"] not in headers, via
        assert cw.canaries["action_document_name"] not in headers, via
        assert response.headers["Cache-Control"] == "no-store", via
    names = {via: response.headers["Content-Disposition"] for via, response in downloads.items()}
    by_case = f"attachment; filename={cw.case.reference}-document-{document.public_id}.txt"
    assert names["page"] == names["api"] == by_case
    assert names["action"] == f"attachment; filename=document-{action_document.public_id}.txt"
    # The pages still show the name it was uploaded with, to those who may read it.
    assert cw.canaries["document_name"] in page(client, f"/cases/{cw.case.public_id}")


@pytest.mark.parametrize("kind, name", [("PNG", "IMG_0412.png"), ("WEBP", "IMG_0412.webp")])
def test_png_and_webp_photos_that_record_where_they_were_taken_are_flagged(
    app, monitor_case, kind, name
):
    """PNG keeps Exif in an eXIf chunk, WebP in an EXIF chunk: both are read."""
    client, case = monitor_case
    response = _upload(client, case, photo(gps=True, kind=kind), name)
    assert response.status_code == 302
    assert "records where it was taken" in page(client, response.headers["Location"])
    response = _upload(client, case, photo(gps=False, kind=kind), name)
    assert response.status_code == 302
    assert "records where it was taken" not in page(client, response.headers["Location"])


# Where a file may keep its Exif block far from both its start and its end.
_EXIF_INSIDE = {
    # An edited PNG: a large XMP packet (an iTXt chunk) before the eXIf chunk, then the pixels.
    "IMG_0412.png": lambda gps: photo(gps, "PNG", (300, 300), bloated_xmp()),
    # A WebP: the pixels, the EXIF chunk, then a large XMP chunk.
    "IMG_0412.webp": lambda gps: photo(gps, "WEBP", (800, 800), bloated_xmp()),
    # A HEIC photo: its Exif item between the picture and an auxiliary image (a depth map).
    "IMG_0412.heic": heic,
    # A TIFF written as libtiff writes it (a drone's or a scanner's): its directories after the
    # pixels, their offsets counted from the start of the file.
    "DJI_0412.tif": tiff_directory_last,
    # A two-page TIFF: the first page's directories between its pixels and the second page's,
    # its GPS directory beside them or after the second page.
    "scan_0412.tif": two_page_tiff,
    "scan_0413.tiff": lambda gps: two_page_tiff(gps, gps_last=True),
}


@pytest.mark.parametrize("name", sorted(_EXIF_INSIDE))
def test_the_location_is_found_wherever_the_file_keeps_its_exif_block(app, monitor_case, name):
    client, case = monitor_case
    response = _upload(client, case, _EXIF_INSIDE[name](True), name)
    assert response.status_code == 302
    assert "records where it was taken" in page(client, response.headers["Location"])
    response = _upload(client, case, _EXIF_INSIDE[name](False), name)
    assert response.status_code == 302
    assert "records where it was taken" not in page(client, response.headers["Location"])


@pytest.mark.parametrize(
    ("kind", "name", "as_elements"),
    [
        ("JPEG", "IMG_0412.jpg", False),
        ("PNG", "IMG_0412.png", True),
        ("WEBP", "IMG_0412.webp", False),
    ],
)
def test_a_photo_whose_xmp_packet_says_where_it_was_taken_is_flagged(
    app, monitor_case, kind, name, as_elements
):
    """A tool that strips the Exif block alone leaves the coordinates an editor also wrote in
    the XMP packet (exif:GPSLatitude): they are found there too."""
    client, case = monitor_case
    located = photo(gps=False, kind=kind, xmp=xmp_with_place(as_elements))
    response = _upload(client, case, located, name)
    assert response.status_code == 302
    assert "records where it was taken" in page(client, response.headers["Location"])


# Phone videos and recordings, each with the name a phone or a person gives it: the kind is
# read from the content (an iPhone's QuickTime file or a 3GP one named .mp4 is taken as MP4).
_RECORDINGS = {
    "VID_20260412.mp4": lambda place: video(place and "android"),
    "IMG_0412.mp4": lambda place: video(place and "iphone", brand=b"qt  ", moov_first=True),
    "VID_0412_3gpp.mp4": lambda place: video(place and "3gpp", brand=b"3gp4"),
    "clip.m4v": lambda place: video(place and "tagged", brand=b"M4V "),
    # Exported by an editor that kept the place in its XMP packet alone.
    "edit_0412.mp4": lambda place: video(None, xmp=xmp_with_place() if place else bloated_xmp(50)),
}


@pytest.mark.parametrize("name", sorted(_RECORDINGS))
def test_a_phone_video_that_records_where_it_was_filmed_is_flagged(app, monitor_case, name):
    """A phone keeps where a video was filmed in its movie box (Android's ©xyz, an iPhone's
    QuickTime metadata), before or after the media data: the monitor is told, in a video's
    words, and the original is kept unchanged."""
    client, case = monitor_case
    located = _RECORDINGS[name](True)
    response = _upload(client, case, located, name)
    assert response.status_code == 302
    html = page(client, response.headers["Location"])
    assert "This video records where it was filmed" in html
    assert "This photo" not in html
    document = db.session.scalar(select(Document).order_by(Document.id.desc()))
    assert document.content_type == "video/mp4"
    assert document.sha256 == hashlib.sha256(located).hexdigest()
    response = _upload(client, case, _RECORDINGS[name](False), name)
    assert response.status_code == 302
    assert "records where it was" not in page(client, response.headers["Location"])


# A video as the phone names it, of a type told by its content alone: an iPhone's QuickTime
# movie, a 3GP file listing no brand but its own (older Android phones), an M4V file.
_PHONE_FILES = {
    "IMG_0412.MOV": (lambda place: video(place, brand=b"qt  "), "video/quicktime", ".mov"),
    "VID_0412.3gp": (
        lambda place: video(place, brand=b"3gp4", compatible=b"3gp43gp5"),
        "video/3gpp",
        ".3gp",
    ),
    "VID_0412.3g2": (
        lambda place: video(place, brand=b"3g2a", compatible=b"3g2a"),
        "video/3gpp2",
        ".3g2",
    ),
    "clip.m4v": (
        lambda place: video(place, brand=b"M4V ", compatible=b"M4V "),
        "video/mp4",
        ".m4v",
    ),
}


@pytest.mark.parametrize("name", sorted(_PHONE_FILES))
def test_a_phones_own_video_type_is_taken_and_checked_for_a_place(app, monitor_case, name):
    """A monitor uploads a video as the phone saved it: it is stored as what its content is,
    downloads under that type, and is checked for where it was filmed like any video."""
    client, case = monitor_case
    make, mime, extension = _PHONE_FILES[name]
    response = _upload(client, case, make("android"), name)
    assert response.status_code == 302, page(client, f"/cases/{case.public_id}")
    assert "This video records where it was filmed" in page(client, response.headers["Location"])
    document = db.session.scalar(select(Document).order_by(Document.id.desc()))
    assert (document.content_type, document.records_location) == (mime, True)
    download = client.get(f"/cases/{case.public_id}/documents/{document.public_id}")
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith(mime)
    assert (
        download.headers["Content-Disposition"].endswith(f'{extension}"')
        or extension in (download.headers["Content-Disposition"])
    )
    download.close()
    response = _upload(client, case, make(None), name)
    assert response.status_code == 302
    assert "records where it was" not in page(client, response.headers["Location"])


def test_a_sound_recording_that_records_where_it_was_made_is_flagged(app, monitor_case):
    client, case = monitor_case
    response = _upload(client, case, video("tagged", brand=b"M4A "), "interview.m4a")
    assert response.status_code == 302
    assert "This audio recording records where it was made" in page(
        client, response.headers["Location"]
    )
    response = _upload(client, case, video(None, brand=b"M4A "), "interview.m4a")
    assert response.status_code == 302
    assert "records where it was" not in page(client, response.headers["Location"])


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (mp3, "interview.mp3"),
        (wav, "statement.wav"),
        (ogg, "voice.ogg"),
        (lambda place="location": ogg(place, opus=True), "voice-message.opus"),
    ],
)
def test_an_mp3_wav_or_ogg_recording_that_records_where_it_was_made_is_flagged(
    app, monitor_case, make, name
):
    """A recorder app or a tag editor may write where a recording was made in its tags (an
    MP3's ID3 frames, a WAV's INFO texts, an Ogg file's LOCATION comment): the monitor is told
    at once and the document is marked, as for a photo or a video."""
    client, case = monitor_case
    response = _upload(client, case, make(), name)  # each with its place where it writes one
    assert response.status_code == 302, page(client, f"/cases/{case.public_id}")
    assert "This audio recording records where it was made" in page(
        client, response.headers["Location"]
    )
    assert db.session.scalar(select(Document)).records_location is True
    response = _upload(client, case, make(None), name)
    assert response.status_code == 302
    assert "records where it was" not in page(client, response.headers["Location"])
    db.session.expire_all()
    assert sorted(d.records_location for d in db.session.scalars(select(Document))) == [False, True]


@pytest.mark.parametrize(
    "content",
    [video(None, track=b"gpmd"), video(None, track=b"camm"), video(None, compressed=True)],
    ids=["gopro-gps-track", "camera-motion-metadata", "compressed-movie-box"],
)
def test_a_video_whose_place_cannot_be_ruled_out_is_flagged_as_such(app, monitor_case, content):
    """An action camera's GPS track lies among the media data, a compressed movie box hides
    all its metadata: the monitor is told a place could not be ruled out (not that none was
    found), and the document is marked as one to clean before it leaves; the API says so under
    its own code."""
    client, case = monitor_case
    response = _upload(client, case, content, "GOPR0412.MP4")
    assert response.status_code == 302
    html = page(client, response.headers["Location"])
    assert "could not be ruled out" in html
    assert "records where it was filmed" not in html
    assert db.session.scalar(select(Document)).records_location is True
    assert "Location data possibly in file" in page(client, f"/cases/{case.public_id}")
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), "GOPR0413.MP4")})
    uploaded = api_for(app, case.created_by).post(
        f"cases/{case.public_id}/documents",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert uploaded.status_code == 201
    assert [w["code"] for w in uploaded.get_json()["warnings"]] == ["location_not_ruled_out"]
    response = _upload(client, case, video(None), "GOPR0414.MP4")
    # No warning for it (the list still marks the earlier ones).
    assert "This video may record where it was filmed" not in page(
        client, response.headers["Location"]
    )


def test_a_cut_or_malformed_video_is_stored_without_a_warning(app, monitor_case):
    """A video cut short before its movie box, or whose boxes' sizes are wrong, is taken as
    it came: no error, and no place said where none could be read."""
    client, case = monitor_case
    whole = video("android", media=2000)
    moov = whole.index(b"moov") - 4
    broken = whole[:moov] + bytes(4) + b"moov" + bytes(4) + whole[moov + 12 :]
    for content in (whole[: moov + 20], broken, whole[:40] + b"\xff" * 64):
        response = _upload(client, case, content, "VID_20260412.mp4")
        assert response.status_code == 302
        assert "records where it was" not in page(client, response.headers["Location"])
    assert _count() == 3


@pytest.mark.parametrize("chunk", ["tEXt", "zTXt", "iTXt"])
def test_a_png_converted_by_imagemagick_that_records_where_it_was_taken_is_flagged(
    app, monitor_case, chunk
):
    """ImageMagick keeps the photo's Exif block as hex digits in a text chunk ("Raw profile
    type exif"), not in an eXIf chunk: the place is found there too."""
    client, case = monitor_case
    response = _upload(client, case, png_with_raw_profile(True, chunk), "IMG_0412.png")
    assert response.status_code == 302
    assert "records where it was taken" in page(client, response.headers["Location"])
    response = _upload(client, case, png_with_raw_profile(False, chunk), "IMG_0412.png")
    assert response.status_code == 302
    assert "records where it was taken" not in page(client, response.headers["Location"])


def test_stored_documents_are_checked_again_for_a_place_from_the_command_line(app, tmp_path):
    """Documents stored before the checks existed (no mark either way), and with ``--all``
    those an older check passed (an MP3 before its tags were read), are checked again by
    ``flask documents recheck``: a file that records a place is marked on the case as an
    upload's would be, with an audit entry for it and one for the run; the output names
    documents by their id, never by their file's name; a file missing from the store is
    said and passed over."""
    from casework.audit.models import AuditEntry

    monitor = make_user(Role.MONITOR)
    lawyer = make_user(Role.LAWYER)
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),))
    client = client_for(app, monitor)
    uploads = {
        "IMG_0412.jpg": photo(gps=True),
        "IMG_0413.jpg": photo(gps=False),
        "interview.mp3": mp3("txxx"),
        "lost.jpg": photo(gps=True),
    }
    for name, content in uploads.items():
        assert _upload(client, case, content, name).status_code == 302
    documents = {d.original_name: d for d in db.session.scalars(select(Document))}
    for name in ("IMG_0412.jpg", "IMG_0413.jpg", "lost.jpg"):
        documents[name].records_location = None  # stored before the checks existed
    documents["interview.mp3"].records_location = False  # as the older check left it
    lost = documents["lost.jpg"]
    os.remove(os.path.join(app.config["UPLOAD_DIR"], lost.storage_name))
    db.session.commit()
    assert "Location data in file" not in page(client, f"/cases/{case.public_id}")

    result = app.test_cli_runner().invoke(args=["documents", "recheck"])
    assert result.exit_code == 0, result.output
    assert "Checked 2 documents: 1 newly marked as recording a place." in result.output
    assert f"Could not be read: {lost.public_id}" in result.output
    assert not any(name in result.output for name in uploads)
    db.session.expire_all()
    marks = {d.original_name: d.records_location for d in db.session.scalars(select(Document))}
    assert marks == {
        "IMG_0412.jpg": True,
        "IMG_0413.jpg": False,
        "interview.mp3": False,
        "lost.jpg": None,
    }
    html = page(client_for(app, lawyer), f"/cases/{case.public_id}")
    listing = html[html.index('id="documents"') :]
    row = listing[listing.index("IMG_0412.jpg") : listing.index("IMG_0413.jpg")]
    assert "Location data in file" in row

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.like("document.location%_rechecked"))
    ).all()
    by_action = {(e.action, e.object_id): e for e in entries}
    marked = by_action[("document.location_rechecked", documents["IMG_0412.jpg"].public_id)]
    assert marked.case_id == case.id and marked.details == {"records_location": True}
    run = [e for e in entries if e.action == "document.locations_rechecked"]
    assert [e.details for e in run] == [{"checked": 2, "marked": 1, "unreadable": 1}]
    assert len(entries) == 2

    result = app.test_cli_runner().invoke(args=["documents", "recheck", "--all"])
    assert result.exit_code == 0, result.output
    assert "Checked 3 documents: 1 newly marked as recording a place." in result.output
    db.session.expire_all()
    assert db.session.get(Document, documents["interview.mp3"].id).records_location is True
    # Run again, nothing changes: no mark is taken away, none given twice.
    result = app.test_cli_runner().invoke(args=["documents", "recheck", "--all"])
    assert "Checked 3 documents: 0 newly marked as recording a place." in result.output
    db.session.expire_all()
    assert db.session.get(Document, documents["IMG_0412.jpg"].id).records_location is True


def test_a_place_not_ruled_out_is_kept_apart_from_a_place_found(app, monitor_case):
    """A video whose place could not be ruled out is stored as such, not as one whose place was
    found: the document list marks it so, the API gives it, and a replayed upload still warns
    under its own code. Both are to be cleaned before they leave the organisation."""
    client, case = monitor_case
    assert _upload(client, case, video(None, track=b"gpmd"), "GOPR0412.MP4").status_code == 302
    assert _upload(client, case, video("android"), "VID_0413.mp4").status_code == 302
    db.session.expire_all()
    stored = {d.original_name: d for d in db.session.scalars(select(Document))}
    unsure, found = stored["GOPR0412.MP4"], stored["VID_0413.mp4"]
    assert (unsure.records_location, unsure.location_unsure) == (True, True)
    assert (found.records_location, found.location_unsure) == (True, False)

    html = page(client, f"/cases/{case.public_id}")
    listing = html[html.index('id="documents"') :]
    unsure_row = listing[
        listing.index("GOPR0412.MP4") : listing.index("</tr>", listing.index("GOPR0412.MP4"))
    ]
    found_row = listing[
        listing.index("VID_0413.mp4") : listing.index("</tr>", listing.index("VID_0413.mp4"))
    ]
    assert "Location data possibly in file" in unsure_row
    assert "Location data in file" not in unsure_row
    assert "Location data in file" in found_row
    assert "could not be ruled out" in listing  # the note under the list says what it means

    api = api_for(app, case.created_by)
    items = {d["id"]: d for d in api.get(f"cases/{case.public_id}/documents").get_json()["items"]}
    assert items[unsure.public_id]["location_unsure"] is True
    assert items[found.public_id]["location_unsure"] is False
    assert items[unsure.public_id]["records_location"] is True

    def send():
        boundary, body = encode_multipart(
            {"file": FileStorage(io.BytesIO(video(None, compressed=True)), "GOPR0414.MP4")}
        )
        return api.post(
            f"cases/{case.public_id}/documents",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
            headers={"Idempotency-Key": "upload-gopro-0414"},
        )

    first, replayed = send(), send()
    assert first.status_code == replayed.status_code == 201
    assert replayed.get_json()["id"] == first.get_json()["id"]
    for answer in (first, replayed):
        assert [w["code"] for w in answer.get_json()["warnings"]] == ["location_not_ruled_out"]
        assert answer.get_json()["location_unsure"] is True
    assert _count() == 3


def test_a_recheck_keeps_a_place_not_ruled_out_apart(app, monitor_case):
    """A video stored before the checks existed, whose place cannot be ruled out, is marked so
    by the recheck (not as one whose place was found)."""
    from casework.evidence.services import recheck_locations

    client, case = monitor_case
    assert _upload(client, case, video(None, compressed=True), "GOPR0412.MP4").status_code == 302
    document = db.session.scalar(select(Document))
    document.records_location = document.location_unsure = None  # stored before the checks
    db.session.commit()
    recheck_locations()
    db.session.commit()
    db.session.expire_all()
    document = db.session.scalar(select(Document))
    assert (document.records_location, document.location_unsure) == (True, True)
