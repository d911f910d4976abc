"""Outputs: statistics, exports, the organisation profile, UPR drafts and per-case documents."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

import click
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.cli import AppGroup
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from casework import permissions
from casework.accounts.models import User
from casework.accounts.recent_auth import has_recent_auth
from casework.cases.models import Case
from casework.core.conflicts import conflict_page
from casework.core.db import db
from casework.core.errors import PermissionDenied, StaleEdit, ValidationFailed
from casework.core.formflow import submit
from casework.core.forms import apply_errors
from casework.core.i18n import N_, english, format_day
from casework.core.i18n import gettext as _
from casework.core.spreadsheet import inert_cell
from casework.core.vocab import CaseStatus
from casework.jobs import services as jobs
from casework.loader import load
from casework.reports import documents, dossier, services, upr
from casework.reports.anonymise import Output, disclose_case, review_is_current
from casework.reports.charts import bar_chart
from casework.reports.forms import (
    DraftForm,
    ExportForm,
    NewDraftForm,
    OrganisationForm,
    ReviewForm,
)
from casework.reports.models import ReportDraft
from casework.reports.statistics import (
    DEFAULT_STATUSES,
    Filters,
    cached_statistics,
    publish,
    release,
    release_all,
    suppress_below,
)

bp = Blueprint("reports", __name__)

# The outputs as the interface names them (translated where shown).
CASE_OUTPUTS = {
    Output.SPECIAL_PROCEDURES: N_("Special Procedures communication"),
    Output.CAT: N_("CAT interim-measures request"),
    Output.HRC: N_("Human Rights Committee communication"),
    Output.DOSSIER: N_("Case dossier (PDF)"),
    Output.ARCHIVE: N_("Case archive (ZIP)"),
}
_OUTPUT_LINKS = {
    Output.SPECIAL_PROCEDURES: N_("Special Procedures"),
    Output.CAT: N_("CAT interim measures"),
    Output.HRC: N_("Human Rights Committee"),
    Output.DOSSIER: N_("Dossier"),
    Output.ARCHIVE: N_("Archive"),
}
_FORMATS = {
    Output.SPECIAL_PROCEDURES: ("docx", "txt"),
    Output.CAT: ("docx",),
    Output.HRC: ("docx",),
    Output.DOSSIER: ("pdf",),
    Output.ARCHIVE: ("zip",),
}
_MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain; charset=utf-8",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


def confirm_recent_auth() -> Response | None:
    """Called before every bulk export: password and code again unless given recently.

    Returns a response to send instead of the export (the confirmation page, which comes back
    to this page), or None to go on.
    """
    if has_recent_auth():
        return None
    flash(_("Confirm your password and code before this export."), "info")
    back = request.path if request.method == "GET" else url_for("reports.export")
    return redirect(url_for("accounts.reauthenticate", next=back))


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied()


def _download(content: bytes, name: str, mimetype: str) -> Response:
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name)


# --- statistics -----------------------------------------------------------------------------


def _filters(errors: list[str] | None = None) -> Filters:
    """Filters from the query string (status codes and years only: nothing identifying); a year
    that is not one is ignored, with a message in ``errors``."""
    statuses = tuple(
        s for s in (CaseStatus.parse(v) for v in request.args.getlist("status")) if s is not None
    )

    def year(name: str) -> int | None:
        value = request.args.get(name, "").strip()
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not 1900 <= number <= 2100:
            if errors is not None:
                errors.append(
                    _("“%(value)s” is not a year from 1900 to 2100; ignored.", value=value[:20])
                )
            return None
        return number

    return Filters(statuses or DEFAULT_STATUSES, year("from"), year("to"))


@bp.get("/reports/statistics")
def statistics_page():
    _require(permissions.can_view_statistics(current_user))
    errors: list[str] = []
    filters = _filters(errors)
    for message in errors:
        flash(message, "warning")
    # The working view: exact counts, marked internal. The view for publication is what the
    # downloads give, and is a publication as they are: each table recorded, or withheld when
    # it would give a small group away with the earlier publications.
    published = request.args.get("published") == "1"
    below = suppress_below()
    if published:
        shown = [
            (t, bar_chart(t), None)
            if clash is None
            else (t, None, _clash_message(clash, below, shown=True))
            for t, clash in release_all(current_user, filters, "html", below)
        ]
        db.session.commit()
    else:
        shown = [(t, bar_chart(t), None) for t in cached_statistics(current_user, filters)]
    # The filters as they came, as text: never as keyword arguments of url_for, which reads
    # some ("_anchor", "_scheme", "endpoint") as how to build the link.
    kept = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "published"])
    page_url = url_for("reports.statistics_page")
    return render_template(
        "reports/statistics.html",
        tables=shown,
        filters=filters,
        statuses=list(CaseStatus),
        query=request.query_string.decode(),
        published=published,
        below=below,
        internal_url=f"{page_url}?{kept}" if kept else page_url,
        published_url=f"{page_url}?{kept + '&' if kept else ''}published=1",
    )


@bp.get("/reports/statistics/<key>.csv")
def statistics_csv(key: str):
    """A table to download: it leaves the organisation, so it is the published one."""
    _require(permissions.can_view_statistics(current_user))
    filters = _filters()
    tables = {t.key: t for t in cached_statistics(current_user, filters)}
    table = tables.get(key)
    if table is None:
        abort(404)
    below = suppress_below()
    # Publications combined with one another must not give a small group away.
    clash = release(current_user, table, filters, "csv", below)
    if clash is not None:
        flash(_clash_message(clash, below), "warning")
        page = url_for("reports.statistics_page")
        query = request.query_string.decode()
        return redirect(f"{page}?{query}" if query else page)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows([[inert_cell(v) for v in row] for row in publish(table, below).rows])
    db.session.commit()
    return _download(out.getvalue().encode("utf-8-sig"), f"{key}.csv", "text/csv")


def _clash_message(clash: Any, below: int, shown: bool = False) -> str:
    earlier = "; ".join(
        _(
            "on %(date)s for years %(years)s (%(statuses)s)",
            date=format_day(publication.at),
            years=f"{publication.filters.year_from or '…'}–{publication.filters.year_to or '…'}",
            statuses=", ".join(s.label for s in publication.filters.statuses),
        )
        for publication in clash.earlier
    )
    if shown:
        return _(
            "Not shown: this table was published %(earlier)s, and these figures together with "
            "those would reveal a small group (fewer than %(n)s cases). View it for the same "
            "filters as one of those, or for filters that differ by more cases.",
            earlier=earlier,
            n=below,
        )
    return _(
        "Not downloaded: this table was published %(earlier)s, and these figures together "
        "with those would reveal a small group (fewer than %(n)s cases). Download it for the "
        "same filters as one of those, or for filters that differ by more cases.",
        earlier=earlier,
        n=below,
    )


# --- exports --------------------------------------------------------------------------------


@bp.route("/reports/export", methods=["GET", "POST"])
def export():
    _require(permissions.can_export_cases(current_user))
    form = ExportForm()
    if form.validate_on_submit():
        challenge = confirm_recent_auth()
        if challenge is not None:
            return challenge
        if services.count_readable_cases(current_user) > current_app.config["EXPORT_JOB_CASES"]:
            # Many cases: a background job makes the file; its page offers the download.
            params = {"format": form.format.data, "anonymise": bool(form.anonymise.data)}
            job = jobs.start("reports.export", params, current_user)
            return redirect(url_for("jobs.detail", job_id=job.public_id))
        with english():  # an exchange format: labels in one language, whoever exports
            content, name, mimetype, _count = services.export_cases(
                current_user, form.format.data, anonymise=form.anonymise.data
            )
        db.session.commit()
        return _download(content, name, mimetype)
    return render_template("reports/export.html", form=form)


# --- organisation profile -------------------------------------------------------------------


@bp.route("/reports/organisation", methods=["GET", "POST"])
def organisation():
    _require(permissions.can_manage_reports(current_user))
    profile = services.organisation(current_app.config["ORGANISATION_NAME"])
    form = OrganisationForm(obj=profile)
    done = submit(
        form,
        lambda: services.save_organisation(current_user, form.data, form.version.data),
        success=_("Organisation profile saved."),
        then=url_for("reports.organisation"),
        on_stale=lambda exc: conflict_page("reports/organisation.html", form, exc.current),
    )
    return done or render_template("reports/organisation.html", form=form, saved=None)


# --- UPR drafts -----------------------------------------------------------------------------


@bp.route("/reports/upr", methods=["GET", "POST"])
def upr_drafts():
    _require(permissions.can_manage_reports(current_user))
    form = NewDraftForm()
    if form.validate_on_submit():
        try:
            draft = upr.create_draft(
                current_user,
                upr.Period(form.period_from.data, form.period_to.data),
                joint=form.joint.data,
                co_authors=form.co_authors.data or "",
                title=form.title.data or "",
            )
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(
                _("Draft generated from the cases of the period. Edit it, then export."), "success"
            )
            return redirect(url_for("reports.upr_draft", draft_id=draft.public_id))
    return render_template("reports/upr_drafts.html", form=form, drafts=upr.drafts(current_user))


@bp.route("/reports/upr/<draft_id>", methods=["GET", "POST"])
def upr_draft(draft_id: str):
    _require(permissions.can_manage_reports(current_user))
    draft = load(ReportDraft, draft_id, current_user)
    form = DraftForm(
        data={"body": draft.body, "co_authors": draft.co_authors, "version": draft.version}
    )
    if form.validate_on_submit():
        try:
            words = upr.save_draft(
                current_user,
                draft,
                form.body.data or "",
                form.co_authors.data or "",
                form.version.data,
            )
        except StaleEdit:
            db.session.rollback()
            # The user's text stays in the form, on the saved version: the next save keeps it.
            return conflict_page(
                "reports/upr_draft.html",
                form,
                draft,
                draft=draft,
                words=upr.word_count(form.body.data or ""),
            )
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)  # the text typed stays in the form
        else:
            db.session.commit()
            if words > draft.word_limit:
                flash(
                    _(
                        "Saved. The text has %(words)s words: over the limit of %(limit)s. "
                        "OHCHR may reject it; shorten it before export.",
                        words=words,
                        limit=draft.word_limit,
                    ),
                    "error",
                )
            else:
                flash(
                    _("Saved (%(words)s of %(limit)s words).", words=words, limit=draft.word_limit),
                    "success",
                )
            return redirect(url_for("reports.upr_draft", draft_id=draft.public_id))
    text = form.body.data or ""
    return render_template(
        "reports/upr_draft.html",
        draft=draft,
        form=form,
        words=upr.word_count(text),
        period_warning=upr.period_warning(upr.Period(draft.period_from, draft.period_to)),
        saved=None,
    )


@bp.get("/reports/upr/<draft_id>/docx")
def upr_docx(draft_id: str):
    _require(permissions.can_manage_reports(current_user))
    draft = load(ReportDraft, draft_id, current_user)
    challenge = confirm_recent_auth()
    if challenge is not None:
        return challenge
    with english():  # a submission to the UN, written in English
        content = upr.export_draft(current_user, draft)
    db.session.commit()
    return _download(content, f"upr-submission-{draft.period_to.year}.docx", _MIMETYPES["docx"])


# --- per-case outputs -----------------------------------------------------------------------


def _case_output(public_id: str, output: str) -> tuple[Case, Output]:
    case = load(Case, public_id, current_user, need=permissions.can_prepare_output)
    return case, Output(output)


@bp.get("/cases/<public_id>/outputs/<any(special_procedures, cat, hrc, dossier, archive):output>")
def case_output(public_id: str, output: str):
    """The preview: exactly what will leave, and the review step for free text."""
    case, kind = _case_output(public_id, output)
    disclosed = disclose_case(case, kind)
    review = review_is_current(case, kind)
    # The free text as it would leave once reviewed, for the reviewer to read.
    scrubbed = disclose_case(case, kind, assume_reviewed=True)
    services.record_output(current_user, kind.value, "preview", 1, case=case)
    db.session.commit()
    with english():  # the preview shows the document's own words, which are English
        facts = documents.facts(disclosed)
    return render_template(
        "reports/case_output.html",
        case=case,
        kind=kind,
        title=_(CASE_OUTPUTS[kind]),
        output_links=[(k.value, _(label)) for k, label in _OUTPUT_LINKS.items()],
        disclosed=disclosed,
        scrubbed=scrubbed,
        review=review,
        formats=_FORMATS[kind],
        facts=facts,
        warnings=services.output_warnings(disclosed, kind)
        + (services.archive_warnings(case) if kind == Output.ARCHIVE else []),
        # The outputs that carry the authorisation and the other procedures' free text: the
        # treaty bodies' documents, counsel's dossier, and the archive's case.json.
        representation=kind in (Output.CAT, Output.HRC, Output.DOSSIER, Output.ARCHIVE),
        review_form=ReviewForm(),
    )


@bp.post(
    "/cases/<public_id>/outputs/<any(special_procedures, cat, hrc, dossier, archive):output>/review"
)
def review_output(public_id: str, output: str):
    case, kind = _case_output(public_id, output)
    form = ReviewForm()
    if form.validate_on_submit():
        services.review_free_text(current_user, case, kind)
        db.session.commit()
        flash(_("Reviewed: the free text shown will be part of this output."), "success")
    return redirect(url_for("reports.case_output", public_id=case.public_id, output=kind.value))


@bp.get(
    "/cases/<public_id>/outputs/<any(special_procedures, cat, hrc, dossier, archive):output>/file"
)
def case_output_file(public_id: str, output: str):
    """The document, in the format asked (``?format=``, else the output's first)."""
    case, kind = _case_output(public_id, output)
    fmt = request.args.get("format") or _FORMATS[kind][0]
    if fmt not in _FORMATS[kind]:
        abort(404)
    anonymise = request.args.get("anonymise") == "1"
    content = case_document(current_user, case, kind, fmt, anonymise=anonymise)
    db.session.commit()
    return _download(content, f"{case.reference}-{kind.value}.{fmt}", _MIMETYPES[fmt])


def case_document(user: Any, case: Case, kind: Output, fmt: str, *, anonymise: bool) -> bytes:
    """One per-case document (each generator audits itself), in English: UN bodies read it."""
    with english():
        return _case_document(user, case, kind, fmt, anonymise=anonymise)


def _case_document(user: Any, case: Case, kind: Output, fmt: str, *, anonymise: bool) -> bytes:
    profile = services.organisation(current_app.config["ORGANISATION_NAME"])
    if kind == Output.DOSSIER:
        return dossier.dossier_pdf(user, case)
    if kind == Output.ARCHIVE:
        return dossier.archive_zip(user, case, anonymise=anonymise)
    disclosed = disclose_case(case, kind, strict=anonymise)
    services.record_output(user, kind.value, fmt, 1, case=case, anonymised=anonymise)
    if kind in documents.TREATY_BODIES:
        return documents.treaty_body_docx(disclosed, profile, documents.TREATY_BODIES[kind])
    if fmt == "txt":
        return documents.communication_text(disclosed, profile).encode()
    return documents.communication_docx(disclosed, profile)


# --- command line ---------------------------------------------------------------------------

export_cli = AppGroup("export", help="Export data.")
report_cli = AppGroup("report", help="Generate documents.")


def _cli_user(email: str | None) -> User:
    if not email:
        raise click.UsageError("Give --as EMAIL: exports contain what that user may read.")
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        raise click.UsageError("No active account with that e-mail.")
    return user


@export_cli.command("cases")
@click.option("--format", "fmt", type=click.Choice(services.EXPORT_FORMATS), required=True)
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--anonymise", is_flag=True, help="Pseudonyms for everyone, no free text.")
@click.option("--as", "email", help="The account whose access the export follows.")
def export_cases_command(fmt: str, out: str, anonymise: bool, email: str | None) -> None:
    """Export the cases a user may read as CSV, XLSX or JSON."""
    user = _cli_user(email)
    if not permissions.can_export_cases(user):
        raise click.UsageError("That account may not export cases.")
    content, _name, _mimetype, count = services.export_cases(user, fmt, anonymise=anonymise)
    db.session.commit()
    with open(out, "wb") as handle:
        handle.write(content)
    click.echo(f"{count} case(s) written.")


@report_cli.command("upr")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--joint", is_flag=True)
@click.option("--co-author", "co_authors", multiple=True, help="A co-author (repeatable).")
@click.option("--as", "email", help="The coordinator whose access the document follows.")
def upr_command(start, end, out: str, joint: bool, co_authors: tuple[str, ...], email) -> None:
    """Generate the UPR stakeholder submission (.docx) for a period."""
    user = _cli_user(email)
    if not permissions.can_manage_reports(user):
        raise click.UsageError("That account may not produce submissions.")
    period = upr.Period(start.date(), end.date())
    if joint and not co_authors:
        click.echo(
            "Warning: a joint submission names its co-authors (--co-author); OHCHR gives the "
            "longer word limit to joint submissions only.",
            err=True,
        )
    warning = upr.period_warning(period)
    if warning:
        click.echo(f"Warning: {warning}", err=True)
    content, words = upr.generate_docx(user, period, joint=joint, co_authors=list(co_authors))
    db.session.commit()
    with open(out, "wb") as handle:
        handle.write(content)
    limit = upr.word_limit(joint)
    click.echo(f"Written: about {words} words (limit {limit}).")
    if words > limit:
        click.echo("Warning: over the word limit; shorten the text before submitting.", err=True)


def init_app(app: Flask) -> None:
    app.cli.add_command(export_cli)
    app.cli.add_command(report_cli)
