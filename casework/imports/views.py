"""The case-import page: upload, a check with the full report, then confirm.

A small file is checked in the page; a large one by a background job (``checking``), whose
report has a page of its own leading to the same confirmation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, redirect, render_template, session, url_for
from flask_login import current_user

from casework import permissions
from casework.core.db import db
from casework.imports import checking, staging
from casework.imports.cli import import_cli, load_mapping
from casework.imports.forms import CaseImportForm, ConfirmImportForm
from casework.imports.reading import UnusableInput
from casework.imports.services import ImportReport
from casework.jobs.models import Job
from casework.loader import load

bp = Blueprint("imports", __name__)
_SESSION_KEY = "case_import"


def _run(data: bytes, pending: dict[str, Any], *, dry_run: bool) -> ImportReport:
    return checking.run(
        current_user, checking.read_pending(data, pending), pending, dry_run=dry_run
    )


def _discard(pending: dict[str, Any] | None) -> None:
    if pending:
        staging.discard(pending["token"])


def _page(
    report: ImportReport | None, error: str | None, *, can_confirm: bool, check: str = ""
) -> str:
    return render_template(
        "imports/cases.html",
        form=CaseImportForm(),
        confirm_form=ConfirmImportForm(check=check),
        report=report,
        error=error,
        can_confirm=can_confirm,
    )


@bp.route("/imports/cases", methods=["GET", "POST"])
def import_page():
    if not permissions.can_import_cases(current_user):
        abort(403)
    form = CaseImportForm()
    report, error = None, None
    if form.validate_on_submit():
        _discard(session.pop(_SESSION_KEY, None))
        staging.purge_stale()
        data = form.file.data.read()
        # Only the extension is kept: a file name can identify someone (and sessions are cookies).
        suffix = Path(form.file.data.filename or "").suffix.lower()[:8]
        pending = {
            "token": staging.new_token(),
            "filename": "upload" + suffix,
            "encoding": form.encoding.data or None,
            "delimiter": form.delimiter.data or None,
            "sheet": form.sheet.data or None,
            "mapping": {},
            "valid_only": bool(form.valid_only.data),
        }
        try:
            if form.mapping.data:
                pending["mapping"] = load_mapping(form.mapping.data)
            if checking.is_large(data, pending):
                # Checked by a background job, away from the request's time limit.
                job = checking.start_check(current_user, data, pending)
                session[_SESSION_KEY] = {"token": pending["token"], "check": job.public_id}
                return redirect(url_for("jobs.detail", job_id=job.public_id))
            report = _run(data, pending, dry_run=True)
        except UnusableInput as exc:
            error = str(exc)
        finally:
            db.session.rollback()
        if report is not None and checking.confirmable(report, pending):
            staging.write(pending["token"], data, options=pending)
            db.session.commit()  # the data key that sealed it, if it is a new one
            # The token only: the rest waits beside the file (``staging.write``).
            session[_SESSION_KEY] = {"token": pending["token"]}
    return render_template(
        "imports/cases.html",
        form=form,
        confirm_form=ConfirmImportForm(),
        report=report,
        error=error,
        can_confirm=_SESSION_KEY in session and report is not None,
    )


@bp.get("/imports/cases/checks/<job_id>")
def check_report(job_id: str):
    """The report of a large file's check, leading to its confirmation."""
    job = load(Job, job_id, current_user, need=permissions.can_read_import_check)
    if job.kind != checking.CHECK_JOB:
        abort(404)
    if not job.finished:
        return redirect(url_for("jobs.detail", job_id=job.public_id))
    report, error, confirmable = checking.findings(job)
    # Confirmed by its uploader from any of their sessions, naming the check, once.
    can_confirm = confirmable and not checking.being_written(job)
    return _page(report, error, can_confirm=can_confirm, check=job.public_id)


@bp.post("/imports/cases/confirm")
def confirm_import():
    if not permissions.can_import_cases(current_user):
        abort(403)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    waiting = session.get(_SESSION_KEY) or {}
    # Checked by a job: the check named by its report's form (from any of the uploader's
    # sessions), or the one this session started.
    if check_id := form.check.data or waiting.get("check"):
        check = load(Job, str(check_id), current_user, need=permissions.can_read_import_check)
        if check.kind != checking.CHECK_JOB:
            abort(404)
        if waiting.get("check") == check.public_id:
            session.pop(_SESSION_KEY)
        # Written by a job, once that check found it may be.
        if not checking.confirmable_check(current_user, check):
            abort(400)
        job = checking.start_writing(current_user, check.params["token"])
        return redirect(url_for("jobs.detail", job_id=job.public_id))
    if not session.pop(_SESSION_KEY, None):
        abort(400)
    token = waiting.get("token", "")
    found = staging.staged(token)
    if found is None or found[0] is None:
        abort(400)
    pending, data = found
    try:
        if checking.is_large(data, pending):
            # A large file is written by a background job, with its progress on the job's page.
            job = checking.start_writing(current_user, token)
            return redirect(url_for("jobs.detail", job_id=job.public_id))
        report = _run(data, pending, dry_run=False)
    except UnusableInput as exc:
        db.session.rollback()
        _discard(pending)
        return _page(None, str(exc), can_confirm=False)
    if report.written:
        db.session.commit()
    else:
        db.session.rollback()
    _discard(pending)
    return _page(report, None, can_confirm=False)


def init_app(app: Flask) -> None:
    app.cli.add_command(import_cli)
