"""People: names in several scripts, personal details, consent, family links."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import selectinload

from casework import permissions
from casework.audit.services import apply_changes, record
from casework.cases.models import CasePerson
from casework.cases.verification import facts_changed
from casework.core.db import db
from casework.core.errors import ValidationFailed, check_version
from casework.core.fields import FieldReader
from casework.core.hiding import hide, refuse_if_hidden
from casework.core.i18n import N_, translate
from casework.core.i18n import gettext as _
from casework.core.vocab import (
    ConsentLevel,
    FamilyRelation,
    Gender,
    GovernmentContact,
    LegalStatus,
    NameKind,
    Script,
)
from casework.people.matching import index_names
from casework.people.models import NAME_MAX_LEN, FamilyLink, Person, PersonName
from casework.people.names import detect_script


@dataclass
class NameInput:
    name: str
    script: Script | str | None = None
    kind: NameKind | str = NameKind.AS_GIVEN


# Bidirectional embeddings, overrides and isolates: kept in a name, they would turn the text
# after it around wherever the name is printed (a sentence of a document, a spreadsheet's row).
# Arabic-script names need none of them (the marks U+200E and U+200F are left alone).
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
# Characters that show nothing: spaces, and format and control characters (zero-width ones).
_INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc"})


def name_text(typed: str | None) -> str:
    """A name as it is kept: spacing squeezed, without bidirectional controls; empty when
    nothing visible is left (zero-width or other invisible characters only)."""
    text = " ".join((typed or "").translate(_BIDI_CONTROLS).split())
    if all(unicodedata.category(c) in _INVISIBLE for c in text):
        return ""
    return text


def _clean_names(names: list[NameInput]) -> list[NameInput]:
    cleaned = []
    for n in names:
        text = name_text(n.name)
        if not text:
            continue
        if len(text) > NAME_MAX_LEN:
            raise ValidationFailed(
                {"names": [_("A name may have at most %(n)s characters.", n=NAME_MAX_LEN)]}
            )
        kind = NameKind.parse(str(n.kind)) or NameKind.AS_GIVEN
        script = Script.parse(str(n.script)) if n.script else None
        cleaned.append(NameInput(text, script or detect_script(text), kind))
    return cleaned


PERSON_FIELDS = (
    "gender",
    "birth_date",
    "birth_date_approximate",
    "nationality",
    "ethnicity",
    "legal_status",
    "unhcr_number",
    "contacts",
    "address",
    "notes",
    "consent",
    "consent_date",
    "government_contact",
    "family_at_risk",
)


def person_values(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise person fields from a form or an import (only keys present)."""
    r = FieldReader(data)
    r.vocab("gender", Gender, default=Gender.UNKNOWN, message=_("Unknown gender."))
    r.partial_date("birth_date", approximate="birth_date_approximate")
    r.flag("birth_date_approximate")
    r.country("nationality")
    r.text("ethnicity", 80, one_line=True)
    r.vocab(
        "legal_status", LegalStatus, default=LegalStatus.UNKNOWN, message=_("Unknown legal status.")
    )
    r.text("unhcr_number", 100, one_line=True)
    r.text("contacts", 2000)
    r.text("address", 2000)
    r.text("notes", 10_000)
    r.flag("family_at_risk")
    r.vocab("consent", ConsentLevel, default=ConsentLevel.NONE, message=_("Unknown consent level."))
    r.vocab(
        "government_contact",
        GovernmentContact,
        default=GovernmentContact.NOT_ASKED,
        message=_("Unknown answer about contacting the government."),
    )
    if "consent_date" in r:
        consent_date = data["consent_date"] or None
        if consent_date is not None and not isinstance(consent_date, date):
            r.error("consent_date", _("Not a date."))
        elif consent_date is not None and consent_date > date.today():
            r.error("consent_date", _("Consent cannot be dated in the future."))
        r.set("consent_date", consent_date)
    return r.values()


