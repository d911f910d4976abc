"""Encryption at rest: canaries never reach the disk in clear, and every failure fails closed."""

from __future__ import annotations

import base64
import io
import os
import secrets
import stat
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import StatementError

from casework import create_app
from casework.cases.models import Case
from casework.core import sealedfiles
from casework.core.crypto import (
    CryptoError,
    DecryptionFailed,
    EncryptedColumnInSQL,
    MasterKey,
    MasterKeyMismatch,
    PlaintextRefused,
    Sealed,
    new_data_key,
    seal,
    value_context,
)
from casework.core.db import db
from casework.core.keyring import DataKey
from casework.core.sealedfiles import CHUNK
from casework.core.sealing import open_selected, secret_attributes
from casework.core.types import SecretDate, SecretText
from casework.core.vocab import Role
from casework.evidence.models import Document, Source
from casework.people.models import Person, PersonName
from tests.case_helpers import intake, page
from tests.factories import PASSWORD, log_in
from tests.world import build_world


def _client(app, user):
    return log_in(app.test_client(), user)


def _canary() -> str:
    return f"CANARY{secrets.token_hex(8)}"


def _text(value) -> str:
    """A value of an encrypted column as its stored text is (a day as its ISO text)."""
    return value.isoformat() if isinstance(value, date) else value or ""


def _secret_mappers() -> list:
    return [m for m in db.Model.registry.mappers if secret_attributes(m)]


