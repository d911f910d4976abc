"""Importing UPR recommendations from a spreadsheet saved as CSV: all rows or none.

UTF-8 with or without a byte-order mark, comma or semicolon separated, with a header row:
``cycle, number, recommending_state, text, response, themes`` (``response_date`` and
``state_under_review`` optional). ``cycle`` is the number of a cycle of the State under review
(Kazakhstan when the column is absent or empty); a cycle not recorded yet is added.
Rows are matched on (State, cycle, number): new ones are added, existing ones updated.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casework.advocacy.models import UPRRecommendation
from casework.advocacy.upr import (
    DEFAULT_STATE,
    RecommendationData,
    find,
    resolve_cycle,
    validate,
)
from casework.audit.services import changed_fields, record
from casework.core.db import db
from casework.core.errors import PermissionDenied
from casework.core.i18n import N_
from casework.core.i18n import gettext as _
from casework.core.types import PartialDate, PartialDateError
from casework.core.vocab import UPRResponse
from casework.permissions import can_manage_upr

REQUIRED = ("cycle", "number", "recommending_state", "text", "response")
OPTIONAL = ("themes", "response_date", "state_under_review")
MAX_ROWS = 5000
MAX_ERRORS = 50

# Words used in UPR reports and spreadsheets for the State's position.
_RESPONSES = {
    "supported": UPRResponse.SUPPORTED,
    "accepted": UPRResponse.SUPPORTED,
    "support": UPRResponse.SUPPORTED,
    "noted": UPRResponse.NOTED,
    "rejected": UPRResponse.NOTED,
    "pending": UPRResponse.PENDING,
    "": UPRResponse.PENDING,
}


@dataclass(frozen=True)
class RowError:
    """A problem at a spreadsheet row (the header is row 1) and column."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8-sig")


def _delimiter(text: str) -> str:
    header = text.splitlines()[0] if text else ""
    return ";" if header.count(";") > header.count(",") else ","


def _column(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _parse_date(text: str) -> date | None:
    value = PartialDate.parse(text)
    if value is None:
        return None
    if value.precision != "day":
        raise PartialDateError(N_("give the full date, for example 2020-03-12"))
    return value.earliest()


def parse(raw: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Rows as (spreadsheet row number, cleaned values), and every error found."""
    try:
        text = _decode(raw)
    except UnicodeDecodeError:
        return [], [RowError(1, "", _("the file is not UTF-8 text: save it as CSV UTF-8"))]
    if not text.strip():
        return [], [RowError(1, "", _("the file is empty"))]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = [_column(h) for h in next(reader)]
    except csv.Error as exc:
        return [], [RowError(1, "", _("unreadable header (%(error)s)", error=str(exc)))]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [RowError(1, ", ".join(missing), _("missing column(s) in the header row"))]
    unknown = [h for h in header if h and h not in REQUIRED + OPTIONAL]
    if unknown:
        return [], [RowError(1, ", ".join(unknown), _("unknown column(s) in the header row"))]
    rows: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, int, str], int] = {}
    row_number = 1
    try:
        for cells in reader:
            row_number += 1
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                errors.append(RowError(row_number, "", _("more than %(n)s rows", n=MAX_ROWS)))
                break
            if len(cells) > len(header):
                errors.append(RowError(row_number, "", _("more cells than header columns")))
                continue
            cell = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))
            row_errors = _check_row(row_number, cell, rows, seen)
            errors.extend(row_errors)
            if len(errors) >= MAX_ERRORS:
                break
    except csv.Error as exc:
        errors.append(RowError(row_number, "", _("unreadable line (%(error)s)", error=str(exc))))
    return rows, errors


def _check_row(
    row_number: int,
    cell: dict[str, str],
    rows: list[tuple[int, dict[str, Any]]],
    seen: dict[tuple[str, int, str], int],
) -> list[RowError]:
    errors: list[RowError] = []
    response_text = cell.get("response", "").strip().lower()
    response = _RESPONSES.get(response_text)
    if response is None:
        errors.append(
            RowError(
                row_number,
                "response",
                _(
                    "\u201c%(value)s\u201d is not supported, noted or pending",
                    value=cell["response"],
                ),
            )
        )
    response_date = None
    try:
        response_date = _parse_date(cell.get("response_date", ""))
    except PartialDateError as exc:
        errors.append(RowError(row_number, "response_date", _(exc.message, **exc.params)))
    cycle_text = cell.get("cycle", "").strip()
    data = RecommendationData(
        # ASCII digits only: "²" is a digit to str.isdigit, not to int().
        cycle=int(cycle_text) if cycle_text.isascii() and cycle_text.isdigit() else 0,
        number=cell.get("number", ""),
        recommending_state=cell.get("recommending_state", ""),
        text=cell.get("text", ""),
        response=response or UPRResponse.PENDING,
        response_date=response_date,
        themes=cell.get("themes"),
        state_under_review=cell.get("state_under_review", "").strip() or DEFAULT_STATE,
    )
    values, field_errors = validate(data)
    for column, messages in field_errors.items():
        errors.extend(RowError(row_number, column, m) for m in messages)
    if not errors:
        key = (values["state_under_review"], values["cycle"], values["number"])
        if key in seen:
            errors.append(
                RowError(
                    row_number,
                    "number",
                    _("repeats row %(row)s (same cycle and number)", row=seen[key]),
                )
            )
        else:
            seen[key] = row_number
            rows.append((row_number, values))
    return errors


def import_recommendations(actor: Any, raw: bytes) -> ImportResult:
    """Validate every row, then upsert them all by (State, cycle, number); any error imports
    nothing."""
    if not can_manage_upr(actor):
        raise PermissionDenied()
    rows, errors = parse(raw)
    result = ImportResult(errors=errors)
    if errors:
        return result
    if not rows:
        result.errors.append(RowError(2, "", _("no recommendations below the header row")))
        return result
    for _row, row_values in rows:
        values = resolve_cycle(actor, dict(row_values))
        rec = find(values["cycle"], values["number"])
        if rec is None:
            db.session.add(UPRRecommendation(**values))
            result.created += 1
            continue
        # A date already set is kept when the file has none.
        if values["response_date"] is None:
            values["response_date"] = rec.response_date
        if changed_fields(rec, values):
            for key, value in values.items():
                setattr(rec, key, value)
            result.updated += 1
        else:
            result.unchanged += 1
    db.session.flush()
    record(
        actor,
        "upr.imported",
        object_type="upr_recommendations",
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    return result
