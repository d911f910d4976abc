"""Backups: create, verify and restore one encrypted archive; keep the last few.

A backup is a consistent snapshot of the database (SQLite: the online backup API; PostgreSQL:
``pg_dump`` in custom format, inside the same snapshot as the row counts) and of the upload
folder's files, written as one archive encrypted under a key derived from the master key
(format in ``casework.backups.archive``). A restore needs the master key the archive was made
under: without it, neither the archive nor the data inside it can be read.

``create_scheduled_backup()`` is the plain function a scheduler runs: a timestamped archive in
``BACKUP_DIR``, then retention (``BACKUP_KEEP``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404  # nosec B404  (pg_dump / pg_restore, fixed arguments, no shell)
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

import casework
from casework.audit.services import record
from casework.backups.archive import (
    PGDUMP_MEMBER,
    SQLITE_MEMBER,
    UPLOADS_PREFIX,
    ArchiveRefused,
    ForeignArchive,
    Manifest,
    Member,
    file_sha256,
    read_archive,
    read_header,
    write_archive,
)
from casework.core.crypto import MasterKey
from casework.core.db import OPTIONAL_INDEXES, SQLITE_SEARCH_TABLES, db, utcnow
from casework.core.keyring import keyring

__all__ = [
    "ArchiveRefused",
    "BackupError",
    "ForeignArchive",
    "TargetNotEmpty",
    "create_backup",
    "create_scheduled_backup",
    "prune_backups",
    "restore_backup",
    "verify_backup",
]

SUFFIX = ".cwbackup"
_NAME_RE = re.compile(r"^casework-(\d{8}T\d{6}Z)(?:-(\d+))?\.cwbackup$")
# Never in a backup and never in the way of a restore: the import page's short-lived staging
# folder, and temporary files (a dot first) of uploads being written.
_STAGING_DIRS = ("imports",)
_VERSION_TABLE = "alembic_version"
# What `flask db upgrade` writes into a new database by itself: not data a restore would lose.
_SCHEMA_ONLY_TABLES = (_VERSION_TABLE, "audit_chain_head", "data_keys")


class BackupError(Exception):
    """A backup or restore could not be done (the message says why, and names no data)."""


class TargetNotEmpty(BackupError):
    """A restore was asked into a database or upload folder that holds data."""


# --- what is where --------------------------------------------------------------------------


def _upload_dir() -> Path:
    """The folder of the attachment store. A bucket (``s3://``) is backed up by its own
    tools: the files in it are sealed already, and an archive cannot hold a bucket."""
    from casework.core.storage import FileSystemStorage, storage

    store = storage()
    if not isinstance(store, FileSystemStorage):
        raise BackupError(
            "The attachment store is a bucket (CASEWORK_STORAGE_URL=s3://...): this command backs "
            "up a folder store only; back up the database with pg_dump and the bucket with its "
            "own tools."
        )
    return store.root


def upload_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """(name relative to the folder, path) of every stored file, staging and temporary excluded."""
    if not folder.is_dir():
        return
    for root, dirs, files in os.walk(folder):
        rel_root = Path(root).relative_to(folder)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d not in _STAGING_DIRS]
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if not name.startswith(".") and path.is_file() and not path.is_symlink():
                yield (rel_root / name).as_posix(), path


def _master_lookup(master_key_id: str) -> MasterKey | None:
    return keyring().master_by_id(master_key_id)


def _private_tempdir(near: Path, prefix: str) -> Path:
    near.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Path(tempfile.mkdtemp(dir=near, prefix=prefix))


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's variables for ``url``: the password never appears on a command line."""
    env = dict(os.environ)
    for var, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[var] = str(value)
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if key in url.query:
            env[var] = str(url.query[key])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found on PATH (install the PostgreSQL client tools)")
    return found


def _run(args: list[str], url: URL) -> str:
    done = subprocess.run(  # noqa: S603  # nosec B603  (fixed program and arguments)
        args, env=_pg_env(url), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        # libpq and pg_dump messages name objects and connection problems, not row values.
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def _count_rows(conn: Connection, tables: list[str]) -> dict[str, int]:
    preparer = conn.dialect.identifier_preparer
    return {
        name: conn.execute(text(f"SELECT COUNT(*) FROM {preparer.quote(name)}")).scalar_one()  # noqa: S608  # nosec B608
        for name in tables
    }


def _revision(conn: Connection, tables: list[str]) -> str | None:
    if _VERSION_TABLE not in tables:
        return None
    return conn.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalar()  # noqa: S608  # nosec B608


def _data_key_ids(conn: Connection, tables: list[str]) -> list[str]:
    if "data_keys" not in tables:
        return []
    return list(conn.execute(text("SELECT id FROM data_keys ORDER BY id")).scalars())


# --- create ---------------------------------------------------------------------------------


@dataclass
class _Snapshot:
    member: Member
    row_counts: dict[str, int]
    revision: str | None
    data_key_ids: list[str]


def _snapshot_sqlite(work: Path) -> _Snapshot:
    dest = work / "casework.sqlite3"
    target = sqlite3.connect(dest)
    raw = db.engine.raw_connection()
    try:
        raw.driver_connection.backup(target)  # type: ignore[union-attr]
    finally:
        raw.close()
        target.close()
    os.chmod(dest, 0o600)
    # Counted in the copy itself, so the counts are those of the snapshot.
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{dest}")
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            counts = _count_rows(conn, tables)
            revision = _revision(conn, tables)
            key_ids = _data_key_ids(conn, tables)
    finally:
        engine.dispose()
    size, digest = file_sha256(dest)
    return _Snapshot(Member(SQLITE_MEMBER, dest, size, digest), counts, revision, key_ids)


def _snapshot_postgresql(work: Path) -> _Snapshot:
    dest = work / "casework.pgdump"
    url = db.engine.url
    pg_dump = _tool("pg_dump")
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            # pg_dump reads the very snapshot the counts are taken in.
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = sorted(inspect(conn).get_table_names())
            counts = _count_rows(conn, tables)
            revision = _revision(conn, tables)
            key_ids = _data_key_ids(conn, tables)
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dest}"], url)
    os.chmod(dest, 0o600)
    size, digest = file_sha256(dest)
    return _Snapshot(Member(PGDUMP_MEMBER, dest, size, digest), counts, revision, key_ids)


def create_backup(out: Path, *, master: MasterKey | None = None) -> Manifest:
    """Write a backup archive to ``out`` (never overwritten); returns its manifest.

    The archive appears under its name only once complete (written beside it, then renamed).
    ``master`` defaults to the configured master key.
    """
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} exists; a backup never overwrites a file")
    master = master or keyring().master
    db.session.commit()  # nothing of this session's is pending while the snapshot is taken
    dialect = db.engine.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of {dialect} databases are not supported")
    work = _private_tempdir(out.parent, ".backup-")
    try:
        # The database first: every file a row of the snapshot names is already on disk.
        snap = _snapshot_sqlite(work) if dialect == "sqlite" else _snapshot_postgresql(work)
        members = [snap.member]
        for name, path in upload_files(_upload_dir()):
            size, digest = file_sha256(path)
            members.append(Member(UPLOADS_PREFIX + name, path, size, digest))
        manifest = Manifest(
            created_at=utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
            dialect=dialect,
            alembic_revision=snap.revision,
            master_key_id=master.id,
            row_counts=snap.row_counts,
            members={m.name: {"size": m.size, "sha256": m.sha256} for m in members},
            data_key_ids=snap.data_key_ids,
            casework_version=casework.__version__,
        )
        partial = work / "archive.partial"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            write_archive(fh, master, manifest, members)
            fh.flush()
            os.fsync(fh.fileno())
        # A link, not a rename: an archive that appeared meanwhile under the name is kept.
        try:
            os.link(partial, out)
        except FileExistsError as exc:
            raise BackupError(f"{out} exists; a backup never overwrites a file") from exc
        except OSError:  # a file system without hard links
            if out.exists():
                raise BackupError(f"{out} exists; a backup never overwrites a file") from None
            os.replace(partial, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    record(
        None,
        "backup.created",
        object_type="backup",
        tables=len(manifest.row_counts),
        files=len(manifest.upload_members),
        bytes=out.stat().st_size,
    )
    db.session.commit()
    return manifest


# --- verify ---------------------------------------------------------------------------------


def verify_backup(path: Path) -> Manifest:
    """Authenticate the whole archive and check every checksum; raises ``ArchiveRefused``.

    Either way the audit trail records it (``backup.verified`` or ``backup.refused``, with the
    archive's file name), so an administrator sees when a backup was last known to restore.
    """
    path = Path(path)
    try:
        manifest = read_archive(path, _master_lookup)
    except ArchiveRefused as exc:
        record(
            None,
            "backup.refused",
            object_type="backup",
            archive=path.name[:120],
            foreign=isinstance(exc, ForeignArchive),
        )
        db.session.commit()
        raise
    record(
        None,
        "backup.verified",
        object_type="backup",
        archive=path.name[:120],
        created_at=manifest.created_at,
        tables=len(manifest.row_counts),
        files=len(manifest.upload_members),
    )
    db.session.commit()
    return manifest


# --- restore --------------------------------------------------------------------------------


def _data_tables() -> list[str]:
    # SQLite's search tables index other tables' rows: they hold no data of their own.
    return sorted(
        t
        for t in inspect(db.engine).get_table_names()
        if t not in _SCHEMA_ONLY_TABLES and not t.startswith(SQLITE_SEARCH_TABLES)
    )


def database_has_data() -> bool:
    """Whether any table holds a row (besides what the migrations of a new database write)."""
    preparer = db.engine.dialect.identifier_preparer
    with db.engine.connect() as conn:
        return any(
            conn.execute(text(f"SELECT 1 FROM {preparer.quote(t)} LIMIT 1")).first()  # noqa: S608  # nosec B608
            for t in _data_tables()
        )


def uploads_have_files() -> bool:
    return any(True for _ in upload_files(_upload_dir()))


def _release_connections() -> None:
    db.session.remove()
    db.engine.dispose()


def _restore_sqlite(dump: Path) -> None:
    source = sqlite3.connect(dump)
    raw = db.engine.raw_connection()
    try:
        # Page by page into the live database, in one step: the whole file is replaced.
        source.backup(raw.driver_connection)  # type: ignore[arg-type]
    finally:
        raw.close()
        source.close()


# The extension the optional indexes need (``casework.core.db.OPTIONAL_INDEXES``).
TRIGRAM_EXTENSION = "pg_trgm"


def _install_trigrams() -> bool:
    """Install pg_trgm in this database where the account may; whether it is there."""
    try:
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS {TRIGRAM_EXTENSION}")
    except DBAPIError:
        return False
    return True


def restore_list(toc: str, *, trigrams: bool) -> str:
    """The entries of a dump's table of contents (``pg_restore --list``) to restore.

    Extensions belong to the database, not to the archive: dropping, creating or commenting
    one needs its owner, who may not be the account restoring (a superuser may have installed
    it). So no extension entry is restored; pg_trgm is installed beforehand where the account
    may (``_install_trigrams``), and where it may not, the optional indexes that need it are
    left out, as the migration leaves them out (the reference filter then reads every
    reference)."""
    kept = []
    for line in toc.splitlines():
        # "<id>; <class oid> <oid> <type and name> <owner>", e.g. "EXTENSION - pg_trgm" or
        # "INDEX public ix_cases_reference_trgm casework"; lines of comments start with ";".
        entry = " ".join(line.split()[3:])
        if entry.startswith(("EXTENSION ", "COMMENT - EXTENSION ")):
            continue
        if not trigrams and entry.startswith("INDEX ") and set(entry.split()) & OPTIONAL_INDEXES:
            continue
        kept.append(line)
    return "\n".join(kept) + "\n"


def tables_not_in_dump(toc: str, present: list[str], schema: str = "public") -> list[str]:
    """The tables of ``present`` (in ``schema``) that a dump's table of contents does not hold.

    ``pg_restore --clean`` drops and recreates only the archive's own objects: a table of a
    newer schema (the database built by this version, the archive older) would stay behind,
    its foreign keys stopping the drop of the archive's tables it points at, and the upgrade
    after the restore would find it already there."""
    dumped = set()
    for line in toc.splitlines():
        entry = line.split()[3:]
        if entry[:2] == ["TABLE", schema] and len(entry) >= 3:
            dumped.add(entry[2])
    return sorted(t for t in present if t not in dumped)


def _drop_statements(names: list[str], schema: str) -> str:
    """SQL dropping the tables ``names`` of ``schema`` (with what depends on them)."""
    quote = db.engine.dialect.identifier_preparer.quote
    return "".join(f"DROP TABLE IF EXISTS {quote(schema)}.{quote(n)} CASCADE;\n" for n in names)


# psql's lines that may quote a row's values (a failed COPY's line, a key's value): left out of
# what a failed restore says.
_VALUE_LINES = ("CONTEXT:", "DETAIL:", "LINE ")


def _restore_in_one_transaction(restore: list[str], psql: list[str], url: URL, before: str) -> None:
    """Run ``before`` (SQL) and the script ``restore`` writes (``pg_restore`` without a
    database) through ``psql`` in one transaction, committed only when both went through: a
    failure of either, at any point, leaves the database as it was."""
    env = _pg_env(url)
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        reader = subprocess.Popen(  # noqa: S603  # nosec B603  (fixed program and arguments)
            restore, env=env, stdout=subprocess.PIPE, stderr=restore_err
        )
        writer = subprocess.Popen(  # noqa: S603  # nosec B603  (fixed program and arguments)
            psql, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err
        )
        if reader.stdout is None or writer.stdin is None:  # pragma: no cover (both are pipes)
            raise BackupError("the restore's pipes could not be opened")
        try:
            writer.stdin.write(f"BEGIN;\n{before}".encode())
            shutil.copyfileobj(reader.stdout, writer.stdin, 1 << 16)
            # The script is whole only if pg_restore ended well: only then is it committed;
            # otherwise psql reaches the end of its input inside the transaction, which its
            # connection's end rolls back.
            if reader.wait() == 0:
                writer.stdin.write(b"COMMIT;\n")
        except BrokenPipeError:
            pass  # psql stopped at an error: the transaction is rolled back
        finally:
            reader.stdout.close()
            with contextlib.suppress(BrokenPipeError):
                writer.stdin.close()
            if reader.poll() is None:
                reader.kill()  # psql stopped early: the rest of the script is not needed
            reader.wait()
            writer.wait()
        for done, err, name in ((reader, restore_err, restore[0]), (writer, psql_err, psql[0])):
            if done.returncode != 0:
                err.seek(0)
                said = [
                    line
                    for line in err.read().decode(errors="replace").splitlines()
                    if not line.lstrip().startswith(_VALUE_LINES)
                ]
                raise BackupError(
                    f"{Path(name).name} failed, nothing was changed: "
                    f"{chr(10).join(said).strip()[-2000:]}"
                )


def _restore_postgresql(dump: Path) -> None:
    url = db.engine.url
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    toc = _run([pg_restore, "--list", str(dump)], url)
    listing = dump.with_suffix(".list")
    listing.write_text(restore_list(toc, trigrams=_install_trigrams()))
    # The database is replaced: what the archive has no table for goes too, in the restore's
    # own transaction (dropped apart, a failed restore would have left them gone).
    target = inspect(db.engine)
    schema = target.default_schema_name or "public"
    drops = _drop_statements(tables_not_in_dump(toc, target.get_table_names(), schema), schema)
    _restore_in_one_transaction(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            f"--use-list={listing}",
            "--file=-",
            str(dump),
        ],
        [psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={url.database}"],
        url,
        drops,
    )


def restore_backup(path: Path, *, force: bool = False) -> Manifest:
    """Restore an archive into this installation's database and upload folder.

    Refused (``ArchiveRefused``) when the archive is damaged, truncated, altered, or made under
    another master key, and (``TargetNotEmpty``) when the database or the upload folder holds
    data, unless ``force``: then the database is replaced and files of the same name
    overwritten. Nothing is changed before the whole archive has been authenticated and every
    checksum checked.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        header, _ = read_header(fh)
    if _master_lookup(header.master_key_id) is None:
        read_archive(path, _master_lookup)  # raises ForeignArchive with the full explanation
    dialect = db.engine.dialect.name
    if not force:
        if database_has_data():
            raise TargetNotEmpty(
                "the database is not empty: restore into a new, empty database "
                "(or give --force to replace everything in it)"
            )
        if uploads_have_files():
            raise TargetNotEmpty(
                f"the upload folder {_upload_dir()} holds files: restore into an empty one "
                "(or give --force)"
            )

    def restorable(manifest: Manifest) -> None:
        if manifest.dialect != dialect:
            raise BackupError(
                f"the archive holds a {manifest.dialect} database; this installation uses {dialect}"
            )
        if not known_revision(manifest.alembic_revision):
            raise BackupError(
                f"the archive's schema (revision {manifest.alembic_revision}) is newer than "
                "this version of Casework: install the version that made it"
            )

    uploads = _upload_dir()
    staging = _private_tempdir(uploads.parent, ".restore-")
    try:
        manifest = read_archive(path, _master_lookup, extract_to=staging, check_manifest=restorable)
        # Everything is authenticated and checked: now, and only now, the target changes.
        _release_connections()
        dump = staging / manifest.database_member
        if dialect == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump)
        uploads.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name in manifest.upload_members:
            dest = uploads / name[len(UPLOADS_PREFIX) :]
            dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.replace(staging / name, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _check_restored(manifest)
    if manifest.alembic_revision != head_revision():
        _upgrade_restored(manifest)
    # Into the restored database, at this version's schema: every restore is on its trail.
    record(
        None,
        "backup.restored",
        object_type="backup",
        created_at=manifest.created_at,
        tables=len(manifest.row_counts),
        files=len(manifest.upload_members),
    )
    db.session.commit()
    return manifest


def _upgrade_restored(manifest: Manifest) -> None:
    """Bring a restored archive of an older schema to this version's, as ``flask db upgrade``
    does: the application reads no other, and the restore's audit entry is written into it."""
    from alembic import command

    _release_connections()
    try:
        command.upgrade(current_app.extensions["migrate"].migrate.get_config(), "head")
    except (CommandError, RuntimeError, SQLAlchemyError) as exc:
        _release_connections()
        # The driver's message may quote a row's values: only its kind is said.
        raise BackupError(
            f"the archive was restored at revision {manifest.alembic_revision}, but upgrading "
            f"it failed ({type(exc).__name__}): run `flask --app casework db upgrade`"
        ) from None
    _release_connections()


def _check_restored(manifest: Manifest) -> None:
    with db.engine.connect() as conn:
        counts = _count_rows(conn, sorted(manifest.row_counts))
    wrong = sorted(t for t, n in manifest.row_counts.items() if counts.get(t) != n)
    if wrong:
        raise BackupError(f"restored row counts differ from the archive's in: {', '.join(wrong)}")


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def head_revision() -> str | None:
    """The newest migration this code knows."""
    return _scripts().get_current_head()


def known_revision(revision: str | None) -> bool:
    """Whether this code's migrations include ``revision`` (None: an empty schema)."""
    if revision is None:
        return True
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


# --- retention and scheduled backups --------------------------------------------------------


def _archives(directory: Path) -> list[tuple[datetime, Path]]:
    """The archives named by ``scheduled_name``, newest first."""
    found = []
    for path in directory.iterdir() if directory.is_dir() else ():
        match = _NAME_RE.match(path.name)
        if match and path.is_file():
            stamp = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            found.append((stamp, int(match.group(2) or 1), path))
    return [(stamp, path) for stamp, _n, path in sorted(found, reverse=True)]


def prune_backups(
    directory: Path, *, keep: int | None = None, keep_days: int | None = None
) -> list[Path]:
    """Delete the older archives named ``casework-<timestamp>.cwbackup`` in ``directory``.

    Kept: the ``keep`` newest, and every archive younger than ``keep_days`` days; the newest
    archive is always kept. Other files are never touched. Returns what was deleted.
    """
    if keep is None and keep_days is None:
        raise BackupError("say how many archives to keep (--keep) or for how long (--keep-days)")
    if (keep is not None and keep < 1) or (keep_days is not None and keep_days < 0):
        raise BackupError("--keep must be at least 1 and --keep-days at least 0")
    archives = _archives(Path(directory))
    cutoff = utcnow() - timedelta(days=keep_days) if keep_days is not None else None
    deleted = []
    for index, (stamp, path) in enumerate(archives):
        by_count = keep is not None and index < keep
        by_age = cutoff is not None and stamp >= cutoff
        if index == 0 or by_count or by_age:
            continue
        path.unlink()
        deleted.append(path)
    return deleted


def scheduled_name(directory: Path) -> Path:
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    candidate = directory / f"casework-{stamp}{SUFFIX}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = directory / f"casework-{stamp}-{n}{SUFFIX}"
    return candidate


def create_scheduled_backup(directory: Path | str | None = None) -> Path:
    """A timestamped archive in ``directory`` (default ``BACKUP_DIR``), verified, then
    retention.

    Retention keeps the ``BACKUP_KEEP`` newest archives. Safe to call from a background job:
    it needs only an app context.
    """
    folder = Path(directory or current_app.config["BACKUP_DIR"])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    out = scheduled_name(folder)
    create_backup(out)
    # Read back at once: an archive that does not restore is no backup, and the job says so.
    # It goes, or retention would count it among the newest and drop a good one for it.
    try:
        verify_backup(out)
    except ArchiveRefused as exc:
        out.unlink(missing_ok=True)
        raise BackupError(f"the backup just written to {out.name} does not verify: {exc}") from exc
    with contextlib.suppress(BackupError):
        prune_backups(folder, keep=current_app.config["BACKUP_KEEP"])
    return out
