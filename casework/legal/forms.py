"""Forms of the legal area: catalogue records, case-provision links and remedies."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from casework.core.formkeys import OnceForm
from casework.core.forms import CheckboxListField, VersionField, choices, pairs
from casework.core.i18n import lazy_gettext as _l
from casework.core.vocab import (
    Assessment,
    FollowUpStatus,
    InstrumentType,
    InterimMeasures,
    NormDirection,
    RemedyKind,
    RemedyOutcome,
    ViolationStatus,
)
from casework.legal.models import CODE_MAX_LEN
from casework.legal.precedents import NOTE_MAX_LEN
from casework.legal.services import (
    ANALYSIS_MAX_LEN,
    INEFFECTIVE_MAX_LEN,
    NOTES_MAX_LEN,
    REASON_MAX_LEN,
    SUMMARY_MAX_LEN,
)


class InstrumentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    title_ru = StringField(_l("Title in Russian"), validators=[Optional(), Length(max=300)])
    instrument_type = SelectField(
        _l("Type"), choices=choices(InstrumentType), validators=[DataRequired()]
    )
    direction = SelectField(
        _l("Direction"), choices=choices(NormDirection), validators=[DataRequired()]
    )
    adopted_on = StringField(_l("Adopted / decided on"), validators=[Optional(), Length(max=40)])
    kz_status = StringField(_l("Kazakhstan's status"), validators=[Optional(), Length(max=300)])
    kz_status_ru = StringField(
        _l("Kazakhstan's status in Russian"), validators=[Optional(), Length(max=300)]
    )
    kz_date = StringField(
        _l("Date of Kazakhstan's status"), validators=[Optional(), Length(max=40)]
    )
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=SUMMARY_MAX_LEN)])
    summary_ru = TextAreaField(
        _l("Summary in Russian"), validators=[Optional(), Length(max=SUMMARY_MAX_LEN)]
    )
    url = URLField(_l("Link to the text"), validators=[Optional(), Length(max=500)])
    articles_invoked = StringField(
        _l("Articles invoked by the author"),
        validators=[Optional(), Length(max=200)],
        description=_l("For a decision: what the complaint relied on, for example 6, 7, 9."),
    )
    articles_found = StringField(
        _l("Articles the body found violated"),
        validators=[Optional(), Length(max=200)],
        description=_l("Only what the decision found; leave empty until checked against its text."),
    )
    interim_measures = SelectField(
        _l("Interim measures"),
        choices=choices(InterimMeasures, blank="\u2014"),
        validators=[Optional()],
    )
    follow_up_status = SelectField(
        _l("Follow-up"),
        choices=choices(FollowUpStatus, blank="\u2014"),
        validators=[Optional()],
    )
    version = VersionField()


class NewInstrumentForm(InstrumentForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=CODE_MAX_LEN)])
    cited_as_whole = BooleanField(_l("Cited as a whole (add one provision with the same code)"))


class ProvisionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    title_ru = StringField(_l("Title in Russian"), validators=[Optional(), Length(max=300)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=SUMMARY_MAX_LEN)])
    summary_ru = TextAreaField(
        _l("Summary in Russian"), validators=[Optional(), Length(max=SUMMARY_MAX_LEN)]
    )
    needs_verification = BooleanField(_l("Needs verification against the primary text"))
    position = IntegerField(
        _l("Position in the instrument"), validators=[Optional(), NumberRange(min=0, max=10_000)]
    )
    version = VersionField()


class NewProvisionForm(ProvisionForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=CODE_MAX_LEN)])


class RetireForm(FlaskForm):
    version = VersionField()


class LinkForm(OnceForm, FlaskForm):
    """A lawyer's assessment (new, edited, or accepted from a suggestion)."""

    provision = SelectField(_l("Provision"), validators=[DataRequired()])
    # No preselected assessment: a lawyer picks one (a default would record "violated" unread).
    assessment = SelectField(
        _l("Assessment"),
        choices=choices(Assessment, blank=_l("— choose —")),
        default="",
        validators=[DataRequired(_l("Choose an assessment."))],
    )
    violation_status = SelectField(
        _l("Violation status"), choices=choices(ViolationStatus), validators=[DataRequired()]
    )
    analysis = TextAreaField(
        _l("Analysis"), validators=[Optional(), Length(max=ANALYSIS_MAX_LEN)], render_kw={"rows": 8}
    )
    sources = CheckboxListField(_l("Supporting sources"), validators=[Optional()])
    version = VersionField()

    def set_choices(self, provisions, sources, source_label) -> None:
        if self.provision is not None:
            self.provision.choices = pairs(
                [(p.code, f"{p.code}: {p.local_title}") for p in provisions],
                blank=_l("Choose a provision"),
            )
        self.sources.choices = pairs([(s.public_id, source_label(s)) for s in sources])


