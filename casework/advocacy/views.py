"""Advocacy pages: actions, follow-up, target bodies, calendar feed, UPR recommendations."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from casework.advocacy import calendar, services, upr, upr_import
from casework.advocacy import hooks as advocacy_hooks
from casework.advocacy.forms import (
    ActionDocumentForm,
    ActionForm,
    BodyForm,
    ConfirmForm,
    CycleDateForm,
    CycleForm,
    ImportForm,
    LinkActionForm,
    LinkCaseForm,
    RecommendationForm,
    StatusForm,
)
from casework.advocacy.models import AdvocacyAction, TargetBody, UPRCycle, UPRRecommendation
from casework.advocacy.reminders import reminders_cli
from casework.advocacy.rows import case_action_rows, followup_rows
from casework.cases.forms import HideForm
from casework.cases.models import Case
from casework.core import links
from casework.core.cli import register_seeder
from casework.core.conflicts import conflict_page
from casework.core.db import db
from casework.core.errors import PermissionDenied, StaleEdit
from casework.core.formflow import perform, submit
from casework.core.forms import initial_data, pairs
from casework.core.hooks import (
    CasePanel,
    DashboardSection,
    register_case_panel,
    register_dashboard_section,
    register_deadline_provider,
    register_timeline_provider,
)
from casework.core.i18n import N_, current_language
from casework.core.i18n import gettext as _
from casework.core.rowurls import row_url
from casework.core.vocab import ActionOutcome, ActionStatus, ActionType, UPRResponse
from casework.evidence import uploads
from casework.evidence.downloads import send_document
from casework.loader import load
from casework.permissions import (
    can_download_action_document,
    can_edit_action,
    can_link_case_to_recommendation,
    can_manage_advocacy,
    can_manage_target_bodies,
    can_manage_upr,
    can_read_action_text,
    can_restore_action_document,
    can_use_calendar_feed,
    can_view_action,
    can_view_advocacy,
    can_view_identifying,
    knows_action_team,
)

bp = Blueprint("advocacy", __name__)


def _require_view() -> None:
    if not can_view_advocacy(current_user):
        raise PermissionDenied()


def _manages_upr(user: Any, _rec: Any) -> bool:
    return can_manage_upr(user)


def _require_calendar() -> None:
    if not can_use_calendar_feed(current_user):
        raise PermissionDenied()


def _require_upr_manage() -> None:
    if not can_manage_upr(current_user):
        raise PermissionDenied()


# --- Actions -----------------------------------------------------------------------------------


def _in_reading_order(bodies: list[TargetBody]) -> list[TargetBody]:
    """Bodies in the alphabetical order of the names a Russian page shows (English pages keep
    the list's order, by name)."""
    if current_language() != "ru":
        return bodies
    return sorted(bodies, key=lambda b: b.local_name.casefold())


def _setup_action_form(form: ActionForm, action: AdvocacyAction | None = None) -> None:
    bodies = services.list_bodies()
    if action is not None and action.target_body and action.target_body not in bodies:
        bodies.append(action.target_body)
    bodies = _in_reading_order(bodies)
    form.target_body.choices = pairs([(str(b.id), b.local_name) for b in bodies], blank="\u2014")
    people = services.responsible_candidates()
    # The person kept on the action (deactivated since) is offered on its form, as a retired
    # body is: an edit leaves them.
    if action is not None and action.responsible and action.responsible not in people:
        people.append(action.responsible)
    form.responsible.choices = pairs(
        [(u.public_id, f"{u.display_name} ({u.role.label})") for u in people], blank=_("Nobody yet")
    )


def _action_form(action: AdvocacyAction, **kwargs: Any) -> ActionForm:
    """The edit form of ``action``: saved values as data (never ``obj=``, so a field missing
    from a POST keeps a value of the field's own type), the request's values over them."""
    form = ActionForm(
        data=initial_data(
            action,
            ActionForm,
            target_body=str(action.target_body_id) if action.target_body_id else "",
            responsible=action.responsible.public_id if action.responsible else "",
            cases=", ".join(c.reference for c in services.visible_cases_of(current_user, action)),
        ),
        **kwargs,
    )
    _setup_action_form(form, action)
    return form


def _action_data(form: ActionForm) -> services.ActionData:
    body_id = None
    if form.target_body.data:
        body = services.get_body(form.target_body.data)
        body_id = body.id if body is not None else -1
    return services.ActionData(
        action_type=ActionType(form.action_type.data),
        title=form.title.data or "",
        target_body_id=body_id,
        description=form.description.data,
        status=ActionStatus(form.status.data),
        planned_on=form.planned_on.data,
        submitted_on=form.submitted_on.data,
        followup_due=form.followup_due.data,
        response_on=form.response_on.data,
        reference_number=form.reference_number.data,
        outcome=ActionOutcome(form.outcome.data),
        response_summary=form.response_summary.data,
        responsible_id=services.responsible_id_of(form.responsible.data),
        case_references=services.parse_references(form.cases.data),
    )


@bp.get("/advocacy/actions")
def actions():
    _require_view()
    status = ActionStatus.parse(request.args.get("status"))
    action_type = ActionType.parse(request.args.get("type"))
    mine = request.args.get("mine") == "1"
    page = services.actions_page(
        current_user,
        (request.args.get("cursor") or "").strip()[:200],
        status=status,
        action_type=action_type,
        mine=mine,
    )
    if page.notice:
        flash(_(page.notice), "warning")
    filters = {
        "status": status.value if status else None,
        "type": action_type.value if action_type else None,
        "mine": "1" if mine else None,
    }
    return render_template(
        "advocacy/actions.html",
        page=page,
        filters={k: v for k, v in filters.items() if v},
        status=status,
        action_type=action_type,
        mine=mine,
        can_create=can_manage_advocacy(current_user),
    )


def _action_page(action: AdvocacyAction) -> str:
    return url_for("advocacy.action_detail", public_id=action.public_id)


def _new_action(case: Any = None):
    """The new-action form, on its own or from a case (which it then starts linked to)."""
    form = ActionForm()
    _setup_action_form(form)
    if request.method == "GET":
        form.status.data = ActionStatus.PLANNED.value
        form.outcome.data = ActionOutcome.PENDING.value
        form.responsible.data = current_user.public_id
        if case is not None:
            form.cases.data = case.reference
    done = submit(
        form,
        lambda: services.create_action(current_user, _action_data(form), case=case),
        success=_("Advocacy action recorded."),
        then=_action_page,
    )
    return done or render_template("advocacy/action_form.html", form=form, action=None, case=case)


@bp.route("/advocacy/actions/new", methods=["GET", "POST"])
def new_action():
    _require_view()
    return _new_action()


@bp.route("/cases/<case_public_id>/advocacy/new", methods=["GET", "POST"])
def new_case_action(case_public_id: str):
    return _new_action(load(Case, case_public_id, current_user, need=can_manage_advocacy))


def _status_form(action: AdvocacyAction, *, fresh: bool = False) -> StatusForm:
    """The status form; ``fresh`` ignores the submitted data (after a conflict)."""
    form = StatusForm(prefix="st", formdata=None) if fresh else StatusForm(prefix="st")
    form.to_status.choices = pairs(
        [(s.value, s.label) for s in services.allowed_moves(action.status)], blank=_("— choose —")
    )
    if fresh or request.method == "GET":
        form.version.data = action.version
    return form


def _detail(action: AdvocacyAction, status_form: StatusForm | None = None, **extra: Any):
    editable = services.can_edit_action(current_user, action)
    return render_template(
        "advocacy/action_detail.html",
        action=action,
        cases=services.visible_cases_of(current_user, action),
        documents=services.action_documents(current_user, action),
        removed_documents=services.removed_action_documents(current_user, action),
        history=services.status_history(action),
        # Who took each step, to whoever may know the team of every one of its cases.
        named=knows_action_team(current_user, action),
        can_edit=editable,
        words=can_read_action_text(current_user, action),
        status_form=status_form or (_status_form(action) if editable else None),
        is_due=services.is_due(action),
        replied=services.is_replied(action),
        document_form=extra.pop("document_form", None) or ActionDocumentForm(prefix="doc"),
        **extra,
    )


@bp.get("/advocacy/actions/<public_id>")
def action_detail(public_id: str):
    action = load(AdvocacyAction, public_id, current_user)
    return _detail(action)


@bp.route("/advocacy/actions/<public_id>/edit", methods=["GET", "POST"])
def edit_action(public_id: str):
    action = load(AdvocacyAction, public_id, current_user, need=can_edit_action)
    form = _action_form(action)

    def stale(exc: StaleEdit):
        submitted = dict(form.data)
        flash(
            _(
                "Someone else changed this action while you were editing it. Nothing was saved: "
                "your version is shown below the current one; apply your change again."
            ),
            "warning",
        )
        db.session.refresh(action)
        current = _action_form(action, formdata=None)
        return render_template(
            "advocacy/action_form.html",
            form=current,
            action=action,
            case=None,
            submitted=submitted,
            submitted_form=form,
        ), 409

    done = submit(
        form,
        lambda: services.update_action(current_user, action, _action_data(form), form.version.data),
        success=_("Action saved."),
        then=_action_page(action),
        on_stale=stale,
    )
    return done or render_template("advocacy/action_form.html", form=form, action=action, case=None)


@bp.post("/advocacy/actions/<public_id>/status")
def change_status(public_id: str):
    action = load(AdvocacyAction, public_id, current_user, need=can_edit_action)
    form = _status_form(action)

    def stale(exc: StaleEdit):
        db.session.refresh(action)
        flash(
            _(
                "Someone else changed this action since you opened it. Nothing was saved: check "
                "the current state and apply your change again."
            ),
            "warning",
        )
        return _detail(action, _status_form(action, fresh=True), submitted_status=form.data), 409

    # Only a move the service accepts is saved, so on success this is the action's new status.
    moved = ActionStatus.parse(form.to_status.data)
    done = submit(
        form,
        lambda: services.change_status(
            current_user,
            action,
            form.to_status.data,
            form.version.data,
            on=form.on.data,
            reference_number=form.reference_number.data,
            outcome=form.outcome.data or None,
            response_summary=form.response_summary.data,
            followup_due=form.followup_due.data,
        ),
        success=_("Status changed to %(status)s.", status=moved.label if moved else ""),
        then=_action_page(action),
        on_stale=stale,
    )
    return done or (_detail(action, status_form=form), 400)


@bp.post("/advocacy/actions/<public_id>/documents")
def upload_action_document(public_id: str):
    """Attach a letter, reply or annex to the action: checked, stored and told about as a
    case's documents are (the evidence area's upload)."""
    from casework.evidence.services import store_document

    action = load(AdvocacyAction, public_id, current_user, need=can_edit_action)
    form = ActionDocumentForm(prefix="doc")
    done = uploads.receive(
        form,
        lambda: store_document(
            current_user,
            form.file.data.stream,
            form.file.data.filename or "",
            action=action,
            description=form.description.data,
        ),
        then=_action_page(action),
    )
    if not isinstance(done, int):
        return done
    return _detail(action, document_form=form), done


def _action_document(action: AdvocacyAction, document_id: str) -> Any:
    """A document attached to ``action`` (removed or not), else a 404."""
    from casework.evidence.services import get_document

    document = get_document(document_id)
    if document is None or document.action_id != action.id:
        abort(404)
    return document


@bp.get("/advocacy/actions/<public_id>/documents/<document_id>")
def download_action_document(public_id: str, document_id: str):
    """A document of the action, always as an attachment; audited. A removed one, only to
    whoever may bring it back (as a case's)."""
    action = load(AdvocacyAction, public_id, current_user, need=can_download_action_document)
    document = _action_document(action, document_id)
    if document.is_hidden and not can_restore_action_document(current_user, action, document):
        abort(404)
    if not can_download_action_document(current_user, action, document):
        raise PermissionDenied()  # attached for a case the user may not read
    return send_document(current_user, document, advocacy_action=action.public_id)


@bp.post("/advocacy/actions/<public_id>/documents/<document_id>/hide")
def hide_action_document(public_id: str, document_id: str):
    """Remove a document from the action, with why (hidden, never deleted)."""
    action = load(AdvocacyAction, public_id, current_user, need=can_edit_action)
    document = _action_document(action, document_id)
    form = HideForm()
    return perform(
        lambda: services.hide_document(current_user, action, document, form.reason.data),
        success=_("Removed from the action. A coordinator can restore it."),
        then=_action_page(action),
        form=form,
        invalid=_("Say why you are removing it."),
    )


@bp.post("/advocacy/actions/<public_id>/documents/<document_id>/restore")
def restore_action_document(public_id: str, document_id: str):
    action = load(AdvocacyAction, public_id, current_user)
    document = _action_document(action, document_id)
    return perform(
        lambda: services.restore_document(current_user, action, document),
        success=_("Restored."),
        then=_action_page(action),
    )


# --- Follow-up ---------------------------------------------------------------------------------


@bp.get("/advocacy/followups")
def followups():
    """The four follow-up lists, each cut at the soonest few; ``?list=`` one list in full, a
    page at a time."""
    _require_view()
    name = request.args.get("list")
    if name is None:
        return render_template(
            "advocacy/followups.html",
            due=services.followups(current_user),
            limit=services.FOLLOWUP_LIMIT,
        )
    if name not in services.FOLLOWUP_LISTS:
        abort(404)
    page = services.followup_page(
        current_user, name, (request.args.get("cursor") or "").strip()[:200]
    )
    if page.notice:
        flash(_(page.notice), "warning")
    return render_template("advocacy/followup_list.html", page=page)


# --- Target bodies -----------------------------------------------------------------------------


@bp.route("/advocacy/bodies", methods=["GET", "POST"])
def bodies():
    _require_view()
    manage = can_manage_target_bodies(current_user)
    form = BodyForm()
    if request.method == "POST" and not manage:
        raise PermissionDenied()
    done = submit(
        form,
        lambda: services.create_body(
            current_user,
            form.name.data,
            form.short_name.data,
            name_ru=form.name_ru.data,
            short_name_ru=form.short_name_ru.data,
        ),
        success=_("Body added."),
        then=url_for("advocacy.bodies"),
    )
    return done or render_template(
        "advocacy/bodies.html",
        bodies=_in_reading_order(services.list_bodies(include_retired=True)),
        form=form,
        manage=manage,
    )


def _body_toggle(body_id: str, retired: bool):
    _require_view()
    if not can_manage_target_bodies(current_user):
        raise PermissionDenied()
    body = services.get_body(body_id)
    if body is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.set_body_retired(current_user, body, retired)
        db.session.commit()
    return redirect(url_for("advocacy.bodies"))


@bp.post("/advocacy/bodies/<body_id>/retire")
def retire_body(body_id: str):
    return _body_toggle(body_id, True)


@bp.post("/advocacy/bodies/<body_id>/restore")
def restore_body(body_id: str):
    return _body_toggle(body_id, False)


# --- Calendar feed -----------------------------------------------------------------------------


def _feed_url(secret: str) -> str:
    return links.base_url() + url_for("advocacy.calendar_feed", token=secret)


@bp.get("/advocacy/calendar")
def calendar_settings():
    _require_calendar()
    return render_template(
        "advocacy/calendar.html", form=ConfirmForm(), has_feed=bool(current_user.calendar_token)
    )


@bp.post("/advocacy/calendar/rotate")
def rotate_calendar():
    _require_calendar()
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    secret = calendar.rotate_token(current_user)
    db.session.commit()
    # The secret is shown once, on this response only; the database keeps its digest.
    return render_template(
        "advocacy/calendar.html", form=form, has_feed=True, feed_url=_feed_url(secret)
    )


@bp.post("/advocacy/calendar/revoke")
def revoke_calendar():
    _require_calendar()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    calendar.revoke_token(current_user)
    db.session.commit()
    flash(_("Your calendar feed is switched off."), "success")
    return redirect(url_for("advocacy.calendar_settings"))


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    """Public endpoint: the secret in the URL is the credential."""
    user = calendar.user_for_secret(token)
    if user is None:
        abort(404)
    body = calendar.build_feed(user, links.base_url(), link=advocacy_hooks.link)
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = 'inline; filename="casework.ics"'
    return response


# --- UPR recommendations -----------------------------------------------------------------------


@bp.get("/advocacy/upr")
def cycles():
    _require_view()
    return render_template(
        "advocacy/cycles.html", cycles=upr.cycles(), manage=can_manage_upr(current_user)
    )


@bp.get("/advocacy/upr/cycles/<cycle>")
def cycle(cycle: str):
    _require_view()
    item = load(UPRCycle, cycle, current_user)
    return render_template(
        "advocacy/cycle.html",
        cycle=item,
        rows=upr.cycle_view(current_user, item),
        manage=can_manage_upr(current_user),
        date_form=CycleDateForm(),
    )


def _cycle_data(form: CycleForm) -> upr.CycleData:
    return upr.CycleData(
        state_under_review=form.state_under_review.data or "",
        number=form.number.data,
        wg_session=form.wg_session.data,
        review_date=form.review_date.data,
        report_symbol=form.report_symbol.data,
    )


@bp.route("/advocacy/upr/cycles/new", methods=["GET", "POST"])
def new_cycle():
    _require_view()
    _require_upr_manage()
    form = CycleForm()
    if request.method == "GET":
        form.state_under_review.data = upr.DEFAULT_STATE
    done = submit(
        form,
        lambda: upr.save_cycle(current_user, None, _cycle_data(form)),
        success=_("Cycle added."),
        then=lambda item: url_for("advocacy.cycle", cycle=item.public_id),
    )
    return done or render_template("advocacy/cycle_form.html", form=form, cycle=None)


@bp.route("/advocacy/upr/cycles/<cycle>/edit", methods=["GET", "POST"])
def edit_cycle(cycle: str):
    _require_view()
    _require_upr_manage()
    item = load(UPRCycle, cycle, current_user)
    form = CycleForm(obj=item)
    if request.method == "GET":
        form.review_date.data = item.review_date.iso() if item.review_date else ""
        form.version.data = item.version

    done = submit(
        form,
        lambda: upr.save_cycle(current_user, item, _cycle_data(form), form.version.data),
        success=_("Cycle saved."),
        then=url_for("advocacy.cycle", cycle=item.public_id),
        # The user's input stays in the form; the saved cycle is shown beside it.
        on_stale=lambda exc: conflict_page("advocacy/cycle_form.html", form, item, cycle=item),
    )
    return done or render_template("advocacy/cycle_form.html", form=form, cycle=item, saved=None)


@bp.post("/advocacy/upr/cycles/<cycle>/response-date")
def cycle_response_date(cycle: str):
    _require_view()
    _require_upr_manage()
    item = load(UPRCycle, cycle, current_user)
    form = CycleDateForm()
    return perform(
        lambda: upr.set_cycle_response_date(current_user, item, form.response_date.data),
        success=lambda count: _("Response date set on %(n)s recommendation(s).", n=count),
        then=url_for("advocacy.cycle", cycle=item.public_id),
        form=form,
        invalid=_("Give the date of the State's responses (YYYY-MM-DD)."),
    )


def _rec_data(form: RecommendationForm) -> upr.RecommendationData:
    return upr.RecommendationData(
        cycle=upr.get_cycle(form.cycle.data),
        number=form.number.data or "",
        recommending_state=form.recommending_state.data or "",
        text=form.text.data or "",
        response=UPRResponse(form.response.data or UPRResponse.PENDING),
        response_date=form.response_date.data,
        themes=form.themes.data,
    )


def _rec_form(**kwargs: Any) -> RecommendationForm:
    form = RecommendationForm(**kwargs)
    form.cycle.choices = pairs(
        [(c.public_id, c.label) for c in upr.list_cycles()], blank=_("Choose a cycle")
    )
    return form


@bp.route("/advocacy/upr/recommendations/new", methods=["GET", "POST"])
def new_recommendation():
    _require_view()
    _require_upr_manage()
    form = _rec_form()
    if request.method == "GET":
        form.response.data = UPRResponse.PENDING.value
        form.cycle.data = request.args.get("cycle", "")
    done = submit(
        form,
        lambda: upr.create_recommendation(current_user, _rec_data(form)),
        success=_("Recommendation added."),
        then=_rec_url,
    )
    return done or render_template("advocacy/recommendation_form.html", form=form, rec=None)


def _rec_url(rec: UPRRecommendation) -> str:
    return url_for("advocacy.recommendation", public_id=rec.public_id)


def _rec_page(rec: UPRRecommendation, **extra: Any):
    manage = can_manage_upr(current_user)
    action_form = LinkActionForm(prefix="act")
    if manage:
        action_form.action.choices = pairs(
            services.action_choices(current_user, exclude={a.id for a in rec.actions}),
            blank=_("Choose an action"),
        )
    return render_template(
        "advocacy/recommendation.html",
        rec=rec,
        cases=[c for c in rec.cases if can_view_identifying(current_user, c)],
        actions=[a for a in rec.actions if can_view_action(current_user, a)],
        after_support=upr.occurred_after_support,
        manage=manage,
        case_form=extra.pop("case_form", None) or LinkCaseForm(prefix="case"),
        action_form=action_form,
        **extra,
    )


@bp.get("/advocacy/upr/recommendations/<public_id>")
def recommendation(public_id: str):
    rec = load(UPRRecommendation, public_id, current_user)
    return _rec_page(rec)


@bp.route("/advocacy/upr/recommendations/<public_id>/edit", methods=["GET", "POST"])
def edit_recommendation(public_id: str):
    rec = load(UPRRecommendation, public_id, current_user, need=_manages_upr)
    form = _rec_form(obj=rec)
    if request.method == "GET":
        _fill_rec_form(form, rec)

    def stale(exc: StaleEdit):
        db.session.refresh(rec)
        flash(
            _(
                "Someone else changed this recommendation while you were editing it. Nothing "
                "was saved: your version is shown below the current one."
            ),
            "warning",
        )
        current = _rec_form(obj=rec, formdata=None)
        _fill_rec_form(current, rec)
        submitted = dict(form.data)
        chosen = upr.get_cycle(form.cycle.data)
        submitted["cycle"] = chosen.label if chosen else ""
        return render_template(
            "advocacy/recommendation_form.html", form=current, rec=rec, submitted=submitted
        ), 409

    done = submit(
        form,
        lambda: upr.update_recommendation(current_user, rec, _rec_data(form), form.version.data),
        success=_("Recommendation saved."),
        then=_rec_url(rec),
        on_stale=stale,
    )
    return done or render_template("advocacy/recommendation_form.html", form=form, rec=rec)


def _fill_rec_form(form: RecommendationForm, rec: UPRRecommendation) -> None:
    form.cycle.data = rec.cycle.public_id
    form.response.data = rec.response.value
    form.version.data = rec.version


@bp.post("/advocacy/upr/recommendations/<public_id>/cases")
def link_recommendation_case(public_id: str):
    rec = load(UPRRecommendation, public_id, current_user, need=_manages_upr)
    form = LinkCaseForm(prefix="case")
    done = submit(
        form,
        lambda: upr.link_case(current_user, rec, form.reference.data),
        success=_("Case linked."),
        then=_rec_url(rec),
    )
    return done or (_rec_page(rec, case_form=form), 400)


@bp.post("/advocacy/upr/recommendations/<public_id>/cases/<case_public_id>/remove")
def unlink_recommendation_case(public_id: str, case_public_id: str):
    rec = load(UPRRecommendation, public_id, current_user, need=_manages_upr)
    case = load(Case, case_public_id, current_user, need=can_link_case_to_recommendation)
    if ConfirmForm().validate_on_submit():
        upr.unlink_case(current_user, rec, case)
        db.session.commit()
    return redirect(_rec_url(rec))


@bp.post("/advocacy/upr/recommendations/<public_id>/actions")
def link_recommendation_action(public_id: str):
    rec = load(UPRRecommendation, public_id, current_user, need=_manages_upr)
    action = services.get_action(request.form.get("act-action", ""))
    if action is None or not can_view_action(current_user, action):
        flash(_("Choose an action from the list."), "error")
    elif ConfirmForm().validate_on_submit():
        upr.link_action(current_user, rec, action)
        db.session.commit()
        flash(_("Action linked."), "success")
    return redirect(_rec_url(rec))


@bp.post("/advocacy/upr/recommendations/<public_id>/actions/<action_public_id>/remove")
def unlink_recommendation_action(public_id: str, action_public_id: str):
    rec = load(UPRRecommendation, public_id, current_user, need=_manages_upr)
    action = load(AdvocacyAction, action_public_id, current_user)
    if ConfirmForm().validate_on_submit():
        upr.unlink_action(current_user, rec, action)
        db.session.commit()
    return redirect(_rec_url(rec))


@bp.route("/advocacy/upr/import", methods=["GET", "POST"])
def import_recommendations():
    _require_view()
    _require_upr_manage()
    form = ImportForm()
    result = None
    status = 200
    if form.validate_on_submit():
        raw = form.file.data.read()
        result = upr_import.import_recommendations(current_user, raw)
        if result.ok:
            db.session.commit()
            flash(
                _(
                    "Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
                    created=result.created,
                    updated=result.updated,
                    unchanged=result.unchanged,
                ),
                "success",
            )
            return redirect(url_for("advocacy.cycles"))
        db.session.rollback()
        status = 422
    elif request.method == "POST":
        status = 400
    return render_template("advocacy/import.html", form=form, result=result), status


# --- Registration ------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Seeder, CLI, and the hooks through which advocacy shows on case files and dashboards."""
    register_seeder("target bodies", services.seed_target_bodies)
    register_seeder("UPR cycles", upr.seed_cycles)
    register_case_panel(
        CasePanel(
            name="advocacy",
            title=N_("Advocacy"),
            template="advocacy/_case_panel.html",
            context=advocacy_hooks.case_panel_context,
            order=60,
        )
    )
    register_dashboard_section(
        DashboardSection(
            name="advocacy_followups",
            template="advocacy/_dashboard.html",
            context=advocacy_hooks.dashboard_context,
            order=20,
        )
    )
    register_timeline_provider("advocacy", advocacy_hooks.timeline)
    register_deadline_provider(
        "advocacy",
        advocacy_hooks.deadlines,
        services.has_open_followup,
        advocacy_hooks.case_deadlines,
    )
    app.cli.add_command(reminders_cli)
    app.add_template_global(_case_url, "advocacy_case_url")
    app.add_template_global(followup_rows, "followup_rows")
    app.add_template_global(case_action_rows, "case_action_rows")
    app.add_template_global(date.today, "today_date")


def _case_url(case: Any) -> str | None:
    """The case file's address, once the cases area provides it."""
    if "cases.case_file" not in current_app.view_functions:
        return None
    return row_url("cases.case_file", public_id=case.public_id)
