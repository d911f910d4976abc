"""Reading the cases an output may use, free-text reviews, the audit of outputs, exports."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import ColumnElement, Select, String, func, inspect, or_, select, type_coerce
from sqlalchemy.orm import defer, selectinload

from casework import permissions
from casework.audit.services import record
from casework.cases.models import Case, CasePerson, Event
from casework.core.db import db, in_chunks
from casework.core.errors import ValidationFailed, check_version
from casework.core.i18n import gettext as _
from casework.core.i18n import ngettext
from casework.core.sealing import secret_attributes
from casework.core.spreadsheet import inert_cell
from casework.core.vocab import Authorisation, CaseStatus, OtherProcedure
from casework.evidence import services as evidence
from casework.people.models import Person, PersonName
from casework.reports import documents
from casework.reports.anonymise import (
    CaseOut,
    Disclosure,
    EventOut,
    Output,
    PersonOut,
    RemedyOut,
    disclose_case,
    disclosure_facts,
)
from casework.reports.documents import xml_text
from casework.reports.models import OrganisationProfile, OutputReview

EXPORT_FORMATS = ("csv", "xlsx", "json")
_MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _with_contents(query: Select) -> Select:
    """``query`` of cases, each loaded with its people (and their names) and events."""
    return query.options(
        selectinload(Case.people).selectinload(CasePerson.person).selectinload(Person.names),
        selectinload(Case.events).options(selectinload(Event.place), selectinload(Event.agencies)),
    )


def _sealed_unless(model: Any, *said: str) -> list[Any]:
    """Options leaving every encrypted column of ``model`` but ``said`` unread: each one read
    is decrypted as its row loads, whether it is used or not."""
    return [
        defer(getattr(model, attr))
        for attr, _column in secret_attributes(inspect(model))
        if attr not in said
    ]


def _people_loaded() -> Any:
    """The option loading cases' people with what withholds them (``Scrubber.add_person``):
    their names, numbers, contacts and addresses, and none of their other texts."""
    return selectinload(Case.people).options(
        *_sealed_unless(CasePerson),
        selectinload(CasePerson.person).options(
            *_sealed_unless(Person, "unhcr_number", "contacts", "address"),
            selectinload(Person.names).options(*_sealed_unless(PersonName, "name")),
        ),
    )


def with_people(query: Select) -> Select:
    """``query`` of cases, each loaded with what scrubbing a text against its people reads
    (``anonymise.scrub_for_cases``): who authorised the representation (a name to withhold)
    and its people (``_people_loaded``); no other text of the case."""
    return query.options(*_sealed_unless(Case, "authorised_by"), _people_loaded())


def _with_summaries(query: Select) -> Select:
    """``query`` of cases, each loaded with what ``disclose_case`` with ``summary`` reads (a
    document summing up many cases): its narrative and who authorised the representation (a
    name the narrative may give), its people (``_people_loaded``) and its events' kinds; no
    other text, no event's place or agencies."""
    return query.options(
        *_sealed_unless(Case, "narrative", "authorised_by"),
        _people_loaded(),
        selectinload(Case.events).options(*_sealed_unless(Event)),
    )


_LOADED = {"contents": _with_contents, "summary": _with_summaries, "people": with_people}


