"""How pages hold together on small screens and in the reader's language: a case reference kept
whole, a file field in the page's words."""

from __future__ import annotations

import re

from casework.core.vocab import Role
from casework.paths import resource_dir
from tests.case_helpers import page
from tests.clients import client_for
from tests.factories import make_case

CSS = resource_dir("static") / "css" / "casework.css"


def test_a_case_reference_is_kept_on_one_line_in_titles_and_tables(app, make_user):
    """KZ-2023-0012 broke at its hyphens in a narrow column or a long title."""
    monitor = make_user(Role.MONITOR, language="ru")
    client = client_for(app, monitor)
    case = make_case(monitor, reference="KZ-2023-0012")
    whole = '<span class="case-ref">KZ-2023-0012</span>'
    assert re.search(r"<h1>\s*" + re.escape(whole), page(client, f"/cases/{case.public_id}"))
    assert whole in page(client, "/cases")
    assert whole in page(client, f"/cases/{case.public_id}/edit")
    # The page's <title> holds text only.
    assert "<title>KZ-2023-0012" in page(client, f"/cases/{case.public_id}")
    assert re.search(r"\.case-ref\s*\{\s*white-space:\s*nowrap", CSS.read_text())


def test_the_file_field_is_drawn_in_the_readers_language(app, make_user):
    """The browser's "Choose File" and "No file chosen" follow the browser's language: the page
    gives its own words, for its script to show in their place (the input stays usable
    without it)."""
    monitor = make_user(Role.MONITOR, language="ru")
    client = client_for(app, monitor)
    case = make_case(monitor)
    html = page(client, f"/cases/{case.public_id}/documents/new")
    assert '<html lang="ru">' in html
    assert re.search(
        r'<input[^>]*id="file"[^>]*type="file"|<input[^>]*type="file"[^>]*id="file"', html
    )
    assert '<label for="file" class="file-button" hidden>Выбрать файл</label>' in html
    assert 'data-none="Файл не выбран"' in html
    assert "/static/js/file-picker.js" in html
    script = resource_dir("static") / "js" / "file-picker.js"
    assert "data-none" in script.read_text()
