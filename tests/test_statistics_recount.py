"""The statistics, counted a second way: in Python, from the records, by the definitions the
statistics give of themselves (their titles and docstrings), for every filter the page offers and
for readers of different reach. Coordinators quote these numbers to UN bodies."""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from typing import Any

import pytest

from casework import permissions
from casework.advocacy import services as advocacy
from casework.advocacy.compliance import interim_measures_breach, is_grant
from casework.advocacy.models import AdvocacyAction, TargetBody
from casework.cases import services as cases
from casework.cases.events import add_event
from casework.cases.models import Case, CasePerson, Event
from casework.core import countries
from casework.core.db import db
from casework.core.hiding import hide
from casework.core.types import PartialDate
from casework.core.vocab import (
    ActionOutcome,
    ActionStatus,
    ActionType,
    ActType,
    Assessment,
    CaseRole,
    CaseStatus,
    EventType,
    LinkState,
    Role,
    Situation,
    TeamRole,
)
from casework.legal import services as legal
from casework.legal.models import CaseProvision, Instrument, Provision
from casework.people import services as people
from casework.people.merging import merge_people
from casework.people.models import Person
from casework.people.services import NameInput
from casework.reports.statistics import Filters, Hidden, publish, statistics
from tests.clients import client_for
from tests.factories import make_case, make_user

AFTER_RETURN = (
    EventType.AFTER_RETURN_DETENTION,
    EventType.AFTER_RETURN_TRIAL,
    EventType.AFTER_RETURN_SENTENCE,
    EventType.TORTURE_ALLEGATION,
    EventType.DISAPPEARANCE,
    EventType.DEATH,
    EventType.RELEASE,
    EventType.RESETTLEMENT,
)
NOT_SENT = (ActionStatus.PLANNED, ActionStatus.DRAFTING)
NOT_RECORDED = "Not recorded"
OTHER = "Other (small groups combined)"


@dataclass
class World:
    coordinator: Any  # reads every case but a restricted one of another team
    off_coordinator: Any  # on no team
    lawyer: Any  # on some teams
    monitor: Any  # on other teams
    cases: dict[str, Case] = field(default_factory=dict)


def _person(actor, name, nationality=None, ethnicity=None):
    return people.create_person(
        actor,
        [NameInput(name, None, "as_given")],
        nationality=nationality,
        ethnicity=ethnicity,
        consent="named",
        consent_date=date(2024, 3, 1),
    )


def _action(actor, cases_, action_type, status, outcome=ActionOutcome.PENDING, **dates):
    return advocacy.create_action(
        actor,
        advocacy.ActionData(
            action_type=action_type,
            title=f"{action_type.value} {status.value}",
            status=status,
            outcome=outcome,
            case_references=[c.reference for c in cases_],
            **dates,
        ),
    )


