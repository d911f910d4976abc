"""The search form (POST only: search terms may identify someone)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from casework.search.services import QUERY_MAX_LEN


class SearchForm(FlaskForm):
    q = StringField(
        "Words to find",
        validators=[
            DataRequired("Type at least one word."),
            Length(max=QUERY_MAX_LEN, message=f"Keep it under {QUERY_MAX_LEN} characters."),
        ],
    )
