"""The legal catalogue, case-provision links and domestic remedies.

Plain functions over ``db.session``: they validate, change data, write the audit trail and
flush. The caller (a view, the CLI, the importer) commits once.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload, load_only, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from casework import permissions
from casework.audit.models import AuditEntry
from casework.audit.services import apply_changes, changed_fields, data_version, record
from casework.cases.models import Case
from casework.core.datacache import data_cached
from casework.core.db import db
from casework.core.errors import PermissionDenied, ValidationFailed, check_version
from casework.core.fields import FieldReader
from casework.core.hiding import hide, refuse_if_hidden, restore
from casework.core.hooks import Deadline, TimelineItem
from casework.core.i18n import gettext as _
from casework.core.requestmemo import per_request_shown
from casework.core.types import PartialDate
from casework.core.vocab import (
    Assessment,
    FollowUpStatus,
    InstrumentType,
    InterimMeasures,
    LinkState,
    NormDirection,
    RemedyKind,
    RemedyOutcome,
    ViolationStatus,
)
from casework.evidence.models import Source
from casework.evidence.services import cited_sources
from casework.legal.models import CODE_MAX_LEN, CaseProvision, Instrument, Provision, Remedy
from casework.legal.precedents import case_precedents
from casework.legal.seeding import SEED_CORRECTED, TRANSLATED_FIELDS, english_field

# Upper-case letters, digits and the separators the catalogue uses (CAT:3, CAT-444/2010).
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9:/.()\-]*$")
URL_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)
ANALYSIS_MAX_LEN = 20_000
NOTES_MAX_LEN = 10_000
INEFFECTIVE_MAX_LEN = 2_000
REASON_MAX_LEN = 1_000
# A catalogue entry's summary, in English or in Russian.
SUMMARY_MAX_LEN = 10_000
DASHBOARD_DAYS = 14
# The dashboard shows this many appeal deadlines; the deadlines page shows DEADLINES_SHOWN.
DASHBOARD_DEADLINES = 10
DEADLINES_SHOWN = 500

# Outcomes after which an appeal deadline no longer matters.
_CLOSED_OUTCOMES = (RemedyOutcome.WITHDRAWN, RemedyOutcome.MOOT)


# --------------------------------------------------------------------------- helpers


def _path(endpoint: str, **values: Any) -> str:
    """A URL path, also outside a request (CLI reminders, hooks called from tests)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def case_page(case_public_id: str, anchor: str = "") -> str:
    """The case file (its legal panels at ``anchor``), or this area's case page without it."""
    if "cases.case_file" in current_app.view_functions:
        return _path("cases.case_file", public_id=case_public_id) + anchor
    return _path("legal.case_legal", case_public_id=case_public_id) + anchor