def build() -> World:
    coordinator = make_user(Role.COORDINATOR)
    off_coordinator = make_user(Role.COORDINATOR)
    lawyer = make_user(Role.LAWYER)
    monitor = make_user(Role.MONITOR)
    other = make_user(Role.MONITOR)
    world = World(coordinator, off_coordinator, lawyer, monitor)
    w = world.cases

    def case(key, creator=monitor, team=(), **values):
        values.setdefault("status", CaseStatus.DRAFT)  # set at the end (edits send it back)
        w[key] = make_case(creator, team=team, **values)
        return w[key]

    law = ((lawyer, TeamRole.LAWYER),)
    # Act dates of every precision around a period starting 2011-06-15.
    case(
        "y2011",
        act_date=PartialDate(2011),
        act_type=ActType.EXTRADITION,
        destination_country="UZ",
        current_situation=Situation.REMOVED,
        team=law,
    )
    case(
        "m2011_06",
        act_date=PartialDate(2011, 6),
        act_date_approximate=True,
        act_type=ActType.EXTRADITION,
        destination_country="UZ",
        current_situation=Situation.DETAINED,
    )
    case(
        "d2011_06_14",
        act_date=PartialDate(2011, 6, 14),
        act_type=ActType.DEPORTATION,
        destination_country="CN",
        current_situation=Situation.REMOVED,
        team=law,
    )
    case(
        "d2011_06_15",
        act_date=PartialDate(2011, 6, 15),
        act_type=ActType.ABDUCTION,
        destination_country="TJ",
        current_situation=Situation.DISAPPEARED,
    )
    case(
        "m2012_01",
        act_date=PartialDate(2012, 1),
        act_type=None,
        destination_country=None,
        current_situation=Situation.UNKNOWN,
        team=law,
    )
    case(
        "y2010",
        act_date=PartialDate(2010),
        act_type=ActType.FORCIBLE_RETURN,
        destination_country="UZ",
        current_situation=Situation.AT_LIBERTY,
    )
    case(
        "undated",
        act_date=None,
        act_type=ActType.ATTEMPTED_REMOVAL,
        destination_country="KG",
        current_situation=Situation.AT_LIBERTY,
    )
    case(
        "no_people",
        act_date=PartialDate(2013, 3, 2),
        act_type=ActType.EXPULSION,
        destination_country="UZ",
        current_situation=Situation.RESETTLED,
        team=law,
    )
    case(
        "closed",
        act_date=PartialDate(2011, 9),
        act_type=ActType.EXTRADITION,
        destination_country="UZ",
        current_situation=Situation.REMOVED,
    )
    case(
        "submitted",
        act_date=PartialDate(2011, 7, 1),
        act_type=ActType.DEPORTATION,
        destination_country="TM",
        current_situation=Situation.DETAINED,
    )
    case(
        "draft",
        act_date=PartialDate(2011, 8),
        act_type=ActType.EXTRADITION,
        destination_country="UZ",
        current_situation=Situation.DETAINED,
    )
    case(
        "discarded",
        act_date=PartialDate(2011, 8),
        act_type=ActType.EXTRADITION,
        destination_country="UZ",
        current_situation=Situation.DETAINED,
    )
    case(
        "duplicate",
        act_date=PartialDate(2011, 6, 20),
        act_type=ActType.DEPORTATION,
        destination_country="CN",
        current_situation=Situation.REMOVED,
    )
    # Restricted: one with the coordinator on its team, one of another team (the lawyer's).
    case(
        "restricted_mine",
        act_date=PartialDate(2011, 10),
        act_type=ActType.ABDUCTION,
        destination_country="CN",
        current_situation=Situation.REMOVED,
        team=((coordinator, TeamRole.MEMBER),),
        restricted=True,
    )
    case(
        "restricted_off",
        creator=other,
        act_date=PartialDate(2011, 11),
        act_type=ActType.ABDUCTION,
        destination_country="CN",
        current_situation=Situation.REMOVED,
        team=law,
        restricted=True,
    )
    # fmt: skip

    # People: several per case, of different nationalities and ethnicities, some in two cases.
    p = {
        "uz1": _person(coordinator, "Person One", "UZ", "Uzbek"),
        "uz2": _person(coordinator, "Person Two", "UZ", "Tajik"),
        "cn1": _person(coordinator, "Person Three", "CN", "Uyghur"),
        "kz1": _person(coordinator, "Person Four", "KZ", "Uyghur"),
        "none": _person(coordinator, "Person Five"),  # nothing recorded
        "tj1": _person(coordinator, "Person Six", "TJ", "Tajik"),
        "twin_a": _person(coordinator, "Person Seven", "UZ", "Uzbek"),
        "twin_b": _person(coordinator, "Person Seven Again", "UZ", "Uzbek"),
        "hidden": _person(coordinator, "Person Eight", "AF", "Hazara"),
        "restricted": _person(lawyer, "Person Nine", "CN", "Kazakh"),
    }
    add = cases.add_person_to_case
    add(coordinator, w["y2011"], p["uz1"], "at_risk")
    add(coordinator, w["y2011"], p["uz2"], "at_risk")
    add(coordinator, w["y2011"], p["none"], "family")  # not at risk here
    add(coordinator, w["m2011_06"], p["uz1"], "at_risk")  # the same person in a second case
    add(coordinator, w["m2011_06"], p["cn1"], "witness")
    add(coordinator, w["d2011_06_14"], p["cn1"], "at_risk")
    add(coordinator, w["d2011_06_15"], p["tj1"], "at_risk")
    add(coordinator, w["d2011_06_15"], p["none"], "at_risk")
    add(coordinator, w["m2012_01"], p["kz1"], "at_risk")
    add(coordinator, w["y2010"], p["twin_a"], "at_risk")
    add(coordinator, w["undated"], p["twin_b"], "at_risk")
    add(coordinator, w["closed"], p["uz2"], "at_risk")
    add(coordinator, w["submitted"], p["kz1"], "at_risk")
    add(coordinator, w["draft"], p["tj1"], "at_risk")
    add(coordinator, w["discarded"], p["hidden"], "at_risk")
    add(coordinator, w["duplicate"], p["hidden"], "at_risk")
    add(coordinator, w["restricted_mine"], p["cn1"], "at_risk")
    link = add(coordinator, w["m2011_06"], p["hidden"], "at_risk")
    hide(link, coordinator, "Added to the wrong case", case=w["m2011_06"])
    w["restricted_off"].restricted = False  # the lawyer's edit is checked on an open case
    add(lawyer, w["restricted_off"], p["restricted"], "at_risk")
    w["restricted_off"].restricted = True
    # The same person recorded twice, merged: one person, in both cases.
    merge_people(coordinator, p["twin_a"], p["twin_b"])
    # An Uyghur whose relatives are at risk if they are identified (not published by ethnicity).
    p["cn1"].family_at_risk = True

    # Events: outcomes after return (one hidden, one twice), interim measures and removals.
    def event(key, event_type, when=None, hidden=False, actor=coordinator):
        data = {"event_type": event_type.value}
        if when:
            data["date"] = when
        e = add_event(actor, w[key], data)
        if hidden:
            hide(e, coordinator, "Recorded in error", case=w[key])
        return e

    event("y2011", EventType.AFTER_RETURN_DETENTION, "2011-08")
    event("y2011", EventType.AFTER_RETURN_DETENTION, "2011-09")  # twice: one case
    event("y2011", EventType.AFTER_RETURN_SENTENCE, "2012")
    event("d2011_06_14", EventType.TORTURE_ALLEGATION, "2011-07")
    event("d2011_06_14", EventType.DEATH, hidden=True)
    event("closed", EventType.AFTER_RETURN_TRIAL, "2012-02")
    event("restricted_mine", EventType.DISAPPEARANCE)
    event("duplicate", EventType.DEATH)
    event("restricted_off", EventType.AFTER_RETURN_DETENTION, actor=lawyer)

    # Interim measures.
    # y2011: granted (event, by month) then removed the same month, later: a breach.
    event("y2011", EventType.INTERIM_MEASURES_REQUEST, "2011-05-02")
    event("y2011", EventType.INTERIM_MEASURES_GRANTED, "2011-06")
    event("y2011", EventType.REMOVAL, "2011-06-09")
    # d2011_06_14: removed before the grant (the removal dated to the day before): no breach.
    event("d2011_06_14", EventType.REMOVAL, "2011-06-14")
    event("d2011_06_14", EventType.INTERIM_MEASURES_GRANTED, "2011-06-15")
    # closed: granted by an action's answer; a hidden removal after it, the situation says
    # removed and a visible removal before it: no breach.
    event("closed", EventType.REMOVAL, "2011-09-01")
    event("closed", EventType.REMOVAL, "2011-12-01", hidden=True)
    # restricted_mine: granted, situation removed, no removal event: a breach.
    event("restricted_mine", EventType.INTERIM_MEASURES_GRANTED)
    # m2011_06: requested only (an event), then a hidden grant.
    event("m2011_06", EventType.INTERIM_MEASURES_REQUEST, "2011-06")
    event("m2011_06", EventType.INTERIM_MEASURES_GRANTED, "2011-07", hidden=True)
    # d2011_06_15: a request action still being drafted: not requested yet.
    # m2012_01: a request action sent; undated removal; no grant.
    event("m2012_01", EventType.REMOVAL)

    body = TargetBody(name="Committee against Torture", short_name="CAT")
    db.session.add(body)
    db.session.flush()
    _action(
        coordinator, [w["d2011_06_15"]], ActionType.INTERIM_MEASURES_REQUEST, ActionStatus.DRAFTING
    )
    _action(
        coordinator,
        [w["m2012_01"]],
        ActionType.INTERIM_MEASURES_REQUEST,
        ActionStatus.SUBMITTED,
        submitted_on=date(2012, 1, 10),
    )
    _action(
        coordinator,
        [w["closed"]],
        ActionType.TREATY_BODY_COMPLAINT,
        ActionStatus.RESPONSE_RECEIVED,
        ActionOutcome.INTERIM_MEASURES_GRANTED,
        submitted_on=date(2011, 8, 1),
        response_on=date(2011, 10, 3),
    )
    # Advocacy of every status and outcome, some on several cases, one thematic.
    _action(
        coordinator,
        [w["y2011"], w["m2011_06"]],
        ActionType.URGENT_APPEAL,
        ActionStatus.SUBMITTED,
        submitted_on=date(2011, 6, 1),
    )
    _action(
        coordinator,
        [w["y2011"]],
        ActionType.URGENT_APPEAL,
        ActionStatus.RESPONSE_RECEIVED,
        ActionOutcome.STATE_REPLIED,
        submitted_on=date(2011, 6, 1),
        response_on=date(2011, 7, 1),
    )
    _action(coordinator, [w["d2011_06_14"]], ActionType.URGENT_APPEAL, ActionStatus.PLANNED)
    # Closed unsent: straight from planning, and created closed (neither sent nor requested).
    abandoned = _action(
        coordinator, [w["y2010"]], ActionType.INTERIM_MEASURES_REQUEST, ActionStatus.PLANNED
    )
    advocacy.change_status(coordinator, abandoned, ActionStatus.CLOSED, abandoned.version)
    _action(coordinator, [w["d2011_06_14"]], ActionType.URGENT_APPEAL, ActionStatus.CLOSED)
    _action(coordinator, [w["d2011_06_14"]], ActionType.URGENT_APPEAL, ActionStatus.DRAFTING)
    _action(
        coordinator,
        [w["d2011_06_14"]],
        ActionType.URGENT_APPEAL,
        ActionStatus.CLOSED,
        ActionOutcome.NO_REPLY,
        submitted_on=date(2011, 6, 20),
    )
    _action(
        coordinator,
        [w["d2011_06_15"]],
        ActionType.ALLEGATION_LETTER,
        ActionStatus.ACKNOWLEDGED,
        submitted_on=date(2011, 7, 1),
    )
    _action(
        coordinator,
        [w["d2011_06_15"]],
        ActionType.ALLEGATION_LETTER,
        ActionStatus.CLOSED,
        ActionOutcome.STATE_REPLIED,
        submitted_on=date(2011, 7, 1),
    )
    # Existing data: a reply's date on an intervention left "submitted" (the forms now ask for
    # the status of a reply with its date).
    _action(
        coordinator,
        [w["m2011_06"]],
        ActionType.UNHCR_INTERVENTION,
        ActionStatus.SUBMITTED,
        ActionOutcome.OTHER,
        submitted_on=date(2011, 6, 3),
    ).response_on = date(2011, 6, 30)
    _action(
        coordinator,
        [w["draft"]],
        ActionType.NATIONAL_LETTER,
        ActionStatus.SUBMITTED,
        submitted_on=date(2011, 8, 3),
    )
    _action(
        coordinator,
        [w["restricted_mine"], w["y2010"]],
        ActionType.NATIONAL_LETTER,
        ActionStatus.RESPONSE_RECEIVED,
        ActionOutcome.STATE_REPLIED,
        submitted_on=date(2011, 10, 3),
        response_on=date(2011, 11, 3),
    )
    _action(
        lawyer,
        [w["restricted_off"]],
        ActionType.NATIONAL_LETTER,
        ActionStatus.SUBMITTED,
        submitted_on=date(2011, 11, 3),
    )
    _action(
        coordinator,
        [],
        ActionType.UPR_SUBMISSION,
        ActionStatus.SUBMITTED,
        submitted_on=date(2011, 3, 1),
    )
    # restricted_mine's grant: a CED urgent action that obtained them (undated answer).
    _action(
        coordinator,
        [w["restricted_mine"]],
        ActionType.CED_URGENT_ACTION,
        ActionStatus.ACKNOWLEDGED,
        ActionOutcome.INTERIM_MEASURES_GRANTED,
        submitted_on=date(2011, 10, 5),
    )
    # fmt: skip

    # Legal grounds: assessed and suggested, hidden, the same provision twice on one case.
    instrument = Instrument(
        code="TSTR", title="Test convention", instrument_type="treaty", direction="protective"
    )
    db.session.add(instrument)
    db.session.flush()
    provisions = {}
    for i in range(1, 13):
        provisions[i] = Provision(instrument_id=instrument.id, code=f"TSTR:{i}", title=f"Art {i}")
        db.session.add(provisions[i])
    db.session.flush()

    def link(key, n, assessment=Assessment.VIOLATED, actor=coordinator):
        return legal.add_link(actor, w[key], provision=provisions[n], assessment=assessment)

    link("y2011", 3)
    link("m2011_06", 3)
    link("d2011_06_14", 3)
    link("y2011", 7)
    link("y2011", 9, Assessment.AT_RISK)
    hide(link("m2011_06", 7), coordinator, "Not this article", case=w["m2011_06"])
    legal.suggest_link(monitor, w["m2011_06"], provision=provisions[9],
                       assessment=Assessment.VIOLATED)  # fmt: skip
    legal.suggest_link(monitor, w["d2011_06_15"], provision=provisions[1],
                       assessment=Assessment.VIOLATED)  # fmt: skip
    for n in range(1, 13):  # more provisions than the table shows
        if n not in (3, 7, 9):
            link("closed", n)
    link("restricted_mine", 7)
    link("duplicate", 3)
    link("restricted_off", 3, actor=lawyer)

    # Statuses as reviewed; then a draft discarded and a case closed as a duplicate.
    for key, c in w.items():
        c.status = {
            "submitted": CaseStatus.SUBMITTED,
            "draft": CaseStatus.DRAFT,
            "discarded": CaseStatus.DRAFT,
            "closed": CaseStatus.CLOSED,
        }.get(key, CaseStatus.VERIFIED)
    db.session.flush()
    cases.discard_draft(coordinator, w["discarded"], "Recorded by mistake")
    w["duplicate"].status = CaseStatus.SUBMITTED
    cases.mark_duplicate(coordinator, w["duplicate"], w["d2011_06_14"], "Same removal")
    db.session.commit()
    return world


