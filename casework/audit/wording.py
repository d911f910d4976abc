"""The audit trail in words: one sentence per entry, for every page that shows history.

``WORDING`` maps every action code the application records to a sentence builder (a format
string over the entry's details, or a ``Sentence``: a function of the entry with a summary).
``describe(entry)`` is what the case history, the audit page and the catalogue history show;
``action_label(code)``, what happened in short, is derived from the same wording (the sentence
or its summary without who and the details) for the audit page's filter, which groups the codes
by their object (``ACTION_GROUPS``, by the part of the code before the dot). Details never hold identifying
values (see ``casework.audit.services.record``), so a sentence never does either: an edit of an
identifying field says only that it changed; non-identifying fields (codes, statuses, dates,
countries) carry their value before and after (``changes`` in the details).

``object_type_label(type)`` names what an entry is about (``OBJECT_TYPES``: "Person in a case",
not the table's name) for the audit page's object-type filter and its Object column.

``tests/test_audit_wording.py`` fails when an action code used in the code has no wording, or
no label of its own within its group, or an object type no label (in each language).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from casework.core import countries
from casework.core.i18n import N_, format_moment, format_partial_date, translate
from casework.core.i18n import gettext as _
from casework.core.i18n import gettext as _gettext
from casework.core.types import PartialDate, PartialDateError
from casework.core.vocab import (
    ActionStatus,
    ActionType,
    ActType,
    Assessment,
    Authorisation,
    CaseRole,
    CaseStatus,
    ConsentLevel,
    EventType,
    FollowUpStatus,
    Gender,
    GovernmentContact,
    InterimMeasures,
    LegalStatus,
    OtherProcedure,
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
from casework.permissions import IDENTIFYING_FIELDS

# Field name -> the vocabulary its codes come from (for "from Routine to Imminent").
_FIELD_VOCAB: dict[str, type[Vocab]] = {
    "status": CaseStatus,
    "urgency": Urgency,
    "act_type": ActType,
    "current_situation": Situation,
    "authorisation": Authorisation,
    "other_procedures": OtherProcedure,
    "event_type": EventType,
    "assessment": Assessment,
    "violation_status": ViolationStatus,
    "kind": RemedyKind,
    "outcome": RemedyOutcome,
    "action_type": ActionType,
    "interim_measures": InterimMeasures,
    "follow_up_status": FollowUpStatus,
    "role": Role,
    # a person's details
    "consent": ConsentLevel,
    "government_contact": GovernmentContact,
    "legal_status": LegalStatus,
    "gender": Gender,
}
_COUNTRY_FIELDS = frozenset(
    {"destination_country", "requesting_state", "nationality", "state_under_review", "country"}
)
# Friendlier names than the column's for a few fields.
_FIELD_NAMES = {
    "act_type": N_("act"),
    "act_date": N_("date of the act"),
    "act_date_approximate": N_("approximate date"),
    "act_date_note": N_("note on the date"),
    "act_place": N_("place of the act"),
    "destination_country": N_("destination country"),
    "current_situation": N_("situation"),
    "after_return": N_("known after return"),
    "authorisation": N_("authorisation to act before a UN body"),
    "authorised_by": N_("authorised by"),
    "authorised_on": N_("date of the authorisation"),
    "authorisation_note": N_("why the authorisation cannot be obtained"),
    "other_procedures": N_("other international procedures"),
    "other_procedures_details": N_("details of the other procedures"),
    "external_ref": N_("own reference"),
    "date_note": N_("note on the date"),
    "source_ids": N_("sources"),
    "sources": N_("sources"),
    # Every other field an edit can name (tests/test_audit_wording.py checks each model's).
    "reference": N_("reference"),
    "reference_key": N_("reference"),
    "external_ref_key": N_("own reference"),
    "former_reference": N_("former reference"),
    "urgency": N_("urgency"),
    "event_type": N_("kind of event"),
    "date": N_("date"),
    "date_approximate": N_("approximate date"),
    "requesting_state": N_("requesting State"),
    "wanted_notice": N_("wanted notice"),
    "asylum_stage": N_("asylum stage"),
    "gender": N_("gender"),
    "birth_date": N_("date of birth"),
    "birth_date_approximate": N_("approximate date of birth"),
    "nationality": N_("nationality"),
    "ethnicity": N_("ethnicity"),
    "legal_status": N_("legal status"),
    "unhcr_number": N_("UNHCR number"),
    "contacts": N_("contacts"),
    "address": N_("address"),
    "notes": N_("notes"),
    "consent": N_("consent"),
    "consent_date": N_("date of consent"),
    "government_contact": N_("whether the government may be contacted"),
    "family_at_risk": N_("relatives at risk"),
    "pseudonym": N_("pseudonym"),
    "kind": N_("kind"),
    "identity": N_("identity"),
    "identity_protected": N_("identity protected"),
    "reliability": N_("reliability"),
    "credibility": N_("credibility"),
    "code": N_("code"),
    "instrument_type": N_("type of instrument"),
    "direction": N_("direction"),
    "adopted_on": N_("date adopted"),
    "kz_status": N_("Kazakhstan's status"),
    "kz_status_ru": N_("Kazakhstan's status in Russian"),
    "kz_date": N_("Kazakhstan's date"),
    "summary": N_("summary"),
    "summary_ru": N_("summary in Russian"),
    "url": N_("address on the web"),
    "retired": N_("retired"),
    "articles_invoked": N_("articles invoked"),
    "articles_found": N_("articles found violated"),
    "interim_measures": N_("interim measures"),
    "follow_up_status": N_("follow-up status"),
    "seeded_values": N_("values as first supplied"),
    "needs_verification": N_("needs verification"),
    "position": N_("position"),
    "assessment": N_("assessment"),
    "violation_status": N_("status of the violation"),
    "state": N_("state"),
    "analysis": N_("analysis"),
    "body": N_("body"),
    "filed_on": N_("date filed"),
    "filed_on_approximate": N_("approximate date filed"),
    "decided_on": N_("date decided"),
    "decided_on_approximate": N_("approximate date decided"),
    "outcome": N_("outcome"),
    "appeal_deadline": N_("appeal deadline"),
    "exhausted": N_("exhausted"),
    "ineffective_because": N_("why it is not effective"),
    "action_type": N_("kind of action"),
    "planned_on": N_("date planned"),
    "submitted_on": N_("date submitted"),
    "followup_due": N_("follow-up due"),
    "response_on": N_("date of the response"),
    "reference_number": N_("reference number"),
    "response_summary": N_("summary of the response"),
    "state_under_review": N_("State under review"),
    "number": N_("number"),
    "wg_session": N_("Working Group session"),
    "review_date": N_("date of the review"),
    "report_symbol": N_("report symbol"),
    "recommending_state": N_("recommending State"),
    "text": N_("text"),
    "response": N_("response"),
    "response_date": N_("date of the response"),
    "themes": N_("themes"),
    "name": N_("name"),
    "description": N_("description"),
    "title": N_("title"),
    "title_ru": N_("title in Russian"),
    "narrative": N_("narrative"),
    "relation": N_("relation"),
    "script": N_("script"),
    "role": N_("role"),
    "comment": N_("comment"),
    "place": N_("place"),
    "agencies": N_("agencies"),
}


# A date as the details record it (``before_after``: ISO, to the month or the day); a year
# alone reads the same in every language.
_ISO_DATE = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?$")


def field_name(name: str) -> str:
    known = _FIELD_NAMES.get(name)
    return translate(known) if known else translate(name.replace("_", " "))


def value_words(name: str, value: Any) -> str:
    """A stored code or value as a reader would say it."""
    if value is None or value == "":
        return _("nothing")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name in _COUNTRY_FIELDS and isinstance(value, str):
        return countries.name(value) or value
    vocab = _FIELD_VOCAB.get(name)
    if vocab is not None and isinstance(value, str):
        member = vocab.parse(value)
        if member is not None:
            return member.label.lower() if name in ("status", "to_status") else member.label
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            day = PartialDate.parse(value)
        except PartialDateError:
            day = None  # only looks like a date ("2011-13"): shown as it is
        if day is not None:
            return format_partial_date(day)  # in the reader's convention, as the pages show it
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
                _(
                    "the %(field)s from %(before)s to %(after)s",
                    field=field_name(name),
                    before=value_words(name, before),
                    after=value_words(name, after),
                )
            )
        else:
            parts.append(_("the %(field)s", field=field_name(name)))
    return "; ".join(parts) if parts else _("nothing visible")


class _Details(dict):
    """Format-map that never raises: a missing detail reads as "?"."""

    def __missing__(self, key: str) -> str:
        return "?"


# What an entry is about, by its object type (the table of the record acted on, or a word where
# no record is: "system", "search"...), for the audit page's filter and its Object column.
# tests/test_audit_wording.py fails for an object type the code can record without a label here.
OBJECT_TYPES = {
    "account_notices": N_("Account notice"),
    "advocacy_actions": N_("Advocacy action"),
    "agencies": N_("Agency"),
    "api_tokens": N_("API token"),
    "backup": N_("Backup copy"),
    "case_members": N_("Membership of a case team"),
    "case_people": N_("Person in a case"),
    "case_precedents": N_("Precedent cited in a case"),
    "case_provisions": N_("Legal ground of a case"),
    "cases": N_("Case"),
    "comments": N_("Comment"),
    "documents": N_("Document"),
    "events": N_("Event"),
    "family_links": N_("Family link"),
    "import": N_("Import of cases"),
    "instruments": N_("Legal instrument"),
    "jobs": N_("Background job"),
    "legal_catalogue": N_("Reference catalogue"),
    "organisation": N_("Organisation profile"),
    "output": N_("Output"),
    "output_reviews": N_("Review of an output"),
    "page": N_("Page"),
    "people": N_("Person"),
    "person_merges": N_("Merge of two records of a person"),
    "person_names": N_("Name of a person"),
    "places": N_("Place"),
    "provisions": N_("Provision"),
    "remedies": N_("Domestic remedy"),
    "report_draft_versions": N_("Version of a UPR submission draft"),
    "report_drafts": N_("UPR submission draft"),
    "search": N_("Search of cases or people"),
    "second_factor_resets": N_("Second-factor reset"),
    "sources": N_("Source"),
    "status_changes": N_("Status change of a case"),
    "system": N_("System"),
    "target_bodies": N_("Target body"),
    "upr_cycles": N_("UPR cycle"),
    "upr_recommendations": N_("UPR recommendation"),
    "users": N_("Account"),
}


def object_type_label(object_type: str) -> str:
    """An entry's object type in words, in the reader's language ("Person in a case"); one no
    longer recorded is shown as it is."""
    known = OBJECT_TYPES.get(object_type)
    return translate(known) if known else object_type


def object_type_choices(object_types: list[str]) -> list[tuple[str, str]]:
    """The object-type filter's options: (code, label), sorted by the label."""
    options = [(code, object_type_label(code)) for code in object_types]
    return sorted(options, key=lambda option: (option[1].casefold(), option[0]))


