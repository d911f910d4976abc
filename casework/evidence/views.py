"""Sources and documents of a case: add, edit, upload, download (as an attachment only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for
from flask_login import current_user

from casework import permissions
from casework.cases.forms import DocumentForm, SourceForm
from casework.cases.models import Case
from casework.core.conflicts import conflict_page
from casework.core.formflow import submit
from casework.core.forms import initial_data
from casework.core.i18n import gettext as _
from casework.evidence import services, uploads
from casework.evidence.downloads import send_document
from casework.evidence.models import Document, Source
from casework.loader import load, no_page_if_hidden

bp = Blueprint("evidence", __name__)

_SOURCE_FIELDS = (
    "kind",
    "identity",
    "identity_protected",
    "how_they_know",
    "reliability",
    "credibility",
    "notes",
)


def _source_data(form: SourceForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in _SOURCE_FIELDS}


@bp.route("/cases/<public_id>/sources/new", methods=["GET", "POST"])
def new_source(public_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_edit_case)
    form = SourceForm()
    done = submit(
        form,
        lambda: services.add_source(current_user, case, _source_data(form)),
        success=_("Source added."),
        then=_sources_of(case),
    )
    return done or render_template(
        "evidence/source_form.html", case=case, form=form, source=None, saved=None
    )


@bp.route("/cases/<public_id>/sources/<source_id>", methods=["GET", "POST"])
def edit_source(public_id: str, source_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_edit_case)
    source = load(Source, source_id, current_user, case=case)
    no_page_if_hidden(source)
    form = SourceForm(data=initial_data(source, SourceForm))
    done = submit(
        form,
        lambda: services.update_source(
            current_user, case, source, _source_data(form), form.version.data
        ),
        success=_("Source saved."),
        then=_sources_of(case),
        on_stale=lambda exc: conflict_page(
            "evidence/source_form.html", form, source, case=case, source=source
        ),
    )
    return done or render_template(
        "evidence/source_form.html", case=case, form=form, source=source, saved=None
    )


def _sources_of(case) -> str:
    return url_for("cases.case_file", public_id=case.public_id) + "#sources"


@bp.route("/cases/<public_id>/documents/new", methods=["GET", "POST"])
def upload_document(public_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_edit_case)
    form = DocumentForm()
    done = uploads.receive(
        form,
        lambda: services.store_document(
            current_user,
            form.file.data.stream,
            form.file.data.filename or "",
            case=case,
            description=form.description.data,
        ),
        then=url_for("cases.case_file", public_id=case.public_id) + "#documents",
    )
    if not isinstance(done, int):
        return done
    return render_template(
        "evidence/document_form.html",
        case=case,
        form=form,
        accepted=", ".join(services.allowed_extensions()),
        max_mb=services.current_app.config["MAX_UPLOAD_BYTES"] // (1024 * 1024),
    ), done


@bp.get("/cases/<public_id>/documents/<document_id>")
def download_document(public_id: str, document_id: str):
    """Only for users who may see the case's identifying data; always an attachment."""
    case = load(Case, public_id, current_user, need=permissions.can_view_identifying)
    document = load(Document, document_id, current_user, case=case)
    return send_document(current_user, document, case=case)
