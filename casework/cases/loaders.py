"""Loading a case for a user: the one place that turns 'may not see' into 'does not exist'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from casework.cases.models import Case
from casework.core.db import db
from casework.core.errors import NotVisible, PermissionDenied
from casework.permissions import can_view_case


def get_case(public_id: str) -> Case | None:
    return db.session.scalar(select(Case).where(Case.public_id == public_id))


def get_case_by_reference(reference: str) -> Case | None:
    return db.session.scalar(select(Case).where(Case.reference == reference.strip().upper()))


def load_case(user: Any, public_id: str, need: Callable[[Any, Case], bool] | None = None) -> Case:
    """The case if ``user`` may see it, else NotVisible (a 404: its existence is not revealed).

    ``need`` is a further permission (e.g. ``can_edit_case``); failing it raises
    PermissionDenied (a 403), since the user already knows the case exists.
    """
    case = get_case(public_id)
    if case is None or not can_view_case(user, case):
        raise NotVisible()
    if need is not None and not need(user, case):
        raise PermissionDenied()
    return case
