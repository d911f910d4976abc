"""Legal grounds: the catalogue pages, a case's links and domestic remedies, and their hooks."""

from __future__ import annotations

from datetime import date
from typing import Any

import click
from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from casework import permissions
from casework.audit.wording import field_name
from casework.cases.models import Case
from casework.core.cli import register_seeder
from casework.core.db import db
from casework.core.errors import StaleEdit
from casework.core.fields import read_as
from casework.core.formflow import perform, submit
from casework.core.forms import form_value
from casework.core.hooks import (
    CasePanel,
    DashboardSection,
    case_deadlines,
    case_panels,
    register_case_panel,
    register_dashboard_section,
    register_deadline_provider,
    register_timeline_provider,
)
from casework.core.i18n import N_, current_language
from casework.core.i18n import gettext as _
from casework.core.rendering import render_fragment
from casework.core.vocab import Assessment, LinkState
from casework.legal import precedents, seeding, services
from casework.legal.forms import (
    HideForm,
    InstrumentForm,
    LinkForm,
    LinkHideForm,
    NewInstrumentForm,
    NewProvisionForm,
    PrecedentForm,
    ProvisionForm,
    RemedyForm,
    RetireForm,
    SuggestForm,
)
from casework.legal.models import CasePrecedent, CaseProvision, Instrument, Provision, Remedy
from casework.legal.rows import link_articles
from casework.loader import load, no_page_if_hidden

bp = Blueprint("legal", __name__)

ACCEPTED_MEANWHILE = N_(
    "A lawyer accepted this suggestion while you were dismissing it: it is now an assessment "
    "with their analysis. Nothing was hidden. Read it, and hide it only if it should go."
)
STALE_MESSAGE = N_(
    "Someone else changed this record while you were editing it. Nothing was saved: "
    "check the current values below and apply your change again."
)


# --------------------------------------------------------------------------- helpers


def case_url(public_id: str) -> str:
    """The case file if its page exists, else the case's legal page."""
    return services.case_page(public_id)


def _require_catalogue_manager() -> None:
    if not permissions.can_manage_catalogue(current_user):
        abort(403)


def _manages_catalogue(user: Any, _entry: Any) -> bool:
    return permissions.can_manage_catalogue(user)


def _submitted(form) -> dict[str, Any]:
    return {k: v for k, v in form.data.items() if k not in ("csrf_token", "version")}


def _legal_page(case) -> str:
    return services.case_page(case.public_id)


def _stale_page(template: str, form, current, **context: Any):
    """The form again with the saved values, and what the user had entered beside them (409)."""
    flash(_(STALE_MESSAGE), "warning")
    return render_template(template, form=current, submitted=_submitted(form), **context), 409


def _outdated_warning(entry: Instrument | Provision) -> str | None:
    """After an edit: the entry's Russian texts that Russian pages now mark as outdated."""
    fields = services.outdated_translations([entry]).get(entry)
    if not fields:
        return None
    return _(
        "The English text changed and its Russian version did not (%(fields)s): Russian pages "
        "mark it as possibly outdated, with the English beside it, until it is updated.",
        fields=", ".join(field_name(name) for name in sorted(fields)),
    )


def _outdated(entries: list[Instrument | Provision]) -> dict:
    """The Russian texts a Russian page marks as possibly outdated (none on other pages)."""
    return services.outdated_translations(entries) if current_language() == "ru" else {}


def _set_retired(item, set_retired, endpoint: str):
    """Retire or reinstate a catalogue entry from its page, then go back to that page."""
    form = RetireForm()
    retire = request.form.get("retire") == "1"
    try:
        set_retired(current_user, item, retire, form.version.data)
    except StaleEdit:
        db.session.rollback()
        flash(_(STALE_MESSAGE), "warning")
    else:
        db.session.commit()
        flash(
            _("%(code)s retired.", code=item.code)
            if retire
            else _("%(code)s reinstated.", code=item.code),
            "success",
        )
    return redirect(url_for(endpoint, code=item.code))


