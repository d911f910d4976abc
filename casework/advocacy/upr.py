"""UPR cycles and recommendations: catalogue per cycle, links to cases and actions,
implementation view."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from casework.advocacy.models import AdvocacyAction, UPRCycle, UPRRecommendation
from casework.advocacy.services import latest_possible_day
from casework.audit.services import changed_fields, record
from casework.cases.loaders import get_case_by_reference
from casework.cases.models import Case
from casework.core.db import db
from casework.core.errors import NotVisible, PermissionDenied, ValidationFailed, check_version
from casework.core.i18n import format_partial_date
from casework.core.i18n import gettext as _
from casework.core.types import PartialDate, PartialDateError
from casework.core.vocab import UPRResponse
from casework.permissions import can_manage_upr, can_view_action, can_view_identifying

NUMBER_RE = re.compile(r"^\d{1,4}(\.\d{1,4}){0,3}$")
NUMBER_MAX_LEN = 20
STATE_MAX_LEN = 100
THEMES_MAX_LEN = 500
MAX_CYCLE = 20
SESSION_MAX_LEN = 100
SYMBOL_MAX_LEN = 40
# The State this installation documents: a cycle given by number alone is one of its reviews.
DEFAULT_STATE = "Kazakhstan"

# Kazakhstan's reviews: (number, Working Group session, date of the review, report symbol).
KAZAKHSTAN_CYCLES: tuple[tuple[int, str, str, str | None], ...] = (
    (1, "7th session", "2010-02-12", "A/HRC/14/10"),
    (2, "20th session", "2014-10-30", "A/HRC/28/10"),
    (3, "34th session", "2019-11", None),
    (4, "48th session", "2025-01-23", None),
)


# --- Cycles ------------------------------------------------------------------------------------


def get_cycle(public_id: str | None) -> UPRCycle | None:
    if not public_id:
        return None
    return db.session.scalar(select(UPRCycle).where(UPRCycle.public_id == public_id))


def find_cycle(number: int, state: str = DEFAULT_STATE) -> UPRCycle | None:
    return db.session.scalar(
        select(UPRCycle).where(UPRCycle.state_under_review == state, UPRCycle.number == number)
    )


def list_cycles() -> list[UPRCycle]:
    """Every cycle, by State, newest first."""
    return list(
        db.session.scalars(
            select(UPRCycle).order_by(UPRCycle.state_under_review, UPRCycle.number.desc())
        )
    )


def ensure_cycle(actor: Any, number: int, state: str = DEFAULT_STATE) -> UPRCycle:
    """The State's cycle ``number``, added (number only) if it is not recorded yet."""
    cycle = find_cycle(number, state)
    if cycle is None:
        cycle = UPRCycle(state_under_review=state, number=number)
        db.session.add(cycle)
        db.session.flush()
        record(actor, "upr.cycle_created", cycle, state=state, number=number)
    return cycle


@dataclass
class CycleData:
    state_under_review: str
    number: Any
    wg_session: str | None = None
    review_date: str | None = None
    report_symbol: str | None = None


def _cycle_values(data: CycleData) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    state = (data.state_under_review or "").strip()
    if not state:
        errors["state_under_review"] = [_("The State under review is required.")]
    elif len(state) > STATE_MAX_LEN:
        errors["state_under_review"] = [_("Keep it under %(n)s characters.", n=STATE_MAX_LEN)]
    try:
        number = int(data.number)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= MAX_CYCLE:
        errors["number"] = [_("Give the cycle as a whole number from 1 to %(n)s.", n=MAX_CYCLE)]
    session = (data.wg_session or "").strip() or None
    if session and len(session) > SESSION_MAX_LEN:
        errors["wg_session"] = [_("Keep it under %(n)s characters.", n=SESSION_MAX_LEN)]
    symbol = (data.report_symbol or "").strip() or None
    if symbol and len(symbol) > SYMBOL_MAX_LEN:
        errors["report_symbol"] = [_("Keep it under %(n)s characters.", n=SYMBOL_MAX_LEN)]
    review_date = None
    try:
        review_date = PartialDate.parse(data.review_date)
    except PartialDateError as exc:
        errors["review_date"] = [_(exc.message, **exc.params)]
    if errors:
        raise ValidationFailed(errors)
    return {
        "state_under_review": state,
        "number": number,
        "wg_session": session,
        "review_date": review_date,
        "report_symbol": symbol,
    }