# --- the second count ---------------------------------------------------------------------------


def _counted_cases(user, filters: Filters) -> list[Case]:
    """The cases counted, by the policy's per-case answer and the filters read as dates."""
    kept = []
    for c in db.session.scalars(db.select(Case)):
        if not permissions.can_view_identifying(user, c):
            continue
        if c.status not in filters.statuses or c.hidden_at or c.duplicate_of_id:
            continue
        d = c.act_date
        if filters.year_from is not None and (d is None or d.year < filters.year_from):
            continue
        if filters.year_to is not None and (d is None or d.year > filters.year_to):
            continue
        if filters.date_from is not None and (d is None or d.latest() < filters.date_from):
            continue
        if filters.date_to is not None and (d is None or d.earliest() > filters.date_to):
            continue
        kept.append(c)
    return kept


def _tally(values) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def _country(code):
    return countries.local_name(code, "en") if code else NOT_RECORDED


def _visible_events(c: Case) -> list[Event]:
    return [e for e in c.events if e.hidden_at is None]


def _actions(c: Case) -> list[AdvocacyAction]:
    return advocacy.case_actions(c)


def answered(a: AdvocacyAction) -> bool:
    """A reply came: its date, the status saying so, or an outcome that is a reply ("other"
    says nothing of one)."""
    return (
        a.response_on is not None
        or a.status == ActionStatus.RESPONSE_RECEIVED
        or a.outcome not in (ActionOutcome.PENDING, ActionOutcome.NO_REPLY, ActionOutcome.OTHER)
    )


