"""A case's documents: list, upload (multipart), download."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import request
from pydantic import Field

from casework import permissions
from casework.api.common import case_for_records
from casework.api.consent import shows_identifying
from casework.api.framework import Call, operation
from casework.api.schemas import AnonymisedQuery, Input, Output
from casework.core.errors import ValidationFailed
from casework.evidence import services as evidence
from casework.evidence.downloads import send_document
from casework.evidence.models import Document
from casework.evidence.services import DESCRIPTION_MAX_LEN
from casework.loader import load

TAG = "Documents"


class DocumentIdentifying(Output):
    original_name: str
    description: str | None
    sha256: str


class DocumentOut(Output):
    id: str
    content_type: str
    size: int
    uploaded_at: datetime
    records_location: bool | None = Field(
        description="The file was found at upload to record where it was taken (such as a "
        "photo's GPS coordinates): it should be cleaned before it leaves the organisation. Null: "
        "stored before files were checked for this."
    )
    location_unsure: bool | None = Field(
        description="True: a place could not be ruled out rather than found (a video's GPS "
        "track or compressed metadata could not be read); records_location is true as well, and "
        "the file is to be cleaned alike. False: a place found, or none. Null: stored before "
        "the two were told apart."
    )
    identifying: DocumentIdentifying | None


class UploadWarning(Output):
    code: str = Field(
        description="A stable machine code: location_in_file (the file records "
        "where it was taken, such as a photo's GPS coordinates); location_not_ruled_out (the "
        "file may record it: a video's GPS track or compressed metadata could not be read; "
        "marked as recording a place, with location_unsure, and said so again when replayed)."
    )
    message: str


class UploadedDocument(DocumentOut):
    warnings: list[UploadWarning] = Field(
        description="What the uploader must know of the stored file (never its content)."
    )


class DocumentList(Output):
    items: list[DocumentOut]


def present_document(document: Any, identifying: bool) -> DocumentOut:
    details = None
    if identifying:
        details = DocumentIdentifying(
            original_name=document.original_name,
            description=document.description,
            sha256=document.sha256,
        )
    return DocumentOut(
        id=document.public_id,
        content_type=document.content_type,
        size=document.size,
        uploaded_at=document.uploaded_at,
        records_location=document.records_location,
        location_unsure=document.location_unsure,
        identifying=details,
    )


@operation("GET", "/cases/<case_id>/documents", summary="A case's documents", tag=TAG,
           response=DocumentList, query=AnonymisedQuery)  # fmt: skip
def list_documents(call: Call, case_id: str) -> DocumentList:
    case = case_for_records(call.user, case_id)
    identifying = shows_identifying(call.user, case, anonymised=call.query.anonymised)
    return DocumentList(
        items=[present_document(d, identifying) for d in evidence.case_documents(case)]
    )


class DocumentUpload(Input):
    """The form parts besides ``file``."""

    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX_LEN)


def present_upload(document: Document) -> UploadedDocument:
    """A stored upload, as its uploader reads it: the document and the warnings of the page."""
    return UploadedDocument(
        **present_document(document, True).model_dump(),
        warnings=[
            UploadWarning(code=code, message=message)
            for code, message in evidence.upload_warnings(document)
        ],
    )


def _replay_document(call: Call, object_id: str, case_id: str) -> UploadedDocument:
    case = case_for_records(call.user, case_id)
    return present_upload(load(Document, object_id, call.user, case=case))


@operation("POST", "/cases/<case_id>/documents", summary="Upload a document (multipart)",
           tag=TAG, response=UploadedDocument, status=201, body=DocumentUpload, upload="file",
           write=True, replay=_replay_document)  # fmt: skip
def upload_document(call: Call, case_id: str) -> UploadedDocument:
    case = case_for_records(call.user, case_id, need=permissions.can_edit_case)
    description = call.body.description  # first: a body that is not multipart is a 415
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": ["Attach the file as the form part \u201cfile\u201d."]})
    document = evidence.store_document(
        call.user,
        upload.stream,
        upload.filename or "",
        case=case,
        description=description,
    )
    return present_upload(document)


@operation("GET", "/cases/<case_id>/documents/<document_id>/file", summary="Download a document",
           tag=TAG, response=None, download=True)  # fmt: skip
def download_document(call: Call, case_id: str, document_id: str):
    case = case_for_records(call.user, case_id)
    document = load(Document, document_id, call.user, case=case)
    return send_document(call.user, document, case=case)
