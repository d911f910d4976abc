"""The access policy: every rule for every protected object, in one place, deny by default.

Views, services, the CLI, feeds, reminders and templates ask these functions; nothing else decides
by role. A case's *team* is its creator and the users assigned to it. A user stands in one of four
*relations* to a case, and ``CASE_POLICY`` says, per action, which roles may act in which relation:

- ``team``: on the team of an ordinary case;
- ``other``: an ordinary case of another team;
- ``restricted_team``: on the team of a restricted case;
- ``restricted_off``: a restricted case the user is not on the team of.

An off-team coordinator sees that a restricted case exists and its non-identifying facts
(``LISTED_CASE_FIELDS``) and nothing a person typed. Every other protected type takes its access
from its case (people from every case they are linked to; advocacy actions from theirs).
For each type the policy answers: may this user *see* it, see its *identifying* fields, *change*
it, and gives a SQL clause filtering a query to what the user may see.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
    union,
)
from sqlalchemy import case as sql_case
from sqlalchemy.orm import aliased

from casework.core.datacache import data_cached
from casework.core.requestmemo import per_request_dict
from casework.core.vocab import CaseStatus, Role

if TYPE_CHECKING:
    from casework.accounts.models import User
    from casework.cases.models import Case


class Relation(StrEnum):
    TEAM = "team"
    OTHER = "other"
    RESTRICTED_TEAM = "restricted_team"
    RESTRICTED_OFF = "restricted_off"
    THEMATIC = "thematic"  # an advocacy action with no case


M, L, C, A = Role.MONITOR, Role.LAWYER, Role.COORDINATOR, Role.ADMIN
_TEAM = frozenset({Relation.TEAM, Relation.RESTRICTED_TEAM})
_READABLE_BY_COORDINATOR = frozenset({Relation.TEAM, Relation.OTHER, Relation.RESTRICTED_TEAM})
_ALL = frozenset({Relation.TEAM, Relation.OTHER, Relation.RESTRICTED_TEAM, Relation.RESTRICTED_OFF})

# action -> role -> the relations in which that role may take it. Absent means never.
CASE_POLICY: dict[str, dict[Role, frozenset[Relation]]] = {
    # Know the case exists and read its listed, non-identifying facts.
    "view": {M: _TEAM, L: _TEAM, C: _ALL, A: _TEAM},
    # Read everything: names, narratives, places, comments, documents, analyses.
    "read": {M: _TEAM, L: _TEAM, C: _READABLE_BY_COORDINATOR, A: _TEAM},
    # Change the case, its people, events, sources and documents; hide records.
    "edit": {M: _TEAM, L: _TEAM, C: _READABLE_BY_COORDINATOR},
    "comment": {M: _TEAM, L: _TEAM, C: _READABLE_BY_COORDINATOR},
    # Bring back a hidden record.
    "restore": {C: _READABLE_BY_COORDINATOR},
    # Assign the lawyer, add or remove members, restrict or lift the restriction.
    "manage_team": {C: _READABLE_BY_COORDINATOR},
    # Assess legal grounds (link a provision with an analysis, accept a suggestion).
    "assess_legal": {L: _TEAM, C: _READABLE_BY_COORDINATOR},
    "suggest_legal": {M: _TEAM, L: _TEAM, C: _READABLE_BY_COORDINATOR},
    # Create advocacy actions for the case and change those linked to it.
    "manage_advocacy": {L: _TEAM, C: _READABLE_BY_COORDINATOR},
    # Merge two records of one person (with this right on every case of both).
    "merge_people": {L: _TEAM, C: _READABLE_BY_COORDINATOR},
    # Record and change domestic remedies (README: lawyers record them; coordinators, as for
    # legal grounds).
    "record_remedies": {L: _TEAM, C: _READABLE_BY_COORDINATOR},
    # Close a case as a duplicate of another (which the user must be able to read too).
    "mark_duplicate": {L: _TEAM, C: _READABLE_BY_COORDINATOR},
    # Move the case along the review workflow (the step itself is checked by _TRANSITIONS).
    "transition": {M: _TEAM, L: _TEAM, C: _READABLE_BY_COORDINATOR},
    # Review a case's free text for an output and produce the case's documents (communication,
    # interim-measures request, dossier, archive).
    "prepare_output": {L: _TEAM, C: _READABLE_BY_COORDINATOR},
}

# Thematic advocacy actions (no case): who sees and who changes them.
THEMATIC_POLICY: dict[str, frozenset[Role]] = {
    "view": frozenset({L, C}),
    "manage_advocacy": frozenset({C}),
}

# Organisation-wide rights, not tied to a case.
GLOBAL_POLICY: dict[str, frozenset[Role]] = {
    "create_case": frozenset({M, L, C}),
    # Filter the case list by assigned lawyer (the list of lawyers is shown to coordinators).
    "filter_by_lawyer": frozenset({C}),
    "list_cases": frozenset({M, L, C, A}),
    # Full-text search (/search): what it finds is only ever the cases the user may read.
    "search": frozenset({M, L, C, A}),
    "view_catalogue": frozenset({M, L, C, A}),
    "browse_legal": frozenset({M, L, C}),  # the catalogue in the navigation bar
    "manage_catalogue": frozenset({L, C}),
    "view_advocacy": frozenset({L, C}),
    # Overdue follow-ups of the whole organisation (dashboard; reminders nobody else gets).
    "org_followups": frozenset({C}),
    "create_thematic_action": frozenset({C}),
    "manage_target_bodies": frozenset({C}),
    "view_upr": frozenset({L, C}),
    "manage_upr": frozenset({C}),
    "calendar_feed": frozenset({L, C}),
    "import_cases": frozenset({C}),
    "manage_accounts": frozenset({A}),
    # Approve (one of two approvals) removing someone's lost second factor.
    "approve_2fa_resets": frozenset({C, A}),
    "view_audit": frozenset({A}),
    # Personal access tokens for the API: a token acts with its user's role and case access.
    "use_api": frozenset({M, L, C, A}),
    # Outputs: statistics, UPR submissions and the organisation profile, bulk exports.
    "view_statistics": frozenset({C}),
    "manage_reports": frozenset({C}),
    "export_cases": frozenset({M, L, C}),
    # Background jobs: everyone sees their own; administrators see every job (never its file)
    # and start the system's jobs (reminders, backups, key rotation) by hand.
    "view_jobs": frozenset({M, L, C, A}),
    "view_all_jobs": frozenset({A}),
    "run_system_jobs": frozenset({A}),
}

# What an off-team coordinator may read of a restricted case: the facts that tell it exists and
# where it stands. Everything else of a case, and every free-text field of anything linked to it,
# is identifying (the list the case file, print view, timeline, filters, outputs and encryption
# at rest go by).
LISTED_CASE_FIELDS = frozenset(
    {
        "reference",
        "status",
        "urgency",
        "restricted",
        "act_type",
        "act_date",
        "act_date_approximate",
        "destination_country",
        "current_situation",
        "created_at",
        "updated_at",
    }
)

# Identifying fields, per table: shown only with the "read" right, never in logs, URLs, e-mails,
# filters or counts of those without it. Every free-text field is identifying by default
# (tests/test_identifying_fields.py fails on a new one missing here or from NOT_IDENTIFYING).
_HIDE_REASON = "hidden_reason"  # why a record was removed: typed by a person
IDENTIFYING_FIELDS: dict[str, frozenset[str]] = {
    "cases": frozenset(
        {
            "title",
            "external_ref",
            "act_place",
            "act_date_note",
            "narrative",
            "after_return",
            # Who authorised the organisation to act (often a relative, by name), why the
            # authorisation cannot be obtained, the other international procedure's details.
            "authorised_by",
            "authorisation_note",
            "other_procedures_details",
            # The day the victim (or a relative) authorised it: with the case, it helps tell
            # who they are and when they were reached.
            "authorised_on",
            _HIDE_REASON,
        }
    ),
    "case_people": frozenset({_HIDE_REASON}),
    "people": frozenset(
        {
            "names",
            "birth_date",
            "unhcr_number",
            "contacts",
            "address",
            "notes",
            "ethnicity",
            _HIDE_REASON,
        }
    ),
    "person_names": frozenset({"name", _HIDE_REASON}),
    "family_links": frozenset({"note", _HIDE_REASON}),
    "events": frozenset(
        {"description", "place", "agencies", "legal_basis", "date_note", "sources", _HIDE_REASON}
    ),
    "status_changes": frozenset({"comment"}),
    "comments": frozenset({"body", _HIDE_REASON}),
    "sources": frozenset({"identity", "how_they_know", "notes", _HIDE_REASON}),
    "documents": frozenset({"original_name", "description", "sha256", _HIDE_REASON}),
    "case_provisions": frozenset({"analysis", _HIDE_REASON}),
    "case_precedents": frozenset({"note", _HIDE_REASON}),
    "remedies": frozenset({"body", "notes", "ineffective_because", _HIDE_REASON}),
    "advocacy_actions": frozenset({"title", "description", "reference_number", "response_summary"}),
    # An event's place as typed (``events.place``): a town, or a street and a house.
    "places": frozenset({"name", "region"}),
    # A UPR submission's text and its partners, as generated and edited.
    "report_drafts": frozenset({"body", "co_authors"}),
    "report_draft_versions": frozenset({"body"}),
}

# Identifying columns kept in plaintext because SQL must compare or count them (statistics by
# ethnicity and age band, duplicate documents by hash); every other identifying column of a
# table is encrypted at rest (SecretText, or SecretDate for a day). Their access is the policy's
# like any other.
PLAINTEXT_IDENTIFYING: dict[str, frozenset[str]] = {
    "people": frozenset({"ethnicity", "birth_date"}),
    "documents": frozenset({"sha256"}),
}

# Text columns of those tables that are codes or machine values, not typed about a person.
NOT_IDENTIFYING: dict[str, frozenset[str]] = {
    "cases": frozenset(
        {
            "reference",
            "reference_key",
            "former_reference",
            "destination_country",
            "external_ref_key",
        }
    ),
    "people": frozenset({"nationality", "pseudonym"}),
    "events": frozenset({"requesting_state", "destination_country"}),
    "documents": frozenset({"storage_name", "content_type"}),
    "places": frozenset({"name_key", "country"}),
    "report_drafts": frozenset({"kind", "title"}),
}


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def has_right(user: Any, right: str) -> bool:
    """Does the user hold an organisation-wide right (a key of GLOBAL_POLICY)?"""
    return _active(user) and user.role in GLOBAL_POLICY[right]


def global_rights(user: Any) -> frozenset[str]:
    """Every organisation-wide right the user holds (``has_right`` of each at once): what a
    page that offers many of them (the menu) asks."""
    if not _active(user):
        return frozenset()
    role = user.role
    return frozenset(right for right, roles in GLOBAL_POLICY.items() if role in roles)


_has = has_right


# --- cases ----------------------------------------------------------------------------------


def team_role(user: User, case: Case):
    """The user's TeamRole on the case, or None."""
    # The id read once, not once per member: ``user`` is often Flask-Login's proxy, which
    # looks the account up again at each use.
    user_id = user.id
    for member in case.members:
        if member.user_id == user_id:
            return member.team_role
    return None


