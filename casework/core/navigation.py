"""The navigation bar: each entry shows only if its page exists and the user holds its right."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_request_context, request, url_for

from casework.core.i18n import N_, current_language, translate


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    right: str  # an organisation-wide right of the access policy


@dataclass(frozen=True, slots=True)
class NavLink:
    """An entry as the menu shows it: its address and its label in the reader's language."""

    url: str
    label: str


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

_CACHE = "casework_navigation"
# Menus kept per application: one per address prefix and language (a handful in practice).
_MAX_MENUS = 16


def _links() -> tuple[tuple[str, NavLink], ...]:
    """(right, link) of each entry whose page exists, in the request's language: the same for
    every reader of that language, so built once per application, prefix and language."""
    menus: dict[tuple[str, str], tuple[tuple[str, NavLink], ...]]
    menus = current_app.extensions.setdefault(_CACHE, {})
    key = (request.script_root if has_request_context() else "", current_language())
    links = menus.get(key)
    if links is None:
        links = tuple(
            (item.right, NavLink(url_for(item.endpoint), translate(item.label)))
            for item in NAV
            if item.endpoint in current_app.view_functions
        )
        if len(menus) >= _MAX_MENUS:
            menus.clear()
        menus[key] = links
    return links


def nav_items(user: Any, rights: Callable[[Any], frozenset[str]]) -> list[NavLink]:
    """The entries of the navigation bar for ``user`` (``rights`` asks the access policy which
    organisation-wide rights the user holds)."""
    if not getattr(user, "is_authenticated", False):
        return []
    held = rights(user)
    return [link for right, link in _links() if right in held]