def sent(a: AdvocacyAction) -> bool:
    """Sent: submitted, acknowledged or answered; a closed action only once it was submitted
    (its submission date) or answered (closed from planning or drafting, it never left)."""
    if a.status in NOT_SENT:
        return False
    if a.status == ActionStatus.CLOSED:
        return a.submitted_on is not None or answered(a)
    return True


def expected(user, filters: Filters) -> dict[str, dict[str, list[Any]]]:
    counted = _counted_cases(user, filters)
    out: dict[str, dict[str, list[Any]]] = {}

    def year(c):
        return f"{c.act_date.year:04d}" if c.act_date else None

    out["year"] = {k or NOT_RECORDED: [n] for k, n in _tally(year(c) for c in counted).items()}
    out["year_act"] = {
        f"{y or 'Unknown year'} · {t.label if t else NOT_RECORDED}": [n]
        for (y, t), n in _tally((year(c), c.act_type) for c in counted).items()
    }
    out["destination"] = {
        _country(k): [n] for k, n in _tally(c.destination_country for c in counted).items()
    }
    out["situation"] = {
        (k.label if k else NOT_RECORDED): [n]
        for k, n in _tally(c.current_situation for c in counted).items()
    }
    # People at risk, each once however many of the counted cases they are in.
    at_risk: dict[int, Person] = {}
    for c in counted:
        for cp in db.session.scalars(db.select(CasePerson).filter_by(case_id=c.id)):
            if cp.role == CaseRole.AT_RISK and cp.hidden_at is None:
                at_risk[cp.person_id] = db.session.get(Person, cp.person_id)
    out["nationality"] = {
        _country(k): [n] for k, n in _tally(p.nationality for p in at_risk.values()).items()
    }
    out["ethnicity"] = {
        (k or NOT_RECORDED): [n] for k, n in _tally(p.ethnicity for p in at_risk.values()).items()
    }
    # Published: a person whose relatives are at risk is in a row of their own.
    out["ethnicity_public"] = {
        (k or NOT_RECORDED): [n]
        for k, n in _tally(p.ethnicity for p in at_risk.values() if not p.family_at_risk).items()
    }
    flagged = sum(p.family_at_risk for p in at_risk.values())
    if flagged:
        out["ethnicity_public"]["Not published (relatives at risk)"] = [flagged]
    out["after_return"] = {
        t.label: [n]
        for t, n in _tally(
            t for c in counted for t in {e.event_type for e in _visible_events(c)}
            if t in AFTER_RETURN
        ).items()
    }  # fmt: skip
    provisions: dict[str, int] = {}
    for c in counted:
        codes = {
            f"{cp.provision.code} {cp.provision.title}"
            for cp in db.session.scalars(db.select(CaseProvision).filter_by(case_id=c.id))
            if cp.hidden_at is None
            and cp.state == LinkState.ASSESSED
            and cp.assessment == Assessment.VIOLATED
        }
        for code in codes:
            provisions[code] = provisions.get(code, 0) + 1
    top = sorted(provisions.items(), key=lambda kv: (-kv[1], kv[0]))
    out["provisions"] = {k: [n] for k, n in top[:10]}
    actions = {a.id: a for c in counted for a in _actions(c) if sent(a)}
    by_type: dict[ActionType, list[AdvocacyAction]] = {}
    for a in actions.values():
        by_type.setdefault(a.action_type, []).append(a)
    out["advocacy"] = {}
    for t, group in by_type.items():
        n, a = len(group), sum(answered(x) for x in group)
        out["advocacy"][t.label] = [n, a, f"{round(100 * a / n)}%"]
    requested = granted = removed = 0
    for c in counted:
        events = _visible_events(c)
        acts = _actions(c)
        grant = any(e.event_type == EventType.INTERIM_MEASURES_GRANTED for e in events) or any(
            is_grant(a) for a in acts
        )
        request = (
            grant  # measures granted were requested, whoever recorded the request
            or any(e.event_type == EventType.INTERIM_MEASURES_REQUEST for e in events)
            or any(a.action_type == ActionType.INTERIM_MEASURES_REQUEST and sent(a) for a in acts)
        )
        requested += request
        granted += grant
        removed += grant and interim_measures_breach(c) is not None
    out["interim_measures"] = {
        "Requested": [requested],
        "Granted": [granted],
        "Granted, yet the person was removed": [removed],
    }
    return out


