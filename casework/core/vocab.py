"""Controlled vocabularies, in one place, with English labels.

Values are stored in the database as the enum *value* (a short stable code). Adding a member
needs no migration; renaming or removing one does (a data migration).
"""

from __future__ import annotations

from enum import StrEnum


class Vocab(StrEnum):
    """A StrEnum whose members carry a human label (``Member.label``)."""

    def __new__(cls, value: str, label: str | None = None):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value.replace("_", " ").capitalize()
        return obj

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for form select fields."""
        return [(m.value, m.label) for m in cls]

    @classmethod
    def parse(cls, value: str | None):
        """Return the member for ``value`` or None (never raises on unknown input)."""
        if value is None:
            return None
        try:
            return cls(value.strip())
        except ValueError:
            return None


class Role(Vocab):
    MONITOR = "monitor", "Field monitor"
    LAWYER = "lawyer", "Lawyer"
    COORDINATOR = "coordinator", "Coordinator"
    ADMIN = "admin", "Administrator"


class CaseStatus(Vocab):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    IN_REVIEW = "in_review", "In legal review"
    RETURNED = "returned", "Returned to the monitor"
    VERIFIED = "verified", "Verified"
    CLOSED = "closed", "Closed"


class Urgency(Vocab):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    IMMINENT = "imminent", "Imminent removal"


class ActType(Vocab):
    """How the person was (or is to be) removed: the refoulement act."""

    ABDUCTION = "abduction", "Abduction / rendition"
    EXTRADITION = "extradition", "Extradition"
    DEPORTATION = "deportation", "Deportation"
    FORCIBLE_RETURN = "forcible_return", "Forcible return"
    EXPULSION = "expulsion", "Expulsion"
    COERCED_VOLUNTARY_RETURN = "coerced_voluntary_return", "Coerced \u201cvoluntary\u201d return"
    ATTEMPTED_REMOVAL = "attempted_removal", "Attempted removal"
    DETENTION_PENDING_REMOVAL = "detention_pending_removal", "Detention pending removal"
    BORDER_REJECTION = "border_rejection", "Rejection at the border"

    @property
    def huridocs_code(self) -> str | None:
        """Closest HURIDOCS micro-thesaurus 4 code, for exchange with other tools (None: none).

        The rule (see README, "HURIDOCS mapping"): an administrative removal order (deportation,
        expulsion) maps to 330101 Expulsion/deportation; a completed removal outside an
        expulsion order (extradition, forcible or coerced return, rejection at the border) maps
        to 380101 Refoulement; an attempt that returned nobody has no act code.
        """
        return _ACT_HURIDOCS[self.value]


_ACT_HURIDOCS: dict[str, str | None] = {
    "abduction": "030104",
    "extradition": "380101",
    "deportation": "330101",
    "forcible_return": "380101",
    "expulsion": "330101",
    "coerced_voluntary_return": "380101",
    # Nothing was returned: the arrest and detention events carry their own codes.
    "attempted_removal": None,
    "detention_pending_removal": "030102",
    "border_rejection": "380101",
}


class EventType(Vocab):
    ASYLUM_APPLICATION = "asylum_application", "Asylum application"
    UNHCR_REGISTRATION = "unhcr_registration", "UNHCR registration"
    RSD_DECISION = "rsd_decision", "Refugee status decision"
    ARREST = "arrest", "Arrest"
    DETENTION_PENDING_EXTRADITION = "detention_pending_extradition", "Detention pending extradition"
    EXTRADITION_REQUEST = "extradition_request", "Extradition request"
    EXTRADITION_DECISION = "extradition_decision", "Prosecutor's extradition decision"
    COURT_APPEAL = "court_appeal", "Court appeal"
    COURT_DECISION = "court_decision", "Court decision"
    INTERIM_MEASURES_REQUEST = "interim_measures_request", "Interim measures requested"
    INTERIM_MEASURES_GRANTED = "interim_measures_granted", "Interim measures granted"
    DIPLOMATIC_ASSURANCES_RECEIVED = (
        "diplomatic_assurances_received",
        "Diplomatic assurances received",
    )
    REFUGEE_STATUS_REVOKED = "refugee_status_revoked", "Refugee status revoked"
    RELEASE = "release", "Release"
    REMOVAL = "removal", "Removal (the refoulement act)"
    AFTER_RETURN_DETENTION = "after_return_detention", "Detention after return"
    AFTER_RETURN_TRIAL = "after_return_trial", "Trial after return"
    AFTER_RETURN_SENTENCE = "after_return_sentence", "Sentence after return"
    TORTURE_ALLEGATION = "torture_allegation", "Torture or ill-treatment allegation"
    DISAPPEARANCE = "disappearance", "Disappearance"
    DEATH = "death", "Death"
    RESETTLEMENT = "resettlement", "Resettlement to a third country"
    OTHER = "other", "Other"


class WantedNotice(Vocab):
    NONE = "none", "None known"
    INTERPOL_RED_NOTICE = "interpol_red_notice", "INTERPOL red notice"
    INTERPOL_DIFFUSION = "interpol_diffusion", "INTERPOL diffusion"
    SCO_RATS_LIST = "sco_rats_list", "SCO Regional Anti-Terrorist Structure (RATS) wanted list"
    CIS_INTERSTATE_SEARCH = "cis_interstate_search", "CIS interstate search"
    NATIONAL_WARRANT = "national_warrant", "National arrest warrant"
    UNKNOWN = "unknown", "Unknown"


class AsylumStage(Vocab):
    NOT_APPLIED = "not_applied", "Had not applied"
    PENDING_FIRST_INSTANCE = "pending_first_instance", "Claim pending (first instance)"
    REJECTED_APPEAL_POSSIBLE = "rejected_appeal_possible", "Rejected, appeal still possible"
    APPEAL_PENDING = "appeal_pending", "Appeal pending"
    REJECTED_FINAL = "rejected_final", "Rejected, remedies exhausted"
    RECOGNISED = "recognised", "Recognised refugee"
    MANDATE_REFUGEE = "mandate_refugee", "UNHCR mandate refugee"
    UNKNOWN = "unknown", "Unknown"


class LegalStatus(Vocab):
    ASYLUM_SEEKER = "asylum_seeker", "Asylum seeker"
    REFUGEE = "refugee", "Refugee (recognised by the State)"
    MANDATE_REFUGEE = "mandate_refugee", "Mandate refugee (UNHCR)"
    REJECTED = "rejected", "Rejected asylum seeker"
    UNDOCUMENTED = "undocumented", "Undocumented"
    STATELESS = "stateless", "Stateless"
    UNKNOWN = "unknown", "Unknown"


class Situation(Vocab):
    AT_LIBERTY = "at_liberty", "At liberty"
    DETAINED = "detained", "Detained"
    REMOVED = "removed", "Removed"
    DISAPPEARED = "disappeared", "Disappeared"
    RESETTLED = "resettled", "Resettled"
    DECEASED = "deceased", "Deceased"
    UNKNOWN = "unknown", "Unknown"


class ConsentLevel(Vocab):
    NONE = "none", "None: nothing identifying leaves the system"
    INTERNAL = "internal", "Internal: identifying data inside the organisation only"
    ANONYMISED = "anonymised", "Anonymised: may appear without identifying details"
    NAMED = "named", "Named: full name may appear"


class Gender(Vocab):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Script(Vocab):
    LATIN = "latin", "Latin"
    CYRILLIC = "cyrillic", "Cyrillic"
    ARABIC = "arabic", "Arabic"
    OTHER = "other", "Other"


class NameKind(Vocab):
    AS_GIVEN = "as_given", "As given"
    ALIAS = "alias", "Alias"
    TRANSLITERATION = "transliteration", "Transliteration"


class CaseRole(Vocab):
    """A person's role in a case."""

    AT_RISK = "at_risk", "Person at risk"
    FAMILY = "family", "Family member"
    WITNESS = "witness", "Witness"
    OTHER = "other", "Other"