def save_cycle(
    actor: Any, cycle: UPRCycle | None, data: CycleData, expected_version: Any = None
) -> UPRCycle:
    """Add a cycle (``cycle`` None) or correct one; (State, number) is unique."""
    _require_manage(actor)
    if cycle is not None:
        check_version(cycle, expected_version, data.__dict__)
    values = _cycle_values(data)
    other = find_cycle(values["number"], values["state_under_review"])
    if other is not None and other is not cycle:
        raise ValidationFailed({"number": [_("This State already has a cycle with this number.")]})
    if cycle is None:
        cycle = UPRCycle(**values)
        db.session.add(cycle)
        db.session.flush()
        record(actor, "upr.cycle_created", cycle, state=cycle.state_under_review)
        return cycle
    changed = changed_fields(cycle, values)
    for key in changed:
        setattr(cycle, key, values[key])
    db.session.flush()
    if changed:
        record(actor, "upr.cycle_updated", cycle, fields=changed)
    return cycle


def seed_cycles() -> str:
    """Add Kazakhstan's reviews; fill only the facts a recorded cycle still lacks."""
    added = filled = 0
    for number, session, when, symbol in KAZAKHSTAN_CYCLES:
        cycle = find_cycle(number)
        if cycle is None:
            cycle = UPRCycle(state_under_review=DEFAULT_STATE, number=number)
            db.session.add(cycle)
            added += 1
        facts = {
            "wg_session": session,
            "review_date": PartialDate.parse(when),
            "report_symbol": symbol,
        }
        missing = [k for k, v in facts.items() if v is not None and getattr(cycle, k) is None]
        for key in missing:
            setattr(cycle, key, facts[key])
        filled += bool(missing) and cycle.id is not None
    db.session.flush()
    return f"{added} added, {filled} completed"


# --- Recommendations ---------------------------------------------------------------------------


@dataclass
class RecommendationData:
    # A cycle, or the number of one of ``state_under_review``'s cycles (added if missing).
    cycle: UPRCycle | int | None
    number: str
    recommending_state: str
    text: str
    response: UPRResponse = UPRResponse.PENDING
    response_date: date | None = None
    themes: str | None = None
    state_under_review: str = DEFAULT_STATE


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
    if isinstance(data.cycle, UPRCycle):
        values["cycle"] = data.cycle
    elif data.cycle is None:
        errors["cycle"] = [_("Choose the cycle.")]
        values["cycle"] = None
    else:
        try:
            cycle = int(data.cycle)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            cycle = 0
        if not 1 <= cycle <= MAX_CYCLE:
            errors["cycle"] = [_("Give the cycle as a whole number from 1 to %(n)s.", n=MAX_CYCLE)]
        values["cycle"] = cycle
        state = (data.state_under_review or "").strip()
        if not state or len(state) > STATE_MAX_LEN:
            errors["state_under_review"] = [
                _("Name the State under review (at most %(n)s characters).", n=STATE_MAX_LEN)
            ]
        values["state_under_review"] = state
    number = (data.number or "").strip()
    if not number:
        errors["number"] = [_("A recommendation number such as 139.24 is required.")]
    elif len(number) > NUMBER_MAX_LEN or not NUMBER_RE.match(number):
        errors["number"] = [_("Write the number as in the report, for example 139.24.")]
    values["number"] = number
    state = (data.recommending_state or "").strip()
    if not state:
        errors["recommending_state"] = [_("The recommending State is required.")]
    elif len(state) > STATE_MAX_LEN:
        errors["recommending_state"] = [_("Keep it under %(n)s characters.", n=STATE_MAX_LEN)]
    values["recommending_state"] = state
    text = (data.text or "").strip()
    if not text:
        errors["text"] = [_("The text of the recommendation is required.")]
    values["text"] = text
    response = UPRResponse.parse(str(data.response)) if data.response else UPRResponse.PENDING
    if response is None:
        errors["response"] = [_("Use supported, noted or pending.")]
    values["response"] = response
    values["response_date"] = data.response_date
    if data.response_date is not None and "cycle" not in errors:
        cycle = values["cycle"]
        if not isinstance(cycle, UPRCycle):
            cycle = find_cycle(cycle, values.get("state_under_review") or DEFAULT_STATE)
        problem = response_date_error(data.response_date, cycle)
        if problem:
            errors["response_date"] = [problem]
    themes = normalise_themes(data.themes)
    if themes and len(themes) > THEMES_MAX_LEN:
        errors["themes"] = [_("Keep it under %(n)s characters.", n=THEMES_MAX_LEN)]
    values["themes"] = themes
    return values, errors


def response_date_error(when: date, cycle: UPRCycle | None) -> str | None:
    """Why the State cannot have responded on ``when`` to a recommendation of ``cycle`` (it
    responds at or after the review, and not in the future), or None."""
    if when > latest_possible_day():
        return _("The State's response cannot be dated in the future.")
    review = cycle.review_date if cycle is not None else None
    if review is not None and when < review.earliest():
        return _(
            "This date is before the review (%(review)s): the State responds at or after it.",
            review=format_partial_date(review),
        )
    return None


def _require_manage(actor: Any) -> None:
    if not can_manage_upr(actor):
        raise PermissionDenied()