def _as_dicts(tables) -> dict[str, dict[str, list[Any]]]:
    out = {}
    for t in tables:
        labels = [str(r[0]) for r in t.rows]
        assert len(labels) == len(set(labels)), (t.key, labels)  # each label once
        out[t.key] = {str(r[0]): list(r[1:]) for r in t.rows}
    # The interim-measures table always has its three rows; the others only what is counted.
    return out


STATUS_CHOICES = (
    (CaseStatus.VERIFIED,),
    (CaseStatus.VERIFIED, CaseStatus.CLOSED),
    (CaseStatus.DRAFT,),
    (CaseStatus.SUBMITTED, CaseStatus.VERIFIED),
    tuple(CaseStatus),
)
YEARS = ((None, None), (2011, None), (None, 2011), (2011, 2011), (2011, 2012), (2012, 2010))
PERIODS = (
    (None, None),
    (date(2011, 6, 15), None),
    (None, date(2011, 6, 15)),
    (date(2011, 6, 15), date(2011, 12, 31)),
    (date(2011, 6, 14), date(2011, 6, 14)),
)


@pytest.fixture
def world(app):
    return build()


def _check(user, filters):
    tables = statistics(user, filters)
    got = _as_dicts(tables)
    want = expected(user, filters)
    public = want.pop("ethnicity_public")
    for key, rows in want.items():
        assert got[key] == rows, (key, filters)
    (ethnicity,) = [t for t in tables if t.key == "ethnicity"]
    assert {str(r[0]): r[1:] for r in ethnicity.public_rows} == public, filters