_RECORD_WORDS = {
    "events": N_("an event"),
    "sources": N_("a source"),
    "documents": N_("a document"),
    "case_people": N_("a person"),
    "comments": N_("a comment"),
}


@dataclass(frozen=True)
class Sentence:
    """A sentence (a format string over the details, or a function ``build(entry, who,
    details)``) with what happened in short, where the sentence alone cannot say it: ``summary``,
    a format string like the table's (``{who}`` and the words in ``words``, marked with ``N_``),
    from which the filter's label is derived."""

    build: str | Callable[[Any, str, dict[str, Any]], str]
    summary: str
    words: dict[str, str] = field(default_factory=dict)


Builder = str | Sentence


def _record(entry: Any) -> str:
    return translate(_RECORD_WORDS.get(entry.object_type, N_("a record")))


def _status_change(entry: Any, who: str, d: dict[str, Any]) -> str:
    return _(
        "%(who)s changed the status from %(old)s to %(new)s",
        who=who,
        old=_label(CaseStatus, d.get("old"), lower=True),
        new=_label(CaseStatus, d.get("new"), lower=True),
    )


def _advocacy_status(entry: Any, who: str, d: dict[str, Any]) -> str:
    return _(
        "%(who)s changed the action's status from %(old)s to %(new)s",
        who=who,
        old=_label(ActionStatus, d.get("from_status")),
        new=_label(ActionStatus, d.get("to_status")),
    )


