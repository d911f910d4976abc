"""Showing an edit conflict: the user's unsaved input next to what is saved now."""

from __future__ import annotations

from typing import Any

from flask import flash, render_template
from flask_wtf import FlaskForm

CONFLICT_MESSAGE = (
    "Someone else saved this record after you opened it. Nothing was overwritten: your version "
    "is still in the form below and the saved version is shown beside it. Merge the two and save "
    "again to keep your changes."
)


def current_values(form: FlaskForm, obj: Any) -> list[tuple[str, str]]:
    """(label, saved value) for each form field that maps to an attribute of ``obj``."""
    rows = []
    for field in form:
        if field.type in ("HiddenField", "CSRFTokenField", "SubmitField", "FileField"):
            continue
        if not hasattr(obj, field.name):
            continue
        value = getattr(obj, field.name)
        if hasattr(value, "label") and not isinstance(value, str | bool):
            text = value.label
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, list):
            text = "; ".join(getattr(v, "name", str(v)) for v in value)
        else:
            text = "" if value is None else getattr(value, "name", None) or str(value)
        rows.append((field.label.text, text))
    return rows


def prepare_conflict(form: FlaskForm, obj: Any) -> list[tuple[str, str]]:
    """Keep the submitted values in ``form``, move its version to the saved one, and flash."""
    form.version.data = obj.version
    flash(CONFLICT_MESSAGE, "warning")
    return current_values(form, obj)


def conflict_page(template: str, form: FlaskForm, obj: Any, **context: Any) -> tuple[str, int]:
    """The form page again, with the user's input kept and the saved version beside it (409)."""
    saved = prepare_conflict(form, obj)
    return render_template(template, form=form, saved=saved, **context), 409