def _check_published(user, filters, below):
    """Published, no count from 1 to ``below`` less one shows, no row says anything but its
    exact count, and no hidden count is the difference of shown ones: a partition's rows (and a
    year's acts) still add up to what they count, the small ones in one row of ``below`` or
    more, or in the table's only row."""
    exact = {t.key: t for t in statistics(user, filters)}
    for table in (publish(t, below) for t in exact.values()):
        source = exact[table.key]
        rows = {str(r[0]): r[1:] for r in (source.public_rows or source.rows)}
        for label, *cells in table.rows:
            for cell in cells:
                assert not (isinstance(cell, int) and 0 < cell < below), (table.key, label)
                if isinstance(cell, Hidden):
                    assert str(cell) == f"<{below}"
            if label in rows:  # a row of its own: its exact counts, or hidden
                for cell, count in zip(cells, rows[label], strict=True):
                    hidden = isinstance(cell, Hidden) or cell == "–"
                    assert cell == count or hidden, (table.key, label, cell, count)
        if not table.partition:
            continue
        combined = [r for r in table.rows if str(r[0]) not in rows]
        if table.key == "year_act":
            # The years combined as the year table combines them (a small year's acts add up
            # to it, which the total less the other years gives); each year it shows, its acts
            # add up to it.
            published_years = {str(r[0]): r[1] for r in publish(exact["year"], below).rows}
            years = _as_dicts([exact["year"]])["year"]
            for year, (n,) in years.items():
                label = "Unknown year" if year == NOT_RECORDED else year
                shown = [r for r in table.rows if str(r[0]).startswith(f"{label} · ")]
                if year in published_years:
                    _adds_up(shown, n, below, table.key)
                else:
                    assert not shown, (table.key, year)
            others = [r[1] for r in table.rows if str(r[0]) == OTHER]
            assert others == [published_years[y] for y in published_years if y == OTHER]
        else:
            _adds_up(table.rows, sum(int(r[1]) for r in exact[table.key].rows), below, table.key)
        assert len(combined) <= (len(exact["year"].rows) if table.key == "year_act" else 1)