def _plant(client) -> dict:
    """A case with a value in every encrypted column and an uploaded file, all canaries."""
    canaries: dict[str, str] = {}
    name, narrative, file_name, content = _canary(), _canary(), _canary(), _canary()
    case = intake(client, name=name, narrative=narrative)
    pid = case.public_id
    assert client.post(f"/cases/{pid}/comments", data={"body": _canary()}).status_code == 302
    assert (
        client.post(
            f"/cases/{pid}/events/new", data={"event_type": "arrest", "description": _canary()}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/cases/{pid}/sources/new",
            data={"kind": "media", "reliability": "C", "credibility": "3", "identity": _canary()},
        ).status_code
        == 302
    )
    response = client.post(
        f"/cases/{pid}/documents/new",
        data={"file": (io.BytesIO(f"Statement: {content}\n".encode()), f"{file_name}.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    canaries["file content"] = content
    world = build_world()  # a record of every other kind: links, remedies, actions, family...
    # A UPR submission draft (and its first version).
    from casework.reports import upr

    period = upr.Period(date(2000, 1, 1), date(2099, 12, 31))
    upr.create_draft(world.on[Role.COORDINATOR], period, joint=True, co_authors=_canary())
    db.session.commit()
    db.session.expire_all()
    # Then every encrypted column of every row gets a canary of its own, whatever the form
    # offers: a column marked SecretText later is covered as soon as one of its rows exists.
    for mapper in _secret_mappers():
        rows = list(db.session.scalars(select(mapper.class_)))
        assert rows, f"plant a row of {mapper.class_.__name__} in tests/test_encryption.py"
        for row in rows:
            for attr, col in secret_attributes(mapper):
                value = getattr(row, attr)
                if isinstance(mapper.local_table.c[col].type, SecretDate):
                    # A day no other record of the test has (in a year none of them is in).
                    value = date(1904, 1, 1) + timedelta(days=secrets.randbelow(366))
                    setattr(row, attr, value)
                elif not (value and "CANARY" in value):
                    value = _canary()
                    setattr(row, attr, value)
                canaries[f"{mapper.local_table.name}.{col} #{row.id}"] = _text(value).split(".")[0]
    db.session.commit()
    db.session.expire_all()
    return {"case": db.session.get(Case, case.id), "canaries": canaries}


def _every_secret_column() -> set[str]:
    return {
        f"{t.name}.{c.name}"
        for t in db.metadata.tables.values()
        for c in t.columns
        if isinstance(c.type, SecretText)
    }


def _raw_database_bytes() -> bytes:
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        db.session.remove()
        db.engine.dispose()  # nothing left in a journal or a cache
        path = Path(url.database)
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())
    plain = make_url(str(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    # The test database's own URL and the pg_dump on PATH: no untrusted input.
    dump = ["pg_dump", "--no-owner", plain]  # noqa: S607
    return subprocess.run(dump, check=True, capture_output=True, timeout=120).stdout  # noqa: S603


def _upload_bytes(app) -> bytes:
    folder = Path(app.config["UPLOAD_DIR"])
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def _pages(client, case) -> str:
    """Every page that shows the case's identifying data, and its document downloads."""
    pid = case.public_id
    parts = [page(client, f"/cases/{pid}"), page(client, f"/cases/{pid}/print")]
    for cp in case.people:
        parts.append(page(client, f"/cases/{pid}/people/{cp.person.public_id}"))
    for source in db.session.scalars(select(Source).where(Source.case_id == case.id)):
        parts.append(page(client, f"/cases/{pid}/sources/{source.public_id}"))
    for event in case.events:
        parts.append(page(client, f"/cases/{pid}/events/{event.public_id}/edit"))
    for document in db.session.scalars(select(Document).where(Document.case_id == case.id)):
        response = client.get(f"/cases/{pid}/documents/{document.public_id}")
        assert response.status_code == 200
        parts.append(response.headers["Content-Disposition"])
        parts.append(response.get_data(as_text=True))
    return "\n".join(parts)


@pytest.fixture
def monitor(app, make_user):
    return _client(app, make_user(Role.MONITOR))


def test_canaries_in_every_encrypted_field_and_file_stay_off_the_disk(app, monitor):
    planted = _plant(monitor)
    canaries = planted["canaries"]
    planted_columns = {label.split(" #")[0] for label in canaries if "#" in label}
    assert planted_columns == _every_secret_column()

    # Everything reads back: through the pages for the case the monitor entered, through the
    # models for every other row (some are not shown on any page, like a visible record's
    # hiding reason, or belong to cases of other teams).
    shown = _pages(monitor, planted["case"])
    assert canaries["file content"] in shown
    db.session.expire_all()
    read_back = {
        f"{mapper.local_table.name}.{col} #{row.id}": _text(getattr(row, attr)).split(".")[0]
        for mapper in _secret_mappers()
        for row in db.session.scalars(select(mapper.class_))
        for attr, col in secret_attributes(mapper)
    }
    assert {k: v for k, v in canaries.items() if "#" in k} == read_back
    case_id = planted["case"].id
    intake_values = [
        v
        for k, v in read_back.items()
        if k in (f"cases.narrative #{case_id}", f"cases.act_place #{case_id}")
    ]
    assert intake_values and all(value in shown for value in intake_values)

    raw_db, raw_files = _raw_database_bytes(), _upload_bytes(app)
    assert b"cw1:" in raw_db and raw_files.startswith(b"CWF1")
    for value in canaries.values():
        assert value.encode() not in raw_db
        assert value.encode() not in raw_files


def test_name_search_finds_encrypted_names(app, monitor):
    planted = _plant(monitor)
    name = planted["case"].people[0].person.names[0].name
    html = monitor.post("/cases/search", data={"name": name.lower()}).get_data(as_text=True)
    assert planted["case"].reference in html
    html = monitor.post("/cases/search", data={"name": "nobody-at-all"}).get_data(as_text=True)
    assert planted["case"].reference not in html


def _raw(table: str, column: str, row_id: int) -> str:
    """The stored text, read past the ORM (table and column names are the test's own)."""
    query = text(f"SELECT {column} FROM {table} WHERE id = :id")  # noqa: S608
    return db.session.execute(query, {"id": row_id}).scalar_one()


def _set_raw(table: str, column: str, row_id: int, value: str) -> None:
    query = text(f"UPDATE {table} SET {column} = :v WHERE id = :id")  # noqa: S608
    db.session.execute(query, {"v": value, "id": row_id})
    db.session.commit()
    db.session.expire_all()


def _two_cases(client):
    first = intake(client, narrative="First narrative.")
    second = intake(client, narrative="Second narrative.")
    return first, second


def test_ciphertext_swapped_between_rows_or_columns_fails_closed(app, monitor, caplog):
    first, second = _two_cases(monitor)
    first_id, second_id, url = first.id, second.id, f"/cases/{second.public_id}"
    _set_raw("cases", "narrative", second_id, _raw("cases", "narrative", first_id))
    response = monitor.get(url)
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "First narrative" not in body and "cw1:" not in body and "Traceback" not in body
    # The log says where it failed, never what the value was.
    assert f"cases.narrative of row {second_id}" in caplog.text
    assert "First narrative" not in caplog.text and "cw1:" not in caplog.text
    with pytest.raises(DecryptionFailed, match=f"cases.narrative of row {second_id}"):
        db.session.get(Case, second_id)
    db.session.rollback()
    db.session.expire_all()

    _set_raw("cases", "after_return", first_id, _raw("cases", "narrative", first_id))
    with pytest.raises(DecryptionFailed):
        db.session.get(Case, first_id)


def test_a_value_selected_as_a_column_opens_only_with_its_own_row(app, monitor):
    """Long lists read an encrypted column without building objects (``open_selected``): the
    value opens as on load, and only bound to its own table, column and row."""
    case = intake(monitor, name="Alisher Kholmatov")
    name_id, sealed, person_id = db.session.execute(
        select(PersonName.id, PersonName.name, PersonName.person_id).where(
            PersonName.person_id == case.people[0].person_id
        )
    ).first()
    assert isinstance(sealed, Sealed)  # never shown as it is stored
    expected = db.session.get(PersonName, name_id).name
    assert open_selected(db.session, PersonName.name, name_id, sealed) == expected
    with pytest.raises(DecryptionFailed, match=f"person_names.name of row {person_id + 999}"):
        open_selected(db.session, PersonName.name, person_id + 999, sealed)
    with pytest.raises(DecryptionFailed):  # another encrypted column of the same row
        open_selected(db.session, Person.notes, name_id, sealed)
    with pytest.raises(CryptoError):  # a column that is not encrypted
        open_selected(db.session, Person.nationality, person_id, sealed)
    assert open_selected(db.session, PersonName.name, name_id, None) is None


def test_flipped_or_truncated_ciphertext_fails_closed(app, monitor):
    case, _other = _two_cases(monitor)
    case_id, url = case.id, f"/cases/{case.public_id}"
    sealed = _raw("cases", "narrative", case_id)
    body = sealed.rsplit(":", 1)[1]
    flipped = body[:-5] + ("A" if body[-5] != "A" else "B") + body[-4:]
    for bad in (
        sealed.rsplit(":", 1)[0] + ":" + flipped,
        sealed[:-10],
        "Arrested at home by the KNB.",  # plaintext written behind the app's back
        sealed.replace(sealed.split(":")[1], "0" * 12),  # relabelled with another key id
    ):
        _set_raw("cases", "narrative", case_id, bad)
        with pytest.raises((DecryptionFailed, MasterKeyMismatch)):
            db.session.get(Case, case_id)
        db.session.rollback()
        db.session.expire_all()
        assert monitor.get(url).status_code == 500


def test_plaintext_never_reaches_an_encrypted_column_in_sql(app, monitor):
    case = intake(monitor)
    refused = pytest.raises((PlaintextRefused, StatementError), match="plain text reached")
    with refused:
        db.session.execute(update(Case).where(Case.id == case.id).values(narrative="clear"))
    db.session.rollback()
    # Filtering, sorting or grouping on ciphertext would silently misfire: refused too.
    for query in (
        select(Person).where(Person.contacts == "+7 701"),
        select(PersonName).where(func.lower(PersonName.name) == "alisher"),
        select(PersonName).where(PersonName.name.contains("Ali")),
        select(Case).order_by(Case.narrative),
        select(Source.identity, func.count()).group_by(Source.identity),
    ):
        for _ in range(2):  # and again, once the statement's SQL is compiled and remembered
            with pytest.raises(EncryptedColumnInSQL):
                db.session.execute(query).all()
            db.session.rollback()
    # Whether a value is there at all stays askable (NULL is stored as NULL).
    assert db.session.scalar(select(func.count(Case.id)).where(Case.narrative.is_not(None))) == 1
    # A bare column select gives sealed values that refuse to be shown.
    value = db.session.scalar(select(PersonName.name))
    with pytest.raises(DecryptionFailed):
        str(value)


def test_nonces_are_unique_and_values_differ_each_time():
    key_id, key = new_data_key()
    context = value_context("cases", "narrative", 1, key_id)
    values = [
        seal("same text", key_id=key_id, data_key=key, context=context).text for _ in range(100_000)
    ]
    nonces = {base64.urlsafe_b64decode(v.rsplit(":", 1)[1][:16]) for v in values}
    assert len(nonces) == len(set(values)) == 100_000


def test_a_value_s_key_is_hkdf_of_its_data_key_with_the_extract_step_once_per_data_key(
    monkeypatch,
):
    """Each value's key is HKDF-SHA-256 of its data key over its context (RFC 5869: test case 3,
    no salt, gives the same key), and a list opening many values of one data key runs HKDF's
    extract step of that key once, not once per value."""
    from casework.core import crypto

    assert crypto.derive_key(b"\x0b" * 22, b"") == bytes.fromhex(
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
    )
    key_id, key = new_data_key()
    values = [
        (i, seal(f"name {i}", key_id=key_id, data_key=key, context=_context(i, key_id)))
        for i in range(50)
    ]
    extracted = []
    real = crypto.HKDF

    class Counted:
        def __init__(self, *args, **kwargs):
            extracted.append(1)
            self.real = real(*args, **kwargs)

        def derive(self, material: bytes) -> bytes:
            return self.real.derive(material)

        @staticmethod
        def extract(*args, **kwargs):
            extracted.append(1)
            return real.extract(*args, **kwargs)

    monkeypatch.setattr(crypto, "HKDF", Counted)
    opened = [crypto.open_sealed(v, data_key=key, context=_context(i, key_id)) for i, v in values]
    assert opened == [f"name {i}" for i in range(50)]
    assert len(extracted) <= 1, len(extracted)


def _context(row_id: int, key_id: str) -> bytes:
    return value_context("person_names", "name", row_id, key_id)


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 7])
def test_sealed_files_round_trip_at_chunk_edges(tmp_path, size):
    key_id, key = new_data_key()
    data = os.urandom(size)
    path = tmp_path / "file"
    with open(path, "wb") as out:
        sealedfiles.seal_file(io.BytesIO(data), out, key_id=key_id, data_key=key, binding="b")
    assert sealedfiles.verify(path, lambda _k: key, "b") == size
    assert b"".join(sealedfiles.iter_plaintext(path, lambda _k: key, "b")) == data
    with pytest.raises(DecryptionFailed):
        sealedfiles.verify(path, lambda _k: key, "another place")
    if size:
        path.write_bytes(path.read_bytes()[:-1])
        with pytest.raises(DecryptionFailed):
            sealedfiles.verify(path, lambda _k: key, "b")


def _other_app(app, master_key: str, old_master_key: str | None = None):
    other = create_app(
        {
            "TESTING": True,
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "MASTER_KEY": master_key,
            "OLD_MASTER_KEY": old_master_key,
        }
    )
    other.test_client_class = app.test_client_class
    return other


def _dispose(other) -> None:
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_wrong_master_key_fails_closed_with_a_clear_error(app, make_user):
    user = make_user(Role.MONITOR)
    client = _client(app, user)
    case = intake(client)
    db.session.commit()
    wrong = _other_app(app, MasterKey(os.urandom(32)).key.hex())
    try:
        # Signing in reads the (encrypted) second-factor seed when the code is checked: it
        # fails closed there, and a session that was open before gets errors, never data, and
        # writes nothing.
        cases_before = db.session.scalar(select(db.func.count(Case.id)))
        stranger = wrong.test_client()
        response = stranger.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302 and "/login/code" in response.headers["Location"]
        response = stranger.post("/login/code", data={"code": "123456"})
        assert response.status_code == 500
        response = client.get(f"/cases/{case.public_id}")
        assert "Arrested" in response.get_data(as_text=True)  # the right key still reads
        assert db.session.scalar(select(db.func.count(Case.id))) == cases_before
        with wrong.app_context(), pytest.raises(MasterKeyMismatch, match="CASEWORK_MASTER_KEY"):
            db.session.get(Case, case.id)
        with wrong.app_context():
            result = wrong.test_cli_runner().invoke(args=["keys", "status"])
        assert result.exit_code != 0 and "master key" in result.output
    finally:
        _dispose(wrong)


def _write_key(path: Path, key: str) -> str:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return str(path)


def test_key_rotation_resumes_after_an_interruption(app, make_user, tmp_path, monkeypatch):
    from config import TEST_MASTER_KEY

    user = make_user(Role.MONITOR)
    client = _client(app, user)
    runner = app.test_cli_runner()
    cases = []
    for n in range(3):  # three data keys, each sealing one case
        cases.append(intake(client, narrative=f"Narrative number {n}."))
        assert runner.invoke(args=["keys", "new-data-key"]).exit_code == 0
    assert db.session.scalar(select(db.func.count(DataKey.id))) == 4
    new_key = MasterKey(os.urandom(32)).key.hex()
    old_file = _write_key(tmp_path / "old", TEST_MASTER_KEY)
    new_file = _write_key(tmp_path / "new", new_key)
    args = ["keys", "rotate", "--old-key-file", old_file, "--new-key-file", new_file]

    calls = {"n": 0}
    real_wrap = MasterKey.wrap

    def crash_on_second(self, key_id, data_key):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real_wrap(self, key_id, data_key)

    monkeypatch.setattr(MasterKey, "wrap", crash_on_second)
    result = runner.invoke(args=args)
    assert isinstance(result.exception, RuntimeError)
    monkeypatch.setattr(MasterKey, "wrap", real_wrap)
    wrapped_by = db.session.scalars(select(DataKey.master_key_id)).all()
    assert sorted(set(wrapped_by)) == sorted(
        {MasterKey.parse(TEST_MASTER_KEY).id, MasterKey.parse(new_key).id}
    )
    assert wrapped_by.count(MasterKey.parse(new_key).id) == 1

    # Midway, an app given both keys reads everything.
    both = _other_app(app, new_key, TEST_MASTER_KEY)
    try:
        c = _client(both, user)
        for n, case in enumerate(cases):
            assert f"Narrative number {n}." in page(c, f"/cases/{case.public_id}")
    finally:
        _dispose(both)

    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "3 data key(s) re-wrapped, 1 already" in result.output
    assert runner.invoke(args=args).output.startswith("0 data key(s) re-wrapped, 4 already")

    only_new = _other_app(app, new_key)
    try:
        c = _client(only_new, user)
        for n, case in enumerate(cases):
            assert f"Narrative number {n}." in page(c, f"/cases/{case.public_id}")
        c.post(f"/cases/{cases[0].public_id}/comments", data={"body": "Written after rotation."})
        assert "Written after rotation." in page(c, f"/cases/{cases[0].public_id}")
        with only_new.app_context():
            status = only_new.test_cli_runner().invoke(args=["keys", "status"])
        assert status.exit_code == 0 and "(configured): 4 data key(s)" in status.output
    finally:
        _dispose(only_new)
    only_old = _other_app(app, TEST_MASTER_KEY)
    try:
        with only_old.app_context(), pytest.raises(MasterKeyMismatch):
            db.session.get(Case, cases[0].id)
    finally:
        _dispose(only_old)


def test_rotation_needs_the_old_key(app):
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code != 0 and "old master key" in result.output


# --- files ----------------------------------------------------------------------------------


def _upload(client, case, content: bytes, name: str = "statement.txt") -> Document:
    response = client.post(
        f"/cases/{case.public_id}/documents/new",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    return db.session.scalars(select(Document).order_by(Document.id.desc())).first()


def _stored(app, document) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / document.storage_name


def test_uploads_are_encrypted_and_tampering_fails_before_any_byte_is_sent(app, monitor):
    case = intake(monitor)
    big = (b"Witness statement, line after line.\n" * 5000)[:200_000]  # several chunks
    first, second = _upload(monitor, case, big), _upload(monitor, case, b"Second file.\n")
    url = f"/cases/{case.public_id}/documents/{first.public_id}"
    response = monitor.get(url)
    assert response.status_code == 200 and response.get_data() == big
    assert b"Witness" not in _stored(app, first).read_bytes()
    assert stat.S_IMODE(_stored(app, first).stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(app.config["UPLOAD_DIR"]).stat().st_mode) == 0o700

    original = _stored(app, first).read_bytes()
    flipped = bytearray(original)
    flipped[len(flipped) // 2] ^= 1
    for bad in (bytes(flipped), original[:-100], original[: 39 + 65536 + 16]):
        _stored(app, first).write_bytes(bad)
        response = monitor.get(url)
        assert response.status_code == 500 and b"Witness" not in response.get_data()
    # Nor does a plaintext file put in its place.
    _stored(app, first).write_bytes(big)
    assert monitor.get(url).status_code == 500
    # A file moved under another document's name does not open either.
    _stored(app, first).write_bytes(_stored(app, second).read_bytes())
    assert monitor.get(url).status_code == 500
    _stored(app, first).write_bytes(original)
    assert monitor.get(url).get_data() == big


# --- migration and files on disk ------------------------------------------------------------


def test_migration_decrypts_on_downgrade_and_encrypts_on_upgrade(app, monitor, monkeypatch):
    from flask_migrate import downgrade, upgrade

    from casework.core import sealing

    case = intake(monitor, narrative="Narrative kept across migrations.")
    documents = [_upload(monitor, case, f"File {n} kept.\n".encode()) for n in range(2)]
    case_id, url = case.id, f"/cases/{case.public_id}"
    paths = [_stored(app, d) for d in documents]
    downloads = [f"{url}/documents/{d.public_id}" for d in documents]
    db.session.remove()

    downgrade(revision="83f04305e292")  # the revision before encryption at rest
    assert _raw("cases", "narrative", case_id) == "Narrative kept across migrations."
    assert [p.read_bytes() for p in paths] == [b"File 0 kept.\n", b"File 1 kept.\n"]
    db.session.remove()

    # The upgrade stops during the files (the values are already committed)...
    real_seal, calls = sealing.seal_file_in_place, []

    def power_cut_on_second_file(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real_seal(*args, **kwargs)

    monkeypatch.setattr(sealing, "seal_file_in_place", power_cut_on_second_file)
    with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
        upgrade()
    monkeypatch.setattr(sealing, "seal_file_in_place", real_seal)
    db.session.remove()
    assert _raw("cases", "narrative", case_id).startswith("cw1:")
    assert sorted(p.read_bytes()[:4] == b"CWF1" for p in paths) == [False, True]
    db.session.remove()

    # ...and running it again finishes the job.
    upgrade()
    assert all(p.read_bytes().startswith(b"CWF1") for p in paths)
    assert db.session.scalar(select(func.count(DataKey.id))) == 1
    db.session.remove()
    assert "Narrative kept across migrations." in page(monitor, url)
    for n, download in enumerate(downloads):
        assert monitor.get(download).get_data() == f"File {n} kept.\n".encode()


def test_a_sqlite_file_writes_ahead_to_a_log_as_private_as_itself(tmp_path):
    """SQLite files run with the write-ahead log; the log beside the file (which holds the
    latest writes until they are copied in) gets the file's own mode."""
    from sqlalchemy import create_engine, text

    from casework.core.db import prepare_sqlite_file

    db_path = tmp_path / "data" / "casework.db"
    url = f"sqlite:///{db_path}"
    prepare_sqlite_file(url)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
            conn.execute(text("INSERT INTO notes VALUES ('kept')"))
        log = db_path.with_name("casework.db-wal")
        assert log.exists() and stat.S_IMODE(log.stat().st_mode) == 0o600
        with create_engine(url).connect() as other:  # another connection reads the write
            assert other.execute(text("SELECT body FROM notes")).scalar() == "kept"
    finally:
        engine.dispose()


def test_database_file_and_key_files_are_private(tmp_path, monkeypatch):
    from casework.core.db import prepare_sqlite_file
    from config import ConfigError, DevelopmentConfig, ProductionConfig

    db_path = tmp_path / "data" / "casework.db"
    prepare_sqlite_file(f"sqlite:///{db_path}")
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700

    monkeypatch.delenv("CASEWORK_MASTER_KEY", raising=False)
    monkeypatch.delenv("CASEWORK_MASTER_KEY_FILE", raising=False)
    monkeypatch.setenv("CASEWORK_INSTANCE_DIR", str(tmp_path / "instance"))
    first = DevelopmentConfig.load()["MASTER_KEY"]
    assert DevelopmentConfig.load()["MASTER_KEY"] == first
    assert stat.S_IMODE((tmp_path / "instance" / "master_key").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "instance").stat().st_mode) == 0o700

    monkeypatch.setenv("CASEWORK_SECRET_KEY", os.urandom(24).hex())
    monkeypatch.setenv("CASEWORK_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379")
    monkeypatch.setenv("CASEWORK_REDIS_URL", "redis://127.0.0.1:6379/1")
    monkeypatch.setenv("CASEWORK_DATABASE_URL", "postgresql+psycopg://casework@127.0.0.1/casework")
    monkeypatch.setenv("CASEWORK_BLIND_INDEX_KEY", os.urandom(24).hex())
    with pytest.raises(ConfigError, match="MASTER_KEY"):
        ProductionConfig.load()
    loose = tmp_path / "loose_key"
    loose.write_text(MasterKey(os.urandom(32)).key.hex())
    loose.chmod(0o644)
    monkeypatch.setenv("CASEWORK_MASTER_KEY_FILE", str(loose))
    with pytest.raises(ConfigError, match="owner only"):
        ProductionConfig.load()
    loose.chmod(0o600)
    assert ProductionConfig.load()["MASTER_KEY"] == loose.read_text()
    monkeypatch.setenv("CASEWORK_MASTER_KEY", "too-short")
    with pytest.raises(ConfigError, match="32 random bytes"):
        ProductionConfig.load()


def test_a_change_to_an_encrypted_column_of_a_committed_row_is_written(app, make_user):
    """A committed row's attributes are expired: an encrypted value set on it is sealed with
    the row's key from its identity, and written (a service that commits, then changes the
    same record, must not fail)."""
    from tests.factories import make_case

    case = make_case(make_user(Role.MONITOR), narrative="Detained in Almaty")
    version = case.version
    case.title = "Transferred to Tashkent"  # committed: every attribute expired
    db.session.commit()
    case.act_place = "Tashkent"  # and again, on the row just written
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Case, case.id)
    assert (again.title, again.act_place) == ("Transferred to Tashkent", "Tashkent")
    assert again.narrative == "Detained in Almaty"  # the value not changed is intact
    assert again.version == version + 2
    stored = db.session.execute(
        text("SELECT title, act_place FROM cases WHERE id = :id"), {"id": case.id}
    ).one()
    assert "Tashkent" not in str(stored)


def test_a_statement_is_looked_over_for_encrypted_columns_once_per_shape(app, monkeypatch):
    """Every query of every page is checked for SQL over ciphertext: the check looks at a
    statement's shape, so one compiled (and remembered) for its shape is not looked over again
    each time it runs, whatever its values."""
    from casework.core import sealing

    walked = []
    walk = sealing._secret_columns_in
    monkeypatch.setattr(sealing, "_secret_columns_in", lambda c: walked.append(c) or walk(c))
    for n in range(5):
        db.session.execute(select(Case.id).where(Case.reference == f"KZ-{n}").order_by(Case.id))
    assert 0 < len(walked) <= 2  # its where clause and its order, once