class SuggestForm(OnceForm, FlaskForm):
    provision = SelectField(_l("Provision"), validators=[DataRequired()])
    assessment = SelectField(
        _l("Assessment"), choices=choices(Assessment), validators=[DataRequired()]
    )
    note = TextAreaField(
        _l("Why this provision (for the lawyer)"),
        validators=[Optional(), Length(max=ANALYSIS_MAX_LEN)],
        render_kw={"rows": 4},
    )

    def set_choices(self, provisions) -> None:
        self.provision.choices = pairs(
            [(p.code, f"{p.code}: {p.local_title}") for p in provisions],
            blank=_l("Choose a provision"),
        )


class PrecedentForm(OnceForm, FlaskForm):
    decision = SelectField(_l("Decision"), validators=[DataRequired()])
    note = TextAreaField(
        _l("Why it applies to this case"),
        validators=[Optional(), Length(max=NOTE_MAX_LEN)],
        render_kw={"rows": 5},
    )

    def set_choices(self, decisions) -> None:
        self.decision.choices = pairs(
            [(d.code, f"{d.code}: {d.local_title}") for d in decisions],
            blank=_l("Choose a decision"),
        )


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(max=REASON_MAX_LEN)], render_kw={"rows": 3}
    )


class LinkHideForm(HideForm):
    """Hiding a link: ``state`` is what the page showed (a suggestion to dismiss or an
    assessment to hide), so a suggestion accepted meanwhile is not hidden as a dismissal."""

    state = HiddenField()


class RemedyForm(OnceForm, FlaskForm):
    kind = SelectField(_l("Proceeding"), choices=choices(RemedyKind), validators=[DataRequired()])
    body = StringField(_l("Authority or court"), validators=[Optional(), Length(max=300)])
    # Partial dates, as an event's: a year, a month or a day ("c. 2009" is approximate).
    filed_on = StringField(_l("Filed on"), validators=[Optional(), Length(max=40)])
    filed_on_approximate = BooleanField(_l("Approximate filing date"))
    decided_on = StringField(_l("Decided on"), validators=[Optional(), Length(max=40)])
    decided_on_approximate = BooleanField(_l("Approximate decision date"))
    outcome = SelectField(
        _l("Outcome"), choices=choices(RemedyOutcome), validators=[DataRequired()]
    )
    appeal_deadline = DateField(_l("Appeal deadline"), validators=[Optional()])
    exhausted = BooleanField(_l("Exhausted (no further appeal available or possible)"))
    ineffective_because = TextAreaField(
        _l("Not effective because (if you argue it)"),
        description=_l(
            "UN complaints need domestic remedies exhausted or shown to be ineffective: for "
            "example, no suspensive effect on the removal, or not available in practice."
        ),
        validators=[Optional(), Length(max=INEFFECTIVE_MAX_LEN)],
        render_kw={"rows": 2},
    )
    notes = TextAreaField(
        _l("Notes"), validators=[Optional(), Length(max=NOTES_MAX_LEN)], render_kw={"rows": 4}
    )
    version = VersionField()

    def values(self) -> dict:
        return {
            "kind": self.kind.data,
            "body": self.body.data,
            "filed_on": self.filed_on.data,
            "filed_on_approximate": self.filed_on_approximate.data,
            "decided_on": self.decided_on.data,
            "decided_on_approximate": self.decided_on_approximate.data,
            "outcome": self.outcome.data,
            "appeal_deadline": self.appeal_deadline.data,
            "exhausted": self.exhausted.data,
            "ineffective_because": self.ineffective_because.data,
            "notes": self.notes.data,
        }
