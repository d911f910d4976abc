"""Pydantic models shared by every API resource: input base, errors, pages of results.

The same models validate requests and describe them in the OpenAPI document.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from casework.core.types import PartialDate

# What a partial date reads back as (``PartialDate.iso``).
PARTIAL_DATE = "A partial date, as precise as it is known: YYYY, YYYY-MM or YYYY-MM-DD."


def partial_date_input(flag: str, unreadable: str = "refused (422)") -> str:
    """The description of a partial date sent in, whose approximate flag is ``flag``: what
    ``PartialDate.parse`` and ``FieldReader.partial_date`` read."""
    return (
        "A partial date: YYYY, YYYY-MM or YYYY-MM-DD; also DD.MM.YYYY, MM.YYYY, MM/YYYY or "
        "YYYY/MM/DD (one-digit days and months too), a month by name in English or Russian "
        "(April 2011, 12 Apr 2011, 12 апреля 1979 г.), or a day with a time of day (the time is "
        f"dropped). Years {PartialDate.MIN_YEAR} to {PartialDate.MAX_YEAR}. Empty, unknown, ? "
        f"or n/a: no date. c. 2010, circa 2010, ~2010 or около 2010 reads as 2010 and sets "
        f"{flag}. Read back as YYYY, YYYY-MM or YYYY-MM-DD. Any other text, and a day named by "
        "the day it was written (today, yesterday, сегодня, вчера: the web forms read these, "
        f"a call cannot say when it was written): {unreadable}."
    )


# The order of a list read newest first (by creation, the last created first).
NEWEST_FIRST = "Newest first: the most recently created first."

# A country read back: what ``countries.lookup`` gives and the columns hold.
COUNTRY = "The country's ISO 3166-1 alpha-2 code (UZ)."


def country_input(unknown: str = "refused (422)") -> str:
    """The description of a country sent in (read by ``FieldReader.country``)."""
    return (
        "An ISO 3166-1 code (UZ or UZB) or the country's name in English or Russian (Uzbekistan, "
        f"Узбекистан), any case; read back as the alpha-2 code. Empty: not known. Unknown: {unknown}."
    )


# Public ids are opaque, URL-safe and short; anything else is refused before a database look-up.
PublicId = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]


def _check_text(value: Any) -> Any:
    """Refuse text a database cannot store (NUL, lone surrogates) with a 422, not a 500."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("Text may not contain NUL characters.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("Text must be valid Unicode.") from exc
    elif isinstance(value, list):
        for item in value:
            _check_text(item)
    return value


class Input(BaseModel):
    """A request body or query: unknown keys are refused, text is checked for storability."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return _check_text(value)


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Output):
    code: str = Field(description="A stable machine code: not_found, invalid, forbidden...")
    message: str
    fields: dict[str, list[str]] = Field(
        description="Messages per request field ('' for the request as a whole)."
    )


class ErrorResponse(Output):
    """Every error answers in this shape."""

    error: ErrorDetail


class ListQuery(Input):
    """Cursor pagination: pass ``next_cursor`` of a page to get the next one."""

    cursor: str | None = Field(
        default=None,
        max_length=200,
        description=(
            "The next_cursor of the previous page. It continues from that page's last row: if "
            "the row has left the list since (deleted, or no longer visible to you), the answer "
            "is a 422 on cursor, and the list is read again from the start without one."
        ),
    )
    limit: int = Field(default=25, ge=1, le=100)


class AnonymisedQuery(Input):
    anonymised: bool = Field(
        default=False, description="Return the anonymised view, without identifying fields."
    )