# Verbs of the legal links (sentence "<who> <verb> <code>").
_LINK_VERBS = {
    "linked": N_("%(who)s linked %(code)s"),
    "suggested": N_("%(who)s suggested %(code)s"),
    "accepted the suggestion": N_("%(who)s accepted the suggestion %(code)s"),
}


_LINK_SUMMARIES = {
    "linked": N_("{who} linked a legal ground"),
    "suggested": N_("{who} suggested a legal ground"),
    "accepted the suggestion": N_("{who} accepted a suggested legal ground"),
}


def _link(verb: str) -> Sentence:
    def build(entry: Any, who: str, d: dict[str, Any]) -> str:
        words = [_gettext(_LINK_VERBS[verb]) % {"who": who, "code": d.get("code", "?")}]
        if d.get("assessment"):
            words.append(_label(Assessment, d["assessment"], lower=True))
        if d.get("violation_status"):
            words.append(_label(ViolationStatus, d["violation_status"], lower=True))
        return ", ".join(words)

    return Sentence(build, _LINK_SUMMARIES[verb])


def _edit(what: str) -> Sentence:
    def build(entry: Any, who: str, d: dict[str, Any]) -> str:
        return _(
            "%(who)s changed %(what)s: %(changes)s",
            who=who,
            what=translate(what),
            changes=changes_words(d),
        )

    return Sentence(build, N_("{who} changed {what}"), {"what": what})


