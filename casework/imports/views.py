"""The case-import page: upload, a dry run with the full report, then confirm."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, render_template, session
from flask_login import current_user

from casework import permissions
from casework.core.db import db
from casework.imports.cli import import_cli, load_mapping
from casework.imports.forms import CaseImportForm, ConfirmImportForm
from casework.imports.reading import UnusableInput, read_table
from casework.imports.services import ImportOptions, import_cases

bp = Blueprint("imports", __name__)
_SESSION_KEY = "case_import"


STAGING_HOURS = 2


def _staging_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _purge_stale() -> None:
    """Files checked but never confirmed hold identifying data: they do not linger."""
    limit = time.time() - STAGING_HOURS * 3600
    for path in _staging_dir().iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _run(data: bytes, pending: dict[str, Any], *, dry_run: bool):
    table = read_table(
        data,
        pending["filename"],
        encoding=pending["encoding"],
        delimiter=pending["delimiter"],
        sheet=pending["sheet"],
    )
    options = ImportOptions(
        mapping=pending["mapping"], dry_run=dry_run, valid_only=pending["valid_only"]
    )
    return import_cases(current_user, table, options)


def _discard(pending: dict[str, Any] | None) -> None:
    if pending:
        (_staging_dir() / pending["token"]).unlink(missing_ok=True)


@bp.route("/imports/cases", methods=["GET", "POST"])
def import_page():
    if not permissions.can_import_cases(current_user):
        abort(403)
    form = CaseImportForm()
    report, error = None, None
    if form.validate_on_submit():
        _discard(session.pop(_SESSION_KEY, None))
        _purge_stale()
        data = form.file.data.read()
        # Only the extension is kept: a file name can identify someone (and sessions are cookies).
        suffix = Path(form.file.data.filename or "").suffix.lower()[:8]
        pending = {
            "token": secrets.token_hex(16),
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
            path = _staging_dir() / pending["token"]
            path.write_bytes(data)
            path.chmod(0o600)
            session[_SESSION_KEY] = pending
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
    pending = session.pop(_SESSION_KEY, None)
    if not form.validate_on_submit() or not pending:
        abort(400)
    path = _staging_dir() / pending["token"]
    if not path.exists():
        abort(400)
    try:
        report = _run(path.read_bytes(), pending, dry_run=False)
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
