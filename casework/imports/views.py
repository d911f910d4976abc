"""The case-import page: upload, a dry run with the full report, then confirm."""

from __future__ import annotations

import io
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, render_template, session
from flask_login import current_user

from casework import permissions
from casework.core import sealedfiles
from casework.core.db import db
from casework.core.keyring import keyring
from casework.core.storage import storage
from casework.imports.cli import import_cli, load_mapping
from casework.imports.forms import CaseImportForm, ConfirmImportForm
from casework.imports.reading import UnusableInput, read_table
from casework.imports.services import ImportOptions, import_cases

bp = Blueprint("imports", __name__)
_SESSION_KEY = "case_import"


STAGING_HOURS = 2


# Checked files wait for the confirmation in the attachment store (any server may receive it),
# sealed like documents: they hold identifying data.
_STAGING = "imports"


def _staged_key(token: str) -> str:
    return f"{_STAGING}/{token}"


def _stage(token: str, data: bytes) -> None:
    # The data key is committed apart: the request's own transaction is rolled back.
    with db.engine.begin() as conn:
        key_id, data_key = keyring().active_key(conn)
    with tempfile.TemporaryFile() as sealed:
        sealedfiles.seal_file(
            io.BytesIO(data), sealed, key_id=key_id, data_key=data_key, binding=_staged_key(token)
        )
        sealed.seek(0)
        storage().put(_staged_key(token), sealed)


def _staged(token: str) -> bytes | None:
    ring, conn = keyring(), db.session.connection()
    try:
        sealed = storage().open(_staged_key(token))
    except FileNotFoundError:
        return None
    with sealed:
        chunks = sealedfiles.iter_stream(
            sealed, lambda k: ring.data_key(conn, k), _staged_key(token)
        )
        return b"".join(chunks)


def _purge_stale() -> None:
    """Files checked but never confirmed hold identifying data: they do not linger."""
    limit = time.time() - STAGING_HOURS * 3600
    store = storage()
    for key, modified in list(store.keys(_STAGING)):
        if modified < limit:
            store.delete(key)


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
        storage().delete(_staged_key(pending["token"]))


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
            _stage(pending["token"], data)
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
    data = _staged(pending["token"])
    if data is None:
        abort(400)
    try:
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
