"""Controlled vocabularies, in one place, with English labels (translated where shown).

Values are stored in the database as the enum *value* (a short stable code). Adding a member
needs no migration; renaming or removing one does (a data migration).
"""

from __future__ import annotations

from enum import StrEnum

from casework.core.i18n import N_, current_translations, word
from casework.core.requestmemo import per_request_dict


class Vocab(StrEnum):
    """A StrEnum whose members carry a human label (``Member.label``, in the request's language;
    ``Member.label_en`` in English, for documents and exchange formats)."""

    def __new__(cls, value: str, label: str | None = None):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj._label_en = label or value.replace("_", " ").capitalize()
        return obj

    @property
    def label(self) -> str:
        return word(self._label_en)

    @property
    def label_en(self) -> str:
        return self._label_en

    @classmethod
    def labels(cls) -> dict[Vocab, str]:
        """Every member's ``label``, translated once per request and language: a list shows
        the same few on every row."""
        memo = per_request_dict(("vocab labels", cls))
        catalogue = current_translations()
        found = memo.get(catalogue)
        if found is None:
            found = memo[catalogue] = {member: member.label for member in cls}
        return found

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
    MONITOR = "monitor", N_("Field monitor")
    LAWYER = "lawyer", N_("Lawyer")
    COORDINATOR = "coordinator", N_("Coordinator")
    ADMIN = "admin", N_("Administrator")


class CaseStatus(Vocab):
    DRAFT = "draft", N_("Draft")
    SUBMITTED = "submitted", N_("Submitted for review")
    IN_REVIEW = "in_review", N_("In legal review")
    RETURNED = "returned", N_("Returned to the monitor")
    VERIFIED = "verified", N_("Verified")
    CLOSED = "closed", N_("Closed")


class Urgency(Vocab):
    ROUTINE = "routine", N_("Routine")
    URGENT = "urgent", N_("Urgent")
    IMMINENT = "imminent", N_("Imminent removal")


class ActType(Vocab):
    """How the person was (or is to be) removed: the refoulement act."""

    ABDUCTION = "abduction", N_("Abduction / rendition")
    EXTRADITION = "extradition", N_("Extradition")
    DEPORTATION = "deportation", N_("Deportation")
    FORCIBLE_RETURN = "forcible_return", N_("Forcible return")
    EXPULSION = "expulsion", N_("Expulsion")
    COERCED_VOLUNTARY_RETURN = (
        "coerced_voluntary_return",
        N_("Coerced \u201cvoluntary\u201d return"),
    )
    ATTEMPTED_REMOVAL = "attempted_removal", N_("Attempted removal")
    DETENTION_PENDING_REMOVAL = "detention_pending_removal", N_("Detention pending removal")
    BORDER_REJECTION = "border_rejection", N_("Rejection at the border")

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
    ASYLUM_APPLICATION = "asylum_application", N_("Asylum application")
    UNHCR_REGISTRATION = "unhcr_registration", N_("UNHCR registration")
    RSD_DECISION = "rsd_decision", N_("Refugee status decision")
    ARREST = "arrest", N_("Arrest")
    DETENTION_PENDING_EXTRADITION = (
        "detention_pending_extradition",
        N_("Detention pending extradition"),
    )
    EXTRADITION_REQUEST = "extradition_request", N_("Extradition request")
    EXTRADITION_DECISION = "extradition_decision", N_("Prosecutor's extradition decision")
    COURT_APPEAL = "court_appeal", N_("Court appeal")
    COURT_DECISION = "court_decision", N_("Court decision")
    INTERIM_MEASURES_REQUEST = "interim_measures_request", N_("Interim measures requested")
    INTERIM_MEASURES_GRANTED = "interim_measures_granted", N_("Interim measures granted")
    DIPLOMATIC_ASSURANCES_RECEIVED = (
        "diplomatic_assurances_received",
        N_("Diplomatic assurances received"),
    )
    REFUGEE_STATUS_REVOKED = "refugee_status_revoked", N_("Refugee status revoked")
    RELEASE = "release", N_("Release")
    REMOVAL = "removal", N_("Removal (the refoulement act)")
    # An act recorded before any removal happened: not counted as a removal anywhere.
    ATTEMPTED_REMOVAL = "attempted_removal", N_("Attempted removal")
    REMOVAL_PENDING = "removal_pending", N_("Removal pending (not carried out yet)")
    AFTER_RETURN_DETENTION = "after_return_detention", N_("Detention after return")
    AFTER_RETURN_TRIAL = "after_return_trial", N_("Trial after return")
    AFTER_RETURN_SENTENCE = "after_return_sentence", N_("Sentence after return")
    TORTURE_ALLEGATION = "torture_allegation", N_("Torture or ill-treatment allegation")
    DISAPPEARANCE = "disappearance", N_("Disappearance")
    DEATH = "death", N_("Death")
    RESETTLEMENT = "resettlement", N_("Resettlement to a third country")
    OTHER = "other", N_("Other")

    @property
    def huridocs_code(self) -> str | None:
        """HURIDOCS micro-thesaurus 4 code of the act this event records (None: none). A removal
        event takes its kind of removal's code (``ActType.huridocs_code``); a death is "death in
        detention" (010106010000) only when it happened in detention, which is not inferred."""
        return _EVENT_HURIDOCS.get(self.value)


