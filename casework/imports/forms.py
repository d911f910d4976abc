"""The case-import upload form."""

from __future__ import annotations

import os

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Length, Optional

from casework.core.forms import pairs
from casework.core.i18n import gettext as _
from casework.core.i18n import lazy_gettext as _l


class CaseImportForm(FlaskForm):
    file = FileField(
        _l("Spreadsheet (.csv or .xlsx)"), validators=[FileRequired(_l("Choose a file."))]
    )
    encoding = SelectField(
        _l("Encoding"),
        choices=pairs(
            [
                ("", _l("Detect")),
                ("utf-8", "UTF-8"),
                ("utf-16", "UTF-16"),
                ("cp1251", "Windows-1251"),
                ("kz1048", "KZ-1048"),
                ("koi8_r", "KOI8-R"),
                ("cp866", "DOS 866"),
                ("mac_cyrillic", "Mac Cyrillic"),
                ("cp1252", "Windows-1252 (Latin)"),
            ]
        ),
        default="",
    )
    delimiter = SelectField(
        _l("Delimiter"),
        choices=pairs(
            [
                ("", _l("Detect")),
                (",", _l("Comma")),
                (";", _l("Semicolon")),
                ("tab", _l("Tab")),
                ("|", _l("Vertical bar (|)")),
            ]
        ),
        default="",
    )
    sheet = StringField(_l("Sheet (XLSX)"), validators=[Optional(), Length(max=100)])
    mapping = TextAreaField(
        _l("Column mapping (JSON, optional)"), validators=[Optional(), Length(max=10_000)]
    )
    valid_only = BooleanField(_l("Import the good rows even if some are rejected"))

    def validate_file(self, field: FileField) -> None:
        # The page states the upload limit; a request may be a little larger (its other fields).
        limit = current_app.config["MAX_UPLOAD_BYTES"]
        stream = field.data.stream
        size = stream.seek(0, os.SEEK_END)
        stream.seek(0)
        if size > limit:
            raise ValidationError(
                _("The file is larger than the limit of %(mb)s MB.", mb=limit // (1024 * 1024))
            )


class ConfirmImportForm(FlaskForm):
    """The CSRF token, and for a large file the check that found it may be written (its
    job's public id): the file checked in the dry run is imported."""

    check = HiddenField()
