"""Backups: an archive restores everything it holds, and a damaged or foreign one nothing."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text

from casework.accounts.models import User
from casework.advocacy import services as advocacy
from casework.advocacy.models import AdvocacyAction
from casework.audit import chain
from casework.audit.models import AuditEntry
from casework.backups import services
from casework.backups.archive import ArchiveRefused, ForeignArchive
from casework.cases.models import Case
from casework.core.crypto import MasterKey
from casework.core.db import db
from casework.core.vocab import ActionType, Role
from casework.evidence.models import Document
from casework.evidence.services import store_document
from tests.case_helpers import intake, page
from tests.conftest import lose_everything
from tests.factories import log_in, make_case
from tests.photos import photo

FILES = [b"Court decision, page one.\n", "Показания свидетеля\n".encode() * 5000]


@pytest.fixture
def uploads(app, tmp_path, monkeypatch) -> Path:
    """An upload folder of this test's own (the session's is shared by every test)."""
    from casework.core import storage

    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    monkeypatch.setitem(app.extensions, storage.EXTENSION, storage.FileSystemStorage(folder))
    return folder


@pytest.fixture
def world(app, uploads, make_user):
    monitor = make_user(Role.MONITOR)
    client = log_in(app.test_client(), monitor)
    case = intake(client, narrative="Taken from his flat at night; kept after restore.")
    for n, content in enumerate(FILES):
        response = client.post(
            f"/cases/{case.public_id}/documents/new",
            data={"file": (io.BytesIO(content), f"file{n}.txt"), "description": "Statement"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
    db.session.expire_all()
    return {"email": monitor.email, "case_id": case.id, "url": f"/cases/{case.public_id}"}


def _counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()  # noqa: S608
            for name in inspect(conn).get_table_names()
        }


def _checksums(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_backup_wipe_restore_gives_back_every_row_and_file(app, world, uploads, tmp_path):
    rows, files = _counts(), _checksums(uploads)
    assert len(files) == 2 and rows["cases"] == 1
    archive = tmp_path / "casework.cwbackup"

    manifest = services.create_backup(archive)
    assert manifest.row_counts == rows
    assert manifest.alembic_revision == services.head_revision()
    assert {m[len("uploads/") :] for m in manifest.upload_members} == set(files)
    assert os.stat(archive).st_mode & 0o077 == 0
    raw = archive.read_bytes()
    assert b"Taken from his flat" not in raw and b"Court decision" not in raw
    assert services.verify_backup(archive).row_counts == rows

    lose_everything(uploads)
    assert _counts()["cases"] == 0 and _checksums(uploads) == {}
    services.restore_backup(archive)

    # Every row is back; the audit trail has one entry more: the restore itself.
    assert _counts() == rows | {"audit_entries": rows["audit_entries"] + 1}
    assert _checksums(uploads) == files
    assert chain.verify(db.session).ok
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions[-1] == "backup.restored" and "backup.created" not in actions

    # The case file reads: encrypted values decrypt, the page shows them, files download.
    assert db.session.get(Case, world["case_id"]).narrative.startswith("Taken from his flat")
    monitor = db.session.scalar(select(User).where(User.email == world["email"]))
    client = log_in(app.test_client(), monitor)
    assert "Taken from his flat at night" in page(client, world["url"])
    downloads = [
        client.get(f"{world['url']}/documents/{d.public_id}").get_data()
        for d in db.session.scalars(select(Document).where(Document.case_id == world["case_id"]))
    ]
    assert sorted(downloads) == sorted(FILES)


def test_cli_round_trip_and_exit_codes(app, world, uploads, tmp_path):
    runner = app.test_cli_runner()
    archive = tmp_path / "cli.cwbackup"
    result = runner.invoke(args=["backup", "create", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "backup.created"))
    # Never over an existing file.
    result = runner.invoke(args=["backup", "create", str(archive)])
    assert result.exit_code == 1 and "never overwrites" in result.output

    result = runner.invoke(args=["backup", "verify", str(archive)])
    assert result.exit_code == 0 and "Backup intact" in result.output

    # The database holds data: refused (exit 2) and nothing changes...
    before = _counts()
    result = runner.invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 2 and "not empty" in result.output
    assert _counts() == before
    # ...an empty database with files left in the upload folder is refused too...
    lose_everything(uploads)
    (uploads / "stray").write_bytes(b"x")
    result = runner.invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 2 and "upload folder" in result.output
    (uploads / "stray").unlink()
    # ...and into an empty one it restores.
    result = runner.invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert _counts()["cases"] == 1
    # --force replaces a database that holds data.
    result = runner.invoke(args=["backup", "restore", "--force", str(archive)])
    assert result.exit_code == 0, result.output
    assert _counts()["cases"] == 1 and len(_checksums(uploads)) == 2


def _damaged(archive: Path, how: str) -> Path:
    data = bytearray(archive.read_bytes())
    if how == "truncated":
        data = data[: len(data) - 100]
    elif how == "truncated_at_chunk":
        # Exactly after a whole chunk: only the missing "last chunk" flag can tell.
        body = data.index(b"\n", data.index(b"\n") + 1) + 1
        cut = body + 39 + 3 * (64 * 1024 + 16)
        assert len(data) > cut + 64 * 1024
        data = data[:cut]
    elif how == "altered_byte":
        data[len(data) // 2] ^= 0x01
    elif how == "altered_last_byte":
        data[-1] ^= 0x80
    elif how == "altered_header":
        at = data.index(b'"created_at": "') + len(b'"created_at": "')
        data[at] = ord("1") if data[at] != ord("1") else ord("2")
    damaged = archive.with_name(f"{how}.cwbackup")
    damaged.write_bytes(bytes(data))
    return damaged


@pytest.mark.parametrize(
    "how",
    ["truncated", "truncated_at_chunk", "altered_byte", "altered_last_byte", "altered_header"],
)
def test_damaged_archive_is_refused_before_anything_changes(app, world, uploads, tmp_path, how):
    archive = tmp_path / "good.cwbackup"
    services.create_backup(archive)
    damaged = _damaged(archive, how)
    with pytest.raises(ArchiveRefused):
        services.verify_backup(damaged)
    result = app.test_cli_runner().invoke(args=["backup", "verify", str(damaged)])
    assert result.exit_code == 1 and "REFUSED" in result.output

    lose_everything(uploads)
    empty = _counts()
    with pytest.raises(ArchiveRefused):
        services.restore_backup(damaged)
    assert _counts() == empty and _checksums(uploads) == {}
    assert not [p for p in uploads.parent.iterdir() if p.name.startswith(".restore-")]
    # The intact archive still restores.
    services.restore_backup(archive)
    assert _counts()["cases"] == 1


def test_foreign_archive_is_refused(app, world, uploads, tmp_path):
    foreign_key = MasterKey(os.urandom(32))
    foreign = tmp_path / "foreign.cwbackup"
    services.create_backup(foreign, master=foreign_key)
    with pytest.raises(ForeignArchive, match=foreign_key.id):
        services.verify_backup(foreign)
    lose_everything(uploads)
    with pytest.raises(ForeignArchive):
        services.restore_backup(foreign)
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(foreign)])
    assert result.exit_code == 1 and "does not have" in result.output

    # Relabelled with this installation's key id, it fails authentication instead.
    ours = services.keyring().master.id
    relabelled = tmp_path / "relabelled.cwbackup"
    relabelled.write_bytes(foreign.read_bytes().replace(foreign_key.id.encode(), ours.encode(), 1))
    with pytest.raises(ArchiveRefused, match="failed authentication"):
        services.restore_backup(relabelled)
    assert _counts()["cases"] == 0 and _checksums(uploads) == {}


def test_not_an_archive_is_refused(app, uploads, tmp_path):
    bogus = tmp_path / "bogus.cwbackup"
    bogus.write_bytes(b"PK\x03\x04 not a backup")
    with pytest.raises(ArchiveRefused, match="not a Casework backup"):
        services.verify_backup(bogus)


def test_scheduled_backups_keep_the_newest(app, world, tmp_path, monkeypatch):
    folder = tmp_path / "backups"
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(folder))
    monkeypatch.setitem(app.config, "BACKUP_KEEP", 2)
    made = [services.create_scheduled_backup() for _ in range(3)]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in made[1:])
    (folder / "notes.txt").write_text("not an archive")
    old = folder / "casework-20200101T000000Z.cwbackup"
    old.write_bytes(b"old")
    result = app.test_cli_runner().invoke(args=["backup", "prune", str(folder), "--keep", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted([made[2].name, "notes.txt"])
    # By age: the newest archive stays whatever its age.
    assert services.prune_backups(folder, keep_days=0) == []
    result = app.test_cli_runner().invoke(args=["backup", "prune", str(folder)])
    assert result.exit_code == 1 and "--keep" in result.output


def test_archive_of_a_newer_schema_is_refused(app, world, uploads, tmp_path):
    archive = tmp_path / "newer.cwbackup"
    head = services.head_revision()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    try:
        services.create_backup(archive)
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    lose_everything(uploads)
    with pytest.raises(services.BackupError, match="newer than this version"):
        services.restore_backup(archive)
    assert _counts()["cases"] == 0 and _checksums(uploads) == {}


# --- PostgreSQL: extensions belong to the database, not to the archive -------------------------

TOC = """;
; Archive created at 2026-11-29 10:00:00 UTC
;
2; 3079 16385 EXTENSION - pg_trgm
3395; 0 0 COMMENT - EXTENSION pg_trgm
215; 1259 16390 TABLE public cases casework
216; 1259 16391 TABLE public extension_notes casework
3388; 0 16390 TABLE DATA public cases casework
3245; 1259 16400 INDEX public ix_cases_reference_trgm casework
3246; 1259 16401 INDEX public ix_cases_former_reference casework
"""


@pytest.mark.parametrize("trigrams", [True, False])
def test_a_restore_never_touches_extensions_and_skips_what_needs_a_missing_one(trigrams):
    kept = services.restore_list(TOC, trigrams=trigrams)
    assert "EXTENSION" not in kept  # neither the extension nor its comment (owner only)
    assert "TABLE public extension_notes" in kept and "TABLE DATA public cases" in kept
    assert "ix_cases_former_reference" in kept
    assert ("ix_cases_reference_trgm" in kept) is trigrams


def test_a_restore_drops_the_tables_of_a_newer_schema_than_the_archives():
    # Built by this version, the database has a table the older archive does not: --clean
    # would leave it, and its foreign keys would stop the drop of the tables it points at.
    present = ["cases", "document_cases", "extension_notes"]
    assert services.tables_not_in_dump(TOC, present) == ["document_cases"]
    assert services.tables_not_in_dump(TOC, ["cases", "extension_notes"]) == []
    # Only the tables of the database's own schema count.
    elsewhere = TOC.replace("TABLE public", "TABLE other")
    assert services.tables_not_in_dump(elsewhere, ["cases"], "other") == []


@pytest.mark.skipif(
    "postgresql" not in (os.environ.get("CASEWORK_TEST_DATABASE_URL") or ""),
    reason="PostgreSQL's pg_trgm",
)
def test_a_restore_where_pg_trgm_cannot_be_installed_goes_on_without_its_index(
    app, world, uploads, tmp_path, monkeypatch
):
    def indexes() -> set[str]:
        return {i["name"] for i in inspect(db.engine).get_indexes("cases")}

    assert "ix_cases_reference_trgm" in indexes()
    archive = tmp_path / "casework.cwbackup"
    services.create_backup(archive)
    rows = _counts()
    lose_everything(uploads)
    monkeypatch.setattr(services, "_install_trigrams", lambda: False)
    try:
        services.restore_backup(archive)
        assert "ix_cases_reference_trgm" not in indexes()
        assert _counts()["cases"] == rows["cases"]
        assert db.session.get(Case, world["case_id"]).narrative.startswith("Taken from his flat")
    finally:
        db.session.remove()
        downgrade(revision="e2a7c4f9b6d1")
        upgrade()
    assert "ix_cases_reference_trgm" in indexes()


@pytest.mark.skipif(
    "postgresql" not in (os.environ.get("CASEWORK_TEST_DATABASE_URL") or ""),
    reason="PostgreSQL's pg_restore",
)
def test_a_failed_restore_leaves_the_database_as_it_was_with_the_tables_of_a_newer_schema(
    app, world, uploads, tmp_path
):
    """The tables the archive has none of were dropped in a transaction of their own before
    pg_restore's: a restore that then failed (here a view of the installation's own on a
    restored table stops --clean from dropping it) left the database without them. The drops
    and the restore are one transaction: a failure changes nothing."""
    archive = tmp_path / "casework.cwbackup"
    services.create_backup(archive)
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE newer_notes (id integer PRIMARY KEY)"))
        conn.execute(text("INSERT INTO newer_notes VALUES (1)"))
        conn.execute(text("CREATE VIEW reference_view AS SELECT id FROM cases"))
    before = _counts()
    try:
        with pytest.raises(services.BackupError, match="cannot drop table public.cases"):
            services.restore_backup(archive, force=True)
        db.session.remove()
        assert "newer_notes" in inspect(db.engine).get_table_names()
        assert _counts() == before
    finally:
        db.session.remove()
        with db.engine.begin() as conn:
            conn.execute(text("DROP VIEW IF EXISTS reference_view"))
            conn.execute(text("DROP TABLE IF EXISTS newer_notes"))


def _trail(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        )
    )


def _trail_last() -> AuditEntry:
    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()


def test_a_verification_is_on_the_audit_trail_whatever_its_outcome(
    app, world, uploads, tmp_path, make_user
):
    archive = tmp_path / "checked.cwbackup"
    services.create_backup(archive)
    result = app.test_cli_runner().invoke(args=["backup", "verify", str(archive)])
    assert result.exit_code == 0, result.output
    damaged = _damaged(archive, "altered_byte")
    with pytest.raises(ArchiveRefused):
        services.verify_backup(damaged)
    foreign = tmp_path / "foreign.cwbackup"
    services.create_backup(foreign, master=MasterKey(os.urandom(32)))
    with pytest.raises(ForeignArchive):
        services.verify_backup(foreign)

    [verified] = _trail("backup.verified")
    assert verified.details["archive"] == "checked.cwbackup"
    assert [e.details["foreign"] for e in _trail("backup.refused")] == [False, True]
    admin = log_in(app.test_client(), make_user(Role.ADMIN))
    trail = page(admin, "/admin/audit")
    assert "checked the backup checked.cwbackup" in trail and "intact" in trail
    assert "refused, it is damaged, truncated or altered" in trail
    assert "refused, it was made under a master key" in trail
    assert str(tmp_path) not in trail  # the archive's name, never where it lies


def test_a_scheduled_backup_is_read_back_before_the_job_ends(app, world, tmp_path, monkeypatch):
    folder = tmp_path / "backups"
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(folder))
    made = services.create_scheduled_backup()
    [verified] = _trail("backup.verified")
    assert verified.details["archive"] == made.name

    # An archive that does not read back fails the backup, loudly.
    def written_damaged(out, **kwargs):
        manifest = real_create(out, **kwargs)
        out.write_bytes(out.read_bytes()[:-10])
        return manifest

    real_create = services.create_backup
    monkeypatch.setattr(services, "create_backup", written_damaged)
    with pytest.raises(services.BackupError, match="does not verify"):
        services.create_scheduled_backup()
    assert len(_trail("backup.refused")) == 1
    assert [p.name for p in folder.iterdir()] == [made.name]  # retention keeps the good one


# --- documents' cases and location flag, at head and from the schema before them --------------

# The revision before documents kept their action's cases (document_cases) and whether their
# file records where it was taken (documents.records_location).
BEFORE_DOCUMENT_CASES = "c4e8b2f6a1d3"


def _documents_world(make_user):
    """An urgent appeal about two cases (a photo with GPS coordinates and a letter attached,
    then one case unlinked), a thematic action with a statement, a case's own document, and a
    document stored before the location was checked (``records_location`` NULL)."""
    coordinator = make_user(Role.COORDINATOR)
    first, second, third = (make_case(coordinator) for _ in range(3))

    def action(title: str, cases: list[Case]):
        data = advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title=title,
            case_references=[c.reference for c in cases],
        )
        return advocacy.create_action(coordinator, data)

    appeal = action("Joint appeal", [first, second])
    thematic = action("Thematic statement", [])

    def store(content: bytes, name: str, **where):
        return store_document(coordinator, io.BytesIO(content), name, **where)

    docs = {
        "photo": store(photo(gps=True), "IMG_0412.jpg", action=appeal),
        "letter": store(b"Letter to the Special Rapporteur\n", "letter.txt", action=appeal),
        "statement": store(b"Statement\n", "statement.txt", action=thematic),
        "decision": store(b"Court decision\n", "decision.txt", case=third),
        "legacy": store(b"Stored long ago\n", "old.txt", case=first),
    }
    db.session.flush()
    # Unlinked after the attachments: the documents keep both cases, the action has one.
    appeal.cases.remove(second)
    db.session.commit()
    ids = {name: d.id for name, d in docs.items()}
    cases = {"first": first.id, "second": second.id, "third": third.id}
    user_id = coordinator.id
    db.session.remove()
    with db.engine.begin() as conn:
        legacy = "UPDATE documents SET records_location = NULL WHERE id = :i"
        conn.execute(text(legacy), {"i": ids["legacy"]})
    return user_id, ids, cases


def _document_cases() -> list[tuple[int, int]]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT document_id, case_id FROM document_cases"))
        return sorted((r[0], r[1]) for r in rows)


def _records_location() -> dict[int, bool | None]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, records_location FROM documents"))
        return {r[0]: None if r[1] is None else bool(r[1]) for r in rows}


def _revision() -> str:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_a_backup_at_head_keeps_documents_cases_and_location_flags(
    app, uploads, tmp_path, make_user
):
    _user, ids, cases = _documents_world(make_user)
    attached = _document_cases()
    # Kept as attached: both cases, though the appeal now has only the first.
    assert (ids["photo"], cases["second"]) in attached
    assert _records_location() == {
        ids["photo"]: True,
        ids["letter"]: False,
        ids["statement"]: False,
        ids["decision"]: False,
        ids["legacy"]: None,
    }
    flags = _records_location()
    archive = tmp_path / "head.cwbackup"
    services.create_backup(archive)
    lose_everything(uploads)
    assert _document_cases() == [] and _records_location() == {}

    services.restore_backup(archive)
    assert _document_cases() == attached
    assert _records_location() == flags


def test_an_archive_from_before_documents_cases_restores_then_upgrades_as_the_migration_does(
    app, uploads, tmp_path, make_user
):
    """An archive of the schema before document_cases and records_location, restored into a
    database built by this version: the restore upgrades it, and the upgrade gives each
    action's document the cases its action has, and every document an unknown location flag.
    The restore left the schema for the operator to upgrade and wrote no ``backup.restored``
    entry: nothing on the trail said the data had been replaced. It is written after the
    upgrade, into the restored database, as for an archive at this version's schema."""
    user_id, ids, cases = _documents_world(make_user)
    runner = app.test_cli_runner()
    archive = tmp_path / "older.cwbackup"
    downgrade(revision=BEFORE_DOCUMENT_CASES)
    try:
        with db.engine.connect() as conn:
            documents = conn.execute(text("SELECT COUNT(*) FROM documents")).scalar_one()
        result = runner.invoke(args=["backup", "create", str(archive)])
    finally:
        db.session.remove()
        upgrade()
    assert result.exit_code == 0, result.output
    assert f"revision {BEFORE_DOCUMENT_CASES}" in result.output
    assert documents == len(ids)

    lose_everything(uploads)
    result = runner.invoke(args=["backup", "restore", str(archive)])
    try:
        assert result.exit_code == 0, result.output
        assert f"upgraded from revision {BEFORE_DOCUMENT_CASES}" in result.output
        assert _revision() == services.head_revision()
    finally:
        db.session.remove()
        upgrade()
    [restored] = _trail("backup.restored")
    assert restored == _trail_last()

    # The appeal has the first case now: its documents are given that one; the thematic
    # statement and the cases' own documents none.
    assert _document_cases() == sorted(
        [(ids["photo"], cases["first"]), (ids["letter"], cases["first"])]
    )
    assert _records_location() == dict.fromkeys(ids.values())
    # The restored installation works: the appeal's photo downloads, whole.
    user = db.session.get(User, user_id)
    client = log_in(app.test_client(), user)
    photo_doc = db.session.get(Document, ids["photo"])
    action = db.session.get(AdvocacyAction, photo_doc.action_id)
    response = client.get(f"/advocacy/actions/{action.public_id}/documents/{photo_doc.public_id}")
    assert response.status_code == 200
    assert hashlib.sha256(response.get_data()).hexdigest() == photo_doc.sha256
    response.close()
    assert chain.verify(db.session).ok