def _member_added(entry: Any, who: str, d: dict[str, Any]) -> str:
    role = _label(TeamRole, d.get("team_role"), lower=True)
    return _("%(who)s added someone to the team as %(role)s", who=who, role=role)


def _created(entry: Any, who: str, d: dict[str, Any]) -> str:
    if d.get("draft"):
        return _("%(who)s created the case as a draft", who=who)
    return _("%(who)s created the case", who=who)


def _case_role(entry: Any, who: str, d: dict[str, Any]) -> str:
    role = _label(CaseRole, d.get("role"), lower=True)
    return _("%(who)s added a person to the case as %(role)s", who=who, role=role)


def _name_added(entry: Any, who: str, d: dict[str, Any]) -> str:
    script = _label(Script, d.get("script"))
    return _("%(who)s added a name (%(script)s) to a person", who=who, script=script)


def _with_changes(plain: str, changed: str) -> Callable[[Any, str, dict[str, Any]], str]:
    """A sentence, or (when the entry lists the fields it changed) the sentence that names
    them: a merge and its undo say what they changed on the record kept."""

    def build(entry: Any, who: str, d: dict[str, Any]) -> str:
        if d.get("fields"):
            return _(changed, who=who, changes=changes_words(d))
        return _(plain, who=who)

    return build


_merged = _with_changes(
    N_("%(who)s merged two records of one person"),
    N_("%(who)s merged two records of one person, changing on the record kept %(changes)s"),
)
_unmerged = _with_changes(
    N_("%(who)s undid a merge of two records"),
    N_("%(who)s undid a merge of two records, changing back on the record kept %(changes)s"),
)


def _refused(entry: Any, who: str, d: dict[str, Any]) -> str:
    status = d.get("status")
    if status:
        return _("%(who)s was refused access (%(status)s)", who=who, status=status)
    return _("%(who)s was refused access", who=who)


def _api(entry: Any, who: str, d: dict[str, Any]) -> str:
    return _(
        "%(who)s called the API: %(endpoint)s answered %(status)s",
        who=who,
        endpoint=d.get("endpoint", "?"),
        status=d.get("status", "?"),
    )


def _reference_dated(entry: Any, who: str, d: dict[str, Any]) -> str:
    return _(
        "The case got its dated reference %(new)s (formerly %(old)s)",
        new=d.get("new", "?"),
        old=d.get("old", "?"),
    )


def _reopened(entry: Any, who: str, d: dict[str, Any]) -> str:
    return _(
        "%(who)s changed the facts of the verified case (%(fields)s): "
        "it went back into legal review",
        who=who,
        fields=", ".join(map(field_name, d.get("fields") or [])),
    )


def _backup_refused(entry: Any, who: str, d: dict[str, Any]) -> str:
    if d.get("foreign"):
        return _(
            "%(who)s checked the backup %(archive)s: refused, it was made under a master key "
            "this installation does not have",
            who=who,
            archive=d.get("archive") or "?",
        )
    return _(
        "%(who)s checked the backup %(archive)s: refused, it is damaged, truncated or altered",
        who=who,
        archive=d.get("archive") or "?",
    )


def _action_created(entry: Any, who: str, d: dict[str, Any]) -> str:
    return _(
        "%(who)s created an advocacy action (%(type)s, %(status)s)",
        who=who,
        type=_label(ActionType, d.get("action_type")),
        status=_label(ActionStatus, d.get("status"), lower=True),
    )


def _role_changed(entry: Any, who: str, d: dict[str, Any]) -> str:
    old, new = d.get("old"), d.get("new")
    if old or new:
        return _(
            "%(who)s changed an account's role from %(old)s to %(new)s",
            who=who,
            old=_label(Role, old),
            new=_label(Role, new),
        )
    return _("%(who)s changed an account's role", who=who)


