"""A case's events and sources: list and create, through the services the pages use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from casework import permissions
from casework.api.common import case_for_records, form_values, text
from casework.api.consent import shows_identifying
from casework.api.framework import Call, operation
from casework.api.schemas import (
    COUNTRY,
    PARTIAL_DATE,
    AnonymisedQuery,
    Input,
    Output,
    country_input,
    partial_date_input,
)
from casework.cases import events as event_services
from casework.cases.events import DESCRIPTION_MAX_LEN
from casework.cases.models import Event
from casework.core.vocab import (
    ActType,
    AsylumStage,
    Credibility,
    EventType,
    Reliability,
    SourceKind,
    WantedNotice,
)
from casework.evidence import services as evidence
from casework.evidence.models import Source
from casework.evidence.services import TEXT_MAX_LEN
from casework.loader import load

TAG = "Case records"


class EventIdentifying(Output):
    description: str | None
    place: str | None
    agencies: list[str]
    agencies_country: str | None = Field(
        description="The State of the agencies, when recorded and shared by them. " + COUNTRY
    )
    legal_basis: str | None
    date_note: str | None
    sources: list[str] = Field(description="Public ids of the sources it rests on.")


class EventOut(Output):
    id: str
    event_type: str
    date: str | None = Field(description=PARTIAL_DATE)
    date_approximate: bool
    act_type: str | None
    requesting_state: str | None = Field(description=COUNTRY)
    destination_country: str | None = Field(description=COUNTRY)
    wanted_notice: str | None
    asylum_stage: str | None
    created_at: datetime
    version: int
    identifying: EventIdentifying | None


class EventList(Output):
    items: list[EventOut]


def present_event(event: Any, identifying: bool) -> EventOut:
    details = None
    if identifying:
        details = EventIdentifying(
            description=event.description,
            place=event.place.name if event.place else None,
            agencies=[a.name for a in event.agencies],
            agencies_country=event_services.agencies_country(event),
            legal_basis=event.legal_basis,
            date_note=event.date_note,
            sources=[s.public_id for s in event.sources],
        )
    return EventOut(
        id=event.public_id,
        event_type=text(event.event_type),
        date=text(event.date),
        date_approximate=event.date_approximate,
        act_type=text(event.act_type),
        requesting_state=event.requesting_state,
        destination_country=event.destination_country,
        wanted_notice=text(event.wanted_notice),
        asylum_stage=text(event.asylum_stage),
        created_at=event.created_at,
        version=event.version,
        identifying=details,
    )


@operation("GET", "/cases/<case_id>/events", summary="A case's events", tag=TAG,
           response=EventList, query=AnonymisedQuery)  # fmt: skip
def list_events(call: Call, case_id: str) -> EventList:
    case = case_for_records(call.user, case_id)
    identifying = shows_identifying(call.user, case, anonymised=call.query.anonymised)
    return EventList(
        items=[present_event(e, identifying) for e in event_services.case_events(case)]
    )


class EventCreate(Input):
    event_type: EventType
    date: str | None = Field(
        default=None, max_length=40, description=partial_date_input("date_approximate")
    )
    date_approximate: bool = False
    date_note: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX_LEN)
    place: str | None = Field(default=None, max_length=200)
    agencies: str | None = Field(
        default=None,
        max_length=1000,
        description="Separated by semicolons (KNB; migration police).",
    )
    agencies_country: str | None = Field(
        default=None,
        max_length=60,
        description="The State of the agencies listed. " + country_input(),
    )
    act_type: ActType | None = None
    requesting_state: str | None = Field(default=None, max_length=60, description=country_input())
    destination_country: str | None = Field(
        default=None, max_length=60, description=country_input()
    )
    legal_basis: str | None = Field(default=None, max_length=2000)
    wanted_notice: WantedNotice | None = None
    asylum_stage: AsylumStage | None = None
    source_ids: list[str] = Field(default_factory=list, max_length=50)


def _replay_event(call: Call, object_id: str, case_id: str) -> EventOut:
    case = case_for_records(call.user, case_id)
    return present_event(load(Event, object_id, call.user, case=case), True)


@operation("POST", "/cases/<case_id>/events", summary="Add an event to a case", tag=TAG,
           response=EventOut, status=201, body=EventCreate, write=True,
           replay=_replay_event)  # fmt: skip
def create_event(call: Call, case_id: str) -> EventOut:
    case = case_for_records(call.user, case_id, need=permissions.can_edit_case)
    event = event_services.add_event(call.user, case, form_values(call.body))
    return present_event(event, True)


class SourceIdentifying(Output):
    identity: str | None = Field(description="Null when protected and you are not on the team.")
    how_they_know: str | None
    notes: str | None


class SourceOut(Output):
    id: str
    kind: str
    reliability: str
    credibility: str
    identity_protected: bool
    version: int
    identifying: SourceIdentifying | None


class SourceList(Output):
    items: list[SourceOut]


def present_source(user: Any, case: Any, source: Any, identifying: bool) -> SourceOut:
    details = None
    if identifying:
        details = SourceIdentifying(
            identity=source.identity
            if permissions.can_see_source_identity(user, case, source)
            else None,
            how_they_know=source.how_they_know,
            notes=source.notes,
        )
    return SourceOut(
        id=source.public_id,
        kind=text(source.kind),
        reliability=text(source.reliability),
        credibility=text(source.credibility),
        identity_protected=source.identity_protected,
        version=source.version,
        identifying=details,
    )


@operation("GET", "/cases/<case_id>/sources", summary="A case's sources", tag=TAG,
           response=SourceList, query=AnonymisedQuery)  # fmt: skip
def list_sources(call: Call, case_id: str) -> SourceList:
    case = case_for_records(call.user, case_id)
    identifying = shows_identifying(call.user, case, anonymised=call.query.anonymised)
    return SourceList(
        items=[present_source(call.user, case, s, identifying) for s in evidence.case_sources(case)]
    )


class SourceCreate(Input):
    kind: SourceKind
    identity: str | None = Field(default=None, max_length=500)
    identity_protected: bool = True
    how_they_know: str | None = Field(default=None, max_length=TEXT_MAX_LEN)
    reliability: Reliability = Reliability.F
    credibility: Credibility = Credibility.C6
    notes: str | None = Field(default=None, max_length=TEXT_MAX_LEN)


def _replay_source(call: Call, object_id: str, case_id: str) -> SourceOut:
    case = case_for_records(call.user, case_id)
    source = load(Source, object_id, call.user, case=case)
    return present_source(call.user, case, source, True)


@operation("POST", "/cases/<case_id>/sources", summary="Add a source to a case", tag=TAG,
           response=SourceOut, status=201, body=SourceCreate, write=True,
           replay=_replay_source)  # fmt: skip
def create_source(call: Call, case_id: str) -> SourceOut:
    case = case_for_records(call.user, case_id, need=permissions.can_edit_case)
    values = form_values(call.body)
    values.setdefault("identity_protected", True)
    source = evidence.add_source(call.user, case, values)
    return present_source(call.user, case, source, True)