def _readable(
    query: Select,
    user: Any,
    statuses: list[CaseStatus] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Select:
    # Neither discarded drafts nor duplicates leave the system: each fact is told once.
    query = query.where(
        permissions.readable_cases_clause(user),
        Case.hidden_at.is_(None),
        Case.duplicate_of_id.is_(None),
        *act_date_in(date_from, date_to),
    )
    if statuses:
        query = query.where(Case.status.in_(statuses))
    return query.order_by(Case.reference_key)


def readable_cases(
    user: Any,
    *,
    statuses: list[CaseStatus] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    loaded: str = "contents",
) -> list[Case]:
    """The cases whose content ``user`` may read, optionally by status and act date; loaded
    with their ``contents`` (``_with_contents``), for a ``summary`` of each only
    (``_with_summaries``), or with their ``people`` only (``with_people``).

    Every output reads its cases here (or in ``readable_case_batches``): through
    ``permissions.readable_cases_clause``.
    """
    query = _readable(select(Case), user, statuses, date_from, date_to)
    return list(db.session.scalars(_LOADED[loaded](query)))


def readable_case_batches(user: Any, size: int | None = None) -> Iterator[list[Case]]:
    """``readable_cases(user)`` a batch at a time, in the same order: an output of the whole
    archive holds one batch of cases (with their people and events) at a time, not all."""
    ids = db.session.scalars(_readable(select(Case.id), user)).all()
    for batch in in_chunks(ids, size):
        query = _with_contents(select(Case).where(Case.id.in_(batch)).order_by(Case.reference_key))
        yield list(db.session.scalars(query))


def act_date_in(date_from: date | None, date_to: date | None) -> list[ColumnElement[bool]]:
    """WHERE clauses keeping the cases whose act date may fall in the period (either end open).

    Act dates are sortable ISO text ("2011", "2011-06", "2011-06-09"), so the period is a
    range of the act date's index. A partial date is in it if any day it stands for is:
    "2011-06" is in a period from 2011-06-20, "2011" in one to 2011-01-05.
    """
    act_date = type_coerce(Case.act_date, String)
    clauses: list[ColumnElement[bool]] = []
    if date_from is not None:
        start = date_from.isoformat()
        # A day or month from the start on sorts at or after it ("2011-07" after "2011-06-20");
        # the start's own month and year are the partial dates that sort before it. Three
        # ranges of the index, not every date of the start's year.
        clauses.append(or_(act_date >= start, act_date == start[:7], act_date == start[:4]))
    if date_to is not None:
        clauses.append(act_date <= date_to.isoformat())  # "2011" and "2011-06" sort first
    return clauses


def count_readable_cases(user: Any) -> int:
    """How many cases ``user`` may read (decides whether an export runs as a background job)."""
    return (
        db.session.scalar(
            select(func.count(Case.id)).where(permissions.readable_cases_clause(user))
        )
        or 0
    )


def record_output(
    actor: Any, output: str, fmt: str, count: int, *, case: Case | None = None, **details: Any
) -> None:
    """Audit an output: who, what, in which format, how many cases (never their content)."""
    record(
        actor,
        "output.generated",
        object_type="output",
        object_id=output,
        case=case,
        output=output,
        format=fmt,
        cases=count,
        **details,
    )


def review_free_text(actor: Any, case: Case, output: Output) -> OutputReview:
    """Someone read the case's free text, as the preview shows it, and lets it leave."""
    review = OutputReview(case_id=case.id, output=output.value, reviewed_by_id=actor.id)
    db.session.add(review)
    db.session.flush()
    record(actor, "output.reviewed", case, case=case, output=output.value)
    return review


def archive_warnings(case: Case) -> list[str]:
    """What the archive of ``case`` leaves behind: the documents found at upload to record
    where they were taken (``dossier.archive_zip``)."""
    located = evidence.located_documents(case)
    if not located:
        return []
    return [
        ngettext(
            "%(num)s document of this case records where it was taken (such as a photo's GPS "
            "coordinates): the archive leaves it out. If it must go, send a copy cleaned of its "
            "location data.",
            "%(num)s documents of this case record where they were taken (such as a photo's "
            "GPS coordinates): the archive leaves them out. If they must go, send copies "
            "cleaned of their location data.",
            located,
        )
    ]


def output_warnings(case: CaseOut, output: Output) -> list[str]:
    """What the body the output goes to needs and the case does not give yet, for the review
    page to say before the document is made (in the reader's language)."""
    warnings = []
    body = documents.TREATY_BODIES.get(output)
    if output == Output.CAT and not documents.personal_risk(case, body):
        warnings.append(
            _(
                "No article of the Convention against Torture is linked to this case as "
                "violated or at risk: the Committee examines that Convention only, and the "
                "request has no ground to put to it. A lawyer links article 3 (CAT:3) with an "
                "analysis before the request is sent; other instruments appear only as context."
            )
        )
    if output == Output.HRC and not documents.personal_risk(case, body):
        warnings.append(
            _(
                "No article of the International Covenant on Civil and Political Rights is "
                "linked to this case as violated or at risk: the Human Rights Committee examines "
                "that Covenant only, and the communication has no ground to put to it. A lawyer "
                "links articles 6 and 7 (ICCPR:6, ICCPR:7) with an analysis before it is sent; "
                "other instruments appear only as context."
            )
        )
    if body is not None:
        warnings += _representation_warnings(case, output)
    withheld = any(p.disclosure == Disclosure.WITHHELD for p in documents.victims(case))
    if withheld and output == Output.CAT:
        warnings.append(
            _(
                "A person at risk leaves this request as “identity withheld”. The Committee "
                "against Torture does not consider anonymous complaints: it needs the victim's "
                "identity and authorisation. Before sending, obtain their consent to be "
                "identified to the Committee; until then the name stays withheld."
            )
        )
    if withheld and output == Output.HRC:
        warnings.append(
            _(
                "A person at risk leaves this communication as “identity withheld”. The Human "
                "Rights Committee does not consider anonymous communications (article 3 of the "
                "Optional Protocol): it needs the victim's identity and authorisation. Before "
                "sending, obtain their consent to be identified to the Committee; until then "
                "the name stays withheld."
            )
        )
    # The archive bundles the communication (``dossier.archive_zip``): the same warning.
    if withheld and output in (Output.SPECIAL_PROCEDURES, Output.ARCHIVE):
        warnings.append(
            _(
                "A person at risk leaves this communication as “identity withheld”. The Special "
                "Procedures do not act on anonymous communications: they need the victim's "
                "identity, which they keep confidential. Before sending, obtain their consent "
                "to be identified to the mandate; until then the name stays withheld."
            )
        )
    return warnings


def _representation_warnings(case: CaseOut, output: Output) -> list[str]:
    """What a treaty body (the Committee against Torture, the Human Rights Committee) asks of
    the representation and the case does not give: the victim's authorisation (or why it
    cannot be had), and whether the matter went to another international procedure. Warnings:
    the request can still be made."""
    warnings = []
    if case.authorisation == Authorisation.CANNOT_BE_OBTAINED:
        if not case.authorisation_note_recorded:
            warnings.append(
                _(
                    "The victim's authorisation is recorded as impossible to obtain, but no "
                    "reason is recorded: the Committee accepts a complaint without it only when "
                    "the reason is explained (the person is held incommunicado, or has "
                    "disappeared). Record why on the case before the request is sent."
                )
            )
    elif case.authorisation not in (
        Authorisation.WRITTEN,
        Authorisation.ORAL,
        Authorisation.THROUGH_FAMILY,
    ):
        warnings.append(
            _(
                "No authorisation of the alleged victim is recorded: the Committee needs the "
                "victim's authorisation of whoever submits for them, or the reason it cannot be "
                "obtained. Record it on the case (how, by whom, when) before the request is sent."
            )
        )
    if output == Output.HRC and case.other_procedures == OtherProcedure.PENDING:
        warnings.append(
            _(
                "The same matter is recorded as being examined under another procedure of "
                "international investigation or settlement: under article 5(2)(a) of the "
                "Optional Protocol the Human Rights Committee does not consider it while that "
                "examination goes on. Counsel explains why this is not the same matter before "
                "the communication is sent."
            )
        )
    elif output == Output.HRC and case.other_procedures == OtherProcedure.EXAMINED:
        warnings.append(
            _(
                "The same matter is recorded as examined under another procedure of "
                "international investigation or settlement: the Optional Protocol bars only "
                "a matter being examined at the same time, but a State party's reservation can "
                "bar one examined before. Counsel checks Kazakhstan's declarations and explains "
                "it in the communication."
            )
        )
    elif case.other_procedures in (OtherProcedure.PENDING, OtherProcedure.EXAMINED):
        warnings.append(
            _(
                "The same matter is recorded as examined, or being examined, under another "
                "procedure of international investigation or settlement: under article 22(5)(a) "
                "of the Convention the Committee does not consider such a matter. Counsel "
                "explains why this is not the same matter before the request is sent."
            )
        )
    elif case.other_procedures not in (OtherProcedure.NONE, OtherProcedure.WITHDRAWN):
        warnings.append(
            _(
                "The case does not say whether the same matter has been submitted to another "
                "procedure of international investigation or settlement, which the Committee "
                "asks. Record it on the case before the request is sent."
            )
        )
    return warnings


def organisation(default_name: str = "") -> OrganisationProfile:
    """The organisation profile (a blank one, unsaved, until a coordinator fills it in)."""
    profile = db.session.scalar(select(OrganisationProfile).limit(1))
    # Version 0: not saved yet (a form loaded now conflicts with a profile saved meanwhile).
    return profile or OrganisationProfile(name=default_name, version=0)


def save_organisation(
    actor: Any, values: dict[str, Any], expected_version: Any
) -> OrganisationProfile:
    """Save the profile; StaleEdit if someone saved it since the form was loaded."""
    if not (values.get("name") or "").strip():
        raise ValidationFailed({"name": [_("Give the organisation's name.")]})
    profile = db.session.scalar(select(OrganisationProfile).limit(1))
    check_version(profile or OrganisationProfile(version=0), expected_version, values)
    if profile is None:
        profile = OrganisationProfile(name=values["name"])
        db.session.add(profile)
    for key in ("name", "founded", "activities", "contact"):
        setattr(profile, key, values.get(key) or None)
    profile.updated_by_id = actor.id
    db.session.flush()
    record(actor, "organisation.updated", object_type="organisation", object_id="profile")
    return profile


# --- exports --------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "reference",
    "status",
    "urgency",
    "act_type",
    "act_date",
    "place",
    "destination",
    "situation",
    "people",
    "events",
    "provisions",
    "remedies",
    "narrative",
    "after_return",
    "authorisation",
    "authorised_on",
    "other_procedures",
)
# A cell of a spreadsheet holds at most this many characters (Excel's limit; a longer one makes
# the file "need repair"). Longer text is cut there and says where the rest is.
XLSX_CELL_MAX = 32_767
XLSX_CUT = " [… cut: the cell limit; the JSON export holds the whole text]"


