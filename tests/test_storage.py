"""The attachment store: a folder or an S3-compatible bucket behind one interface; the files in
it are sealed, named at random, and never outlive a transaction that was not committed.

The S3 backend runs against moto's in-process S3 (no network, no credentials)."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from casework.cases.models import Case
from casework.core import sealedfiles
from casework.core.db import db
from casework.core.storage import (
    EXTENSION,
    FileSystemStorage,
    S3Storage,
    StorageUnavailable,
    storage_from_url,
)
from casework.core.vocab import Role
from casework.evidence.models import Document
from tests.api_clients import api_for
from tests.case_helpers import intake
from tests.clients import client_for

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
KEY = "documents/" + "ab" * 32


@pytest.fixture
def s3():
    """A moto S3 with a bucket; yields (store, client)."""
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():
        client = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.create_bucket(Bucket="casework-files")
        yield S3Storage("casework-files", "/instance-a/", client=client), client


def _exercise(store) -> None:
    assert not store.exists(KEY)
    with pytest.raises(FileNotFoundError):
        store.open(KEY)
    payload = bytes(range(256)) * 1000
    store.put(KEY, io.BytesIO(payload))
    assert store.exists(KEY)
    assert store.get(KEY) == payload
    with store.open(KEY) as fh:
        assert fh.read(10) == payload[:10]
        fh.seek(0)
        assert fh.read() == payload
    assert [key for key, _ in store.keys("documents")] == [KEY]
    store.delete(KEY)
    store.delete(KEY)  # a missing key is not an error
    assert not store.exists(KEY)
    for bad in ("../etc/passwd", "/abs", "a/../../b", "UPPER", "", "a//b", "a/"):
        with pytest.raises(ValueError):
            store.exists(bad)


def test_folder_store(tmp_path):
    store = FileSystemStorage(tmp_path / "files")
    _exercise(store)
    store.put("imports/abc", io.BytesIO(b"x"))
    assert stat.S_IMODE((tmp_path / "files").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "files" / "imports").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "files" / "imports" / "abc").stat().st_mode) == 0o600


def test_folder_store_leaves_no_partial_file(tmp_path):
    store = FileSystemStorage(tmp_path)

    class Broken(io.RawIOBase):
        def readinto(self, buffer):
            raise OSError(5, "input/output error")

    with pytest.raises(OSError):
        store.put(KEY, Broken())
    assert not store.exists(KEY)
    assert list((tmp_path / "documents").iterdir()) == []


def test_s3_store(s3):
    store, client = s3
    _exercise(store)
    store.put(KEY, io.BytesIO(b"sealed"))
    # Under the configured prefix, nothing else.
    names = [o["Key"] for o in client.list_objects_v2(Bucket="casework-files")["Contents"]]
    assert names == [f"instance-a/{KEY}"]


def test_s3_store_unreachable_is_an_oserror(s3):
    _store, client = s3
    missing_bucket = S3Storage("no-such-bucket", client=client)
    with pytest.raises(StorageUnavailable):
        missing_bucket.put(KEY, io.BytesIO(b"x"))
    with pytest.raises(OSError):
        missing_bucket.open(KEY)


def test_storage_url():
    assert isinstance(storage_from_url(None, "/srv/files"), FileSystemStorage)
    assert storage_from_url("file:///mnt/shared/casework", "x").root == Path("/mnt/shared/casework")
    bucket = storage_from_url("s3://casework-files/org-a", "x")
    assert (bucket.bucket, bucket.prefix) == ("casework-files", "org-a")
    with pytest.raises(ValueError):
        storage_from_url("ftp://example.org/x", "x")


@pytest.fixture
def with_store(app):
    """Run the app on another store for one test."""

    def use(store):
        app.extensions[EXTENSION] = store

    previous = app.extensions[EXTENSION]
    yield use
    app.extensions[EXTENSION] = previous


def test_documents_go_through_the_s3_store(app, s3, make_user, with_store):
    """Upload, download, the API and the dossier: all through the bucket, sealed."""
    store, client = s3
    with_store(store)
    monitor = make_user(Role.MONITOR)
    web = client_for(app, monitor)
    case = intake(web)
    response = web.post(
        f"/cases/{case.public_id}/documents/new",
        data={"file": (io.BytesIO(PDF), "решение.pdf"), "description": "Court decision"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    document = db.session.scalar(select(Document))
    body = client.get_object(Bucket="casework-files", Key=f"instance-a/{document.storage_name}")
    sealed = body["Body"].read()
    assert sealed.startswith(sealedfiles.MAGIC) and PDF not in sealed
    download = web.get(f"/cases/{case.public_id}/documents/{document.public_id}")
    assert download.status_code == 200 and download.data == PDF
    download.close()
    api = api_for(app, monitor)
    assert api.get(f"cases/{case.public_id}/documents/{document.public_id}/file").data == PDF
    # Gone from the bucket: a 404, not a 500.
    client.delete_object(Bucket="casework-files", Key=f"instance-a/{document.storage_name}")
    assert web.get(f"/cases/{case.public_id}/documents/{document.public_id}").status_code == 404


def test_unreachable_store_on_download_is_a_503(app, make_user, with_store, tmp_path):
    monitor = make_user(Role.MONITOR)
    web = client_for(app, monitor)
    case = intake(web)
    web.post(
        f"/cases/{case.public_id}/documents/new",
        data={"file": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    document = db.session.scalar(select(Document))

    class Down(FileSystemStorage):
        def open(self, key):
            raise StorageUnavailable(5, "the file store cannot be reached")

    with_store(Down(tmp_path))
    response = web.get(f"/cases/{case.public_id}/documents/{document.public_id}")
    assert response.status_code == 503


def test_staged_imports_are_sealed_in_the_store(app, make_user, s3, with_store):
    store, client = s3
    with_store(store)
    coordinator = make_user(Role.COORDINATOR)
    web = client_for(app, coordinator)
    content = "person_name,act_type,act_date\nАлишер Холматов,extradition,2011\n".encode()
    response = web.post(
        "/imports/cases",
        data={"file": (io.BytesIO(content), "list.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    [(key, _)] = list(store.keys("imports"))
    assert "Холматов".encode() not in store.get(key)
    assert web.post("/imports/cases/confirm").status_code == 200
    assert list(store.keys("imports")) == []
    db.session.expire_all()
    assert len(db.session.scalars(select(Case)).all()) == 1