# --------------------------------------------------------------------------- catalogue


@bp.get("/legal/")
def catalogue():
    if not permissions.can_view_catalogue(current_user):
        abort(403)
    instruments = services.list_instruments()
    counts = services.citation_counts(
        current_user, [p.id for inst in instruments for p in inst.provisions]
    )
    manager = permissions.can_manage_catalogue(current_user)
    return render_template(
        "legal/catalogue.html",
        instruments=instruments,
        outdated=_outdated([*instruments, *(p for inst in instruments for p in inst.provisions)]),
        counts=counts,
        count_cap=services.CATALOGUE_COUNT_CAP,
        pending=seeding.pending_corrections() if manager else [],
    )


@bp.post("/legal/corrections/<any(instrument, provision):kind>/<path:code>")
def resolve_correction(kind: str, code: str):
    """Take the catalogue's corrected version of an edited entry, or keep the lawyer's."""
    _require_catalogue_manager()
    accept = request.form.get("accept") == "1"
    return perform(
        lambda: seeding.resolve_correction(current_user, kind, code, accept=accept),
        success=(
            _("%(code)s: the catalogue's version applied.", code=code)
            if accept
            else _("%(code)s: your version kept.", code=code)
        ),
        then=url_for("legal.catalogue") + "#corrections",
        form=RetireForm(),
    )


@bp.route("/legal/instruments/new", methods=["GET", "POST"])
def new_instrument():
    _require_catalogue_manager()
    form = NewInstrumentForm()
    done = submit(
        form,
        lambda: services.create_instrument(
            current_user,
            code=form.code.data,
            cited_as_whole=form.cited_as_whole.data,
            **_instrument_values(form),
        ),
        # The code as the catalogue stores it.
        success=_("%(code)s added to the catalogue.", code=services.normalise_code(form.code.data)),
        then=lambda instrument: url_for("legal.instrument", code=instrument.code),
    )
    return done or render_template("legal/instrument_form.html", form=form, instrument=None)


def _instrument_values(form: InstrumentForm) -> dict[str, Any]:
    return {
        name: getattr(form, name).data
        for name in (
            "title",
            "title_ru",
            "instrument_type",
            "direction",
            "adopted_on",
            "kz_status",
            "kz_status_ru",
            "kz_date",
            "summary",
            "summary_ru",
            "url",
            "articles_invoked",
            "articles_found",
            "interim_measures",
            "follow_up_status",
        )
    }


@bp.get("/legal/instruments/<path:code>")
def instrument(code: str):
    item = load(Instrument, code, current_user)
    counts = services.citation_counts(current_user, [p.id for p in item.provisions])
    return render_template(
        "legal/instrument.html",
        instrument=item,
        outdated=_outdated([item, *item.provisions]),
        counts=counts,
        count_cap=services.CATALOGUE_COUNT_CAP,
        history=services.history(item),
        retire_form=RetireForm(version=item.version),
        citing=precedents.citing_cases(current_user, item),
        citing_shown=precedents.CITING_SHOWN,
    )


@bp.route("/legal/instruments/edit/<path:code>", methods=["GET", "POST"])
def edit_instrument(code: str):
    item = load(Instrument, code, current_user, need=_manages_catalogue)
    form = InstrumentForm(obj=item)
    if request.method == "GET":
        _fill_instrument_form(form, item)

    def stale(exc: StaleEdit):
        current = InstrumentForm(obj=item, formdata=None)
        _fill_instrument_form(current, item)
        return _stale_page("legal/instrument_form.html", form, current, instrument=item)

    done = submit(
        form,
        lambda: services.update_instrument(
            current_user, item, form.version.data, **_instrument_values(form)
        ),
        success=_("Instrument saved."),
        then=url_for("legal.instrument", code=item.code),
        on_stale=stale,
        warning=_outdated_warning,
    )
    return done or render_template("legal/instrument_form.html", form=form, instrument=item)


