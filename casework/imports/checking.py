"""Where a file to import is checked: in the page, or by a background job when it is large.

A file of more rows than ``IMPORT_JOB_ROWS`` (counted without reading it: ``rows_at_most``) is
staged at once with its options and checked by the ``imports.check`` job: the page's own dry
run, away from the web request's time limit. What it found (the report, or why the file cannot
be imported) quotes cells and names people, so it waits sealed beside the staged file
(``staging.write_outcome``), never in the job's row, which holds the staging token and counts.
Its page shows it to the job's creator and leads to the same confirmation as a small file's,
in any of their sessions: the staged file and its report are theirs, not their browser's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import select

from casework import permissions
from casework.core.db import db
from casework.core.i18n import current_language
from casework.core.i18n import gettext as _
from casework.imports import staging
from casework.imports.reading import Table, read_table, rows_at_most
from casework.imports.services import ImportOptions, ImportReport, import_cases, known_headers
from casework.jobs import services as jobs
from casework.jobs.models import Job, JobState

CHECK_JOB = "imports.check"
WRITE_JOB = "imports.cases"


def is_large(data: bytes, pending: dict[str, Any]) -> bool:
    """Is the file checked and written by background jobs rather than in the page?"""
    return rows_at_most(data, pending["filename"]) > current_app.config["IMPORT_JOB_ROWS"]


def read_pending(data: bytes, pending: dict[str, Any]) -> Table:
    """The file read with the options it was uploaded with (its format, sheet, mapping)."""
    return read_table(
        data,
        pending["filename"],
        encoding=pending.get("encoding"),
        delimiter=pending.get("delimiter"),
        sheet=pending.get("sheet"),
        known=known_headers(pending.get("mapping") or {}),
    )


def run(
    actor: Any,
    table: Table,
    pending: dict[str, Any],
    *,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    write_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check (``dry_run``) or write the file read by ``read_pending``. The caller commits."""
    options = ImportOptions(
        mapping=pending.get("mapping") or {}, dry_run=dry_run, valid_only=pending["valid_only"]
    )
    # The sheet read is named again by its place: its name may be a person's.
    pending["sheet"] = table.sheet
    return import_cases(actor, table, options, progress=progress, write_progress=write_progress)


def confirmable(report: ImportReport, pending: dict[str, Any]) -> bool:
    """May the checked file be written: no row rejected, or only the good rows asked for."""
    return not report.rejected or bool(pending["valid_only"])


def start_check(actor: Any, data: bytes, pending: dict[str, Any]) -> Job:
    """Stage the file and start its check by a background job (committed)."""
    # The check's messages are written in the language of the page that asked for it.
    staging.write(pending["token"], data, options={**pending, "language": current_language()})
    return jobs.start(CHECK_JOB, {"token": pending["token"]}, actor)


def start_writing(actor: Any, token: str) -> Job:
    """Start the background job that writes the checked file (committed)."""
    return jobs.start(WRITE_JOB, {"token": token}, actor)


def findings(job: Job) -> tuple[ImportReport | None, str | None, bool]:
    """What the finished check job found: its report, or why there is none (in the reader's
    language), and whether the file may be written."""
    found = staging.outcome((job.params or {}).get("token", ""))
    if found is None:
        if job.state == JobState.FAILED:
            # It failed before it could say (an unexpected error: the job's error says which).
            why = _(
                "The check stopped before it finished (%(error)s). Check the file again.",
                error=jobs.error_text(job),
            )
        else:
            why = _(
                "The report of this check is no longer kept: it goes when its file is "
                "imported, or two hours after the check."
            )
        return None, why, False
    if "error" in found:
        return None, found["error"], False
    done = job.state == JobState.DONE
    return ImportReport.from_dict(found["report"]), None, done and bool(found["confirmable"])


def being_written(job: Job) -> bool:
    """Has a job to write the file the check ``job`` checked been started, and not failed?"""
    token = (job.params or {}).get("token")
    started = db.session.scalars(
        select(Job.params).where(
            Job.kind == WRITE_JOB,
            Job.created_by_id == job.created_by_id,
            Job.created_at >= job.created_at,
            Job.state != JobState.FAILED,
        )
    )
    return any((params or {}).get("token") == token for params in started)


def confirmable_check(actor: Any, job: Job) -> bool:
    """Did ``actor``'s check ``job`` finish, finding that its file may be written, and is it
    not being written already? From any of their sessions: the file is theirs."""
    if job.kind != CHECK_JOB or job.state != JobState.DONE:
        return False
    if not permissions.can_read_import_check(actor, job) or being_written(job):
        return False
    found = staging.outcome((job.params or {}).get("token", ""))
    return bool(found and found.get("confirmable"))