def consent_date_problem(
    consent: ConsentLevel | None, consent_date: date | None, *, earlier: Person | None = None
) -> str | None:
    """What is wrong with the date of a consent, if anything: the one rule of the forms, the
    API and imports. A consent above none was given on a day, recorded with it (an output's
    reader may ask when the person agreed). A new level is a new consent: ``earlier`` (the
    record before the change) has the date of the consent it replaces, which the edit form
    still shows; that date is a wider consent's only when it is today's. A narrower level (named
    to internal) is within what the earlier consent gave on its day: its date stands."""
    if consent is None or consent == ConsentLevel.NONE:
        return None
    if consent_date is None:
        return _("Give the date the consent was given.")
    levels = list(ConsentLevel)  # the strictest first
    if (
        earlier is not None
        and earlier.consent is not None
        and levels.index(consent) > levels.index(earlier.consent)
        and consent_date == earlier.consent_date
        and consent_date != date.today()
    ):
        return _(
            "The consent changed: give the date of the new consent (this is the date of the "
            "earlier one)."
        )
    return None


def _date_consent(person: Person, values: dict[str, Any]) -> None:
    """Refuse the date of the consent ``values`` leave ``person`` with, if wrong
    (``consent_date_problem``). A consent withdrawn (none) is never refused: the date of the
    consent it ends goes with it."""
    consent = values.get("consent", person.consent)
    consent_date = values.get("consent_date", person.consent_date)
    if consent == ConsentLevel.NONE:
        if consent != person.consent and consent_date == person.consent_date:
            values["consent_date"] = None
        return
    problem = consent_date_problem(consent, consent_date, earlier=person)
    if problem:
        raise ValidationFailed({"consent_date": [problem]})


def create_person(actor: Any, names: list[NameInput], **data: Any) -> Person:
    """A person with at least one name (in any script)."""
    cleaned = _clean_names(names)
    if not cleaned:
        raise ValidationFailed({"names": [_("Give at least one name or alias.")]})
    values = person_values(data)
    problem = consent_date_problem(values.get("consent"), values.get("consent_date"))
    if problem:
        raise ValidationFailed({"consent_date": [problem]})
    person = Person(created_by_id=getattr(actor, "id", None), **values)
    if person.consent and person.consent != ConsentLevel.NONE:
        person.consent_obtained_by_id = getattr(actor, "id", None)
    for position, n in enumerate(cleaned):
        person.names.append(
            PersonName(name=n.name, script=n.script, kind=n.kind, position=position)
        )
    db.session.add(person)
    db.session.flush()
    index_names(person.names)
    record(actor, "person.created", person)
    return person


def case_link(person: Person, case: Any) -> CasePerson | None:
    """The link that makes ``person`` one of ``case``'s people (removed or not), if any."""
    return db.session.scalar(
        db.select(CasePerson).where(
            CasePerson.case_id == case.id, CasePerson.person_id == person.id
        )
    )


def refuse_if_removed(person: Person, case: Any) -> None:
    """A person removed from ``case`` is not changed from it: their link is restored first."""
    if case is None:
        return
    refuse_if_hidden(
        case_link(person, case),
        _("This person was removed from the case; restore them before changing the record."),
    )


def update_person(
    actor: Any, person: Person, data: dict[str, Any], expected_version: Any, *, case: Any = None
) -> list[str]:
    """Update personal details; returns the names of the changed fields (audited, not values)."""
    refuse_if_removed(person, case)
    values = person_values(data)
    check_version(person, expected_version, data)
    consent_changed = "consent" in values and values["consent"] != person.consent
    # A record kept without the date (imported so) stays editable: only a change is checked.
    if consent_changed or values.get("consent_date", person.consent_date) != person.consent_date:
        _date_consent(person, values)
    if consent_changed:
        person.consent_obtained_by_id = actor.id
    changed = apply_changes(actor, person, values, "person.updated", case=case)
    if changed and case is not None:
        facts_changed(actor, case, ["people"])
    return changed


def add_name(actor: Any, person: Person, name: NameInput, *, case: Any = None) -> PersonName:
    refuse_if_removed(person, case)
    cleaned = _clean_names([name])
    if not cleaned:
        raise ValidationFailed({"name": [_("The name is empty.")]})
    n = cleaned[0]
    position = max((x.position for x in person.names), default=-1) + 1
    entry = PersonName(name=n.name, script=n.script, kind=n.kind, position=position)
    person.names.append(entry)
    db.session.flush()
    index_names([entry])
    record(actor, "person.name_added", person, case=case, script=n.script.value)
    return entry


def visible_names(person: Person) -> list[PersonName]:
    return [n for n in person.names if not n.is_hidden]


