"""Truth tables for the permission functions: each role over own, other and restricted cases."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from casework import permissions as p
from casework.cases.models import Case
from casework.core.db import db
from casework.core.vocab import CaseStatus, Role, TeamRole
from tests.factories import make_case, make_user


@pytest.fixture
def world():
    """One user per role on the team of ``own``; nobody but the creator on ``other``."""
    users = {role: make_user(role) for role in Role}
    outsider = make_user(Role.MONITOR)
    team = tuple(
        (users[r], TeamRole.LAWYER if r == Role.LAWYER else TeamRole.MEMBER)
        for r in (Role.LAWYER, Role.COORDINATOR, Role.ADMIN)
    )
    own = make_case(users[Role.MONITOR], team=team)
    other = make_case(outsider)
    restricted_own = make_case(users[Role.MONITOR], team=team, restricted=True)
    restricted_other = make_case(outsider, restricted=True)
    return users, {
        "own": own,
        "other": other,
        "restricted_own": restricted_own,
        "restricted_other": restricted_other,
    }


# role -> case -> (view, identifying, edit)
EXPECTED = {
    Role.MONITOR: {
        "own": (True, True, True),
        "other": (False, False, False),
        "restricted_own": (True, True, True),
        "restricted_other": (False, False, False),
    },
    Role.LAWYER: {
        "own": (True, True, True),
        "other": (False, False, False),
        "restricted_own": (True, True, True),
        "restricted_other": (False, False, False),
    },
    Role.COORDINATOR: {
        "own": (True, True, True),
        "other": (True, True, True),
        "restricted_own": (True, True, True),
        "restricted_other": (True, False, False),
    },
    Role.ADMIN: {
        "own": (True, True, False),
        "other": (False, False, False),
        "restricted_own": (True, True, False),
        "restricted_other": (False, False, False),
    },
}


@pytest.mark.parametrize("role", list(Role))
def test_case_permission_truth_table(world, role):
    users, cases = world
    user = users[role]
    for name, case in cases.items():
        got = (
            p.can_view_case(user, case),
            p.can_view_identifying(user, case),
            p.can_edit_case(user, case),
        )
        assert got == EXPECTED[role][name], (role, name)


@pytest.fixture(params=["from the teams", "case by case"])
def team_lookup(request, monkeypatch):
    """Both forms of "on the case's team" (``FEW_TEAMS``): the cases of a user on few teams
    are found from the teams, those of a user on many by asking each case."""
    if request.param == "case by case":
        monkeypatch.setattr(p, "FEW_TEAMS", 0)
    return request.param


@pytest.mark.parametrize("role", list(Role))
def test_visible_cases_clause_agrees_with_can_view_case(world, role, team_lookup):
    users, cases = world
    user = users[role]
    visible = set(db.session.scalars(select(Case.id).where(p.visible_cases_clause(user))))
    expected = {c.id for c in cases.values() if p.can_view_case(user, c)}
    assert visible == expected
    readable = set(db.session.scalars(select(Case.id).where(p.readable_cases_clause(user))))
    assert readable == {c.id for c in cases.values() if p.can_view_identifying(user, c)}
    sql = str(select(Case.id).where(p.visible_cases_clause(user)))
    if role == Role.MONITOR:  # the form asked for is the one used
        assert ("EXISTS" in sql) == (team_lookup == "case by case"), sql


@pytest.mark.parametrize("role", list(Role))
def test_visible_actions_clause_agrees_with_can_view_action(world, role, team_lookup):
    """The SQL form of the advocacy rule (lists, follow-ups, calendar) and the per-object rule
    agree on a thematic action and on actions over every mix of readable and unreadable cases."""
    from casework.advocacy.models import AdvocacyAction
    from casework.core.vocab import ActionType

    users, cases = world
    mixes = {
        "thematic": [],
        "own": [cases["own"]],
        "other": [cases["other"]],
        "restricted_other": [cases["restricted_other"]],
        "own_and_restricted_other": [cases["own"], cases["restricted_other"]],
        "other_and_restricted_other": [cases["other"], cases["restricted_other"]],
    }
    actions = {
        name: AdvocacyAction(action_type=ActionType.URGENT_APPEAL, title=name, cases=linked)
        for name, linked in mixes.items()
    }
    # Thematic since its only case was taken off; and one whose flag says thematic though a
    # case is linked (a flag out of step with the links must not show it to anyone more).
    actions["emptied"] = AdvocacyAction(
        action_type=ActionType.URGENT_APPEAL, title="emptied", cases=[cases["other"]]
    )
    actions["flagged_but_linked"] = AdvocacyAction(
        action_type=ActionType.URGENT_APPEAL, title="flagged", cases=[cases["other"]]
    )
    db.session.add_all(actions.values())
    db.session.flush()
    actions["emptied"].cases = []
    db.session.flush()
    db.session.execute(
        update(AdvocacyAction)
        .where(AdvocacyAction.id == actions["flagged_but_linked"].id)
        .values(thematic=True)
    )
    assert [a.thematic for a in actions.values()] == [
        True, False, False, False, False, False, True, True
    ]  # fmt: skip
    user = users[role]
    visible = set(
        db.session.scalars(select(AdvocacyAction.id).where(p.visible_actions_clause(user)))
    )
    expected = {a.id for a in actions.values() if p.can_view_action(user, a)}
    assert visible == expected
    seen = {n for n, a in actions.items() if a.id in visible}
    if role == Role.COORDINATOR:  # the rule sees some and not others: the test can tell
        assert seen == set(actions) - {"restricted_other"}
    if role == Role.LAWYER:
        assert seen == {"thematic", "emptied", "own", "own_and_restricted_other"}
        sql = str(select(AdvocacyAction.id).where(p.visible_actions_clause(user)))
        assert ("UNION" in sql) == (team_lookup == "from the teams"), sql


def test_inactive_user_is_denied_everything(world):
    users, cases = world
    coordinator = users[Role.COORDINATOR]
    coordinator.is_active_account = False
    assert not p.can_view_case(coordinator, cases["own"])
    assert not p.can_manage_team(coordinator, cases["own"])
    assert (
        set(db.session.scalars(select(Case.id).where(p.visible_cases_clause(coordinator)))) == set()
    )


def test_anonymous_is_denied():
    from flask_login import AnonymousUserMixin

    anon = AnonymousUserMixin()
    assert not p.can_manage_accounts(anon)
    assert not p.can_create_case(anon)


def test_account_and_audit_permissions(world):
    users, _ = world
    for role, user in users.items():
        assert p.can_manage_accounts(user) == (role == Role.ADMIN)
        assert p.can_view_audit(user) == (role == Role.ADMIN)
        assert p.can_create_case(user) == (role != Role.ADMIN)


def test_team_and_restore_belong_to_coordinators(world):
    users, cases = world
    for role, user in users.items():
        assert p.can_manage_team(user, cases["own"]) == (role == Role.COORDINATOR)
        assert p.can_restore(user, cases["own"]) == (role == Role.COORDINATOR)


def test_workflow_transitions(world):
    users, cases = world
    case = cases["own"]
    monitor, lawyer, coordinator = users[Role.MONITOR], users[Role.LAWYER], users[Role.COORDINATOR]
    assert case.status == CaseStatus.DRAFT
    assert p.can_transition(monitor, case, CaseStatus.SUBMITTED)
    assert not p.can_transition(monitor, case, CaseStatus.VERIFIED)
    case.status = CaseStatus.SUBMITTED
    assert p.can_transition(lawyer, case, CaseStatus.IN_REVIEW)
    assert not p.can_transition(monitor, case, CaseStatus.IN_REVIEW)
    case.status = CaseStatus.IN_REVIEW
    assert p.can_transition(lawyer, case, CaseStatus.VERIFIED)
    assert p.can_transition(lawyer, case, CaseStatus.RETURNED)
    assert not p.can_transition(users[Role.ADMIN], case, CaseStatus.VERIFIED)
    case.status = CaseStatus.VERIFIED
    assert p.can_transition(coordinator, case, CaseStatus.CLOSED)
    assert not p.can_transition(lawyer, case, CaseStatus.CLOSED)
    # A lawyer not on the team cannot review someone else's case.
    stranger = make_user(Role.LAWYER)
    other = cases["other"]
    other.status = CaseStatus.SUBMITTED
    assert not p.can_transition(stranger, other, CaseStatus.IN_REVIEW)


def test_legal_link_permissions(world):
    users, cases = world
    case = cases["own"]
    assert p.can_edit_legal_links(users[Role.LAWYER], case)
    assert p.can_edit_legal_links(users[Role.COORDINATOR], case)
    assert not p.can_edit_legal_links(users[Role.MONITOR], case)
    assert p.can_suggest_legal_link(users[Role.MONITOR], case)
    assert not p.can_edit_legal_links(users[Role.LAWYER], cases["other"])
