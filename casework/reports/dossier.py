"""The case dossier for lawyers (PDF) and the case archive for a partner (ZIP)."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import mimetypes
import zipfile
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from weasyprint import HTML

from casework.cases.models import Case
from casework.core.db import utcnow
from casework.evidence import services as evidence
from casework.reports import documents, services
from casework.reports.anonymise import CaseOut, Output, case_scrubber, disclose_case


class _NoDocumentText(logging.Filter):
    """The PDF renderer warns of each character no installed font has, quoting it and its code
    point: the letters of a name (or of a narrative) in a script the server has no font for
    went to the log one by one, in order. The warning stays, without the character."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(".notdef glyph"):
            record.msg = "A character of the document is in no installed font (drawn as a box)."
            record.args = ()
        return True


# WeasyPrint logs to this logger by name (its records do not come from a child logger).
logging.getLogger("weasyprint").addFilter(_NoDocumentText())


@dataclass(frozen=True)
class EvidenceItem:
    number: int
    kind: str
    size: int
    sha256: str
    uploaded: str
    description: str | None
    document: Any


def evidence_index(case: Case, disclosed: CaseOut) -> list[EvidenceItem]:
    """The case's documents by number, type, size and SHA-256; descriptions only once reviewed
    (and scrubbed). Original file names never leave: they often carry a name."""
    scrubber, _ = case_scrubber(case)
    return [
        EvidenceItem(
            number=n,
            kind=doc.content_type,
            size=doc.size,
            sha256=doc.sha256,
            uploaded=doc.uploaded_at.date().isoformat(),
            description=scrubber.scrub(doc.description)
            if disclosed.free_text_reviewed and doc.description
            else None,
            document=doc,
        )
        for n, doc in enumerate(evidence.case_documents(case), start=1)
    ]


def dossier_pdf(actor: Any, case: Case) -> bytes:
    disclosed = disclose_case(case, Output.DOSSIER)
    html = render_template(
        "reports/dossier.html",
        case=disclosed,
        facts=documents.facts(disclosed),
        remedy_status=documents.remedy_status,
        evidence=evidence_index(case, disclosed),
        profile=services.organisation(current_app.config["ORGANISATION_NAME"]),
        generated=utcnow(),
    )
    content = HTML(string=html).write_pdf()
    services.record_output(actor, Output.DOSSIER.value, "pdf", 1, case=case)
    return content


def archive_zip(actor: Any, case: Case, *, anonymise: bool) -> bytes:
    """case.json, the communication draft, the documents (only when not anonymised and reviewed
    for the archive: their content cannot be scrubbed) and a manifest with each SHA-256.
    A document whose file records where it was taken (a photo's GPS coordinates) stays behind:
    a place leaves at a town's level at most, and the file is kept as it came (evidence)."""
    disclosed = disclose_case(case, Output.ARCHIVE, strict=anonymise)
    profile = services.organisation(current_app.config["ORGANISATION_NAME"])
    files: dict[str, bytes] = {
        "case.json": json.dumps(
            services.case_record(disclosed), ensure_ascii=False, indent=2
        ).encode(),
        "communication.txt": documents.communication_text(disclosed, profile).encode(),
    }
    index = evidence_index(case, disclosed)
    kept_back = 0
    if disclosed.free_text_reviewed and not anonymise:
        for item in index:
            suffix = mimetypes.guess_extension(item.document.content_type) or ".bin"
            # Stored encrypted: opened (and authenticated whole) by the evidence area.
            with evidence.open_document(item.document) as content:
                data = content.read()
            if evidence.records_location(item.document, data):
                kept_back += 1
                continue
            files[f"documents/{item.number:03d}{suffix}"] = data
    manifest = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
        archive.writestr("MANIFEST.sha256", manifest)
    services.record_output(
        actor,
        Output.ARCHIVE.value,
        "zip",
        1,
        case=case,
        anonymised=anonymise,
        files=len(files),
        located_kept_back=kept_back,
    )
    return out.getvalue()
