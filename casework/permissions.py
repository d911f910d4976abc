"""Every permission rule, in one place, deny by default.

Views, the CLI and the API ask these functions; templates only use them to hide buttons.
A case's *team* is its creator and the users assigned to it.

- monitor: the cases whose team they are on;
- lawyer: the cases assigned to them (on the team);
- coordinator: every case, but the identifying data of a *restricted* case only if on its team;
- admin: accounts and the audit trail; no case content unless on a team.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from casework.core.vocab import CaseStatus, Role

if TYPE_CHECKING:
    from casework.accounts.models import User
    from casework.cases.models import Case


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def team_role(user: User, case: Case):
    """The user's TeamRole on the case, or None."""
    for member in case.members:
        if member.user_id == user.id:
            return member.team_role
    return None


def is_on_team(user: User, case: Case) -> bool:
    return _active(user) and team_role(user, case) is not None


def can_view_case(user: User, case: Case) -> bool:
    """May the user know that this case exists and read its non-identifying content?"""
    if not _active(user):
        return False
    if user.role == Role.COORDINATOR:
        return True
    if user.role in (Role.MONITOR, Role.LAWYER, Role.ADMIN):
        return is_on_team(user, case)
    return False


def can_view_identifying(user: User, case: Case) -> bool:
    """Names, contacts, narratives, source identities and documents of the case."""
    if not can_view_case(user, case):
        return False
    if case.restricted:
        return is_on_team(user, case)
    return True


def can_edit_case(user: User, case: Case) -> bool:
    """Edit the case and its people, events, sources and documents."""
    if not can_view_identifying(user, case):
        return False
    if user.role == Role.COORDINATOR:
        return True
    return is_on_team(user, case) and user.role in (Role.MONITOR, Role.LAWYER)


def can_comment(user: User, case: Case) -> bool:
    return can_view_case(user, case) and user.role != Role.ADMIN


def can_hide(user: User, case: Case) -> bool:
    """Hide (never delete) a person, event, source or document of the case."""
    return can_edit_case(user, case)


def can_restore(user: User, case: Case) -> bool:
    """Only a coordinator brings a hidden record back."""
    return can_view_identifying(user, case) and user.role == Role.COORDINATOR


def can_manage_team(user: User, case: Case) -> bool:
    """Assign a lawyer, add or remove team members, mark the case restricted."""
    return _active(user) and user.role == Role.COORDINATOR


def can_create_case(user: User) -> bool:
    return _active(user) and user.role in (Role.MONITOR, Role.LAWYER, Role.COORDINATOR)


# Review workflow: (from, to) -> roles allowed, and whether they must be on the team.
_TRANSITIONS: dict[tuple[CaseStatus, CaseStatus], dict[Role, bool]] = {
    (CaseStatus.DRAFT, CaseStatus.SUBMITTED): {
        Role.MONITOR: True,
        Role.LAWYER: True,
        Role.COORDINATOR: False,
    },
    (CaseStatus.RETURNED, CaseStatus.SUBMITTED): {
        Role.MONITOR: True,
        Role.LAWYER: True,
        Role.COORDINATOR: False,
    },
    (CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW): {Role.LAWYER: True, Role.COORDINATOR: False},
    (CaseStatus.SUBMITTED, CaseStatus.RETURNED): {Role.LAWYER: True, Role.COORDINATOR: False},
    (CaseStatus.IN_REVIEW, CaseStatus.RETURNED): {Role.LAWYER: True, Role.COORDINATOR: False},
    (CaseStatus.IN_REVIEW, CaseStatus.VERIFIED): {Role.LAWYER: True, Role.COORDINATOR: False},
    (CaseStatus.VERIFIED, CaseStatus.IN_REVIEW): {Role.LAWYER: True, Role.COORDINATOR: False},
    (CaseStatus.VERIFIED, CaseStatus.CLOSED): {Role.COORDINATOR: False},
    (CaseStatus.CLOSED, CaseStatus.IN_REVIEW): {Role.COORDINATOR: False},
}


