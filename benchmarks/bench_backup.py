"""How long a backup, its verification and a restore take, at N cases.

    python -m benchmarks.bench_backup [--cases 100000] [--files 500] [--file-kib 256]

``make bench-backup`` runs it (``BENCH_CASES`` sets N). The data are the statistics benchmark's
(per case: a person, two events, a legal link, every fifth an advocacy action) plus an
encrypted narrative per case, and ``--files`` upload files of ``--file-kib`` KiB (random bytes,
as incompressible as sealed files). Runs on a scratch SQLite file, or on
``$BENCH_DATABASE_URL`` (PostgreSQL), whose tables it drops and rebuilds: never point it at a
database you want to keep. The restore goes into an emptied database and upload folder.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import MetaData, bindparam, update

from benchmarks.statistics_100k import populate
from casework import create_app
from casework.backups import services
from casework.cases.models import Case
from casework.core.db import db
from casework.core.keyring import keyring

NARRATIVE = (
    "Detained at the migration police on a request from the country of origin, held for "
    "eleven months pending extradition, then put on a plane at night without notice. "
)


def _drop_all() -> None:
    meta = MetaData()
    meta.reflect(bind=db.engine)
    meta.drop_all(bind=db.engine)


def _narratives(n: int) -> None:
    ring = keyring()
    key = ring.active_key(db.session.connection())
    table = Case.__table__
    statement = (
        update(table).where(table.c.id == bindparam("_id")).values(narrative=bindparam("_n"))
    )
    for start in range(1, n + 1, 5000):
        db.session.execute(
            statement,
            [
                {"_id": i, "_n": ring.seal_value(key, "cases", "narrative", i, f"{NARRATIVE}#{i}")}
                for i in range(start, min(start + 5000, n + 1))
            ],
        )
    db.session.commit()


def _files(folder: Path, count: int, kib: int) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for _ in range(count):
        (folder / secrets.token_hex(32)).write_bytes(os.urandom(kib * 1024))


def _timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_CASES", 100_000)))
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--file-kib", type=int, default=256)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="casework-bench-backup-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch / 'bench.db'}"
    uploads = scratch / "uploads"
    app = create_app(
        {
            "TESTING": True,
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": str(uploads),
        }
    )
    try:
        with app.app_context():
            _drop_all()
            upgrade()
            started = time.perf_counter()
            populate(args.cases)
            _narratives(args.cases)
            _files(uploads, args.files, args.file_kib)
            print(
                f"{db.engine.dialect.name}: {args.cases} cases, {args.files} files of "
                f"{args.file_kib} KiB written in {time.perf_counter() - started:.1f} s"
            )
            archive = scratch / "bench.cwbackup"
            manifest, _ = _timed("backup create", lambda: services.create_backup(archive))
            rows = sum(manifest.row_counts.values())
            print(f"  archive: {archive.stat().st_size / 2**20:.1f} MiB, {rows} rows")
            _timed("backup verify", lambda: services.verify_backup(archive))

            # Everything lost: an empty database and an empty upload folder.
            db.session.remove()
            _drop_all()
            shutil.rmtree(uploads)
            _timed("backup restore", lambda: services.restore_backup(archive))
            assert db.session.query(Case).count() == args.cases
            case = db.session.get(Case, args.cases)
            assert case is not None and case.narrative.endswith(f"#{args.cases}")
            assert len(list(uploads.iterdir())) == args.files
            db.session.remove()
            db.engine.dispose()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
