"""``flask --app casework backup ...``: create, verify, restore and prune backup archives.

Exit codes: 0 done; 1 the archive is refused (damaged, truncated, altered, another
installation's or master key's) or the work failed; 2 a restore target is not empty.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from casework.backups import services
from casework.backups.archive import ArchiveRefused, Manifest

backup_cli = AppGroup("backup", help="Encrypted backups: create, verify, restore, prune.")


def _summary(manifest: Manifest) -> str:
    rows = sum(manifest.row_counts.values())
    return (
        f"made {manifest.created_at}, {manifest.dialect} database at revision "
        f"{manifest.alembic_revision}, {len(manifest.row_counts)} tables, {rows} rows, "
        f"{len(manifest.upload_members)} uploaded files, master key {manifest.master_key_id}"
    )


def _fail(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    raise SystemExit(code)


@backup_cli.command("create")
@click.argument("out", type=click.Path(path_type=Path))
def create_command(out: Path) -> None:
    """Write a backup archive to OUT (a file name, or a folder to put a timestamped one in)."""
    if out.is_dir():
        out = services.scheduled_name(out)
    started = time.perf_counter()
    try:
        manifest = services.create_backup(out)
    except (services.BackupError, OSError) as exc:
        _fail(f"Backup FAILED: {exc}")
    click.echo(f"Backup written to {out} in {time.perf_counter() - started:.1f} s")
    click.echo(f"  {_summary(manifest)}")


@backup_cli.command("verify")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_command(archive: Path) -> None:
    """Check an archive without restoring it: authentication, manifest, every checksum."""
    try:
        manifest = services.verify_backup(archive)
    except ArchiveRefused as exc:
        _fail(f"Backup REFUSED: {exc}")
    click.echo(f"Backup intact: {_summary(manifest)}")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Restore even into a database or upload folder holding data: the database is "
    "replaced, files of the same name are overwritten.",
)
def restore_command(archive: Path, force: bool) -> None:
    """Restore ARCHIVE into an empty database and an empty upload folder."""
    started = time.perf_counter()
    try:
        manifest = services.restore_backup(archive, force=force)
    except ArchiveRefused as exc:
        _fail(f"Restore REFUSED, nothing was changed: {exc}")
    except services.TargetNotEmpty as exc:
        _fail(f"Restore REFUSED, nothing was changed: {exc}", code=2)
    except (services.BackupError, OSError) as exc:
        _fail(f"Restore FAILED: {exc}")
    click.echo(f"Restored in {time.perf_counter() - started:.1f} s: {_summary(manifest)}")
    head = services.head_revision()
    if manifest.alembic_revision != head:
        click.echo(
            f"The archive's schema was upgraded from revision {manifest.alembic_revision} to "
            f"this version's, {head}."
        )


@backup_cli.command("prune")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--keep", type=click.IntRange(min=1), help="Keep this many newest archives.")
@click.option("--keep-days", type=click.IntRange(min=0), help="Keep archives this recent.")
def prune_command(directory: Path, keep: int | None, keep_days: int | None) -> None:
    """Delete older casework-<timestamp>.cwbackup archives in DIRECTORY (the newest stays)."""
    try:
        deleted = services.prune_backups(directory, keep=keep, keep_days=keep_days)
    except services.BackupError as exc:
        _fail(str(exc))
    click.echo(f"{len(deleted)} archive(s) deleted.")
    for path in deleted:
        click.echo(f"  {path.name}")


@backup_cli.command("scheduled")
def scheduled_command() -> None:
    """A timestamped archive in CASEWORK_BACKUP_DIR, keeping CASEWORK_BACKUP_KEEP (for cron)."""
    try:
        out = services.create_scheduled_backup()
    except (services.BackupError, OSError) as exc:
        _fail(f"Backup FAILED: {exc}")
    click.echo(f"Backup written to {out} (keeping {current_app.config['BACKUP_KEEP']}).")
