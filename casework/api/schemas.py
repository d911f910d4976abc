"""Pydantic models shared by every API resource: input base, errors, pages of results.

The same models validate requests and describe them in the OpenAPI document.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