def is_on_team(user: User, case: Case) -> bool:
    return _active(user) and team_role(user, case) is not None


def relation(user: User, case: Case) -> Relation:
    """How the user stands to the case (see the module docstring)."""
    on_team = is_on_team(user, case)
    if case.restricted:
        return Relation.RESTRICTED_TEAM if on_team else Relation.RESTRICTED_OFF
    return Relation.TEAM if on_team else Relation.OTHER


# What a discarded draft (hidden) still allows: its page, to whoever read it, and bringing it
# back. As any removed record, it is changed by nobody (its facts, team, workflow, legal
# grounds, outputs) until a coordinator brings it back. An advocacy action or a person it
# shares with other cases is still changed as their rights on every case allow.
_ON_DISCARDED = frozenset({"view", "read", "restore", "manage_advocacy", "merge_people"})


def may(user: Any, action: str, case: Case) -> bool:
    """May ``user`` take ``action`` (a key of CASE_POLICY) on ``case``?"""
    if not _active(user):
        return False
    if getattr(case, "hidden_at", None) is not None and action not in _ON_DISCARDED:
        return False
    allowed = CASE_POLICY[action].get(user.role)
    return bool(allowed) and relation(user, case) in allowed


def can_view_case(user: User, case: Case) -> bool:
    """May the user know that this case exists and read its listed fields?"""
    return may(user, "view", case)


