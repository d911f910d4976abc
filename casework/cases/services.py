"""Cases: intake, editing, the review workflow, the team, comments and people in a case."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Integer, bindparam, cast, func, inspect, select, update
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from casework import permissions
from casework.accounts.models import User
from casework.audit.services import apply_changes, record
from casework.cases.models import (
    TITLE_MAX_LEN,
    Case,
    CaseMember,
    CasePerson,
    Comment,
    StatusChange,
    external_ref_key,
)
from casework.cases.verification import facts_changed
from casework.core import formkeys
from casework.core.db import among, db, new_public_id, utcnow
from casework.core.errors import PermissionDenied, ValidationFailed, check_version
from casework.core.fields import FieldReader
from casework.core.hiding import hide, restore
from casework.core.i18n import N_
from casework.core.i18n import gettext as _
from casework.core.locks import CASE_REFERENCES, transaction_lock
from casework.core.sealing import open_selected
from casework.core.vocab import (
    ActType,
    Authorisation,
    CaseRole,
    CaseStatus,
    OtherProcedure,
    Situation,
    TeamRole,
    Urgency,
)
from casework.people.models import Person
from casework.people.services import NameInput, create_person, name_text

COMMENT_MAX_LEN = 10_000
NARRATIVE_MAX_LEN = 50_000
AUTHORISED_BY_MAX_LEN = 200
# Why the authorisation cannot be obtained; which other procedure, when, where it stands.
PROCEDURE_NOTE_MAX_LEN = 10_000


def _prefix() -> str:
    if has_app_context():
        return current_app.config.get("CASE_REFERENCE_PREFIX", "KZ")
    return "KZ"


# The year part of the reference of a case whose date of the act is not known yet.
UNDATED_YEAR = "XXXX"


def is_undated_reference(reference: str) -> bool:
    return reference.split("-")[1:2] == [UNDATED_YEAR]


def reference_prefix(year: int | None) -> str:
    """What every reference of ``year`` starts with: ``KZ-2011-``; ``KZ-XXXX-`` without one."""
    return f"{_prefix()}-{UNDATED_YEAR if year is None else f'{year:04d}'}-"


def last_reference_number(prefix: str) -> int:
    """The highest number given after ``prefix`` so far (0 if none), former references included
    (a year-less one is not given again once its case got a dated one). Numbers are compared as
    numbers: KZ-2011-10000 comes after KZ-2011-9999 (which a comparison of text would not say),
    and KZ-2011-000500 after KZ-2011-0499."""
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    highest = 0
    for column in (Case.reference, Case.former_reference):
        digits = func.substr(column, len(prefix) + 1)
        if sqlite:
            # SQLite's LIKE ignores case and so reads the whole index; GLOB reads the prefix's.
            literal = re.sub(r"([*?\[])", r"[\1]", prefix)
            where = column.op("GLOB")(literal + "[0-9]*")
        else:
            where = column.startswith(prefix, autoescape=True) & digits.op("~")("^[0-9]+$")
        found = db.session.scalar(select(func.max(cast(digits, Integer))).where(where))
        highest = max(highest, found or 0)
    return highest


def next_reference(year: int | None) -> str:
    """The next free reference for ``year``: KZ-2011-0007; KZ-XXXX-0007 without a year."""
    prefix = reference_prefix(year)
    return f"{prefix}{last_reference_number(prefix) + 1:04d}"


def _assign_reference(case: Case, year: int | None) -> None:
    """Give ``case`` a reference, retrying if another intake took the same one meanwhile.

    An import reserves a run of numbers until it commits: the shared lock makes this wait for it
    (on PostgreSQL; SQLite has one writer at a time anyway)."""
    transaction_lock(CASE_REFERENCES)
    for _attempt in range(5):
        case.reference = next_reference(year)
        try:
            with db.session.begin_nested():
                db.session.add(case)
                db.session.flush()
            return
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a case reference")


@dataclass
class IntakeInput:
    """What a monitor types at intake; everything may be missing in a draft."""

    name: str = ""
    name_kind: str = "as_given"
    act_type: str = ""
    act_date: str = ""
    act_date_approximate: bool = False
    act_place: str = ""
    destination_country: str = ""
    urgency: str = "routine"
    current_situation: str = "unknown"
    narrative: str = ""
    title: str = ""
    extra_names: list[NameInput] = field(default_factory=list)

    def is_empty(self) -> bool:
        """Nothing typed: no name, no fact, no text (urgency and situation at their defaults)."""
        typed = (
            self.name,
            self.act_type,
            self.act_date,
            self.act_place,
            self.destination_country,
            self.narrative,
            self.title,
        )
        return (
            not any((v or "").strip() for v in typed)
            and not self.extra_names
            and (self.urgency or "routine") == "routine"
            and (self.current_situation or "unknown") == "unknown"
        )


# What a full save needs and a draft may lack (the intake's fields marked *), by field, with how
# the dashboard names it: the intake refuses a full save without them, and the dashboard tells
# a draft's creator which of them the draft still lacks.
MISSING_FACTS = {
    "name": N_("the person's name or an alias"),
    "act_type": N_("what happened"),
}
_MISSING_MESSAGES = {
    "name": N_("Give the person's name or an alias (any script)."),
    "act_type": N_("Say what happened (or save as a draft)."),
}


def missing_facts(*, named: bool, act_type: Any) -> list[str]:
    """The fields of MISSING_FACTS lacking, in the form's order: ``named``, a name or alias
    of the person at risk is given; ``act_type``, what happened (empty if not said)."""
    lacking = {"name": not named, "act_type": not act_type}
    return [key for key in MISSING_FACTS if lacking[key]]


def drafts_missing(cases: list[Case]) -> dict[int, list[str]]:
    """``missing_facts`` of each saved case, in one query: its person at risk (whom the
    intake's name records) still on the case, and its act."""
    ids = [case.id for case in cases]
    named = (
        set(
            db.session.scalars(
                select(CasePerson.case_id)
                .where(
                    among(CasePerson.case_id, ids),
                    CasePerson.role == CaseRole.AT_RISK,
                    CasePerson.hidden_at.is_(None),
                )
                .distinct()
            )
        )
        if ids
        else set()
    )
    return {
        case.id: missing_facts(named=case.id in named, act_type=case.act_type) for case in cases
    }


def _intake_values(
    data: IntakeInput, *, draft: bool, typed_on: date | None
) -> tuple[dict[str, Any], list[str]]:
    """Validated case values and warnings; in a draft, unreadable input is kept, not refused."""
    fields = {name: getattr(data, name) for name in (
        "title", "act_type", "act_date", "act_date_approximate", "act_place",
        "destination_country", "urgency", "current_situation", "narrative",
    )}  # fmt: skip
    r = FieldReader(fields, typed_on=typed_on)
    r.text("title", TITLE_MAX_LEN, one_line=True)
    r.vocab("act_type", ActType, message=_("Unknown act type."))
    r.partial_date("act_date", approximate="act_date_approximate")
    r.flag("act_date_approximate")
    r.text("act_place", 200, one_line=True)
    r.country("destination_country")
    r.vocab("urgency", Urgency, default=Urgency.ROUTINE, message=_("Choose an urgency."))
    r.vocab(
        "current_situation", Situation, default=Situation.UNKNOWN, message=_("Unknown situation.")
    )
    r.text("narrative", NARRATIVE_MAX_LEN)
    r.set("act_date_note", None)
    warnings: list[str] = []
    if draft:
        # A draft keeps what it cannot read: an odd date becomes a note, a country is left empty.
        if date_errors := r.take_error("act_date"):
            r.set("act_date", None)
            r.set("act_date_note", data.act_date.strip()[:200])
            warnings.append(
                _(
                    "The date \u201c%(date)s\u201d was kept as a note: %(reason)s",
                    date=data.act_date.strip(),
                    reason=date_errors[0],
                )
            )
        if country_errors := r.take_error("destination_country"):
            r.set("destination_country", None)
            warnings.append(_("%(reason)s It was left empty.", reason=country_errors[0]))
    else:
        named = bool(name_text(data.name) or data.extra_names)
        for key in missing_facts(named=named, act_type=data.act_type):
            r.error(key, _(_MISSING_MESSAGES[key]))
    values = r.values()
    # A person detained pending removal may be removed any day: an urgent case, whatever a
    # hurried form said (the coordinators are told of new urgent cases; one may lower it).
    if (
        values["act_type"] == ActType.DETENTION_PENDING_REMOVAL
        and values["urgency"] == Urgency.ROUTINE
    ):
        values["urgency"] = Urgency.URGENT
        warnings.append(_("Marked urgent: the person is detained pending removal."))
    return values, warnings


# The note on the first status change, stored in English and shown in the reader's language.
INTAKE_NOTE = N_("Created at intake")
EMPTY_INTAKE = N_("The form is empty: nothing was saved. Type at least one fact before saving.")
# The operation under which an intake form's idempotency key is stored.
INTAKE_FORM_OPERATION = "form:cases.new_case"


def intake_already_saved(actor: Any, key: str | None) -> Case | None:
    """The case a submission with this intake form's key already created, if any."""
    seen = formkeys.find(actor, key, INTAKE_FORM_OPERATION)
    if seen is None:
        return None
    return db.session.scalar(select(Case).where(Case.public_id == seen.object_id))


class AlreadySaved(Exception):
    """This intake form (its idempotency key) was already saved: ``case`` is what it made."""

    def __init__(self, case: Case) -> None:
        super().__init__(case.reference)
        self.case = case


def _claim_form_key(actor: Any, key: str, case: Case) -> None:
    """Store the form's key for ``case`` before anything else is written (``formkeys``): a
    second send at once gets the case the first one made."""
    if not formkeys.claim(actor, key, INTAKE_FORM_OPERATION, case.public_id):
        existing = intake_already_saved(actor, key)
        if existing is None:
            raise ValidationFailed(
                {"": [_("This form is being saved by another request; reload the case list.")]}
            )
        raise AlreadySaved(existing)


def intake(
    actor: Any,
    data: IntakeInput,
    *,
    draft: bool = False,
    idempotency_key: str | None = None,
    typed_on: date | None = None,
) -> tuple[Case, list[str]]:
    """Create a draft case from a quick intake; returns the case and any warnings.

    With ``draft=True`` nothing is required and unreadable values are kept as notes, so a
    monitor never loses what was typed; an empty form saves nothing (ValidationFailed).
    ``typed_on`` (a web form: today) reads "today", "вчера" as that day (``FieldReader``).

    ``idempotency_key`` (the random key of one rendered intake form) is stored with the case,
    unique per user, before the case: the same form sent again raises ``AlreadySaved`` with the
    case it made, also when both sends arrive at once (the unique constraint decides).
    """
    if not permissions.can_create_case(actor):
        raise PermissionDenied("This account cannot create cases.")
    if data.is_empty():
        raise ValidationFailed({"": [_(EMPTY_INTAKE)]})
    idempotency_key = formkeys.clean(idempotency_key)
    values, warnings = _intake_values(data, draft=draft, typed_on=typed_on)
    case = Case(
        public_id=new_public_id(), created_by_id=actor.id, status=CaseStatus.DRAFT, **values
    )
    case.members.append(
        CaseMember(user_id=actor.id, team_role=TeamRole.CREATOR, added_by_id=actor.id)
    )
    if idempotency_key is not None:
        _claim_form_key(actor, idempotency_key, case)
    # Without a date of the act, a year-less reference until the date is known.
    _assign_reference(case, values["act_date"].year if values["act_date"] else None)
    names = ([NameInput(data.name, None, data.name_kind)] if name_text(data.name) else []) + list(
        data.extra_names
    )
    if names:
        person = create_person(actor, names)
        db.session.add(CasePerson(case_id=case.id, person_id=person.id, role=CaseRole.AT_RISK))
    if values["act_type"] is not None:
        from casework.cases.events import create_act_event

        create_act_event(actor, case)
    db.session.add(
        StatusChange(
            case_id=case.id,
            from_status=None,
            to_status=CaseStatus.DRAFT,
            author_id=actor.id,
            comment=INTAKE_NOTE,
        )
    )
    db.session.flush()
    record(actor, "case.created", case, case=case, draft=draft)
    return case, warnings


# What a UN treaty body asks of the representation: the alleged victim's authorisation (how,
# by whom, when; or why it cannot be obtained) and other international procedures used.
PROCEDURAL_FIELDS = (
    "authorisation",
    "authorised_by",
    "authorised_on",
    "authorisation_note",
    "other_procedures",
    "other_procedures_details",
)
CASE_FIELDS = (
    "title",
    "act_type",
    "act_date",
    "act_date_approximate",
    "act_date_note",
    "act_place",
    "destination_country",
    "urgency",
    "current_situation",
    "narrative",
    "after_return",
    "external_ref",
    *PROCEDURAL_FIELDS,
)


def case_values(data: dict[str, Any], *, typed_on: date | None = None) -> dict[str, Any]:
    """Validate the editable case fields present in ``data`` (``typed_on``: ``FieldReader``)."""
    r = FieldReader(data, typed_on=typed_on)
    r.text("title", TITLE_MAX_LEN, one_line=True)
    r.vocab("act_type", ActType, message=_("Unknown act type."))
    r.partial_date("act_date", approximate="act_date_approximate")
    r.flag("act_date_approximate")
    r.text("act_date_note", 200, one_line=True)
    r.text("act_place", 200, one_line=True)
    r.country("destination_country")
    r.vocab("urgency", Urgency, default=Urgency.ROUTINE, message=_("Choose an urgency."))
    r.vocab(
        "current_situation", Situation, default=Situation.UNKNOWN, message=_("Unknown situation.")
    )
    r.text("narrative", NARRATIVE_MAX_LEN)
    r.text("after_return", NARRATIVE_MAX_LEN)
    r.text("external_ref", 100, one_line=True)
    r.vocab(
        "authorisation",
        Authorisation,
        default=Authorisation.NOT_RECORDED,
        message=_("Choose how the person authorised us, or that it cannot be obtained."),
    )
    r.text("authorised_by", AUTHORISED_BY_MAX_LEN, one_line=True)
    r.day("authorised_on")
    if (day := r.take("authorised_on")) is not None and day > date.today():
        r.error("authorised_on", _("The authorisation cannot be dated in the future."))
    elif "authorised_on" in r:
        r.set("authorised_on", day)
    r.text("authorisation_note", PROCEDURE_NOTE_MAX_LEN)
    r.vocab(
        "other_procedures",
        OtherProcedure,
        default=OtherProcedure.NOT_STATED,
        message=_("Choose whether the matter went to another international procedure."),
    )
    r.text("other_procedures_details", PROCEDURE_NOTE_MAX_LEN)
    return r.values()


def update_case(
    actor: Any,
    case: Case,
    data: dict[str, Any],
    expected_version: Any,
    *,
    typed_on: date | None = None,
) -> list[str]:
    """Edit a case's facts. A stale version raises StaleEdit and changes nothing."""
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied()
    values = case_values(data, typed_on=typed_on)
    check_version(case, expected_version, data)
    was_verified = case.status == CaseStatus.VERIFIED
    changed = apply_changes(actor, case, values, "case.updated", case=case)
    if changed:
        case.updated_at = utcnow()
        date_reference(actor, case)
        if was_verified:
            facts_changed(actor, case, [f for f in changed if f in VERIFIED_FACTS])
    return changed


def date_reference(actor: Any, case: Case) -> None:
    """A year-less reference becomes the dated one once the date of the act is known; the old
    one stays findable (``former_reference``, the case list's reference filter) and audited."""
    if case.act_date is None or not is_undated_reference(case.reference):
        return
    old = case.reference
    case.former_reference = old
    _assign_reference(case, case.act_date.year)
    record(actor, "case.reference_dated", case, case=case, old=old, new=case.reference)


# The fields of a case a lawyer verified: a change by anyone but the case's lawyer puts a
# verified case back into legal review (``casework.cases.verification``).
# The authorisation and the other procedures are the representation's, not facts of the case
# checked against its sources: recording them leaves a verified case verified.
VERIFIED_FACTS = frozenset(CASE_FIELDS) - {
    "urgency",
    "external_ref",
    "current_situation",
    *PROCEDURAL_FIELDS,
}


def transition(actor: Any, case: Case, to: str, comment: str | None) -> StatusChange:
    """Move a case along the review workflow; who may is decided in ``permissions``."""
    target = CaseStatus.parse(to)
    if target is None:
        raise ValidationFailed({"to": [_("Unknown status.")]})
    if not permissions.can_transition(actor, case, target):
        raise PermissionDenied(
            _("You cannot move this case to \u201c%(status)s\u201d.", status=target.label)
        )
    comment = (comment or "").strip() or None
    if target == CaseStatus.RETURNED and not comment:
        raise ValidationFailed({"comment": [_("Say what the monitor should add or correct.")]})
    if comment and len(comment) > COMMENT_MAX_LEN:
        raise ValidationFailed(
            {"comment": [_("Keep the comment under %(n)s characters.", n=COMMENT_MAX_LEN)]}
        )
    change = StatusChange(
        case_id=case.id,
        from_status=case.status,
        to_status=target,
        comment=comment,
        author_id=actor.id,
    )
    db.session.add(change)
    record(actor, "case.status_changed", case, case=case, old=case.status.value, new=target.value)
    case.status = target
    case.updated_at = utcnow()
    db.session.flush()
    return change


def add_comment(actor: Any, case: Case, body: str) -> Comment:
    if not permissions.can_comment(actor, case):
        raise PermissionDenied()
    body = (body or "").strip()
    if not body:
        raise ValidationFailed({"body": [_("The comment is empty.")]})
    if len(body) > COMMENT_MAX_LEN:
        raise ValidationFailed(
            {"body": [_("Keep the comment under %(n)s characters.", n=COMMENT_MAX_LEN)]}
        )
    comment = Comment(case_id=case.id, author_id=actor.id, body=body)
    db.session.add(comment)
    db.session.flush()
    record(actor, "case.commented", comment, case=case)
    return comment


# --- the team -------------------------------------------------------------------------------


def _member(case: Case, user: Any) -> CaseMember | None:
    return next((m for m in case.members if m.user_id == user.id), None)


def add_member(
    actor: Any, case: Case, user: Any, team_role: TeamRole = TeamRole.MEMBER
) -> CaseMember:
    """Put ``user`` on the case's team (or make them its assigned lawyer)."""
    if not permissions.can_manage_team(actor, case):
        raise PermissionDenied()
    if not user.is_active_account:
        raise ValidationFailed({"user": [_("That account is deactivated.")]})
    if team_role == TeamRole.LAWYER and not permissions.may_be_lawyer(user):
        raise ValidationFailed({"user": [_("Only a lawyer can be the assigned lawyer.")]})
    member = _member(case, user)
    if member is None:
        member = CaseMember(
            case_id=case.id, user_id=user.id, team_role=team_role, added_by_id=actor.id
        )
        case.members.append(member)
    elif member.team_role != TeamRole.CREATOR:
        member.team_role = team_role
    case.updated_at = utcnow()
    db.session.flush()
    record(
        actor, "case.member_added", case, case=case, user=user.public_id, team_role=team_role.value
    )
    return member


def remove_member(actor: Any, case: Case, user: Any) -> None:
    if not permissions.can_manage_team(actor, case):
        raise PermissionDenied()
    member = _member(case, user)
    if member is None:
        return
    if member.team_role == TeamRole.CREATOR:
        raise ValidationFailed({"user": [_("The case's creator stays on its team.")]})
    case.members.remove(member)
    case.updated_at = utcnow()
    db.session.flush()
    record(actor, "case.member_removed", case, case=case, user=user.public_id)


def set_restricted(actor: Any, case: Case, restricted: bool) -> None:
    if not permissions.can_manage_team(actor, case):
        raise PermissionDenied()
    if case.restricted != restricted:
        case.restricted = restricted
        case.updated_at = utcnow()
        record(actor, "case.restricted" if restricted else "case.unrestricted", case, case=case)


def case_team(case: Case) -> list[CaseMember]:
    """The case's team, each member with their account, by role on the team then name: the
    members the access check read (``case.members``), else one query for them with their
    accounts; their accounts not loaded yet in one query, whatever the team's size."""
    if "members" in inspect(case).unloaded:
        members = db.session.scalars(
            select(CaseMember)
            .where(CaseMember.case_id == case.id)
            .options(joinedload(CaseMember.user))
        ).all()
    else:
        members = list(case.members)
        unloaded = [m for m in members if "user" in inspect(m).unloaded]
        if unloaded:
            ids = {m.user_id for m in unloaded}
            accounts = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
            for member in unloaded:
                set_committed_value(member, "user", accounts.get(member.user_id))
    return sorted(members, key=lambda m: (m.team_role.value, m.user.display_name))


# --- people in a case -----------------------------------------------------------------------


def add_person_to_case(actor: Any, case: Case, person: Any, role: str) -> CasePerson:
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied()
    case_role = CaseRole.parse(role)
    if case_role is None:
        raise ValidationFailed({"role": [_("Choose the person's role in the case.")]})
    link = db.session.scalar(
        select(CasePerson).where(CasePerson.case_id == case.id, CasePerson.person_id == person.id)
    )
    if link is None:
        link = CasePerson(case_id=case.id, person_id=person.id, role=case_role)
        db.session.add(link)
    else:
        link.role = case_role
        if link.hidden_at is not None:
            # Back in the case: the removal (who, why) is the trail's now, not the link's.
            # A link shown by a merge keeps them, for its undo to put the removal back.
            link.hidden_at = link.hidden_by_id = link.hidden_reason = None
    case.updated_at = utcnow()
    db.session.flush()
    record(actor, "case.person_added", person, case=case, role=case_role.value)
    facts_changed(actor, case, ["people"])
    return link


def restore_person_link(actor: Any, case: Case, link: CasePerson) -> None:
    """Bring a person removed from ``case`` back into it (a coordinator). The link of a record
    merged into another is not: the merge hid it, and brought back it would put a hidden
    record with no name of its own beside the record kept. Undoing the merge brings the
    record back, with its names and its cases."""
    if not permissions.can_restore(actor, case):
        raise PermissionDenied()
    if link.person.merged_into_id is not None:
        raise ValidationFailed(
            {
                "person": [
                    _(
                        "This record was merged into another record of the same person: undo "
                        "the merge to bring it back into the case."
                    )
                ]
            }
        )
    restore(link, actor, case=case)


def add_new_person(
    actor: Any, case: Case, names: list[NameInput], role: str, **details: Any
) -> CasePerson:
    """Create a person (names and details) in ``case`` with ``role``."""
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied()
    person = create_person(actor, names, **details)
    return add_person_to_case(actor, case, person, role)


def case_people(case: Case, *, include_hidden: bool = False) -> list[CasePerson]:
    return [cp for cp in case.people if include_hidden or not cp.is_hidden]


def case_people_with_names(
    case: Case, *, include_hidden: bool = False, details: bool = True
) -> list[CasePerson]:
    """:func:`case_people` with each person (read with their link) and their names loaded (two
    queries in all). Without ``details``, a person's contacts, address and notes are left
    unread (sealed: opened only where shown, on the person's page and in the outputs)."""
    person = joinedload(CasePerson.person)
    if not details:
        person = person.defer(Person.contacts).defer(Person.address).defer(Person.notes)
    query = (
        select(CasePerson)
        .where(CasePerson.case_id == case.id)
        .options(person.selectinload(Person.names))
        .order_by(CasePerson.id)
    )
    if not include_hidden:
        query = query.where(CasePerson.hidden_at.is_(None))
    return list(db.session.scalars(query))


def primary_person(case: Case) -> Any:
    """The (first) person at risk, or None."""
    for cp in case_people(case):
        if cp.role == CaseRole.AT_RISK:
            return cp.person
    return None


_REF_RE = re.compile(r"^[A-Z]{2,5}-(\d{4}|XXXX)-\d{4,}$")


def looks_like_reference(text: str) -> bool:
    return bool(_REF_RE.match(text.strip().upper()))


# --- discarding a draft, closing a duplicate ------------------------------------------------


def discard_draft(actor: Any, case: Case, reason: str | None) -> Case:
    """Discard a draft recorded by mistake: hidden (never deleted) with who, when and why,
    by its creator or a coordinator; a coordinator can bring it back."""
    # Told first: a discarded draft is changed by nobody (``permissions.may``), and a second
    # send of the form (a double tap) is no refusal.
    if case.hidden_at is not None and permissions.can_view_identifying(actor, case):
        raise ValidationFailed({"reason": [_("This draft is already discarded.")]})
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied()
    if case.status != CaseStatus.DRAFT:
        raise ValidationFailed(
            {"reason": [_("Only a draft can be discarded; close a duplicate case instead.")]}
        )
    if not permissions.can_discard_draft(actor, case):
        raise PermissionDenied(_("Only the draft's creator or a coordinator can discard it."))
    hide(case, actor, reason, case=case, action="case.discarded")
    return case


def restore_discarded(actor: Any, case: Case) -> Case:
    if not permissions.can_restore(actor, case):
        raise PermissionDenied()
    if not case.is_hidden:
        raise ValidationFailed({"": [_("This case is not discarded.")]})
    restore(case, actor, case=case, action="case.discard_restored")
    return case


def mark_duplicate(actor: Any, case: Case, original: Case | None, reason: str | None) -> Case:
    """Close ``case`` as a duplicate of ``original``: linked, audited on both, shown on both."""
    if case.duplicate_of_id is not None or case.status == CaseStatus.CLOSED:
        raise ValidationFailed({"original": [_("This case is already closed.")]})
    if original is None:
        raise ValidationFailed({"original": [_("No case you may read has this reference.")]})
    if original.id == case.id:
        raise ValidationFailed({"original": [_("A case cannot duplicate itself.")]})
    if original.duplicate_of_id is not None:
        raise ValidationFailed(
            {
                "original": [
                    _(
                        "%(reference)s is itself a duplicate: choose its original.",
                        reference=original.reference,
                    )
                ]
            }
        )
    if not permissions.can_mark_duplicate(actor, case, original):
        raise PermissionDenied()
    reason = " ".join((reason or "").split()) or None
    if reason and len(reason) > COMMENT_MAX_LEN:
        raise ValidationFailed(
            {"reason": [_("Keep it under %(n)s characters.", n=COMMENT_MAX_LEN)]}
        )
    case.duplicate_of_id = original.id
    db.session.add(
        StatusChange(
            case_id=case.id,
            from_status=case.status,
            to_status=CaseStatus.CLOSED,
            comment=reason,
            author_id=actor.id,
        )
    )
    record(
        actor, "case.marked_duplicate", case, case=case, original=original.reference,
        old=case.status.value, new=CaseStatus.CLOSED.value,
    )  # fmt: skip
    record(actor, "case.duplicate_recorded", original, case=original, duplicate=case.reference)
    case.status = CaseStatus.CLOSED
    case.updated_at = original.updated_at = utcnow()
    db.session.flush()
    return case


def duplicates_of(case: Case) -> list[Case]:
    return list(
        db.session.scalars(
            select(Case).where(Case.duplicate_of_id == case.id).order_by(Case.reference_key)
        )
    )


def return_reason(case: Case) -> StatusChange | None:
    """While a case is returned to the monitor: the lawyer's step that returned it."""
    return return_reasons([case]).get(case.id)


def return_reasons(cases: list[Case]) -> dict[int, StatusChange]:
    """``return_reason`` of each of ``cases`` returned to the monitor, in one query, with the
    step's author: {case id: the latest step that returned it}. Only those steps are read
    (and their comments decrypted), however often a case went back and forth."""
    ids = [case.id for case in cases if case.status == CaseStatus.RETURNED]
    if not ids:
        return {}
    ranked = (
        select(
            StatusChange.id,
            func.row_number()
            .over(
                partition_by=StatusChange.case_id,
                order_by=(StatusChange.created_at.desc(), StatusChange.id.desc()),
            )
            .label("rank"),
        )
        .where(among(StatusChange.case_id, ids), StatusChange.to_status == CaseStatus.RETURNED)
        .subquery()
    )
    steps = db.session.scalars(
        select(StatusChange)
        .join(ranked, ranked.c.id == StatusChange.id)
        .where(ranked.c.rank == 1)
        .options(joinedload(StatusChange.author))
    )
    return {step.case_id: step for step in steps}


def reindex_external_refs(batch: int = 1000) -> int:
    """Recompute the key of every case's own reference (after a change of BLIND_INDEX_KEY);
    returns how many cases have one. Only the keys are written: the cases' versions and times
    of change stay as they are, since nothing a user typed changed."""
    keys = sql_table("cases", sql_column("id"), sql_column("external_ref_key"))
    count = last = 0
    while True:
        rows = db.session.execute(
            select(Case.id, Case.external_ref)
            .where(Case.id > last, Case.external_ref.is_not(None))
            .order_by(Case.id)
            .limit(batch)
        ).all()
        if not rows:
            return count
        db.session.execute(
            update(keys)
            .where(keys.c.id == bindparam("_id"))
            .values(external_ref_key=bindparam("_key")),
            [
                {
                    "_id": case_id,
                    "_key": external_ref_key(
                        open_selected(db.session, Case.external_ref, case_id, ref)
                    ),
                }
                for case_id, ref in rows
            ],
        )
        count += len(rows)
        last = rows[-1][0]