def workflow_targets(status: CaseStatus) -> list[CaseStatus]:
    """Statuses reachable from ``status`` by someone."""
    return [to for (frm, to) in _TRANSITIONS if frm == status]


def can_transition(user: User, case: Case, to: CaseStatus) -> bool:
    """May the user move the case from its current status to ``to``?"""
    if not can_view_case(user, case):
        return False
    rule = _TRANSITIONS.get((case.status, to))
    if rule is None or user.role not in rule:
        return False
    return is_on_team(user, case) if rule[user.role] else True


def can_edit_legal_links(user: User, case: Case) -> bool:
    """Add or change case-provision assessments: lawyers on the team and coordinators."""
    if not can_view_case(user, case):
        return False
    if user.role == Role.COORDINATOR:
        return True
    return user.role == Role.LAWYER and is_on_team(user, case)


def can_suggest_legal_link(user: User, case: Case) -> bool:
    """Monitors on the team may suggest a provision; a lawyer turns it into an assessment."""
    return can_edit_legal_links(user, case) or (
        user.role == Role.MONITOR and is_on_team(user, case)
    )


def can_manage_catalogue(user: User) -> bool:
    """Add, edit and retire instruments and provisions."""
    return _active(user) and user.role in (Role.LAWYER, Role.COORDINATOR)


def can_view_catalogue(user: User) -> bool:
    return _active(user)


def can_manage_advocacy(user: User, case: Case | None = None) -> bool:
    """Create and update advocacy actions (for ``case``, or thematic when None)."""
    if not _active(user):
        return False
    if user.role == Role.COORDINATOR:
        return True
    return case is not None and user.role == Role.LAWYER and is_on_team(user, case)


def can_view_advocacy(user: User) -> bool:
    return _active(user) and user.role in (Role.LAWYER, Role.COORDINATOR)


def can_manage_upr(user: User) -> bool:
    return _active(user) and user.role == Role.COORDINATOR


def can_manage_accounts(user: User) -> bool:
    return _active(user) and user.role == Role.ADMIN


def can_view_audit(user: User) -> bool:
    return _active(user) and user.role == Role.ADMIN


def visible_cases_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause over ``Case`` that keeps exactly the cases ``can_view_case`` allows."""
    from casework.cases.models import Case, CaseMember

    if not _active(user):
        return false()
    if user.role == Role.COORDINATOR:
        return true()
    if user.role in (Role.MONITOR, Role.LAWYER, Role.ADMIN):
        return exists(
            select(CaseMember.id).where(
                CaseMember.case_id == Case.id, CaseMember.user_id == user.id
            )
        )
    return false()


# --- people: matching, merging, import ---


def visible_people_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause over ``Person``: people the user may see with their identifying data.

    A person is visible through a non-hidden link to a case whose identifying data the user
    may see (``can_view_identifying``); hidden (or merged-away) people are never visible.
    """
    from casework.cases.models import Case, CaseMember, CasePerson
    from casework.people.models import Person

    if not _active(user):
        return false()
    on_team = exists(
        select(CaseMember.id).where(CaseMember.case_id == Case.id, CaseMember.user_id == user.id)
    )
    if user.role == Role.COORDINATOR:
        case_ok = or_(Case.restricted.is_(False), on_team)
    elif user.role in (Role.MONITOR, Role.LAWYER, Role.ADMIN):
        case_ok = on_team
    else:
        return false()
    return Person.hidden_at.is_(None) & exists(
        select(CasePerson.id)
        .join(Case, Case.id == CasePerson.case_id)
        .where(CasePerson.person_id == Person.id, CasePerson.hidden_at.is_(None), case_ok)
    )


def can_merge_people(user: User, cases: list[Case]) -> bool:
    """Merge (or unmerge) two people: a lawyer or coordinator who may edit every case of both."""
    if not _active(user) or user.role not in (Role.LAWYER, Role.COORDINATOR):
        return False
    return bool(cases) and all(can_edit_case(user, case) for case in cases)


def can_import_cases(user: User) -> bool:
    """Import cases from a spreadsheet: coordinators."""
    return _active(user) and user.role == Role.COORDINATOR