def _person_text(p: PersonOut) -> str:
    details = [d for d in (p.role, p.gender, p.age_band, p.nationality, p.ethnicity) if d]
    return f"{p.label} ({', '.join(details)})" if details else p.label


def _event_text(e: EventOut) -> str:
    """ "2012-06-09 Arrest (Almaty): description" (the place and description as disclosed)."""
    text = f"{e.date} {e.kind}"
    if e.place:
        text += f" ({e.place})"
    if e.agencies:
        text += f" [{', '.join(e.agencies)}]"
    return f"{text}: {e.description}" if e.description else text


def _remedy_text(r: RemedyOut) -> str:
    """ "Court appeal against extradition (filed 2012-07, decided 2013): Rejected"."""
    dates = [
        f"{label} {value}" for label, value in (("filed", r.filed), ("decided", r.decided)) if value
    ]
    text = f"{r.kind} ({', '.join(dates)})" if dates else r.kind
    text += f": {r.outcome}"
    if r.exhausted:
        text += ", exhausted"
    if r.argued_ineffective:
        text += ", argued not effective"
        if r.ineffective_because:
            text += f" because {r.ineffective_because}"
    return text


def _authorisation_text(c: CaseOut) -> str:
    """ "Through the family; given by ...; why or how" (who and how as disclosed: once
    reviewed, withheld names replaced)."""
    parts = [str(c.authorisation.label)]
    if c.authorised_by:
        parts.append(f"given by {c.authorised_by}")
    if c.authorisation_note:
        parts.append(c.authorisation_note)
    return "; ".join(parts)


