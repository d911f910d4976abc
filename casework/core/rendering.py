"""Rendering page fragments that other areas contribute (panels, dashboard sections)."""

from __future__ import annotations

from typing import Any

from flask import render_template
from markupsafe import Markup, escape


def render_fragment(template: str, context: dict[str, Any]) -> Markup:
    """Render an autoescaped template to markup that a page can embed as it is."""
    # Autoescaped template output is safe markup by construction.
    return Markup(render_template(template, **context))  # noqa: S704  # nosec


class RowForm:
    """A form shown on every row of a page (remove, restore), the same on each but for its
    action: rendered once with ``SLOT`` where the action goes, and called with a row's action,
    which is put there escaped. A macro called on every row costs some thirty calls a row."""

    SLOT = "Rowformactionslot"  # written as it is by the escaping that the action goes through

    def __init__(self, rendered: str) -> None:
        before, slot, after = str(rendered).partition(self.SLOT)
        if not slot or self.SLOT in after:
            raise ValueError("a row form has one place for its action")
        self.before, self.after = before, after

    def __call__(self, action: str) -> Markup:
        return Markup("".join((self.before, escape(action), self.after)))  # noqa: S704  # nosec
