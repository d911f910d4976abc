"""Sources and documents of a case. Document content is checked, hashed and stored privately."""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import os
import secrets
import tempfile
import unicodedata
from dataclasses import dataclass, field
from typing import IO, Any

from flask import current_app
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import joinedload

from casework import permissions
from casework.audit.services import apply_changes, record
from casework.cases.models import Case, Event, event_sources
from casework.core import sealedfiles
from casework.core.crypto import DecryptionFailed
from casework.core.db import db, utcnow
from casework.core.errors import PermissionDenied, StorageFailed, ValidationFailed, check_version
from casework.core.fields import FieldReader
from casework.core.hiding import refuse_if_hidden
from casework.core.i18n import N_, translate
from casework.core.i18n import gettext as _
from casework.core.keyring import keyring
from casework.core.requestmemo import per_request, per_request_shown
from casework.core.storage import put_pending, storage
from casework.core.vocab import Credibility, Reliability, SourceKind
from casework.evidence.checks import (
    LOCATION_IN_FILE,
    LOCATION_NOT_RULED_OUT,
    NOT_ACCEPTED,
    VIDEO_LOCATION_UNSURE_WARNING,
    ContentCheck,
    PhotoLocation,
    location_warning,
)
from casework.evidence.models import Document, Source, document_cases
from casework.legal.models import CaseProvision, case_provision_sources

TEXT_MAX_LEN = 10_000
DESCRIPTION_MAX_LEN = 1_000
_CHUNK = 1024 * 1024

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AllowedType:
    mime: str
    extensions: tuple[str, ...]
    label: str


# What may be uploaded, identified by content (magic numbers), never by the name alone.
ALLOWED_TYPES = {
    "application/pdf": AllowedType("application/pdf", (".pdf",), N_("PDF")),
    "image/jpeg": AllowedType("image/jpeg", (".jpg", ".jpeg"), N_("JPEG image")),
    "image/png": AllowedType("image/png", (".png",), N_("PNG image")),
    "image/webp": AllowedType("image/webp", (".webp",), N_("WebP image")),
    "image/tiff": AllowedType("image/tiff", (".tif", ".tiff"), N_("TIFF image")),
    "image/heic": AllowedType("image/heic", (".heic",), N_("HEIC photo")),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": AllowedType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        N_("Word document"),
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": AllowedType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
        N_("Excel workbook"),
    ),
    "application/vnd.oasis.opendocument.text": AllowedType(
        "application/vnd.oasis.opendocument.text", (".odt",), N_("OpenDocument text")
    ),
    "audio/mpeg": AllowedType("audio/mpeg", (".mp3",), N_("MP3 audio")),
    "audio/ogg": AllowedType("audio/ogg", (".ogg", ".oga", ".opus"), N_("Ogg audio")),
    "audio/x-wav": AllowedType("audio/x-wav", (".wav",), N_("WAV audio")),
    "audio/mp4": AllowedType("audio/mp4", (".m4a",), N_("M4A audio")),
    "video/mp4": AllowedType("video/mp4", (".mp4", ".m4v"), N_("MP4 video")),
    "video/quicktime": AllowedType("video/quicktime", (".mov",), N_("QuickTime video")),
    "video/3gpp": AllowedType("video/3gpp", (".3gp",), N_("3GP video")),
    "video/3gpp2": AllowedType("video/3gpp2", (".3g2",), N_("3G2 video")),
    "text/plain": AllowedType("text/plain", (".txt",), N_("plain text")),
}


def allowed_extensions() -> list[str]:
    return sorted({ext for t in ALLOWED_TYPES.values() for ext in t.extensions})


def clean_filename(name: str) -> str:
    """A display name without paths or control characters (kept in any script)."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or "document"


def _binding(storage_name: str) -> str:
    """What a stored file is bound to: moved under another document's name, it fails."""
    return f"documents/{storage_name}"


