"""The search form (POST only: search terms may identify someone)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from casework.core.i18n import lazy_gettext as _l
from casework.search.services import QUERY_MAX_LEN


class SearchForm(FlaskForm):
    q = StringField(
        _l("Words to find"),
        validators=[
            DataRequired(_l("Type at least one word.")),
            Length(
                max=QUERY_MAX_LEN, message=_l("Keep it under %(n)s characters.", n=QUERY_MAX_LEN)
            ),
        ],
    )
