"""Legal grounds of a case (links, remedies) and the legal catalogue (read)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from casework import permissions
from casework.api.common import case_for_records, text
from casework.api.consent import shows_identifying
from casework.api.framework import Call, operation
from casework.api.schemas import PARTIAL_DATE, AnonymisedQuery, Input, Output, partial_date_input
from casework.core.errors import NotVisible
from casework.core.types import PartialDate, PartialDateError
from casework.core.vocab import Assessment, RemedyKind, RemedyOutcome, ViolationStatus
from casework.legal import services as legal
from casework.legal.models import CaseProvision, Instrument, Provision, Remedy
from casework.loader import load

TAG = "Legal grounds"
CATALOGUE = "Catalogue"


class LinkIdentifying(Output):
    analysis: str | None


class LinkOut(Output):
    id: str
    provision: str
    assessment: str
    violation_status: str
    state: str
    version: int
    identifying: LinkIdentifying | None


class LinkList(Output):
    items: list[LinkOut]


@operation("GET", "/cases/<case_id>/legal-links", summary="A case's legal grounds", tag=TAG,
           response=LinkList, query=AnonymisedQuery)  # fmt: skip
def list_legal_links(call: Call, case_id: str) -> LinkList:
    case = case_for_records(call.user, case_id)
    identifying = shows_identifying(call.user, case, anonymised=call.query.anonymised)
    return LinkList(items=[present_link(link, identifying) for link in legal.case_links(case)])


def present_link(link: Any, identifying: bool) -> LinkOut:
    return LinkOut(
        id=link.public_id,
        provision=link.provision.code,
        assessment=text(link.assessment),
        violation_status=text(link.violation_status),
        state=text(link.state),
        version=link.version,
        identifying=LinkIdentifying(analysis=link.analysis) if identifying else None,
    )


class LinkCreate(Input):
    """A lawyer's assessment: a provision of the catalogue, with an analysis."""

    provision: str = Field(min_length=1, max_length=40, description="A code such as CAT:3.")
    assessment: Assessment
    violation_status: ViolationStatus = ViolationStatus.UNKNOWN
    analysis: str | None = Field(default=None, max_length=legal.ANALYSIS_MAX_LEN)
    source_ids: list[str] = Field(default_factory=list, max_length=50)


def _replay_link(call: Call, object_id: str, case_id: str) -> LinkOut:
    case = case_for_records(call.user, case_id)
    return present_link(load(CaseProvision, object_id, call.user, case=case), True)


@operation("POST", "/cases/<case_id>/legal-links", summary="Assess a legal ground of a case",
           tag=TAG, response=LinkOut, status=201, body=LinkCreate, write=True,
           replay=_replay_link, field_names={"sources": "source_ids"})  # fmt: skip
def create_legal_link(call: Call, case_id: str) -> LinkOut:
    case = case_for_records(call.user, case_id, need=permissions.can_edit_legal_links)
    body: LinkCreate = call.body
    link = legal.add_link(
        call.user,
        case,
        provision=legal.get_provision(body.provision),
        assessment=body.assessment.value,
        violation_status=body.violation_status.value,
        analysis=body.analysis,
        source_ids=body.source_ids,
    )
    return present_link(link, True)


class SuggestionCreate(Input):
    """A monitor's suggestion of a provision, for a lawyer to accept or dismiss."""

    provision: str = Field(min_length=1, max_length=40)
    assessment: Assessment = Assessment.RELEVANT
    note: str | None = Field(default=None, max_length=legal.ANALYSIS_MAX_LEN)


@operation("POST", "/cases/<case_id>/legal-link-suggestions", summary="Suggest a legal ground",
           tag=TAG, response=LinkOut, status=201, body=SuggestionCreate, write=True,
           replay=_replay_link)  # fmt: skip
def suggest_legal_link(call: Call, case_id: str) -> LinkOut:
    case = case_for_records(call.user, case_id, need=permissions.can_suggest_legal_link)
    body: SuggestionCreate = call.body
    link = legal.suggest_link(
        call.user,
        case,
        provision=legal.get_provision(body.provision),
        assessment=body.assessment.value,
        note=body.note,
    )
    return present_link(link, True)


class RemedyIdentifying(Output):
    body: str | None
    notes: str | None
    ineffective_because: str | None = Field(
        description="Why the remedy is not effective, when counsel argues it (free text)."
    )


class RemedyOut(Output):
    id: str
    kind: str
    filed_on: str | None = Field(description=PARTIAL_DATE)
    filed_on_approximate: bool
    decided_on: str | None = Field(description=PARTIAL_DATE)
    decided_on_approximate: bool
    outcome: str
    appeal_deadline: date | None
    exhausted: bool
    argued_ineffective: bool = Field(
        description="Counsel argues the remedy is not effective (the reasons are identifying)."
    )
    version: int
    identifying: RemedyIdentifying | None


class RemedyList(Output):
    items: list[RemedyOut]


@operation("GET", "/cases/<case_id>/remedies", summary="A case's domestic remedies", tag=TAG,
           response=RemedyList, query=AnonymisedQuery)  # fmt: skip
def list_remedies(call: Call, case_id: str) -> RemedyList:
    case = case_for_records(call.user, case_id)
    identifying = shows_identifying(call.user, case, anonymised=call.query.anonymised)
    return RemedyList(items=[present_remedy(r, identifying) for r in legal.case_remedies(case)])


