"""Cases: list (the case-list filters, keyset pages), read, create, update (If-Match)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field
from werkzeug.datastructures import MultiDict

from casework import permissions
from casework.api.common import bad_cursor, form_values
from casework.api.consent import identifying_values, shows_identifying
from casework.api.framework import Call, check_if_match, etag_of, operation
from casework.api.schemas import (
    COUNTRY,
    NEWEST_FIRST,
    PARTIAL_DATE,
    AnonymisedQuery,
    Input,
    ListQuery,
    Output,
    country_input,
    partial_date_input,
)
from casework.audit.services import record
from casework.cases import listing, services
from casework.cases.models import Case
from casework.core import keyset
from casework.core.db import db
from casework.core.errors import ValidationFailed
from casework.core.vocab import (
    ActType,
    Authorisation,
    NameKind,
    OtherProcedure,
    Situation,
    Urgency,
)
from casework.loader import load

TAG = "Cases"


class CaseIdentifying(Output):
    """What only users who may read the case's identifying data get."""

    title: str | None
    external_ref: str | None
    act_place: str | None
    act_date_note: str | None
    narrative: str | None
    after_return: str | None
    authorisation: Authorisation = Field(
        description="How the person authorised the organisation to act for them before a UN "
        "body, or that it cannot be obtained."
    )
    authorised_by: str | None = Field(description="Who gave the authorisation (free text).")
    authorised_on: date | None = Field(description="The day the authorisation was given.")
    authorisation_note: str | None = Field(
        description="Why the authorisation cannot be obtained, or how it was given (free text)."
    )
    other_procedures: OtherProcedure = Field(
        description="Whether the same matter went to another procedure of international "
        "investigation or settlement, and where it stands there."
    )
    other_procedures_details: str | None = Field(
        description="Which body, when, its reference and where it stands (free text)."
    )


class CaseOut(Output):
    id: str = Field(description="The case's opaque public id.")
    reference: str
    status: str
    urgency: str
    restricted: bool
    act_type: str | None
    act_date: str | None = Field(description=PARTIAL_DATE)
    act_date_approximate: bool
    destination_country: str | None = Field(description=COUNTRY)
    current_situation: str
    created_at: datetime
    updated_at: datetime
    version: int = Field(description='Send it back as If-Match: "v<version>" to update.')
    identifying: CaseIdentifying | None = Field(
        description="Null when the user may not read them or the anonymised view was asked for."
    )


class CasePage(Output):
    items: list[CaseOut] = Field(description=NEWEST_FIRST)
    next_cursor: str | None = Field(
        description="Pass as cursor for the next page; null at the end."
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.iso() if hasattr(value, "iso") else str(value)


def present_case(user: Any, case: Case, *, anonymised: bool = False) -> CaseOut:
    identifying = None
    if shows_identifying(user, case, anonymised=anonymised):
        identifying = CaseIdentifying(
            **identifying_values(case, "cases"),
            authorisation=case.authorisation,
            other_procedures=case.other_procedures,
        )
    return CaseOut(
        id=case.public_id,
        reference=case.reference,
        status=_text(case.status),
        urgency=_text(case.urgency),
        restricted=case.restricted,
        act_type=_text(case.act_type),
        act_date=_text(case.act_date),
        act_date_approximate=case.act_date_approximate,
        destination_country=case.destination_country,
        current_situation=_text(case.current_situation),
        created_at=case.created_at,
        updated_at=case.updated_at,
        version=case.version,
        identifying=identifying,
    )


class CaseListQuery(ListQuery, AnonymisedQuery):
    """The case list's filters (as on the case-list page) and a cursor."""

    # The values the case-list page takes, stated by the listing (one place for both).
    status: Literal[listing.filter_choices("status")] | None = Field(
        default=None,
        description=f"A status, or {listing.OPEN}: every status but closed.",
    )
    urgency: Literal[listing.filter_choices("urgency")] | None = Field(
        default=None,
        description=(
            f"An urgency, or {listing.URGENT_OR_IMMINENT}: the cases marked urgent or imminent."
        ),
    )
    act_type: ActType | None = None
    nationality: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]{2}$",
        description=(
            "The cases with a person of this nationality (an ISO 3166-1 alpha-2 code), among "
            "those whose identifying data you may read."
        ),
    )
    ethnicity: str | None = Field(default=None, max_length=80)
    destination: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]{2}$",
        description="The cases of this destination_country: an ISO 3166-1 alpha-2 code.",
    )
    date_from: date | None = None
    date_to: date | None = None
    lawyer: str | None = Field(
        default=None,
        max_length=40,
        description=(
            "The cases whose assigned lawyer has this public id, among those whose identifying "
            "data you may read (who works on a restricted case is not told off its team)."
        ),
    )
    mine: bool = Field(default=False, description="Only the cases whose team you are on.")
    created_by_me: bool = Field(
        default=False, description="Only the cases you created (of those you may see)."
    )
    provision: str | None = Field(default=None, max_length=40)
    reference: str | None = Field(
        default=None,
        max_length=40,
        description=(
            "The cases whose reference contains this text, in upper or lower case (kz-2011 "
            "finds KZ-2011-0007 and every other reference with KZ-2011 in it), or whose former "
            "year-less reference (before the act was dated) does. Not the organisation's own "
            "reference (external_ref)."
        ),
    )


