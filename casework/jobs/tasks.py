"""The kinds of background job: each calls the service that does the work and reports progress.

A kind's work is committed together with the job's final state (``services.execute``), so a
retry after a failure starts from a clean slate, and a finished job is never run again.
"""

from __future__ import annotations

import smtplib
from importlib import import_module

from flask import current_app

from casework import permissions
from casework.core import formkeys
from casework.core.crypto import MasterKey
from casework.core.i18n import N_, english
from casework.jobs.services import (
    JobContext,
    JobError,
    job_kind,
    purge_expired_results,
    recover_abandoned,
)

# Another module may provide backups: the job calls this function (by name) with the folder.
BACKUP_FUNCTION = "casework.backups.services:create_scheduled_backup"


@job_kind("reports.export", N_("Export of cases"), may_start=permissions.can_export_cases)
def export_cases_job(ctx: JobContext) -> None:
    """The bulk export of the cases the creator may read, as a file only they may download."""
    from casework.reports.services import export_cases

    fmt = str(ctx.params.get("format", ""))
    anonymise = bool(ctx.params.get("anonymise"))
    ctx.progress(5, N_("Reading the cases"))
    exported: list[int] = []
    with english():  # an exchange format: labels in one language, as the page gives them
        content, name, mimetype, count = export_cases(
            ctx.user, fmt, anonymise=anonymise, exported=exported
        )
    ctx.progress(90, N_("%(count)s case(s) exported; storing the file"), {"count": count})
    ctx.holds_cases(exported)
    ctx.result_file(content, name, mimetype)
    ctx.result(cases=count, format=fmt, anonymised=anonymise)


@job_kind("imports.cases", N_("Import of cases"), may_start=permissions.can_import_cases)
def import_cases_job(ctx: JobContext) -> None:
    """A checked import file, written with progress; the staged file goes once it is done."""
    from casework.imports import staging
    from casework.imports.reading import UnusableInput, read_table
    from casework.imports.services import ImportOptions, import_cases, known_headers

    pending = ctx.params
    data = staging.read(pending.get("token", ""))
    if data is None:
        raise JobError(
            N_("The checked file is no longer there: check it again on the import page.")
        )
    try:
        table = read_table(
            data,
            pending["filename"],
            encoding=pending.get("encoding"),
            delimiter=pending.get("delimiter"),
            sheet=pending.get("sheet"),
            known=known_headers(pending.get("mapping") or {}),
        )
    except UnusableInput as exc:
        raise JobError(N_("The file can no longer be read; check it again.")) from exc
    total = len(table.rows)
    check = ctx.counter(total, N_("%(done)s of %(total)s rows checked"), 0, 40)
    write = ctx.counter(total, N_("%(done)s of %(total)s rows written"), 40, 99)
    options = ImportOptions(
        mapping=pending.get("mapping") or {}, dry_run=False, valid_only=pending["valid_only"]
    )
    report = import_cases(ctx.user, table, options, progress=check, write_progress=write)
    if not report.written:
        raise JobError(
            N_(
                "Nothing was written: %(rows)s row(s) were rejected. Check the file again on "
                "the import page."
            ),
            rows=len(report.rejected_rows),
        )
    ctx.result(
        cases=report.created["cases"],
        people=report.created["people"],
        rejected_rows=len(report.rejected_rows),
        possible_duplicates=len(report.possible_duplicates),
    )
    staging.discard_after_commit(pending.get("token", ""))


@job_kind("reminders.send", N_("E-mail reminders"), may_start=permissions.can_run_system_jobs)
def reminders_job(ctx: JobContext) -> None:
    """Today's reminders (each mail once per day and item, whoever runs it)."""
    from casework.advocacy.reminders import send_reminders

    base = current_app.config.get("BASE_URL") or "http://127.0.0.1:5000"
    with current_app.test_request_context("/", base_url=base):
        try:
            report = send_reminders()
        except (smtplib.SMTPException, OSError) as exc:
            raise JobError(N_("Mail server error (%(error)s)."), error=type(exc).__name__) from exc
    if not report.configured:
        ctx.result(configured=False, sent=0)
        return
    ctx.result(configured=True, sent=report.sent, skipped=report.skipped)


@job_kind("keys.rotate", N_("Master key rotation"), may_start=permissions.can_run_system_jobs)
def rotate_keys_job(ctx: JobContext) -> None:
    """Re-wrap every data key under the configured master key (resumable: see keys rotate)."""
    from casework.core.db import db
    from casework.core.keyring import rotate_master_key

    old = current_app.config.get("OLD_MASTER_KEY")
    if not old:
        raise JobError(N_("No old master key is configured (CASEWORK_OLD_MASTER_KEY_FILE)."))
    new = MasterKey.parse(current_app.config["MASTER_KEY"])
    report = rotate_master_key(db.engine, MasterKey.parse(old), new)
    ctx.result(rewrapped=report.rewrapped, already_done=report.already_done)


@job_kind(
    "jobs.purge", N_("Removal of expired job files"), may_start=permissions.can_run_system_jobs
)
def purge_job(ctx: JobContext) -> None:
    ctx.result(removed=purge_expired_results(), form_keys=formkeys.purge(), **recover_abandoned())


def backup_function():
    """The backup service, if this installation has one (None otherwise)."""
    module_name, _, name = BACKUP_FUNCTION.partition(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError:
        return None
    return getattr(module, name, None)


@job_kind("backup", N_("Backup"), may_start=permissions.can_run_system_jobs)
def backup_job(ctx: JobContext) -> None:
    """A scheduled backup into CASEWORK_BACKUP_DIR."""
    directory = current_app.config.get("BACKUP_DIR")
    if not directory:
        raise JobError(N_("No backup folder is configured (CASEWORK_BACKUP_DIR)."))
    create = backup_function()
    if create is None:
        raise JobError(N_("This installation has no backup service."))
    ctx.progress(5, N_("Backing up"))
    create(directory)
    ctx.result(done=True)