def store_document(
    actor: Any,
    stream: IO[bytes],
    filename: str,
    *,
    case: Case | None = None,
    action: Any = None,
    description: str | None = None,
    event_id: int | None = None,
    source_id: int | None = None,
) -> Document:
    """Check, hash and store an upload; refuse empty, oversize and disguised files.

    A document belongs to a case or to an advocacy action (``case``, ``action``): the actor
    must be entitled to change what it belongs to. Nothing reaches the attachment store unless
    every check passes; a store that is full or unreachable raises StorageFailed (a
    ValidationFailed on the file field).
    """
    owners = [
        need(actor, owner)
        for owner, need in (
            (case, permissions.can_edit_case),
            (action, permissions.can_edit_action),
        )
        if owner is not None
    ]
    if not owners or not all(owners):
        raise PermissionDenied()
    name = clean_filename(filename)
    extension = os.path.splitext(name)[1].lower()
    if extension not in allowed_extensions():
        raise ValidationFailed(
            {
                "file": [
                    _(
                        "Files of type \u201c%(extension)s\u201d are not accepted. Accepted: "
                        "%(accepted)s.",
                        extension=extension,
                        accepted=", ".join(allowed_extensions()),
                    )
                    if extension
                    else _(
                        "Files without an extension are not accepted. Accepted: %(accepted)s.",
                        accepted=", ".join(allowed_extensions()),
                    )
                ]
            }
        )
    description = (description or "").strip() or None
    if description and len(description) > DESCRIPTION_MAX_LEN:
        raise ValidationFailed(
            {
                "description": [
                    _("Keep the description under %(n)s characters.", n=DESCRIPTION_MAX_LEN)
                ]
            }
        )
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    digest = hashlib.sha256()
    size = 0
    # The file is encrypted as it arrives (its name, and so its binding, is chosen first) into
    # a private temporary file: no plaintext byte is written anywhere. It reaches the store
    # only once every check has passed.
    storage_name = secrets.token_hex(32)
    key_id, data_key = keyring().active_key(db.session.connection())
    check = ContentCheck(extension)
    location = PhotoLocation()
    with tempfile.TemporaryFile() as sealed:
        sealer = sealedfiles.FileSealer(
            sealed, key_id=key_id, data_key=data_key, binding=_binding(storage_name)
        )
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise ValidationFailed(
                    {
                        "file": [
                            _(
                                "The file is larger than the limit of %(mb)s MB.",
                                mb=limit // (1024 * 1024),
                            )
                        ]
                    }
                )
            check.feed(chunk)
            location.feed(chunk)
            digest.update(chunk)
            sealer.write(chunk)
        sealer.close()
        if size == 0:
            raise ValidationFailed({"file": [_("The file is empty.")]})
        mime = check.finish()
        allowed = ALLOWED_TYPES.get(mime)
        if allowed is None:
            raise ValidationFailed({"file": [_(NOT_ACCEPTED)]})
        if extension not in allowed.extensions:
            raise ValidationFailed(
                {
                    "file": [
                        _(
                            "The file's content is a %(kind)s, but its name ends in "
                            "\u201c%(extension)s\u201d. Rename it and try again.",
                            kind=translate(allowed.label),
                            extension=extension,
                        )
                    ]
                }
            )
        sealed.seek(0)
        _put(storage_name, sealed)
    document = Document(
        case_id=case.id if case is not None else None,
        action_id=getattr(action, "id", None),
        event_id=event_id,
        source_id=source_id,
        original_name=name,
        storage_name=storage_name,
        content_type=allowed.mime,
        size=size,
        sha256=digest.hexdigest(),
        description=description,
        uploaded_by_id=actor.id,
        **_location_marks(location, allowed.mime),
    )
    db.session.add(document)
    if case is not None:
        case.updated_at = utcnow()
    db.session.flush()
    if action is not None and action.cases:
        # It may concern any of the action's cases: unlinking one later does not hand it to
        # whoever may not read that case (``permissions.can_download_action_document``).
        db.session.execute(
            document_cases.insert(),
            [{"document_id": document.id, "case_id": linked.id} for linked in action.cases],
        )
    # Not its hash: whoever holds a copy of the file could confirm from the trail that it is here.
    # An action's document: which action, as its download's entry says.
    attached_to = {"advocacy_action": action.public_id} if action is not None else {}
    record(actor, "document.uploaded", document, case=case, size=size, **attached_to)
    return document


def _location_marks(location: PhotoLocation, mime: str) -> dict[str, bool]:
    """A document's ``records_location`` and ``location_unsure`` by what the check read: a place
    not ruled out is marked as one found, and kept apart from it."""
    found = location.found(mime)
    unsure = not found and location.unsure(mime)
    return {"records_location": found or unsure, "location_unsure": unsure}


def upload_warnings(document: Document) -> list[tuple[str, str]]:
    """What the uploader of ``document`` is told once it is stored: (code, message) pairs, the
    same for a page and the API."""
    if document.location_unsure:
        return [(LOCATION_NOT_RULED_OUT, _(VIDEO_LOCATION_UNSURE_WARNING))]
    if document.records_location:
        return [(LOCATION_IN_FILE, _(location_warning(document.content_type)))]
    return []


