"""Imports: an XLSX "zip bomb" is refused before it is unpacked.

An import is a legacy spreadsheet from a partner or an old tool: exactly the kind of file an
adversary can plant. ``read_xlsx`` hands the upload to openpyxl, which inflates each part of
the workbook whole (the shared strings into one Python list): the 25 MB upload limit bounds
the compressed size only. The 0.3 MB workbook below makes the import page inflate 300 MiB,
hold a 300-million-character cell in memory (the test process peaks at ~1.5 GB RSS) and
answer with a 314 MB page (the report quotes the rejected value whole); a 25 MB workbook
inflates to ~25 GB and takes the server (or its worker) down. Uploads of
documents bound inflation (``PDF_INFLATE_TOTAL``, 128 MiB); imports do not.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from casework.core.db import db
from casework.core.vocab import Role
from casework.legal.seeding import seed_catalogue
from tests.clients import client_for

INFLATE_BOUND = 128 * 1024 * 1024  # what the application itself allows a PDF check


def _workbook(narrative_bytes: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["person_name", "act_type", "act_date", "narrative"])
    sheet.append(["Alisher Kholmatov", "extradition", "2011-06", "PLACEHOLDER"])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for item in source.infolist():
            data = source.read(item.filename)
            if b"PLACEHOLDER" in data:
                data = data.replace(b"PLACEHOLDER", b"A" * narrative_bytes)
            bomb.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


@pytest.fixture
def inflated(monkeypatch):
    """Bytes inflated from any zip archive during the test."""
    total = [0]
    real_read, real_read1 = zipfile.ZipExtFile.read, zipfile.ZipExtFile.read1

    def read(self, n=-1):
        data = real_read(self, n)
        total[0] += len(data)
        return data

    def read1(self, n=-1):
        data = real_read1(self, n)
        total[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)
    monkeypatch.setattr(zipfile.ZipExtFile, "read1", read1)
    return total


def _post(app, content: bytes):
    seed_catalogue()
    db.session.commit()
    client = client_for(app, _coordinator())
    return client.post(
        "/imports/cases",
        data={"file": (io.BytesIO(content), "legacy.xlsx")},
        content_type="multipart/form-data",
    )


def _coordinator():
    from tests.factories import make_user

    return make_user(Role.COORDINATOR)


def test_an_ordinary_workbook_is_checked(app, inflated, monkeypatch):
    response = _post(app, _workbook(len("Arrested at home by the KNB.")))
    assert response.status_code == 200
    assert "Checked: nothing written yet" in response.get_data(as_text=True)
    assert inflated[0] < 1024 * 1024
    from casework.imports import staging

    monkeypatch.setattr(staging, "STAGING_HOURS", -1)
    staging.purge_stale()  # the checked file is not left for other tests


def test_a_small_workbook_that_inflates_to_300_mib_is_refused_unread(app, inflated):
    content = _workbook(300 * 1024 * 1024)
    assert len(content) < 400 * 1024  # a 0.3 MB upload, far under the 25 MB limit
    response = _post(app, content)
    assert response.status_code == 200
    assert "unpacks to far more than its rows can hold" in response.get_data(as_text=True)
    assert inflated[0] < INFLATE_BOUND, f"{inflated[0] // 2**20} MiB inflated from a 0.3 MB upload"


def test_a_huge_rejected_value_is_quoted_not_reprinted(app, inflated):
    response = _post(app, _workbook(2 * 1024 * 1024))  # a 2 MB narrative: over its limit
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "narrative" in html
    assert len(html) < 100_000 and "A" * 200 + "…" in html