def _adds_up(rows, total, below, key):
    hidden = [r for r in rows if isinstance(r[1], Hidden)]
    if hidden:  # everything in one row, fewer than ``below``
        assert len(rows) == 1 and total < below, (key, rows)
    else:
        assert sum(r[1] for r in rows) == total, (key, rows)


def test_published_statistics_hide_small_counts_for_every_filter_and_reader(world):
    readers = (world.coordinator, world.off_coordinator, world.lawyer, world.monitor)
    for user, below in itertools.product(readers, (5, 2, 3)):
        for statuses in STATUS_CHOICES:
            for year_from, year_to in YEARS:
                _check_published(user, Filters(statuses, year_from, year_to), below)
        for date_from, date_to in PERIODS:
            _check_published(user, Filters(date_from=date_from, date_to=date_to), below)


def test_statistics_match_a_recount_for_every_filter_and_reader(world):
    readers = (world.coordinator, world.off_coordinator, world.lawyer, world.monitor)
    for user in readers:
        for statuses in STATUS_CHOICES:
            for year_from, year_to in YEARS:
                _check(user, Filters(statuses, year_from, year_to))
        for statuses, (date_from, date_to) in itertools.product(STATUS_CHOICES[:2], PERIODS):
            _check(user, Filters(statuses, date_from=date_from, date_to=date_to))


def test_the_readers_see_only_their_cases(world):
    """The world is what it means to be: each reader counts a different set of cases."""
    every = tuple(CaseStatus)
    counts = {
        u.id: sum(r[0] for r in _as_dicts(statistics(u, Filters(every)))["year"].values())
        for u in (world.coordinator, world.off_coordinator, world.lawyer, world.monitor)
    }
    assert counts[world.coordinator.id] == 12  # all but the discarded, duplicate, restricted
    assert counts[world.off_coordinator.id] == 11  # nor the coordinator's restricted case
    assert counts[world.lawyer.id] == 5  # their four teams' cases and a restricted one
    assert counts[world.monitor.id] == 12  # the cases they created (the restricted one too)