def export_row(c: CaseOut) -> dict[str, Any]:
    return {
        "reference": c.reference,
        "status": c.status,
        "urgency": c.urgency,
        "act_type": c.act_type or "",
        "act_date": c.act_date or "",
        "place": c.place or "",
        "destination": c.destination or "",
        "situation": c.situation,
        "people": "; ".join(_person_text(p) for p in c.people),
        "events": "; ".join(_event_text(e) for e in c.events),
        "provisions": "; ".join(
            f"{code} ({assessment})" for code, _title, assessment, _note in c.provisions
        ),
        "remedies": "; ".join(_remedy_text(r) for r in c.remedies),
        "narrative": c.narrative or "",
        "after_return": c.after_return or "",
        "authorisation": _authorisation_text(c),
        "authorised_on": c.authorised_on or "",
        "other_procedures": f"{c.other_procedures.label}: {c.other_procedures_details}"
        if c.other_procedures_details
        else str(c.other_procedures.label),
    }


class _CsvFile:
    def __init__(self) -> None:
        self.out = io.StringIO()
        self.writer = csv.DictWriter(self.out, fieldnames=EXPORT_COLUMNS)
        self.writer.writeheader()

    def add(self, case: CaseOut) -> None:
        self.writer.writerow({k: inert_cell(v) for k, v in export_row(case).items()})

    def content(self) -> bytes:
        return self.out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheets read UTF-8