def find(
    cycle: UPRCycle | int | None, number: str, state: str = DEFAULT_STATE
) -> UPRRecommendation | None:
    """The recommendation ``number`` of a cycle (or of the State's cycle with that number)."""
    if not isinstance(cycle, UPRCycle):
        cycle = find_cycle(cycle, state) if cycle else None
    if cycle is None or cycle.id is None:
        return None
    return db.session.scalar(
        select(UPRRecommendation).where(
            UPRRecommendation.cycle_id == cycle.id, UPRRecommendation.number == number
        )
    )


def resolve_cycle(actor: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Validated values with ``cycle`` as a UPRCycle (a number becomes the State's cycle)."""
    state = values.pop("state_under_review", DEFAULT_STATE)
    if not isinstance(values["cycle"], UPRCycle):
        values["cycle"] = ensure_cycle(actor, values["cycle"], state)
    return values


def get_recommendation(public_id: str) -> UPRRecommendation | None:
    return db.session.scalar(
        select(UPRRecommendation).where(UPRRecommendation.public_id == public_id)
    )


def create_recommendation(actor: Any, data: RecommendationData) -> UPRRecommendation:
    """Add a recommendation; (cycle, number) is unique."""
    _require_manage(actor)
    values, errors = validate(data)
    if errors:
        raise ValidationFailed(errors)
    values = resolve_cycle(actor, values)
    if find(values["cycle"], values["number"]) is not None:
        raise ValidationFailed(
            {"number": [_("This cycle already has a recommendation with this number.")]}
        )
    rec = UPRRecommendation(**values)
    db.session.add(rec)
    db.session.flush()
    record(
        actor,
        "upr.recommendation_created",
        rec,
        state=rec.cycle.state_under_review,
        cycle=rec.cycle.number,
        number=rec.number,
    )
    return rec


def update_recommendation(
    actor: Any, rec: UPRRecommendation, data: RecommendationData, expected_version: Any
) -> UPRRecommendation:
    """Edit a recommendation; StaleEdit if it changed since the form was loaded."""
    _require_manage(actor)
    check_version(rec, expected_version, data.__dict__)
    values, errors = validate(data)
    if errors:
        raise ValidationFailed(errors)
    values = resolve_cycle(actor, values)
    other = find(values["cycle"], values["number"])
    if other is not None and other.id != rec.id:
        raise ValidationFailed(
            {"number": [_("This cycle already has a recommendation with this number.")]}
        )
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
        raise ValidationFailed({"reference": [_("No case you may see has this reference.")]})
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
    cycle: UPRCycle
    total: int = 0
    supported: int = 0
    noted: int = 0
    pending: int = 0


def cycles() -> list[CycleSummary]:
    """Every cycle with its recommendation counts, by State, newest first."""
    result = {c.id: CycleSummary(c) for c in list_cycles()}
    query = select(UPRRecommendation.cycle_id, UPRRecommendation.response, func.count()).group_by(
        UPRRecommendation.cycle_id, UPRRecommendation.response
    )
    for cycle_id, response, count in db.session.execute(query):
        summary = result[cycle_id]
        summary.total += count
        if response == UPRResponse.SUPPORTED:
            summary.supported += count
        elif response == UPRResponse.NOTED:
            summary.noted += count
        else:
            summary.pending += count
    return list(result.values())


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


def cycle_view(user: Any, cycle: UPRCycle) -> list[RecommendationRow]:
    """The cycle's recommendations with the cases the user may see, and how many came after
    the State supported the recommendation (evidence of non-implementation)."""
    # The cases and actions, and the teams the policy reads, in a few queries for any number.
    recs = list(
        db.session.scalars(
            select(UPRRecommendation)
            .where(UPRRecommendation.cycle_id == cycle.id)
            # Counted, not shown: of the cases what the policy and the date of the act need,
            # of the actions their cases (their texts, and the cases', stay sealed).
            .options(
                selectinload(UPRRecommendation.cases)
                .load_only(Case.id, Case.restricted, Case.hidden_at, Case.act_date)
                .selectinload(Case.members),
                selectinload(UPRRecommendation.actions)
                .load_only(AdvocacyAction.id)
                .selectinload(AdvocacyAction.cases)
                .load_only(Case.id, Case.restricted, Case.hidden_at)
                .selectinload(Case.members),
            )
        )
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


def set_cycle_response_date(actor: Any, cycle: UPRCycle, when: date) -> int:
    """Set the State's response date on the cycle's recommendations that have none."""
    _require_manage(actor)
    problem = response_date_error(when, cycle)
    if problem:
        raise ValidationFailed({"response_date": [problem]})
    recs = db.session.scalars(
        select(UPRRecommendation).where(
            UPRRecommendation.cycle_id == cycle.id, UPRRecommendation.response_date.is_(None)
        )
    ).all()
    for rec in recs:
        rec.response_date = when
    db.session.flush()
    if recs:
        record(
            actor,
            "upr.response_date_set",
            cycle,
            count=len(recs),
        )
    return len(recs)