CURSOR_SALT = "api-case-cursor"


def _argument(value: Any) -> str:
    """A filter's value as the page's URL argument carries it."""
    if value is True:
        return "1"
    return value.isoformat() if isinstance(value, date) else str(value)


def _filters(query: CaseListQuery) -> listing.CaseFilters:
    """The case-list filters read by the same code as the page's URL arguments."""
    args = MultiDict(
        {
            name: _argument(value)
            for name, value in query.model_dump(
                exclude={"cursor", "limit", "anonymised"}, exclude_none=True
            ).items()
            if value is not False
        }
    )
    filters = listing.CaseFilters.from_args(args)
    if filters.errors:
        raise ValidationFailed({"": filters.errors})
    return filters


@operation("GET", "/cases", summary="List the cases you may see, newest first", tag=TAG,
           response=CasePage, query=CaseListQuery,
           description="The most recently created case first, a page at a time (limit, then "
                       "cursor=next_cursor); the filters narrow the list.")  # fmt: skip
def list_cases(call: Call) -> CasePage:
    query: CaseListQuery = call.query
    statement = listing.filtered_query(call.user, _filters(query))
    try:
        cases, _, next_cursor = listing.page_after(
            call.user, statement, "created", query.cursor or "", CURSOR_SALT, query.limit
        )
    except keyset.BadCursor as exc:
        raise bad_cursor() from exc
    record(call.user, "case.listed", object_type="search", results=len(cases))
    return CasePage(
        items=[present_case(call.user, c, anonymised=query.anonymised) for c in cases],
        next_cursor=next_cursor,
    )


@operation("GET", "/cases/<case_id>", summary="Read a case", tag=TAG, response=CaseOut,
           query=AnonymisedQuery, etag=True)  # fmt: skip
def get_case(call: Call, case_id: str):
    case = load(Case, case_id, call.user)
    readable = permissions.can_view_identifying(call.user, case)
    record(call.user, "case.viewed", case, case=case, **({} if readable else {"listed_only": True}))
    return present_case(call.user, case, anonymised=call.query.anonymised), {"ETag": etag_of(case)}


