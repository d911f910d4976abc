"""Serving a stored document: the one way pages and the API hand out a file."""

from __future__ import annotations

import logging
import mimetypes
import os
from typing import Any

from flask import abort, send_file

from casework.audit.services import record
from casework.core.db import db
from casework.evidence import services

log = logging.getLogger(__name__)


def download_name(document: Any, case: Any = None) -> str:
    """The name a download is saved under: the case's reference (if any), the document's id and
    its type's extension. Never the name it was uploaded with ("passport_ivanov.pdf"): that name
    is identifying, and a header's file name ends up in download lists and on disk."""
    extension = os.path.splitext(document.original_name)[1].lower()
    if extension not in services.allowed_extensions():
        extension = mimetypes.guess_extension(document.content_type) or ""
    name = f"document-{document.public_id}{extension}"
    return f"{case.reference}-{name}" if case is not None else name


def send_document(user: Any, document: Any, **audit: Any):
    """Serve a stored document as an attachment that nothing can execute; audited.

    The caller has already checked that ``user`` may have it; ``audit`` names what it was
    reached through (``case=`` the case, whose reference names the file).
    """
    try:
        content = services.open_document(document)  # decrypted, authenticated whole first
    except FileNotFoundError:
        abort(404)
    except OSError:
        log.warning("the attachment store could not be read")
        abort(503)
    record(user, "document.downloaded", document, **audit)
    db.session.commit()
    response = send_file(
        content,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=download_name(document, audit.get("case")),
        max_age=0,
        etag=False,
        conditional=False,
    )
    # Even if a browser ignored the attachment, nothing in the file may run.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
