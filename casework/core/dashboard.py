"""What each user's dashboard shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import load_only, selectinload

from casework.cases.listing import LISTED
from casework.cases.models import Case
from casework.core.db import db
from casework.core.hooks import dashboard_sections
from casework.permissions import visible_cases_clause


@dataclass
class Dashboard:
    cases: list[Any] = field(default_factory=list)
    sections: list[Any] = field(default_factory=list)


def dashboard_for(user: Any, limit: int = 20) -> Dashboard:
    """The user's cases (newest activity first) and the sections other areas register."""
    query = (
        select(Case)
        .where(visible_cases_clause(user), Case.hidden_at.is_(None))  # not discarded drafts
        # The team, which the policy reads for each row, in one query for all of them.
        .options(selectinload(Case.members), load_only(*LISTED))
        .order_by(Case.updated_at.desc())
        .limit(limit)
    )
    return Dashboard(cases=list(db.session.scalars(query)), sections=dashboard_sections(user))
