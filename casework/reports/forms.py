"""Report forms: exports, the organisation profile, UPR drafts, free-text reviews."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from casework.core.forms import VersionField, pairs
from casework.core.i18n import lazy_gettext as _l


class ExportForm(FlaskForm):
    format = SelectField(
        _l("Format"),
        choices=pairs([("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("json", "JSON")]),
        default="csv",
    )
    anonymise = BooleanField(_l("Anonymise: pseudonyms for everyone, no free text"))


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    founded = IntegerField(_l("Founded in"), validators=[Optional(), NumberRange(1900, 2100)])
    activities = TextAreaField(_l("Activities"), validators=[Length(max=5000)])
    contact = TextAreaField(_l("Contact"), validators=[Length(max=1000)])
    version = VersionField()


class NewDraftForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    period_from = DateField(_l("Period from"), validators=[DataRequired()])
    period_to = DateField(_l("Period to"), validators=[DataRequired()])
    joint = BooleanField(_l("Joint submission"))
    co_authors = TextAreaField(
        _l("Co-authors (one organisation a line)"), validators=[Length(max=5000)]
    )


class DraftForm(FlaskForm):
    body = TextAreaField(_l("Text"), validators=[Length(max=500_000)])
    co_authors = TextAreaField(
        _l("Co-authors (one organisation a line)"), validators=[Length(max=5000)]
    )
    version = VersionField()


class ReviewForm(FlaskForm):
    """The "I reviewed the free text for this output" button (its CSRF token only)."""
