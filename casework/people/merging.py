"""Merging two records of one person, and undoing it.

Nothing is lost: the merged record's names, case links and family links move to the surviving
record; where the survivor already has the same link, the merged one is hidden instead. The
survivor takes the details it lacks, and the stricter consent of the two (one person, so the
strictest word either record has from them holds). What moved is written down on the merge, so
an unmerge puts every piece back where it was.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from casework import permissions
from casework.audit.services import before_after, record
from casework.cases.models import Case, CasePerson
from casework.core.db import db, utcnow
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.core.i18n import N_
from casework.core.i18n import gettext as _
from casework.core.vocab import CaseRole, ConsentLevel, Gender, GovernmentContact, LegalStatus
from casework.people.matching import reindex_person
from casework.people.models import FamilyLink, Person, PersonMerge, PersonName

# Stored in English, as a person's typed reasons are kept; the case file shows it translated.
MERGED_REASON = N_("Merged into another record of the same person")
# The roles a person may have in a case, the one that prevails first.
_ROLES = list(CaseRole)
# Details the survivor takes from the merged record when it has none of its own.
_FILLABLE = (
    "birth_date",
    "nationality",
    "ethnicity",
    "legal_status",
    "unhcr_number",
    "contacts",
    "address",
    "notes",
    "gender",
)
# Consent levels, the strictest first.
_CONSENT = list(ConsentLevel)
# Set by a merge, not said in its audit entry (who obtained a consent goes with its level).
_NOT_AUDITED = frozenset({"consent_obtained_by_id"})
# What "none of its own" is for a detail that has a value for unknown.
_UNKNOWN: dict[str, Any] = {"gender": Gender.UNKNOWN, "legal_status": LegalStatus.UNKNOWN}


def cases_of(*people: Person) -> list[Case]:
    """Every case either person is linked to (hidden links included)."""
    ids = [p.id for p in people]
    return list(
        db.session.scalars(
            select(Case)
            .join(CasePerson, CasePerson.case_id == Case.id)
            .where(CasePerson.person_id.in_(ids))
            .distinct()
        )
    )


def cases_by_person(people: list[Person]) -> dict[int, list[Case]]:
    """``cases_of`` each of ``people``, by person id, with the teams the policy reads: one
    query for them all (a person's page weighs several merge candidates)."""
    found: dict[int, list[Case]] = {p.id: [] for p in people}
    if not found:
        return found
    rows = db.session.execute(
        select(CasePerson.person_id, Case)
        .join(CasePerson, CasePerson.case_id == Case.id)
        .where(CasePerson.person_id.in_(found))
        .options(selectinload(Case.members))
    )
    for person_id, case in rows:
        if case not in found[person_id]:
            found[person_id].append(case)
    return found


def _hide_link(link: Any, actor: Any) -> None:
    link.hidden_at = utcnow()
    link.hidden_by_id = actor.id
    link.hidden_reason = MERGED_REASON


def merge_people(actor: Any, survivor: Person, merged: Person) -> PersonMerge:
    """Merge ``merged`` into ``survivor``; returns the merge (which an unmerge undoes)."""
    if survivor.id == merged.id:
        raise ValidationFailed({"other": [_("A person cannot be merged with themselves.")]})
    if survivor.hidden_at is not None or merged.hidden_at is not None:
        raise ValidationFailed({"other": [_("Only records in use can be merged.")]})
    if not permissions.can_merge_people(actor, cases_of(survivor, merged)):
        raise PermissionDenied("You may not merge these people.")
    moved: dict[str, Any] = {"names": {}, "links": [], "hidden_links": [], "family": []}
    moved["hidden_family"] = []
    _take_pseudonym(survivor, merged, moved)
    position = max((n.position for n in survivor.names), default=-1) + 1
    for entry in list(merged.names):
        moved["names"][str(entry.id)] = entry.position
        entry.person_id, entry.position = survivor.id, position
        position += 1
    moved["shown_links"], moved["roles"] = [], []
    survivor_links = {
        cp.case_id: cp
        for cp in db.session.scalars(select(CasePerson).filter_by(person_id=survivor.id))
    }
    for link in db.session.scalars(select(CasePerson).filter_by(person_id=merged.id)):
        kept = survivor_links.get(link.case_id)
        if kept is None:
            link.person_id = survivor.id
            moved["links"].append(link.id)
        elif link.hidden_at is None:
            if kept.hidden_at is not None:
                # The survivor was removed from a case the other record is in: the person stays
                # in it, in the other record's role. Who removed it and why stay on the link,
                # for an unmerge to put the removal back.
                moved["shown_links"].append([kept.id, kept.role.value, kept.hidden_at.isoformat()])
                kept.role, kept.hidden_at = link.role, None
            elif _ROLES.index(link.role) < _ROLES.index(kept.role):
                # In the case twice (say as its person at risk and as a witness): the person
                # keeps the role that comes first, or the case would lose its person at risk.
                moved["roles"].append([kept.id, kept.role.value, link.role.value])
                kept.role = link.role
            _hide_link(link, actor)
            moved["hidden_links"].append(link.id)
    _move_family(actor, survivor, merged, moved)
    values: dict[str, Any] = {}
    for name in _FILLABLE:
        empty = (None, "", _UNKNOWN.get(name))
        if getattr(survivor, name) in empty and getattr(merged, name) not in empty:
            values[name] = getattr(merged, name)
    moved["filled"] = list(values)
    if "birth_date" in values:
        # A date known only roughly stays so: "c. 1985" must not become "1985".
        values["birth_date_approximate"] = merged.birth_date_approximate
    stricter = _stricter(survivor, merged)
    moved["stricter"] = {name: _stored(getattr(survivor, name)) for name in stricter}
    values.update(stricter)
    changed = _apply(survivor, values)
    # The survivor's row is written whatever was filled, so its version moves: a merge of it
    # into another record committed meanwhile (after the check above) refuses this one.
    survivor.updated_at = utcnow()
    merged.hidden_at, merged.hidden_by_id = utcnow(), actor.id
    merged.hidden_reason, merged.merged_into_id = MERGED_REASON, survivor.id
    merge = PersonMerge(
        survivor_id=survivor.id, merged_id=merged.id, moved=moved, merged_by_id=actor.id
    )
    db.session.add(merge)
    db.session.flush()
    db.session.expire(survivor, ["names"])
    db.session.expire(merged, ["names"])
    reindex_person(survivor)
    reindex_person(merged)
    record(
        actor,
        "person.merged",
        survivor,
        merged=merged.public_id,
        merge=merge.public_id,
        **changed,
    )
    return merge


def _take_pseudonym(survivor: Person, merged: Person, moved: dict[str, Any]) -> None:
    """The survivor keeps its pseudonym, or takes the merged record's: the outputs of the
    merged record's cases keep calling the person what a UN body already read ("Person
    AB123"), instead of a new one."""
    if survivor.pseudonym is not None or merged.pseudonym is None:
        return
    moved["pseudonym"] = pseudonym = merged.pseudonym
    _move_pseudonym(pseudonym, merged, survivor)


def _move_pseudonym(pseudonym: str, source: Person, target: Person) -> None:
    source.pseudonym = None
    db.session.flush()  # one person has a pseudonym at a time (a unique column)
    target.pseudonym = pseudonym


def _stricter(survivor: Person, merged: Person) -> dict[str, Any]:
    """What of the other record's consent the survivor takes: both are one person, so the
    strictest word either record has from them holds (a lower consent level, with its date and
    who obtained it; a refusal to have the government contacted; relatives at risk)."""
    values: dict[str, Any] = {}
    if _CONSENT.index(merged.consent) < _CONSENT.index(survivor.consent):
        values["consent"] = merged.consent
        values["consent_date"] = merged.consent_date
        values["consent_obtained_by_id"] = merged.consent_obtained_by_id
    refuses = GovernmentContact.REFUSES
    if merged.government_contact == refuses and survivor.government_contact != refuses:
        values["government_contact"] = refuses
    if merged.family_at_risk and not survivor.family_at_risk:
        values["family_at_risk"] = True
    return values


def _stored(value: Any) -> Any:
    """A consent detail as the merge keeps it (JSON) for an unmerge to put back."""
    if isinstance(value, Enum):
        return value.value
    return value.isoformat() if isinstance(value, date) else value


def _apply(person: Person, values: dict[str, Any]) -> dict[str, Any]:
    """Set ``values`` on ``person``; the audit details saying what changed (field names, and
    before and after of what is not identifying, as for an edit)."""
    fields = sorted(name for name in values if name not in _NOT_AUDITED)
    changes = before_after(person, values, fields)
    for name, value in values.items():
        setattr(person, name, value)
    if not fields:
        return {}
    return {"fields": fields, "changes": changes} if changes else {"fields": fields}


def _move_family(actor: Any, survivor: Person, merged: Person, moved: dict[str, Any]) -> None:
    links = db.session.scalars(
        select(FamilyLink).where(
            (FamilyLink.person_id == merged.id) | (FamilyLink.relative_id == merged.id)
        )
    )
    existing = {
        (link.person_id, link.relative_id)
        for link in db.session.scalars(
            select(FamilyLink).where(
                (FamilyLink.person_id == survivor.id) | (FamilyLink.relative_id == survivor.id)
            )
        )
    }
    for link in list(links):
        pair = (
            survivor.id if link.person_id == merged.id else link.person_id,
            survivor.id if link.relative_id == merged.id else link.relative_id,
        )
        if pair[0] == pair[1] or pair in existing:
            if link.hidden_at is None:
                _hide_link(link, actor)
                moved["hidden_family"].append(link.id)
            continue
        moved["family"].append([link.id, link.person_id, link.relative_id])
        link.person_id, link.relative_id = pair
        existing.add(pair)


def unmerge(actor: Any, merge: PersonMerge) -> None:
    """Undo a merge: every moved name and link goes back; the merged record is visible again."""
    if merge.undone_at is not None:
        raise ValidationFailed({"merge": [_("This merge was already undone.")]})
    survivor, merged = merge.survivor, merge.merged
    if not permissions.can_merge_people(actor, cases_of(survivor, merged)):
        raise PermissionDenied("You may not undo this merge.")
    if survivor.merged_into_id is not None:
        # A later merge moved what this one brought (names, case and family links) on to a
        # third record: taking them back now would leave that merge's undo nothing to return.
        raise ValidationFailed(
            {"merge": [_("Undo the later merge of this record into another first.")]}
        )
    moved = merge.moved
    for name_id, position in moved["names"].items():
        entry = db.session.get(PersonName, int(name_id))
        if entry is not None:
            entry.person_id, entry.position = merged.id, position
    for link_id in moved["links"]:
        link = db.session.get(CasePerson, link_id)
        if link is not None:
            link.person_id = merged.id
    for link_id, role, given in moved.get("roles", []):
        link = db.session.get(CasePerson, link_id)
        if link is not None and link.role == CaseRole(given):  # not changed since
            link.role = CaseRole(role)
    for link_id, role, hidden_at in moved.get("shown_links", []):
        link = db.session.get(CasePerson, link_id)
        # Removed again only if nobody removed or restored it since (the reason is still the
        # removal's): a later decision about the link stands.
        if link is not None and link.hidden_at is None and link.hidden_reason is not None:
            link.role, link.hidden_at = CaseRole(role), datetime.fromisoformat(hidden_at)
    hidden = [(CasePerson, i) for i in moved["hidden_links"]]
    hidden += [(FamilyLink, i) for i in moved["hidden_family"]]
    for model, link_id in hidden:
        link = db.session.get(model, link_id)
        if link is not None and link.hidden_reason == MERGED_REASON:
            link.hidden_at = link.hidden_by_id = link.hidden_reason = None
    for link_id, person_id, relative_id in moved["family"]:
        link = db.session.get(FamilyLink, link_id)
        if link is not None:
            link.person_id, link.relative_id = person_id, relative_id
    kept = []
    values: dict[str, Any] = {}
    for name in moved.get("filled", []):
        # Only what still is the merged record's value goes back: a correction typed into the
        # survivor after the merge is the survivor's own and stays.
        if getattr(survivor, name) == getattr(merged, name):
            values[name] = _UNKNOWN.get(name)
            if name == "birth_date":
                values["birth_date_approximate"] = False
        else:
            kept.append(name)
    before = moved.get("stricter", {})
    for name, vocab in (("consent", ConsentLevel), ("government_contact", GovernmentContact)):
        if name in before:
            if getattr(survivor, name) == getattr(merged, name):
                values[name] = vocab(before[name])
            else:
                kept.append(name)
    if "consent" in values:
        consent_date = before["consent_date"]
        values["consent_date"] = date.fromisoformat(consent_date) if consent_date else None
        values["consent_obtained_by_id"] = before["consent_obtained_by_id"]
    if "family_at_risk" in before:
        if survivor.family_at_risk:
            values["family_at_risk"] = before["family_at_risk"]
        else:
            kept.append("family_at_risk")
    changed = _apply(survivor, values)
    if moved.get("pseudonym") and survivor.pseudonym == moved["pseudonym"]:
        _move_pseudonym(moved["pseudonym"], survivor, merged)
    merged.hidden_at = merged.hidden_by_id = merged.hidden_reason = None
    merged.merged_into_id = None
    merge.undone_at, merge.undone_by_id = utcnow(), actor.id
    db.session.flush()
    db.session.expire(survivor, ["names"])
    db.session.expire(merged, ["names"])
    reindex_person(survivor)
    reindex_person(merged)
    record(
        actor,
        "person.unmerged",
        survivor,
        merged=merged.public_id,
        merge=merge.public_id,
        **changed,
        **({"kept": kept} if kept else {}),
    )


def merges_of(person: Person) -> list[PersonMerge]:
    """Merges into ``person`` that are still in force (newest first)."""
    return list(
        db.session.scalars(
            select(PersonMerge)
            .where(PersonMerge.survivor_id == person.id, PersonMerge.undone_at.is_(None))
            .order_by(PersonMerge.merged_at.desc())
        )
    )
