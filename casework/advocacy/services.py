"""Advocacy actions and target bodies: visibility, creation, updates, status moves, follow-up.

Services flush and write the audit trail; the caller commits. Audit details carry field names,
codes and statuses only, never names or narratives.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    exists,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import defer, joinedload, load_only, selectinload

from casework.accounts.models import User
from casework.advocacy.models import AdvocacyAction, TargetBody, action_cases
from casework.audit.models import AuditEntry
from casework.audit.services import changed_fields, record
from casework.cases.loaders import get_case_by_reference
from casework.cases.models import Case
from casework.core import keyset
from casework.core.db import among, db
from casework.core.errors import PermissionDenied, ValidationFailed, check_version
from casework.core.hiding import hide, restore
from casework.core.i18n import N_, format_day
from casework.core.i18n import gettext as _
from casework.core.requestmemo import per_request
from casework.core.sealing import open_selected
from casework.core.types import PartialDate
from casework.core.vocab import ActionOutcome, ActionStatus, ActionType
from casework.permissions import (
    action_cases_for,
    can_download_action_document,
    can_edit_action,
    can_hide_action_document,
    can_manage_advocacy,
    can_manage_target_bodies,
    can_read_action_text,
    can_restore_action_document,
    can_view_identifying,
    holders_clause,
    readable_action_texts,
    readable_case_ids,
    visible_actions_clause,
    visible_actions_parts,
)

TITLE_MAX_LEN = 200
REFERENCE_MAX_LEN = 100
BODY_NAME_MAX_LEN = 200
BODY_SHORT_MAX_LEN = 40
UPCOMING_DAYS = 14
# What stands for an action's words where the user may not read every one of its cases.
WITHHELD = N_("Withheld: this action also concerns a case you may not read.")

# Statuses past the reply: the list of open actions leaves them out (``is_due`` says which still
# wait for a follow-up).
CLOSED_STATUSES = (ActionStatus.RESPONSE_RECEIVED, ActionStatus.CLOSED)

# Allowed status moves: forward (skipping steps is fine: a letter may be sent the day it is
# planned), one step back to correct a mistake, closing at any time, reopening a closed action.
STATUS_MOVES: dict[ActionStatus, tuple[ActionStatus, ...]] = {
    ActionStatus.PLANNED: (ActionStatus.DRAFTING, ActionStatus.SUBMITTED, ActionStatus.CLOSED),
    ActionStatus.DRAFTING: (ActionStatus.PLANNED, ActionStatus.SUBMITTED, ActionStatus.CLOSED),
    ActionStatus.SUBMITTED: (
        ActionStatus.DRAFTING,
        ActionStatus.ACKNOWLEDGED,
        ActionStatus.RESPONSE_RECEIVED,
        ActionStatus.CLOSED,
    ),
    ActionStatus.ACKNOWLEDGED: (
        ActionStatus.SUBMITTED,
        ActionStatus.RESPONSE_RECEIVED,
        ActionStatus.CLOSED,
    ),
    ActionStatus.RESPONSE_RECEIVED: (ActionStatus.ACKNOWLEDGED, ActionStatus.CLOSED),
    ActionStatus.CLOSED: (
        ActionStatus.PLANNED,
        ActionStatus.SUBMITTED,
        ActionStatus.ACKNOWLEDGED,
        ActionStatus.RESPONSE_RECEIVED,
    ),
}


# Outcomes only a reply gives (the State replied, interim measures granted, a decision...):
# "pending" and "no reply" say that none came, "other" says nothing of one (existing data holds
# it on interventions only submitted).
REPLY_OUTCOMES = tuple(
    o
    for o in ActionOutcome
    if o not in (ActionOutcome.PENDING, ActionOutcome.NO_REPLY, ActionOutcome.OTHER)
)


def replied_clause() -> ColumnElement[bool]:
    """SQL: a response is recorded on the action: its date, the status "response received", or
    an outcome only a reply gives (dated or not). Closing an action says nothing of a reply.
    The one rule of "answered" (the statistics count by it); taking a reply back
    (``_take_back_reply``, the status step's and the edit form's) takes back all three."""
    return or_(
        AdvocacyAction.response_on.is_not(None),
        AdvocacyAction.status == ActionStatus.RESPONSE_RECEIVED,
        AdvocacyAction.outcome.in_(REPLY_OUTCOMES),
    )


def is_replied(action: AdvocacyAction) -> bool:
    """Does the action hold a reply (``replied_clause``, for one action loaded)? Its response
    summary is the reply's; once the reply is taken back it is a summary of a reply taken back
    (kept: the user's text, which the audit trail does not hold)."""
    return (
        action.response_on is not None
        or action.status == ActionStatus.RESPONSE_RECEIVED
        or action.outcome in REPLY_OUTCOMES
    )


# Statuses of an action sent, whatever came of it (a closed one may or may not have been).
SENT_STATUSES = (ActionStatus.SUBMITTED, ActionStatus.ACKNOWLEDGED, ActionStatus.RESPONSE_RECEIVED)


def sent_clause() -> ColumnElement[bool]:
    """SQL: the action was sent: submitted, acknowledged or answered, or closed once sent (a
    submission date or a reply recorded). An action may be closed from any step: closed from
    planning or drafting, it never left, and is no request. The one rule of "sent" (the
    statistics count by it); the step back from "submitted" takes the submission's date back."""
    return or_(
        AdvocacyAction.status.in_(SENT_STATUSES),
        and_(
            AdvocacyAction.status == ActionStatus.CLOSED,
            or_(AdvocacyAction.submitted_on.is_not(None), replied_clause()),
        ),
    )


# The steps whose date an action keeps (``submitted_on``, ``response_on``); the others are dated
# only by the audit trail's record of the change.
DATED_STEPS = (ActionStatus.SUBMITTED, ActionStatus.RESPONSE_RECEIVED)


def latest_possible_day() -> date:
    """The latest day a submission or a reply may be dated: a user's today may already be the
    server's tomorrow (the server keeps one clock; Almaty is five hours ahead of UTC)."""
    return date.today() + timedelta(days=1)


def year_error(day: date | None) -> str | None:
    """A day outside the years cases are recorded for (0001 typed for 2001), if it is one: the
    one rule of every date of an action."""
    if day is not None and not PartialDate.MIN_YEAR <= day.year <= PartialDate.MAX_YEAR:
        return _(
            "Give a date between %(first)s and %(last)s.",
            first=PartialDate.MIN_YEAR,
            last=PartialDate.MAX_YEAR,
        )
    return None


def followup_errors(
    due: date | None,
    *,
    submitted_on: date | None,
    closing: bool = False,
    replied_on: date | None = None,
) -> list[str]:
    """What is wrong with ``due`` as an action's (next) follow-up date, if anything: the one
    rule of the status step, the forms and the API. A day in the years cases are recorded for,
    not before the submission it follows up, after the reply it is given with (``replied_on``:
    the next follow-up), and none for an action being closed (nothing follows it up)."""
    if due is None:
        return []
    if problem := year_error(due):
        return [problem]
    if closing:
        return [_("A closed action is not followed up: leave the follow-up date empty.")]
    if submitted_on is not None and due < submitted_on:
        return [
            _(
                "The follow-up cannot come before the submission (%(date)s).",
                date=format_day(submitted_on),
            )
        ]
    if replied_on is not None and due <= replied_on:
        return [_("The next follow-up comes after the reply.")]
    return []


def allowed_moves(status: ActionStatus) -> tuple[ActionStatus, ...]:
    """Statuses an action may move to from ``status``."""
    return STATUS_MOVES.get(status, ())


def _cannot_move(old: ActionStatus, new: ActionStatus) -> str:
    return _("An action cannot go from %(old)s to %(new)s.", old=old.label, new=new.label)


# --- Target bodies -----------------------------------------------------------------------------

# (name, short name, the Russian name and short name shown on Russian pages).
SEED_BODIES: tuple[tuple[str, str, str, str], ...] = (
    (
        "UN Special Rapporteur on torture and other cruel, inhuman or degrading treatment "
        "or punishment",
        "SR torture",
        "Специальный докладчик ООН по вопросу о пытках и других жестоких, бесчеловечных или "
        "унижающих достоинство видах обращения и наказания",
        "СД по пыткам",
    ),
    (
        "UN Special Rapporteur on the promotion and protection of human rights and fundamental "
        "freedoms while countering terrorism",
        "SR counter-terrorism",
        "Специальный докладчик ООН по вопросу о поощрении и защите прав человека и основных "
        "свобод в условиях борьбы с терроризмом",
        "СД по борьбе с терроризмом",
    ),
    (
        "UN Special Rapporteur on freedom of religion or belief",
        "SR FoRB",
        "Специальный докладчик ООН по вопросу о свободе религии или убеждений",
        "СД по свободе религии",
    ),
    (
        "UN Committee on Enforced Disappearances",
        "CED",
        "Комитет ООН по насильственным исчезновениям",
        "КНИ",
    ),
    (
        "UN Working Group on Arbitrary Detention",
        "WGAD",
        "Рабочая группа ООН по произвольным задержаниям",
        "РГПЗ",
    ),
    (
        "UN Working Group on Enforced or Involuntary Disappearances",
        "WGEID",
        "Рабочая группа ООН по насильственным или недобровольным исчезновениям",
        "РГННИ",
    ),
    ("UN Committee against Torture", "CAT", "Комитет ООН против пыток", "КПП"),
    ("UN Human Rights Committee", "CCPR", "Комитет ООН по правам человека", "КПЧ"),
    (
        "UN High Commissioner for Refugees",
        "UNHCR",
        "Верховный комиссар ООН по делам беженцев",
        "УВКБ ООН",
    ),
    (
        "OSCE Office for Democratic Institutions and Human Rights",
        "OSCE/ODIHR",
        "Бюро ОБСЕ по демократическим институтам и правам человека",
        "БДИПЧ ОБСЕ",
    ),
    (
        "Prosecutor General's Office of Kazakhstan",
        "PGO",
        "Генеральная прокуратура Республики Казахстан",
        "Генпрокуратура",
    ),
    (
        "Ministry of Internal Affairs of Kazakhstan (Migration Service)",
        "MVD",
        "Министерство внутренних дел Республики Казахстан (миграционная служба)",
        "МВД",
    ),
    (
        "Ministry of Foreign Affairs of Kazakhstan",
        "MFA",
        "Министерство иностранных дел Республики Казахстан",
        "МИД",
    ),
    (
        "Commissioner for Human Rights (Ombudsman) of Kazakhstan",
        "Ombudsman",
        "Уполномоченный по правам человека в Республике Казахстан (омбудсмен)",
        "Омбудсмен",
    ),
)


# Names an earlier release seeded wrongly -> the correct name. A body still bearing the old name
# was not edited, so the seed renames it.
RENAMED_BODIES: dict[str, str] = {
    "UN Special Rapporteur on torture and other cruel, inhuman or degrading treatment": (
        "UN Special Rapporteur on torture and other cruel, inhuman or degrading treatment "
        "or punishment"
    ),
}


def seed_target_bodies() -> str:
    """Add the standard target bodies that are missing, correct names seeded wrongly; never
    change edited ones."""
    bodies = {b.name: b for b in db.session.scalars(select(TargetBody))}
    renamed = 0
    for old, new in RENAMED_BODIES.items():
        if old in bodies and new not in bodies:
            body = bodies.pop(old)
            body.name = new
            bodies[new] = body
            renamed += 1
    existing = set(bodies)
    added = translated = 0
    for name, short, name_ru, short_ru in SEED_BODIES:
        if name not in existing:
            db.session.add(
                TargetBody(name=name, short_name=short, name_ru=name_ru, short_name_ru=short_ru)
            )
            added += 1
            continue
        # A seeded body from before Russian names: given them (never over a coordinator's).
        body = bodies[name]
        if body.name_ru is None:
            body.name_ru = name_ru
            translated += 1
        if body.short_name_ru is None and body.short_name == short:
            body.short_name_ru = short_ru
    db.session.flush()
    text = f"{added} added, {len(existing)} already present"
    text += f", {renamed} renamed" if renamed else ""
    return text + (f", {translated} given a Russian name" if translated else "")


def list_bodies(include_retired: bool = False) -> list[TargetBody]:
    query = select(TargetBody).order_by(TargetBody.name)
    if not include_retired:
        query = query.where(TargetBody.retired.is_(False))
    return list(db.session.scalars(query))


def get_body(body_id: str | int | None) -> TargetBody | None:
    try:
        number = int(body_id) if body_id not in (None, "") else 0
    except (TypeError, ValueError):
        return None
    # Ids are 63-bit integers: a longer number names nothing (and would overflow the driver).
    return db.session.get(TargetBody, number) if 0 < number < 2**63 else None


def create_body(
    actor: User,
    name: str,
    short_name: str | None,
    *,
    name_ru: str | None = None,
    short_name_ru: str | None = None,
) -> TargetBody:
    """Add a target body (coordinators), with its names on Russian pages if given."""
    if not can_manage_target_bodies(actor):
        raise PermissionDenied()
    name = (name or "").strip()
    short_name = (short_name or "").strip() or None
    name_ru = (name_ru or "").strip() or None
    short_name_ru = (short_name_ru or "").strip() or None
    if not name:
        raise ValidationFailed({"name": [_("A name is required.")]})
    for field_name, value, limit in (
        ("name", name, BODY_NAME_MAX_LEN),
        ("short_name", short_name, BODY_SHORT_MAX_LEN),
        ("name_ru", name_ru, BODY_NAME_MAX_LEN),
        ("short_name_ru", short_name_ru, BODY_SHORT_MAX_LEN),
    ):
        if value and len(value) > limit:
            raise ValidationFailed({field_name: [_("Keep it under %(n)s characters.", n=limit)]})
    if db.session.scalar(select(TargetBody.id).where(TargetBody.name == name)):
        raise ValidationFailed({"name": [_("This body is already in the list.")]})
    body = TargetBody(
        name=name, short_name=short_name, name_ru=name_ru, short_name_ru=short_name_ru
    )
    db.session.add(body)
    db.session.flush()
    record(actor, "advocacy.body_created", object_type="target_bodies", object_id=str(body.id))
    return body


def set_body_retired(actor: User, body: TargetBody, retired: bool) -> None:
    """Retire a body (kept on existing actions, no longer offered) or bring it back."""
    if not can_manage_target_bodies(actor):
        raise PermissionDenied()
    body.retired = retired
    db.session.flush()
    record(
        actor,
        "advocacy.body_retired" if retired else "advocacy.body_restored",
        object_type="target_bodies",
        object_id=str(body.id),
    )


def responsible_candidates() -> list[User]:
    """Active lawyers and coordinators, who may be responsible for an action."""
    query = (
        select(User)
        .where(User.is_active_account.is_(True), holders_clause("view_advocacy"))
        .order_by(User.display_name)
    )
    return list(db.session.scalars(query))


def responsible_id_of(public_id: str | None) -> int | None:
    """``ActionData.responsible_id`` for the account ``public_id`` names (the form's and the
    API's choice): None for nobody; an account that does not exist gives an id no account has,
    which ``_validate`` refuses as it refuses anyone who may not be responsible."""
    if not public_id:
        return None
    user = db.session.scalar(select(User).where(User.public_id == public_id))
    return user.id if user is not None else -1


# --- Loading (who sees what is decided in casework.permissions) -------------------------------


def get_action(public_id: str) -> AdvocacyAction | None:
    return db.session.scalar(select(AdvocacyAction).where(AdvocacyAction.public_id == public_id))


def visible_cases_of(user: Any, action: AdvocacyAction) -> list[Case]:
    """The action's cases whose reference and details the user may see."""
    return action_cases_for(user, action)


@functools.cache
def _listed_with() -> tuple[Any, ...]:
    """What a list reads with each action (``_actions_query``), built once: a query never
    changes the loader options it uses."""
    return (
        selectinload(AdvocacyAction.cases).options(
            load_only(Case.id, Case.public_id, Case.reference, Case.restricted, Case.hidden_at)
        ),
        # Many-to-one, few distinct rows: in the same query.
        joinedload(AdvocacyAction.target_body),
        joinedload(AdvocacyAction.responsible),
    )


def _actions_query(
    user: Any,
    *,
    status: ActionStatus | None = None,
    action_type: ActionType | None = None,
    mine: bool = False,
    open_only: bool = False,
    texts: bool = False,
    visible: ColumnElement[bool] | None = None,
) -> Select:
    """The actions the user may see, filtered, with what a row of a list shows: the cases by
    reference (none of their texts), the body and the person responsible. The long texts stay
    sealed unless ``texts`` (the API shows them). ``visible``: what the user sees, when the
    caller found it from the policy's parts (``visible_actions_parts``)."""
    query = (
        select(AdvocacyAction)
        .where(visible_actions_clause(user) if visible is None else visible)
        .options(*_listed_with())
    )
    if not texts:
        query = query.options(
            defer(AdvocacyAction.description), defer(AdvocacyAction.response_summary)
        )
    if status is not None:
        query = query.where(AdvocacyAction.status == status)
    if action_type is not None:
        query = query.where(AdvocacyAction.action_type == action_type)
    if mine:
        query = query.where(AdvocacyAction.responsible_id == user.id)
    if open_only:
        query = query.where(AdvocacyAction.status.not_in(CLOSED_STATUSES))
    return query


# Newest first; the id breaks ties and makes the order unique (keyset pagination).
ACTION_KEYS: list[keyset.Key] = [(AdvocacyAction.created_at, True), (AdvocacyAction.id, True)]
ACTIONS_PAGE_SIZE = 50
ACTIONS_CURSOR_SALT = "action-list-cursor"


def list_actions(user: Any, *, limit: int = 200, **filters: Any) -> list[AdvocacyAction]:
    """The ``limit`` newest actions the user may see, optionally filtered (``_actions_query``)."""
    query = _actions_query(user, **filters).order_by(*keyset.order_by(ACTION_KEYS)).limit(limit)
    return list(db.session.scalars(query))


def action_choices(user: Any, *, exclude: set[int], limit: int = 500) -> list[tuple[str, str]]:
    """The ``limit`` newest actions the user may see, but those of ``exclude``, as choices of a
    list (public id, "type – title"): the title only where the user may read it
    (``can_read_action_text``), else what says it is withheld."""
    actions = [a for a in list_actions(user, limit=limit) if a.id not in exclude]
    readable = readable_case_ids(user, {c.id for a in actions for c in a.cases})
    return [
        (
            a.public_id,
            f"{a.action_type.label} \u2013 "
            + (a.title if can_read_action_text(user, a, readable) else _(WITHHELD)),
        )
        for a in actions
    ]


@dataclass
class ActionPage:
    """One page of the list of actions; the cursors lead to the pages before and after (None
    at either end)."""

    items: list[AdvocacyAction]
    prev_cursor: str | None
    next_cursor: str | None
    readable: frozenset[int]  # the listed actions' cases the user may read
    notice: str | None = None  # why the list started again from the top


def actions_after(
    user: Any,
    cursor: str = "",
    *,
    size: int | None = None,
    salt: str = ACTIONS_CURSOR_SALT,
    **filters: Any,
) -> tuple[list[AdvocacyAction], str | None, str | None]:
    """One page of the actions the user may see, newest first, after (or before) the cursor's:
    (rows, cursor before, cursor after). A fixed number of queries however deep the page and
    however many actions there are; ``keyset.BadCursor`` for a cursor not of this list."""
    return keyset.page(
        _actions_query(user, **filters),
        id_column=AdvocacyAction.id,
        keys=ACTION_KEYS,
        sort="new",
        cursor=cursor,
        secret=current_app.config["SECRET_KEY"],
        salt=salt,
        size=size or ACTIONS_PAGE_SIZE,
        visible=visible_actions_clause(user),
    )


def actions_page(user: Any, cursor: str = "", **filters: Any) -> ActionPage:
    """The list page's ``actions_after``: an unusable cursor starts again from the top, with a
    notice; the cases the user may read are found for the whole page at once."""
    (items, prev_cursor, next_cursor), notice = keyset.or_from_top(
        lambda at: actions_after(user, at, **filters), cursor
    )
    readable = readable_case_ids(user, {c.id for a in items for c in a.cases})
    return ActionPage(items, prev_cursor, next_cursor, readable, notice)


@per_request
def case_actions(case: Case) -> list[AdvocacyAction]:
    """Every action linked to the case (the caller checks that the case is visible)."""
    query = (
        select(AdvocacyAction)
        .join(action_cases, action_cases.c.action_id == AdvocacyAction.id)
        .where(action_cases.c.case_id == case.id)
        .options(
            selectinload(AdvocacyAction.target_body),
            # Whose words the reader reads asks of every case of each (``can_read_action_text``).
            selectinload(AdvocacyAction.cases).options(
                load_only(Case.id, Case.public_id, Case.reference, Case.restricted, Case.hidden_at)
            ),
        )
        .order_by(AdvocacyAction.created_at, AdvocacyAction.id)
    )
    return list(db.session.scalars(query))


# --- Create and update -------------------------------------------------------------------------


@dataclass
class ActionData:
    """What a form gives for an action (dates already parsed)."""

    action_type: ActionType
    title: str
    target_body_id: int | None = None
    description: str | None = None
    status: ActionStatus = ActionStatus.PLANNED
    planned_on: date | None = None
    submitted_on: date | None = None
    followup_due: date | None = None
    response_on: date | None = None
    reference_number: str | None = None
    outcome: ActionOutcome = ActionOutcome.PENDING
    response_summary: str | None = None
    responsible_id: int | None = None
    case_references: list[str] = field(default_factory=list)


def parse_references(text: str | None) -> list[str]:
    """Split 'KZ-2011-0001, KZ-2011-0002' (commas, semicolons, spaces) into references."""
    if not text:
        return []
    seen: list[str] = []
    for part in text.replace(";", ",").replace("\n", ",").replace(" ", ",").split(","):
        ref = part.strip().upper()
        if ref and ref not in seen:
            seen.append(ref)
    return seen


def _resolve_cases(actor: Any, references: list[str]) -> list[Case]:
    """Cases the actor may see and link; an unknown or invisible reference is the same error."""
    cases: list[Case] = []
    bad: list[str] = []
    for ref in references:
        case = get_case_by_reference(ref)
        if case is None or not can_manage_advocacy(actor, case):
            bad.append(ref)
        elif case not in cases:
            cases.append(case)
    if bad:
        raise ValidationFailed(
            {"cases": [_("No case you may link has the reference %(refs)s.", refs=", ".join(bad))]}
        )
    return cases


def _validate(data: ActionData, saved: AdvocacyAction | None = None) -> dict[str, Any]:
    """The form's (or the API's) values checked; ``saved`` is the action edited, as saved.
    What it holds and the edit leaves is kept, as the status step leaves it: its follow-up
    date once closed (a new one is refused), a reply's date held before the reply's status (as
    existing data may; a new one needs that status), the person responsible whose account was
    deactivated since (a new choice is an active lawyer or coordinator)."""
    saved_followup = saved.followup_due if saved is not None else None
    saved_response = saved.response_on if saved is not None else None
    saved_responsible = saved.responsible_id if saved is not None else None
    errors: dict[str, list[str]] = {}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = [_("A short title is required.")]
    elif len(title) > TITLE_MAX_LEN:
        errors["title"] = [_("Keep it under %(n)s characters.", n=TITLE_MAX_LEN)]
    reference = (data.reference_number or "").strip() or None
    if reference and len(reference) > REFERENCE_MAX_LEN:
        errors["reference_number"] = [_("Keep it under %(n)s characters.", n=REFERENCE_MAX_LEN)]
    if data.target_body_id is not None and get_body(data.target_body_id) is None:
        errors["target_body"] = [_("Choose a body from the list.")]
    if data.responsible_id is not None and data.responsible_id != saved_responsible:
        user = db.session.get(User, data.responsible_id)
        if user is None or user not in responsible_candidates():
            errors["responsible"] = [_("Choose an active lawyer or coordinator.")]
    status = ActionStatus(data.status)
    # Moved to "submitted" or "response received" with no date, the step is dated today, as on
    # the status step; the rules below check the dates the action will hold.
    moved = saved is None or saved.status != status
    submitted_on, response_on = data.submitted_on, data.response_on
    if moved and status == ActionStatus.SUBMITTED and submitted_on is None:
        submitted_on = date.today()
    if moved and status == ActionStatus.RESPONSE_RECEIVED and response_on is None:
        response_on = date.today()
    typed_followup = data.followup_due != saved_followup
    followup = followup_errors(
        data.followup_due,
        # A new action recorded as submitted with no date (often after the fact, its follow-up
        # already due) is checked against the date typed; an action moved to "submitted" is
        # submitted now, as on the status step.
        submitted_on=data.submitted_on if saved is None else submitted_on,
        closing=status == ActionStatus.CLOSED and typed_followup,
        # A date typed with the reply follows it up (the one that awaited it ends with it).
        replied_on=(response_on or date.today())
        if status == ActionStatus.RESPONSE_RECEIVED and typed_followup
        else None,
    )
    if followup:
        errors["followup_due"] = followup
    latest = latest_possible_day()
    if submitted_on and submitted_on > latest:
        errors["submitted_on"] = [_("A submission cannot be dated in the future.")]
    if response_on and response_on > latest:
        errors["response_on"] = [_("A response cannot be dated in the future.")]
    elif response_on and submitted_on and response_on < submitted_on:
        errors["response_on"] = [_("The response cannot come before the submission.")]
    elif response_on and response_on != saved_response and status not in CLOSED_STATUSES:
        errors["response_on"] = [
            _(
                "A reply is dated with the status “%(status)s”: choose that status, or leave "
                "the date empty.",
                status=ActionStatus.RESPONSE_RECEIVED.label,
            )
        ]
    for name in ("planned_on", "submitted_on", "response_on"):
        if problem := year_error(getattr(data, name)):
            errors[name] = [problem]
    if errors:
        raise ValidationFailed(errors)
    return {
        "action_type": ActionType(data.action_type),
        "title": title,
        "target_body_id": data.target_body_id,
        "description": (data.description or "").strip() or None,
        "planned_on": data.planned_on,
        "submitted_on": submitted_on,
        "followup_due": data.followup_due,
        "response_on": response_on,
        "reference_number": reference,
        "outcome": ActionOutcome(data.outcome),
        "response_summary": (data.response_summary or "").strip() or None,
        "responsible_id": data.responsible_id,
    }


def _audit_case(action: AdvocacyAction) -> Case | None:
    return action.cases[0] if len(action.cases) == 1 else None


def create_action(actor: Any, data: ActionData, *, case: Case | None = None) -> AdvocacyAction:
    """Create an action for ``case`` and/or the cases named in ``data`` (none: thematic)."""
    cases = _resolve_cases(actor, data.case_references)
    if case is not None and case not in cases:
        cases.insert(0, case)
    if not cases and not can_manage_advocacy(actor, None):
        raise ValidationFailed(
            {
                "cases": [
                    _(
                        "Give the reference of a case of yours; only coordinators record "
                        "thematic actions."
                    )
                ]
            }
        )
    if case is not None and not can_manage_advocacy(actor, case):
        raise PermissionDenied()
    values = _validate(data)
    action = AdvocacyAction(**values, created_by_id=actor.id)
    action.status = ActionStatus(data.status)
    action.cases = cases
    db.session.add(action)
    db.session.flush()
    record(
        actor,
        "advocacy.action_created",
        action,
        case=_audit_case(action),
        action_type=action.action_type.value,
        status=action.status.value,
        cases=[c.public_id for c in cases],
    )
    return action


def update_action(
    actor: Any, action: AdvocacyAction, data: ActionData, expected_version: Any
) -> AdvocacyAction:
    """Update an action; StaleEdit if someone saved it since the form was loaded."""
    if not can_edit_action(actor, action):
        raise PermissionDenied()
    check_version(action, expected_version, data.__dict__)
    values = _validate(data, saved=action)
    # Cases the actor cannot see stay linked: an edit only changes what the editor sees.
    hidden = [c for c in action.cases if not can_view_identifying(actor, c)]
    visible_new = _resolve_cases(actor, data.case_references)
    new_cases = hidden + visible_new
    if not new_cases and not can_manage_advocacy(actor, None):
        raise ValidationFailed({"cases": [_("Only coordinators keep thematic actions (no case).")]})
    to = ActionStatus(data.status)
    old_status = action.status
    if to != old_status and to not in allowed_moves(old_status):
        raise ValidationFailed({"status": [_cannot_move(old_status, to)]})
    dates: dict[str, date | ActionOutcome | bool] = {}
    awaited = action.followup_due
    reply = to == ActionStatus.RESPONSE_RECEIVED and old_status != to
    reopened = _reopens_reply(old_status, to, action.response_on)
    if reply and not reopened:
        # As the status step does: the outcome the reply found, for its step back.
        dates["outcome_before"] = action.outcome
    if (
        reply
        and values["followup_due"] == awaited
        and (not reopened or _awaited_reply(awaited, values["response_on"]))
    ):
        # As the status step does: the date that awaited the reply is moot once it is in (kept
        # on the audit trail, so that taking the reply back restores it); a new date typed with
        # the reply is the next follow-up, and a reply reopened keeps its next follow-up.
        values["followup_due"] = None
        if awaited is not None:
            dates["followup_cleared"] = awaited
    elif reply and not reopened:
        # A date typed with the reply (or emptied) replaces the one that awaited it: both are
        # kept on the trail, so that taking the reply back puts the awaited date back.
        dates.update(_next_followup(awaited, values["followup_due"]))
    taken_back = _takes_back_reply(old_status, to, action.response_on)
    # What the form shows as saved is not typed: the step back decides it, as the status step
    # does; the reply's date goes, shown or emptied (another date is refused above).
    outcome_given = values["outcome"] != action.outcome
    followup_given = values["followup_due"] != action.followup_due
    if taken_back:
        values["response_on"] = action.response_on
    submission_taken_back = _takes_back_submission(old_status, to, action.submitted_on)
    if submission_taken_back:
        values["submitted_on"] = action.submitted_on  # the step back decides it, not the form
    changed = changed_fields(action, values)
    old_ids = {c.id for c in action.cases}
    new_ids = {c.id for c in new_cases}
    for key, value in values.items():
        setattr(action, key, value)
    if old_ids != new_ids:
        action.cases = new_cases
        changed.append("cases")
    if taken_back:
        dates.update(
            _take_back_reply(action, outcome_given=outcome_given, followup_given=followup_given)
        )
    if submission_taken_back:
        dates.update(_take_back_submission(action))
    if to != old_status:
        action.status = to
    db.session.flush()
    if changed:
        record(actor, "advocacy.action_updated", action, case=_audit_case(action), fields=changed)
    if to != old_status:
        _record_status(actor, action, old_status, to, **dates)
    return action


def _record_status(
    actor: Any,
    action: AdvocacyAction,
    old: ActionStatus,
    new: ActionStatus,
    **dates: date | ActionOutcome | bool,
) -> None:
    """The status change on the audit trail, with the follow-up date it cleared or restored,
    the outcome a reply replaced or its step back cleared, and whether a reply's summary was
    kept."""
    record(
        actor,
        "advocacy.status_changed",
        action,
        case=_audit_case(action),
        from_status=old.value,
        to_status=new.value,
        **{
            key: value.value
            if isinstance(value, ActionOutcome)
            else value
            if isinstance(value, bool)
            else value.isoformat()
            for key, value in dates.items()
        },
    )


def _last_reply(action: AdvocacyAction) -> dict[str, Any] | None:
    """The details of the status change that recorded the reply the action holds (None if the
    trail does not say). The reply stays through closings and reopenings as "response
    received" (``CLOSED_STATUSES``): the reply is the first move to "response received" since
    the action last left those statuses."""
    details_of = db.session.scalars(
        select(AuditEntry.details)
        .where(
            AuditEntry.object_type == AdvocacyAction.__tablename__,
            AuditEntry.object_id == action.public_id,
            AuditEntry.action == "advocacy.status_changed",
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    reply = None
    for details in details_of:
        to = (details or {}).get("to_status")
        if to not in {s.value for s in CLOSED_STATUSES}:
            break
        if to == ActionStatus.RESPONSE_RECEIVED.value:
            reply = details
    return reply


def _followup_cleared_by_reply(reply: dict[str, Any] | None) -> date | None:
    """The follow-up date the reply (``_last_reply``) cleared, if any."""
    try:
        return date.fromisoformat((reply or {}).get("followup_cleared") or "")
    except ValueError:
        return None


def _next_followup(awaited: date | None, following: date | None) -> dict[str, date]:
    """For the trail of a reply given a next follow-up date (``following``, or none): the date
    that awaited the reply, which it replaces, and the one it sets."""
    if awaited == following:
        return {}
    dates = {"followup_cleared": awaited} if awaited is not None else {}
    if following is not None:
        dates["followup_set"] = following
    return dates


def _followup_set_by_reply(reply: dict[str, Any] | None) -> date | None:
    """The next follow-up date the reply (``_last_reply``) set, if any."""
    try:
        return date.fromisoformat((reply or {}).get("followup_set") or "")
    except ValueError:
        return None


def _outcome_before_reply(reply: dict[str, Any] | None) -> ActionOutcome:
    """What the action's outcome was before the reply (``_last_reply``): pending when the
    trail does not say (a reply recorded before it did, an action created replied)."""
    return ActionOutcome.parse((reply or {}).get("outcome_before")) or ActionOutcome.PENDING


def _takes_back_submission(old: ActionStatus, new: ActionStatus, sent_on: date | None) -> bool:
    """Not sent after all: "Submitted" moved back to drafting (sent by mistake), or an action
    sent on ``sent_on``, closed, reopened as planned (the status step, the edit form)."""
    if old == ActionStatus.SUBMITTED:
        return new == ActionStatus.DRAFTING
    return old == ActionStatus.CLOSED and new == ActionStatus.PLANNED and sent_on is not None


def _take_back_submission(action: AdvocacyAction) -> dict[str, date]:
    """Not sent after all: its date goes (timeline, statistics), kept on the audit trail with
    the step (returned); sending it again dates it again."""
    cleared = {"submission_cleared": action.submitted_on} if action.submitted_on else {}
    action.submitted_on = None
    return cleared


def _reopens_reply(old: ActionStatus, new: ActionStatus, replied_on: date | None) -> bool:
    """Is the move an answered action (its reply dated ``replied_on``) closed and reopened as
    "response received"? It keeps its reply: no new one, and the outcome it holds is the
    reply's, not one from before it (``_take_back_reply``)."""
    return old == ActionStatus.CLOSED and new == ActionStatus.RESPONSE_RECEIVED and bool(replied_on)


def _awaited_reply(due: date | None, replied_on: date | None) -> bool:
    """Is ``due`` a follow-up date that awaited the reply dated ``replied_on`` (on or before
    it), not a next follow-up after it (``followup_errors``, ``is_due``)?"""
    return due is not None and (replied_on is None or due <= replied_on)


def _takes_back_reply(old: ActionStatus, new: ActionStatus, replied_on: date | None) -> bool:
    """Does the move from ``old`` to ``new`` take the action's reply (dated ``replied_on``)
    back: a step back from "response received" to a status before it, or an answered action
    closed and reopened at one? Closing takes nothing back, and an action reopened as
    "response received" keeps its reply."""
    if new in CLOSED_STATUSES:
        return False
    return old == ActionStatus.RESPONSE_RECEIVED or (
        old == ActionStatus.CLOSED and replied_on is not None
    )


def _take_back_reply(
    action: AdvocacyAction, *, outcome_given: bool, followup_given: bool
) -> dict[str, date | ActionOutcome | bool]:
    """Take back the action's reply: the one rule of the status step and the edit form, applied
    once the move's own values are set (an outcome or a follow-up date given with the move is
    what the user says, and stays). No reply came after all: its date goes (timeline,
    statistics); an outcome only a reply gives goes too, and the outcome the reply found
    (interim measures granted before it) comes back; the next follow-up date the reply set goes
    (unless changed since), and the action waits again by the follow-up date the reply ended.
    Returns what was taken back and restored, for the audit trail of the
    status change (the caller records it)."""
    with db.session.no_autoflush:  # the move's values are flushed once, with the move
        reply = _last_reply(action)
    dates: dict[str, date | ActionOutcome | bool] = {}
    if not outcome_given and action.outcome in REPLY_OUTCOMES:
        before = _outcome_before_reply(reply)
        if before != action.outcome:
            dates["outcome_cleared"] = action.outcome
            action.outcome = before
    # The next follow-up date the reply set (and nobody changed since) goes with it.
    following = _followup_set_by_reply(reply)
    if not followup_given and following is not None and action.followup_due == following:
        dates["followup_cleared"] = following
        action.followup_due = None
    if not followup_given and action.followup_due is None:
        restored = _followup_cleared_by_reply(reply)
        if restored is not None:
            action.followup_due = dates["followup_restored"] = restored
    if action.response_on is not None:
        dates["response_cleared"] = action.response_on
    action.response_on = None
    if action.response_summary:
        # What the reply said stays on the action, shown as the summary of a reply taken back
        # (``is_replied``); the trail says it was kept, never what it says.
        dates["summary_kept"] = True
    return dates


def change_status(
    actor: Any,
    action: AdvocacyAction,
    to: ActionStatus | str,
    expected_version: Any,
    *,
    on: date | None = None,
    reference_number: str | None = None,
    outcome: ActionOutcome | str | None = None,
    response_summary: str | None = None,
    followup_due: date | None = None,
    clear_followup: bool = False,
) -> AdvocacyAction:
    """Move an action to ``to``, with the date of the step and, for a reply, what it said."""
    if not can_edit_action(actor, action):
        raise PermissionDenied()
    check_version(action, expected_version, {"status": str(to)})
    to = ActionStatus(to)
    old = action.status
    if to == old or to not in allowed_moves(old):
        raise ValidationFailed({"to_status": [_cannot_move(old, to)]})
    today = date.today()
    if on is not None and to not in DATED_STEPS:
        raise ValidationFailed(
            {
                "on": [
                    _("Only a submission or a reply is dated: leave the date empty for this step.")
                ]
            }
        )
    if on is not None and on > latest_possible_day():
        raise ValidationFailed({"on": [_("A step cannot be dated in the future.")]})
    if problem := year_error(on):
        raise ValidationFailed({"on": [problem]})
    reference_number = (reference_number or "").strip() or None
    if reference_number and len(reference_number) > REFERENCE_MAX_LEN:
        raise ValidationFailed(
            {"reference_number": [_("Keep it under %(n)s characters.", n=REFERENCE_MAX_LEN)]}
        )
    submitted = action.submitted_on
    reopened = _reopens_reply(old, to, action.response_on)
    if to == ActionStatus.SUBMITTED:
        submitted = on or submitted or today
    # A reply already dated (an answered action closed, reopened) keeps its date, as a
    # submission does.
    replied = (on or action.response_on or today) if to == ActionStatus.RESPONSE_RECEIVED else None
    followup = followup_errors(
        followup_due,
        submitted_on=submitted,
        closing=to == ActionStatus.CLOSED,
        replied_on=replied,
    )
    if followup:
        raise ValidationFailed({"followup_due": followup})
    if to == ActionStatus.SUBMITTED:
        action.submitted_on = on or action.submitted_on or today
    elif replied is not None:
        if action.submitted_on and replied < action.submitted_on:
            raise ValidationFailed({"on": [_("The response cannot come before the submission.")]})
        action.response_on = replied
        # The follow-up date awaited this reply; only a next one is followed up. A reply
        # reopened is no new one: it keeps the next follow-up date set with it.
        if not reopened or _awaited_reply(action.followup_due, replied):
            clear_followup = True
    if reference_number:
        action.reference_number = reference_number
    dates: dict[str, date | ActionOutcome | bool] = {}
    if to == ActionStatus.RESPONSE_RECEIVED and not reopened:
        # Kept with the reply: taking it back gives the action this outcome again.
        dates["outcome_before"] = action.outcome
    if outcome:
        action.outcome = ActionOutcome(outcome)
    if response_summary and response_summary.strip():
        action.response_summary = response_summary.strip()
    if followup_due is not None:
        if to == ActionStatus.RESPONSE_RECEIVED and not reopened:
            dates.update(_next_followup(action.followup_due, followup_due))
        action.followup_due = followup_due
    elif clear_followup:
        if action.followup_due is not None:
            dates["followup_cleared"] = action.followup_due
        action.followup_due = None
    if _takes_back_submission(old, to, action.submitted_on):
        dates.update(_take_back_submission(action))
    if _takes_back_reply(old, to, action.response_on):
        dates.update(
            _take_back_reply(
                action, outcome_given=bool(outcome), followup_given=followup_due is not None
            )
        )
    action.status = to
    db.session.flush()
    _record_status(actor, action, old, to, **dates)
    return action


# --- Follow-up ---------------------------------------------------------------------------------


@functools.cache
def _due_clause() -> ColumnElement[bool]:
    """SQL: the action waits for a follow-up (``is_due``). The same for everyone: built once."""
    return (
        AdvocacyAction.followup_due.is_not(None)
        & (AdvocacyAction.status != ActionStatus.CLOSED)
        & or_(
            AdvocacyAction.status != ActionStatus.RESPONSE_RECEIVED,
            AdvocacyAction.followup_due > AdvocacyAction.response_on,
        )
    )


def is_due(action: AdvocacyAction) -> bool:
    """Does the action wait for a follow-up? A due date, the action not closed and, once the
    reply is in, a next follow-up date after the reply (the date that awaited it is moot)."""
    if action.followup_due is None or action.status == ActionStatus.CLOSED:
        return False
    if action.status == ActionStatus.RESPONSE_RECEIVED:
        return action.response_on is not None and action.followup_due > action.response_on
    return True


@dataclass(slots=True)
class FollowUpCase:
    """A case of a follow-up row: what the row shows of it (its reference and link)."""

    id: int
    public_id: str
    reference: str


@dataclass(slots=True)
class FollowUpRow:
    """What a follow-up list shows of an action, decided for its reader: its own words (title,
    reference number) only where they may read them (``words``; else None, never opened), the
    cases whose reference they may read (``shown_cases``), its body's short name in their
    language, its responsible's name."""

    id: int
    public_id: str
    followup_due: date
    action_type: ActionType
    status: ActionStatus
    body: str | None
    responsible: str | None
    cases: list[FollowUpCase]
    words: bool = False
    title: str | None = None
    reference_number: str | None = None
    shown_cases: list[FollowUpCase] = field(default_factory=list)

    @classmethod
    def of(cls, action: AdvocacyAction) -> FollowUpRow:
        """The row of an action loaded as an object (a page of one list)."""
        return cls(
            id=action.id,
            public_id=action.public_id,
            followup_due=action.followup_due,
            action_type=action.action_type,
            status=action.status,
            body=action.target_body.local_short_name if action.target_body else None,
            responsible=action.responsible.display_name if action.responsible else None,
            cases=[FollowUpCase(c.id, c.public_id, c.reference) for c in action.cases],
            title=action.title,
            reference_number=action.reference_number,
        )


def _decided(user: Any, rows: list[FollowUpRow]) -> frozenset[int]:
    """Decide what each row shows ``user`` (the policy asked once for all of them): its words
    are forgotten where withheld, its cases narrowed to those read. The cases read, returned."""
    readable = readable_case_ids(user, {case.id for row in rows for case in row.cases})
    words = readable_action_texts(user, rows, readable)
    for row in rows:
        row.words = row.id in words
        if not row.words:
            row.title = row.reference_number = None
        row.shown_cases = [case for case in row.cases if case.id in readable]
    return readable


def _followup_rows(user: Any, listed: Any) -> list[tuple[FollowUpRow, str]]:
    """The rows of the actions whose ids ``listed`` (a subquery: ``id``, ``list``) names, each
    with its list, soonest first: plain columns, not objects (a list shows a few fields of
    each), and their own words opened only where the user may read them."""
    found = db.session.execute(
        select(
            AdvocacyAction.id,
            AdvocacyAction.public_id,
            AdvocacyAction.followup_due,
            AdvocacyAction.action_type,
            AdvocacyAction.status,
            AdvocacyAction.title,
            AdvocacyAction.reference_number,
            TargetBody.name,
            TargetBody.name_ru,
            TargetBody.short_name,
            TargetBody.short_name_ru,
            User.display_name,
            listed.c.list,
        )
        .join(listed, listed.c.id == AdvocacyAction.id)
        .outerjoin(TargetBody, TargetBody.id == AdvocacyAction.target_body_id)
        .outerjoin(User, User.id == AdvocacyAction.responsible_id)
        .order_by(*keyset.order_by(FOLLOWUP_KEYS))
    ).all()
    cases: dict[int, list[FollowUpCase]] = {}
    if found:
        of_actions = db.session.execute(
            select(action_cases.c.action_id, Case.id, Case.public_id, Case.reference)
            .join(Case, Case.id == action_cases.c.case_id)
            .where(among(action_cases.c.action_id, {r.id for r in found}))
            .order_by(Case.reference_key)
        )
        for action_id, *case in of_actions:
            cases.setdefault(action_id, []).append(FollowUpCase(*case))
    rows = []
    for r in found:
        body = None
        if r.name is not None:
            body = TargetBody.short_name_of(r.name, r.name_ru, r.short_name, r.short_name_ru)
        row = FollowUpRow(
            id=r.id,
            public_id=r.public_id,
            followup_due=r.followup_due,
            action_type=r.action_type,
            status=r.status,
            body=body,
            responsible=r.display_name,
            cases=cases.get(r.id, []),
        )
        rows.append((row, r))
    _decided(user, [row for row, _ in rows])
    for row, r in rows:
        if row.words:
            row.title = open_selected(db.session, AdvocacyAction.title, r.id, r.title)
            row.reference_number = open_selected(
                db.session, AdvocacyAction.reference_number, r.id, r.reference_number
            )
    return [(row, r.list) for row, r in rows]


@dataclass
class FollowUps:
    """The follow-ups due, each list cut at the ``limit`` soonest; ``more`` names the lists that
    have more (each shown in full, a page at a time, by ``followup_page``)."""

    mine_overdue: list[FollowUpRow]
    mine_upcoming: list[FollowUpRow]
    org_overdue: list[FollowUpRow]
    org_upcoming: list[FollowUpRow]
    today: date
    more: frozenset[str] = frozenset()
    readable: frozenset[int] = frozenset()  # the listed actions' cases the user may read


# The overview shows this many of each list; each list is paged in full, soonest first.
FOLLOWUP_LIMIT = 20
FOLLOWUP_PAGE_SIZE = 50
FOLLOWUP_LISTS = ("mine_overdue", "mine_upcoming", "org_overdue", "org_upcoming")
FOLLOWUP_KEYS: list[keyset.Key] = [
    (AdvocacyAction.followup_due, False),
    (AdvocacyAction.id, False),
]
FOLLOWUP_CURSOR_SALT = "followup-cursor"


def _followup_filter(
    user: Any, name: str, today: date, days: int = UPCOMING_DAYS, org_without_mine: bool = False
) -> ColumnElement[bool]:
    """SQL: the action is in the follow-up list ``name`` (one of FOLLOWUP_LISTS)."""
    horizon = today + timedelta(days=days)
    when = (
        AdvocacyAction.followup_due < today
        if name.endswith("_overdue")
        else (AdvocacyAction.followup_due >= today) & (AdvocacyAction.followup_due <= horizon)
    )
    if name.startswith("mine_"):
        whose = AdvocacyAction.responsible_id == user.id
    elif org_without_mine:
        whose = AdvocacyAction.responsible_id.is_(None) | (AdvocacyAction.responsible_id != user.id)
    else:
        whose = true()
    return and_(_due_clause(), when, whose)


@dataclass
class _FollowUpSource:
    """What a follow-up list reads. ``query``: the list's actions, unordered, among those the
    user sees. When what they see is made of parts (``visible_actions_parts``), ``parts`` and
    ``whole`` hold the list's ids in each, and ``query`` is narrowed by the caller to the first
    ones of each (``keyset.firsts_of_parts``), read by id: the thematic actions are read from
    their follow-up date's index up to the page, not every one before the list's dates and
    limit; those of the user's cases from their teams. ``visible``: what the user sees (a
    cursor's action is looked up under it)."""

    user: Any
    visible: ColumnElement[bool]
    where: ColumnElement[bool]
    parts: list[Select] = field(default_factory=list)
    whole: list[Select] = field(default_factory=list)

    @functools.cached_property
    def query(self) -> Select:
        # Built when a page of the list is read (``followup_page``): the overview of the lists
        # reads their ids only, then the actions of all of them in one query of its own.
        if not self.parts and not self.whole:
            return _actions_query(self.user, visible=self.visible).where(self.where)
        return _actions_query(self.user, visible=true())

    def soonest(self, limit: int) -> Select | CompoundSelect:
        """The ids of the list's ``limit`` soonest actions of each part (of the whole list,
        when what the user sees is one clause: its date index walked up to ``limit``)."""
        parts = self.parts
        if not parts and not self.whole:
            parts = [select(AdvocacyAction.id).where(self.visible, self.where)]
        return keyset.firsts_of_parts(parts, FOLLOWUP_KEYS, limit, whole=self.whole)


def _followup_source(user: Any, where: ColumnElement[bool]) -> _FollowUpSource:
    whole, walked = visible_actions_parts(user)
    visible = or_(*whole, *walked)
    if not whole and len(walked) == 1:
        return _FollowUpSource(user, visible, where)
    return _FollowUpSource(
        user,
        visible,
        where,
        [select(AdvocacyAction.id).where(part, where) for part in walked],
        [select(AdvocacyAction.id).where(part, where) for part in whole],
    )


def followups(
    user: Any,
    today: date | None = None,
    days: int = UPCOMING_DAYS,
    *,
    limit: int | None = None,
    org_without_mine: bool = False,
    only: frozenset[str] | None = None,
) -> FollowUps:
    """Overdue and upcoming follow-ups: the user's own and the organisation's (visible ones).

    One query for every list, each the ``limit`` soonest (default FOLLOWUP_LIMIT), with the
    actions' cases by reference, and one query for which of those the user may read: the cost
    does not grow with the number of actions. ``org_without_mine`` leaves the user's own out of
    the organisation's; ``only`` names the lists wanted (the others are left empty, unread).
    """
    today = today or date.today()
    limit = limit or FOLLOWUP_LIMIT
    found: dict[str, list[FollowUpRow]] = {name: [] for name in FOLLOWUP_LISTS}
    wanted = [name for name in FOLLOWUP_LISTS if only is None or name in only]
    # Each list's soonest ids (each part of what the user sees walked on its own index up to
    # the limit), named by their list; then the actions of all of them in one read.
    named = []
    for name in wanted:
        where = _followup_filter(user, name, today, days, org_without_mine)
        soonest = _followup_source(user, where).soonest(limit + 1).subquery()
        named.append(select(soonest.c.id, literal(name).label("list")))
    if named:
        listed = (union_all(*named) if len(named) > 1 else named[0]).subquery()
        # What the user sees is in the ids already (``visible_actions_parts``).
        for row, name in _followup_rows(user, listed):
            found[name].append(row)
    more = {name for name in wanted if len(found[name]) > limit}
    found = {name: rows[:limit] for name, rows in found.items()}
    # Which cases' references may be shown: one query for every list (asked once per request).
    readable = readable_case_ids(
        user, {case.id for rows in found.values() for row in rows for case in row.cases}
    )
    return FollowUps(**found, today=today, more=frozenset(more), readable=readable)


@dataclass
class FollowUpPage:
    """One page of one follow-up list, soonest first; the cursors lead to the pages before and
    after (None at either end); ``notice`` says why the list started again from the top."""

    name: str
    items: list[FollowUpRow]
    prev_cursor: str | None
    next_cursor: str | None
    readable: frozenset[int]
    today: date
    notice: str | None = None


def followup_page(
    user: Any, name: str, cursor: str = "", *, today: date | None = None, size: int | None = None
) -> FollowUpPage:
    """The follow-up list ``name`` in full, a page at a time (keyset: any depth costs the
    same). An unusable cursor (altered, of another list, its action gone) starts again from the
    top, with a notice."""
    if name not in FOLLOWUP_LISTS:
        raise ValueError(f"no follow-up list {name!r}")
    today = today or date.today()
    source = _followup_source(user, _followup_filter(user, name, today))

    def one(at: str) -> tuple[list[AdvocacyAction], str | None, str | None]:
        return keyset.page(
            source.query,
            id_column=AdvocacyAction.id,
            keys=FOLLOWUP_KEYS,
            sort=name,
            cursor=at,
            secret=current_app.config["SECRET_KEY"],
            salt=FOLLOWUP_CURSOR_SALT,
            size=size or FOLLOWUP_PAGE_SIZE,
            visible=source.visible,
            parts=source.parts,
            whole=source.whole,
        )

    (actions, prev_cursor, next_cursor), notice = keyset.or_from_top(one, cursor)
    items = [FollowUpRow.of(action) for action in actions]
    readable = _decided(user, items)
    return FollowUpPage(name, items, prev_cursor, next_cursor, readable, today, notice)


def has_open_followup(since: date) -> ColumnElement[bool]:
    """A condition over ``Case``: one of its actions waits for a reply by a follow-up date on
    or after ``since``."""
    return exists().where(
        action_cases.c.case_id == Case.id,
        action_cases.c.action_id == AdvocacyAction.id,
        _due_clause(),
        AdvocacyAction.followup_due >= since,
    )


@functools.cache
def deadline_columns() -> Any:
    """What a follow-up deadline shows of an action (type, body, date: ``hooks.action_label``):
    its title, texts and reference number stay sealed. Built once (a loader option is never
    changed by a query that uses it)."""
    return load_only(
        AdvocacyAction.id,
        AdvocacyAction.public_id,
        AdvocacyAction.action_type,
        AdvocacyAction.target_body_id,
        AdvocacyAction.status,
        AdvocacyAction.followup_due,
    )


def open_followups_for_cases(case_ids: list[int]) -> list[tuple[int, AdvocacyAction]]:
    """(case id, action) for the cases' actions still waiting for a reply, soonest first: what a
    deadline shows of them (type, body, date), their texts left sealed."""
    query = (
        select(action_cases.c.case_id, AdvocacyAction)
        .join(action_cases, action_cases.c.action_id == AdvocacyAction.id)
        .where(action_cases.c.case_id.in_(case_ids), _due_clause())
        .options(deadline_columns(), selectinload(AdvocacyAction.target_body))
        .order_by(AdvocacyAction.followup_due)
    )
    return [(case_id, action) for case_id, action in db.session.execute(query)]


def status_history(action: AdvocacyAction) -> list[AuditEntry]:
    """The action's status changes, oldest first (from the audit trail)."""
    query = (
        select(AuditEntry)
        .where(
            AuditEntry.object_type == AdvocacyAction.__tablename__,
            AuditEntry.object_id == action.public_id,
            AuditEntry.action == "advocacy.status_changed",
        )
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(db.session.scalars(query))


def status_histories(actions: list[AdvocacyAction]) -> dict[str, list[AuditEntry]]:
    """Status changes of several actions at once, by action public id."""
    ids = [a.public_id for a in actions]
    result: dict[str, list[AuditEntry]] = {i: [] for i in ids}
    if not ids:
        return result
    query = (
        select(AuditEntry)
        .where(
            AuditEntry.object_type == AdvocacyAction.__tablename__,
            AuditEntry.object_id.in_(ids),
            AuditEntry.action == "advocacy.status_changed",
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    for entry in db.session.scalars(query):
        result[entry.object_id].append(entry)
    return result


def action_documents(user: Any, action: AdvocacyAction) -> list[tuple[Any, bool]]:
    """Documents attached to the action (not hidden), each with whether its name may be shown.

    An action's document may concern any of its cases, and any the action had when it was
    attached: it is listed only to users who may read every one of them
    (``permissions.can_download_action_document``).
    """
    from casework.evidence.models import Document  # evidence imports advocacy models

    if not can_download_action_document(user, action):
        return []
    query = (
        select(Document)
        .where(Document.action_id == action.id, Document.hidden_at.is_(None))
        .order_by(Document.uploaded_at)
    )
    return [
        (doc, True)
        for doc in db.session.scalars(query)
        if can_download_action_document(user, action, doc)
    ]


def removed_action_documents(user: Any, action: AdvocacyAction) -> list[Any]:
    """The action's removed (hidden) documents, for whoever may bring them back."""
    from casework.evidence.models import Document  # evidence imports advocacy models

    query = (
        select(Document)
        .where(Document.action_id == action.id, Document.hidden_at.is_not(None))
        .order_by(Document.uploaded_at)
    )
    return [
        doc for doc in db.session.scalars(query) if can_restore_action_document(user, action, doc)
    ]


def hide_document(actor: Any, action: AdvocacyAction, document: Any, reason: str | None) -> None:
    """Remove a document from the action, with why: hidden, never deleted (``core.hiding``)."""
    if document.action_id != action.id or not can_hide_action_document(actor, action, document):
        raise PermissionDenied()
    hide(
        document,
        actor,
        reason,
        case=_audit_case(action),
        action="advocacy.document_hidden",
        advocacy_action=action.public_id,
    )


def restore_document(actor: Any, action: AdvocacyAction, document: Any) -> None:
    """Bring a removed document of the action back."""
    if document.action_id != action.id or not can_restore_action_document(actor, action, document):
        raise PermissionDenied()
    restore(
        document,
        actor,
        case=_audit_case(action),
        action="advocacy.document_restored",
        advocacy_action=action.public_id,
    )
