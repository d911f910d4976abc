"""Advocacy forms: actions, status moves, target bodies, UPR recommendations and imports."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from casework.advocacy.services import (
    BODY_NAME_MAX_LEN,
    BODY_SHORT_MAX_LEN,
    REFERENCE_MAX_LEN,
    TITLE_MAX_LEN,
)
from casework.advocacy.upr import (
    MAX_CYCLE,
    NUMBER_MAX_LEN,
    SESSION_MAX_LEN,
    STATE_MAX_LEN,
    SYMBOL_MAX_LEN,
    THEMES_MAX_LEN,
)
from casework.core.formkeys import OnceForm
from casework.core.forms import VersionField, choices
from casework.core.i18n import gettext as _
from casework.core.i18n import lazy_gettext as _l
from casework.core.vocab import ActionOutcome, ActionStatus, ActionType, UPRResponse


class DayField(DateField):
    """A calendar date with a plain error message (the browser shows a date picker)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            self.data = None
            raise ValueError(_("Enter a date as YYYY-MM-DD, for example 2024-03-18.")) from exc


class ActionForm(OnceForm, FlaskForm):
    action_type = SelectField(_l("Type"), choices=choices(ActionType), validators=[DataRequired()])
    target_body = SelectField(_l("Addressed to"), choices=[], validate_choice=False)
    title = StringField(
        _l("Short title (no names)"),
        validators=[
            DataRequired(message=_l("A short title is required.")),
            Length(max=TITLE_MAX_LEN),
        ],
    )
    cases = StringField(
        _l("Case references"),
        description=_l(
            "Comma-separated, e.g. KZ-2011-0007, KZ-2011-0008. Empty: a thematic action."
        ),
        validators=[Length(max=2000)],
    )
    status = SelectField(_l("Status"), choices=choices(ActionStatus), validators=[DataRequired()])
    planned_on = DayField(_l("Planned for"), validators=[Optional()])
    submitted_on = DayField(_l("Submitted on"), validators=[Optional()])
    followup_due = DayField(_l("Follow up by"), validators=[Optional()])
    response_on = DayField(_l("Response received on"), validators=[Optional()])
    reference_number = StringField(
        _l("Reference number"), validators=[Optional(), Length(max=REFERENCE_MAX_LEN)]
    )
    # Left out of a new action's POST: nothing recorded yet (an edit keeps the saved one).
    outcome = SelectField(
        _l("Outcome"),
        choices=choices(ActionOutcome),
        default=ActionOutcome.PENDING.value,
        validators=[DataRequired()],
    )
    response_summary = TextAreaField(
        _l("Response summary"), validators=[Optional(), Length(max=20000)]
    )
    description = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=20000)])
    responsible = SelectField(_l("Responsible"), choices=[], validate_choice=False)
    version = VersionField()


class StatusForm(FlaskForm):
    # Chosen each time (its list starts blank): the first move offered may be a step back.
    to_status = SelectField(
        _l("Move to"),
        choices=[],
        validators=[DataRequired(message=_l("Choose the status the action moves to."))],
    )
    on = DayField(_l("Date of this step"), validators=[Optional()])
    reference_number = StringField(
        _l("Reference number"), validators=[Optional(), Length(max=REFERENCE_MAX_LEN)]
    )
    # Left out of the POST: the blank choice, unchanged.
    outcome = SelectField(
        _l("Outcome"), choices=choices(ActionOutcome, blank=_l("(unchanged)")), default=""
    )
    response_summary = TextAreaField(
        _l("What the reply said"), validators=[Optional(), Length(max=20000)]
    )
    followup_due = DayField(_l("Next follow-up by"), validators=[Optional()])
    version = VersionField()


class BodyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=BODY_NAME_MAX_LEN)])
    short_name = StringField(
        _l("Short name"), validators=[Optional(), Length(max=BODY_SHORT_MAX_LEN)]
    )
    name_ru = StringField(
        _l("Name in Russian"), validators=[Optional(), Length(max=BODY_NAME_MAX_LEN)]
    )
    short_name_ru = StringField(
        _l("Short name in Russian"), validators=[Optional(), Length(max=BODY_SHORT_MAX_LEN)]
    )


class ConfirmForm(FlaskForm):
    """A bare form for POST buttons: only the CSRF token."""


class RecommendationForm(OnceForm, FlaskForm):
    cycle = SelectField(
        _l("Cycle"), choices=[], validators=[DataRequired(message=_l("Choose the cycle."))]
    )
    number = StringField(
        _l("Number"),
        validators=[DataRequired(), Length(max=NUMBER_MAX_LEN)],
        description=_l("e.g. 139.24"),
    )
    recommending_state = StringField(
        _l("Recommending State"), validators=[DataRequired(), Length(max=STATE_MAX_LEN)]
    )
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=20000)])
    response = SelectField(_l("Response of the State"), choices=choices(UPRResponse))
    response_date = DayField(_l("Date of the State's response"), validators=[Optional()])
    themes = StringField(
        _l("Themes"),
        validators=[Optional(), Length(max=THEMES_MAX_LEN)],
        description=_l("Separated by ;"),
    )
    version = VersionField()


class CycleForm(FlaskForm):
    state_under_review = StringField(
        _l("State under review"), validators=[DataRequired(), Length(max=STATE_MAX_LEN)]
    )
    number = IntegerField(
        _l("Cycle number"),
        validators=[
            DataRequired(message=_l("Give the cycle as a whole number.")),
            NumberRange(min=1, max=MAX_CYCLE),
        ],
    )
    wg_session = StringField(
        _l("Working Group session"),
        validators=[Optional(), Length(max=SESSION_MAX_LEN)],
        description=_l("e.g. 34th session"),
    )
    review_date = StringField(
        _l("Date of the review"),
        validators=[Optional(), Length(max=10)],
        description=_l("YYYY, YYYY-MM or YYYY-MM-DD"),
    )
    report_symbol = StringField(
        _l("Working Group report symbol"),
        validators=[Optional(), Length(max=SYMBOL_MAX_LEN)],
        description=_l("e.g. A/HRC/28/10"),
    )
    version = VersionField()


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))])


class LinkCaseForm(FlaskForm):
    reference = StringField(_l("Case reference"), validators=[DataRequired(), Length(max=40)])


class LinkActionForm(FlaskForm):
    action = SelectField(_l("Advocacy action"), choices=[], validators=[DataRequired()])


class CycleDateForm(FlaskForm):
    response_date = DayField(_l("Date of the State's responses"), validators=[DataRequired()])


class ActionDocumentForm(OnceForm, FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file."))])
    description = StringField(
        _l("Description (no names)"), validators=[Optional(), Length(max=1000)]
    )
