"""What each user's dashboard shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from casework.cases.listing import LISTED
from casework.cases.models import Case
from casework.core.db import db
from casework.core.hooks import dashboard_sections
from casework.core.sealing import open_selected
from casework.core.vocab import ActType, CaseStatus, Urgency
from casework.permissions import readable_case_ids, visible_cases_clause


@dataclass(slots=True)
class ListedCase:
    """What the table of the user's cases shows of a case (``LISTED``), read as columns, not
    as an object: its title opened only where the user may read it."""

    id: int
    public_id: str
    reference: str
    title: Any  # sealed as read; its text, or None where withheld
    status: CaseStatus
    urgency: Urgency
    restricted: bool
    act_type: ActType | None
    act_date: Any
    act_date_approximate: bool
    destination_country: str | None
    updated_at: datetime


@dataclass
class Dashboard:
    cases: list[ListedCase] = field(default_factory=list)
    sections: list[Any] = field(default_factory=list)
    readable: frozenset[int] = frozenset()  # the cases whose identifying data the user may read


def dashboard_for(user: Any, limit: int = 20) -> Dashboard:
    """The user's cases (newest activity first) and the sections other areas register."""
    query = (
        select(Case.id, *LISTED)
        .where(visible_cases_clause(user), Case.hidden_at.is_(None))  # not discarded drafts
        .order_by(Case.updated_at.desc())
        .limit(limit)
    )
    cases = [ListedCase(*row) for row in db.session.execute(query)]
    sections = dashboard_sections(user)
    # Which rows may show their title: the policy asked once for all of them.
    readable = readable_case_ids(user, [case.id for case in cases])
    for case in cases:
        readable_title = case.id in readable and case.title is not None
        case.title = (
            open_selected(db.session, Case.title, case.id, case.title) if readable_title else None
        )
    return Dashboard(cases=cases, sections=sections, readable=readable)
