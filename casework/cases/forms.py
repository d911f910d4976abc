"""Forms of the case file: intake, case, people, events, sources, documents, workflow, team."""

from __future__ import annotations

from typing import Any

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
from casework.core.formkeys import OnceForm
from casework.core.forms import CheckboxListField, VersionField, choices, pairs
from casework.core.i18n import current_language
from casework.core.i18n import lazy_gettext as _l
from casework.core.vocab import (
    ActType,
    AsylumStage,
    Authorisation,
    CaseRole,
    ConsentLevel,
    Credibility,
    EventType,
    FamilyRelation,
    Gender,
    GovernmentContact,
    LegalStatus,
    NameKind,
    OtherProcedure,
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


def country_choices(blank: Any = None):
    """Countries for a select field (set when a form is built, in the request's language): the
    region's countries first, then the others by their name in that language."""
    language = current_language()
    codes = [code for code, _name in countries.select_choices()]
    first = [code for code in codes if code in countries.PRIORITY]
    rest = sorted(
        (code for code in codes if code not in countries.PRIORITY),
        key=lambda code: countries.local_name(code, language),
    )
    named = [(code, countries.local_name(code, language)) for code in first + rest]
    return pairs(named, blank=_l("Unknown") if blank is None else blank)


# Marks a field the full save needs (a draft does not): the browser and screen readers are
# told, the label gets its asterisk; the service gives the message when it is missing.
REQUIRED = {"required": True, "aria-required": "true"}


class IntakeForm(OnceForm, FlaskForm):
    name = StringField(_l("Name or alias"), validators=[Length(max=200)], render_kw=REQUIRED)
    name_kind = SelectField(_l("This is"), choices=choices(NameKind), default="as_given")
    act_type = SelectField(
        _l("What happened"),
        choices=choices(ActType, blank=_l("— choose —")),
        default="",
        render_kw=REQUIRED,
    )
    act_date = StringField(_l("When"), validators=[Length(max=40)])
    act_date_approximate = BooleanField(_l("Approximate date"))
    act_place = StringField(_l("Where (town, region)"), validators=[Length(max=200)])
    destination_country = SelectField(_l("Sent (or to be sent) to"), default="")
    urgency = SelectField(_l("Urgency"), choices=choices(Urgency), default="routine")
    current_situation = SelectField(
        _l("Situation now"), choices=choices(Situation), default="unknown"
    )
    narrative = TextAreaField(_l("What we know so far"), validators=[Length(max=50_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.destination_country.choices = country_choices()


class CaseForm(FlaskForm):
    title = StringField(_l("Short title (no names)"), validators=[Length(max=200)])
    external_ref = StringField(
        _l("Your organisation's own reference"), validators=[Length(max=100)]
    )
    act_type = SelectField(
        _l("Act"), choices=choices(ActType, blank=_l("Not known yet")), default=""
    )
    act_date = StringField(_l("Date of the act"), validators=[Length(max=40)])
    act_date_approximate = BooleanField(_l("Approximate date"))
    act_date_note = StringField(_l("Note on the date"), validators=[Length(max=200)])
    act_place = StringField(_l("Place of the act"), validators=[Length(max=200)])
    destination_country = SelectField(_l("Destination country"), default="")
    urgency = SelectField(_l("Urgency"), choices=choices(Urgency))
    current_situation = SelectField(_l("Situation now"), choices=choices(Situation))
    narrative = TextAreaField(_l("Narrative"), validators=[Length(max=50_000)])
    after_return = TextAreaField(_l("Known after return"), validators=[Length(max=50_000)])
    # Before a UN treaty body (casework.cases.services.PROCEDURAL_FIELDS).
    authorisation = SelectField(
        _l("The person's authorisation to act for them before a UN body"),
        choices=choices(Authorisation),
        default="not_recorded",
    )
    authorised_by = StringField(
        _l("Authorised by"),
        validators=[Length(max=200)],
        description=_l("The person themselves, or who gave it for them (a relative)."),
    )
    authorised_on = StringField(_l("Authorised on"), validators=[Length(max=40)])
    authorisation_note = TextAreaField(
        _l("Why it cannot be obtained, or how it was given"),
        validators=[Length(max=10_000)],
        description=_l(
            "UN bodies accept a complaint without it when the reason is explained: the person "
            "is held incommunicado, has disappeared, cannot be reached."
        ),
    )
    other_procedures = SelectField(
        _l("The same matter before another international procedure"),
        choices=choices(OtherProcedure),
        default="not_stated",
    )
    other_procedures_details = TextAreaField(
        _l("Which body, when, where it stands"),
        validators=[Length(max=10_000)],
        description=_l(
            "The body's name, when the matter went to it, its reference there and where it stands."
        ),
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.destination_country.choices = country_choices()


class PersonForm(FlaskForm):
    gender = SelectField(_l("Gender"), choices=choices(Gender), default="unknown")
    birth_date = StringField(_l("Date of birth"), validators=[Length(max=40)])
    birth_date_approximate = BooleanField(_l("Approximate"))
    nationality = SelectField(_l("Nationality"), default="")
    ethnicity = StringField(_l("Ethnicity"), validators=[Length(max=80)])
    legal_status = SelectField(_l("Legal status"), choices=choices(LegalStatus), default="unknown")
    unhcr_number = StringField(_l("UNHCR number"), validators=[Length(max=100)])
    contacts = TextAreaField(_l("Contacts"), validators=[Length(max=2000)])
    address = TextAreaField(_l("Address"), validators=[Length(max=2000)])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=10_000)])
    consent = SelectField(_l("Consent"), choices=choices(ConsentLevel), default="none")
    consent_date = DateField(_l("Consent given on"), validators=[Optional()])
    government_contact = SelectField(
        _l("May a UN body contact the government about this person?"),
        choices=choices(GovernmentContact),
        default="not_asked",
    )
    family_at_risk = BooleanField(_l("Relatives in the country of origin are at risk"))
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nationality.choices = country_choices()


class NewPersonForm(OnceForm, PersonForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_kind = SelectField(_l("This is"), choices=choices(NameKind), default="as_given")
    role = SelectField(_l("Role in the case"), choices=choices(CaseRole), default="family")


class NameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    script = SelectField(_l("Script"), choices=choices(Script, blank=_l("Detect")), default="")
    kind = SelectField(_l("Kind"), choices=choices(NameKind), default="transliteration")


class FamilyForm(FlaskForm):
    relative = SelectField(_l("Relative (in this case)"), validators=[DataRequired()])
    relation = SelectField(_l("is their"), choices=choices(FamilyRelation))


class EventForm(OnceForm, FlaskForm):
    event_type = SelectField(
        _l("What happened"), choices=choices(EventType, blank=_l("— choose —")), default=""
    )
    date = StringField(_l("When"), validators=[Length(max=40)])
    date_approximate = BooleanField(_l("Approximate date"))
    date_note = StringField(_l("Note on the date"), validators=[Length(max=200)])
    place = StringField(_l("Where"), validators=[Length(max=200)])
    agencies = StringField(_l("Agencies involved (separate with ;)"), validators=[Length(max=1000)])
    agencies_country = SelectField(_l("State of these agencies"), default="")
    description = TextAreaField(_l("Description"), validators=[Length(max=20_000)])
    act_type = SelectField(_l("Kind of removal"), choices=choices(ActType, blank="—"), default="")
    requesting_state = SelectField(_l("Requesting State"), default="")
    destination_country = SelectField(_l("Destination country"), default="")
    legal_basis = TextAreaField(_l("Legal basis invoked"), validators=[Length(max=2000)])
    wanted_notice = SelectField(
        _l("Wanted notice"), choices=choices(WantedNotice, blank="—"), default=""
    )
    asylum_stage = SelectField(
        _l("Asylum stage at the time"), choices=choices(AsylumStage, blank="—"), default=""
    )
    source_ids = CheckboxListField(_l("Sources"), choices=[], validate_choice=False)
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requesting_state.choices = country_choices(blank="—")
        self.destination_country.choices = country_choices(blank="—")
        self.agencies_country.choices = country_choices(blank="—")


class SourceForm(OnceForm, FlaskForm):
    kind = SelectField(
        _l("Kind of source"), choices=choices(SourceKind, blank=_l("— choose —")), default=""
    )
    identity = StringField(_l("Who (protected)"), validators=[Length(max=500)])
    identity_protected = BooleanField(_l("Protect this identity (team only)"), default=True)
    how_they_know = TextAreaField(_l("How they know"), validators=[Length(max=10_000)])
    reliability = SelectField(_l("Source reliability"), choices=choices(Reliability), default="F")
    credibility = SelectField(
        _l("Information credibility"), choices=choices(Credibility), default="6"
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=10_000)])
    version = VersionField()


class DocumentForm(OnceForm, FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])
    description = StringField(_l("Description"), validators=[Length(max=1000)])


