"""Loading the reference catalogue: add what is missing, correct what nobody edited.

Every seeded instrument and provision keeps, in ``seeded_values``, the values the seed last
wrote. On the next run an entry whose current values still equal them was not edited, so a newer
catalogue may correct it; an entry that differs was changed by a lawyer and is left alone and
reported (the seed command's output and the catalogue page list it). Entries without a snapshot
(seeded before that column existed, or added by a lawyer) count as edited when their audit trail
shows them created or changed in the application.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from casework.audit.models import AuditEntry
from casework.audit.services import record
from casework.core.db import db
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.core.i18n import gettext as _
from casework.core.vocab import FollowUpStatus, InstrumentType, InterimMeasures, NormDirection
from casework.legal.models import Instrument, Provision
from casework.paths import PACKAGE_DIR
from casework.permissions import can_manage_catalogue

CATALOGUE_FILE = PACKAGE_DIR / "data" / "legal_catalogue.json"

INSTRUMENT_FIELDS = (
    "title",
    "instrument_type",
    "direction",
    "adopted_on",
    "kz_status",
    "kz_date",
    "summary",
    "url",
    "articles_invoked",
    "articles_found",
    "interim_measures",
    "follow_up_status",
)
PROVISION_FIELDS = ("title", "summary", "needs_verification", "position")
_DEFAULTS: dict[str, Any] = {"needs_verification": False}
_VOCABS = {
    "instrument_type": InstrumentType,
    "direction": NormDirection,
    "interim_measures": InterimMeasures,
    "follow_up_status": FollowUpStatus,
}
# Audit actions of entries written in the application (by a person), not by the seed.
_EDIT_ACTIONS = (
    "legal.instrument_created",
    "legal.instrument_updated",
    "legal.provision_created",
    "legal.provision_updated",
)
SEED_CORRECTED = "legal.seed_corrected"
# The Russian versions of a seeded entry's texts (each translates the field named without "_ru"):
# kept apart from the compared fields, so that a catalogue gaining translations reports no lawyer's
# entry as outdated. Each is filled where the entry has none (or still has the one the seed wrote)
# and its English text is the catalogue's, which it translates. A provision has no Kazakhstan
# status: only the fields its model has count.
TRANSLATED_FIELDS = ("title_ru", "summary_ru", "kz_status_ru")


def _translated(model: type[Instrument] | type[Provision]) -> tuple[str, ...]:
    return tuple(name for name in TRANSLATED_FIELDS if hasattr(model, name))


def english_field(name: str) -> str:
    """The field a Russian one translates."""
    return name.removesuffix("_ru")


def _translations(model: type[Instrument] | type[Provision], item: dict[str, Any]) -> dict:
    """The catalogue's Russian texts of an entry (None where it gives none)."""
    return {name: item.get(name) for name in _translated(model)}


@dataclass(frozen=True)
class Conflict:
    """A catalogue entry the seed could not correct because a lawyer changed it."""

    kind: str  # "instrument" or "provision"
    code: str
    fields: tuple[str, ...]  # where the lawyer's version differs from the catalogue's
    catalogue: dict[str, Any]  # the catalogue's values for those fields


@dataclass
class SeedReport:
    added_instruments: int = 0
    added_provisions: int = 0
    corrected: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    translated: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.added_instruments} instruments and {self.added_provisions} provisions added"
        if self.corrected:
            codes = ", ".join(dict.fromkeys(self.corrected))  # an instrument and its provision
            text += f", {len(self.corrected)} entries corrected ({codes})"
        if self.translated:
            text += f", {len(self.translated)} entries given Russian texts"
        if self.conflicts:
            codes = ", ".join(c.code for c in self.conflicts)
            text += f"; not updated because a lawyer changed them ({len(self.conflicts)}): {codes}"
        return text


def load_data() -> dict[str, Any]:
    """The catalogue shipped with the application."""
    return json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


def _plain(value: Any) -> Any:
    # Vocabulary members are stored and compared as their codes.
    return value.value if hasattr(value, "value") else value