def _link_updated(entry: Any, who: str, d: dict[str, Any]) -> str:
    return _(
        "%(who)s changed the link to %(code)s: %(changes)s",
        who=who,
        code=d.get("code", "?"),
        changes=changes_words(d),
    )


def _remedy_created(entry: Any, who: str, d: dict[str, Any]) -> str:
    kind = _label(RemedyKind, d.get("kind"))
    return _("%(who)s recorded a domestic remedy (%(kind)s)", who=who, kind=kind)


def _record_hidden(entry: Any, who: str, d: dict[str, Any]) -> str:
    return _("%(who)s removed %(record)s from the case file", who=who, record=_record(entry))


def _record_restored(entry: Any, who: str, d: dict[str, Any]) -> str:
    return _("%(who)s restored %(record)s", who=who, record=_record(entry))


WORDING: dict[str, Builder] = {
    # access and the API
    "access.refused": Sentence(_refused, N_("{who} was refused access")),
    "api.request": Sentence(_api, N_("{who} called the API")),
    "api_token.created": N_("{who} created an API token ({scope}, {days} days)"),
    "api_token.address_throttled": N_(
        "Too many wrong API tokens came from one address: its wrong tokens are refused for a while"
    ),
    "api_token.refused": N_("An API token was refused ({reason})"),
    "api_token.revoked": N_("{who} revoked an API token"),
    "api_token.revoked_all": N_(
        "Every API token of the account was revoked ({count}): its credentials changed"
    ),
    # sign-in and second factor
    "auth.enrolment_failed": N_("{who} entered a wrong code while setting up the second factor"),
    "auth.login": N_("{who} signed in"),
    "auth.login_failed": N_("A sign-in failed"),
    "auth.login_refused_inactive": N_("A deactivated account tried to sign in"),
    "auth.login_throttled": N_("Sign-in attempts were throttled"),
    "auth.logout": N_("{who} signed out"),
    "auth.other_sessions_ended": N_("{who} ended their other sessions"),
    "auth.reauth_failed": N_("{who} failed to confirm their password and code"),
    "auth.reauthenticated": N_("{who} confirmed their password and code"),
    "auth.recovery_code_used": N_("{who} signed in with a recovery code"),
    "auth.recovery_codes_renewed": N_("{who} made new recovery codes"),
    "auth.second_factor_enrolled": N_("{who} set up their second factor"),
    "auth.second_factor_failed": N_("{who} entered a wrong second-factor code"),
    "auth.second_factor_replaced": N_("{who} moved their second factor to a new app"),
    # advocacy
    "advocacy.action_created": Sentence(_action_created, N_("{who} created an advocacy action")),
    "advocacy.action_updated": _edit(N_("the advocacy action")),
    "advocacy.body_created": N_("{who} added a target body"),
    "advocacy.document_hidden": N_("{who} removed a document from an advocacy action"),
    "advocacy.document_restored": N_("{who} restored a document of an advocacy action"),
    "advocacy.body_retired": N_("{who} retired a target body"),
    "advocacy.body_restored": N_("{who} brought back a target body"),
    "advocacy.status_changed": Sentence(
        _advocacy_status, N_("{who} changed the status of an advocacy action")
    ),
    "calendar.token_created": N_("{who} switched on their calendar feed"),
    "calendar.token_rotated": N_("{who} changed their calendar feed's address"),
    "calendar.token_revoked": N_("{who} switched off their calendar feed"),
    "reminders.run": N_("The reminder run sent {sent} e-mails"),
    "reminder.sent": N_("A reminder e-mail was sent"),
    # cases
    "case.commented": N_("{who} commented"),
    "case.created": Sentence(_created, N_("{who} created the case")),
    "case.discarded": N_("{who} discarded the draft"),
    "case.discard_restored": N_("{who} brought back the discarded draft"),
    "case.marked_duplicate": N_("{who} marked the case as a duplicate of {original} and closed it"),
    "case.duplicate_recorded": N_("{who} marked {duplicate} as a duplicate of this case"),
    "case.listed": N_("{who} listed cases through the API"),
    "case.member_added": Sentence(_member_added, N_("{who} added someone to the team")),
    "case.member_removed": N_("{who} removed someone from the team"),
    "case.name_search": N_("{who} searched by name ({results} results)"),
    "case.person_added": Sentence(_case_role, N_("{who} added a person to the case")),
    "case.printed": N_("{who} printed the case"),
    "case.reference_dated": Sentence(_reference_dated, N_("The case got its dated reference")),
    "case.reopened_for_review": Sentence(
        _reopened, N_("A verified case went back into legal review")
    ),
    "case.restricted": N_("{who} restricted the case"),
    "case.status_changed": Sentence(_status_change, N_("{who} changed the status of the case")),
    "case.unrestricted": N_("{who} lifted the restriction"),
    "case.updated": _edit(N_("the case")),
    "case.viewed": N_("{who} opened the case file"),
    # backups, background jobs, search
    "backup.created": N_("{who} made a backup ({tables} tables, {files} files)"),
    "backup.verified": Sentence(
        N_(
            "{who} checked the backup {archive}, made {created_at}: intact ({tables} tables, "
            "{files} files)"
        ),
        N_("{who} checked a backup and found it intact"),
    ),
    "backup.refused": Sentence(_backup_refused, N_("{who} checked a backup and refused it")),
    "backup.restored": N_(
        "{who} restored a backup made {created_at} ({tables} tables, {files} files)"
    ),
    "job.queued": N_("{who} started a background job ({kind})"),
    "job.downloaded": N_("{who} downloaded the file of a background job ({kind})"),
    "search.run": N_("{who} searched the case texts ({cases} cases found)"),
    "document.downloaded": N_("{who} downloaded a document"),
    "document.uploaded": N_("{who} uploaded a document ({size} bytes)"),
    "document.location_rechecked": N_(
        "A document checked again was found to record where it was made"
    ),
    "document.locations_rechecked": N_(
        "The stored documents were checked again for a recorded location ({checked} read, "
        "{marked} newly marked, {unreadable} unreadable)"
    ),
    "event.created": N_("{who} added an event to the timeline"),
    "event.updated": _edit(N_("an event")),
    "import.cases": N_(
        "{who} imported {cases} cases ({people} people; {rejected_rows} rows rejected)"
    ),
    # legal
    "legal.catalogue_seeded": N_(
        "The reference catalogue was loaded ({instruments} instruments, {provisions} provisions)"
    ),
    "legal.instrument_created": N_("{who} added the instrument {code}"),
    "legal.instrument_updated": _edit(N_("the instrument")),
    "legal.instrument_retired": N_("{who} retired the instrument {code}"),
    "legal.instrument_reinstated": N_("{who} reinstated the instrument {code}"),
    "legal.provision_created": N_("{who} added the provision {code}"),
    "legal.provision_updated": _edit(N_("the provision")),
    "legal.provision_retired": N_("{who} retired the provision {code}"),
    "legal.provision_reinstated": N_("{who} reinstated the provision {code}"),
    "legal.seed_corrected": N_("The reference catalogue corrected {code}: {changes}"),
    "legal.seed_correction_accepted": N_("{who} took the catalogue's version of {code}"),
    "legal.seed_correction_declined": N_("{who} kept their own version of {code}"),
    "legal.link_created": _link("linked"),
    "legal.link_suggested": _link("suggested"),
    "legal.link_updated": Sentence(_link_updated, N_("{who} changed a link to a legal ground")),
    "legal.link_imported": N_("{who} imported a link to {code}"),
    "legal.link_hidden": N_("{who} removed the link to {code}"),
    "legal.link_restored": N_("{who} restored the link to {code}"),
    "legal.suggestion_accepted": _link("accepted the suggestion"),
    "legal.suggestion_dismissed": N_("{who} dismissed the suggestion of {code}"),
    "legal.precedent_cited": N_("{who} cited the decision {code} as a precedent"),
    "legal.precedent_hidden": N_("{who} stopped citing a decision"),
    "legal.precedent_restored": N_("{who} cited a decision again"),
    "legal.remedy_created": Sentence(_remedy_created, N_("{who} recorded a domestic remedy")),
    "legal.remedy_updated": _edit(N_("a domestic remedy")),
    "legal.remedy_hidden": N_("{who} removed a domestic remedy"),
    "legal.remedy_restored": N_("{who} restored a domestic remedy"),
    # outputs
    "organisation.updated": N_("{who} updated the organisation profile"),
    "output.generated": N_("{who} produced an output ({output}, {format})"),
    "output.reviewed": N_("{who} reviewed the free text for an output ({output})"),
    "report.draft_created": N_("{who} started a UPR submission draft"),
    "report.draft_saved": N_("{who} saved version {version} of a UPR submission draft"),
    # people
    "person.created": N_("{who} recorded a person"),
    "person.family_linked": N_("{who} recorded a family link"),
    "person.merged": Sentence(_merged, N_("{who} merged two records of one person")),
    "person.name_added": Sentence(_name_added, N_("{who} added a name to a person")),
    "person.name_hidden": N_("{who} removed a name of a person"),
    "person.unmerged": Sentence(_unmerged, N_("{who} undid a merge of two records")),
    "person.updated": _edit(N_("a person")),
    "person.viewed": N_("{who} opened a person's record"),
    # records of a case (hidden and restored through the shared mechanism)
    "record.hidden": Sentence(_record_hidden, N_("{who} removed a record from the case file")),
    "record.restored": Sentence(_record_restored, N_("{who} restored a record")),
    "source.created": N_("{who} added a source"),
    "source.updated": _edit(N_("a source")),
    # UPR
    "upr.action_linked": N_("{who} linked an advocacy action to a recommendation"),
    "upr.action_unlinked": N_("{who} unlinked an advocacy action from a recommendation"),
    "upr.case_linked": N_("{who} linked the case to a UPR recommendation"),
    "upr.case_unlinked": N_("{who} unlinked the case from a UPR recommendation"),
    "upr.cycle_created": N_("{who} added a UPR cycle"),
    "upr.cycle_updated": _edit(N_("a UPR cycle")),
    "upr.imported": N_(
        "{who} imported UPR recommendations ({created} new, {updated} updated, "
        "{unchanged} unchanged)"
    ),
    "upr.recommendation_created": N_("{who} added recommendation {number}"),
    "upr.recommendation_updated": _edit(N_("a UPR recommendation")),
    "upr.response_date_set": N_("{who} set the response date of {count} recommendations"),
    # accounts
    "user.activated": N_("{who} reactivated an account"),
    "user.coordinator_grant_mailed": N_("The coordinators were told of a new coordinator"),
    "user.coordinator_granted": N_("{who} gave an account the coordinator role"),
    "user.created": N_("{who} created an account"),
    "user.deactivated": N_("{who} deactivated an account"),
    "user.password_changed": N_("{who} changed their password"),
    "user.password_reset_issued": N_("{who} handed out a password reset code"),
    "user.password_reset_used": N_("{who} set a new password with a reset code"),
    "user.profile_updated": N_("{who} updated their profile"),
    "user.renamed": N_("{who} changed an account's name"),
    "user.role_changed": Sentence(_role_changed, N_("{who} changed an account's role")),
    "user.second_factor_reset": N_("The second factor of an account was removed (two approvals)"),
    "user.second_factor_reset_approved": N_("{who} approved removing a second factor ({approval})"),
    "user.second_factor_reset_cancelled": N_("{who} cancelled a second-factor reset"),
}


