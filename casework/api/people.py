"""People: read, create in a case, and match a name against the people one may see."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from casework import permissions
from casework.api.common import case_for_records, text
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
from casework.audit.services import record
from casework.cases import listing
from casework.cases import services as case_services
from casework.core.vocab import (
    CaseRole,
    ConsentLevel,
    Gender,
    GovernmentContact,
    LegalStatus,
    NameKind,
    Script,
)
from casework.loader import load
from casework.people.models import NAME_MAX_LEN, Person
from casework.people.services import NameInput, visible_names

TAG = "People"


class NameOut(Output):
    name: str
    script: str
    kind: str


PRIVATE = (
    "Null when the person is also in a restricted case you may not read (its team may have "
    "typed it); the case's pages show it only to whoever may change the person."
)


class PersonIdentifying(Output):
    names: list[NameOut]
    birth_date: str | None = Field(description=PARTIAL_DATE)
    ethnicity: str | None
    unhcr_number: str | None
    contacts: str | None = Field(description=PRIVATE)
    address: str | None = Field(description=PRIVATE)
    notes: str | None = Field(description=PRIVATE)


class PersonOut(Output):
    id: str
    gender: str
    nationality: str | None = Field(description=COUNTRY)
    legal_status: str
    consent: str
    consent_date: date | None
    government_contact: str = Field(
        description="Whether the person agrees that a UN body contacts the government about them."
    )
    version: int
    identifying: PersonIdentifying | None


class CasePersonOut(PersonOut):
    role: str = Field(description="The person's role in this case.")


class CasePeople(Output):
    items: list[CasePersonOut]


def _identifying(person: Person, private: bool) -> PersonIdentifying:
    """``private``: with PERSON_PRIVATE_FIELDS (else null: the person is in a restricted case
    the user may not read, and those were typed by any team)."""
    return PersonIdentifying(
        names=[
            NameOut(name=n.name, script=text(n.script), kind=text(n.kind))
            for n in visible_names(person)
        ],  # fmt: skip
        birth_date=text(person.birth_date),
        ethnicity=person.ethnicity,
        unhcr_number=person.unhcr_number,
        contacts=person.contacts if private else None,
        address=person.address if private else None,
        notes=person.notes if private else None,
    )


def _fields(person: Person, identifying: bool, private: bool) -> dict[str, Any]:
    return {
        "id": person.public_id,
        "gender": text(person.gender),
        "nationality": person.nationality,
        "legal_status": text(person.legal_status),
        "consent": text(person.consent),
        "consent_date": person.consent_date,
        "government_contact": text(person.government_contact),
        "version": person.version,
        "identifying": _identifying(person, private) if identifying else None,
    }


def _private(call: Call, person: Person) -> bool:
    """May the caller have the person's PERSON_PRIVATE_FIELDS?"""
    return not permissions.people_with_private_fields_withheld(call.user, [person.id])


@operation("GET", "/people/<person_id>", summary="Read a person", tag=TAG, response=PersonOut,
           query=AnonymisedQuery)  # fmt: skip
def get_person(call: Call, person_id: str) -> PersonOut:
    # Seen only through a case whose identifying data the user reads (the loader's rule).
    person = load(Person, person_id, call.user)
    record(call.user, "person.viewed", person)
    return PersonOut(**_fields(person, not call.query.anonymised, _private(call, person)))


@operation("GET", "/cases/<case_id>/people", summary="The people in a case", tag=TAG,
           response=CasePeople, query=AnonymisedQuery)  # fmt: skip
def list_case_people(call: Call, case_id: str) -> CasePeople:
    case = case_for_records(call.user, case_id)
    identifying = shows_identifying(call.user, case, anonymised=call.query.anonymised)
    links = case_services.case_people(case)
    withheld = permissions.people_with_private_fields_withheld(
        call.user, [link.person_id for link in links]
    )
    return CasePeople(
        items=[
            CasePersonOut(
                role=text(link.role),
                **_fields(link.person, identifying, link.person_id not in withheld),
            )
            for link in links
        ]
    )


class NameIn(Input):
    name: str = Field(min_length=1, max_length=NAME_MAX_LEN)
    script: Script | None = None
    kind: NameKind = NameKind.AS_GIVEN


class PersonCreate(Input):
    names: list[NameIn] = Field(min_length=1, max_length=20)
    role: CaseRole
    gender: Gender = Gender.UNKNOWN
    birth_date: str | None = Field(
        default=None, max_length=40, description=partial_date_input("birth_date_approximate")
    )
    birth_date_approximate: bool = False
    nationality: str | None = Field(default=None, max_length=60, description=country_input())
    ethnicity: str | None = Field(default=None, max_length=80)
    legal_status: LegalStatus = LegalStatus.UNKNOWN
    unhcr_number: str | None = Field(default=None, max_length=100)
    contacts: str | None = Field(default=None, max_length=2000)
    address: str | None = Field(default=None, max_length=2000)
    notes: str | None = Field(default=None, max_length=10_000)
    consent: ConsentLevel = ConsentLevel.NONE
    consent_date: date | None = None
    government_contact: GovernmentContact = GovernmentContact.NOT_ASKED


def _replay_person(call: Call, object_id: str, case_id: str) -> CasePersonOut:
    case = case_for_records(call.user, case_id)
    person = load(Person, object_id, call.user, case=case)
    link = next(link for link in case.people if link.person_id == person.id)
    return CasePersonOut(role=text(link.role), **_fields(person, True, _private(call, person)))


@operation("POST", "/cases/<case_id>/people", summary="Add a new person to a case", tag=TAG,
           response=CasePersonOut, status=201, body=PersonCreate, write=True,
           replay=_replay_person)  # fmt: skip
def create_case_person(call: Call, case_id: str) -> CasePersonOut:
    case = case_for_records(call.user, case_id, need=permissions.can_edit_case)
    body: PersonCreate = call.body
    details = body.model_dump(exclude={"names", "role"}, exclude_unset=True, mode="json")
    details = {k: ("" if v is None else v) for k, v in details.items()}
    if "consent_date" in details:
        details["consent_date"] = body.consent_date
    link = case_services.add_new_person(
        call.user,
        case,
        [NameInput(n.name, n.script.value if n.script else None, n.kind.value) for n in body.names],
        body.role.value,
        **details,
    )
    return CasePersonOut(
        role=text(link.role), **_fields(link.person, True, _private(call, link.person))
    )


class MatchQuery(Input):
    name: str = Field(min_length=2, max_length=NAME_MAX_LEN)


class Match(Output):
    case_id: str
    reference: str
    matched_name: str


class Matches(Output):
    items: list[Match]
    more: bool = Field(
        default=False, description="More cases match than the best ones listed: narrow the name."
    )


def find_matches(user: Any, name: str) -> Matches:
    """People matching ``name`` in the cases ``user`` may read: the one function to point at the
    people-matching service when it exists (the case list's name search until then)."""
    found, more = listing.name_search_page(user, name)
    items = [
        Match(case_id=case.public_id, reference=case.reference, matched_name=matched)
        for case, matched in found
    ]
    return Matches(items=items, more=more)


@operation("POST", "/people/match", summary="Find people by name (POST: names stay out of URLs)",
           tag=TAG, response=Matches, body=MatchQuery)  # fmt: skip
def match_people(call: Call) -> Matches:
    matches = find_matches(call.user, call.body.name)
    record(call.user, "case.name_search", object_type="search", results=len(matches.items))
    return matches
