"""The navigation bar: each entry shows only if its page exists and the user holds its right."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    right: str  # an organisation-wide right of the access policy


NAV = (
    NavItem("cases.new_case", "New case", "create_case"),
    NavItem("cases.case_list", "Cases", "list_cases"),
    NavItem("search.search_page", "Search", "search"),
    NavItem("legal.catalogue", "Legal grounds", "browse_legal"),
    NavItem("advocacy.followups", "Follow-up", "view_advocacy"),
    NavItem("advocacy.cycles", "UPR", "view_upr"),
    NavItem("reports.statistics_page", "Statistics", "view_statistics"),
    NavItem("reports.upr_drafts", "Submissions", "manage_reports"),
    NavItem("reports.export", "Export", "export_cases"),
    NavItem("accounts.users", "Accounts", "manage_accounts"),
    NavItem("audit.trail", "Audit", "view_audit"),
    NavItem("accounts.second_factor_resets", "2FA resets", "approve_2fa_resets"),
    NavItem("imports.import_page", "Import", "import_cases"),
    NavItem("jobs.job_list", "Jobs", "view_jobs"),
)


def nav_items(user: Any, has_right: Callable[[Any, str], bool]) -> list[dict[str, str]]:
    """The entries of the navigation bar for ``user`` (``has_right`` asks the access policy)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        {"url": url_for(item.endpoint), "label": item.label}
        for item in NAV
        if has_right(user, item.right) and item.endpoint in current_app.view_functions
    ]