def _fill_instrument_form(form: InstrumentForm, item) -> None:
    form.instrument_type.data = item.instrument_type.value
    form.direction.data = item.direction.value
    form.interim_measures.data = item.interim_measures.value if item.interim_measures else ""
    form.follow_up_status.data = item.follow_up_status.value if item.follow_up_status else ""
    form.version.data = item.version


@bp.post("/legal/instruments/retire/<path:code>")
def retire_instrument(code: str):
    item = load(Instrument, code, current_user, need=_manages_catalogue)
    return _set_retired(item, services.set_retired, "legal.instrument")


@bp.route("/legal/instruments/add-provision/<path:code>", methods=["GET", "POST"])
def new_provision(code: str):
    item = load(Instrument, code, current_user, need=_manages_catalogue)
    form = NewProvisionForm()
    done = submit(
        form,
        lambda: services.create_provision(
            current_user, item, code=form.code.data, **_provision_values(form)
        ),
        # The code as the catalogue stores it.
        success=_("%(code)s added.", code=services.normalise_code(form.code.data)),
        then=lambda provision: url_for("legal.provision", code=provision.code),
    )
    return done or render_template(
        "legal/provision_form.html", form=form, instrument=item, provision=None
    )


def _provision_values(form: ProvisionForm) -> dict[str, Any]:
    return {
        name: getattr(form, name).data
        for name in (
            "title",
            "title_ru",
            "summary",
            "summary_ru",
            "needs_verification",
            "position",
        )
    }


@bp.get("/legal/provisions/<path:code>")
def provision(code: str):
    item = load(Provision, code, current_user)
    found = services.provision_citations(current_user, item)
    return render_template(
        "legal/provision.html",
        provision=item,
        outdated=_outdated([item, item.instrument]),
        citations=found.shown,
        counts=found.counts,
        citation_total=found.total,
        citations_more_than=found.more_than,
        citations_shown=services.CITATIONS_SHOWN,
        history=services.history(item),
        retire_form=RetireForm(version=item.version),
    )


@bp.route("/legal/provisions/edit/<path:code>", methods=["GET", "POST"])
def edit_provision(code: str):
    item = load(Provision, code, current_user, need=_manages_catalogue)
    form = ProvisionForm(obj=item)
    if request.method == "GET":
        form.version.data = item.version
    done = submit(
        form,
        lambda: services.update_provision(
            current_user, item, form.version.data, **_provision_values(form)
        ),
        success=_("Provision saved."),
        then=url_for("legal.provision", code=item.code),
        warning=_outdated_warning,
        on_stale=lambda exc: _stale_page(
            "legal/provision_form.html",
            form,
            ProvisionForm(obj=item, formdata=None, version=item.version),
            instrument=item.instrument,
            provision=item,
        ),
    )
    return done or render_template(
        "legal/provision_form.html", form=form, instrument=item.instrument, provision=item
    )


@bp.post("/legal/provisions/retire/<path:code>")
def retire_provision(code: str):
    item = load(Provision, code, current_user, need=_manages_catalogue)
    return _set_retired(item, services.set_retired, "legal.provision")


# --------------------------------------------------------------------------- case links


@bp.get("/cases/<case_public_id>/legal/")
def case_legal(case_public_id: str):
    case = load(Case, case_public_id, current_user, need=permissions.can_view_identifying)
    # The same panels as on the case file, for this area only.
    panels = [
        (panel, render_fragment(panel.template, ctx))
        for panel, ctx in case_panels(case, current_user)
        if panel.name in ("legal", "remedies")
    ]
    return render_template("legal/case.html", case=case, panels=panels)


@bp.route("/cases/<case_public_id>/legal/links/new", methods=["GET", "POST"])
def new_link(case_public_id: str):
    case = load(Case, case_public_id, current_user, need=permissions.can_edit_legal_links)
    form = LinkForm()
    form.set_choices(
        services.usable_provisions(), services.case_sources(case), services.source_label
    )
    if request.method == "GET":
        form.provision.data = request.args.get("provision", "")
        form.violation_status.data = "unknown"
    done = submit(
        form,
        lambda: services.add_link(
            current_user,
            case,
            provision=services.get_provision(form.provision.data),
            **_link_values(form),
        ),
        success=_("Legal ground linked."),
        then=_legal_page(case) + "#panel-legal",
    )
    return done or render_template("legal/link_form.html", case=case, form=form, link=None)


