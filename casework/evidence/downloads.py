"""Serving a stored document: the one way pages and the API hand out a file."""

from __future__ import annotations

import logging
from typing import Any

from flask import abort, send_file

from casework.audit.services import record
from casework.core.db import db
from casework.evidence import services

log = logging.getLogger(__name__)


def send_document(user: Any, document: Any, **audit: Any):
    """Serve a stored document as an attachment that nothing can execute; audited.

    The caller has already checked that ``user`` may have it.
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
        download_name=document.original_name,
        max_age=0,
        etag=False,
        conditional=False,
    )
    # Even if a browser ignored the attachment, nothing in the file may run.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
