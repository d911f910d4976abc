"""Factories: build valid objects in one call, overriding only what a test cares about."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import urlsplit

import pyotp
from sqlalchemy import update

from casework.accounts import services as accounts
from casework.accounts import totp
from casework.accounts.models import User
from casework.cases.models import Case, CaseMember
from casework.core.db import db, utcnow
from casework.core.vocab import Role, TeamRole

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def make_user(
    role: Role | str = Role.MONITOR, *, second_factor: bool = True, **kwargs: Any
) -> User:
    """An account; with ``second_factor`` (the default) its authenticator is already enrolled."""
    n = next(_seq)
    user = accounts.create_user(
        kwargs.pop("email", f"user{n}@example.org"),
        kwargs.pop("password", PASSWORD),
        role,
        kwargs.pop("display_name", f"{Role(role).label} {n}"),
    )
    if second_factor:
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = utcnow()
    for key, value in kwargs.items():
        setattr(user, key, value)
    db.session.commit()
    return user


def totp_code(user: User) -> str:
    """A code the app would accept now for ``user``: the current step if unused, else the next
    one (inside the drift window). If both were used, the replay guard is wound back, as if
    half a minute had passed, so that tests may log the same user in many times."""
    # The whole row, fresh: the seed is encrypted at rest and decrypts only on an entity load.
    fresh = db.session.scalars(
        db.select(User).where(User.id == user.id).execution_options(populate_existing=True)
    ).one()
    secret, last = fresh.totp_secret, fresh.totp_last_step
    now = totp.current_step()
    last = -1 if last is None else last
    if last >= now + totp.DRIFT_STEPS:
        db.session.execute(update(User).where(User.id == user.id).values(totp_last_step=now - 1))
        db.session.commit()
        last = now - 1
    step = max(now, last + 1)
    return pyotp.TOTP(secret).generate_otp(step)


def log_in(client: Any, user: User, password: str = PASSWORD, next: str | None = None) -> Any:
    """Log ``client`` in through the whole flow (password, then code) and check it worked."""
    url = "/login" + (f"?next={next}" if next else "")
    response = client.post(url, data={"email": user.email, "password": password})
    assert response.status_code == 302, "login refused: " + response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert urlsplit(location).path == "/login/code", location
    response = client.post(location, data={"code": totp_code(user)})
    assert response.status_code == 302, "code refused: " + response.get_data(as_text=True)[:500]
    assert not urlsplit(response.headers["Location"]).path.startswith("/login")
    return client


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