class FamilyRelation(Vocab):
    SPOUSE = "spouse", "Spouse"
    PARENT = "parent", "Parent"
    CHILD = "child", "Child"
    SIBLING = "sibling", "Sibling"
    OTHER = "other", "Other relative"


class TeamRole(Vocab):
    CREATOR = "creator", "Creator"
    MEMBER = "member", "Team member"
    LAWYER = "lawyer", "Assigned lawyer"


class SourceKind(Vocab):
    VICTIM = "victim", "The person concerned"
    RELATIVE = "relative", "Relative"
    WITNESS = "witness", "Witness"
    LAWYER = "lawyer", "Lawyer"
    NGO = "ngo", "NGO"
    MEDIA = "media", "Media"
    UNHCR = "unhcr", "UNHCR"
    OFFICIAL = "official", "Official document or statement"
    OTHER = "other", "Other"


class Reliability(Vocab):
    """Admiralty scale: source reliability."""

    A = "A", "A: completely reliable"
    B = "B", "B: usually reliable"
    C = "C", "C: fairly reliable"
    D = "D", "D: not usually reliable"
    E = "E", "E: unreliable"
    F = "F", "F: reliability cannot be judged"


class Credibility(Vocab):
    """Admiralty scale: information credibility."""

    C1 = "1", "1: confirmed by other sources"
    C2 = "2", "2: probably true"
    C3 = "3", "3: possibly true"
    C4 = "4", "4: doubtful"
    C5 = "5", "5: improbable"
    C6 = "6", "6: truth cannot be judged"


class InstrumentType(Vocab):
    TREATY = "treaty", "Treaty"
    REGIONAL_AGREEMENT = "regional_agreement", "Regional agreement"
    BILATERAL_TREATY = "bilateral_treaty", "Bilateral treaty"
    NATIONAL_LAW = "national_law", "National law"
    SOFT_LAW = "soft_law", "Soft law"
    CONCLUDING_OBSERVATIONS = "concluding_observations", "Concluding observations"
    JURISPRUDENCE = "jurisprudence", "Jurisprudence"


