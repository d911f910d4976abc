"""What each statistic counts, on the smallest case that tells the wrong count from the right one
(``test_statistics_recount`` checks every statistic against a recount of a varied archive)."""

from __future__ import annotations

from datetime import date

from casework.advocacy import services as advocacy
from casework.core.db import db
from casework.core.types import PartialDate
from casework.core.vocab import ActionOutcome, ActionStatus, ActionType, CaseStatus, Role
from casework.reports.statistics import Filters, statistics
from tests.factories import make_case, make_user


def _table(user, key):
    return {t.key: t for t in statistics(user, Filters())}[key].rows


def _verified_case(coordinator):
    return make_case(coordinator, status=CaseStatus.VERIFIED, act_date=PartialDate(2011, 6))


def _action(coordinator, case, action_type, status, outcome=ActionOutcome.PENDING, **dates):
    advocacy.create_action(
        coordinator,
        advocacy.ActionData(
            action_type=action_type,
            title="Action",
            status=status,
            outcome=outcome,
            case_references=[case.reference],
            **dates,
        ),
    )


def test_a_response_rate_counts_only_the_actions_sent(app):
    """An appeal still being drafted was not sent: no one could answer it, so it is not among the
    actions whose answers the rate counts (as an interim-measures request being drafted is no
    request)."""
    coordinator = make_user(Role.COORDINATOR)
    case = _verified_case(coordinator)
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.PLANNED)
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.DRAFTING)
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.SUBMITTED,
            submitted_on=date(2011, 6, 20))  # fmt: skip
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.RESPONSE_RECEIVED,
            ActionOutcome.STATE_REPLIED, submitted_on=date(2011, 6, 20),
            response_on=date(2011, 7, 20))  # fmt: skip
    _action(coordinator, case, ActionType.NATIONAL_LETTER, ActionStatus.DRAFTING)
    db.session.commit()
    assert _table(coordinator, "advocacy") == [["Urgent appeal", 2, 1, "50%"]]
