"""The search form (POST only: search terms may identify someone)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, ValidationError
from wtforms.validators import DataRequired, Length

from casework.core.i18n import lazy_gettext as _l
from casework.search.services import MAX_TERMS, QUERY_MAX_LEN, too_many_words


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

    def validate_q(self, field: StringField) -> None:
        # Every word must match: a query of more words than are matched is refused, not cut.
        if too_many_words(field.data or ""):
            raise ValidationError(_l("Search at most %(n)s words at a time.", n=MAX_TERMS))