# A moment as the details hold it (a backup's ``created_at``: "2026-11-30T02:30:00Z").
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _format_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, str) and _MOMENT.match(value):
        try:
            moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            return value
        return f"{format_moment(moment)} UTC"
    return str(value)


def _withheld(entry: Any) -> frozenset[str]:
    """The identifying fields of the entry's object type, whose values the trail never shows."""
    return IDENTIFYING_FIELDS.get(getattr(entry, "object_type", None) or "", frozenset())


def _without_identifying_changes(entry: Any) -> dict[str, Any]:
    """An entry's details without the values before and after of an identifying field, which an
    earlier version recorded (the day of a case's authorisation): that it changed is kept."""
    details = dict(entry.details or {})
    withheld, changes = _withheld(entry), details.get("changes")
    if isinstance(changes, dict) and withheld & changes.keys():
        details["changes"] = {k: v for k, v in changes.items() if k not in withheld}
    return details


def shown_details(entry: Any) -> dict[str, Any]:
    """An entry's details as the trail shows them: without a value an earlier version recorded
    under an identifying field's name (a document's hash, before it stopped being recorded), nor
    one among its values before and after."""
    withheld = _withheld(entry)
    return {k: v for k, v in _without_identifying_changes(entry).items() if k not in withheld}


def describe(entry: Any, who: str | None = None, withheld: Collection[str] = ()) -> str:
    """One sentence for an audit entry ("Aida changed the status from submitted to verified");
    ``who``: said instead of the actor's name, for a reader who may not be told it;
    ``withheld``: references of cases the reader may not be told of here, said withheld."""
    actor = getattr(entry, "actor", None)
    if who is None:
        who = actor.display_name if actor is not None else _("The system")
    details = _without_identifying_changes(entry)
    if withheld:
        other = _("(reference withheld)")
        details = {
            k: other if isinstance(v, str) and v in withheld else v for k, v in details.items()
        }
    builder = WORDING.get(entry.action)
    if builder is None:
        # Older entries whose action is no longer recorded: still a sentence, not a code.
        return f"{who}: {entry.action.replace('.', ' ').replace('_', ' ')}"
    if isinstance(builder, Sentence):
        builder = builder.build
    if callable(builder):
        return builder(entry, who, details)
    return _format(builder, who, details)