def can_view_identifying(user: User, case: Case) -> bool:
    """Everything of the case: names, narratives, places, comments, documents, analyses."""
    return may(user, "read", case)


def can_edit_case(user: User, case: Case) -> bool:
    """Edit the case and its people, events, sources, documents and remedies."""
    return may(user, "edit", case)


def can_comment(user: User, case: Case) -> bool:
    return may(user, "comment", case)


def can_hide(user: User, case: Case) -> bool:
    """Hide (never delete) a person, event, source, document or comment of the case."""
    return may(user, "edit", case)


def can_restore(user: User, case: Case) -> bool:
    """Only a coordinator who may read the case brings a hidden record back."""
    return may(user, "restore", case)


def can_discard_draft(user: User, case: Case) -> bool:
    """Discard (hide, never delete) a draft: its creator, or a coordinator who may restore it."""
    if case.status != CaseStatus.DRAFT or case.hidden_at is not None:
        return False
    if not may(user, "edit", case):
        return False
    return case.created_by_id == user.id or may(user, "restore", case)


def can_send_discard(user: User, case: Case) -> bool:
    """The discard form is taken from whoever may change the case (``can_discard_draft``
    decides the rest), and, once the draft is discarded, from whoever reads it: a second send
    of the form (a double tap) is told it was discarded, not refused."""
    if case.hidden_at is not None:
        return can_view_identifying(user, case)
    return can_edit_case(user, case)


def can_restore_case(user: User, case: Case) -> bool:
    """Bring a discarded draft back: as for any hidden record, a coordinator."""
    return case.hidden_at is not None and may(user, "restore", case)


def can_mark_duplicate(user: User, case: Case, original: Case | None = None) -> bool:
    """Close ``case`` as a duplicate of ``original`` (which the user must read as well)."""
    if not may(user, "mark_duplicate", case):
        return False
    if original is None:
        return True
    return original.id != case.id and can_view_identifying(user, original)


def can_see_duplicate_link(user: User, other: Case) -> bool:
    """A case closed as a duplicate records the same person as its original: which case the
    other of the two is (its reference, on the page and in the history of either) tells who is
    in it, so it is named only to whoever may read it; others read "another case"."""
    return can_view_identifying(user, other)


def can_record_remedies(user: User, case: Case) -> bool:
    """Record or change a domestic remedy: lawyers on the team and coordinators."""
    return may(user, "record_remedies", case)


def confirms_verified_facts(user: User, case: Case) -> bool:
    """An edit by the case's own assigned lawyer keeps a verified case verified; anyone else's
    change of its facts sends it back into legal review."""
    from casework.core.vocab import TeamRole

    return _active(user) and team_role(user, case) == TeamRole.LAWYER


def can_manage_team(user: User, case: Case) -> bool:
    """Assign a lawyer, add or remove team members, restrict the case or lift the restriction.

    A restricted case's team is changed only by a coordinator already on it: otherwise any
    coordinator could add themselves and read everything.
    """
    return may(user, "manage_team", case)


def can_create_case(user: User) -> bool:
    return _has(user, "create_case")


def can_list_cases(user: User) -> bool:
    return _has(user, "list_cases")


def can_search(user: User) -> bool:
    """The search page; its results come from readable cases only (readable_cases_clause)."""
    return _has(user, "search")


def can_filter_by_lawyer(user: User) -> bool:
    return _has(user, "filter_by_lawyer")


def sees_urgent_panel(user: User) -> bool:
    """The dashboard's urgent-case panel: everyone who may list cases."""
    return can_list_cases(user)


def sees_drafts_panel(user: User) -> bool:
    """The dashboard's panel of one's own drafts to complete: everyone who may create cases
    (it lists, of those, the cases ``visible_cases_clause`` shows them)."""
    return can_create_case(user) and can_list_cases(user)


def sees_returned_panel(user: User) -> bool:
    """The dashboard's panel of the cases returned to their creator: everyone who may create
    cases (it lists, of those they created, the cases ``visible_cases_clause`` shows them, the
    reasons of those ``readable_cases_clause`` keeps)."""
    return can_create_case(user) and can_list_cases(user)


def can_see_source_identity(user: User, case: Case, source: Any) -> bool:
    """A protected source identity is shown to the case team only."""
    if not can_view_identifying(user, case):
        return False
    return not source.identity_protected or is_on_team(user, case)


# Review workflow: (from, to) -> roles allowed, and whether they must be on the team.
_TRANSITIONS: dict[tuple[CaseStatus, CaseStatus], dict[Role, bool]] = {
    (CaseStatus.DRAFT, CaseStatus.SUBMITTED): {M: True, L: True, C: False},
    (CaseStatus.RETURNED, CaseStatus.SUBMITTED): {M: True, L: True, C: False},
    (CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW): {L: True, C: False},
    (CaseStatus.SUBMITTED, CaseStatus.RETURNED): {L: True, C: False},
    (CaseStatus.IN_REVIEW, CaseStatus.RETURNED): {L: True, C: False},
    (CaseStatus.IN_REVIEW, CaseStatus.VERIFIED): {L: True, C: False},
    (CaseStatus.VERIFIED, CaseStatus.IN_REVIEW): {L: True, C: False},
    (CaseStatus.VERIFIED, CaseStatus.CLOSED): {C: False},
    (CaseStatus.CLOSED, CaseStatus.IN_REVIEW): {C: False},
}


