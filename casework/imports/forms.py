"""The case-import upload form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from casework.core.forms import pairs
from casework.core.i18n import lazy_gettext as _l


class CaseImportForm(FlaskForm):
    file = FileField(
        _l("Spreadsheet (.csv or .xlsx)"), validators=[FileRequired(_l("Choose a file."))]
    )
    encoding = SelectField(
        _l("Encoding"),
        choices=pairs(
            [
                ("", "Detect"),
                ("utf-8", "UTF-8"),
                ("utf-16", "UTF-16"),
                ("cp1251", "Windows-1251"),
                ("koi8_r", "KOI8-R"),
                ("cp866", "DOS 866"),
            ]
        ),
        default="",
    )
    delimiter = SelectField(
        _l("Delimiter"),
        choices=pairs([("", "Detect"), (",", "Comma"), (";", "Semicolon"), ("tab", "Tab")]),
        default="",
    )
    sheet = StringField(_l("Sheet (XLSX)"), validators=[Optional(), Length(max=100)])
    mapping = TextAreaField(
        _l("Column mapping (JSON, optional)"), validators=[Optional(), Length(max=10_000)]
    )
    valid_only = BooleanField(_l("Import the good rows even if some are rejected"))


class ConfirmImportForm(FlaskForm):
    """Only the CSRF token: the file checked in the dry run is imported."""