def _link_values(form: LinkForm) -> dict[str, Any]:
    return {
        "assessment": form.assessment.data,
        "violation_status": form.violation_status.data,
        "analysis": form.analysis.data,
        "source_ids": form.sources.data,
    }


@bp.route("/cases/<case_public_id>/legal/links/<link_id>/edit", methods=["GET", "POST"])
def edit_link(case_public_id: str, link_id: str):
    return _edit_link(case_public_id, link_id, accept=False)


@bp.route("/cases/<case_public_id>/legal/links/<link_id>/accept", methods=["GET", "POST"])
def accept_link(case_public_id: str, link_id: str):
    return _edit_link(case_public_id, link_id, accept=True)


def _edit_link(case_public_id: str, link_id: str, accept: bool):
    case = load(Case, case_public_id, current_user, need=permissions.can_edit_legal_links)
    link = load(CaseProvision, link_id, current_user, case=case)
    # A link hidden, or a suggestion accepted, has no such page. A form sent from it after that
    # happened meanwhile is not lost: hidden, the loader answers it with the conflict page
    # (RemovedFromCase), or, to whoever may restore the link, the service refuses it; accepted
    # by someone else, the service finds it stale. Either way the lawyer keeps what they wrote.
    if request.method != "POST" and (
        link.is_hidden or (accept != (link.state == LinkState.SUGGESTED))
    ):
        abort(404)
    sources = services.case_sources(case)

    def build(**kwargs) -> LinkForm:
        f = LinkForm(**kwargs)
        del f.provision
        f.set_choices([], sources, services.source_label)
        return f

    form = build()
    if request.method == "GET":
        _fill_link_form(form, link)

    def stale(exc: StaleEdit):
        current = build(formdata=None)
        _fill_link_form(current, link)
        # Accepted by someone else meanwhile: the form now edits that assessment.
        still_suggested = accept and link.state == LinkState.SUGGESTED
        return _stale_page(
            "legal/link_form.html",
            form,
            current,
            case=case,
            link=link,
            accept=still_suggested,
            form_action=url_for(
                "legal.accept_link" if still_suggested else "legal.edit_link",
                case_public_id=case.public_id,
                link_id=link.public_id,
            ),
        )

    done = submit(
        form,
        lambda: services.update_link(
            current_user, link, form.version.data, accept=accept, **_link_values(form)
        ),
        success=_("Suggestion accepted.") if accept else _("Legal ground saved."),
        then=_legal_page(case) + "#panel-legal",
        on_stale=stale,
    )
    return done or render_template(
        "legal/link_form.html", case=case, form=form, link=link, accept=accept
    )


def _fill_link_form(form: LinkForm, link) -> None:
    form.assessment.data = link.assessment.value
    form.violation_status.data = link.violation_status.value
    form.analysis.data = link.analysis
    form.sources.data = [s.public_id for s in link.sources]
    form.version.data = link.version


@bp.route("/cases/<case_public_id>/legal/suggest", methods=["GET", "POST"])
def suggest_link(case_public_id: str):
    case = load(Case, case_public_id, current_user, need=permissions.can_suggest_legal_link)
    form = SuggestForm()
    form.set_choices(services.usable_provisions())
    if request.method == "GET":
        form.assessment.data = Assessment.RELEVANT.value
        form.provision.data = request.args.get("provision", "")
    done = submit(
        form,
        lambda: services.suggest_link(
            current_user,
            case,
            provision=services.get_provision(form.provision.data),
            assessment=form.assessment.data,
            note=form.note.data,
        ),
        success=_("Suggestion recorded; a lawyer will review it."),
        then=_legal_page(case) + "#panel-legal",
    )
    return done or render_template("legal/suggest_form.html", case=case, form=form)