def _clean(text: str | None) -> str | None:
    """Trimmed text with Unix newlines, or None when empty."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def normalise_code(text: str | None) -> str:
    """A code as stored: upper case, without spaces (``cat : 3`` -> ``CAT:3``)."""
    return re.sub(r"\s+", "", text or "").upper()


def _vocab(vocab: type, value: Any, field: str) -> Any:
    member = value if isinstance(value, vocab) else vocab.parse(value or "")
    if member is None:
        raise ValidationFailed({field: [_("Choose a value from the list.")]})
    return member


def _check_text(field: str, value: str | None, max_len: int, required: bool = False) -> None:
    if required and not value:
        raise ValidationFailed({field: [_("This field is required.")]})
    if value and len(value) > max_len:
        raise ValidationFailed({field: [_("Use at most %(n)s characters.", n=max_len)]})


# --------------------------------------------------------------------------- catalogue


def get_instrument(code: str) -> Instrument | None:
    """The instrument with this code (any case), or None."""
    return db.session.scalar(select(Instrument).where(Instrument.code == normalise_code(code)))


def get_provision(code: str) -> Provision | None:
    """The provision with this code (any case), or None."""
    return db.session.scalar(
        select(Provision)
        .options(joinedload(Provision.instrument))
        .where(Provision.code == normalise_code(code))
    )


def list_instruments() -> list[Instrument]:
    """Every instrument with its provisions, protective norms first."""
    order = {d: i for i, d in enumerate(NormDirection)}
    types = {t: i for i, t in enumerate(InstrumentType)}
    items = list(
        db.session.scalars(select(Instrument).options(selectinload(Instrument.provisions)))
    )
    return sorted(
        items, key=lambda i: (i.retired, order[i.direction], types[i.instrument_type], i.code)
    )


def is_usable(provision: Provision) -> bool:
    """May new links cite this provision (neither it nor its instrument retired)?"""
    return not provision.retired and not provision.instrument.retired


def usable_provisions() -> list[Provision]:
    """Provisions that new links may cite, grouped by instrument."""
    return [
        p
        for inst in list_instruments()
        if not inst.retired
        for p in inst.provisions
        if not p.retired
    ]


def _instrument_values(
    *,
    title: str,
    instrument_type: Any,
    direction: Any,
    title_ru: str | None = None,
    adopted_on: str | None = None,
    kz_status: str | None = None,
    kz_status_ru: str | None = None,
    kz_date: str | None = None,
    summary: str | None = None,
    summary_ru: str | None = None,
    url: str | None = None,
    articles_invoked: str | None = None,
    articles_found: str | None = None,
    interim_measures: Any = None,
    follow_up_status: Any = None,
) -> dict[str, Any]:
    values = {
        "title": _clean(title),
        "title_ru": _clean(title_ru),
        "instrument_type": _vocab(InstrumentType, instrument_type, "instrument_type"),
        "direction": _vocab(NormDirection, direction, "direction"),
        "adopted_on": _clean(adopted_on),
        "kz_status": _clean(kz_status),
        "kz_status_ru": _clean(kz_status_ru),
        "kz_date": _clean(kz_date),
        "summary": _clean(summary),
        "summary_ru": _clean(summary_ru),
        "url": _clean(url),
        "articles_invoked": _clean(articles_invoked),
        "articles_found": _clean(articles_found),
        "interim_measures": _vocab(InterimMeasures, interim_measures, "interim_measures")
        if interim_measures
        else None,
        "follow_up_status": _vocab(FollowUpStatus, follow_up_status, "follow_up_status")
        if follow_up_status
        else None,
    }
    _check_text("title", values["title"], 300, required=True)
    _check_text("title_ru", values["title_ru"], 300)
    _check_text("articles_invoked", values["articles_invoked"], 200)
    _check_text("articles_found", values["articles_found"], 200)
    _check_text("adopted_on", values["adopted_on"], 40)
    _check_text("kz_status", values["kz_status"], 300)
    _check_text("kz_status_ru", values["kz_status_ru"], 300)
    _check_text("summary", values["summary"], SUMMARY_MAX_LEN)
    _check_text("summary_ru", values["summary_ru"], SUMMARY_MAX_LEN)
    _check_text("kz_date", values["kz_date"], 40)
    _check_text("url", values["url"], 500)
    if values["url"] and not URL_RE.match(values["url"]):
        raise ValidationFailed({"url": [_("Give an address starting with https:// or http://.")]})
    return values


def _new_code(code: str, model: type, field: str = "code") -> str:
    value = normalise_code(code)
    if not value:
        raise ValidationFailed({field: [_("This field is required.")]})
    if len(value) > CODE_MAX_LEN:
        raise ValidationFailed({field: [_("Use at most %(n)s characters.", n=CODE_MAX_LEN)]})
    if not CODE_RE.match(value):
        raise ValidationFailed(
            {field: [_("Use letters, digits and : / . - ( ) only, for example CAT:3.")]}
        )
    if db.session.scalar(select(model.id).where(model.code == value)) is not None:
        raise ValidationFailed(
            {field: [_("The code %(code)s is already in the catalogue.", code=value)]}
        )
    return value


def create_instrument(
    actor: Any, *, code: str, cited_as_whole: bool = False, **values: Any
) -> Instrument:
    """Add an instrument; ``cited_as_whole`` also adds one provision with the same code."""
    if not permissions.can_manage_catalogue(actor):
        raise PermissionDenied()
    clean = _instrument_values(**values)
    code = _new_code(code, Instrument)
    instrument = Instrument(code=code, **clean)
    db.session.add(instrument)
    db.session.flush()
    record(actor, "legal.instrument_created", instrument, code=code)
    if cited_as_whole:
        create_provision(
            actor,
            instrument,
            code=code,
            title=clean["title"],
            title_ru=clean["title_ru"],
            summary=None,
        )
    return instrument


def update_instrument(
    actor: Any, instrument: Instrument, expected_version: Any, **values: Any
) -> Instrument:
    """Change an instrument's description (never its code); StaleEdit if changed meanwhile."""
    if not permissions.can_manage_catalogue(actor):
        raise PermissionDenied()
    check_version(instrument, expected_version, values)
    clean = _instrument_values(**values)
    apply_changes(actor, instrument, clean, "legal.instrument_updated", code=instrument.code)
    return instrument


def _provision_values(
    *,
    title: str,
    title_ru: str | None = None,
    summary: str | None = None,
    summary_ru: str | None = None,
    needs_verification: bool = False,
    position: Any = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": _clean(title),
        "title_ru": _clean(title_ru),
        "summary": _clean(summary),
        "summary_ru": _clean(summary_ru),
        "needs_verification": bool(needs_verification),
    }
    _check_text("title", values["title"], 300, required=True)
    _check_text("title_ru", values["title_ru"], 300)
    _check_text("summary", values["summary"], SUMMARY_MAX_LEN)
    _check_text("summary_ru", values["summary_ru"], SUMMARY_MAX_LEN)
    if position not in (None, ""):
        try:
            values["position"] = int(position)
        except (TypeError, ValueError):
            raise ValidationFailed({"position": [_("Give a whole number.")]}) from None
    return values


def create_provision(actor: Any, instrument: Instrument, *, code: str, **values: Any) -> Provision:
    """Add a provision to an instrument (placed last unless ``position`` is given)."""
    if not permissions.can_manage_catalogue(actor):
        raise PermissionDenied()
    clean = _provision_values(**values)
    code = _new_code(code, Provision)
    if "position" not in clean:
        last = db.session.scalar(
            select(func.max(Provision.position)).where(Provision.instrument_id == instrument.id)
        )
        clean["position"] = (last or 0) + 1
    provision = Provision(instrument_id=instrument.id, code=code, **clean)
    db.session.add(provision)
    db.session.flush()
    record(actor, "legal.provision_created", provision, code=code, instrument=instrument.code)
    return provision


