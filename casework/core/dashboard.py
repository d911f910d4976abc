"""What each user's dashboard shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import load_only

from casework.cases.listing import LISTED
from casework.cases.models import Case
from casework.core.db import db
from casework.core.hooks import dashboard_sections
from casework.permissions import readable_case_ids, visible_cases_clause


@dataclass
class Dashboard:
    cases: list[Any] = field(default_factory=list)
    sections: list[Any] = field(default_factory=list)
    readable: frozenset[int] = frozenset()  # the cases whose identifying data the user may read


def dashboard_for(user: Any, limit: int = 20) -> Dashboard:
    """The user's cases (newest activity first) and the sections other areas register."""
    query = (
        select(Case)
        .where(visible_cases_clause(user), Case.hidden_at.is_(None))  # not discarded drafts
        .options(load_only(*LISTED))
        .order_by(Case.updated_at.desc())
        .limit(limit)
    )
    cases = list(db.session.scalars(query))
    return Dashboard(
        cases=cases,
        sections=dashboard_sections(user),
        # Which rows may show their title: the policy asked once for all of them.
        readable=readable_case_ids(user, [case.id for case in cases]),
    )