@bp.route("/cases/<case_public_id>/legal/links/<link_id>/hide", methods=["GET", "POST"])
def hide_link(case_public_id: str, link_id: str):
    case = load(Case, case_public_id, current_user, need=permissions.can_edit_legal_links)
    link = load(CaseProvision, link_id, current_user, case=case)
    if link.is_hidden:
        abort(404)
    form = LinkHideForm()
    # Hiding leaves the state alone: a suggestion is dismissed, an assessment hidden.
    dismissed = link.state == LinkState.SUGGESTED
    if request.method != "POST":
        form.state.data = link.state.value
    elif form.state.data == LinkState.SUGGESTED.value and not dismissed:
        # The page dismissed a suggestion that someone accepted since: not the same decision.
        flash(_(ACCEPTED_MEANWHILE), "warning")
        current = LinkHideForm(formdata=None, reason=form.reason.data, state=link.state.value)
        return render_template(
            "legal/hide_form.html", case=case, form=current, link=link, remedy=None
        ), 409
    done = submit(
        form,
        lambda: services.hide_link(current_user, link, form.reason.data),
        success=_("Suggestion dismissed.") if dismissed else _("Legal ground hidden."),
        then=_legal_page(case) + "#panel-legal",
    )
    return done or render_template(
        "legal/hide_form.html", case=case, form=form, link=link, remedy=None
    )


@bp.post("/cases/<case_public_id>/legal/links/<link_id>/restore")
def restore_link(case_public_id: str, link_id: str):
    case = load(Case, case_public_id, current_user, need=permissions.can_restore)
    link = load(CaseProvision, link_id, current_user, case=case)
    return perform(
        lambda: services.restore_link(current_user, link),
        success=_("Legal ground restored."),
        then=_legal_page(case) + "#panel-legal",
    )


# --------------------------------------------------------------------------- precedents


@bp.route("/cases/<case_public_id>/legal/precedents/new", methods=["GET", "POST"])
def new_precedent(case_public_id: str):
    case = load(Case, case_public_id, current_user, need=permissions.can_cite_precedent)
    form = PrecedentForm()
    form.set_choices(precedents.decisions())
    if request.method == "GET":
        form.decision.data = request.args.get("decision", "")
    done = submit(
        form,
        lambda: precedents.cite_precedent(
            current_user, case, services.get_instrument(form.decision.data), form.note.data
        ),
        success=_("Precedent cited."),
        then=_legal_page(case) + "#panel-legal",
    )
    return done or render_template("legal/precedent_form.html", case=case, form=form)


@bp.route("/cases/<case_public_id>/legal/precedents/<precedent_id>/hide", methods=["GET", "POST"])
def hide_precedent(case_public_id: str, precedent_id: str):
    case = load(Case, case_public_id, current_user, need=permissions.can_cite_precedent)
    precedent = load(CasePrecedent, precedent_id, current_user, case=case)
    if precedent.is_hidden:
        abort(404)
    form = HideForm()
    done = submit(
        form,
        lambda: precedents.hide_precedent(current_user, precedent, form.reason.data),
        success=_("Precedent removed."),
        then=_legal_page(case) + "#panel-legal",
    )
    return done or render_template(
        "legal/hide_form.html", case=case, form=form, link=None, remedy=None, precedent=precedent
    )


@bp.post("/cases/<case_public_id>/legal/precedents/<precedent_id>/restore")
def restore_precedent(case_public_id: str, precedent_id: str):
    case = load(Case, case_public_id, current_user, need=permissions.can_restore)
    precedent = load(CasePrecedent, precedent_id, current_user, case=case)
    return perform(
        lambda: precedents.restore_precedent(current_user, precedent),
        success=_("Precedent restored."),
        then=_legal_page(case) + "#panel-legal",
    )


# --------------------------------------------------------------------------- remedies


