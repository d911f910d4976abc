"""The event that records a case's act on its timeline, at intake and import: a removal only
when one happened (the interim-measures breach and the statistics count removal events)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.advocacy.compliance import interim_measures_breach
from casework.cases.events import case_events
from casework.cases.models import Case, Event
from casework.core.db import db
from casework.core.types import PartialDate
from casework.core.vocab import EventType, Role
from tests.case_helpers import INTAKE, intake
from tests.clients import client_for
from tests.test_imports import _run


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"current_situation": "removed"}, EventType.REMOVAL),
        ({"urgency": "imminent", "current_situation": "detained"},
         EventType.DETENTION_PENDING_EXTRADITION),
        ({"urgency": "imminent", "current_situation": "at_liberty"}, EventType.REMOVAL_PENDING),
        ({"act_type": "attempted_removal", "current_situation": "at_liberty"},
         EventType.ATTEMPTED_REMOVAL),
        ({"act_type": "detention_pending_removal"}, EventType.DETENTION_PENDING_EXTRADITION),
    ],
)  # fmt: skip
def test_the_act_recorded_at_intake_is_a_removal_only_when_one_happened(
    app, make_user, changes, expected
):
    case = intake(client_for(app, make_user(Role.MONITOR)), **changes)
    assert [e.event_type for e in case_events(case)] == [expected]


def test_interim_measures_granted_before_an_imminent_removal_are_no_breach(app, make_user):
    """A person detained pending extradition, the removal imminent, the date of the act not yet
    known: the Committee grants interim measures. Nobody was removed, so nothing on the case
    file, in the statistics or in a UPR submission may say the State ignored them."""
    case = intake(
        client_for(app, make_user(Role.MONITOR)),
        urgency="imminent",
        current_situation="detained",
        act_date="",
    )
    db.session.add(
        Event(
            case_id=case.id,
            event_type=EventType.INTERIM_MEASURES_GRANTED,
            date=PartialDate.from_date(date.today()),
        )
    )
    db.session.commit()
    db.session.refresh(case)
    assert interim_measures_breach(case) is None
    # Once a removal is recorded after the grant, it is one.
    db.session.add(Event(case_id=case.id, event_type=EventType.REMOVAL, date=None))
    db.session.commit()
    db.session.refresh(case)
    assert interim_measures_breach(case) is not None


def test_an_imported_imminent_case_records_no_removal(app, make_user, tmp_path):
    from casework.legal.seeding import seed_catalogue

    seed_catalogue()
    db.session.commit()
    coordinator = make_user(Role.COORDINATOR)
    content = (
        "case_key,person_name,act_type,act_date,urgency,current_situation\n"
        "K-1,Alisher Kholmatov,extradition,2026-11,imminent,detained\n"
        "K-2,Rustam Karimov,deportation,2019-03,routine,removed\n"
        "K-3,Ershidin Israil,attempted_removal,2018,routine,at_liberty\n"
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    kinds = {
        case.external_ref: [e.event_type for e in case_events(case)]
        for case in db.session.scalars(select(Case))
    }
    assert kinds == {
        "K-1": [EventType.DETENTION_PENDING_EXTRADITION],
        "K-2": [EventType.REMOVAL],
        "K-3": [EventType.ATTEMPTED_REMOVAL],
    }


def test_a_detention_pending_removal_logged_as_routine_is_made_urgent(app, make_user):
    """A person detained pending removal may be removed any day: the case is urgent (and the
    coordinators are told of it) even when a hurried intake left the urgency at routine; the
    monitor is told. An urgency chosen above routine is kept."""
    from casework.core.vocab import Urgency

    client = client_for(app, make_user(Role.MONITOR))
    response = client.post(
        "/cases/new",
        data={**INTAKE, "act_type": "detention_pending_removal", "urgency": "routine"},
        follow_redirects=True,
    )
    assert "Marked urgent: the person is detained pending removal." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Case).order_by(Case.id.desc())).urgency == Urgency.URGENT
    imminent = intake(client, act_type="detention_pending_removal", urgency="imminent")
    assert imminent.urgency == Urgency.IMMINENT
    routine = intake(client, act_type="extradition", urgency="routine", current_situation="removed")
    assert routine.urgency == Urgency.ROUTINE