def _format(template: str, who: str, details: dict[str, Any]) -> str:
    """A sentence of the table (a format string over the details) in the reader's language."""
    values = _Details({k: _format_value(v) for k, v in details.items()})
    values["who"] = who
    values["changes"] = changes_words(details)
    return translate(template).format_map(values)


# --- the audit page's filter: what happened, in short, grouped by object --------------------

# The object of each code (the part before the dot): one group of options per label.
ACTION_GROUPS = {
    "case": N_("Cases"),
    "event": N_("Records of a case"),
    "source": N_("Records of a case"),
    "document": N_("Records of a case"),
    "record": N_("Records of a case"),
    "person": N_("People"),
    "legal": N_("Legal grounds and catalogue"),
    "advocacy": N_("Advocacy"),
    "upr": N_("Universal Periodic Review"),
    "output": N_("Outputs"),
    "report": N_("Outputs"),
    "organisation": N_("Outputs"),
    "user": N_("Accounts"),
    "auth": N_("Sign-in"),
    "access": N_("Sign-in"),
    "api": N_("API"),
    "api_token": N_("API"),
    "calendar": N_("Reminders and calendar"),
    "reminders": N_("Reminders and calendar"),
    "reminder": N_("Reminders and calendar"),
    "backup": N_("Backups"),
    "job": N_("Background jobs and imports"),
    "import": N_("Background jobs and imports"),
    "search": N_("Full-text search"),
}
OTHER_GROUP = N_("Other")

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# A parenthesis holding a detail: "(3 tables, 2 files)", "(дней: {days})".
_DETAILS_IN_PARENS = re.compile(r"\s*\([^()]*\{\w+\}[^()]*\)")
_TRAILING_DETAIL = re.compile(r"\s+[—–-]\s*\{\w+\}\s*$")
_EDGE = " :;,.—–-"