_EVENT_HURIDOCS: dict[str, str] = {
    "arrest": "030101",
    "detention_pending_extradition": "030102",
    "after_return_detention": "030102",
    "disappearance": "030103",
    "torture_allegation": "020111110000",
}


class WantedNotice(Vocab):
    NONE = "none", N_("None known")
    INTERPOL_RED_NOTICE = "interpol_red_notice", N_("INTERPOL red notice")
    INTERPOL_DIFFUSION = "interpol_diffusion", N_("INTERPOL diffusion")
    SCO_RATS_LIST = "sco_rats_list", N_("SCO Regional Anti-Terrorist Structure (RATS) wanted list")
    CIS_INTERSTATE_SEARCH = "cis_interstate_search", N_("CIS interstate search")
    NATIONAL_WARRANT = "national_warrant", N_("National arrest warrant")
    UNKNOWN = "unknown", N_("Unknown")


class AsylumStage(Vocab):
    NOT_APPLIED = "not_applied", N_("Had not applied")
    PENDING_FIRST_INSTANCE = "pending_first_instance", N_("Claim pending (first instance)")
    REJECTED_APPEAL_POSSIBLE = "rejected_appeal_possible", N_("Rejected, appeal still possible")
    APPEAL_PENDING = "appeal_pending", N_("Appeal pending")
    REJECTED_FINAL = "rejected_final", N_("Rejected, remedies exhausted")
    RECOGNISED = "recognised", N_("Recognised refugee")
    MANDATE_REFUGEE = "mandate_refugee", N_("UNHCR mandate refugee")
    UNKNOWN = "unknown", N_("Unknown")


class LegalStatus(Vocab):
    ASYLUM_SEEKER = "asylum_seeker", N_("Asylum seeker")
    REFUGEE = "refugee", N_("Refugee (recognised by the State)")
    MANDATE_REFUGEE = "mandate_refugee", N_("Mandate refugee (UNHCR)")
    REJECTED = "rejected", N_("Rejected asylum seeker")
    UNDOCUMENTED = "undocumented", N_("Undocumented")
    STATELESS = "stateless", N_("Stateless")
    UNKNOWN = "unknown", N_("Unknown")


class Situation(Vocab):
    AT_LIBERTY = "at_liberty", N_("At liberty")
    DETAINED = "detained", N_("Detained")
    REMOVED = "removed", N_("Removed")
    DISAPPEARED = "disappeared", N_("Disappeared")
    RESETTLED = "resettled", N_("Resettled")
    DECEASED = "deceased", N_("Deceased")
    UNKNOWN = "unknown", N_("Unknown")


class ConsentLevel(Vocab):
    NONE = "none", N_("None: nothing identifying leaves the system")
    INTERNAL = "internal", N_("Internal: identifying data inside the organisation only")
    ANONYMISED = "anonymised", N_("Anonymised: may appear without identifying details")
    NAMED = "named", N_("Named: full name may appear")


class GovernmentContact(Vocab):
    """Whether the person agrees that a UN body contacts the government about them (a Special
    Procedures communication asks; without it, the body may not act on the case)."""

    NOT_ASKED = "not_asked", N_("Not asked yet")
    AGREES = "agrees", N_("Agrees")
    REFUSES = "refuses", N_("Does not agree")


class Authorisation(Vocab):
    """How the alleged victim authorised the organisation to act for them before a UN body: a
    treaty body (CAT, the Human Rights Committee) asks for it, or for the reasons it cannot be
    had, which it accepts when explained (a person held incommunicado, or disappeared)."""

    NOT_RECORDED = "not_recorded", N_("Not recorded yet")
    WRITTEN = "written", N_("In writing")
    ORAL = "oral", N_("Orally")
    THROUGH_FAMILY = "through_family", N_("Through the family")
    CANNOT_BE_OBTAINED = "cannot_be_obtained", N_("Cannot be obtained")


