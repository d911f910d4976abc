"""Case intake, the case list, the case file, editing, workflow, team, comments and events."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from casework import permissions
from casework.accounts.services import get_by_public_id, user_names, users_with_role
from casework.audit import services as audit
from casework.cases import events as event_services
from casework.cases import listing, services
from casework.cases.forms import (
    CaseForm,
    CommentForm,
    DuplicateForm,
    EventForm,
    HideForm,
    IntakeForm,
    NameSearchForm,
    TeamMemberForm,
    TransitionForm,
)
from casework.cases.loaders import get_case_by_reference
from casework.cases.models import Case, CasePerson, Comment, Event
from casework.cases.rows import (
    case_rows,
    people_entries,
    source_rows,
    timeline_entries,
    urgent_items,
)
from casework.cases.timeline import case_timeline
from casework.core import formkeys, hooks
from casework.core.conflicts import conflict_page
from casework.core.db import db
from casework.core.errors import ValidationFailed
from casework.core.fields import read_as
from casework.core.formflow import perform, submit
from casework.core.forms import apply_errors, initial_data, pairs
from casework.core.hiding import hide, restore
from casework.core.i18n import gettext as _
from casework.core.rendering import render_fragment
from casework.core.vocab import CaseStatus, Role, TeamRole
from casework.evidence import services as evidence
from casework.evidence.models import Document, Source
from casework.loader import load, no_page_if_hidden
from casework.people.models import Person
from casework.people.services import families_of, visible_names
from casework.reports.anonymise import scrub_team_print

bp = Blueprint("cases", __name__)


def init_app(app: Flask) -> None:
    hooks.register_timeline_provider("case", case_timeline)
    app.add_template_global(case_rows, "case_rows")
    app.add_template_global(urgent_items, "urgent_items")
    app.add_template_global(timeline_entries, "timeline_entries")
    app.add_template_global(source_rows, "source_rows")
    app.add_template_global(people_entries, "people_entries")
    hooks.register_dashboard_section(
        hooks.DashboardSection(
            name="urgent", template="cases/_urgent_panel.html", context=_urgent_context, order=10
        )
    )
    hooks.register_dashboard_section(
        hooks.DashboardSection(
            name="returned",
            template="cases/_returned_panel.html",
            context=_returned_context,
            order=12,
        )
    )
    hooks.register_dashboard_section(
        hooks.DashboardSection(
            name="drafts", template="cases/_drafts_panel.html", context=_drafts_context, order=15
        )
    )


def _urgent_context(user: Any) -> dict[str, Any] | None:
    if not permissions.sees_urgent_panel(user):
        return None
    urgent = listing.urgent_cases(user)
    return {"panel": urgent} if urgent.items else None


def _returned_context(user: Any) -> dict[str, Any] | None:
    if not permissions.sees_returned_panel(user):
        return None
    returned = listing.returned_to_me(user)
    return {"panel": returned} if returned.items else None


def _drafts_context(user: Any) -> dict[str, Any] | None:
    if not permissions.sees_drafts_panel(user):
        return None
    drafts = listing.own_drafts(user)
    return {"panel": drafts, "missing_labels": services.MISSING_FACTS} if drafts.items else None


# --- intake ---------------------------------------------------------------------------------


@bp.route("/cases/new", methods=["GET", "POST"])
def new_case():
    if not permissions.can_create_case(current_user):
        abort(403)
    form = IntakeForm()
    if request.method == "POST":
        draft = "save_draft" in request.form
        key = formkeys.key_of(form)
        already = services.intake_already_saved(current_user, key)
        if already is not None:
            # The same form sent again (a double tap, a flaky connection): the case it made.
            flash(
                _("This form was already saved as %(reference)s.", reference=already.reference),
                "info",
            )
            return redirect(url_for("cases.case_file", public_id=already.public_id))
        if form.validate_on_submit() or (draft and not _has_hard_errors(form)):
            data = services.IntakeInput(
                name=form.name.data or "",
                name_kind=form.name_kind.data or "as_given",
                act_type=form.act_type.data or "",
                act_date=form.act_date.data or "",
                act_date_approximate=form.act_date_approximate.data,
                act_place=form.act_place.data or "",
                destination_country=form.destination_country.data or "",
                urgency=form.urgency.data or "routine",
                current_situation=form.current_situation.data or "unknown",
                narrative=form.narrative.data or "",
            )
            try:
                # Read as it is sent: "сегодня" is today's date (the app's day, as deadlines).
                case, warnings = services.intake(
                    current_user, data, draft=draft, idempotency_key=key, typed_on=date.today()
                )
                db.session.commit()
            except ValidationFailed as exc:
                db.session.rollback()
                apply_errors(form, exc)
            except services.AlreadySaved as exc:
                # The same form, sent twice at once: the other request saved it.
                db.session.rollback()
                flash(
                    _(
                        "This form was already saved as %(reference)s.",
                        reference=exc.case.reference,
                    ),
                    "info",
                )
                return redirect(url_for("cases.case_file", public_id=exc.case.public_id))
            else:
                for warning in warnings:
                    flash(warning, "warning")
                if draft:
                    saved = _(
                        "Draft %(reference)s saved. It can stay incomplete: "
                        "add what is missing when you know it.",
                        reference=case.reference,
                    )
                else:
                    saved = _(
                        "Case %(reference)s saved. Continue with its people, events and "
                        "sources, then submit it for review.",
                        reference=case.reference,
                    )
                flash(read_as(saved, (data.act_date, case.act_date)), "success")
                return redirect(url_for("cases.case_file", public_id=case.public_id))
    return render_template("cases/intake.html", form=form)


def _has_hard_errors(form: IntakeForm) -> bool:
    """A draft is saved despite missing fields, but not with a bad CSRF token or oversize text."""
    return bool(form.errors.get("csrf_token")) or any(
        "characters" in message for messages in form.errors.values() for message in messages
    )


# --- list -----------------------------------------------------------------------------------


@bp.get("/cases")
def case_list():
    filters = listing.CaseFilters.from_args(request.args)
    page = listing.list_cases(current_user, filters)
    for message in filters.errors:
        flash(message, "warning")
    if page.notice:
        flash(_(page.notice), "warning")
    lawyers = user_names(Role.LAWYER) if permissions.can_filter_by_lawyer(current_user) else ()
    return render_template(
        "cases/list.html",
        page=page,
        filters=filters,
        lawyers=lawyers,
        sort_labels=listing.SORT_LABELS,
        open_status=listing.OPEN,
        urgent_or_imminent=listing.URGENT_OR_IMMINENT,
    )


@bp.post("/cases/search")
def search():
    """Name search by POST, so that names never appear in URLs, logs or browser history."""
    form = NameSearchForm()
    if not form.validate_on_submit():
        return render_template("cases/search.html", form=form, results=[], more=False)
    results, more = listing.name_search_page(current_user, form.name.data)
    # Rendered before the commit, which would expire the cases found and reload them one by one.
    page = render_template("cases/search.html", form=form, results=results, more=more)
    audit.record(current_user, "case.name_search", object_type="search", results=len(results))
    db.session.commit()
    return page


# --- the case file --------------------------------------------------------------------------


def _case_file_context(case: Case) -> dict[str, Any]:
    # The account itself, not Flask-Login's proxy (which looks it up again at each use): every
    # person, event, legal link and action of the file is checked against the policy.
    user = current_user._get_current_object()
    identifying = permissions.can_view_identifying(user, case)
    show_hidden = permissions.can_restore(user, case)
    links = services.case_people_with_names(case, include_hidden=show_hidden, details=False)
    families = families_of([cp.person for cp in links], user) if identifying else {}
    # Who took a consent is shown with its date: the policy is asked of those people only.
    taken = [
        cp.person_id for cp in links if cp.person.consent_date and cp.person.consent_obtained_by_id
    ]
    unnamed = permissions.people_with_consent_taker_withheld(user, taken)
    people = [
        {
            "link": cp,
            "person": cp.person,
            "names": visible_names(cp.person) if identifying else [],
            "family": families.get(cp.person_id, []),
            "consent_by": None if cp.person_id in unnamed else cp.person.consent_obtained_by,
        }
        for cp in links
    ]
    sources = evidence.case_sources(case, include_hidden=show_hidden)
    panels = [
        (panel, render_fragment(panel.template, ctx))
        for panel, ctx in hooks.case_panels(case, user)
    ]
    transitions = [
        s
        for s in permissions.workflow_targets(case.status)
        if permissions.can_transition(user, case, s)
    ]
    deadlines = hooks.case_deadlines(case)
    today = date.today()
    duplicates = services.duplicates_of(case)
    # The original or duplicates the user may not read: their references are withheld.
    linked = [c for c in (case.duplicate_of, *duplicates) if c is not None]
    withheld = frozenset(
        reference
        for other in linked
        if not permissions.can_see_duplicate_link(user, other)
        for reference in (other.reference, other.former_reference)
        if reference
    )
    return {
        "case": case,
        "identifying": identifying,
        "show_hidden": show_hidden,
        "can_edit": permissions.can_edit_case(user, case),
        "can_manage_team": permissions.can_manage_team(user, case),
        "people": people,
        "sources": sources,
        "documents": evidence.case_documents(case, include_hidden=show_hidden)
        if identifying
        else [],
        "timeline": hooks.timeline_items(case, user),
        "panels": panels,
        "transitions": transitions,
        "next_deadline": next((d for d in deadlines if d.due >= today), None),
        "overdue": [d for d in deadlines if d.due < today],
        "team": services.case_team(case),
        "history": audit.entries(case_id=case.id, changes_only=True, limit=50),
        "withheld_references": withheld,
        "detention_start": listing.detention_start_in(event_services.case_events(case)),
        "comment_form": CommentForm(),
        "transition_form": TransitionForm(),
        "hide_form": HideForm(),
        "duplicate_form": DuplicateForm(),
        "can_discard": permissions.can_discard_draft(user, case),
        "can_restore_case": permissions.can_restore_case(user, case),
        "can_mark_duplicate": permissions.can_mark_duplicate(user, case)
        and case.duplicate_of_id is None
        and case.status != CaseStatus.CLOSED,
        "duplicates": duplicates,
        "returned_by": services.return_reason(case),
        "can_see_identity": lambda s: permissions.can_see_source_identity(user, case, s),
    }


def _viewed(case: Case, kind: str, readable: bool, page: str) -> str:
    """Record the view of ``page`` (a restricted case's listed facts too) and hand the page
    back once the record is committed. The page is rendered first: the commit expires every
    row the page reads, which it would otherwise load and decrypt a second time."""
    extra = {} if readable else {"listed_only": True}
    audit.record(current_user, kind, case, case=case, **extra)
    db.session.commit()
    return page


def _listed_context(case: Case) -> dict[str, Any]:
    """What a user who may only know the case exists is shown: its listed facts. Not its team:
    who works on a restricted case is as identifying as who is in it."""
    return {"case": case}


@bp.get("/cases/<public_id>")
def case_file(public_id: str):
    case = load(Case, public_id, current_user)
    readable = permissions.can_view_identifying(current_user, case)
    if not readable:
        page = render_template("cases/file_listed.html", **_listed_context(case))
    else:
        page = render_template("cases/file.html", **_case_file_context(case))
    return _viewed(case, "case.viewed", readable, page)


@bp.get("/cases/<public_id>/print")
def print_case(public_id: str):
    case = load(Case, public_id, current_user)
    readable = permissions.can_view_identifying(current_user, case)
    if not readable:
        page = render_template("cases/file_listed.html", printing=True, **_listed_context(case))
    else:
        page = scrub_team_print(
            case, render_template("cases/print.html", **_case_file_context(case))
        )
    return _viewed(case, "case.printed", readable, page)


@bp.route("/cases/<public_id>/edit", methods=["GET", "POST"])
def edit_case(public_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_edit_case)
    form = CaseForm(data=initial_data(case, CaseForm))
    done = submit(
        form,
        lambda: services.update_case(
            current_user,
            case,
            {name: getattr(form, name).data for name in services.CASE_FIELDS},
            form.version.data,
            typed_on=date.today(),
        ),
        success=lambda _changed: read_as(_("Case saved."), (form.act_date.data, case.act_date)),
        then=url_for("cases.case_file", public_id=case.public_id),
        on_stale=lambda exc: conflict_page("cases/edit.html", form, case, case=case),
    )
    return done or render_template("cases/edit.html", form=form, case=case, saved=None)


@bp.post("/cases/<public_id>/status")
def change_status(public_id: str):
    case = load(Case, public_id, current_user)
    form = TransitionForm()
    return perform(
        lambda: services.transition(current_user, case, form.to.data, form.comment.data),
        success=lambda change: _("Case is now “%(status)s”.", status=change.to_status.label),
        then=url_for("cases.case_file", public_id=case.public_id),
        form=form,
        invalid=_("Choose where the case goes next."),
    )


@bp.post("/cases/<public_id>/comments")
def add_comment(public_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_comment)
    form = CommentForm()
    return perform(
        lambda: services.add_comment(current_user, case, form.body.data),
        success=_("Comment added."),
        then=url_for("cases.case_file", public_id=case.public_id) + "#timeline",
        form=form,
        invalid=_("The comment is empty or too long."),
    )


# --- discarding a draft, closing a duplicate ------------------------------------------------


@bp.post("/cases/<public_id>/discard")
def discard_case(public_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_send_discard)
    form = HideForm()
    return perform(
        lambda: services.discard_draft(current_user, case, form.reason.data),
        success=_(
            "Draft %(reference)s discarded. A coordinator can bring it back.",
            reference=case.reference,
        ),
        then=url_for("cases.case_file", public_id=case.public_id),
        form=form,
        invalid=_("Say why you are discarding this draft."),
    )


@bp.post("/cases/<public_id>/undiscard")
def restore_case(public_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_restore)
    return perform(
        lambda: services.restore_discarded(current_user, case),
        success=_("The draft is back."),
        then=url_for("cases.case_file", public_id=case.public_id),
    )


@bp.post("/cases/<public_id>/duplicate")
def mark_duplicate(public_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_mark_duplicate)
    form = DuplicateForm()

    def act() -> Case:
        original = get_case_by_reference(form.original.data or "")
        if original is not None and not permissions.can_view_identifying(current_user, original):
            original = None  # a case the user may not read is as good as missing
        return services.mark_duplicate(current_user, case, original, form.reason.data)

    return perform(
        act,
        success=lambda c: _(
            "%(reference)s is closed as a duplicate of %(original)s.",
            reference=c.reference,
            original=c.duplicate_of.reference,
        ),
        then=url_for("cases.case_file", public_id=case.public_id),
        form=form,
        invalid=_("Give the reference of the original case."),
    )


# --- team -----------------------------------------------------------------------------------


@bp.route("/cases/<public_id>/team", methods=["GET", "POST"])
def team(public_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_manage_team)
    form = TeamMemberForm()
    on_team = {m.user_id for m in case.members}
    candidates = [
        u
        for u in users_with_role(Role.MONITOR, Role.LAWYER, Role.COORDINATOR, Role.ADMIN)
        if u.id not in on_team and permissions.can_be_team_member(u)
    ]
    # Only people not on the team yet (whoever is on it is listed above, with their role).
    form.user.choices = pairs(
        [(u.public_id, f"{u.display_name} ({u.role.label})") for u in candidates],
        blank="— choose a person —",
    )
    done = submit(
        form,
        lambda: services.add_member(
            current_user,
            case,
            get_by_public_id(form.user.data),
            TeamRole.LAWYER if form.as_lawyer.data else TeamRole.MEMBER,
        ),
        success=_("Added to the team."),
        then=url_for("cases.team", public_id=case.public_id),
    )
    if done is not None:
        return done
    return render_template(
        "cases/team.html",
        case=case,
        team=services.case_team(case),
        form=form,
        candidates=candidates,
    )


@bp.post("/cases/<public_id>/team/<user_id>/remove")
def remove_member(public_id: str, user_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_manage_team)
    user = next((m.user for m in services.case_team(case) if m.user.public_id == user_id), None)
    if user is None:
        abort(404)
    return perform(
        lambda: services.remove_member(current_user, case, user),
        success=_("%(name)s was removed from the team.", name=user.display_name),
        then=url_for("cases.team", public_id=case.public_id),
    )


@bp.post("/cases/<public_id>/restricted")
def set_restricted(public_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_manage_team)
    restricted = request.form.get("restricted") == "1"
    return perform(
        lambda: services.set_restricted(current_user, case, restricted),
        success=_("Case restricted.") if restricted else _("Case no longer restricted."),
        then=url_for("cases.team", public_id=case.public_id),
    )


# --- events ---------------------------------------------------------------------------------


def _event_form(case: Case, obj: Event | None = None) -> EventForm:
    if obj is None:
        form = EventForm()
    else:
        form = EventForm(
            data=initial_data(
                obj,
                EventForm,
                source_ids=[s.public_id for s in obj.sources],
                agencies_country=event_services.agencies_country(obj) or "",
            )
        )
    form.source_ids.choices = pairs(
        [
            (s.public_id, f"{s.kind.label} · {s.reliability.value}{s.credibility.value}")
            for s in evidence.case_sources(case)
        ]
    )
    return form


def _event_data(form: EventForm) -> dict[str, Any]:
    return {
        "event_type": form.event_type.data,
        "date": form.date.data,
        "date_approximate": form.date_approximate.data,
        "date_note": form.date_note.data,
        "place": form.place.data,
        "agencies": form.agencies.data,
        "agencies_country": form.agencies_country.data,
        "description": form.description.data,
        "act_type": form.act_type.data,
        "requesting_state": form.requesting_state.data,
        "destination_country": form.destination_country.data,
        "legal_basis": form.legal_basis.data,
        "wanted_notice": form.wanted_notice.data,
        "asylum_stage": form.asylum_stage.data,
        "source_ids": form.source_ids.data,
    }


@bp.route("/cases/<public_id>/events/new", methods=["GET", "POST"])
def new_event(public_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_edit_case)
    form = _event_form(case)
    done = submit(
        form,
        lambda: event_services.add_event(
            current_user, case, _event_data(form), typed_on=date.today()
        ),
        success=lambda event: read_as(
            _("Event added to the timeline."), (form.date.data, event.date)
        ),
        then=url_for("cases.case_file", public_id=case.public_id) + "#timeline",
    )
    return done or render_template(
        "cases/event_form.html", form=form, case=case, event=None, saved=None
    )


@bp.route("/cases/<public_id>/events/<event_id>/edit", methods=["GET", "POST"])
def edit_event(public_id: str, event_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_edit_case)
    event = load(Event, event_id, current_user, case=case)
    no_page_if_hidden(event)
    form = _event_form(case, event)
    done = submit(
        form,
        lambda: event_services.update_event(
            current_user, case, event, _event_data(form), form.version.data, typed_on=date.today()
        ),
        success=lambda _changed: read_as(_("Event saved."), (form.date.data, event.date)),
        then=url_for("cases.case_file", public_id=case.public_id) + "#timeline",
        on_stale=lambda exc: conflict_page(
            "cases/event_form.html", form, event, case=case, event=event
        ),
    )
    return done or render_template(
        "cases/event_form.html", form=form, case=case, event=event, saved=None
    )


# --- hiding and restoring (nothing is deleted) ----------------------------------------------


_HIDEABLE = {"events": Event, "sources": Source, "documents": Document, "comments": Comment}


def _hideable(case: Case, kind: str, record_id: str) -> Any:
    """The record of ``case`` to hide or restore (a person: their link to the case)."""
    if kind == "people":
        person = load(Person, record_id, current_user, case=case)
        return db.session.scalar(
            select(CasePerson).where(
                CasePerson.case_id == case.id, CasePerson.person_id == person.id
            )
        )
    return load(_HIDEABLE[kind], record_id, current_user, case=case)


@bp.post(
    "/cases/<public_id>/<any(events, sources, documents, people, comments):kind>/<record_id>/hide"
)
def hide_record(public_id: str, kind: str, record_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_hide)
    record_obj = _hideable(case, kind, record_id)
    form = HideForm()
    return perform(
        lambda: hide(record_obj, current_user, form.reason.data, case=case),
        success=_("Removed from the case file. A coordinator can restore it."),
        then=url_for("cases.case_file", public_id=case.public_id),
        form=form,
        invalid=_("Say why you are removing it."),
    )


@bp.post(
    "/cases/<public_id>/<any(events, sources, documents, people, comments):kind>/<record_id>/restore"
)
def restore_record(public_id: str, kind: str, record_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_restore)
    record_obj = _hideable(case, kind, record_id)
    return perform(
        (lambda: services.restore_person_link(current_user, case, record_obj))
        if kind == "people"
        else (lambda: restore(record_obj, current_user, case=case)),
        success=_("Restored."),
        then=url_for("cases.case_file", public_id=case.public_id),
    )
