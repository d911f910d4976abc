"""The case-import page: upload, a dry run with the full report, then confirm."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, session, url_for
from flask_login import current_user

from casework import permissions
from casework.core.db import db
from casework.imports import staging
from casework.imports.cli import import_cli, load_mapping
from casework.imports.forms import CaseImportForm, ConfirmImportForm
from casework.imports.reading import UnusableInput, read_table
from casework.imports.services import ImportOptions, import_cases, known_headers
from casework.jobs import services as jobs

bp = Blueprint("imports", __name__)
_SESSION_KEY = "case_import"


def _table(data: bytes, pending: dict[str, Any]):
    return read_table(
        data,
        pending["filename"],
        encoding=pending["encoding"],
        delimiter=pending["delimiter"],
        sheet=pending["sheet"],
        known=known_headers(pending["mapping"]),
    )


def _run(data: bytes, pending: dict[str, Any], *, dry_run: bool):
    table = _table(data, pending)
    options = ImportOptions(
        mapping=pending["mapping"], dry_run=dry_run, valid_only=pending["valid_only"]
    )
    # The sheet read is named again by its place: its name may be a person's, and what is
    # pending goes into the job's row (not encrypted) when a background job writes the file.
    pending["sheet"] = table.sheet
    return import_cases(current_user, table, options)


def _discard(pending: dict[str, Any] | None) -> None:
    if pending:
        staging.discard(pending["token"])


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
            report = _run(data, pending, dry_run=True)
        except UnusableInput as exc:
            error = str(exc)
        finally:
            db.session.rollback()
        if report is not None and (not report.rejected or pending["valid_only"]):
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


@bp.post("/imports/cases/confirm")
def confirm_import():
    if not permissions.can_import_cases(current_user):
        abort(403)
    form = ConfirmImportForm()
    waiting = session.pop(_SESSION_KEY, None)
    if not form.validate_on_submit() or not waiting:
        abort(400)
    found = staging.staged(waiting.get("token", ""))
    if found is None or found[0] is None:
        abort(400)
    pending, data = found
    try:
        if len(_table(data, pending).rows) > current_app.config["IMPORT_JOB_ROWS"]:
            # A large file is written by a background job, with its progress on the job's page.
            job = jobs.start("imports.cases", pending, current_user)
            return redirect(url_for("jobs.detail", job_id=job.public_id))
        report = _run(data, pending, dry_run=False)
    except UnusableInput as exc:
        db.session.rollback()
        _discard(pending)
        return render_template(
            "imports/cases.html",
            form=CaseImportForm(),
            confirm_form=form,
            report=None,
            error=str(exc),
            can_confirm=False,
        )
    if report.written:
        db.session.commit()
    else:
        db.session.rollback()
    _discard(pending)
    return render_template(
        "imports/cases.html",
        form=CaseImportForm(),
        confirm_form=form,
        report=report,
        error=None,
        can_confirm=False,
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(import_cli)