def _wanted(item: dict[str, Any], fields: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    values = {name: item.get(name, _DEFAULTS.get(name)) for name in fields}
    values.update(extra)
    return values


def _current(obj: Instrument | Provision, fields: Any) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def _typed(name: str, value: Any) -> Any:
    vocab = _VOCABS.get(name)
    return vocab(value) if vocab is not None and value is not None else value


def _edited_in_app(obj: Instrument | Provision) -> bool:
    return (
        db.session.scalar(
            select(AuditEntry.id)
            .where(
                AuditEntry.object_type == obj.__tablename__,
                AuditEntry.object_id == str(obj.id),
                AuditEntry.action.in_(_EDIT_ACTIONS),
            )
            .limit(1)
        )
        is not None
    )


def _untouched(obj: Instrument | Provision, current: dict[str, Any]) -> bool:
    """Does the entry still hold what the seed wrote (no lawyer changed it)?"""
    base = obj.seeded_values
    if base is None:
        return not _edited_in_app(obj)
    return all(current[name] == base.get(name, _DEFAULTS.get(name)) for name in current)


def _pending(obj: Instrument | Provision, wanted: dict[str, Any]) -> Conflict | None:
    """The catalogue's newer version of an entry a lawyer changed, if it differs from theirs."""
    current = _current(obj, wanted)
    if current == wanted or _untouched(obj, current):
        return None
    base = obj.seeded_values
    if base is not None and all(
        base.get(name, _DEFAULTS.get(name)) == value for name, value in wanted.items()
    ):
        return None  # the catalogue has not changed since the lawyer's edit
    differing = tuple(name for name in wanted if current[name] != wanted[name])
    kind = "instrument" if isinstance(obj, Instrument) else "provision"
    return Conflict(kind, obj.code, differing, {name: wanted[name] for name in differing})


def _write(obj: Instrument | Provision, wanted: dict[str, Any]) -> list[str]:
    current = _current(obj, wanted)
    changed = [name for name in wanted if current[name] != wanted[name]]
    for name in changed:
        setattr(obj, name, _typed(name, wanted[name]))
    _snapshot(obj, wanted)
    return changed


def _snapshot(obj: Instrument | Provision, wanted: dict[str, Any]) -> None:
    """Remember ``wanted`` as what the seed last wrote, and the Russian texts it wrote
    (``_translate``) with it."""
    base = obj.seeded_values or {}
    kept = {name: base[name] for name in TRANSLATED_FIELDS if name in base}
    if base != {**wanted, **kept}:
        obj.seeded_values = {**wanted, **kept}


def _reconcile(obj: Instrument | Provision, wanted: dict[str, Any], report: SeedReport) -> None:
    current = _current(obj, wanted)
    if current == wanted:
        _snapshot(obj, wanted)
        return
    conflict = _pending(obj, wanted)
    if conflict is not None:
        report.conflicts.append(conflict)
        return
    if not _untouched(obj, current):
        return  # edited by a lawyer; the catalogue has nothing newer
    changed = _write(obj, wanted)
    db.session.flush()
    record(None, SEED_CORRECTED, obj, code=obj.code, fields=changed)
    report.corrected.append(obj.code)


def _translate(obj: Instrument | Provision, item: dict[str, Any], report: SeedReport) -> None:
    """Give an entry the catalogue's Russian texts, each unless a lawyer wrote theirs or changed
    the English text it translates."""
    base = obj.seeded_values
    seeded = dict(base) if base is not None else None
    changed = []
    for name in _translated(type(obj)):
        wanted, current = item.get(name), getattr(obj, name)
        if current == wanted:
            if seeded is not None and wanted is not None:
                seeded[name] = wanted
            continue
        if wanted is None or getattr(obj, english_field(name)) != item.get(english_field(name)):
            continue
        if current is not None and current != (base or {}).get(name):
            continue  # a lawyer's translation
        setattr(obj, name, wanted)
        changed.append(name)
        # Entries without a snapshot keep none: an empty one would count every field as edited.
        if seeded is not None:
            seeded[name] = wanted
    if seeded is not None and seeded != base:
        obj.seeded_values = seeded
    if changed:
        db.session.flush()
        record(None, SEED_CORRECTED, obj, code=obj.code, fields=changed)
        report.translated.append(obj.code)


def _entries(data: dict[str, Any]):
    """(instrument item, its wanted values, [(provision item, wanted values)]) per entry."""
    for item in data["instruments"]:
        provisions = [
            (prov, _wanted(prov, PROVISION_FIELDS, position=position))
            for position, prov in enumerate(item.get("provisions", []), start=1)
        ]
        yield item, _wanted(item, INSTRUMENT_FIELDS), provisions


def apply_catalogue(data: dict[str, Any] | None = None) -> SeedReport:
    """Add missing entries, correct unedited ones, report edited ones. Idempotent."""
    data = data if data is not None else load_data()
    instruments = {i.code: i for i in db.session.scalars(select(Instrument))}
    provisions = {p.code: p for p in db.session.scalars(select(Provision))}
    report = SeedReport()
    for item, wanted, provision_items in _entries(data):
        instrument = instruments.get(item["code"])
        if instrument is None:
            translations = _translations(Instrument, item)
            instrument = Instrument(code=item["code"], **translations)
            _write(instrument, wanted)
            instrument.seeded_values = {**wanted, **translations}
            db.session.add(instrument)
            db.session.flush()
            instruments[instrument.code] = instrument
            report.added_instruments += 1
        else:
            _reconcile(instrument, wanted, report)
            _translate(instrument, item, report)
        for prov, prov_wanted in provision_items:
            provision = provisions.get(prov["code"])
            if provision is None:
                translations = _translations(Provision, prov)
                provision = Provision(
                    instrument_id=instrument.id, code=prov["code"], **translations
                )
                _write(provision, prov_wanted)
                provision.seeded_values = {**prov_wanted, **translations}
                db.session.add(provision)
                provisions[provision.code] = provision
                report.added_provisions += 1
            else:
                _reconcile(provision, prov_wanted, report)
                _translate(provision, prov, report)
    db.session.flush()
    if report.added_instruments or report.added_provisions:
        record(
            None,
            "legal.catalogue_seeded",
            object_type="legal_catalogue",
            instruments=report.added_instruments,
            provisions=report.added_provisions,
        )
    return report


def seed_catalogue(data: dict[str, Any] | None = None) -> str:
    """The seeder of ``flask --app casework seed``: its one-line report."""
    return str(apply_catalogue(data))


def pending_corrections(data: dict[str, Any] | None = None) -> list[Conflict]:
    """Catalogue corrections not applied because a lawyer changed the entry (for the UI)."""
    data = data if data is not None else load_data()
    instruments = {i.code: i for i in db.session.scalars(select(Instrument))}
    provisions = {p.code: p for p in db.session.scalars(select(Provision))}
    conflicts: list[Conflict] = []
    for item, wanted, provision_items in _entries(data):
        for obj, values in [(instruments.get(item["code"]), wanted)] + [
            (provisions.get(prov["code"]), prov_wanted) for prov, prov_wanted in provision_items
        ]:
            if obj is not None and (conflict := _pending(obj, values)) is not None:
                conflicts.append(conflict)
    return conflicts


def _catalogue_entry(kind: str, code: str, data: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    for item, wanted, provision_items in _entries(data):
        if kind == "instrument" and item["code"] == code:
            return db.session.scalar(select(Instrument).where(Instrument.code == code)), wanted
        for prov, prov_wanted in provision_items:
            if kind == "provision" and prov["code"] == code:
                return (
                    db.session.scalar(select(Provision).where(Provision.code == code)),
                    prov_wanted,
                )
    raise ValidationFailed(_("%(code)s is not in the shipped catalogue.", code=code))


def resolve_correction(
    actor: Any, kind: str, code: str, *, accept: bool, data: dict[str, Any] | None = None
) -> list[str]:
    """Take the catalogue's version of an edited entry (``accept``) or keep the lawyer's.

    Either way the entry is no longer reported; the choice is audited. Returns changed fields.
    """
    if not can_manage_catalogue(actor):
        raise PermissionDenied()
    obj, wanted = _catalogue_entry(kind, code, data if data is not None else load_data())
    if obj is None:
        raise ValidationFailed(_("%(code)s is not in this catalogue.", code=code))
    if accept:
        changed = _write(obj, wanted)
        db.session.flush()
        record(actor, "legal.seed_correction_accepted", obj, code=code, fields=changed)
        return changed
    _snapshot(obj, wanted)
    db.session.flush()
    record(actor, "legal.seed_correction_declined", obj, code=code)
    return []