def action_label(code: str) -> str:
    """What the code records, in short and in the reader's language ("Changed the status of
    the case"): its sentence (or summary) without who did it and without the details. A code no
    longer recorded is shown as it is."""
    builder = WORDING.get(code)
    if builder is None:
        return code
    words: dict[str, str] = {}
    if isinstance(builder, Sentence):
        words = {name: translate(word) for name, word in builder.words.items()}
        builder = builder.summary
    text = translate(builder).replace("{who}", "").strip(_EDGE)
    text = _PLACEHOLDER.sub(lambda m: words.get(m[1], m[0]), text)
    text = _DETAILS_IN_PARENS.sub("", text)
    head, colon, rest = text.partition(": ")
    if colon and _PLACEHOLDER.search(rest):
        text = head  # what follows is the details ("Рассылка напоминаний: отправлено — {sent}")
    # A detail after a dash ends the phrase and goes ("импорт дел — {cases}"); any other reads
    # as an ellipsis ("Removed the link to …").
    text = _TRAILING_DETAIL.sub("", text)
    text = " ".join(_PLACEHOLDER.sub("…", text).split()).strip(_EDGE)
    return text[:1].upper() + text[1:]


def action_group(code: str) -> str:
    """The group of the filter a code is listed under (its object), in the reader's language."""
    return translate(ACTION_GROUPS.get(code.partition(".")[0], OTHER_GROUP))


def action_choices(codes: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's options: (group, [(code, label)...]) for ``codes``, groups and labels each
    sorted by their words in the reader's language."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in codes:
        groups.setdefault(action_group(code), []).append((code, action_label(code)))
    return [
        (group, sorted(options, key=lambda option: (option[1].casefold(), option[0])))
        for group, options in sorted(groups.items(), key=lambda item: item[0].casefold())
    ]
