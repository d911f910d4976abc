"""The navigation bar, per role: each entry shows only if its page exists and the role may use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for

from casework.core.vocab import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: frozenset[Role]


_ALL_CASE_ROLES = frozenset({Role.MONITOR, Role.LAWYER, Role.COORDINATOR})

NAV = (
    NavItem("cases.new_case", "New case", _ALL_CASE_ROLES),
    NavItem("cases.case_list", "Cases", _ALL_CASE_ROLES | {Role.ADMIN}),
    NavItem("legal.catalogue", "Legal grounds", _ALL_CASE_ROLES),
    NavItem("advocacy.followups", "Follow-up", frozenset({Role.LAWYER, Role.COORDINATOR})),
    NavItem("advocacy.cycles", "UPR", frozenset({Role.LAWYER, Role.COORDINATOR})),
    NavItem("imports.import_page", "Import", frozenset({Role.COORDINATOR})),
)


def nav_items(user: Any) -> list[dict[str, str]]:
    """The entries of the navigation bar for ``user``."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        {"url": url_for(item.endpoint), "label": item.label}
        for item in NAV
        if user.role in item.roles and item.endpoint in current_app.view_functions
    ]