def test_the_page_and_its_csv_give_the_same_numbers(app, world, monkeypatch):
    """The CSV leaves the organisation: it gives the page's view for publication."""
    from casework.reports import statistics as stats

    # The filters below are nested on purpose: no earlier download refuses the next here
    # (``test_two_publications_of_a_table_cannot_be_subtracted_to_reveal_a_small_group``).
    monkeypatch.setattr(stats, "PUBLICATIONS_COMPARED", 0)
    client = client_for(app, world.coordinator)
    for query in ("", "status=verified&status=closed&from=2011&to=2011", "status=draft"):
        page = client.get(f"/reports/statistics?published=1&{query}").get_data(as_text=True)
        bodies = re.findall(r"<tbody>(.*?)</tbody>", page, re.S)
        shown = [
            [
                [unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
                for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
            ]
            for body in bodies
        ]
        keys = re.findall(r"/reports/statistics/([a-z_]+)\.csv", page)
        assert len(keys) == len(shown)
        for key, rows in zip(keys, shown, strict=True):
            response = client.get(f"/reports/statistics/{key}.csv?{query}")
            body = response.get_data().decode("utf-8-sig")
            assert list(csv.reader(io.StringIO(body)))[1:] == rows, (key, query)


def test_the_world_holds_the_cases_that_tell_counts_apart(world):
    """The recount is only as good as the world: a few numbers it must give, by hand."""
    got = _as_dicts(statistics(world.coordinator, Filters()))
    # Seven people at risk: one in two cases and two records of one person (merged) count
    # once, a link hidden from a case and people at risk only in uncounted cases not at all.
    assert got["nationality"] == {
        "Uzbekistan": [3], "China": [1], "Tajikistan": [1], "Kazakhstan": [1],
        NOT_RECORDED: [1],
    }  # fmt: skip
    assert got["year"] == {"2010": [1], "2011": [5], "2012": [1], "2013": [1], NOT_RECORDED: [1]}
    assert got["situation"]["Unknown"] == [1]  # recorded as unknown, the default
    assert got["after_return"] == {
        "Detention after return": [1],
        "Sentence after return": [1],
        "Torture or ill-treatment allegation": [1],
        "Disappearance": [1],
    }
    assert got["interim_measures"] == {
        "Requested": [5],  # two known only from their grant; none from one closed unsent
        "Granted": [3],
        "Granted, yet the person was removed": [2],
    }
    assert got["provisions"] == {"TSTR:3 Art 3": [3], "TSTR:7 Art 7": [2]}
    # From June 15: a case dated "2011" or "2011-06" may fall in it, one of June 14 may not.
    period = _as_dicts(statistics(world.coordinator, Filters(date_from=date(2011, 6, 15))))
    assert period["year"] == {"2011": [4], "2012": [1], "2013": [1]}


def test_a_reply_taken_back_is_not_counted_as_answered(world):
    """The step back from "response received" took back the reply's date but kept what the reply
    said: an action whose reply was "The State replied" still counted as answered, with no reply
    left on it. What the reply said goes with it (kept on the audit trail), and the statistics
    recount the same: answered is a response recorded, by the one rule."""
    every = Filters(tuple(CaseStatus))
    replied = db.session.scalars(
        db.select(AdvocacyAction)
        .where(AdvocacyAction.status == ActionStatus.RESPONSE_RECEIVED)
        .order_by(AdvocacyAction.id)
    ).all()
    outcomes = {a.id: a.outcome for a in replied}
    assert ActionOutcome.STATE_REPLIED in outcomes.values()
    before = _as_dicts(statistics(world.coordinator, every))["advocacy"]
    for action in replied:
        advocacy.change_status(world.coordinator, action, ActionStatus.ACKNOWLEDGED, action.version)
    db.session.commit()
    for action in replied:
        assert not answered(action), action.outcome
        entry = advocacy.status_history(action)[-1]
        assert entry.details["outcome_cleared"] == outcomes[action.id].value
    for user in (world.coordinator, world.off_coordinator, world.lawyer, world.monitor):
        _check(user, every)
    after = _as_dicts(statistics(world.coordinator, every))["advocacy"]
    assert sum(row[1] for row in after.values()) < sum(row[1] for row in before.values())