class CaseCreate(Input):
    """A quick intake, as on the intake page. Without ``draft``, name and act_type are required
    and an unreadable act_date or unknown destination_country is refused (422). With ``draft``
    nothing is required and nothing typed is refused: an act_date that cannot be read is kept as
    the act_date_note (act_date null) and an unknown destination_country is left empty (null);
    compare the answer with what was sent. An empty intake (no name, fact or text) is refused
    and saves nothing."""

    name: str = Field(default="", max_length=200, description="The person's name, any script.")
    name_kind: NameKind = NameKind.AS_GIVEN
    act_type: ActType | None = None
    act_date: str = Field(
        default="",
        max_length=40,
        description=partial_date_input(
            "act_date_approximate", "refused (422), or in a draft kept as the act_date_note"
        ),
    )
    act_date_approximate: bool = False
    act_place: str = Field(default="", max_length=200)
    destination_country: str = Field(
        default="",
        max_length=60,
        description=country_input("refused (422), or in a draft left empty"),
    )
    urgency: Urgency = Urgency.ROUTINE
    current_situation: Situation = Situation.UNKNOWN
    narrative: str = Field(default="", max_length=services.NARRATIVE_MAX_LEN)
    draft: bool = False


def _replay_case(call: Call, object_id: str):
    case = load(Case, object_id, call.user)
    return present_case(call.user, case), {"ETag": etag_of(case)}


@operation("POST", "/cases", summary="Create a case (intake)", tag=TAG, response=CaseOut,
           status=201, body=CaseCreate, write=True, replay=_replay_case, etag=True)  # fmt: skip
def create_case(call: Call):
    body: CaseCreate = call.body
    data = services.IntakeInput(
        name=body.name,
        name_kind=body.name_kind.value,
        act_type=body.act_type.value if body.act_type else "",
        act_date=body.act_date,
        act_date_approximate=body.act_date_approximate,
        act_place=body.act_place,
        destination_country=body.destination_country,
        urgency=body.urgency.value,
        current_situation=body.current_situation.value,
        narrative=body.narrative,
    )
    case, _warnings = services.intake(call.user, data, draft=body.draft)
    return present_case(call.user, case), {"ETag": etag_of(case)}


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


# A field that may be left out of a change but has no empty value (never null): ``None`` is only
# the model's marker for "not sent", which the change leaves out.
def unchanged() -> Any:
    return Field(default=None, json_schema_extra=_no_default)


class CaseUpdate(Input):
    """The fields to change; the others stay as they are. Null empties a text, a date or the act
    type; urgency, current situation, the approximate flag, the authorisation and the other
    procedures always have a value (not null)."""

    title: str | None = Field(default=None, max_length=200)
    act_type: ActType | None = None
    act_date: str | None = Field(
        default=None, max_length=40, description=partial_date_input("act_date_approximate")
    )
    act_date_approximate: bool = unchanged()
    act_date_note: str | None = Field(default=None, max_length=200)
    act_place: str | None = Field(default=None, max_length=200)
    destination_country: str | None = Field(
        default=None, max_length=60, description=country_input()
    )
    urgency: Urgency = unchanged()
    current_situation: Situation = unchanged()
    narrative: str | None = Field(default=None, max_length=services.NARRATIVE_MAX_LEN)
    after_return: str | None = Field(default=None, max_length=services.NARRATIVE_MAX_LEN)
    external_ref: str | None = Field(default=None, max_length=100)
    authorisation: Authorisation = unchanged()
    authorised_by: str | None = Field(default=None, max_length=services.AUTHORISED_BY_MAX_LEN)
    authorised_on: date | None = Field(
        default=None, description="The day the authorisation was given; never a day to come."
    )
    authorisation_note: str | None = Field(default=None, max_length=services.PROCEDURE_NOTE_MAX_LEN)
    other_procedures: OtherProcedure = unchanged()
    other_procedures_details: str | None = Field(
        default=None, max_length=services.PROCEDURE_NOTE_MAX_LEN
    )


@operation("PATCH", "/cases/<case_id>", summary="Change a case (If-Match required)", tag=TAG,
           response=CaseOut, body=CaseUpdate, write=True, if_match=True, etag=True)  # fmt: skip
def update_case(call: Call, case_id: str):
    case = load(Case, case_id, call.user, need=permissions.can_edit_case)
    version = check_if_match(case)
    services.update_case(call.user, case, form_values(call.body), version)
    db.session.flush()
    return present_case(call.user, case), {"ETag": etag_of(case)}
