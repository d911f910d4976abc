"""Spreadsheet safety: text that a spreadsheet program would run as a formula stays text.

Stored values are kept as they were written (``=SUM(A1)`` is a name or a narrative like any
other); every export to CSV or XLSX passes cells through :func:`inert_cell`.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def inert_cell(value: Any) -> Any:
    """``value`` as a cell that no spreadsheet evaluates (a leading apostrophe on formula text)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