class CommentForm(OnceForm, FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=10_000)])


class TransitionForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=10_000)])


class TeamMemberForm(FlaskForm):
    user = SelectField(_l("Person"), validators=[DataRequired()])
    as_lawyer = BooleanField(_l("As the assigned lawyer"))


class HideForm(FlaskForm):
    reason = StringField(
        _l("Why"), validators=[DataRequired(_l("Say why this is being removed.")), Length(max=500)]
    )


class DuplicateForm(FlaskForm):
    original = StringField(
        _l("Reference of the original case"),
        validators=[DataRequired(_l("Give the reference of the original case.")), Length(max=40)],
    )
    reason = StringField(_l("Note (optional)"), validators=[Length(max=500)])


class LinkPersonForm(FlaskForm):
    """Add a person already recorded (found by name) to a case: the person's public id, checked
    against what the user may see by the view."""

    person = StringField(_l("Person already recorded"), validators=[DataRequired(), Length(max=40)])
    role = SelectField(_l("Role in this case"), choices=choices(CaseRole), default="family")


class NameSearchForm(FlaskForm):
    name = StringField(_l("Name (any script)"), validators=[DataRequired(), Length(min=2, max=200)])


class FindPersonForm(NameSearchForm):
    """Find someone already recorded, to add them to a case in a role."""

    role = SelectField(_l("Role in this case"), choices=choices(CaseRole), default="family")