def _put(storage_name: str, sealed: IO[bytes]) -> None:
    """Store a sealed upload; removed again if the request's transaction is not committed."""
    documents = Document.__table__

    def referenced(conn: Connection) -> bool:
        query = select(documents.c.id).where(documents.c.storage_name == storage_name)
        return conn.scalar(query) is not None

    try:
        put_pending(db.session, storage_name, sealed, referenced)
    except OSError as exc:
        # The reason (disk full, store unreachable) goes to the log; never a name or content.
        log.warning("an upload could not be stored: %s", errno.errorcode.get(exc.errno or 0, exc))
        raise StorageFailed(
            {
                "file": [
                    _(
                        "The document could not be stored: the file store is full or "
                        "unreachable. Nothing was saved. Try again later, or tell your "
                        "administrator."
                    )
                ]
            }
        ) from exc


def open_document(document: Document) -> IO[bytes]:
    """The document's content, decrypted, as a file object.

    The whole file is authenticated first: a damaged, swapped or truncated file raises
    ``DecryptionFailed`` before a byte is returned. A file missing from the store raises
    FileNotFoundError; a store that cannot be reached, another OSError.
    """
    ring = keyring()
    conn = db.session.connection()

    def lookup(key_id: str) -> bytes:
        return ring.data_key(conn, key_id)

    binding = _binding(document.storage_name)
    sealed = storage().open(document.storage_name)
    try:
        sealedfiles.verify_stream(sealed, lookup, binding)
        sealed.seek(0)
    except BaseException:
        sealed.close()
        raise
    return io.BufferedReader(sealedfiles.PlaintextReader(sealed, lookup, binding))


@dataclass
class LocationRecheck:
    """What ``recheck_locations`` did: documents read, those newly marked, those it could not
    read (by public id)."""

    checked: int = 0
    marked: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def recheck_locations(*, every: bool = False) -> LocationRecheck:
    """Run the location checks of an upload again over stored documents: those stored before
    the checks existed (``records_location`` NULL) or, with ``every``, all of them (after the
    checks have learnt to read more kinds of file). A document found to record a place (or
    not to rule one out) is marked as its upload would have been, with an audit entry; a mark
    is never taken away. A file missing, unreadable or damaged is passed over (and left
    unmarked either way). The run itself is audited with its counts. The caller commits."""
    query = select(Document).order_by(Document.id)
    if not every:
        query = query.where(Document.records_location.is_(None))
    report = LocationRecheck()
    for document in db.session.scalars(query).all():
        try:
            located = _records_location(document)
        except (OSError, DecryptionFailed):
            report.unreadable.append(document.public_id)
            continue
        report.checked += 1
        if document.records_location:
            if document.location_unsure is None:  # marked before the two were kept apart
                document.location_unsure = located["location_unsure"]
            continue
        document.records_location = located["records_location"]
        document.location_unsure = located["location_unsure"]
        if document.records_location:
            report.marked.append(document.public_id)
            case = db.session.get(Case, document.case_id) if document.case_id else None
            unsure = {"location_unsure": True} if document.location_unsure else {}
            record(
                None,
                "document.location_rechecked",
                document,
                case=case,
                records_location=True,
                **unsure,
            )
    record(
        None,
        "document.locations_rechecked",
        object_type="documents",
        checked=report.checked,
        marked=len(report.marked),
        unreadable=len(report.unreadable),
    )
    return report


def _records_location(document: Document) -> dict[str, bool]:
    """Does a stored document's file record a place, or not rule one out, as its upload's
    check would say now? Its marks (``_location_marks``)."""
    location = PhotoLocation()
    with open_document(document) as content:
        while chunk := content.read(_CHUNK):
            location.feed(chunk)
    return _location_marks(location, document.content_type)


def get_document(public_id: str) -> Document | None:
    return db.session.scalar(select(Document).where(Document.public_id == public_id))


@per_request
def records_location(document: Document, content: bytes) -> bool:
    """Does the document's file record where it was taken (``content``: the file)? Flagged at
    upload, or found in it now: a file stored before uploads were checked for a place, or
    before the check knew where this kind of file keeps it."""
    if document.records_location:
        return True
    location = PhotoLocation()
    for start in range(0, len(content), _CHUNK):
        location.feed(content[start : start + _CHUNK])
    return location.found(document.content_type)


