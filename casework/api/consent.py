"""Which identifying fields go out through the API: one decision, used by every resource.

Identifying fields (``permissions.IDENTIFYING_FIELDS``) are returned only to users who may read
them, and never in the anonymised view (``anonymised=true``). Exports will share this function
when their consent-aware anonymiser exists, so the API and exports cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from casework import permissions


def shows_identifying(user: Any, case: Any, *, anonymised: bool) -> bool:
    """May the identifying fields of ``case`` and its records go to ``user`` in this answer?"""
    return not anonymised and permissions.can_view_identifying(user, case)


def identifying_values(obj: Any, table: str) -> dict[str, Any]:
    """The identifying columns of ``obj`` (a record of ``table``), by name."""
    return {
        name: getattr(obj, name)
        for name in sorted(permissions.IDENTIFYING_FIELDS[table])
        if hasattr(obj, name) and not name.startswith("hidden_")
    }