def workflow_targets(status: CaseStatus) -> list[CaseStatus]:
    """Statuses reachable from ``status`` by someone."""
    return [to for (frm, to) in _TRANSITIONS if frm == status]


def can_transition(user: User, case: Case, to: CaseStatus) -> bool:
    """May the user move the case from its current status to ``to``?"""
    if not may(user, "transition", case):
        return False
    rule = _TRANSITIONS.get((case.status, to))
    if rule is None or user.role not in rule:
        return False
    return is_on_team(user, case) if rule[user.role] else True


def can_edit_legal_links(user: User, case: Case) -> bool:
    """Add or change case-provision assessments: lawyers on the team and coordinators."""
    return may(user, "assess_legal", case)


def can_suggest_legal_link(user: User, case: Case) -> bool:
    """Monitors on the team may suggest a provision; a lawyer turns it into an assessment."""
    return may(user, "suggest_legal", case)


def can_manage_advocacy(user: User, case: Case | None = None) -> bool:
    """Create and update advocacy actions for ``case``, or thematic ones when None."""
    if case is None:
        return _has(user, "create_thematic_action")
    return may(user, "manage_advocacy", case)


def visible_cases_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause over ``Case`` keeping exactly the cases ``can_view_case`` allows."""
    return _case_clause(user, "view")


def readable_cases_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause over ``Case`` keeping the cases whose identifying data the user may read.

    Filters and counts over identifying attributes (a person's ethnicity, a provision assessed,
    a name) go through this clause, so that their results reveal nothing of other cases.
    """
    return _case_clause(user, "read")


def readable_cases_key(user: User) -> tuple[Any, ...]:
    """Everything ``readable_cases_clause(user)`` is built from (``_build_case_clause``: the
    account, its role, whether it is active, whether it is on few teams; the policy itself is
    fixed): a statement built over the clause may be kept and run again for whoever has the
    same key, since their clause would be built alike, values included. Keep it in step with
    ``_build_case_clause``."""
    active = _active(user)
    allowed = CASE_POLICY["read"].get(user.role, frozenset()) if active else frozenset()
    return (
        getattr(user, "id", None),
        getattr(user, "role", None),
        active,
        _from_own_teams(user, allowed),
    )


