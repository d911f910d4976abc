"""Uploaded documents: JavaScript in a PDF is refused however its object stream is encoded.

The README promises that "PDFs carrying JavaScript (/JS, /JavaScript, also inside compressed
object streams) or launch actions (/Launch) are refused". ``pdf_active_content`` inflates each
stream once with zlib, and only while a 128 MiB budget lasts. A PDF reader applies the whole
/Filter chain, so an object stream encoded twice with Flate, or with ASCIIHex / ASCII85, or
one placed after padding streams that use up the budget, carries an /OpenAction that runs
JavaScript when the document is opened, and the upload is accepted. pypdf (a conforming
reader) is used below to show that each accepted file really opens on a JavaScript action.
"""

from __future__ import annotations

import base64
import binascii
import io
import zlib

import pytest
from pypdf import PdfReader
from pypdf._codecs._codecs import LzwCodec
from sqlalchemy import func, select

from casework.core.db import db
from casework.core.vocab import Role
from casework.evidence.models import Document
from tests.case_helpers import intake
from tests.factories import log_in

JAVASCRIPT = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
GO_TO_PAGE = b"<< /S /GoTo /D [3 0 R /Fit] >>"  # a harmless opening action


def _pdf(objstm_filter: bytes, encode, padding: bytes = b"", action: bytes = JAVASCRIPT) -> bytes:
    """A valid PDF 1.7 (xref stream) whose /OpenAction is object 5, an action (JavaScript
    unless said) kept in an object stream encoded with ``objstm_filter``."""
    header = b"5 0 "
    payload = encode(header + action)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        4: b"<< /Type /ObjStm /N 1 /First %d /Length %d /Filter %s >>\nstream\n%s\nendstream"
        % (len(header), len(payload), objstm_filter, payload),
    }
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + padding)
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)

    def row(kind: int, a: int, b: int) -> bytes:
        return bytes([kind]) + a.to_bytes(4, "big") + b.to_bytes(2, "big")

    rows = [row(0, 0, 65535)] + [row(1, offsets[n], 0) for n in (1, 2, 3, 4)]
    rows += [row(2, 4, 0), row(1, xref, 0)]
    data = b"".join(rows)
    out += b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(
        data
    )
    out += data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _padding() -> bytes:
    """Comment-free filler streams (unreferenced, ignored by readers) that inflate to 136 MiB."""
    blob = zlib.compress(b"\x00" * (8 * 1024 * 1024), 9)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream\n" % (len(blob), blob)
    return b"".join(b"%d 0 obj\n" % (100 + i) + stream + b"endobj\n" for i in range(17))


SINGLE_FLATE = _pdf(b"/FlateDecode", zlib.compress)
HIDDEN = {
    "two Flate passes": _pdf(
        b"[/FlateDecode /FlateDecode]", lambda d: zlib.compress(zlib.compress(d))
    ),
    "ASCIIHex": _pdf(b"/ASCIIHexDecode", lambda d: binascii.hexlify(d) + b">"),
    "ASCII85 then Flate": _pdf(
        b"[/ASCII85Decode /FlateDecode]", lambda d: base64.a85encode(zlib.compress(d)) + b"~>"
    ),
    "after streams that use up the inflate budget": _pdf(
        b"/FlateDecode", zlib.compress, padding=_padding()
    ),
    "LZW": _pdf(b"/LZWDecode", lambda d: LzwCodec().encode(d)),
    "RunLength": _pdf(b"/RunLengthDecode", lambda d: bytes([len(d) - 1]) + d + b"\x80"),
}


def _opens_on_javascript(pdf: bytes) -> bool:
    action = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/OpenAction"].get_object()
    return action["/S"] == "/JavaScript" and "app.alert" in action["/JS"]


def _upload(client, case, content: bytes):
    return client.post(
        f"/cases/{case.public_id}/documents/new",
        data={"file": (io.BytesIO(content), "decision.pdf")},
        content_type="multipart/form-data",
    )


def _documents() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Document.id)))


@pytest.fixture
def monitor_case(app, make_user):
    client = log_in(app.test_client(), make_user(Role.MONITOR))
    return client, intake(client)


def test_the_plain_object_stream_is_refused_and_a_clean_pdf_accepted(app, monitor_case):
    client, case = monitor_case
    assert _opens_on_javascript(SINGLE_FLATE)
    response = _upload(client, case, SINGLE_FLATE)
    assert response.status_code == 422
    assert "JavaScript or an action that launches" in response.get_data(as_text=True)
    assert _documents() == 0
    for filters, encode in (
        (b"[/FlateDecode /FlateDecode]", lambda d: zlib.compress(zlib.compress(d))),
        (b"/ASCIIHexDecode", lambda d: binascii.hexlify(d) + b">"),
    ):
        assert _upload(client, case, _pdf(filters, encode, action=GO_TO_PAGE)).status_code == 302
    assert _documents() == 2


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_javascript_behind_another_filter_chain_is_refused(app, monitor_case, name):
    client, case = monitor_case
    pdf = HIDDEN[name]
    assert len(pdf) < 1024 * 1024  # far under the upload limit
    assert _opens_on_javascript(pdf)  # what a PDF reader runs when the file is opened
    response = _upload(client, case, pdf)
    assert response.status_code == 422, response.status_code  # 302: stored
    assert _documents() == 0, f"{name}: a PDF that runs JavaScript on opening was stored"
    assert "JavaScript or an action that launches" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("filters", "dictionary_extra"),
    [
        (b"/JBIG2Decode", b""),  # a filter this check does not decode, on an object stream
        (b"/FlateDecode", b" /DecodeParms << /Predictor 12 /Columns 4 >>"),
    ],
)
def test_an_object_stream_the_check_cannot_read_is_refused(
    app, monitor_case, filters, dictionary_extra
):
    client, case = monitor_case
    pdf = _pdf(filters + dictionary_extra, zlib.compress, action=GO_TO_PAGE)
    response = _upload(client, case, pdf)
    assert response.status_code == 422
    assert "cannot be checked" in response.get_data(as_text=True)
    assert _documents() == 0


def test_an_encrypted_pdf_is_refused_as_uncheckable(app, monitor_case):
    client, case = monitor_case
    pdf = SINGLE_FLATE.replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt << /Filter /Standard >>")
    response = _upload(client, case, pdf.replace(JAVASCRIPT, GO_TO_PAGE))
    assert response.status_code == 422
    assert "cannot be checked" in response.get_data(as_text=True)
