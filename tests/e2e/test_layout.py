"""Pages at a laptop's, a tablet's and a phone's width, in English and in Russian: what must fit
and what must stay whole."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, axe_violations, log_in, no_sideways_scroll

WIDTHS = (1024, 768, 390)


def _first_case(page, site) -> str:
    page.goto(site.url("/cases"))
    page.locator("main table tr", has_text="KZ-2026-0001").locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/cases/[A-Za-z0-9_-]+$"))
    return page.url


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_remedies_of_a_case_file_fit_without_scrolling(pages, demo_site, language):
    """Eight columns scrolled inside their box on a 1024 px laptop (the section index beside
    the file) and on a tablet: the proceedings' facts wrap instead, at every width."""
    page = pages({"width": 1024, "height": 800})
    page.context.add_cookies([{"name": "lang", "value": language, "url": demo_site.base}])
    log_in(page, demo_site, "lawyer")
    case_url = _first_case(page, demo_site)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(case_url)
        panel = page.locator(".remedies-panel table")
        expect(panel).to_be_visible()
        overflow = page.evaluate(
            "[...document.querySelectorAll('.remedies-panel .overflow-auto')]"
            ".map(d => d.scrollWidth - d.clientWidth)"
        )
        assert overflow and max(overflow) <= 1, (width, overflow)
        assert no_sideways_scroll(page), width
        # Each fact is still named by its column.
        expect(panel.locator("td[data-label]").first).to_be_visible()


def test_a_case_reference_never_breaks_at_its_hyphens(pages, demo_site):
    """In the case list's narrow first column on a phone, and in the case file's title."""
    page = pages(PHONE)
    page.context.add_cookies([{"name": "lang", "value": "ru", "url": demo_site.base}])
    log_in(page, demo_site, "monitor")
    for path in ("/cases", _first_case(page, demo_site).removeprefix(demo_site.base)):
        page.goto(demo_site.url(path))
        lines = page.evaluate(
            "[...document.querySelectorAll('main .case-ref')]"
            ".map(e => [e.textContent, e.getClientRects().length])"
        )
        assert lines, path
        assert all(n == 1 for _, n in lines), (path, lines)
        assert no_sideways_scroll(page), path


def test_the_file_field_speaks_the_pages_language(pages, demo_site, tmp_path):
    """Its button and "no file chosen" came from the browser's language, whatever the reader
    chose: they are the page's own words now, and the chosen file is named."""
    page = pages(PHONE)
    page.context.add_cookies([{"name": "lang", "value": "ru", "url": demo_site.base}])
    log_in(page, demo_site, "monitor")
    page.goto(_first_case(page, demo_site) + "/documents/new")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    button = page.locator("main label.file-button")
    expect(button).to_be_visible()
    expect(button).to_have_text("Выбрать файл")
    name = page.locator("main .file-name")
    expect(name).to_have_text("Файл не выбран")
    # The browser's own input is out of sight, yet it is still the control that takes the focus.
    box = page.locator("main input[type=file]").bounding_box()
    assert box is not None and box["width"] <= 1, box
    assert axe_violations(page) == []
    chosen = tmp_path / "court-decision.txt"
    chosen.write_text("A decision (e2e).")
    page.locator("main input[type=file]").set_input_files(str(chosen))
    expect(name).to_have_text("court-decision.txt")
    page.locator("main input[type=file]").focus()
    outline = button.evaluate("b => getComputedStyle(b).outlineStyle")
    assert outline != "none"
    assert no_sideways_scroll(page)


def test_without_scripts_the_file_field_is_the_browsers_own(pages, demo_site):
    """Progressive: with no script to name the chosen file, the browser's input shows."""
    page = pages(PHONE, java_script_enabled=False)
    log_in(page, demo_site, "monitor")
    page.goto(_first_case(page, demo_site) + "/documents/new")
    expect(page.locator("main input[type=file]")).to_be_visible()
    assert page.locator("main input[type=file]").bounding_box()["width"] > 100
    expect(page.locator("main label.file-button")).to_be_hidden()
    expect(page.locator("main .file-name")).to_be_hidden()


@pytest.mark.parametrize(
    "role, path",
    [
        ("admin", "/admin/users"),
        ("admin", "/admin/audit"),
        ("coordinator", "/advocacy/actions"),
        ("coordinator", "/reports/statistics"),
    ],
)
def test_a_table_with_a_hidden_heading_scrolls_inside_its_box_on_a_phone(
    pages, demo_site, role, path
):
    """A table's column of buttons has a heading only a screen reader reads (positioned out
    of sight): inside a box that scrolls, it widened the whole page to 671 px on a 360 px
    phone, so the page itself scrolled sideways."""
    page = pages({"width": 360, "height": 740})
    log_in(page, demo_site, role)
    page.goto(demo_site.url(path))
    assert page.locator("main table").count()
    assert no_sideways_scroll(page), page.evaluate("document.documentElement.scrollWidth")
