"""The form that creates a personal access token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from casework.api.models import TOKEN_NAME_MAX_LEN, TokenScope
from casework.api.tokens import DEFAULT_DAYS, MAX_DAYS
from casework.core.forms import choices


class TokenForm(FlaskForm):
    name = StringField(
        "What will use it", validators=[DataRequired(), Length(max=TOKEN_NAME_MAX_LEN)]
    )
    scope = SelectField("Scope", choices=choices(TokenScope), default=TokenScope.READ.value)
    days = IntegerField(
        "Valid for (days)",
        default=DEFAULT_DAYS,
        validators=[NumberRange(min=1, max=MAX_DAYS)],
    )
