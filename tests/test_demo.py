"""`flask demo load`: fictional data and one account per role, refused where it does not belong."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casework import demo
from casework.accounts.models import User
from casework.advocacy.models import UPRRecommendation
from casework.cases.models import Case
from casework.core.db import db
from casework.core.errors import ValidationFailed
from tests import factories


def test_demo_fills_every_screen_and_each_account_logs_in(app):
    accounts = demo.load_demo()
    assert sorted(a.role for a in accounts) == ["admin", "coordinator", "lawyer", "monitor"]
    statuses = set(db.session.scalars(select(Case.status)))
    assert {"draft", "submitted", "in_review", "returned", "verified"} <= {str(s) for s in statuses}
    cycles = {r.cycle.review_date.year for r in db.session.scalars(select(UPRRecommendation))}
    assert cycles == {2010, 2014, 2019, 2025}
    reference = db.session.scalar(select(Case.reference).where(Case.status == "verified"))
    for account in accounts:
        user = db.session.scalar(select(User).where(User.email == account.email))
        client = app.test_client()
        factories.log_in(client, user, account.password)
        page = client.get("/cases")
        assert page.status_code == 200
        assert reference in page.get_data(as_text=True) or account.role == "admin"


def test_demo_refuses_a_database_in_use(app, make_user):
    make_user()
    with pytest.raises(ValidationFailed, match="already holds"):
        demo.load_demo()
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_demo_refused_in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    with pytest.raises(ValidationFailed, match="production"):
        demo.load_demo()
    with pytest.raises(ValidationFailed, match="production"):
        demo.current_code("monitor@" + demo.DEMO_DOMAIN)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_code_only_for_demo_accounts(app, make_user):
    demo.load_demo()
    assert demo.current_code("monitor@" + demo.DEMO_DOMAIN).isdigit()
    real = make_user(email="real@example.org")
    with pytest.raises(ValidationFailed, match="Not a demo account"):
        demo.current_code(real.email)


def test_demo_cases_record_the_authorisation_and_other_procedures(app):
    """The demo shows what a treaty body asks of the representation on some cases: a written
    authorisation with its date, one that cannot be obtained with the reason, another
    procedure the matter went to; others still have nothing recorded, as real cases do."""
    from casework.core.vocab import Authorisation, OtherProcedure

    demo.load_demo()
    cases = list(db.session.scalars(select(Case)))
    recorded = [c for c in cases if c.authorisation != Authorisation.NOT_RECORDED]
    assert {Authorisation.WRITTEN, Authorisation.CANNOT_BE_OBTAINED} <= {
        c.authorisation for c in recorded
    }
    assert any(c.authorisation == Authorisation.NOT_RECORDED for c in cases)
    for case in recorded:
        if case.authorisation == Authorisation.CANNOT_BE_OBTAINED:
            assert case.authorisation_note and case.authorised_on is None
        else:
            assert case.authorised_on and case.authorised_by
        assert "demo" in (case.authorised_by or case.authorisation_note)
    elsewhere = [c for c in cases if c.other_procedures == OtherProcedure.PENDING]
    assert elsewhere and all("demo" in c.other_procedures_details for c in elsewhere)
    assert any(c.other_procedures == OtherProcedure.NONE for c in cases)
    # Recording them leaves the verified case verified.
    assert "verified" in {str(c.status) for c in cases}
