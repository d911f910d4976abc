"""Decisions: what was invoked apart from what was found, and cases citing them as precedents."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework import permissions
from casework.audit.models import AuditEntry
from casework.core import hooks
from casework.core.db import db
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.core.vocab import FollowUpStatus, InterimMeasures, Role, TeamRole
from casework.legal import precedents, seeding, services
from casework.legal.models import CasePrecedent
from tests.factories import make_case


@pytest.fixture
def login(client, login):
    def _login(user):
        client.post("/logout")
        return login(user)

    return _login


@pytest.fixture
def people(make_user):
    return {
        "monitor": make_user(Role.MONITOR),
        "lawyer": make_user(Role.LAWYER),
        "coordinator": make_user(Role.COORDINATOR),
        "other_lawyer": make_user(Role.LAWYER),
        "admin": make_user(Role.ADMIN),
    }


@pytest.fixture
def case(people):
    seeding.seed_catalogue()
    db.session.commit()
    return make_case(
        people["monitor"],
        team=((people["lawyer"], TeamRole.LAWYER), (people["admin"], TeamRole.MEMBER)),
    )


def _cite(client, case, code, note=""):
    return client.post(
        f"/cases/{case.public_id}/legal/precedents/new", data={"decision": code, "note": note}
    )


@pytest.mark.parametrize("role", ["lawyer", "coordinator"])
def test_lawyer_on_team_and_coordinator_cite_a_decision(client, login, people, case, role):
    login(people[role])
    form = client.get(f"/cases/{case.public_id}/legal/precedents/new")
    assert form.status_code == 200
    options = form.get_data(as_text=True)
    assert "CAT-444/2010" in options and "CAT:3" not in options
    response = _cite(client, case, "CAT-444/2010", "Same facts: extradition to Uzbekistan.")
    assert response.status_code == 302
    panel = client.get(f"/cases/{case.public_id}/legal/").get_data(as_text=True)
    assert "Precedents cited" in panel and "CAT-444/2010" in panel
    assert "found: Arts 3, 22" in panel and "Same facts" in panel
    page = client.get("/legal/instruments/CAT-444/2010").get_data(as_text=True)
    assert case.reference in page
    assert "Requested and not respected" in page
    db.session.expire_all()
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "legal.precedent_cited")
    )
    assert entry.details == {"code": "CAT-444/2010"} and entry.case_id == case.id


@pytest.mark.parametrize("role", ["monitor", "other_lawyer", "admin"])
def test_others_may_not_cite(client, login, people, case, role):
    login(people[role])
    assert client.get(f"/cases/{case.public_id}/legal/precedents/new").status_code in (403, 404)
    assert _cite(client, case, "CAT-444/2010").status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        precedents.cite_precedent(people[role], case, services.get_instrument("CAT-444/2010"))
    db.session.rollback()
    assert db.session.scalar(select(CasePrecedent.id)) is None


def test_only_decisions_once_each(client, login, people, case):
    login(people["lawyer"])
    assert _cite(client, case, "CAT-444/2010").status_code == 302
    again = _cite(client, case, "CAT-444/2010")
    assert again.status_code == 200
    assert "already cites CAT-444/2010" in again.get_data(as_text=True)
    assert "Not a valid choice" in _cite(client, case, "CAT").get_data(as_text=True)
    with pytest.raises(ValidationFailed):
        precedents.cite_precedent(people["lawyer"], case, services.get_instrument("CAT"))


def test_remove_and_restore_a_precedent(client, login, people, case):
    lawyer, coordinator = people["lawyer"], people["coordinator"]
    precedent = precedents.cite_precedent(lawyer, case, services.get_instrument("HRC-2024/2011"))
    db.session.commit()
    login(lawyer)
    url = f"/cases/{case.public_id}/legal/precedents/{precedent.public_id}"
    assert client.post(url + "/hide", data={"reason": ""}).status_code == 200
    assert client.post(url + "/hide", data={"reason": "Not analogous"}).status_code == 302
    assert client.post(url + "/restore").status_code == 403
    again = _cite(client, case, "HRC-2024/2011")
    assert "a coordinator can restore it" in again.get_data(as_text=True)
    login(coordinator)
    panel = client.get(f"/cases/{case.public_id}/legal/").get_data(as_text=True)
    assert "Removed precedents (1)" in panel and "Not analogous" in panel
    assert client.post(url + "/restore").status_code == 302
    db.session.expire_all()
    assert not db.session.get(CasePrecedent, precedent.id).is_hidden


def test_decision_fields_are_edited_with_the_instrument(client, login, people, case):
    login(people["lawyer"])
    item = services.get_instrument("HRC-2024/2011")
    form = client.get("/legal/instruments/edit/HRC-2024/2011").get_data(as_text=True)
    assert 'value="6, 7, 9"' in form
    response = client.post(
        "/legal/instruments/edit/HRC-2024/2011",
        data={
            "title": item.title,
            "instrument_type": "jurisprudence",
            "direction": "protective",
            "adopted_on": item.adopted_on,
            "kz_status": item.kz_status,
            "kz_date": item.kz_date,
            "summary": item.summary,
            "articles_invoked": "6, 7, 9",
            "articles_found": "7",
            "interim_measures": "not_respected",
            "follow_up_status": "ongoing",
            "version": item.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    item = services.get_instrument("HRC-2024/2011")
    assert item.articles_found == "7"
    assert item.interim_measures == InterimMeasures.NOT_RESPECTED
    assert item.follow_up_status == FollowUpStatus.ONGOING
    page = client.get("/legal/instruments/HRC-2024/2011").get_data(as_text=True)
    assert "Follow-up ongoing" in page and "Articles found violated" in page


def test_precedent_on_the_timeline_and_permission_rule(people, case):
    lawyer = people["lawyer"]
    precedents.cite_precedent(lawyer, case, services.get_instrument("CAT-538/2013"))
    db.session.commit()
    titles = [item.title for item in hooks.timeline_items(case, lawyer)]
    assert "Precedent cited: CAT-538/2013" in titles
    assert permissions.can_cite_precedent(people["coordinator"], case)
    assert not permissions.can_cite_precedent(people["other_lawyer"], case)
    assert not permissions.can_cite_precedent(people["monitor"], case)
    lawyer.is_active_account = False
    assert not permissions.can_cite_precedent(lawyer, case)


def test_a_decisions_citing_cases_are_capped_newest_first_and_readable_only(
    people, case, make_user
):
    from casework.legal.models import Instrument

    decision = db.session.scalar(select(Instrument).where(Instrument.code == "CAT-444/2010"))
    coordinator = people["coordinator"]
    citing = [case]
    for reference in ("KZ-2011-9003", "KZ-2011-9001", "KZ-2011-9002"):
        citing.append(make_case(people["monitor"], reference=reference))
    restricted = make_case(
        people["monitor"],
        reference="KZ-2011-9000",
        restricted=True,
        team=((coordinator, TeamRole.MEMBER),),
    )
    for c in [*citing, restricted]:
        precedents.cite_precedent(coordinator, c, decision)
    db.session.commit()
    reader = make_user(Role.COORDINATOR)  # reads every case but restricted ones off its team

    # The two most recently cited, shown by reference, and a flag that there are more.
    shown, more = precedents.citing_cases(reader, decision, limit=2)
    assert [c.reference for c in shown] == ["KZ-2011-9001", "KZ-2011-9002"] and more
    # A restricted case off the user's team is never listed (nor counted toward the cap).
    everything, more = precedents.citing_cases(reader, decision)
    assert "KZ-2011-9000" not in {c.reference for c in everything} and not more
    assert len(everything) == 4
    # Its team sees it.
    team_view, _ = precedents.citing_cases(people["monitor"], decision)
    assert "KZ-2011-9000" in {c.reference for c in team_view}
