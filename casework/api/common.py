"""Small pieces shared by the API resources: loading a case for its records, plain values, the
refusal of a cursor."""

from __future__ import annotations

from typing import Any

from casework import permissions
from casework.cases.models import Case
from casework.core.errors import ValidationFailed
from casework.loader import load


def case_for_records(user: Any, case_id: str, need: Any = permissions.can_view_identifying) -> Case:
    """The case whose records are read or written: visible, and with the right ``need``."""
    return load(Case, case_id, user, need=need)


def text(value: Any) -> str | None:
    """A vocabulary term, partial date or other value as its plain text (None stays None)."""
    if value is None:
        return None
    if hasattr(value, "iso"):
        return value.iso()
    return str(value.value) if hasattr(value, "value") else str(value)


def form_values(model: Any) -> dict[str, Any]:
    """The fields a client set, as the services read form values ('' for null text)."""
    values = model.model_dump(exclude_unset=True, mode="json")
    return {k: ("" if v is None else v) for k, v in values.items()}


def bad_cursor() -> ValidationFailed:
    """The refusal of a cursor that is not this list's, or whose row has left the list since
    (deleted, or no longer visible to the user): the client starts again without one."""
    return ValidationFailed(
        {
            "cursor": [
                "Not a cursor of this list, or the row it continues from has left the list: "
                "start again without a cursor."
            ]
        }
    )