def update_provision(
    actor: Any, provision: Provision, expected_version: Any, **values: Any
) -> Provision:
    """Change a provision's description (never its code); StaleEdit if changed meanwhile."""
    if not permissions.can_manage_catalogue(actor):
        raise PermissionDenied()
    check_version(provision, expected_version, values)
    clean = _provision_values(**values)
    apply_changes(actor, provision, clean, "legal.provision_updated", code=provision.code)
    return provision


def set_retired(
    actor: Any, entry: Instrument | Provision, retired: bool, expected_version: Any
) -> Instrument | Provision:
    """Retire (no new links may cite it) or reinstate a catalogue entry; existing links stay."""
    if not permissions.can_manage_catalogue(actor):
        raise PermissionDenied()
    check_version(entry, expected_version, {"retired": retired})
    if entry.retired != retired:
        entry.retired = retired
        db.session.flush()
        if isinstance(entry, Instrument):
            action = "legal.instrument_retired" if retired else "legal.instrument_reinstated"
        else:
            action = "legal.provision_retired" if retired else "legal.provision_reinstated"
        record(actor, action, entry, code=entry.code)
    return entry


# The audit actions that change a catalogue entry's texts, each naming the fields it changed.
_TEXT_CHANGES = (
    "legal.instrument_updated",
    "legal.provision_updated",
    SEED_CORRECTED,
    "legal.seed_correction_accepted",
)