@bp.route("/cases/<case_public_id>/legal/remedies/new", methods=["GET", "POST"])
def new_remedy(case_public_id: str):
    case = load(Case, case_public_id, current_user, need=permissions.can_record_remedies)
    form = RemedyForm()
    if request.method == "GET":
        form.outcome.data = "pending"
    done = submit(
        form,
        lambda: services.add_remedy(current_user, case, typed_on=date.today(), **form.values()),
        success=lambda remedy: _remedy_saved(_("Proceeding recorded."), form, remedy),
        then=_legal_page(case) + "#panel-remedies",
    )
    return done or render_template("legal/remedy_form.html", case=case, form=form, remedy=None)


@bp.route("/cases/<case_public_id>/legal/remedies/<remedy_id>/edit", methods=["GET", "POST"])
def edit_remedy(case_public_id: str, remedy_id: str):
    case = load(Case, case_public_id, current_user, need=permissions.can_record_remedies)
    remedy = load(Remedy, remedy_id, current_user, case=case)
    no_page_if_hidden(remedy)
    form = RemedyForm(obj=remedy)
    if request.method == "GET":
        _fill_remedy_form(form, remedy)

    def stale(exc: StaleEdit):
        current = RemedyForm(obj=remedy, formdata=None)
        _fill_remedy_form(current, remedy)
        return _stale_page("legal/remedy_form.html", form, current, case=case, remedy=remedy)

    done = submit(
        form,
        lambda: services.update_remedy(
            current_user, remedy, form.version.data, typed_on=date.today(), **form.values()
        ),
        success=lambda saved: _remedy_saved(_("Proceeding saved."), form, saved),
        then=_legal_page(case) + "#panel-remedies",
        on_stale=stale,
    )
    return done or render_template("legal/remedy_form.html", case=case, form=form, remedy=remedy)


def _remedy_saved(message: str, form: RemedyForm, remedy: Remedy) -> str:
    """The message after a save, with the day a "today" typed in a date was read as."""
    return read_as(
        message,
        (form.filed_on.data, remedy.filed_on),
        (form.decided_on.data, remedy.decided_on),
    )


def _fill_remedy_form(form: RemedyForm, remedy) -> None:
    form.kind.data = remedy.kind.value
    form.outcome.data = remedy.outcome.value
    # A partial date as typed: "2010", "2010-08" or "2010-08-12".
    form.filed_on.data = form_value(remedy.filed_on)
    form.decided_on.data = form_value(remedy.decided_on)
    form.version.data = remedy.version


@bp.route("/cases/<case_public_id>/legal/remedies/<remedy_id>/hide", methods=["GET", "POST"])
def hide_remedy(case_public_id: str, remedy_id: str):
    case = load(Case, case_public_id, current_user, need=permissions.can_record_remedies)
    remedy = load(Remedy, remedy_id, current_user, case=case)
    if remedy.is_hidden:
        abort(404)
    form = HideForm()
    done = submit(
        form,
        lambda: services.hide_remedy(current_user, remedy, form.reason.data),
        success=_("Proceeding hidden."),
        then=_legal_page(case) + "#panel-remedies",
    )
    return done or render_template(
        "legal/hide_form.html", case=case, form=form, link=None, remedy=remedy
    )


@bp.post("/cases/<case_public_id>/legal/remedies/<remedy_id>/restore")
def restore_remedy(case_public_id: str, remedy_id: str):
    case = load(Case, case_public_id, current_user, need=permissions.can_restore)
    remedy = load(Remedy, remedy_id, current_user, case=case)
    return perform(
        lambda: services.restore_remedy(current_user, remedy),
        success=_("Proceeding restored."),
        then=_legal_page(case) + "#panel-remedies",
    )


# --------------------------------------------------------------------------- hooks