def add_family_link(
    actor: Any, person: Person, relative: Person, relation: str, *, case: Any = None
) -> FamilyLink:
    """Link ``person`` to ``relative`` (or change the relation): a change of both records,
    refused if either was removed from ``case``."""
    refuse_if_removed(person, case)
    refuse_if_removed(relative, case)
    rel = FamilyRelation.parse(relation)
    if rel is None:
        raise ValidationFailed({"relation": [_("Choose a relation.")]})
    if person.id == relative.id:
        raise ValidationFailed({"relative": [_("A person cannot be their own relative.")]})
    existing = db.session.scalar(
        db.select(FamilyLink).where(
            FamilyLink.person_id == person.id, FamilyLink.relative_id == relative.id
        )
    )
    if existing is not None:
        existing.relation = rel
        # Linked again: the removal (kept on the audit trail) no longer describes the link.
        existing.hidden_at = existing.hidden_by_id = existing.hidden_reason = None
        link = existing
    else:
        link = FamilyLink(person_id=person.id, relative_id=relative.id, relation=rel)
        db.session.add(link)
    db.session.flush()
    record(actor, "person.family_linked", person, case=case, relation=rel.value)
    return link


# A family link read from either side: (the person is the relation of the relative, the relative
# is the person's relation), each a whole phrase so that a language words it its own way.
RELATION_WORDING: dict[FamilyRelation, tuple[str, str]] = {
    FamilyRelation.SPOUSE: (N_("Spouse of"), N_("has as spouse")),
    FamilyRelation.PARENT: (N_("Parent of"), N_("has as parent")),
    FamilyRelation.CHILD: (N_("Child of"), N_("has as child")),
    FamilyRelation.SIBLING: (N_("Sibling of"), N_("has as sibling")),
    FamilyRelation.OTHER: (N_("Other relative of"), N_("has as other relative")),
}


def families_of(
    people: list[Person], viewer: Any
) -> dict[int, list[tuple[FamilyLink, Person, str]]]:
    """:func:`family_of` of many people in a few queries, whatever their number: the links in
    either direction, the relatives not among ``people`` (with their names: ``people`` are
    taken as loaded, a case's with theirs), then which relatives ``viewer`` may see
    (``permissions.visible_people_clause``)."""
    result: dict[int, list[tuple[FamilyLink, Person, str]]] = {p.id: [] for p in people}
    if not people:
        return result
    ids = list(result)
    links = list(
        db.session.scalars(
            db.select(FamilyLink)
            .where(
                FamilyLink.person_id.in_(ids) | FamilyLink.relative_id.in_(ids),
                FamilyLink.hidden_at.is_(None),
            )
            .order_by(FamilyLink.id)
        )
    )
    others = {link.relative_id for link in links} | {link.person_id for link in links}
    # A case's relatives are mostly its own people: those are not read a second time.
    known = {p.id: p for p in people}
    outside = others - known.keys()
    if outside:
        known.update(
            (p.id, p)
            for p in db.session.scalars(
                db.select(Person).where(Person.id.in_(outside)).options(selectinload(Person.names))
            )
        )
    visible = (
        set(
            db.session.scalars(
                db.select(Person.id).where(
                    Person.id.in_(others), permissions.visible_people_clause(viewer)
                )
            )
        )
        if links
        else set()
    )
    for link in links:
        if link.person_id in result and link.relative_id in visible:
            label = translate(RELATION_WORDING[link.relation][0])
            result[link.person_id].append((link, known[link.relative_id], label))
        if link.relative_id in result and link.person_id in visible:
            label = translate(RELATION_WORDING[link.relation][1])
            result[link.relative_id].append((link, known[link.person_id], label))
    return result


def family_of(person: Person, viewer: Any) -> list[tuple[FamilyLink, Person, str]]:
    """(link, other person, label) for every family link in either direction whose other
    person ``viewer`` may see through a case of theirs (a relative known only from a
    restricted case stays unnamed and unmentioned): :func:`families_of` of one person."""
    return families_of([person], viewer)[person.id]


def hide_name(
    actor: Any, person: Person, name_id: int, reason: str | None, *, case: Any = None
) -> None:
    """Remove a name from view (kept, with who, when and why); the last name stays."""
    refuse_if_removed(person, case)
    entry = next((n for n in visible_names(person) if n.id == name_id), None)
    if entry is None:
        raise ValidationFailed({"name": [_("No such name.")]})
    if len(visible_names(person)) == 1:
        raise ValidationFailed(
            {"name": [_("A person keeps at least one name; add another first.")]}
        )
    hide(entry, actor, reason, case=case, action="person.name_hidden")
    index_names([entry])
