"""Rendering page fragments that other areas contribute (panels, dashboard sections)."""

from __future__ import annotations

from typing import Any

from flask import render_template
from markupsafe import Markup


def render_fragment(template: str, context: dict[str, Any]) -> Markup:
    """Render an autoescaped template to markup that a page can embed as it is."""
    # Autoescaped template output is safe markup by construction.
    return Markup(render_template(template, **context))  # noqa: S704  # nosec