class OtherProcedure(Vocab):
    """Whether the same matter went to another procedure of international investigation or
    settlement (CAT article 22(5)(a): one examined or being examined there is inadmissible)."""

    NOT_STATED = "not_stated", N_("Not stated yet")
    NONE = "none", N_("Not submitted to any other procedure")
    PENDING = "pending", N_("Submitted elsewhere: being examined")
    EXAMINED = "examined", N_("Submitted elsewhere: examined")
    WITHDRAWN = "withdrawn", N_("Submitted elsewhere: withdrawn, not examined")


class Gender(Vocab):
    MALE = "male", N_("Male")
    FEMALE = "female", N_("Female")
    OTHER = "other", N_("Other")
    UNKNOWN = "unknown", N_("Unknown")


class Script(Vocab):
    LATIN = "latin", N_("Latin")
    CYRILLIC = "cyrillic", N_("Cyrillic")
    ARABIC = "arabic", N_("Arabic")
    OTHER = "other", N_("Other")


class NameKind(Vocab):
    AS_GIVEN = "as_given", N_("As given")
    ALIAS = "alias", N_("Alias")
    TRANSLITERATION = "transliteration", N_("Transliteration")


class CaseRole(Vocab):
    """A person's role in a case."""

    AT_RISK = "at_risk", N_("Person at risk")
    FAMILY = "family", N_("Family member")
    WITNESS = "witness", N_("Witness")
    OTHER = "other", N_("Other")


class FamilyRelation(Vocab):
    SPOUSE = "spouse", N_("Spouse")
    PARENT = "parent", N_("Parent")
    CHILD = "child", N_("Child")
    SIBLING = "sibling", N_("Sibling")
    OTHER = "other", N_("Other relative")


class TeamRole(Vocab):
    CREATOR = "creator", N_("Creator")
    MEMBER = "member", N_("Team member")
    LAWYER = "lawyer", N_("Assigned lawyer")


class SourceKind(Vocab):
    VICTIM = "victim", N_("The person concerned")
    RELATIVE = "relative", N_("Relative")
    WITNESS = "witness", N_("Witness")
    LAWYER = "lawyer", N_("Lawyer")
    NGO = "ngo", N_("NGO")
    MEDIA = "media", N_("Media")
    UNHCR = "unhcr", N_("UNHCR")
    OFFICIAL = "official", N_("Official document or statement")
    OTHER = "other", N_("Other")


class Reliability(Vocab):
    """Admiralty scale: source reliability."""

    A = "A", N_("A: completely reliable")
    B = "B", N_("B: usually reliable")
    C = "C", N_("C: fairly reliable")
    D = "D", N_("D: not usually reliable")
    E = "E", N_("E: unreliable")
    F = "F", N_("F: reliability cannot be judged")


class Credibility(Vocab):
    """Admiralty scale: information credibility."""

    C1 = "1", N_("1: confirmed by other sources")
    C2 = "2", N_("2: probably true")
    C3 = "3", N_("3: possibly true")
    C4 = "4", N_("4: doubtful")
    C5 = "5", N_("5: improbable")
    C6 = "6", N_("6: truth cannot be judged")


class InstrumentType(Vocab):
    TREATY = "treaty", N_("Treaty")
    REGIONAL_AGREEMENT = "regional_agreement", N_("Regional agreement")
    BILATERAL_TREATY = "bilateral_treaty", N_("Bilateral treaty")
    NATIONAL_LAW = "national_law", N_("National law")
    SOFT_LAW = "soft_law", N_("Soft law")
    CONCLUDING_OBSERVATIONS = "concluding_observations", N_("Concluding observations")
    JURISPRUDENCE = "jurisprudence", N_("Jurisprudence")


class NormDirection(Vocab):
    PROTECTIVE = "protective", N_("Protects against removal")
    JUSTIFYING = "justifying", N_("Invoked to justify removal")
    NEUTRAL = "neutral", N_("Other")


class Assessment(Vocab):
    VIOLATED = "violated", N_("Violated")
    AT_RISK = "at_risk", N_("At risk")
    INVOKED = "invoked", N_("Invoked by the State")
    RELEVANT = "relevant", N_("Relevant")


class ViolationStatus(Vocab):
    CONFIRMED = "confirmed", N_("Confirmed")
    LIKELY = "likely", N_("Likely")
    POSSIBLE = "possible", N_("Possible")
    UNLIKELY = "unlikely", N_("Unlikely")
    UNKNOWN = "unknown", N_("Unknown")


