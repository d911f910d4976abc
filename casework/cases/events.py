"""Timeline events: facts with a date of any precision, a place, agencies and sources."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from casework import permissions
from casework.audit.services import apply_changes, record
from casework.cases.models import Agency, Case, Event, Place
from casework.cases.verification import facts_changed
from casework.core import countries
from casework.core.blindindex import token
from casework.core.db import db, utcnow
from casework.core.errors import PermissionDenied, ValidationFailed, check_version
from casework.core.fields import FieldReader
from casework.core.hiding import refuse_if_hidden
from casework.core.i18n import gettext as _
from casework.core.requestmemo import per_request_shown
from casework.core.vocab import ActType, AsylumStage, EventType, Situation, Urgency, WantedNotice
from casework.evidence.models import Source
from casework.evidence.services import cited_sources

DESCRIPTION_MAX_LEN = 20_000
PLACE_MAX_LEN = 200


def place_key(name: str) -> str:
    """The blind-index key a place is found by: its name whatever the spacing and case."""
    return token("place.name", " ".join(name.split()).casefold())


def reindex_places() -> int:
    """Recompute every place's key (after a change of BLIND_INDEX_KEY); places whose keys now
    agree become one, their events pointing at the first. The number of places kept."""
    kept: dict[tuple[str, str | None], Place] = {}
    for place in db.session.scalars(select(Place).order_by(Place.id)):
        key = place_key(place.name)
        first = kept.setdefault((key, place.country), place)
        if first is place:
            place.name_key = key
        else:
            db.session.execute(
                update(Event).where(Event.place_id == place.id).values(place_id=first.id)
            )
            db.session.delete(place)
    db.session.flush()
    return len(kept)


def get_or_create_place(name: str | None, country: str | None = None) -> Place | None:
    """A place by name (trimmed, case kept as first typed)."""
    name = " ".join((name or "").split())[:PLACE_MAX_LEN]
    if not name:
        return None
    key = place_key(name)
    place = db.session.scalar(
        select(Place).where(
            Place.name_key == key,
            Place.country.is_(country) if country is None else Place.country == country,
        )
    )
    if place is None:
        place = Place(name=name, name_key=key, country=country)
        db.session.add(place)
        db.session.flush()
    return place


def get_or_create_agencies(
    text: str | list[str] | None, country: str | None = None
) -> list[Agency]:
    """Agencies from a ``;``-separated list (``KNB; migration police``), of ``country`` (an ISO
    code, or None when not known): an agency is its name and its State (the KNB of Kazakhstan
    is not the SNB of Uzbekistan acting in Almaty)."""
    parts = text.replace("\n", ";").split(";") if isinstance(text, str) else list(text or [])
    agencies: list[Agency] = []
    for raw in parts:
        name = " ".join(raw.split())[:200]
        if not name or any(a.name.lower() == name.lower() for a in agencies):
            continue
        same_country = Agency.country.is_(None) if country is None else Agency.country == country
        agency = db.session.scalar(
            select(Agency)
            .where(db.func.lower(Agency.name) == name.lower(), same_country)
            .order_by(Agency.id)
            .limit(1)
        )
        if agency is None:
            agency = Agency(name=name, country=country)
            db.session.add(agency)
            db.session.flush()
        agencies.append(agency)
    return agencies


def agency_label(name: str, country: str | None, language: str = "en") -> str:
    """An agency as shown: its name, and its State when recorded ("SNB (Uzbekistan)"), the
    State named in ``language``."""
    return f"{name} ({countries.local_name(country, language)})" if country else name


def agencies_country(event: Event) -> str | None:
    """The State of an event's agencies, when they share one (as the event form records it)."""
    codes = {a.country for a in event.agencies}
    return codes.pop() if len(codes) == 1 else None