def legal_panel_context(case, user) -> dict[str, Any] | None:
    """Case panel: links grouped by assessment, suggestions, and what the user may do."""
    if not permissions.can_view_identifying(user, case):
        return None
    may_restore = permissions.can_restore(user, case)
    links = services.case_links(case, include_hidden=may_restore)
    assessed = [lk for lk in links if lk.state == LinkState.ASSESSED and not lk.is_hidden]
    groups = [
        (assessment, [lk for lk in assessed if lk.assessment == assessment])
        for assessment in Assessment
    ]
    cited = precedents.case_precedents(case, include_hidden=may_restore)
    return {
        "case": case,
        "precedents": [p for p in cited if not p.is_hidden],
        "hidden_precedents": [p for p in cited if p.is_hidden],
        "can_cite": permissions.can_cite_precedent(user, case),
        "groups": [(a, items) for a, items in groups if items],
        "link_count": len(assessed),
        "suggestions": [lk for lk in links if lk.state == LinkState.SUGGESTED and not lk.is_hidden],
        "hidden_links": [lk for lk in links if lk.is_hidden],
        "show_analysis": permissions.can_view_identifying(user, case),
        "can_edit_links": permissions.can_edit_legal_links(user, case),
        "can_suggest": permissions.can_suggest_legal_link(user, case),
        "can_restore": may_restore,
        "source_label": services.source_label,
    }


def remedies_panel_context(case, user) -> dict[str, Any] | None:
    """Case panel: domestic remedies and the next appeal deadline."""
    if not permissions.can_view_identifying(user, case):
        return None
    may_restore = permissions.can_restore(user, case)
    remedies = services.case_remedies(case, include_hidden=may_restore)
    deadlines = [d for d in case_deadlines(case) if d.kind == services.APPEAL_DEADLINE]
    return {
        "case": case,
        "remedies": [r for r in remedies if not r.is_hidden],
        "hidden_remedies": [r for r in remedies if r.is_hidden],
        "next_deadline": deadlines[0] if deadlines else None,
        "today": date.today(),
        "show_notes": permissions.can_view_identifying(user, case),
        "can_edit": permissions.can_record_remedies(user, case),
        "can_hide": permissions.can_record_remedies(user, case),
        "can_restore": may_restore,
    }


def dashboard_context(user) -> dict[str, Any] | None:
    """Dashboard: the most urgent appeal deadlines (overdue, then the next 14 days) on visible
    cases, with a link to the deadlines page when there are more."""
    shown = services.DASHBOARD_DEADLINES
    items = services.upcoming_remedy_deadlines(user, limit=shown + 1)
    if not items:
        return None
    return {"deadlines": items[:shown], "days": services.DASHBOARD_DAYS, "more": len(items) > shown}


@bp.get("/legal/deadlines")
def deadlines():
    """Every open appeal deadline due in the next 14 days or overdue, on cases the user reads."""
    items = services.upcoming_remedy_deadlines(current_user)
    return render_template(
        "legal/deadlines.html",
        deadlines=items,
        days=services.DASHBOARD_DAYS,
        capped=len(items) >= services.DEADLINES_SHOWN,
    )


legal_cli = click.Group("legal", help="The legal-grounds catalogue.")


@legal_cli.command("seed")
def seed_cli() -> None:
    """Add missing entries and correct unedited ones; list those a lawyer changed."""
    click.echo(seeding.seed_catalogue())
    db.session.commit()


def init_app(app: Flask) -> None:
    register_seeder("legal catalogue", seeding.seed_catalogue)
    register_case_panel(
        CasePanel(
            name="legal",
            title=N_("Legal grounds"),
            template="legal/_case_panel.html",
            context=legal_panel_context,
            order=50,
        )
    )
    register_case_panel(
        CasePanel(
            name="remedies",
            title=N_("Domestic remedies"),
            template="legal/_remedies_panel.html",
            context=remedies_panel_context,
            order=55,
        )
    )
    register_timeline_provider("legal", services.timeline_for)
    register_deadline_provider(
        "remedies",
        services.remedy_deadlines,
        services.has_open_remedy_deadline,
        services.case_remedy_deadlines,
    )
    register_dashboard_section(
        DashboardSection(
            name="remedy_deadlines",
            template="legal/_dashboard_deadlines.html",
            context=dashboard_context,
            order=20,
        )
    )
    app.add_template_global(case_url, "legal_case_url")
    app.add_template_global(link_articles, "legal_link_articles")
    app.cli.add_command(legal_cli)