def present_remedy(r: Any, identifying: bool) -> RemedyOut:
    return RemedyOut(
        id=r.public_id,
        kind=text(r.kind),
        filed_on=text(r.filed_on),
        filed_on_approximate=r.filed_on_approximate,
        decided_on=text(r.decided_on),
        decided_on_approximate=r.decided_on_approximate,
        outcome=text(r.outcome),
        appeal_deadline=r.appeal_deadline,
        exhausted=r.exhausted,
        argued_ineffective=bool(r.ineffective_because),
        version=r.version,
        identifying=RemedyIdentifying(
            body=r.body, notes=r.notes, ineffective_because=r.ineffective_because
        )
        if identifying
        else None,
    )


class RemedyCreate(Input):
    kind: RemedyKind
    body: str | None = Field(default=None, max_length=300, description="The court or authority.")
    filed_on: str | None = Field(
        default=None, max_length=40, description=partial_date_input("filed_on_approximate")
    )
    filed_on_approximate: bool = False
    decided_on: str | None = Field(
        default=None, max_length=40, description=partial_date_input("decided_on_approximate")
    )
    decided_on_approximate: bool = False
    outcome: RemedyOutcome = RemedyOutcome.PENDING
    appeal_deadline: date | None = None
    exhausted: bool = False
    ineffective_because: str | None = Field(default=None, max_length=legal.INEFFECTIVE_MAX_LEN)
    notes: str | None = Field(default=None, max_length=legal.NOTES_MAX_LEN)


def _replay_remedy(call: Call, object_id: str, case_id: str) -> RemedyOut:
    case = case_for_records(call.user, case_id)
    return present_remedy(load(Remedy, object_id, call.user, case=case), True)


@operation("POST", "/cases/<case_id>/remedies", summary="Record a domestic remedy", tag=TAG,
           response=RemedyOut, status=201, body=RemedyCreate, write=True,
           replay=_replay_remedy)  # fmt: skip
def create_remedy(call: Call, case_id: str) -> RemedyOut:
    case = case_for_records(call.user, case_id, need=permissions.can_record_remedies)
    values = call.body.model_dump()
    values["kind"] = values["kind"].value
    values["outcome"] = values["outcome"].value
    return present_remedy(legal.add_remedy(call.user, case, **values), True)


# A catalogue text's Russian version: null where it has none (readers then show the English).
_RUSSIAN = "The %s in Russian, as Russian pages show it; null when none (the English is shown)."


class ProvisionOut(Output):
    code: str
    instrument: str
    title: str
    title_ru: str | None = Field(description=_RUSSIAN % "title")
    summary: str | None
    summary_ru: str | None = Field(description=_RUSSIAN % "summary")
    retired: bool


class InstrumentOut(Output):
    code: str
    title: str
    title_ru: str | None = Field(description=_RUSSIAN % "title")
    instrument_type: str
    direction: str
    adopted_on: str | None = Field(
        description=(
            "When it was adopted or decided, as a partial date (YYYY, YYYY-MM or YYYY-MM-DD); "
            "null when not known. The catalogue page takes free text here: a text that does not "
            "read as a date is given as it was typed."
        )
    )
    kz_status: str | None
    kz_status_ru: str | None = Field(description=_RUSSIAN % "note on Kazakhstan's status")
    summary: str | None
    summary_ru: str | None = Field(description=_RUSSIAN % "summary")
    url: str | None
    retired: bool
    provisions: list[ProvisionOut]


class InstrumentList(Output):
    items: list[InstrumentOut]


def present_provision(provision: Provision) -> ProvisionOut:
    return ProvisionOut(
        code=provision.code,
        instrument=provision.instrument.code,
        title=provision.title,
        title_ru=provision.title_ru,
        summary=provision.summary,
        summary_ru=provision.summary_ru,
        retired=provision.retired,
    )


def _adopted_on(value: str | None) -> str | None:
    """The catalogue's text as a partial date (12.04.1979 as 1979-04-12) when it reads as one."""
    try:
        parsed = PartialDate.parse(value)
    except PartialDateError:
        return value
    return parsed.iso() if parsed else None


def present_instrument(instrument: Instrument) -> InstrumentOut:
    return InstrumentOut(
        code=instrument.code,
        title=instrument.title,
        title_ru=instrument.title_ru,
        instrument_type=text(instrument.instrument_type),
        direction=text(instrument.direction),
        adopted_on=_adopted_on(instrument.adopted_on),
        kz_status=instrument.kz_status,
        kz_status_ru=instrument.kz_status_ru,
        summary=instrument.summary,
        summary_ru=instrument.summary_ru,
        url=instrument.url,
        retired=instrument.retired,
        provisions=[present_provision(p) for p in instrument.provisions],
    )


@operation("GET", "/catalogue/instruments", summary="The legal catalogue", tag=CATALOGUE,
           response=InstrumentList)  # fmt: skip
def list_instruments(call: Call) -> InstrumentList:
    # The same rule as the loader applies to each instrument: the catalogue is seen whole or not.
    if not permissions.can_view_catalogue(call.user):
        raise NotVisible()
    return InstrumentList(items=[present_instrument(i) for i in legal.list_instruments()])


@operation("GET", "/catalogue/instruments/<code>", summary="An instrument and its provisions",
           tag=CATALOGUE, response=InstrumentOut)  # fmt: skip
def get_instrument(call: Call, code: str) -> InstrumentOut:
    return present_instrument(load(Instrument, code, call.user))


@operation("GET", "/catalogue/provisions/<code>", summary="A provision", tag=CATALOGUE,
           response=ProvisionOut)  # fmt: skip
def get_provision(call: Call, code: str) -> ProvisionOut:
    return present_provision(load(Provision, code, call.user))