class _XlsxFile:
    def __init__(self) -> None:
        # Write-only: rows go out as they come, no sheet of every cell is kept.
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("Cases")
        self.sheet.append(list(EXPORT_COLUMNS))

    def add(self, case: CaseOut) -> None:
        row = export_row(case)
        cells = []
        for key in EXPORT_COLUMNS:
            value = row[key]
            # An XLSX cell holds no C0 control character (text pasted from Word carries some).
            if isinstance(value, str):
                value = xml_text(value)
                if len(value) > XLSX_CELL_MAX:
                    value = value[: XLSX_CELL_MAX - len(XLSX_CUT)] + XLSX_CUT
            value = inert_cell(value)
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.data_type = "s"  # text, whatever it looks like
            cells.append(cell)
        self.sheet.append(cells)

    def content(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def case_record(c: CaseOut) -> dict[str, Any]:
    """A disclosed case as a JSON record (the export's and the archive's ``case.json``): every
    field by name, remedies, provisions and analyses as objects rather than bare lists."""
    out = asdict(c)
    # What the CAT and HRC documents argue; each provision has its code.
    del out["convention_articles"], out["covenant_articles"]
    out["provisions"] = [
        {"code": code, "title": title, "assessment": assessment, "violation_status": status}
        for code, title, assessment, status in c.provisions
    ]
    out["remedies"] = [r._asdict() for r in c.remedies]
    out["analyses"] = [{"provision": code, "analysis": text} for code, text in c.analyses]
    return out


class _JsonFile:
    """``{"cases": [...]}`` as ``json.dumps(..., indent=2)`` writes it, one case at a time."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, case: CaseOut) -> None:
        text = json.dumps(case_record(case), ensure_ascii=False, indent=2, default=str)
        self.parts.append(textwrap.indent(text, "    "))

    def content(self) -> bytes:
        if not self.parts:
            return json.dumps({"cases": []}, indent=2).encode()
        return ('{\n  "cases": [\n' + ",\n".join(self.parts) + "\n  ]\n}").encode()


_EXPORT_FILES = {"csv": _CsvFile, "xlsx": _XlsxFile, "json": _JsonFile}


def export_cases(
    actor: Any, fmt: str, *, anonymise: bool = False, exported: list[int] | None = None
) -> tuple[bytes, str, str, int]:
    """The cases ``actor`` may read as CSV, XLSX or JSON: (content, file name, type, count).

    ``anonymise`` leaves no name at all (pseudonyms even for the named) and no free text.
    ``exported``: a list given the ids of the cases written (a file kept for later checks
    them against its reader's access then).
    """
    if fmt not in EXPORT_FORMATS:
        raise ValidationFailed({"format": [_("Choose CSV, XLSX or JSON.")]})
    out = _EXPORT_FILES[fmt]()
    count = 0
    for cases in readable_case_batches(actor):
        facts = disclosure_facts(cases, Output.EXPORT)
        for c in cases:
            out.add(disclose_case(c, Output.EXPORT, strict=anonymise, facts=facts[c.id]))
        count += len(cases)
        if exported is not None:
            exported += [c.id for c in cases]
    record_output(actor, Output.EXPORT.value, fmt, count, anonymised=anonymise)
    name = f"cases-{date.today().isoformat()}{'-anonymised' if anonymise else ''}.{fmt}"
    return out.content(), name, _MIMETYPES[fmt], count
