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
from casework.core.i18n import N_, english, in_language
from casework.jobs.services import (
    JobContext,
    JobError,
    JobRefused,
    job_kind,
    purge_expired_results,
    recover_abandoned,
)

# Another module may provide backups: the job calls this function (by name) with the folder.
BACKUP_FUNCTION = "casework.backups.services:create_scheduled_backup"


# What the job page calls the counts of an import's jobs, its check's and its writing's.
IMPORT_RESULTS = {
    "rows_read": N_("Rows read"),
    "cases_to_create": N_("Cases to create"),
    "people_to_create": N_("People to create"),
    "cases": N_("Cases"),
    "people": N_("People"),
    "rejected_rows": N_("Rejected rows"),
    "possible_duplicates": N_("Possible duplicates"),
    "warnings": N_("Warnings"),
}


@job_kind(
    "reports.export",
    N_("Export of cases"),
    may_start=permissions.can_export_cases,
    results={"cases": N_("Cases"), "format": N_("Format"), "anonymised": N_("Anonymised")},
)
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


@job_kind(
    "imports.cases",
    N_("Import of cases"),
    may_start=permissions.can_import_cases,
    results=IMPORT_RESULTS,
)
def import_cases_job(ctx: JobContext) -> None:
    """A checked import file, written with progress; the staged file goes once it is done.
    What a retry would only repeat (the file gone or refused, its rows refused) fails at once,
    as the check does (``JobRefused``)."""
    from casework.imports import checking, staging
    from casework.imports.reading import UnusableInput

    token = ctx.params.get("token", "")
    found = staging.staged(token)
    if found is None:
        raise JobRefused(
            N_("The checked file is no longer there: check it again on the import page.")
        )
    # Its options wait sealed with it (a job started by an older version kept them here).
    options, data = found
    pending = {**ctx.params, **(options or {})}
    try:
        table = checking.read_pending(data, pending)
        total = len(table.rows)
        check = ctx.counter(total, N_("%(done)s of %(total)s rows checked"), 0, 40)
        write = ctx.counter(total, N_("%(done)s of %(total)s rows written"), 40, 99)
        report = checking.run(
            ctx.user, table, pending, dry_run=False, progress=check, write_progress=write
        )
    except UnusableInput as exc:
        raise JobRefused(N_("The file can no longer be read; check it again.")) from exc
    if not report.written:
        raise JobRefused(
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
    staging.discard_after_commit(token)


@job_kind(
    "imports.check",
    N_("Check of a file to import"),
    may_start=permissions.can_import_cases,
    report_page="imports.check_report",
    may_read_report=permissions.can_read_import_check,
    results=IMPORT_RESULTS,
)
def check_import_job(ctx: JobContext) -> None:
    """A large file's check (the page's dry run); its report is kept sealed beside the staged
    file, the job's row holds its counts."""
    from casework.core.db import db
    from casework.imports import checking, staging
    from casework.imports.reading import UnusableInput

    token = ctx.params.get("token", "")
    found = staging.staged(token)
    if found is None or found[0] is None:
        raise JobRefused(
            N_("The file to check is no longer there: upload it again on the import page.")
        )
    pending, data = found
    ctx.progress(1, N_("Reading the file"))
    with in_language(pending.get("language")):
        try:
            table = checking.read_pending(data, pending)
            check = ctx.counter(len(table.rows), N_("%(done)s of %(total)s rows checked"), 2, 99)
            report = checking.run(ctx.user, table, pending, dry_run=True, progress=check)
        except UnusableInput as exc:
            # Why may quote the file (its headers): said on the check's page only.
            staging.write_outcome(token, {"error": str(exc)})
            db.session.commit()  # the data key that sealed it, if it is a new one
            staging.discard(token, keep_outcome=True)
            raise JobRefused(
                N_("The file cannot be imported; the report of the check says why.")
            ) from None
    confirmable = checking.confirmable(report, pending)
    staging.write_outcome(token, {"report": report.as_dict(), "confirmable": confirmable})
    if not confirmable:
        # Nothing of it can be written: the file goes, its report stays to be read.
        staging.discard_after_commit(token, keep_outcome=True)
    ctx.result(
        rows_read=report.rows_read,
        cases_to_create=report.created["cases"],
        people_to_create=report.created["people"],
        rejected_rows=len(report.rejected_rows),
        possible_duplicates=len(report.possible_duplicates),
        warnings=len(report.warnings),
    )


@job_kind(
    "reminders.send",
    N_("E-mail reminders"),
    may_start=permissions.can_run_system_jobs,
    results={"configured": N_("Configured"), "sent": N_("Sent"), "skipped": N_("Skipped")},
)
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


@job_kind(
    "keys.rotate",
    N_("Master key rotation"),
    may_start=permissions.can_run_system_jobs,
    results={"rewrapped": N_("Rewrapped"), "already_done": N_("Already done")},
)
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
    "jobs.purge",
    N_("Removal of expired job files"),
    may_start=permissions.can_run_system_jobs,
    # "Removed" alone is a person's situation (removed from the country).
    results={
        "removed": N_("Files removed"),
        "form_keys": N_("Form keys"),
        "requeued": N_("Requeued"),
        "abandoned": N_("Abandoned"),
    },
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


@job_kind(
    "backup", N_("Backup"), may_start=permissions.can_run_system_jobs, results={"done": N_("Done")}
)
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