def event_values(
    case: Case, data: dict[str, Any], *, typed_on: date | None = None
) -> dict[str, Any]:
    """Validate event fields present in ``data`` (from a form or an import; ``typed_on``: the
    day a form was typed, against which ``FieldReader`` reads "yesterday")."""
    r = FieldReader(data, typed_on=typed_on)
    r.vocab("event_type", EventType, message=_("Choose what happened."))
    if "event_type" in r and r.data["event_type"] in ("", None):
        r.error("event_type", _("Choose what happened."))
    r.partial_date("date", approximate="date_approximate")
    r.flag("date_approximate")
    r.text("date_note", 200, one_line=True)
    r.text("description", DESCRIPTION_MAX_LEN)
    r.vocab("act_type", ActType)
    r.vocab("wanted_notice", WantedNotice)
    r.vocab("asylum_stage", AsylumStage)
    r.country("requesting_state")
    r.country("destination_country")
    r.text("legal_basis", 2000)
    if "place" in r:
        r.set("place", get_or_create_place(data["place"]))
    # The State of the agencies listed with it (a code or a name, as for any country).
    r.country("agencies_country")
    agencies_country = r.take("agencies_country")
    if "agencies" in r and not r.errors.get("agencies_country"):
        r.set("agencies", get_or_create_agencies(data["agencies"], agencies_country))
    if "source_ids" in r:
        wanted = {str(s) for s in data["source_ids"] or []}
        sources = list(
            db.session.scalars(
                select(Source).where(Source.case_id == case.id, Source.hidden_at.is_(None))
            )
        )
        if wanted - {s.public_id for s in sources}:
            # Never saved without a source the sender named (the API takes ids as sent).
            r.error("source_ids", _("Choose sources of this case only."))
        r.set("sources", [s for s in sources if s.public_id in wanted])
    return r.values()


def add_event(
    actor: Any, case: Case, data: dict[str, Any], *, typed_on: date | None = None
) -> Event:
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied()
    values = event_values(case, data, typed_on=typed_on)
    if "event_type" not in values:
        raise ValidationFailed({"event_type": [_("Choose what happened.")]})
    event = Event(case_id=case.id, created_by_id=actor.id)
    for key, value in values.items():
        setattr(event, key, value)
    db.session.add(event)
    case.updated_at = utcnow()
    db.session.flush()
    record(actor, "event.created", event, case=case, event_type=event.event_type.value)
    facts_changed(actor, case, ["events"])
    return event


def update_event(
    actor: Any,
    case: Case,
    event: Event,
    data: dict[str, Any],
    expected_version: Any,
    *,
    typed_on: date | None = None,
) -> list[str]:
    if not permissions.can_edit_case(actor, case) or event.case_id != case.id:
        raise PermissionDenied()
    refuse_if_hidden(event, _("This event is hidden; restore it before changing it."))
    values = event_values(case, data, typed_on=typed_on)
    check_version(event, expected_version, data)
    changed = apply_changes(actor, event, values, "event.updated", case=case)
    if changed:
        case.updated_at = utcnow()
        facts_changed(actor, case, ["events"])
    return changed


def act_event_type(act_type: str, urgency: str | None, situation: str | None) -> EventType:
    """The kind of event that records a case's act on its timeline (at intake and import).

    A removal only when one happened: the interim-measures breach (``advocacy.compliance``) and
    the statistics count removal events as removals. An imminent removal has not happened (the
    person is detained meanwhile, or waits), nor has an attempted one.
    """
    if act_type == ActType.DETENTION_PENDING_REMOVAL:
        return EventType.DETENTION_PENDING_EXTRADITION
    if act_type == ActType.ATTEMPTED_REMOVAL:
        return EventType.ATTEMPTED_REMOVAL
    if urgency == Urgency.IMMINENT:
        if situation == Situation.DETAINED:
            return EventType.DETENTION_PENDING_EXTRADITION
        return EventType.REMOVAL_PENDING
    return EventType.REMOVAL


def create_act_event(actor: Any, case: Case) -> Event:
    """The refoulement act recorded at intake, as the first event of the timeline."""
    event = Event(
        case_id=case.id,
        created_by_id=actor.id,
        event_type=act_event_type(case.act_type, case.urgency, case.current_situation),
        act_type=case.act_type,
        date=case.act_date,
        date_approximate=case.act_date_approximate,
        date_note=case.act_date_note,
        destination_country=case.destination_country,
        place=get_or_create_place(case.act_place),
    )
    db.session.add(event)
    db.session.flush()
    return event


def get_event(case: Case, public_id: str) -> Event | None:
    return db.session.scalar(
        select(Event).where(Event.case_id == case.id, Event.public_id == public_id)
    )


@per_request_shown
def case_events(case: Case, *, include_hidden: bool = False) -> list[Event]:
    query = (
        select(Event)
        .where(Event.case_id == case.id)
        .options(
            joinedload(Event.place),
            joinedload(Event.created_by),
            selectinload(Event.agencies),
        )
    )
    if not include_hidden:
        query = query.where(Event.hidden_at.is_(None))
    # ISO text sorts chronologically, the less precise date first; unknown dates last.
    query = query.order_by(Event.date.is_(None), Event.date, Event.id)
    events = list(db.session.scalars(query))
    if events:
        # Read with the legal links' (one statement for both).
        cited = cited_sources(case)
        for event in events:
            set_committed_value(event, "sources", cited.get(("event", event.id), []))
    return events