def located_documents(case: Case) -> int:
    """How many of the case's documents were found at upload to record where they were taken."""
    return (
        db.session.scalar(
            select(func.count()).where(
                Document.case_id == case.id,
                Document.hidden_at.is_(None),
                Document.records_location.is_(True),
            )
        )
        or 0
    )


@per_request_shown
def case_documents(case: Case, *, include_hidden: bool = False) -> list[Document]:
    """The case's documents, oldest first, each with its uploader (read once per request: the
    case file lists them and its timeline shows each as added)."""
    query = (
        select(Document)
        .where(Document.case_id == case.id)
        .options(joinedload(Document.uploaded_by))
    )
    if not include_hidden:
        query = query.where(Document.hidden_at.is_(None))
    return list(db.session.scalars(query.order_by(Document.uploaded_at)))


# --- sources --------------------------------------------------------------------------------


def source_values(data: dict[str, Any]) -> dict[str, Any]:
    """Validate source fields present in ``data``."""
    data = dict(data)
    if data.get("reliability"):
        data["reliability"] = str(data["reliability"]).strip().upper()
    r = FieldReader(data)
    r.vocab("kind", SourceKind, message=_("Choose what kind of source this is."))
    if "kind" in r and not data["kind"]:
        r.error("kind", _("Choose what kind of source this is."))
    r.vocab(
        "reliability",
        Reliability,
        default=Reliability.F,
        message=_("Reliability is a letter from A to F."),
    )
    r.vocab(
        "credibility",
        Credibility,
        default=Credibility.C6,
        message=_("Credibility is a number from 1 to 6."),
    )
    r.text("identity", 500, one_line=True)
    r.text("how_they_know", TEXT_MAX_LEN)
    r.text("notes", TEXT_MAX_LEN)
    r.flag("identity_protected")
    return r.values()


def add_source(actor: Any, case: Case, data: dict[str, Any]) -> Source:
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied()
    values = source_values(data)
    if "kind" not in values:
        raise ValidationFailed({"kind": [_("Choose what kind of source this is.")]})
    source = Source(case_id=case.id, created_by_id=actor.id, **values)
    db.session.add(source)
    case.updated_at = utcnow()
    db.session.flush()
    record(actor, "source.created", source, case=case)
    return source


def update_source(
    actor: Any, case: Case, source: Source, data: dict[str, Any], expected_version: Any
) -> list[str]:
    if not permissions.can_edit_case(actor, case) or source.case_id != case.id:
        raise PermissionDenied()
    refuse_if_hidden(source, _("This source is hidden; restore it before changing it."))
    values = source_values(data)
    check_version(source, expected_version, data)
    changed = apply_changes(actor, source, values, "source.updated", case=case)
    if changed:
        case.updated_at = utcnow()
    return changed


def get_source(case: Case, public_id: str) -> Source | None:
    return db.session.scalar(
        select(Source).where(Source.case_id == case.id, Source.public_id == public_id)
    )


@per_request
def cited_sources(case: Case) -> dict[tuple[str, int], list[Source]]:
    """The sources each event (``("event", id)``) and each legal link (``("link", id)``) of
    ``case`` cites, hidden ones too, by source: read in one statement for both, not once for
    the events and again for the links."""
    events = (
        select(
            literal("event").label("kind"),
            event_sources.c.event_id.label("record_id"),
            event_sources.c.source_id.label("source_id"),
        )
        .join(Event, Event.id == event_sources.c.event_id)
        .where(Event.case_id == case.id)
    )
    links = (
        select(
            literal("link"),
            case_provision_sources.c.case_provision_id,
            case_provision_sources.c.source_id,
        )
        .join(CaseProvision, CaseProvision.id == case_provision_sources.c.case_provision_id)
        .where(CaseProvision.case_id == case.id)
    )
    cited = union_all(events, links).subquery()
    rows = db.session.execute(
        select(cited.c.kind, cited.c.record_id, Source)
        .join(Source, Source.id == cited.c.source_id)
        .order_by(Source.id)
    )
    found: dict[tuple[str, int], list[Source]] = {}
    for kind, record_id, source in rows:
        found.setdefault((kind, record_id), []).append(source)
    return found


def case_sources(case: Case, *, include_hidden: bool = False) -> list[Source]:
    query = select(Source).where(Source.case_id == case.id)
    if not include_hidden:
        query = query.where(Source.hidden_at.is_(None))
    return list(db.session.scalars(query.order_by(Source.id)))