def outdated_translations(
    entries: Iterable[Instrument | Provision],
) -> dict[Instrument | Provision, frozenset[str]]:
    """The Russian texts (``summary_ru``...) of each entry that may be outdated: the last change
    of the English text they translate, by a lawyer or the seed, left them as they were. An
    entry's Russian text changed with or after its English one, or empty (the English is shown
    then), is not. Read off the audit trail in one query; entries with none are left out."""
    by_key = {(e.__tablename__, str(e.id)): e for e in entries}
    if not by_key:
        return {}
    ids: dict[str, list[str]] = {}
    for table, object_id in by_key:
        ids.setdefault(table, []).append(object_id)
    rows = db.session.execute(
        select(AuditEntry.object_type, AuditEntry.object_id, AuditEntry.details)
        .where(
            or_(
                *(
                    and_(AuditEntry.object_type == t, AuditEntry.object_id.in_(i))
                    for t, i in ids.items()
                )
            ),
            AuditEntry.action.in_(_TEXT_CHANGES),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    settled: dict[tuple[str, str], set[str]] = {}  # Russian fields whose last change was read
    outdated: dict[Instrument | Provision, set[str]] = {}
    for table, object_id, details in rows:
        entry = by_key[(table, object_id)]
        changed = set((details or {}).get("fields") or ())
        seen = settled.setdefault((table, object_id), set())
        for russian in TRANSLATED_FIELDS:
            if russian in seen or not ({english_field(russian), russian} & changed):
                continue
            seen.add(russian)
            if russian not in changed and getattr(entry, russian, None):
                outdated.setdefault(entry, set()).add(russian)
    return {entry: frozenset(fields) for entry, fields in outdated.items()}


def history(obj: Instrument | Provision, limit: int = 50) -> list[AuditEntry]:
    """The audit entries of a catalogue record, newest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .options(joinedload(AuditEntry.actor))
            .where(AuditEntry.object_type == obj.__tablename__, AuditEntry.object_id == str(obj.id))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )


# --------------------------------------------------------------------------- codes (import)

_SEPARATORS = re.compile(r"[;,\n]")


def parse_codes(text: str | None) -> list[str]:
    """Codes in a ``legal_grounds`` cell: ``;`` or ``,`` separated, any case, spaces ignored."""
    codes: list[str] = []
    for chunk in _SEPARATORS.split(text or ""):
        # "CAT : 3" is one code; "CAT:3 CSR51:33" is two.
        chunk = re.sub(r"\s*([:/])\s*", r"\1", chunk.strip())
        for token in chunk.split():
            code = token.upper()
            if code not in codes:
                codes.append(code)
    return codes


def resolve_provision_codes(text: str | None) -> list[Provision]:
    """The provisions named in an import cell, in order; ValidationFailed on unknown/retired codes."""
    codes = parse_codes(text)
    if not codes:
        return []
    found = {
        p.code: p
        for p in db.session.scalars(
            select(Provision)
            .options(joinedload(Provision.instrument))
            .where(Provision.code.in_(codes))
        )
    }
    unknown = [c for c in codes if c not in found]
    retired = [c for c in codes if c in found and not is_usable(found[c])]
    messages = []
    if unknown:
        messages.append(_("Unknown provision code(s): %(codes)s", codes=", ".join(unknown)))
    if retired:
        messages.append(_("Retired provision code(s): %(codes)s", codes=", ".join(retired)))
    if messages:
        raise ValidationFailed({"legal_grounds": messages})
    return [found[c] for c in codes]


def case_ids_citing(code: str, assessment: Assessment | str | None = None) -> Select:
    """``SELECT case_id`` of the cases with a current assessed link to the provision ``code``.

    Use as ``Case.id.in_(case_ids_citing("CAT:3"))`` on top of ``readable_cases_clause``.
    """
    query = (
        select(CaseProvision.case_id)
        .join(Provision, Provision.id == CaseProvision.provision_id)
        .where(
            Provision.code == normalise_code(code),
            CaseProvision.hidden_at.is_(None),
            CaseProvision.state == LinkState.ASSESSED,
        )
    )
    if assessment:
        query = query.where(CaseProvision.assessment == Assessment(assessment))
    return query


@dataclass(frozen=True)
class Citation:
    """A visible case citing a provision: reference and assessment only, never names."""

    case_public_id: str
    reference: str
    assessment: Assessment
    violation_status: ViolationStatus


# The provision page lists this many citing cases (by reference) and counts up to COUNT_CAP:
# both read the provision's links through its index and stop there, whatever the archive holds.
CITATIONS_SHOWN = 100
COUNT_CAP = 1000


@dataclass(frozen=True)
class Citations:
    """The first CITATIONS_SHOWN cases citing a provision, and counts by assessment (of at most
    COUNT_CAP links: ``more_than`` says there are more)."""

    shown: list[Citation]
    counts: Counter
    total: int
    more_than: bool


def _citing(user: Any, provision_id: int) -> tuple[Any, ...]:
    """The assessed links to a provision, of cases ``user`` may read."""
    return (
        CaseProvision.provision_id == provision_id,
        CaseProvision.hidden_at.is_(None),
        CaseProvision.state == LinkState.ASSESSED,
        permissions.readable_cases_clause(user),
    )


def provision_citations(user: Any, provision: Provision) -> Citations:
    """The cases ``user`` may see that cite ``provision``, and their count by assessment."""
    rows = db.session.execute(
        select(
            Case.public_id, Case.reference, CaseProvision.assessment, CaseProvision.violation_status
        )
        .join(Case, Case.id == CaseProvision.case_id)
        .where(*_citing(user, provision.id))
        .order_by(CaseProvision.id.desc())  # the newest first, read off an index
        .limit(CITATIONS_SHOWN)
    ).all()
    counts, total, more_than = _citation_counts(data_version(), user.id, provision.id)
    return Citations([Citation(*row) for row in rows], Counter(counts), total, more_than)


@data_cached(maxsize=1024)
def _citation_counts(version: str, user_id: int, provision_id: int) -> tuple[Counter, int, bool]:
    """Counts by assessment of the first COUNT_CAP citations ``user_id`` may read, computed
    once per change of the data: someone who reads few of the cases citing a provision reads
    many citations to count a thousand."""
    from casework.accounts.models import User

    user = db.session.get(User, user_id)
    assessments = list(
        db.session.scalars(
            select(CaseProvision.assessment)
            .join(Case, Case.id == CaseProvision.case_id)
            .where(*_citing(user, provision_id))
            .limit(COUNT_CAP + 1)
        )
    )
    return (
        Counter(assessments[:COUNT_CAP]),
        min(len(assessments), COUNT_CAP),
        len(assessments) > COUNT_CAP,
    )


# The catalogue counts each provision's citing cases up to this many (then "more than").
CATALOGUE_COUNT_CAP = 100


def citation_counts(
    user: Any, provision_ids: Iterable[int], cap: int | None = None
) -> dict[int, int]:
    """How many visible cases cite each provision (assessed, not hidden links), each counted
    up to ``cap + 1`` (CATALOGUE_COUNT_CAP): above ``cap`` means "more than ``cap``". One statement, and
    its cost is bounded by the provisions asked for, not by the archive."""
    ids = list(provision_ids)
    if not ids:
        return {}
    cap = CATALOGUE_COUNT_CAP if cap is None else cap
    parts = []
    for provision_id in ids:
        citing = (
            select(CaseProvision.case_id)
            .join(Case, Case.id == CaseProvision.case_id)
            .where(
                CaseProvision.provision_id == provision_id,
                CaseProvision.hidden_at.is_(None),
                CaseProvision.state == LinkState.ASSESSED,
                permissions.readable_cases_clause(user),
            )
            .distinct()
            .limit(cap + 1)
            .subquery()
        )
        parts.append(select(literal(provision_id), func.count()).select_from(citing))
    rows = []
    for start in range(0, len(parts), 200):  # SQLite allows 500 terms in a compound SELECT
        rows += db.session.execute(union_all(*parts[start : start + 200])).all()
    return {provision_id: n for provision_id, n in rows if n}


# --------------------------------------------------------------------------- case links


@per_request_shown
def case_links(case: Case, include_hidden: bool = False) -> list[CaseProvision]:
    """The case's links (assessments and suggestions) with their provisions and sources."""
    query = (
        select(CaseProvision)
        .options(
            joinedload(CaseProvision.provision).joinedload(Provision.instrument),
            joinedload(CaseProvision.created_by),
        )
        .where(CaseProvision.case_id == case.id)
        .order_by(CaseProvision.created_at, CaseProvision.id)
    )
    if not include_hidden:
        query = query.where(CaseProvision.hidden_at.is_(None))
    links = list(db.session.scalars(query).unique())
    if links:
        # Read with the events' (one statement for both).
        cited = cited_sources(case)
        for link in links:
            set_committed_value(link, "sources", cited.get(("link", link.id), []))
    return links


def get_link(case: Case, public_id: str) -> CaseProvision | None:
    """A link of this case (None if it belongs to another case)."""
    return db.session.scalar(
        select(CaseProvision).where(
            CaseProvision.public_id == public_id, CaseProvision.case_id == case.id
        )
    )


def case_sources(case: Case) -> list[Source]:
    """The case's sources that a link may cite (not hidden)."""
    return list(
        db.session.scalars(
            select(Source)
            .where(Source.case_id == case.id, Source.hidden_at.is_(None))
            .order_by(Source.created_at, Source.id)
        )
    )


def source_label(source: Source) -> str:
    """A non-identifying description of a source (kind and Admiralty grading)."""
    return f"{source.kind.label} ({source.reliability.value}{source.credibility.value})"


def _sources(case: Case, public_ids: Iterable[str] | None) -> list[Source]:
    wanted = [p for p in (public_ids or []) if p]
    if not wanted:
        return []
    found = {s.public_id: s for s in case_sources(case)}
    missing = [p for p in wanted if p not in found]
    if missing:
        raise ValidationFailed({"sources": [_("Choose sources of this case only.")]})
    return [found[p] for p in dict.fromkeys(wanted)]


def _usable_provision(provision: Provision | None) -> Provision:
    if provision is None:
        raise ValidationFailed({"provision": [_("Choose a provision from the catalogue.")]})
    if not is_usable(provision):
        raise ValidationFailed(
            {"provision": [_("%(code)s is retired from the catalogue.", code=provision.code)]}
        )
    return provision


def _check_unique(
    case: Case, provision: Provision, assessment: Assessment, exclude: CaseProvision | None = None
) -> None:
    query = select(CaseProvision).where(
        CaseProvision.case_id == case.id,
        CaseProvision.provision_id == provision.id,
        CaseProvision.assessment == assessment,
    )
    if exclude is not None:
        query = query.where(CaseProvision.id != exclude.id)
    existing = db.session.scalar(query)
    if existing is None:
        return
    if existing.is_hidden:
        message = _(
            "%(code)s was already linked as \u201c%(assessment)s\u201d and then hidden; a "
            "coordinator can restore that link.",
            code=provision.code,
            assessment=assessment.label,
        )
    elif existing.state == LinkState.SUGGESTED:
        message = _(
            "%(code)s is already suggested as \u201c%(assessment)s\u201d.",
            code=provision.code,
            assessment=assessment.label,
        )
    else:
        message = _(
            "%(code)s is already linked as \u201c%(assessment)s\u201d.",
            code=provision.code,
            assessment=assessment.label,
        )
    raise ValidationFailed({"provision": [message]})


def _link_values(
    assessment: Any, violation_status: Any, analysis: str | None
) -> tuple[Assessment, ViolationStatus, str | None]:
    value = _clean(analysis)
    _check_text("analysis", value, ANALYSIS_MAX_LEN)
    return (
        _vocab(Assessment, assessment, "assessment"),
        _vocab(ViolationStatus, violation_status or ViolationStatus.UNKNOWN, "violation_status"),
        value,
    )


def add_link(
    actor: Any,
    case: Case,
    *,
    provision: Provision | None,
    assessment: Any,
    violation_status: Any = ViolationStatus.UNKNOWN,
    analysis: str | None = None,
    source_ids: Iterable[str] | None = None,
) -> CaseProvision:
    """A lawyer's assessment: link a provision to the case with an analysis."""
    if not permissions.can_edit_legal_links(actor, case):
        raise PermissionDenied()
    provision = _usable_provision(provision)
    assessment_v, status, text = _link_values(assessment, violation_status, analysis)
    _check_unique(case, provision, assessment_v)
    link = CaseProvision(
        case_id=case.id,
        provision_id=provision.id,
        assessment=assessment_v,
        violation_status=status,
        analysis=text,
        state=LinkState.ASSESSED,
        created_by_id=actor.id,
    )
    link.sources = _sources(case, source_ids)
    db.session.add(link)
    db.session.flush()
    record(
        actor,
        "legal.link_created",
        link,
        case=case,
        code=provision.code,
        assessment=assessment_v.value,
        violation_status=status.value,
    )
    return link


def suggest_link(
    actor: Any,
    case: Case,
    *,
    provision: Provision | None,
    assessment: Any = Assessment.RELEVANT,
    note: str | None = None,
) -> CaseProvision:
    """A monitor's suggestion, for a lawyer to accept or dismiss."""
    if not permissions.can_suggest_legal_link(actor, case):
        raise PermissionDenied()
    provision = _usable_provision(provision)
    assessment_v, _status, text = _link_values(assessment, ViolationStatus.UNKNOWN, note)
    _check_unique(case, provision, assessment_v)
    link = CaseProvision(
        case_id=case.id,
        provision_id=provision.id,
        assessment=assessment_v,
        violation_status=ViolationStatus.UNKNOWN,
        analysis=text,
        state=LinkState.SUGGESTED,
        created_by_id=actor.id,
    )
    db.session.add(link)
    db.session.flush()
    record(
        actor,
        "legal.link_suggested",
        link,
        case=case,
        code=provision.code,
        assessment=assessment_v.value,
    )
    return link


def update_link(
    actor: Any,
    link: CaseProvision,
    expected_version: Any,
    *,
    assessment: Any,
    violation_status: Any,
    analysis: str | None,
    source_ids: Iterable[str] | None = None,
    accept: bool = False,
) -> CaseProvision:
    """Change an assessment, or accept a suggestion (``accept``); StaleEdit if changed meanwhile."""
    case = link.case
    if not permissions.can_edit_legal_links(actor, case):
        raise PermissionDenied()
    refuse_if_hidden(link, _("This link is hidden; restore it before changing it."))
    check_version(
        link,
        expected_version,
        {"assessment": assessment, "violation_status": violation_status, "analysis": analysis},
    )
    assessment_v, status, text = _link_values(assessment, violation_status, analysis)
    if assessment_v != link.assessment:
        _check_unique(case, link.provision, assessment_v, exclude=link)
    sources = _sources(case, source_ids)
    values = {"assessment": assessment_v, "violation_status": status, "analysis": text}
    fields = changed_fields(link, values)
    if {s.id for s in sources} != {s.id for s in link.sources}:
        fields.append("sources")
    was_suggestion = link.state == LinkState.SUGGESTED
    if accept and was_suggestion:
        link.state = LinkState.ASSESSED
    for name, value in values.items():
        setattr(link, name, value)
    link.sources = sources
    db.session.flush()
    if accept and was_suggestion:
        record(
            actor,
            "legal.suggestion_accepted",
            link,
            case=case,
            code=link.provision.code,
            assessment=assessment_v.value,
            violation_status=status.value,
        )
    elif fields:
        record(
            actor, "legal.link_updated", link, case=case, code=link.provision.code, fields=fields
        )
    return link


def hide_link(actor: Any, link: CaseProvision, reason: str | None) -> CaseProvision:
    """Hide an assessment or dismiss a suggestion (never deleted), with the reason."""
    case = link.case
    if not permissions.can_edit_legal_links(actor, case):
        raise PermissionDenied()
    action = (
        "legal.suggestion_dismissed" if link.state == LinkState.SUGGESTED else "legal.link_hidden"
    )
    hide(link, actor, reason, case=case, action=action, code=link.provision.code)
    return link


def restore_link(actor: Any, link: CaseProvision) -> CaseProvision:
    """Bring a hidden link back (coordinators)."""
    case = link.case
    if not permissions.can_restore(actor, case):
        raise PermissionDenied()
    restore(link, actor, case=case, action="legal.link_restored", code=link.provision.code)
    return link


def add_links_from_import(actor: Any, case: Case, provisions: Iterable[Provision]) -> int:
    """Link imported codes as "relevant": assessed if ``actor`` may assess, else suggested."""
    assess = permissions.can_edit_legal_links(actor, case)
    added = 0
    for provision in provisions:
        exists = db.session.scalar(
            select(CaseProvision.id).where(
                CaseProvision.case_id == case.id, CaseProvision.provision_id == provision.id
            )
        )
        if exists is not None:
            continue
        link = CaseProvision(
            case_id=case.id,
            provision_id=provision.id,
            assessment=Assessment.RELEVANT,
            violation_status=ViolationStatus.UNKNOWN,
            state=LinkState.ASSESSED if assess else LinkState.SUGGESTED,
            created_by_id=getattr(actor, "id", None),
        )
        db.session.add(link)
        db.session.flush()
        record(actor, "legal.link_imported", link, case=case, code=provision.code)
        added += 1
    return added


# --------------------------------------------------------------------------- remedies


@per_request_shown
def case_remedies(case: Case, include_hidden: bool = False) -> list[Remedy]:
    """The case's domestic proceedings, in the order they were filed."""
    query = select(Remedy).where(Remedy.case_id == case.id)
    if not include_hidden:
        query = query.where(Remedy.hidden_at.is_(None))
    items = list(db.session.scalars(query.order_by(Remedy.created_at, Remedy.id)))
    return sorted(items, key=remedy_sort_key)


def remedy_sort_key(remedy: Remedy) -> tuple[int, str, int]:
    """Filed (else decided) first, by the ISO text of the partial date, as the timeline sorts:
    "2010" and "2010-08" before "2010-08-12"; a proceeding with neither date last."""
    when = remedy.filed_on or remedy.decided_on
    return (0, when.iso(), remedy.id) if when is not None else (1, "", remedy.id)


def get_remedy(case: Case, public_id: str) -> Remedy | None:
    """A remedy of this case (None if it belongs to another case)."""
    return db.session.scalar(
        select(Remedy).where(Remedy.public_id == public_id, Remedy.case_id == case.id)
    )


def _partial_dates(values: dict[str, Any], typed_on: date | None) -> dict[str, Any]:
    """The filing and decision dates read as the timeline reads an event's date: a year, a
    month or a day, "c. 2009" setting the approximate flag, "today" the day of typing when a
    form gives it (``typed_on``); a date from code is a day."""
    data: dict[str, Any] = {}
    for name in REMEDY_DATES:
        value = values.get(name)
        if isinstance(value, PartialDate):
            value = value.iso()
        elif isinstance(value, date):
            value = value.isoformat()
        data[name] = value
        data[f"{name}_approximate"] = bool(values.get(f"{name}_approximate"))
    r = FieldReader(data, typed_on=typed_on)
    for name in REMEDY_DATES:
        r.partial_date(name, approximate=f"{name}_approximate")
        r.flag(f"{name}_approximate")
    return r.values()


REMEDY_DATES = ("filed_on", "decided_on")


def _remedy_values(
    *,
    typed_on: date | None = None,
    kind: Any,
    body: str | None = None,
    filed_on: PartialDate | date | str | None = None,
    filed_on_approximate: bool = False,
    decided_on: PartialDate | date | str | None = None,
    decided_on_approximate: bool = False,
    outcome: Any = RemedyOutcome.PENDING,
    appeal_deadline: date | None = None,
    exhausted: bool = False,
    ineffective_because: str | None = None,
    notes: str | None = None,
) -> dict[str, Any]:
    dates = _partial_dates(
        {
            "filed_on": filed_on,
            "filed_on_approximate": filed_on_approximate,
            "decided_on": decided_on,
            "decided_on_approximate": decided_on_approximate,
        },
        typed_on,
    )
    values = {
        "kind": _vocab(RemedyKind, kind, "kind"),
        "body": _clean(body),
        **dates,
        "outcome": _vocab(RemedyOutcome, outcome or RemedyOutcome.PENDING, "outcome"),
        "appeal_deadline": appeal_deadline,
        "exhausted": bool(exhausted),
        "ineffective_because": _clean(ineffective_because),
        "notes": _clean(notes),
    }
    _check_text("body", values["body"], 300)
    _check_text("ineffective_because", values["ineffective_because"], INEFFECTIVE_MAX_LEN)
    _check_text("notes", values["notes"], NOTES_MAX_LEN)
    filed, decided = dates["filed_on"], dates["decided_on"]
    # A partial date stands for every day of its year or month: only a decision that must end
    # before the filing could begin (or a deadline before any day of the decision) is refused.
    if filed and decided and decided.latest() < filed.earliest():
        raise ValidationFailed({"decided_on": [_("The decision cannot come before the filing.")]})
    if appeal_deadline and decided and appeal_deadline < decided.earliest():
        raise ValidationFailed(
            {"appeal_deadline": [_("The appeal deadline cannot come before the decision.")]}
        )
    return values


def add_remedy(actor: Any, case: Case, *, typed_on: date | None = None, **values: Any) -> Remedy:
    """Record a domestic proceeding of the case (``typed_on``: the day a form was typed)."""
    if not permissions.can_record_remedies(actor, case):
        raise PermissionDenied()
    clean = _remedy_values(typed_on=typed_on, **values)
    remedy = Remedy(case_id=case.id, created_by_id=actor.id, **clean)
    db.session.add(remedy)
    db.session.flush()
    record(actor, "legal.remedy_created", remedy, case=case, kind=clean["kind"].value)
    return remedy


def update_remedy(
    actor: Any,
    remedy: Remedy,
    expected_version: Any,
    *,
    typed_on: date | None = None,
    **values: Any,
) -> Remedy:
    """Change a remedy; StaleEdit if someone saved it since the form was loaded (``typed_on``:
    the day a form was typed)."""
    case = remedy.case
    if not permissions.can_record_remedies(actor, case):
        raise PermissionDenied()
    refuse_if_hidden(remedy, _("This proceeding is hidden; restore it before changing it."))
    check_version(remedy, expected_version, values)
    clean = _remedy_values(typed_on=typed_on, **values)
    fields = changed_fields(remedy, clean)
    if fields:
        for name in fields:
            setattr(remedy, name, clean[name])
        db.session.flush()
        record(actor, "legal.remedy_updated", remedy, case=case, fields=fields)
    return remedy


def hide_remedy(actor: Any, remedy: Remedy, reason: str | None) -> Remedy:
    """Hide a remedy recorded by mistake (never deleted)."""
    case = remedy.case
    if not permissions.can_record_remedies(actor, case):
        raise PermissionDenied()
    hide(remedy, actor, reason, case=case, action="legal.remedy_hidden")
    return remedy


def restore_remedy(actor: Any, remedy: Remedy) -> Remedy:
    """Bring a hidden remedy back (coordinators)."""
    case = remedy.case
    if not permissions.can_restore(actor, case):
        raise PermissionDenied()
    restore(remedy, actor, case=case, action="legal.remedy_restored")
    return remedy


def _open_deadline_clause():
    return (
        Remedy.hidden_at.is_(None),
        Remedy.exhausted.is_(False),
        Remedy.appeal_deadline.is_not(None),
        Remedy.outcome.not_in(_CLOSED_OUTCOMES),
    )


def has_open_remedy_deadline(since: date) -> ColumnElement[bool]:
    """A condition over ``Case``: the case has an open appeal deadline (``remedy_deadlines``)
    due on or after ``since``."""
    return exists().where(
        Remedy.case_id == Case.id, *_open_deadline_clause(), Remedy.appeal_deadline >= since
    )


@functools.cache
def deadline_columns() -> Any:
    """What a deadline shows of a remedy (its kind and outcome; the court's name and the notes
    stay sealed): the lists of deadlines read only these columns. Built once (a loader option
    is never changed by a query that uses it): every dashboard asks for it."""
    return load_only(
        Remedy.id,
        Remedy.public_id,
        Remedy.case_id,
        Remedy.kind,
        Remedy.outcome,
        Remedy.decided_on,
        Remedy.appeal_deadline,
    )


def remedy_deadline_label(remedy: Remedy) -> str:
    label = _("Appeal deadline: %(proceeding)s", proceeding=remedy.kind.label)
    return f"{label} ({remedy.outcome.label.lower()})" if remedy.decided_on else label


APPEAL_DEADLINE = "appeal_deadline"  # the kind of the deadlines remedy_deadlines gives


def remedy_deadlines(cases: list[Case]) -> dict[int, list[Deadline]]:
    """Deadline provider: the cases' open appeal deadlines (past ones included), per case id."""
    by_id = {case.id: case for case in cases}
    remedies = db.session.scalars(
        select(Remedy)
        .where(Remedy.case_id.in_(by_id), *_open_deadline_clause())
        .options(deadline_columns())
        .order_by(Remedy.appeal_deadline)
    )
    result: dict[int, list[Deadline]] = {}
    for r in remedies:
        result.setdefault(r.case_id, []).append(_remedy_deadline(r, by_id[r.case_id]))
    return result


def _remedy_deadline(remedy: Remedy, case: Case) -> Deadline:
    return Deadline(
        due=remedy.appeal_deadline,
        label=remedy_deadline_label(remedy),
        kind=APPEAL_DEADLINE,
        record=remedy.public_id,
        url=case_page(case.public_id, "#panel-remedies"),
    )


def has_open_deadline(remedy: Remedy) -> bool:
    """Is the remedy's appeal deadline open (``_open_deadline_clause``)?"""
    return (
        remedy.hidden_at is None
        and not remedy.exhausted
        and remedy.appeal_deadline is not None
        and remedy.outcome not in _CLOSED_OUTCOMES
    )


def case_remedy_deadlines(case: Case) -> list[Deadline]:
    """``remedy_deadlines`` of one case, from its remedies as its file's panel reads them
    (``case_remedies``, once per request)."""
    remedies = [r for r in case_remedies(case) if has_open_deadline(r)]
    return [_remedy_deadline(r, case) for r in sorted(remedies, key=lambda r: r.appeal_deadline)]


@dataclass(frozen=True)
class UpcomingDeadline:
    """A remedy deadline on the dashboard: the case reference, never a name."""

    due: date
    reference: str
    case_public_id: str
    label: str
    overdue: bool
    days_left: int


def upcoming_remedy_deadlines(
    user: Any, today: date | None = None, days: int = DASHBOARD_DAYS, limit: int = DEADLINES_SHOWN
) -> list[UpcomingDeadline]:
    """Open appeal deadlines due within ``days`` (overdue ones too) on cases ``user`` may see,
    the earliest first, at most ``limit`` (overdue deadlines pile up over the years)."""
    today = today or date.today()
    rows = db.session.execute(
        select(Remedy, Case.reference, Case.public_id)
        .join(Case, Case.id == Remedy.case_id)
        .where(
            *_open_deadline_clause(),
            Remedy.appeal_deadline <= today + timedelta(days=days),
            permissions.readable_cases_clause(user),
        )
        .options(deadline_columns())
        .order_by(Remedy.appeal_deadline, Case.reference_key)
        .limit(limit)
    ).all()
    return [
        UpcomingDeadline(
            due=r.appeal_deadline,
            reference=reference,
            case_public_id=public_id,
            label=remedy_deadline_label(r),
            overdue=r.appeal_deadline < today,
            days_left=(r.appeal_deadline - today).days,
        )
        for r, reference, public_id in rows
    ]


# --------------------------------------------------------------------------- hooks


def timeline_for(case: Case, user: Any) -> list[TimelineItem]:
    """Timeline provider: remedies filed and decided, legal grounds linked, precedents cited."""
    if not permissions.can_view_identifying(user, case):
        return []
    url = case_page(case.public_id)
    items: list[TimelineItem] = []
    for r in case_remedies(case):
        if r.filed_on:
            items.append(
                TimelineItem(
                    when=r.filed_on,
                    approximate=r.filed_on_approximate,
                    kind="remedy",
                    title=_("%(proceeding)s filed", proceeding=r.kind.label),
                    body=r.body,
                    url=url + "#panel-remedies",
                )
            )
        if r.decided_on:
            items.append(
                TimelineItem(
                    when=r.decided_on,
                    approximate=r.decided_on_approximate,
                    kind="remedy",
                    title=_(
                        "%(proceeding)s decided: %(outcome)s",
                        proceeding=r.kind.label,
                        outcome=r.outcome.label,
                    ),
                    body=r.body,
                    url=url + "#panel-remedies",
                )
            )
    for precedent in case_precedents(case):
        items.append(
            TimelineItem(
                when=precedent.created_at,
                kind="legal",
                title=_("Precedent cited: %(code)s", code=precedent.instrument.code),
                url=url + "#panel-legal",
                author=precedent.created_by.display_name if precedent.created_by else None,
            )
        )
    for link in case_links(case):
        items.append(
            TimelineItem(
                when=link.created_at,
                kind="legal",
                title=(
                    _(
                        "Legal ground suggested: %(code)s (%(assessment)s)",
                        code=link.provision.code,
                        assessment=link.assessment.label,
                    )
                    if link.state == LinkState.SUGGESTED
                    else _(
                        "Legal ground linked: %(code)s (%(assessment)s)",
                        code=link.provision.code,
                        assessment=link.assessment.label,
                    )
                ),
                url=url + "#panel-legal",
                author=link.created_by.display_name if link.created_by else None,
            )
        )
    return items
