"""Advocacy actions and UPR recommendations (read)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from casework import permissions
from casework.advocacy import services as advocacy
from casework.advocacy import upr
from casework.advocacy.models import AdvocacyAction, TargetBody, UPRCycle, UPRRecommendation
from casework.api.common import bad_cursor, text
from casework.api.framework import Call, operation
from casework.api.schemas import (
    NEWEST_FIRST,
    PARTIAL_DATE,
    AnonymisedQuery,
    Input,
    ListQuery,
    Output,
    PublicId,
)
from casework.cases.models import Case
from casework.core import keyset
from casework.core.errors import PermissionDenied
from casework.core.types import PartialDate
from casework.core.vocab import ActionStatus, ActionType
from casework.loader import load

TAG = "Advocacy"


class ActionIdentifying(Output):
    title: str
    description: str | None
    reference_number: str | None
    response_summary: str | None


RESPONSIBLE = (
    "The public id of the lawyer or coordinator who follows it up (reminded when its follow-up "
    "is due): one of GET /advocacy/responsible-candidates."
)


class ActionOut(Output):
    id: str
    action_type: str
    status: str
    target_body_id: int | None = Field(
        description="The id of the body it is addressed to (GET /api/v1/advocacy/target-bodies)."
    )
    target_body: str | None = Field(description="The name of the body it is addressed to.")
    planned_on: date | None
    submitted_on: date | None
    followup_due: date | None
    response_on: date | None
    outcome: str
    responsible: str | None = Field(
        description=RESPONSIBLE + " Null: nobody (the coordinators are reminded of its follow-up)."
    )
    cases: list[str] = Field(description="Public ids of its cases that you may read.")
    version: int
    identifying: ActionIdentifying | None = Field(
        description="Null in the anonymised view, and when you may not read every one of its "
        "cases (its words may name people or facts of any of them)."
    )


class ActionList(Output):
    items: list[ActionOut] = Field(description=NEWEST_FIRST)
    next_cursor: str | None = Field(
        default=None, description="Pass as cursor for the next page; null at the end."
    )


class ActionListQuery(ListQuery, AnonymisedQuery):
    """A page of the actions, newest first."""


CURSOR_SALT = "api-action-cursor"


def present_action(
    user: Any, action: AdvocacyAction, *, anonymised: bool, readable: frozenset[int] | None = None
) -> ActionOut:
    # Seeing an action means reading at least one of its cases (or it is thematic); its words,
    # reading every one.
    details = None
    if not anonymised and permissions.can_read_action_text(user, action, readable):
        details = ActionIdentifying(
            title=action.title,
            description=action.description,
            reference_number=action.reference_number,
            response_summary=action.response_summary,
        )
    return ActionOut(
        id=action.public_id,
        action_type=text(action.action_type),
        status=text(action.status),
        target_body_id=action.target_body_id,
        target_body=action.target_body.name if action.target_body else None,
        planned_on=action.planned_on,
        submitted_on=action.submitted_on,
        followup_due=action.followup_due,
        response_on=action.response_on,
        outcome=text(action.outcome),
        responsible=action.responsible.public_id if action.responsible else None,
        cases=[c.public_id for c in permissions.action_cases_for(user, action, readable)],
        version=action.version,
        identifying=details,
    )


@operation("GET", "/advocacy/actions", summary="Advocacy actions you may see, newest first",
           tag=TAG, response=ActionList, query=ActionListQuery,
           description="The most recently created action first, a page at a time (limit, then "
                       "cursor=next_cursor).")  # fmt: skip
def list_actions(call: Call) -> ActionList:
    if not permissions.can_view_advocacy(call.user):
        raise PermissionDenied()
    query: ActionListQuery = call.query
    try:
        actions, _, next_cursor = advocacy.actions_after(
            call.user, query.cursor or "", size=query.limit, salt=CURSOR_SALT, texts=True
        )
    except keyset.BadCursor as exc:
        raise bad_cursor() from exc
    readable = permissions.readable_case_ids(call.user, {c.id for a in actions for c in a.cases})
    return ActionList(
        items=[
            present_action(call.user, a, anonymised=query.anonymised, readable=readable)
            for a in actions
        ],
        next_cursor=next_cursor,
    )


@operation("GET", "/advocacy/actions/<action_id>", summary="An advocacy action", tag=TAG,
           response=ActionOut, query=AnonymisedQuery)  # fmt: skip
def get_action(call: Call, action_id: str) -> ActionOut:
    action = load(AdvocacyAction, action_id, call.user)
    return present_action(call.user, action, anonymised=call.query.anonymised)


class ActionCreate(Input):
    action_type: ActionType
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    target_body_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The id of the body it is addressed to (GET /api/v1/advocacy/target-bodies).",
    )
    status: ActionStatus = ActionStatus.PLANNED
    planned_on: date | None = None
    submitted_on: date | None = None
    followup_due: date | None = Field(
        default=None,
        description="When to follow it up: not before submitted_on, after today for an action "
        "created with its response received (dated today: the next follow-up), and none for an "
        f"action created closed; years {PartialDate.MIN_YEAR} to {PartialDate.MAX_YEAR} "
        "(else 422).",
    )
    reference_number: str | None = Field(default=None, max_length=100)
    responsible: PublicId | None = Field(
        default=None,
        description=RESPONSIBLE
        + " An active lawyer or coordinator (any other is refused, 422). Left out: you, as on "
        "the web form; null: nobody yet (the coordinators are reminded of its follow-up).",
        # Left out is you, which null is not: the document names no default.
        json_schema_extra=lambda schema: schema.pop("default", None),
    )


def _replay_action(call: Call, object_id: str, case_id: str) -> ActionOut:
    return present_action(call.user, load(AdvocacyAction, object_id, call.user), anonymised=False)


@operation("POST", "/cases/<case_id>/advocacy-actions", summary="Record an advocacy action",
           tag=TAG, response=ActionOut, status=201, body=ActionCreate, write=True,
           replay=_replay_action, field_names={"target_body": "target_body_id"})  # fmt: skip
def create_case_action(call: Call, case_id: str) -> ActionOut:
    case = load(Case, case_id, call.user, need=permissions.can_manage_advocacy)
    body: ActionCreate = call.body
    if "responsible" in body.model_fields_set:
        responsible_id = advocacy.responsible_id_of(body.responsible)
    else:
        responsible_id = call.user.id  # whoever records it follows it up, as on the web form
    data = advocacy.ActionData(
        **body.model_dump(exclude={"responsible"}), responsible_id=responsible_id
    )
    action = advocacy.create_action(call.user, data, case=case)
    return present_action(call.user, action, anonymised=False)


class TargetBodyOut(Output):
    id: int = Field(description="What an action's target_body_id names.")
    name: str
    short_name: str | None = Field(description="An abbreviation (CAT, UNHCR...), if any.")
    retired: bool = Field(
        description="No longer offered on the pages' forms; kept on the actions addressed to it."
    )


class TargetBodyList(Output):
    items: list[TargetBodyOut] = Field(description="Every body, retired ones included, by name.")


def present_body(body: TargetBody) -> TargetBodyOut:
    return TargetBodyOut(
        id=body.id, name=body.name, short_name=body.short_name, retired=body.retired
    )


@operation("GET", "/advocacy/target-bodies",
           summary="The bodies an action may be addressed to (UN Special Procedures, CAT, UNHCR...)",
           tag=TAG, response=TargetBodyList)  # fmt: skip
def list_target_bodies(call: Call) -> TargetBodyList:
    if not permissions.can_view_advocacy(call.user):
        raise PermissionDenied()
    bodies = advocacy.list_bodies(include_retired=True)
    return TargetBodyList(items=[present_body(b) for b in bodies])


class CandidateOut(Output):
    id: str = Field(description="What an action's responsible names.")
    display_name: str
    role: str = Field(description="lawyer or coordinator.")


class CandidateList(Output):
    items: list[CandidateOut] = Field(
        description="Active lawyers and coordinators, by name: the web form's Responsible list."
    )


@operation("GET", "/advocacy/responsible-candidates",
           summary="The accounts an action may be given to follow up", tag=TAG,
           response=CandidateList)  # fmt: skip
def list_responsible_candidates(call: Call) -> CandidateList:
    if not permissions.can_view_advocacy(call.user):
        raise PermissionDenied()
    return CandidateList(
        items=[
            CandidateOut(id=u.public_id, display_name=u.display_name, role=u.role.value)
            for u in advocacy.responsible_candidates()
        ]
    )


class CycleOut(Output):
    id: str
    state_under_review: str = Field(description="The State's name (not an ISO code).")
    number: int
    wg_session: str | None
    review_date: str | None = Field(description=PARTIAL_DATE)
    report_symbol: str | None


class CycleList(Output):
    items: list[CycleOut]


def present_cycle(cycle: UPRCycle) -> CycleOut:
    return CycleOut(
        id=cycle.public_id,
        state_under_review=cycle.state_under_review,
        number=cycle.number,
        wg_session=cycle.wg_session,
        review_date=text(cycle.review_date),
        report_symbol=cycle.report_symbol,
    )


class RecommendationOut(Output):
    id: str
    cycle: str
    number: str
    recommending_state: str = Field(
        description="The State's name as the UPR report writes it (not an ISO code)."
    )
    text: str
    response: str
    response_date: date | None
    themes: str | None
    cases: list[str] = Field(description="Public ids of its cases that you may read.")


class RecommendationList(Output):
    items: list[RecommendationOut]


def present_recommendation(rec: UPRRecommendation, cases: list[Any]) -> RecommendationOut:
    return RecommendationOut(
        id=rec.public_id,
        cycle=rec.cycle.public_id,
        number=rec.number,
        recommending_state=rec.recommending_state,
        text=rec.text,
        response=text(rec.response),
        response_date=rec.response_date,
        themes=rec.themes,
        cases=[c.public_id for c in cases],
    )


@operation("GET", "/upr/cycles", summary="UPR cycles", tag=TAG, response=CycleList)
def list_cycles(call: Call) -> CycleList:
    if not permissions.can_view_upr(call.user):
        raise PermissionDenied()
    return CycleList(items=[present_cycle(c) for c in upr.list_cycles()])


@operation("GET", "/upr/cycles/<cycle_id>/recommendations", summary="A cycle's recommendations",
           tag=TAG, response=RecommendationList)  # fmt: skip
def list_recommendations(call: Call, cycle_id: str) -> RecommendationList:
    cycle = load(UPRCycle, cycle_id, call.user)
    return RecommendationList(
        items=[
            present_recommendation(row.rec, row.cases) for row in upr.cycle_view(call.user, cycle)
        ]
    )


@operation("GET", "/upr/recommendations/<recommendation_id>", summary="A UPR recommendation",
           tag=TAG, response=RecommendationOut)  # fmt: skip
def get_recommendation(call: Call, recommendation_id: str) -> RecommendationOut:
    rec = load(UPRRecommendation, recommendation_id, call.user)
    cases = [c for c in rec.cases if permissions.can_view_identifying(call.user, c)]
    return present_recommendation(rec, cases)
