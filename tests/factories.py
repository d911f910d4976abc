"""Factories: build valid objects in one call, overriding only what a test cares about."""

from __future__ import annotations

import itertools
from typing import Any

from casework.accounts import services as accounts
from casework.accounts.models import User
from casework.cases.models import Case, CaseMember
from casework.core.db import db
from casework.core.vocab import Role, TeamRole

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def make_user(role: Role | str = Role.MONITOR, **kwargs: Any) -> User:
    n = next(_seq)
    user = accounts.create_user(
        kwargs.pop("email", f"user{n}@example.org"),
        kwargs.pop("password", PASSWORD),
        role,
        kwargs.pop("display_name", f"{Role(role).label} {n}"),
    )
    for key, value in kwargs.items():
        setattr(user, key, value)
    db.session.commit()
    return user


def make_case(
    creator: User, *, team: tuple[tuple[User, TeamRole], ...] = (), **kwargs: Any
) -> Case:
    """A bare case created directly (intake services build richer ones)."""
    n = next(_seq)
    case = Case(reference=kwargs.pop("reference", f"KZ-2011-{n:04d}"), created_by_id=creator.id)
    for key, value in kwargs.items():
        setattr(case, key, value)
    case.members.append(CaseMember(user_id=creator.id, team_role=TeamRole.CREATOR))
    for user, role in team:
        case.members.append(CaseMember(user_id=user.id, team_role=role))
    db.session.add(case)
    db.session.commit()
    return case
