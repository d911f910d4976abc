"""Helpers shared by every form view."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from casework.core.errors import ValidationFailed
from casework.core.i18n import lazy_gettext
from casework.core.types import PartialDate
from casework.core.vocab import Vocab


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes: a phone shows them all, where a multiple
    select reads "0 selected" until opened."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VersionField(HiddenField):
    """The version of the record the form was loaded with.

    A POST takes it from the request only: a request without it gets ``None`` (which
    ``check_version`` refuses), never the saved version, so nothing is overwritten blind.
    """

    def process(self, formdata, data=None, extra_filters=None):  # type: ignore[override]
        super().process(formdata, data, extra_filters)
        if formdata is not None and self.name not in formdata:
            self.data = None


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
    # Lazy: forms are defined at import time, their labels shown in each request's language.
    items = [SelectChoice(m.value, lazy_gettext(m.label_en)) for m in vocab]
    return ([SelectChoice("", blank)] if blank is not None else []) + items


def pairs(values: list[tuple[str, str]], blank: str | None = None) -> list[SelectChoice]:
    """Select-field choices from (value, label) pairs."""
    items = [SelectChoice(v, label) for v, label in values]
    return ([SelectChoice("", blank)] if blank is not None else []) + items


def form_value(value: Any) -> Any:
    """A model attribute as a form field expects it (codes for vocabularies, ISO partial dates)."""
    if value is None:
        return ""
    if isinstance(value, Vocab):
        return value.value
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, bool | int | float | str | date):
        return value
    if isinstance(value, list):
        return "; ".join(getattr(v, "name", str(v)) for v in value)
    return getattr(value, "name", str(value))


def initial_data(obj: Any, form_class: type[FlaskForm], **overrides: Any) -> dict[str, Any]:
    """Form data from a record's attributes, for every field of ``form_class`` it has.

    Passed as ``data=`` (never ``obj=``) so a field missing from a POST keeps the saved value in
    the right type instead of a raw model object.
    """
    data = {}
    for name in dir(form_class):
        if name.startswith("_") or not hasattr(obj, name):
            continue
        value = getattr(obj, name)
        unbound = getattr(form_class, name)
        date_field = issubclass(getattr(unbound, "field_class", object), DateField)
        if value is None and date_field:
            data[name] = None  # an unknown date stays None, not an empty string
            continue
        if isinstance(value, date) and not date_field:
            # A day typed as text (read by the service, "01.03.2024" or "today" too).
            data[name] = value.isoformat()
            continue
        data[name] = form_value(value)
    if hasattr(obj, "version"):
        data["version"] = obj.version
    data.update(overrides)
    return data
