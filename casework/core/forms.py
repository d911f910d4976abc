"""Helpers shared by every form view."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from casework.core.errors import ValidationFailed
from casework.core.vocab import Vocab


def apply_errors(form: FlaskForm, exc: ValidationFailed) -> None:
    """Show a service's validation errors on the matching form fields (or the form as a whole)."""
    for name, messages in exc.errors.items():
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + list(messages)
        else:
            form.form_errors.extend(messages)


def safe_next(target: str | None, default: str) -> str:
    """A same-site path to go to after login, never another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def choices(vocab: type[Vocab], blank: str | None = None) -> list[SelectChoice]:
    """Select-field choices for a vocabulary, optionally led by a blank ("any", "unknown")."""
    items = [SelectChoice(m.value, m.label) for m in vocab]
    return ([SelectChoice("", blank)] if blank is not None else []) + items


def pairs(values: list[tuple[str, str]], blank: str | None = None) -> list[SelectChoice]:
    """Select-field choices from (value, label) pairs."""
    items = [SelectChoice(v, label) for v, label in values]
    return ([SelectChoice("", blank)] if blank is not None else []) + items
