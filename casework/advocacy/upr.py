"""UPR recommendations: catalogue per cycle, links to cases and actions, implementation view."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from casework.advocacy.models import AdvocacyAction, UPRRecommendation
from casework.audit.services import changed_fields, record
from casework.cases.loaders import get_case_by_reference
from casework.cases.models import Case
from casework.core.db import db
from casework.core.errors import NotVisible, PermissionDenied, ValidationFailed, check_version
from casework.core.vocab import UPRResponse
from casework.permissions import can_manage_upr, can_view_action, can_view_identifying

NUMBER_RE = re.compile(r"^\d{1,4}(\.\d{1,4}){0,3}$")
NUMBER_MAX_LEN = 20
STATE_MAX_LEN = 100
THEMES_MAX_LEN = 500
MAX_CYCLE = 20


@dataclass
class RecommendationData:
    cycle: int
    number: str
    recommending_state: str
    text: str
    response: UPRResponse = UPRResponse.PENDING
    response_date: date | None = None
    themes: str | None = None


def normalise_themes(text: str | None) -> str | None:
    """'torture, refoulement | detention' -> 'torture; refoulement; detention'."""
    if not text:
        return None
    parts = [p.strip() for p in re.split(r"[;,|]", text) if p.strip()]
    return "; ".join(dict.fromkeys(parts)) or None


def validate(data: RecommendationData) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Cleaned values and errors by field name (the CSV import reuses it per row)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    try:
        cycle = int(data.cycle)
    except (TypeError, ValueError):
        cycle = 0
    if not 1 <= cycle <= MAX_CYCLE:
        errors["cycle"] = [f"Give the cycle as a whole number from 1 to {MAX_CYCLE}."]
    values["cycle"] = cycle
    number = (data.number or "").strip()
    if not number:
        errors["number"] = ["A recommendation number such as 139.24 is required."]
    elif len(number) > NUMBER_MAX_LEN or not NUMBER_RE.match(number):
        errors["number"] = ["Write the number as in the report, for example 139.24."]
    values["number"] = number
    state = (data.recommending_state or "").strip()
    if not state:
        errors["recommending_state"] = ["The recommending State is required."]
    elif len(state) > STATE_MAX_LEN:
        errors["recommending_state"] = [f"At most {STATE_MAX_LEN} characters."]
    values["recommending_state"] = state
    text = (data.text or "").strip()
    if not text:
        errors["text"] = ["The text of the recommendation is required."]
    values["text"] = text
    response = UPRResponse.parse(str(data.response)) if data.response else UPRResponse.PENDING
    if response is None:
        errors["response"] = ["Use supported, noted or pending."]
    values["response"] = response
    values["response_date"] = data.response_date
    themes = normalise_themes(data.themes)
    if themes and len(themes) > THEMES_MAX_LEN:
        errors["themes"] = [f"At most {THEMES_MAX_LEN} characters."]
    values["themes"] = themes
    return values, errors


def _require_manage(actor: Any) -> None:
    if not can_manage_upr(actor):
        raise PermissionDenied()


def find(cycle: int, number: str) -> UPRRecommendation | None:
    return db.session.scalar(
        select(UPRRecommendation).where(
            UPRRecommendation.cycle == cycle, UPRRecommendation.number == number
        )
    )


def get_recommendation(public_id: str) -> UPRRecommendation | None:
    return db.session.scalar(
        select(UPRRecommendation).where(UPRRecommendation.public_id == public_id)
    )


def create_recommendation(actor: Any, data: RecommendationData) -> UPRRecommendation:
    """Add a recommendation; (cycle, number) is unique."""
    _require_manage(actor)
    values, errors = validate(data)
    if not errors and find(values["cycle"], values["number"]) is not None:
        errors["number"] = ["This cycle already has a recommendation with this number."]
    if errors:
        raise ValidationFailed(errors)
    rec = UPRRecommendation(**values)
    db.session.add(rec)
    db.session.flush()
    record(actor, "upr.recommendation_created", rec, cycle=rec.cycle, number=rec.number)
    return rec


def update_recommendation(
    actor: Any, rec: UPRRecommendation, data: RecommendationData, expected_version: Any
) -> UPRRecommendation:
    """Edit a recommendation; StaleEdit if it changed since the form was loaded."""
    _require_manage(actor)
    check_version(rec, expected_version, data.__dict__)
    values, errors = validate(data)
    other = find(values["cycle"], values["number"]) if not errors else None
    if other is not None and other.id != rec.id:
        errors["number"] = ["This cycle already has a recommendation with this number."]
    if errors:
        raise ValidationFailed(errors)
    changed = changed_fields(rec, values)
    for key, value in values.items():
        setattr(rec, key, value)
    db.session.flush()
    if changed:
        record(actor, "upr.recommendation_updated", rec, fields=changed)
    return rec


def link_case(actor: Any, rec: UPRRecommendation, reference: str) -> Case:
    """Link a case (one the actor may see) as evidence about the recommendation."""
    _require_manage(actor)
    case = get_case_by_reference(reference or "")
    if case is None or not can_view_identifying(actor, case):
        raise ValidationFailed({"reference": ["No case you may see has this reference."]})
    if case not in rec.cases:
        rec.cases.append(case)
        db.session.flush()
        record(actor, "upr.case_linked", rec, case=case)
    return case


def unlink_case(actor: Any, rec: UPRRecommendation, case: Case) -> None:
    _require_manage(actor)
    if case in rec.cases:
        rec.cases.remove(case)
        db.session.flush()
        record(actor, "upr.case_unlinked", rec, case=case)


def link_action(actor: Any, rec: UPRRecommendation, action: AdvocacyAction) -> None:
    """Link an advocacy action (one the actor may see) to the recommendation."""
    _require_manage(actor)
    if not can_view_action(actor, action):
        raise NotVisible()
    if rec not in action.recommendations:
        action.recommendations.append(rec)
        db.session.flush()
        record(actor, "upr.action_linked", rec, advocacy_action=action.public_id)


def unlink_action(actor: Any, rec: UPRRecommendation, action: AdvocacyAction) -> None:
    _require_manage(actor)
    if rec in action.recommendations:
        action.recommendations.remove(rec)
        db.session.flush()
        record(actor, "upr.action_unlinked", rec, advocacy_action=action.public_id)


@dataclass
class CycleSummary:
    cycle: int
    total: int
    supported: int
    noted: int
    pending: int


def cycles() -> list[CycleSummary]:
    """Every cycle with its recommendation counts, newest first."""
    query = (
        select(UPRRecommendation.cycle, UPRRecommendation.response, func.count())
        .group_by(UPRRecommendation.cycle, UPRRecommendation.response)
        .order_by(UPRRecommendation.cycle.desc())
    )
    result: dict[int, CycleSummary] = {}
    for cycle, response, count in db.session.execute(query):
        summary = result.setdefault(cycle, CycleSummary(cycle, 0, 0, 0, 0))
        summary.total += count
        if response == UPRResponse.SUPPORTED:
            summary.supported += count
        elif response == UPRResponse.NOTED:
            summary.noted += count
        else:
            summary.pending += count
    return sorted(result.values(), key=lambda s: -s.cycle)


def _number_key(rec: UPRRecommendation) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in rec.number.split("."))


def occurred_after_support(rec: UPRRecommendation, case: Case) -> bool:
    """Did the case's act happen after the State supported the recommendation?

    A partial act date counts only if its earliest possible day is after the response date.
    """
    if rec.response != UPRResponse.SUPPORTED or rec.response_date is None:
        return False
    return case.act_date is not None and case.act_date.earliest() > rec.response_date


@dataclass
class RecommendationRow:
    rec: UPRRecommendation
    cases: list[Case]
    after_support: int
    actions: int


def cycle_view(user: Any, cycle: int) -> list[RecommendationRow]:
    """The cycle's recommendations with the cases the user may see, and how many came after
    the State supported the recommendation (evidence of non-implementation)."""
    recs = list(
        db.session.scalars(select(UPRRecommendation).where(UPRRecommendation.cycle == cycle))
    )
    rows = []
    for rec in sorted(recs, key=_number_key):
        cases = [c for c in rec.cases if can_view_identifying(user, c)]
        rows.append(
            RecommendationRow(
                rec=rec,
                cases=cases,
                after_support=sum(occurred_after_support(rec, c) for c in cases),
                actions=sum(1 for a in rec.actions if can_view_action(user, a)),
            )
        )
    return rows


def set_cycle_response_date(actor: Any, cycle: int, when: date) -> int:
    """Set the State's response date on the cycle's recommendations that have none."""
    _require_manage(actor)
    recs = db.session.scalars(
        select(UPRRecommendation).where(
            UPRRecommendation.cycle == cycle, UPRRecommendation.response_date.is_(None)
        )
    ).all()
    for rec in recs:
        rec.response_date = when
    db.session.flush()
    if recs:
        record(
            actor,
            "upr.response_date_set",
            object_type="upr_cycle",
            object_id=str(cycle),
            count=len(recs),
        )
    return len(recs)