class LinkState(Vocab):
    """Whether a case-provision link is a lawyer's assessment or a monitor's suggestion."""

    SUGGESTED = "suggested", N_("Suggested")
    ASSESSED = "assessed", N_("Assessed")


class InterimMeasures(Vocab):
    """What became of interim measures in a treaty-body case."""

    UNKNOWN = "unknown", N_("Unknown")
    NOT_REQUESTED = "not_requested", N_("Not requested")
    REQUESTED = "requested", N_("Requested (compliance unknown)")
    RESPECTED = "respected", N_("Requested and respected")
    NOT_RESPECTED = "not_respected", N_("Requested and not respected")


class FollowUpStatus(Vocab):
    """The treaty body's follow-up of its decision."""

    UNKNOWN = "unknown", N_("Unknown")
    NOT_APPLICABLE = "not_applicable", N_("Not applicable (no violation found)")
    ONGOING = "ongoing", N_("Follow-up ongoing")
    CLOSED_SATISFACTORY = "closed_satisfactory", N_("Closed: satisfactory implementation")
    CLOSED_UNSATISFACTORY = "closed_unsatisfactory", N_("Closed: unsatisfactory implementation")


class RemedyKind(Vocab):
    ASYLUM_CLAIM = "asylum_claim", N_("Asylum claim")
    ASYLUM_APPEAL = "asylum_appeal", N_("Appeal against asylum refusal")
    EXTRADITION_DECISION = "extradition_decision", N_("Prosecutor's extradition decision")
    EXTRADITION_APPEAL = "extradition_appeal", N_("Court appeal against extradition")
    DETENTION_APPEAL = "detention_appeal", N_("Appeal against detention")
    APPELLATE = "appellate", N_("Appellate court")
    CASSATION = "cassation", N_("Cassation")
    SUPERVISORY = "supervisory", N_("Supervisory review")
    OTHER = "other", N_("Other")


class RemedyOutcome(Vocab):
    PENDING = "pending", N_("Pending")
    GRANTED = "granted", N_("Granted / in the person's favour")
    REJECTED = "rejected", N_("Rejected")
    PARTIAL = "partial", N_("Partly granted")
    WITHDRAWN = "withdrawn", N_("Withdrawn")
    MOOT = "moot", N_("Moot (person removed)")
    UNKNOWN = "unknown", N_("Unknown")


class ActionType(Vocab):
    URGENT_APPEAL = "urgent_appeal", N_("Urgent appeal")
    ALLEGATION_LETTER = "allegation_letter", N_("Allegation letter")
    TREATY_BODY_COMPLAINT = "treaty_body_complaint", N_("Treaty-body complaint")
    INTERIM_MEASURES_REQUEST = "interim_measures_request", N_("Interim-measures request")
    CED_URGENT_ACTION = "ced_urgent_action", N_("CED urgent action")
    UNHCR_INTERVENTION = "unhcr_intervention", N_("UNHCR intervention")
    NATIONAL_LETTER = "national_letter", N_("Letter to national authorities")
    EMBASSY_DEMARCHE = "embassy_demarche", N_("Embassy d\u00e9marche")
    UPR_SUBMISSION = "upr_submission", N_("UPR submission")
    PRESS_RELEASE = "press_release", N_("Press release")
    OTHER = "other", N_("Other")


class ActionStatus(Vocab):
    PLANNED = "planned", N_("Planned")
    DRAFTING = "drafting", N_("Drafting")
    SUBMITTED = "submitted", N_("Submitted")
    ACKNOWLEDGED = "acknowledged", N_("Acknowledged")
    RESPONSE_RECEIVED = "response_received", N_("Response received")
    CLOSED = "closed", N_("Closed")


class ActionOutcome(Vocab):
    PENDING = "pending", N_("Pending")
    INTERIM_MEASURES_GRANTED = "interim_measures_granted", N_("Interim measures granted")
    INTERIM_MEASURES_REFUSED = "interim_measures_refused", N_("Interim measures refused")
    STATE_REPLIED = "state_replied", N_("State replied")
    NO_REPLY = "no_reply", N_("No reply")
    COMMUNICATION_SENT = "communication_sent", N_("Communication sent to the State")
    DECISION_FAVOURABLE = "decision_favourable", N_("Decision in the person's favour")
    DECISION_UNFAVOURABLE = "decision_unfavourable", N_("Decision against the person")
    OTHER = "other", N_("Other")


class UPRResponse(Vocab):
    SUPPORTED = "supported", N_("Supported")
    NOTED = "noted", N_("Noted")
    PENDING = "pending", N_("Pending")