class NormDirection(Vocab):
    PROTECTIVE = "protective", "Protects against removal"
    JUSTIFYING = "justifying", "Invoked to justify removal"
    NEUTRAL = "neutral", "Other"


class Assessment(Vocab):
    VIOLATED = "violated", "Violated"
    AT_RISK = "at_risk", "At risk"
    INVOKED = "invoked", "Invoked by the State"
    RELEVANT = "relevant", "Relevant"


class ViolationStatus(Vocab):
    CONFIRMED = "confirmed", "Confirmed"
    LIKELY = "likely", "Likely"
    POSSIBLE = "possible", "Possible"
    UNLIKELY = "unlikely", "Unlikely"
    UNKNOWN = "unknown", "Unknown"


class LinkState(Vocab):
    """Whether a case-provision link is a lawyer's assessment or a monitor's suggestion."""

    SUGGESTED = "suggested", "Suggested"
    ASSESSED = "assessed", "Assessed"


class InterimMeasures(Vocab):
    """What became of interim measures in a treaty-body case."""

    UNKNOWN = "unknown", "Unknown"
    NOT_REQUESTED = "not_requested", "Not requested"
    REQUESTED = "requested", "Requested (compliance unknown)"
    RESPECTED = "respected", "Requested and respected"
    NOT_RESPECTED = "not_respected", "Requested and not respected"


class FollowUpStatus(Vocab):
    """The treaty body's follow-up of its decision."""

    UNKNOWN = "unknown", "Unknown"
    NOT_APPLICABLE = "not_applicable", "Not applicable (no violation found)"
    ONGOING = "ongoing", "Follow-up ongoing"
    CLOSED_SATISFACTORY = "closed_satisfactory", "Closed: satisfactory implementation"
    CLOSED_UNSATISFACTORY = "closed_unsatisfactory", "Closed: unsatisfactory implementation"


class RemedyKind(Vocab):
    ASYLUM_CLAIM = "asylum_claim", "Asylum claim"
    ASYLUM_APPEAL = "asylum_appeal", "Appeal against asylum refusal"
    EXTRADITION_DECISION = "extradition_decision", "Prosecutor's extradition decision"
    EXTRADITION_APPEAL = "extradition_appeal", "Court appeal against extradition"
    DETENTION_APPEAL = "detention_appeal", "Appeal against detention"
    APPELLATE = "appellate", "Appellate court"
    CASSATION = "cassation", "Cassation"
    SUPERVISORY = "supervisory", "Supervisory review"
    OTHER = "other", "Other"


class RemedyOutcome(Vocab):
    PENDING = "pending", "Pending"
    GRANTED = "granted", "Granted / in the person's favour"
    REJECTED = "rejected", "Rejected"
    PARTIAL = "partial", "Partly granted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MOOT = "moot", "Moot (person removed)"
    UNKNOWN = "unknown", "Unknown"


class ActionType(Vocab):
    URGENT_APPEAL = "urgent_appeal", "Urgent appeal"
    ALLEGATION_LETTER = "allegation_letter", "Allegation letter"
    TREATY_BODY_COMPLAINT = "treaty_body_complaint", "Treaty-body complaint"
    INTERIM_MEASURES_REQUEST = "interim_measures_request", "Interim-measures request"
    CED_URGENT_ACTION = "ced_urgent_action", "CED urgent action"
    UNHCR_INTERVENTION = "unhcr_intervention", "UNHCR intervention"
    NATIONAL_LETTER = "national_letter", "Letter to national authorities"
    EMBASSY_DEMARCHE = "embassy_demarche", "Embassy d\u00e9marche"
    UPR_SUBMISSION = "upr_submission", "UPR submission"
    PRESS_RELEASE = "press_release", "Press release"
    OTHER = "other", "Other"


class ActionStatus(Vocab):
    PLANNED = "planned", "Planned"
    DRAFTING = "drafting", "Drafting"
    SUBMITTED = "submitted", "Submitted"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESPONSE_RECEIVED = "response_received", "Response received"
    CLOSED = "closed", "Closed"


class ActionOutcome(Vocab):
    PENDING = "pending", "Pending"
    INTERIM_MEASURES_GRANTED = "interim_measures_granted", "Interim measures granted"
    INTERIM_MEASURES_REFUSED = "interim_measures_refused", "Interim measures refused"
    STATE_REPLIED = "state_replied", "State replied"
    NO_REPLY = "no_reply", "No reply"
    COMMUNICATION_SENT = "communication_sent", "Communication sent to the State"
    DECISION_FAVOURABLE = "decision_favourable", "Decision in the person's favour"
    DECISION_UNFAVOURABLE = "decision_unfavourable", "Decision against the person"
    OTHER = "other", "Other"


class UPRResponse(Vocab):
    SUPPORTED = "supported", "Supported"
    NOTED = "noted", "Noted"
    PENDING = "pending", "Pending"
