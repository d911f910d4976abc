"""The navigation bar: each entry shows only if its page exists and the user holds its right."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for

from casework.core.i18n import N_, translate


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    right: str  # an organisation-wide right of the access policy


NAV = (
    NavItem("cases.new_case", N_("New case"), "create_case"),
    NavItem("cases.case_list", N_("Cases"), "list_cases"),
    NavItem("search.search_page", N_("Search"), "search"),
    NavItem("legal.catalogue", N_("Legal grounds"), "browse_legal"),
    NavItem("advocacy.followups", N_("Follow-up"), "view_advocacy"),
    NavItem("advocacy.cycles", N_("UPR"), "view_upr"),
    NavItem("reports.statistics_page", N_("Statistics"), "view_statistics"),
    NavItem("reports.upr_drafts", N_("Submissions"), "manage_reports"),
    NavItem("reports.export", N_("Export"), "export_cases"),
    NavItem("accounts.users", N_("Accounts"), "manage_accounts"),
    NavItem("audit.trail", N_("Audit"), "view_audit"),
    NavItem("accounts.second_factor_resets", N_("2FA resets"), "approve_2fa_resets"),
    NavItem("imports.import_page", N_("Import"), "import_cases"),
    NavItem("jobs.job_list", N_("Jobs"), "view_jobs"),
)


def nav_items(user: Any, has_right: Callable[[Any, str], bool]) -> list[dict[str, str]]:
    """The entries of the navigation bar for ``user`` (``has_right`` asks the access policy)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        {"url": url_for(item.endpoint), "label": translate(item.label)}
        for item in NAV
        if has_right(user, item.right) and item.endpoint in current_app.view_functions
    ]
