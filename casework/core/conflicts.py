"""Showing an edit conflict: the user's unsaved input next to what is saved now, or next to the
news that the record was removed from its case meanwhile."""

from __future__ import annotations

from typing import Any

from flask import flash, render_template
from flask_wtf import FlaskForm

from casework.core.forms import form_value
from casework.core.i18n import N_
from casework.core.i18n import gettext as _

CONFLICT_MESSAGE = N_(
    "Someone else saved this record after you opened it. Nothing was overwritten: your version "
    "is still in the form below and the saved version is shown beside it. Merge the two and save "
    "again to keep your changes."
)
REMOVED_MESSAGE = N_(
    "This record was removed from the case by someone else while you were editing it. Nothing "
    "was saved and nothing was brought back: what you typed is below. Copy it before you leave "
    "this page; a coordinator can restore the record if it should not have been removed."
)


def current_values(form: FlaskForm, obj: Any) -> list[tuple[str, str]]:
    """(label, saved value as the form would show it) for each field that maps to ``obj``."""
    rows = []
    for field in form:
        if field.type in ("HiddenField", "CSRFTokenField", "SubmitField", "FileField"):
            continue
        # A prefixed form's field "profile-display_name" is the record's "display_name".
        if not hasattr(obj, field.short_name):
            continue
        value = form_value(getattr(obj, field.short_name))
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif getattr(field, "choices", None):
            labels = {str(choice.value): choice.label for choice in field.choices}
            text = labels.get(str(value), str(value))
        else:
            text = str(value)
        rows.append((field.label.text, text))
    return rows


def prepare_conflict(form: FlaskForm, obj: Any) -> list[tuple[str, str]]:
    """Keep the submitted values in ``form``, move its version to the saved one, and flash."""
    form.version.data = obj.version
    flash(_(CONFLICT_MESSAGE), "warning")
    return current_values(form, obj)


def conflict_page(template: str, form: FlaskForm, obj: Any, **context: Any) -> tuple[str, int]:
    """The form page again, with the user's input kept and the saved version beside it (409)."""
    saved = prepare_conflict(form, obj)
    return render_template(template, form=form, saved=saved, **context), 409


def removed_page(typed: list[tuple[str, str]], case_public_id: str) -> tuple[str, int]:
    """The conflict page for an edit of a record removed from its case meanwhile (409): what
    the user typed, (label, value) pairs for them to copy, and nothing of the record, which
    they may not see removed."""
    flash(_(REMOVED_MESSAGE), "warning")
    return render_template("errors/removed.html", typed=typed, case_public_id=case_public_id), 409
