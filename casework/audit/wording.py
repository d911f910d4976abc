"""The audit trail in words: one sentence per entry, for every page that shows history.

``WORDING`` maps every action code the application records to a sentence builder (a format
string over the entry's details, or a function of the entry). ``describe(entry)`` is what the
case history, the audit page and the catalogue history show. Details never hold identifying
values (see ``casework.audit.services.record``), so a sentence never does either: an edit of an
identifying field says only that it changed; non-identifying fields (codes, statuses, dates,
countries) carry their value before and after (``changes`` in the details).

``tests/test_audit_wording.py`` fails when an action code used in the code has no wording.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from casework.core import countries
from casework.core.types import PartialDate
from casework.core.vocab import (
    ActionStatus,
    ActionType,
    ActType,
    Assessment,
    CaseRole,
    CaseStatus,
    EventType,
    FollowUpStatus,
    InterimMeasures,
    RemedyKind,
    RemedyOutcome,
    Role,
    Script,
    Situation,
    TeamRole,
    Urgency,
    ViolationStatus,
    Vocab,
)

# Field name -> the vocabulary its codes come from (for "from Routine to Imminent").
_FIELD_VOCAB: dict[str, type[Vocab]] = {
    "status": CaseStatus,
    "urgency": Urgency,
    "act_type": ActType,
    "current_situation": Situation,
    "event_type": EventType,
    "assessment": Assessment,
    "violation_status": ViolationStatus,
    "kind": RemedyKind,
    "outcome": RemedyOutcome,
    "action_type": ActionType,
    "interim_measures": InterimMeasures,
    "follow_up_status": FollowUpStatus,
    "role": Role,
}
_COUNTRY_FIELDS = frozenset(
    {"destination_country", "requesting_state", "nationality", "state_under_review", "country"}
)
# Friendlier names than the column's for a few fields.
_FIELD_NAMES = {
    "act_type": "act",
    "act_date": "date of the act",
    "act_date_approximate": "approximate date",
    "act_date_note": "note on the date",
    "act_place": "place of the act",
    "destination_country": "destination country",
    "current_situation": "situation",
    "after_return": "known after return",
    "external_ref": "own reference",
    "date_note": "note on the date",
    "source_ids": "sources",
    "sources": "sources",
}


def field_name(name: str) -> str:
    return _FIELD_NAMES.get(name, name.replace("_", " "))


def value_words(name: str, value: Any) -> str:
    """A stored code or value as a reader would say it."""
    if value is None or value == "":
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in _COUNTRY_FIELDS and isinstance(value, str):
        return countries.name(value) or value
    vocab = _FIELD_VOCAB.get(name)
    if vocab is not None and isinstance(value, str):
        member = vocab.parse(value)
        if member is not None:
            return member.label.lower() if name in ("status", "to_status") else member.label
    return str(value)


def _label(vocab: type[Vocab], value: Any, *, lower: bool = False) -> str:
    member = vocab.parse(value) if isinstance(value, str) else None
    if member is None:
        return str(value or "?")
    return member.label.lower() if lower else member.label


def changes_words(details: dict[str, Any]) -> str:
    """ "the urgency from Routine to Imminent; the narrative" (before/after where recorded)."""
    changes = details.get("changes") or {}
    parts = []
    for name in details.get("fields") or []:
        if name in changes:
            before, after = changes[name]
            parts.append(
                f"the {field_name(name)} from {value_words(name, before)} "
                f"to {value_words(name, after)}"
            )
        else:
            parts.append(f"the {field_name(name)}")
    return "; ".join(parts) if parts else "nothing visible"


class _Details(dict):
    """Format-map that never raises: a missing detail reads as "?"."""

    def __missing__(self, key: str) -> str:
        return "?"


_RECORD_WORDS = {
    "events": "an event",
    "sources": "a source",
    "documents": "a document",
    "case_people": "a person",
    "comments": "a comment",
}

Builder = str | Callable[[Any, str, dict[str, Any]], str]


def _status_change(entry: Any, who: str, d: dict[str, Any]) -> str:
    return (
        f"{who} changed the status from {_label(CaseStatus, d.get('old'), lower=True)} "
        f"to {_label(CaseStatus, d.get('new'), lower=True)}"
    )


def _advocacy_status(entry: Any, who: str, d: dict[str, Any]) -> str:
    return (
        f"{who} changed the action's status from {_label(ActionStatus, d.get('from_status'))} "
        f"to {_label(ActionStatus, d.get('to_status'))}"
    )


def _link(verb: str) -> Callable[[Any, str, dict[str, Any]], str]:
    def build(entry: Any, who: str, d: dict[str, Any]) -> str:
        words = [f"{who} {verb} {d.get('code', '?')}"]
        if d.get("assessment"):
            words.append(_label(Assessment, d["assessment"], lower=True))
        if d.get("violation_status"):
            words.append(_label(ViolationStatus, d["violation_status"], lower=True))
        return ", ".join(words)

    return build


def _edit(what: str) -> Callable[[Any, str, dict[str, Any]], str]:
    def build(entry: Any, who: str, d: dict[str, Any]) -> str:
        return f"{who} changed {what}: {changes_words(d)}"

    return build


def _member_added(entry: Any, who: str, d: dict[str, Any]) -> str:
    role = _label(TeamRole, d.get("team_role"), lower=True)
    return f"{who} added someone to the team as {role}"


def _created(entry: Any, who: str, d: dict[str, Any]) -> str:
    return f"{who} created the case" + (" as a draft" if d.get("draft") else "")


def _case_role(entry: Any, who: str, d: dict[str, Any]) -> str:
    return f"{who} added a person to the case as {_label(CaseRole, d.get('role'), lower=True)}"


def _name_added(entry: Any, who: str, d: dict[str, Any]) -> str:
    return f"{who} added a name ({_label(Script, d.get('script'))}) to a person"


def _refused(entry: Any, who: str, d: dict[str, Any]) -> str:
    status = d.get("status")
    return f"{who} was refused access" + (f" ({status})" if status else "")


def _api(entry: Any, who: str, d: dict[str, Any]) -> str:
    return f"{who} called the API: {d.get('endpoint', '?')} answered {d.get('status', '?')}"


def _reference_dated(entry: Any, who: str, d: dict[str, Any]) -> str:
    return f"The case got its dated reference {d.get('new', '?')} (formerly {d.get('old', '?')})"


def _reopened(entry: Any, who: str, d: dict[str, Any]) -> str:
    return (
        f"{who} changed the facts of the verified case ({', '.join(map(field_name, d.get('fields') or []))}): "
        "it went back into legal review"
    )


def _action_created(entry: Any, who: str, d: dict[str, Any]) -> str:
    return (
        f"{who} created an advocacy action ({_label(ActionType, d.get('action_type'))}, "
        f"{_label(ActionStatus, d.get('status'), lower=True)})"
    )


def _role_changed(entry: Any, who: str, d: dict[str, Any]) -> str:
    old, new = d.get("old"), d.get("new")
    if old or new:
        return f"{who} changed an account's role from {_label(Role, old)} to {_label(Role, new)}"
    return f"{who} changed an account's role"


WORDING: dict[str, Builder] = {
    # access and the API
    "access.refused": _refused,
    "api.request": _api,
    "api_token.created": "{who} created an API token ({scope}, {days} days)",
    "api_token.refused": "An API token was refused ({reason})",
    "api_token.revoked": "{who} revoked an API token",
    # sign-in and second factor
    "auth.enrolment_failed": "{who} entered a wrong code while setting up the second factor",
    "auth.login": "{who} signed in",
    "auth.login_failed": "A sign-in failed",
    "auth.login_refused_inactive": "A deactivated account tried to sign in",
    "auth.login_throttled": "Sign-in attempts were throttled",
    "auth.logout": "{who} signed out",
    "auth.other_sessions_ended": "{who} ended their other sessions",
    "auth.reauth_failed": "{who} failed to confirm their password and code",
    "auth.reauthenticated": "{who} confirmed their password and code",
    "auth.recovery_code_used": "{who} signed in with a recovery code",
    "auth.recovery_codes_renewed": "{who} made new recovery codes",
    "auth.second_factor_enrolled": "{who} set up their second factor",
    "auth.second_factor_failed": "{who} entered a wrong second-factor code",
    "auth.second_factor_replaced": "{who} moved their second factor to a new app",
    # advocacy
    "advocacy.action_created": _action_created,
    "advocacy.action_updated": _edit("the advocacy action"),
    "advocacy.body_created": "{who} added a target body",
    "advocacy.body_retired": "{who} retired a target body",
    "advocacy.body_restored": "{who} brought back a target body",
    "advocacy.status_changed": _advocacy_status,
    "calendar.token_created": "{who} switched on their calendar feed",
    "calendar.token_rotated": "{who} changed their calendar feed's address",
    "calendar.token_revoked": "{who} switched off their calendar feed",
    "reminders.run": "The reminder run sent {sent} e-mails",
    "reminder.sent": "A reminder e-mail was sent",
    # cases
    "case.commented": "{who} commented",
    "case.created": _created,
    "case.discarded": "{who} discarded the draft",
    "case.discard_restored": "{who} brought back the discarded draft",
    "case.marked_duplicate": "{who} marked the case as a duplicate of {original} and closed it",
    "case.duplicate_recorded": "{who} marked {duplicate} as a duplicate of this case",
    "case.listed": "{who} listed cases through the API",
    "case.member_added": _member_added,
    "case.member_removed": "{who} removed someone from the team",
    "case.name_search": "{who} searched by name ({results} results)",
    "case.person_added": _case_role,
    "case.printed": "{who} printed the case",
    "case.reference_dated": _reference_dated,
    "case.reopened_for_review": _reopened,
    "case.restricted": "{who} restricted the case",
    "case.status_changed": _status_change,
    "case.unrestricted": "{who} lifted the restriction",
    "case.updated": _edit("the case"),
    "case.viewed": "{who} opened the case file",
    # backups, background jobs, search
    "backup.created": "{who} made a backup ({tables} tables, {files} files)",
    "backup.restored": "{who} restored a backup made {created_at} ({tables} tables, {files} files)",
    "job.queued": "{who} started a background job ({kind})",
    "job.downloaded": "{who} downloaded the file of a background job ({kind})",
    "search.run": "{who} searched the case texts ({cases} cases found)",
    "document.downloaded": "{who} downloaded a document",
    "document.uploaded": "{who} uploaded a document ({size} bytes)",
    "event.created": "{who} added an event to the timeline",
    "event.updated": _edit("an event"),
    "import.cases": "{who} imported {cases} cases ({people} people; {rejected_rows} rows rejected)",
    # legal
    "legal.catalogue_seeded": (
        "The reference catalogue was loaded ({instruments} instruments, {provisions} provisions)"
    ),
    "legal.instrument_created": "{who} added the instrument {code}",
    "legal.instrument_updated": _edit("the instrument"),
    "legal.instrument_retired": "{who} retired {code}",
    "legal.instrument_reinstated": "{who} reinstated {code}",
    "legal.provision_created": "{who} added the provision {code}",
    "legal.provision_updated": _edit("the provision"),
    "legal.provision_retired": "{who} retired {code}",
    "legal.provision_reinstated": "{who} reinstated {code}",
    "legal.seed_corrected": "The reference catalogue corrected {code}: {changes}",
    "legal.seed_correction_accepted": "{who} took the catalogue's version of {code}",
    "legal.seed_correction_declined": "{who} kept their own version of {code}",
    "legal.link_created": _link("linked"),
    "legal.link_suggested": _link("suggested"),
    "legal.link_updated": lambda e, who, d: (
        f"{who} changed the link to {d.get('code', '?')}: {changes_words(d)}"
    ),
    "legal.link_imported": "{who} imported a link to {code}",
    "legal.link_hidden": "{who} removed the link to {code}",
    "legal.link_restored": "{who} restored the link to {code}",
    "legal.suggestion_accepted": _link("accepted the suggestion"),
    "legal.suggestion_dismissed": "{who} dismissed the suggestion of {code}",
    "legal.precedent_cited": "{who} cited the decision {code} as a precedent",
    "legal.precedent_hidden": "{who} stopped citing a decision",
    "legal.precedent_restored": "{who} cited a decision again",
    "legal.remedy_created": lambda e, who, d: (
        f"{who} recorded a domestic remedy ({_label(RemedyKind, d.get('kind'))})"
    ),
    "legal.remedy_updated": _edit("a domestic remedy"),
    "legal.remedy_hidden": "{who} removed a domestic remedy",
    "legal.remedy_restored": "{who} restored a domestic remedy",
    # outputs
    "organisation.updated": "{who} updated the organisation profile",
    "output.generated": "{who} produced an output ({output}, {format})",
    "output.reviewed": "{who} reviewed the free text for an output ({output})",
    "report.draft_created": "{who} started a UPR submission draft",
    "report.draft_saved": "{who} saved version {version} of a UPR submission draft",
    # people
    "person.created": "{who} recorded a person",
    "person.family_linked": "{who} recorded a family link",
    "person.merged": "{who} merged two records of one person",
    "person.name_added": _name_added,
    "person.name_hidden": "{who} removed a name of a person",
    "person.unmerged": "{who} undid a merge of two records",
    "person.updated": _edit("a person"),
    "person.viewed": "{who} opened a person's record",
    # records of a case (hidden and restored through the shared mechanism)
    "record.hidden": lambda e, who, d: (
        f"{who} removed {_RECORD_WORDS.get(e.object_type, 'a record')} from the case file"
    ),
    "record.restored": lambda e, who, d: (
        f"{who} restored {_RECORD_WORDS.get(e.object_type, 'a record')}"
    ),
    "source.created": "{who} added a source",
    "source.updated": _edit("a source"),
    # UPR
    "upr.action_linked": "{who} linked an advocacy action to a recommendation",
    "upr.action_unlinked": "{who} unlinked an advocacy action from a recommendation",
    "upr.case_linked": "{who} linked the case to a UPR recommendation",
    "upr.case_unlinked": "{who} unlinked the case from a UPR recommendation",
    "upr.cycle_created": "{who} added a UPR cycle",
    "upr.cycle_updated": _edit("a UPR cycle"),
    "upr.imported": (
        "{who} imported UPR recommendations ({created} new, {updated} updated, "
        "{unchanged} unchanged)"
    ),
    "upr.recommendation_created": "{who} added recommendation {number}",
    "upr.recommendation_updated": _edit("a UPR recommendation"),
    "upr.response_date_set": "{who} set the response date of {count} recommendations",
    # accounts
    "user.activated": "{who} reactivated an account",
    "user.coordinator_grant_mailed": "The coordinators were told of a new coordinator",
    "user.coordinator_granted": "{who} gave an account the coordinator role",
    "user.created": "{who} created an account",
    "user.deactivated": "{who} deactivated an account",
    "user.password_changed": "{who} changed their password",
    "user.password_reset_issued": "{who} handed out a password reset code",
    "user.password_reset_used": "{who} set a new password with a reset code",
    "user.profile_updated": "{who} updated their profile",
    "user.renamed": "{who} changed an account's name",
    "user.role_changed": _role_changed,
    "user.second_factor_reset": "The second factor of an account was removed (two approvals)",
    "user.second_factor_reset_approved": "{who} approved removing a second factor ({approval})",
    "user.second_factor_reset_cancelled": "{who} cancelled a second-factor reset",
}


def _format_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, PartialDate):
        return value.iso()
    return str(value)


def describe(entry: Any) -> str:
    """One sentence for an audit entry ("Aida changed the status from submitted to verified")."""
    actor = getattr(entry, "actor", None)
    who = actor.display_name if actor is not None else "The system"
    details = dict(entry.details or {})
    builder = WORDING.get(entry.action)
    if builder is None:
        # Older entries whose action is no longer recorded: still a sentence, not a code.
        return f"{who}: {entry.action.replace('.', ' ').replace('_', ' ')}"
    if callable(builder):
        return builder(entry, who, details)
    values = _Details({k: _format_value(v) for k, v in details.items()})
    values["who"] = who
    values["changes"] = changes_words(details)
    return builder.format_map(values)
