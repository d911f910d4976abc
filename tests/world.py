"""A world for access tests: users of every role in every relation to cases full of records.

Team ``on`` (one user per role) is on the team of an ordinary case and of a restricted case;
team ``off`` (one user per role) is on neither. So every role meets every relation:
``team`` (on, ordinary), ``other`` (off, ordinary), ``restricted_team`` (on, restricted) and
``restricted_off`` (off, restricted). Every free-text field holds a unique canary string, so a
test can prove that what a user may not read appears nowhere they look.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from casework.accounts import second_factor_reset
from casework.advocacy import services as advocacy
from casework.advocacy.models import AdvocacyAction, TargetBody, UPRCycle, UPRRecommendation
from casework.cases import services as cases
from casework.cases.events import add_event
from casework.cases.models import Case, CaseMember, StatusChange
from casework.core.db import db
from casework.core.types import PartialDate
from casework.core.vocab import (
    ActionStatus,
    ActionType,
    ActType,
    Assessment,
    CaseStatus,
    Role,
    SourceKind,
    TeamRole,
    Urgency,
)
from casework.evidence import services as evidence
from casework.legal import precedents
from casework.legal import services as legal
from casework.legal.models import Instrument, Provision
from casework.people import merging
from casework.people import services as people
from casework.people.services import NameInput
from casework.permissions import Relation
from casework.reports.models import ReportDraft
from tests.factories import make_user

ROLES = (Role.MONITOR, Role.LAWYER, Role.COORDINATOR, Role.ADMIN)
_canary_seq = itertools.count(1)


def canary(label: str) -> str:
    """A unique marker that looks like data (letters, so it survives any escaping)."""
    return f"Canary{label.title().replace('_', '')}Zq{next(_canary_seq):04d}"


@dataclass
class CaseWorld:
    """One case with a record of every kind, each free-text field holding a canary."""

    case: Case
    person: Any
    relative: Any
    event: Any
    source: Any
    document: Any
    comment: Any
    link: Any
    suggestion: Any
    precedent: Any
    merge: Any
    remedy: Any
    action: AdvocacyAction
    action_document: Any
    canaries: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    on: dict[Role, Any]
    off: dict[Role, Any]
    ordinary: CaseWorld
    restricted: CaseWorld
    thematic: AdvocacyAction
    thematic_document: Any
    recommendation: UPRRecommendation
    second_factor_reset: Any
    body: TargetBody
    provision: Provision
    instrument: Instrument
    draft: Any = None

    def placement(self, role: Role, relation: Relation) -> tuple[Any, CaseWorld | None]:
        """The user of ``role`` standing in ``relation``, and the case world it concerns."""
        if relation == Relation.THEMATIC:
            return self.on[role], None
        team = self.on if relation in (Relation.TEAM, Relation.RESTRICTED_TEAM) else self.off
        restricted = relation in (Relation.RESTRICTED_TEAM, Relation.RESTRICTED_OFF)
        return team[role], self.restricted if restricted else self.ordinary


def _catalogue() -> tuple[Instrument, Provision]:
    instrument = db.session.scalar(db.select(Instrument).where(Instrument.code == "TST"))
    if instrument is None:
        instrument = Instrument(
            code="TST", title="Test convention", instrument_type="treaty", direction="protective"
        )
        db.session.add(instrument)
        db.session.flush()
        for n in (1, 2):
            db.session.add(
                Provision(instrument_id=instrument.id, code=f"TST:{n}", title=f"Art {n}")
            )
        db.session.flush()
    if db.session.scalar(db.select(Instrument).where(Instrument.code == "TST-1/2020")) is None:
        db.session.add(
            Instrument(
                code="TST-1/2020",
                title="A v Kazakhstan",
                instrument_type="jurisprudence",
                direction="protective",
            )
        )
        db.session.flush()
    provisions = db.session.scalars(
        db.select(Provision)
        .where(Provision.instrument_id == instrument.id)
        .order_by(Provision.code)
    )
    return instrument, *provisions


def build_case(
    on: dict[Role, Any],
    provision: Provision,
    other_provision: Provision,
    body: TargetBody,
    *,
    restricted: bool,
) -> CaseWorld:
    """A case of team ``on`` with a record of every kind, canaries in every free-text field."""
    c: dict[str, str] = {}

    def mark(name: str) -> str:
        c[name] = canary(name)
        return c[name]

    monitor, lawyer, coordinator = on[Role.MONITOR], on[Role.LAWYER], on[Role.COORDINATOR]
    case = Case(
        reference=f"KZ-2011-{next(_canary_seq):04d}",
        created_by_id=monitor.id,
        status=CaseStatus.SUBMITTED,
        urgency=Urgency.IMMINENT,
        act_type=ActType.EXTRADITION,
        act_date=PartialDate(2011, 6),
        destination_country="UZ",
        title=mark("title"),
        external_ref=mark("external_ref"),
        act_place=mark("act_place"),
        act_date_note=mark("act_date_note"),
        narrative=mark("narrative"),
        after_return=mark("after_return"),
        authorised_by=mark("authorised_by"),
        authorisation_note=mark("authorisation_note"),
        other_procedures_details=mark("other_procedures_details"),
    )
    case.members.append(CaseMember(user_id=monitor.id, team_role=TeamRole.CREATOR))
    case.members.append(CaseMember(user_id=lawyer.id, team_role=TeamRole.LAWYER))
    case.members.append(CaseMember(user_id=coordinator.id, team_role=TeamRole.MEMBER))
    case.members.append(CaseMember(user_id=on[Role.ADMIN].id, team_role=TeamRole.MEMBER))
    db.session.add(case)
    db.session.flush()
    db.session.add(
        StatusChange(
            case_id=case.id,
            from_status=CaseStatus.DRAFT,
            to_status=CaseStatus.SUBMITTED,
            comment=mark("status_comment"),
            author_id=monitor.id,
        )
    )
    person = people.create_person(
        monitor,
        [NameInput(mark("name"), None, "as_given"), NameInput(mark("other_name"), None, "alias")],
        nationality="UZ",
        ethnicity=mark("ethnicity"),
        unhcr_number=mark("unhcr_number"),
        contacts=mark("contacts"),
        address=mark("address"),
        notes=mark("person_notes"),
    )
    cases.add_person_to_case(monitor, case, person, "at_risk")
    # A duplicate record of the person, merged into it (the merge can be undone).
    duplicate = people.create_person(monitor, [NameInput(mark("duplicate_name"), None, "alias")])
    cases.add_person_to_case(monitor, case, duplicate, "at_risk")
    db.session.flush()
    merge = merging.merge_people(lawyer, person, duplicate)
    relative = people.create_person(monitor, [NameInput(mark("relative_name"), None, "as_given")])
    cases.add_person_to_case(monitor, case, relative, "family")
    people.add_family_link(monitor, relative, person, "spouse", case=case)
    source = evidence.add_source(
        monitor,
        case,
        {
            "kind": SourceKind.RELATIVE.value,
            "identity": mark("source_identity"),
            "identity_protected": True,
            "how_they_know": mark("how_they_know"),
            "reliability": "B",
            "credibility": "2",
            "notes": mark("source_notes"),
        },
    )
    event = add_event(
        monitor,
        case,
        {
            "event_type": "detention_pending_extradition",
            "date": "2011-06-09",
            "date_note": mark("event_date_note"),
            "place": mark("event_place"),
            "agencies": mark("agency"),
            "description": mark("event_description"),
            "legal_basis": mark("legal_basis"),
        },
    )
    document = evidence.store_document(
        monitor,
        io.BytesIO(f"{mark('document_text')}\n".encode()),
        f"{mark('document_name')}.txt",
        case=case,
        description=mark("document_description"),
    )
    comment = cases.add_comment(monitor, case, mark("comment"))
    link = legal.add_link(
        lawyer,
        case,
        provision=provision,
        assessment=Assessment.AT_RISK,
        analysis=mark("analysis"),
    )
    suggestion = legal.suggest_link(
        monitor, case, provision=other_provision, note=mark("suggestion")
    )
    decision = db.session.scalar(db.select(Instrument).where(Instrument.code == "TST-1/2020"))
    precedent = precedents.cite_precedent(lawyer, case, decision, mark("precedent_note"))
    remedy = legal.add_remedy(
        lawyer,
        case,
        kind="extradition_appeal",
        body=mark("remedy_body"),
        filed_on=date(2011, 6, 20),
        appeal_deadline=date.today() + timedelta(days=3),
        notes=mark("remedy_notes"),
    )
    db.session.flush()
    action = advocacy.create_action(
        coordinator,
        advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title=mark("action_title"),
            target_body_id=body.id,
            description=mark("action_description"),
            status=ActionStatus.SUBMITTED,
            submitted_on=date.today() - timedelta(days=20),
            followup_due=date.today() - timedelta(days=1),
            reference_number=mark("action_reference"),
            response_summary=mark("action_response"),
            responsible_id=lawyer.id,
            case_references=[case.reference],
        ),
    )
    action_document = evidence.store_document(
        coordinator,
        io.BytesIO(f"{mark('action_document_text')}\n".encode()),
        f"{mark('action_document_name')}.txt",
        action=action,
        description=mark("action_document_description"),
    )
    case.restricted = restricted
    db.session.commit()
    return CaseWorld(
        case=case,
        person=person,
        relative=relative,
        event=event,
        source=source,
        document=document,
        comment=comment,
        link=link,
        suggestion=suggestion,
        precedent=precedent,
        merge=merge,
        remedy=remedy,
        action=action,
        action_document=action_document,
        canaries=c,
    )


def build_world(on: dict[Role, Any] | None = None, off: dict[Role, Any] | None = None) -> World:
    """Users of every role on and off two teams, an ordinary and a restricted case.

    Given the users of an earlier world, builds new cases and actions for the same users.
    """
    on = on or {role: make_user(role) for role in ROLES}
    off = off or {role: make_user(role) for role in ROLES}
    instrument, provision, other_provision = _catalogue()
    body = TargetBody(name=f"UN body {next(_canary_seq)}", short_name="UNB")
    db.session.add(body)
    db.session.flush()
    ordinary = build_case(on, provision, other_provision, body, restricted=False)
    restricted = build_case(on, provision, other_provision, body, restricted=True)
    thematic = advocacy.create_action(
        on[Role.COORDINATOR],
        advocacy.ActionData(action_type=ActionType.PRESS_RELEASE, title="Thematic statement"),
    )
    thematic_document = evidence.store_document(
        on[Role.COORDINATOR], io.BytesIO(b"Statement\n"), "statement.txt", action=thematic
    )
    cycle = UPRCycle(state_under_review=f"Kazakhstan {next(_canary_seq)}", number=3)
    db.session.add(cycle)
    db.session.flush()
    recommendation = UPRRecommendation(
        cycle_id=cycle.id,
        number=f"140.{next(_canary_seq)}",
        recommending_state="Norway",
        text="Refrain.",
    )
    recommendation.cases.append(ordinary.case)
    recommendation.cases.append(restricted.case)
    db.session.add(recommendation)
    # A lost second factor half approved (the coordinator's approval; an admin's is awaited).
    waiting = [r for r in second_factor_reset.open_requests() if r.user_id == off[Role.MONITOR].id]
    reset = (
        waiting[0]
        if waiting
        else second_factor_reset.approve(on[Role.COORDINATOR], off[Role.MONITOR])
    )
    draft = ReportDraft(
        title="UPR draft",
        period_from=date(2010, 1, 1),
        period_to=date(2014, 12, 31),
        word_limit=2815,
        body="## Summary\n\nA paragraph.\n",
        created_by_id=on[Role.COORDINATOR].id,
    )
    db.session.add(draft)
    db.session.commit()
    return World(
        on,
        off,
        ordinary,
        restricted,
        thematic,
        thematic_document,
        recommendation,
        reset,
        body,
        provision,
        instrument,
        draft,
    )
