"""What the UPR document reads: the cases of its period and what it says of them, not the rest
of the archive, nor what it does not say."""

from __future__ import annotations

from datetime import date

from casework.advocacy import upr as recommendations
from casework.advocacy.models import UPRCycle
from casework.core.db import db
from casework.core.types import PartialDate
from casework.core.vocab import CaseStatus, Role
from casework.reports import upr
from tests.case_helpers import decrypted_columns
from tests.factories import make_case, make_user

PERIOD = upr.Period(date(2021, 1, 1), date(2021, 12, 31))


def _case(coordinator, reference: str, act_date: str):
    return make_case(
        coordinator,
        reference=reference,
        act_date=act_date,
        status=CaseStatus.VERIFIED,
        title="Internal working title",
        narrative="Detained in Almaty pending extradition.",
    )


def _generated(coordinator) -> tuple[str, list[str]]:
    db.session.expire_all()
    with decrypted_columns() as opened:
        text = upr.generate_text(coordinator, PERIOD, joint=False)
    return text, opened


def test_a_recommendation_s_cases_outside_the_period_are_not_read(app):
    """The implementation of a recommendation is judged from the period's cases: the other
    cases linked to it, however many, are neither read nor decrypted, and change nothing."""
    coordinator = make_user(Role.COORDINATOR)
    inside = _case(coordinator, "KZ-2021-0001", "2021-03")
    cycle = UPRCycle(state_under_review="Kazakhstan", number=3, review_date=PartialDate(2019, 11))
    db.session.add(cycle)
    db.session.flush()
    rec = recommendations.create_recommendation(
        coordinator,
        recommendations.RecommendationData(
            cycle=cycle, number="139.24", recommending_state="Germany", text="Respect it."
        ),
    )
    recommendations.link_case(coordinator, rec, inside.reference)
    db.session.commit()
    upr.generate_text(coordinator, PERIOD, joint=False)  # pseudonyms given first
    text, few = _generated(coordinator)
    assert "Recommendation 139.24 (Germany" in text, text
    assert "1 case(s) since (KZ-2021-0001)" in text, text
    for n in range(10):
        outside = _case(coordinator, f"KZ-2015-{n:04d}", "2015-06")
        recommendations.link_case(coordinator, rec, outside.reference)
    db.session.commit()
    again, many = _generated(coordinator)
    assert again == text
    assert sorted(many) == sorted(few), sorted(set(many) - set(few))
