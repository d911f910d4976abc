"""Forms of the case file: intake, case, people, events, sources, documents, workflow, team."""

from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from casework.core import countries
from casework.core.forms import CheckboxListField, VersionField, choices, pairs
from casework.core.vocab import (
    ActType,
    AsylumStage,
    CaseRole,
    ConsentLevel,
    Credibility,
    EventType,
    FamilyRelation,
    Gender,
    LegalStatus,
    NameKind,
    Reliability,
    Script,
    Situation,
    SourceKind,
    Urgency,
    WantedNotice,
)

DATE_HELP = (
    "A year (2011), a month (2011-06) or a day (2011-06-09 or 09.06.2011); empty if unknown."
)


def country_choices(blank: str = "Unknown"):
    return pairs(countries.select_choices(), blank=blank)


# Marks a field the full save needs (a draft does not): the browser and screen readers are
# told, the label gets its asterisk; the service gives the message when it is missing.
REQUIRED = {"required": True, "aria-required": "true"}


def new_form_key() -> str:
    """A random key per rendered form: the same form sent twice is saved once."""
    return secrets.token_urlsafe(24)


class IntakeForm(FlaskForm):
    name = StringField("Name or alias", validators=[Length(max=200)], render_kw=REQUIRED)
    name_kind = SelectField("This is", choices=choices(NameKind), default="as_given")
    act_type = SelectField(
        "What happened",
        choices=choices(ActType, blank="— choose —"),
        default="",
        render_kw=REQUIRED,
    )
    act_date = StringField("When", validators=[Length(max=40)])
    act_date_approximate = BooleanField("Approximate date")
    act_place = StringField("Where (town, region)", validators=[Length(max=200)])
    destination_country = SelectField("Sent (or to be sent) to", default="")
    urgency = SelectField("Urgency", choices=choices(Urgency), default="routine")
    current_situation = SelectField("Situation now", choices=choices(Situation), default="unknown")
    narrative = TextAreaField("What we know so far", validators=[Length(max=50_000)])
    idempotency_key = HiddenField(default=new_form_key, validators=[Length(max=100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.destination_country.choices = country_choices()


class CaseForm(FlaskForm):
    title = StringField("Short title (no names)", validators=[Length(max=200)])
    external_ref = StringField("Your organisation's own reference", validators=[Length(max=100)])
    act_type = SelectField("Act", choices=choices(ActType, blank="Not known yet"), default="")
    act_date = StringField("Date of the act", validators=[Length(max=40)])
    act_date_approximate = BooleanField("Approximate date")
    act_date_note = StringField("Note on the date", validators=[Length(max=200)])
    act_place = StringField("Place of the act", validators=[Length(max=200)])
    destination_country = SelectField("Destination country", default="")
    urgency = SelectField("Urgency", choices=choices(Urgency))
    current_situation = SelectField("Situation now", choices=choices(Situation))
    narrative = TextAreaField("Narrative", validators=[Length(max=50_000)])
    after_return = TextAreaField("Known after return", validators=[Length(max=50_000)])
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.destination_country.choices = country_choices()


class PersonForm(FlaskForm):
    gender = SelectField("Gender", choices=choices(Gender), default="unknown")
    birth_date = StringField("Date of birth", validators=[Length(max=40)])
    birth_date_approximate = BooleanField("Approximate")
    nationality = SelectField("Nationality", default="")
    ethnicity = StringField("Ethnicity", validators=[Length(max=80)])
    legal_status = SelectField("Legal status", choices=choices(LegalStatus), default="unknown")
    unhcr_number = StringField("UNHCR number", validators=[Length(max=100)])
    contacts = TextAreaField("Contacts", validators=[Length(max=2000)])
    address = TextAreaField("Address", validators=[Length(max=2000)])
    notes = TextAreaField("Notes", validators=[Length(max=10_000)])
    consent = SelectField("Consent", choices=choices(ConsentLevel), default="none")
    consent_date = DateField("Consent given on", validators=[Optional()])
    family_at_risk = BooleanField("Relatives in the country of origin are at risk")
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nationality.choices = country_choices()


class NewPersonForm(PersonForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    name_kind = SelectField("This is", choices=choices(NameKind), default="as_given")
    role = SelectField("Role in the case", choices=choices(CaseRole), default="family")


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    script = SelectField("Script", choices=choices(Script, blank="Detect"), default="")
    kind = SelectField("Kind", choices=choices(NameKind), default="transliteration")


class FamilyForm(FlaskForm):
    relative = SelectField("Relative (in this case)", validators=[DataRequired()])
    relation = SelectField("is their", choices=choices(FamilyRelation))


class EventForm(FlaskForm):
    event_type = SelectField(
        "What happened", choices=choices(EventType, blank="— choose —"), default=""
    )
    date = StringField("When", validators=[Length(max=40)])
    date_approximate = BooleanField("Approximate date")
    date_note = StringField("Note on the date", validators=[Length(max=200)])
    place = StringField("Where", validators=[Length(max=200)])
    agencies = StringField("Agencies involved (separate with ;)", validators=[Length(max=1000)])
    description = TextAreaField("Description", validators=[Length(max=20_000)])
    act_type = SelectField("Kind of removal", choices=choices(ActType, blank="—"), default="")
    requesting_state = SelectField("Requesting State", default="")
    destination_country = SelectField("Destination country", default="")
    legal_basis = TextAreaField("Legal basis invoked", validators=[Length(max=2000)])
    wanted_notice = SelectField(
        "Wanted notice", choices=choices(WantedNotice, blank="—"), default=""
    )
    asylum_stage = SelectField(
        "Asylum stage at the time", choices=choices(AsylumStage, blank="—"), default=""
    )
    source_ids = CheckboxListField("Sources", choices=[], validate_choice=False)
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requesting_state.choices = country_choices(blank="—")
        self.destination_country.choices = country_choices(blank="—")


class SourceForm(FlaskForm):
    kind = SelectField(
        "Kind of source", choices=choices(SourceKind, blank="— choose —"), default=""
    )
    identity = StringField("Who (protected)", validators=[Length(max=500)])
    identity_protected = BooleanField("Protect this identity (team only)", default=True)
    how_they_know = TextAreaField("How they know", validators=[Length(max=10_000)])
    reliability = SelectField("Source reliability", choices=choices(Reliability), default="F")
    credibility = SelectField("Information credibility", choices=choices(Credibility), default="6")
    notes = TextAreaField("Notes", validators=[Length(max=10_000)])
    version = VersionField()


class DocumentForm(FlaskForm):
    file = FileField("File", validators=[FileRequired("Choose a file.")])
    description = StringField("Description", validators=[Length(max=1000)])


class CommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=10_000)])


class TransitionForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])
    comment = TextAreaField("Comment", validators=[Length(max=10_000)])


class TeamMemberForm(FlaskForm):
    user = SelectField("Person", validators=[DataRequired()])
    as_lawyer = BooleanField("As the assigned lawyer")


class HideForm(FlaskForm):
    reason = StringField("Why", validators=[DataRequired("Say why."), Length(max=500)])


class DuplicateForm(FlaskForm):
    original = StringField(
        "Reference of the original case",
        validators=[DataRequired("Give the reference of the original case."), Length(max=40)],
    )
    reason = StringField("Note (optional)", validators=[Length(max=500)])


class LinkPersonForm(FlaskForm):
    person = SelectField("Person already recorded", validators=[DataRequired()])
    role = SelectField("Role in this case", choices=choices(CaseRole), default="family")


class NameSearchForm(FlaskForm):
    name = StringField("Name (any script)", validators=[DataRequired(), Length(min=2, max=200)])