def known_teams_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause over ``Case`` keeping the cases whose team (who created it, its lawyer,
    its members) ``user`` may be told of, by a filter, a count or a page: those whose identifying
    data they read. Who works on a restricted case is as identifying as who is in it: a list
    filtered by a lawyer must not list, under their name, a restricted case off the user's
    team."""
    return readable_cases_clause(user)


def readable_case_ids(
    user: User, case_ids: Iterable[int], known: Iterable[Case] = ()
) -> frozenset[int]:
    """Those of ``case_ids`` whose identifying data ``user`` may read (``can_view_identifying``,
    by ``readable_cases_clause``): one query for a whole list. ``known``: cases already loaded
    with their team (the open case file's), decided by ``can_view_identifying`` itself, the
    same rule, without a query: none at all when they are the only ones asked about."""
    from casework.cases.models import Case
    from casework.core.db import among, db

    ids = set(case_ids)
    if not ids:
        return frozenset()
    loaded = {case.id: can_view_identifying(user, case) for case in known if case.id in ids}
    if loaded:
        rest = readable_case_ids(user, ids - loaded.keys())
        return frozenset(rest | {case_id for case_id, yes in loaded.items() if yes})
    # Each case decided once per request, until its next write: a page's panels often show the
    # same cases (the dashboard's recent and imminent ones). Not while a change waits to be
    # written (a team being changed): the query that writes it first decides afresh.
    session = db.session
    pending = session.new or session.dirty or session.deleted
    key = ("readable_case_ids", getattr(user, "id", None), getattr(user, "role", None))
    decided = {} if pending else per_request_dict(key)
    asked = ids - decided.keys()
    if asked:
        found = set(
            db.session.scalars(
                select(Case.id).where(among(Case.id, asked), readable_cases_clause(user))
            )
        )
        decided.update((case_id, case_id in found) for case_id in asked)
    return frozenset(case_id for case_id in ids if decided[case_id])


def _remembered_clause(name: str, user: Any, build: Any) -> Any:
    """``build()``, the clause ``name`` of ``user``, built once per request (until its next
    write) for each account, role and standing: a page's lists and panels each ask for the
    same clauses, and building one costs as much as loading a row. A write forgets them, so
    that a team, role or account changed is decided afresh."""
    memo = per_request_dict(("policy clause", name))
    key = (getattr(user, "id", None), getattr(user, "role", None), _active(user))
    found = memo.get(key)
    if found is None:
        found = memo[key] = build()
    return found


def _case_clause(user: User, action: str) -> ColumnElement[bool]:
    return _remembered_clause(f"cases {action}", user, lambda: _build_case_clause(user, action))


def _build_case_clause(user: User, action: str) -> ColumnElement[bool]:
    from casework.cases.models import Case, CaseMember  # models import this module's enums

    if not _active(user):
        return false()
    allowed = CASE_POLICY[action].get(user.role, frozenset())
    if not allowed:
        return false()
    on_team: ColumnElement[bool] = exists(
        select(CaseMember.id).where(CaseMember.case_id == Case.id, CaseMember.user_id == user.id)
    )
    if _from_own_teams(user, allowed):
        # The same cases, found from the user's teams rather than by asking every case in the
        # list's order whether the user is on it: for someone on three teams of 100,000 cases,
        # that walk would read them all before filling a page.
        on_team = Case.id.in_(select(CaseMember.case_id).where(CaseMember.user_id == user.id))
    restricted = Case.restricted.is_(True)

    def kept(team: Relation, other: Relation) -> ColumnElement[bool] | None:
        # Of one kind of case (restricted or not): all of them, the team's, the others' or none.
        if team in allowed and other in allowed:
            return true()
        if team in allowed:
            return on_team
        if other in allowed:
            return not_(on_team)
        return None

    open_cases = kept(Relation.TEAM, Relation.OTHER)
    closed_cases = kept(Relation.RESTRICTED_TEAM, Relation.RESTRICTED_OFF)
    if open_cases is not None and open_cases is closed_cases:
        return open_cases  # the same rule for both kinds of case: restriction is moot
    parts = []
    if open_cases is not None:
        parts.append(
            not_(restricted) if open_cases is true() else and_(not_(restricted), open_cases)
        )
    if closed_cases is not None:
        parts.append(restricted if closed_cases is true() else and_(restricted, closed_cases))
    return or_(*parts) if parts else false()


# Up to this many teams, a user's cases are looked up from their teams (a short list, then
# sorted); beyond, lists walk their own order and ask of each case whether the user is on its
# team, which fills a page after about (cases / teams) x page rows. Either way the same cases.
FEW_TEAMS = 1000


def _from_own_teams(user: User, allowed: frozenset[Relation]) -> bool:
    """Are the cases ``allowed`` (relations) to ``user`` found from the user's teams: only
    their teams' cases, and few teams?"""
    return Relation.TEAM in allowed and Relation.OTHER not in allowed and _on_few_teams(user)


def _on_few_teams(user: User) -> bool:
    """Is ``user`` on at most FEW_TEAMS case teams? Counted once per change of the data."""
    from casework.audit.services import data_version

    return _team_count(data_version(), user.id, FEW_TEAMS + 1) <= FEW_TEAMS


def _reads_only_own_teams(user: User) -> bool:
    """Are the cases whose identifying data ``user`` reads all cases of their teams?"""
    return CASE_POLICY["read"].get(user.role, frozenset()) <= _TEAM


@data_cached(maxsize=4096)
def _team_count(version: str, user_id: int, cap: int) -> int:
    """How many case teams ``user_id`` is on, counting up to ``cap``."""
    from casework.cases.models import CaseMember
    from casework.core.db import db

    teams = select(CaseMember.id).where(CaseMember.user_id == user_id).limit(cap)
    return db.session.scalar(select(func.count()).select_from(teams.subquery())) or 0


# --- people ---------------------------------------------------------------------------------


def _person_cases(person: Any, *, removed_too: bool = False) -> list[Case]:
    """The cases ``person`` is in; with ``removed_too``, also those they were removed from
    (their link hidden)."""
    from casework.cases.models import Case, CasePerson
    from casework.core.db import db

    query = (
        select(Case)
        .join(CasePerson, CasePerson.case_id == Case.id)
        .where(CasePerson.person_id == person.id)
    )
    if not removed_too:
        query = query.where(CasePerson.hidden_at.is_(None))
    return list(db.session.scalars(query))


def can_view_person(user: User, person: Any) -> bool:
    """A person is seen through a case: one of theirs whose identifying data the user reads.
    A hidden (or merged-away) person is seen by nobody, and a case the person was removed
    from (the link hidden) opens nothing of them: whoever restores the link reaches them
    through that case (``loader.can_see``)."""
    if getattr(person, "is_hidden", False):
        return False
    return any(can_view_identifying(user, case) for case in _person_cases(person))


def can_edit_person(user: User, person: Any, case: Case) -> bool:
    """Edit a person from ``case``: the right to edit it and every restricted case they are in
    (or were removed from: the record is theirs too, and may be restored)."""
    if not can_edit_case(user, case):
        return False
    others = _person_cases(person, removed_too=True)
    return all(can_edit_case(user, other) for other in others if other.restricted)


# A person's fields the case file does not show (typed by any team they are in: where to find
# them, how to reach them, what the team knows): read, as changed, only by whoever may read
# every restricted case they are in (``can_edit_person``).
PERSON_PRIVATE_FIELDS = frozenset({"contacts", "address", "notes"})


def people_with_private_fields_withheld(user: User, person_ids: Iterable[int]) -> frozenset[int]:
    """Those of ``person_ids`` in a restricted case (or removed from one) whose identifying data
    ``user`` may not read: their PERSON_PRIVATE_FIELDS are withheld from ``user``. One query."""
    from casework.cases.models import Case, CasePerson
    from casework.core.db import among, db

    ids = set(person_ids)
    if not ids:
        return frozenset()
    query = (
        select(CasePerson.person_id)
        .join(Case, Case.id == CasePerson.case_id)
        .where(among(CasePerson.person_id, ids), Case.restricted.is_(True))
        .where(not_(readable_cases_clause(user)))
        .distinct()
    )
    return frozenset(db.session.scalars(query))


def people_with_consent_taker_withheld(user: User, person_ids: Iterable[int]) -> frozenset[int]:
    """Those of ``person_ids`` whose consent's taker (who recorded it) is not named to ``user``:
    it was recorded from any case the person is in, by anyone of its team, so naming them tells
    who works on it. As their PERSON_PRIVATE_FIELDS: named only to whoever may read every
    restricted case the person is in. One query."""
    return people_with_private_fields_withheld(user, person_ids)


def visible_people_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause over ``Person``: people linked (not hidden) to a case the user reads, but
    for a discarded draft: it has left the lists and the search, and its people with it (no
    longer offered as possibly the same person, nor found to be added to a case)."""
    from casework.cases.models import Case, CasePerson
    from casework.people.models import Person

    # Hidden (or merged-away) people are never visible.
    return Person.hidden_at.is_(None) & exists(
        select(CasePerson.id)
        .join(Case, Case.id == CasePerson.case_id)
        .where(
            CasePerson.person_id == Person.id,
            CasePerson.hidden_at.is_(None),
            Case.hidden_at.is_(None),
            readable_cases_clause(user),
        )
    )


def few_teams_people(user: User) -> Select | None:
    """For a user on few teams who reads only their own teams' cases: the ids of the people
    of those cases (a subquery, a superset of ``visible_people_clause`` that drops nobody it
    keeps), for a search to start from. None for anyone else: they see too many for a list."""
    from casework.cases.models import Case, CasePerson

    if not (_reads_only_own_teams(user) and _on_few_teams(user)):
        return None
    return (
        select(CasePerson.person_id)
        .join(Case, Case.id == CasePerson.case_id)
        .where(CasePerson.hidden_at.is_(None), readable_cases_clause(user))
    )


# --- advocacy -------------------------------------------------------------------------------


def can_view_advocacy(user: User) -> bool:
    """The advocacy pages at all (lists, follow-ups)."""
    return _has(user, "view_advocacy")


def can_view_action(user: User, action: Any) -> bool:
    """An action is seen with the right to read at least one of its cases; thematic ones by
    everyone on the advocacy pages."""
    if not can_view_advocacy(user):
        return False
    if not action.cases:
        return user.role in THEMATIC_POLICY["view"]
    return any(can_view_identifying(user, case) for case in action.cases)


def can_read_action_text(user: User, action: Any, readable: Collection[int] | None = None) -> bool:
    """The action's own words (title, notes, reference number, summary of the reply) may name
    people or facts of any of its cases: they are shown only to a user who may read every one
    of its cases (a thematic action's, to whoever sees it). Whoever reads only some still sees
    the action (type, body, dates, status, the references of the cases they read), so that the
    follow-up of theirs goes on, and is told that the rest is withheld. Changing the action
    asks as much (``can_edit_action``). ``readable``: as for ``action_cases_for``."""
    if readable is not None:
        return action.id in readable_action_texts(user, (action,), readable)
    if not action.cases:
        return can_view_action(user, action)
    return all(can_view_identifying(user, case) for case in action.cases)


def knows_action_team(user: User, action: Any, readable: Collection[int] | None = None) -> bool:
    """Who took an action's steps (its history, the timeline of its cases) is named to whoever
    may know the team of every one of its cases (``known_teams_clause``): only who may change
    it on all of them does, so on an action shared with a restricted case they are on that
    case's team, which is told to its team alone. Others see each step, by no one's name.
    ``readable``: as for ``action_cases_for``."""
    if not action.cases:
        return can_view_action(user, action)
    if readable is not None:
        return _active(user) and all(case.id in readable for case in action.cases)
    return all(can_view_identifying(user, case) for case in action.cases)


def can_edit_action(user: User, action: Any) -> bool:
    """Change an action: the advocacy right on every one of its cases (thematic: coordinators)."""
    if not can_view_action(user, action):
        return False
    if not action.cases:
        return user.role in THEMATIC_POLICY["manage_advocacy"]
    return all(may(user, "manage_advocacy", case) for case in action.cases)


def action_cases_for(
    user: User, action: Any, readable: Collection[int] | None = None
) -> list[Case]:
    """The cases of an action the user may read: the only ones whose reference is shown.
    ``readable``: the ids ``readable_case_ids`` gave for a whole list of actions (the same rule,
    decided in one query instead of reading every case's team)."""
    if readable is not None:
        return [case for case in action.cases if case.id in readable]
    return [case for case in action.cases if can_view_identifying(user, case)]


def readable_action_texts(
    user: User, actions: Iterable[Any], readable: Collection[int]
) -> frozenset[int]:
    """The ids of those of ``actions`` whose own words ``user`` may read: the rule of
    ``can_read_action_text`` decided for a whole list at once (``readable`` as for
    ``action_cases_for``)."""
    if not _active(user):
        return frozenset()
    thematic = can_view_advocacy(user) and user.role in THEMATIC_POLICY["view"]
    return frozenset(
        action.id
        for action in actions
        if (all(case.id in readable for case in action.cases) if action.cases else thematic)
    )


def can_download_action_document(user: User, action: Any, document: Any = None) -> bool:
    """An action's document may concern any of its cases: every one must be readable. Those
    the action had when ``document`` was attached too (``document_cases``): unlinking a case
    from the action does not hand its documents to whoever sees the action without it.
    Without ``document``: may the user have the action's documents at all."""
    if not can_view_action(user, action):
        return False
    if not all(can_view_identifying(user, case) for case in action.cases):
        return False
    if document is None:
        return True
    from casework.core.db import db
    from casework.evidence.models import document_cases

    # By id: the text of a case no longer linked is not read to decide.
    attached = select(document_cases.c.case_id).where(document_cases.c.document_id == document.id)
    unlinked = set(db.session.scalars(attached)) - {case.id for case in action.cases}
    return readable_case_ids(user, unlinked) == unlinked


def can_hide_action_document(user: User, action: Any, document: Any) -> bool:
    """Remove (hide, never delete) a document from an action: whoever may change the action and
    have the document."""
    return can_edit_action(user, action) and can_download_action_document(user, action, document)


def can_restore_action_document(user: User, action: Any, document: Any) -> bool:
    """Bring a removed document of an action back (and have it meanwhile), as a case's hidden
    record: a coordinator who may restore the records of every one of the action's cases
    (thematic: who changes thematic actions), and may have the document."""
    if not can_download_action_document(user, action, document):
        return False
    if not action.cases:
        return user.role in THEMATIC_POLICY["manage_advocacy"]
    return all(may(user, "restore", case) for case in action.cases)


def visible_actions_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause over AdvocacyAction matching ``can_view_action``."""
    return _remembered_clause("actions", user, lambda: _build_visible_actions_clause(user))


def _build_visible_actions_clause(user: User) -> ColumnElement[bool]:
    from casework.advocacy.models import AdvocacyAction, action_cases
    from casework.cases.models import Case

    if not can_view_advocacy(user):
        return false()
    if _reads_only_own_teams(user) and _on_few_teams(user):
        return AdvocacyAction.id.in_(_few_teams_actions(user))
    if user.role in THEMATIC_POLICY["view"]:
        # One of its cases readable, or none at all (thematic), as one correlated aggregate per
        # row: written as "NOT EXISTS a case OR EXISTS a readable one", PostgreSQL hashed the
        # whole of action_cases (a cost growing with the archive) before the first row. "<> 0"
        # lets its planner expect most rows to pass, so that it walks a list's date index.
        best = (
            select(func.max(sql_case((readable_cases_clause(user), 1), else_=0)))
            .select_from(Case)
            .join(action_cases, action_cases.c.case_id == Case.id)
            .where(action_cases.c.action_id == AdvocacyAction.id)
            .scalar_subquery()
        )
        return func.coalesce(best, 1) != 0
    return exists(
        select(Case.id)
        .join(action_cases, action_cases.c.case_id == Case.id)
        .where(action_cases.c.action_id == AdvocacyAction.id, readable_cases_clause(user))
    )


def _few_teams_actions(user: User) -> Select | CompoundSelect:
    """The ids of the actions a user on few teams sees (``visible_actions_clause``): those of
    their teams' cases that they read, found from their teams, and the thematic ones if their
    role sees them, found by their flag. Asking every action instead, as a list in its order
    does, reads all of them before filling a page when the user is on few teams."""
    from casework.advocacy.models import AdvocacyAction

    found: Select | CompoundSelect = _team_actions(user)
    if user.role in THEMATIC_POLICY["view"]:
        other = aliased(AdvocacyAction)
        found = union(found, select(other.id).where(_thematic_clause(other)))
    return found


def _team_actions(user: User) -> Select:
    """The ids of the actions linked to a case ``user`` reads, found from the cases."""
    from casework.advocacy.models import action_cases
    from casework.cases.models import Case

    return (
        select(action_cases.c.action_id)
        .join(Case, Case.id == action_cases.c.case_id)
        .where(readable_cases_clause(user))
    )


def _thematic_clause(action: Any) -> ColumnElement[bool]:
    """SQL over ``action`` (AdvocacyAction or an alias of it): a thematic action. The flag
    finds them (its indexes); thematic only if no case is linked, whatever the flag says."""
    from casework.advocacy.models import action_cases

    unlinked = ~exists(select(action_cases.c.case_id).where(action_cases.c.action_id == action.id))
    return and_(action.thematic == true(), unlinked)


def visible_actions_parts(
    user: User,
) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]]]:
    """``visible_actions_clause`` as parts whose union it is, for a list that reads each on its
    own and merges them: (the parts small whatever the archive, read whole; the parts a list
    reads in its order on an index, up to its page). For a user on few teams: the actions of
    the cases they read (found from their teams) and, if their role sees them, the thematic
    ones (by the flag's indexes: read with the teams' ones, every thematic action was read
    before a list's filters and limit). For anyone else: the clause alone, walked."""
    whole, walked = _remembered_clause(
        "action parts", user, lambda: _build_visible_actions_parts(user)
    )
    return list(whole), list(walked)


def _build_visible_actions_parts(
    user: User,
) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]]]:
    from casework.advocacy.models import AdvocacyAction

    if not (can_view_advocacy(user) and _reads_only_own_teams(user) and _on_few_teams(user)):
        return [], [visible_actions_clause(user)]
    walked = [_thematic_clause(AdvocacyAction)] if user.role in THEMATIC_POLICY["view"] else []
    return [AdvocacyAction.id.in_(_team_actions(user))], walked


def can_manage_target_bodies(user: User) -> bool:
    return _has(user, "manage_target_bodies")


def can_view_upr(user: User) -> bool:
    return _has(user, "view_upr")


def can_manage_upr(user: User) -> bool:
    return _has(user, "manage_upr")


def can_link_case_to_recommendation(user: User, case: Case) -> bool:
    return can_manage_upr(user) and can_view_identifying(user, case)


def can_use_calendar_feed(user: User) -> bool:
    return _has(user, "calendar_feed")


def receives_org_followups(user: User) -> bool:
    """Overdue follow-ups of the whole organisation (dashboard, reminders for nobody's)."""
    return has_right(user, "org_followups")


# --- catalogue, accounts, audit -------------------------------------------------------------


def can_view_catalogue(user: User) -> bool:
    return _has(user, "view_catalogue")


def can_manage_catalogue(user: User) -> bool:
    """Add, edit and retire instruments and provisions."""
    return _has(user, "manage_catalogue")


def can_manage_accounts(user: User) -> bool:
    return _has(user, "manage_accounts")


def can_view_audit(user: User) -> bool:
    return _has(user, "view_audit")


def holders_clause(right: str) -> ColumnElement[bool]:
    """A WHERE clause over ``User``: the accounts whose role holds an organisation-wide right."""
    from casework.accounts.models import User

    return User.role.in_(GLOBAL_POLICY[right])


def roles_clause(roles: Iterable[Role]) -> ColumnElement[bool]:
    """A WHERE clause over ``User``: the accounts of these roles (pickers, filters)."""
    from casework.accounts.models import User

    return User.role.in_([Role(r).value for r in roles])


def grants_every_case(old: Role, new: Role) -> bool:
    """Does changing a role from ``old`` to ``new`` give sight of every ordinary case?"""
    return old != new and role_sees_every_case(new) and not role_sees_every_case(old)


def roles_for(right: str) -> frozenset[Role]:
    """The roles holding an organisation-wide right (navigation, pickers of users)."""
    return GLOBAL_POLICY[right]


def may_be_lawyer(user: User) -> bool:
    """Only a lawyer account is assigned as a case's lawyer."""
    return user.role == L


def can_be_team_member(user: User) -> bool:
    """Who may be put on a case's team."""
    return _active(user) and user.role in (M, L, C, A)


def sees_admin_hint(user: User) -> bool:
    """Administrators are told why they see no case content."""
    return _active(user) and user.role == A


# --- legal catalogue: precedents ---


def can_cite_precedent(user: User, case: Case) -> bool:
    """Cite a decision as a precedent of the case: as for legal links, lawyers on the team and
    coordinators."""
    return can_edit_legal_links(user, case)


# --- accounts: second factor resets ---


def second_factor_reset_slot(user: User, target: User) -> str | None:
    """Which approval ``user`` gives to removing ``target``'s second factor: "coordinator" or
    "admin"; None if they may not approve (nobody approves their own reset)."""
    if not _active(user) or user.id == target.id:
        return None
    if user.role == C:
        return "coordinator"
    if user.role == A:
        return "admin"
    return None


def established_approver(user: User) -> bool:
    """An approval of a second-factor reset counts from an account whose authenticator has
    been in force for SECOND_FACTOR_APPROVER_DAYS: an administrator alone cannot create a
    coordinator account (its one-time code comes to them), enrol it and approve with it at
    once; every other coordinator is told of a new coordinator the day it is made."""
    from flask import current_app

    from casework.core.db import utcnow

    days = current_app.config.get("SECOND_FACTOR_APPROVER_DAYS", 7)
    since = user.totp_confirmed_at
    return not days or (since is not None and since <= utcnow() - timedelta(days=days))


def can_approve_second_factor_resets(user: User) -> bool:
    return has_right(user, "approve_2fa_resets")


def role_sees_every_case(role: Role) -> bool:
    """Whether a role sees every ordinary case (granting it is announced to the coordinators)."""
    return Relation.OTHER in CASE_POLICY["view"].get(role, frozenset())


# --- people: merging, import ---


def can_merge_people(user: User, cases: list[Case]) -> bool:
    """Merge (or unmerge) two people: the merge right on every case of both."""
    return bool(cases) and all(may(user, "merge_people", case) for case in cases)


def can_import_cases(user: User) -> bool:
    """Import cases from a spreadsheet."""
    return has_right(user, "import_cases")


# --- API: personal access tokens ---


def can_use_api(user: User) -> bool:
    """Create personal access tokens and call the API (which then applies every rule above)."""
    return _has(user, "use_api")


def can_manage_token(user: User, token: Any) -> bool:
    """A token is its owner's alone to list and revoke."""
    return _active(user) and token is not None and token.user_id == user.id


# --- outputs (statistics, submissions, exports) ---


def can_view_statistics(user: User) -> bool:
    return _has(user, "view_statistics")


def can_manage_reports(user: User) -> bool:
    """UPR drafts and the organisation profile at the top of every document."""
    return _has(user, "manage_reports")


def visible_drafts_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause over ``ReportDraft``: the drafts ``user`` may read and edit.

    A draft's text was written from the cases its creator reads (restricted ones included):
    whoever reads it, its creator too, reads every one of those cases (taken off a restricted
    case's team, the creator loses the draft with it). A draft whose cases were not recorded
    (made before they were) is its creator's alone.
    """
    from casework.cases.models import Case
    from casework.reports.models import ReportDraft, report_draft_cases

    if not can_manage_reports(user):
        return false()
    unreadable = (
        select(report_draft_cases.c.case_id)
        .join(Case, Case.id == report_draft_cases.c.case_id)
        .where(report_draft_cases.c.draft_id == ReportDraft.id, ~readable_cases_clause(user))
    )
    return (ReportDraft.cases_recorded.is_(False) & (ReportDraft.created_by_id == user.id)) | (
        ReportDraft.cases_recorded.is_(True) & ~exists(unreadable)
    )


def can_view_draft(user: User, draft: Any) -> bool:
    """See ``visible_drafts_clause``."""
    from casework.core.db import db
    from casework.reports.models import ReportDraft

    if not can_manage_reports(user):
        return False
    if not draft.cases_recorded:
        return draft.created_by_id == user.id
    visible = select(ReportDraft.id).where(ReportDraft.id == draft.id, visible_drafts_clause(user))
    return db.session.scalar(visible) is not None


def can_export_cases(user: User) -> bool:
    """Bulk exports of the cases the user may read (never more: readable_cases_clause)."""
    return _has(user, "export_cases")


# --- background jobs ------------------------------------------------------------------------


def can_view_job(user: Any, job: Any) -> bool:
    """A job's page and progress: its creator, and administrators."""
    if not _active(user):
        return False
    return job.created_by_id == user.id or has_right(user, "view_all_jobs")


def can_download_job_result(user: Any, job: Any) -> bool:
    """A job's file (an export of cases): its creator alone, whoever else sees the job, and
    only while they may still read every case the file holds (``case_ids``): taken off a
    case's team, the case restricted or their role changed since, they no longer have it."""
    if not (_active(user) and job.created_by_id == user.id):
        return False
    return still_reads_job_cases(user, job)


def can_read_import_check(user: Any, job: Any) -> bool:
    """The report of a large file's check (its rows' values, the names of the people they may
    match, as its creator may see them): its creator alone, while they may import cases.
    Whoever else sees the job sees its counts only."""
    return _active(user) and job.created_by_id == user.id and can_import_cases(user)


def still_reads_job_cases(user: Any, job: Any) -> bool:
    """May ``user`` still read every case whose content went into the job's file?"""
    from casework.core.db import in_chunks

    case_ids = (job.params or {}).get("case_ids")
    if case_ids is None:
        return True  # a file of no case's content
    # A slice at a time: an export of the whole archive holds more ids than one IN list takes.
    return all(
        readable_case_ids(user, chunk) == set(chunk) for chunk in in_chunks(sorted(set(case_ids)))
    )


def can_run_system_jobs(user: Any) -> bool:
    """Start reminders, backups and key rotation by hand."""
    return _has(user, "run_system_jobs")


def jobs_clause(user: Any) -> ColumnElement[bool]:
    """SQL filter of the jobs ``user`` may see (for the job list)."""
    from casework.jobs.models import Job

    if not _active(user):
        return false()
    if has_right(user, "view_all_jobs"):
        return true()
    return Job.created_by_id == user.id


def can_prepare_output(user: User, case: Case) -> bool:
    """Review a case's free text for an output and generate the case's documents."""
    return may(user, "prepare_output", case)
