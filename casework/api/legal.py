"""Legal grounds of a case (links, remedies) and the legal catalogue (read)."""

from __future__ import annotations

from datetime import date

from casework import permissions
from casework.api.common import case_for_records, text
from casework.api.consent import shows_identifying
from casework.api.framework import Call, operation
from casework.api.schemas import AnonymisedQuery, Output
from casework.core.errors import NotVisible
from casework.legal import services as legal
from casework.legal.models import Instrument, Provision
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
    return LinkList(
        items=[
            LinkOut(
                id=link.public_id,
                provision=link.provision.code,
                assessment=text(link.assessment),
                violation_status=text(link.violation_status),
                state=text(link.state),
                version=link.version,
                identifying=LinkIdentifying(analysis=link.analysis) if identifying else None,
            )
            for link in legal.case_links(case)
        ]
    )


class RemedyIdentifying(Output):
    body: str | None
    notes: str | None


class RemedyOut(Output):
    id: str
    kind: str
    filed_on: date | None
    decided_on: date | None
    outcome: str
    appeal_deadline: date | None
    exhausted: bool
    version: int
    identifying: RemedyIdentifying | None


class RemedyList(Output):
    items: list[RemedyOut]


@operation("GET", "/cases/<case_id>/remedies", summary="A case's domestic remedies", tag=TAG,
           response=RemedyList, query=AnonymisedQuery)  # fmt: skip
def list_remedies(call: Call, case_id: str) -> RemedyList:
    case = case_for_records(call.user, case_id)
    identifying = shows_identifying(call.user, case, anonymised=call.query.anonymised)
    return RemedyList(
        items=[
            RemedyOut(
                id=r.public_id,
                kind=text(r.kind),
                filed_on=r.filed_on,
                decided_on=r.decided_on,
                outcome=text(r.outcome),
                appeal_deadline=r.appeal_deadline,
                exhausted=r.exhausted,
                version=r.version,
                identifying=RemedyIdentifying(body=r.body, notes=r.notes) if identifying else None,
            )
            for r in legal.case_remedies(case)
        ]
    )


class ProvisionOut(Output):
    code: str
    instrument: str
    title: str
    summary: str | None
    retired: bool


class InstrumentOut(Output):
    code: str
    title: str
    instrument_type: str
    direction: str
    adopted_on: str | None
    kz_status: str | None
    summary: str | None
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
        summary=provision.summary,
        retired=provision.retired,
    )


def present_instrument(instrument: Instrument) -> InstrumentOut:
    return InstrumentOut(
        code=instrument.code,
        title=instrument.title,
        instrument_type=text(instrument.instrument_type),
        direction=text(instrument.direction),
        adopted_on=instrument.adopted_on,
        kz_status=instrument.kz_status,
        summary=instrument.summary,
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
