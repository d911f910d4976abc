"""Word documents (python-docx) and plain text built from disclosed cases only.

Every function here takes ``CaseOut`` values (see ``anonymise``): nothing reaches a document
that did not pass the consent-aware path.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from casework.core.types import PartialDate
from casework.core.vocab import (
    Assessment,
    Authorisation,
    CaseRole,
    EventType,
    GovernmentContact,
    OtherProcedure,
    Situation,
)
from casework.reports.anonymise import CaseOut, Disclosure, Output, PersonOut, RemedyOut
from casework.reports.models import OrganisationProfile


@dataclass(frozen=True)
class Section:
    """A heading and its paragraphs; numbered paragraphs get 1., 2., ... across the document."""

    heading: str
    paragraphs: list[str]
    numbered: bool = True


# Characters XML 1.0 (and so Word) cannot hold: C0 controls but tab, newline and carriage
# return, and the two non-characters. Text copied from Word or a PDF viewer carries U+000B (a
# manual line break) and U+000C; a planted source may carry any of them.
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff]")
_BREAKS = re.compile("[\x0b\x0c]")


def xml_text(text: str) -> str:
    """``text`` as a Word document can hold it: line breaks kept, other controls dropped."""
    return _NOT_XML.sub("", _BREAKS.sub("\n", text))


def paragraph(document, text: str):
    return document.add_paragraph(xml_text(text))


def heading(document, text: str, level: int):
    return document.add_heading(xml_text(text), level=level)


def _page_number_footer(document, label: str) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if label:
        paragraph.add_run(xml_text(f"{label} · "))
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def new_document(footer: str = ""):
    """A blank document for an output: its properties say nothing of who or what made it
    (python-docx's template says "python-docx", created in 2013), only when."""
    document = Document()
    properties = document.core_properties
    properties.author = properties.last_modified_by = properties.comments = ""
    properties.created = properties.modified = datetime.now(UTC).replace(microsecond=0)
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    _page_number_footer(document, footer)
    return document


def organisation_block(document, profile: OrganisationProfile, co_authors: list[str]) -> None:
    document.add_paragraph().add_run(xml_text(profile.name or "")).bold = True
    details = []
    if profile.founded:
        details.append(f"Founded in {profile.founded}.")
    if profile.activities:
        details.append(profile.activities)
    if profile.contact:
        details.append(f"Contact: {profile.contact}")
    for line in details:
        paragraph(document, line)
    if co_authors:
        paragraph(document, "Joint submission with: " + "; ".join(co_authors))


def add_sections(document, sections: list[Section], start: int = 1) -> int:
    """Write the sections; return the next paragraph number."""
    number = start
    for section in sections:
        if section.heading:
            heading(document, section.heading, level=2)
        for text in section.paragraphs:
            if section.numbered:
                paragraph(document, f"{number}. {text}")
                number += 1
            else:
                paragraph(document, text)
    return number


def to_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def person_line(p: PersonOut) -> str:
    if p.disclosure == Disclosure.WITHHELD:
        return p.label
    details = [d for d in (p.gender, p.age_band, p.nationality, p.ethnicity) if d]
    text = f"{p.label}, {p.role.lower()}"
    text = f"{text} ({', '.join(details)})" if details else text
    if p.legal_status:
        text += f"; legal status: {p.legal_status[0].lower()}{p.legal_status[1:]}"
    return text


NO_VICTIM = "No person at risk is recorded in the file."


def victims(case: CaseOut) -> list[PersonOut]:
    """The people at risk: never a relative or a witness in their place (one who reported the
    case may be its only person until the person at risk is recorded)."""
    return [p for p in case.people if p.role == CaseRole.AT_RISK.label]  # a role in the case


def victim_lines(case: CaseOut) -> list[str]:
    return [person_line(p) for p in victims(case)] or [NO_VICTIM]


@dataclass(frozen=True)
class TreatyBody:
    """A committee that takes individual complaints against Kazakhstan, and what its documents
    say differently: the treaty it examines (its articles are the only grounds), the rule under
    which it asks a State for interim measures, and how the complaint is named."""

    committee: str
    treaty: str  # the treaty as its text names itself ("the Convention", "the Covenant")
    treaty_title: str
    rule: str
    complaint: str  # "complaint" (CAT) or "communication" (HRC)
    basis: str  # what lets it take complaints from Kazakhstan
    articles: str  # the ``CaseOut`` field of the treaty's article codes
    example: str  # the article counsel usually relies on, for the warnings

    def article_codes(self, case: CaseOut) -> frozenset[str]:
        return getattr(case, self.articles)

    @property
    def no_grounds(self) -> str:
        return (
            f"No article of {self.treaty} is relied on yet: counsel states the articles of "
            f"{self.treaty} violated or at risk ({self.example} above all) before this request "
            "is sent."
        )


CAT_BODY = TreatyBody(
    committee="Committee against Torture",
    treaty="the Convention",
    treaty_title="Convention against Torture and Other Cruel, Inhuman or Degrading Treatment "
    "or Punishment",
    rule="rule 114",
    complaint="complaint",
    basis="article 22 of the Convention (declaration of Kazakhstan, 2008)",
    articles="convention_articles",
    example="article 3",
)
HRC_BODY = TreatyBody(
    committee="Human Rights Committee",
    treaty="the Covenant",
    treaty_title="International Covenant on Civil and Political Rights",
    rule="rule 94",
    complaint="communication",
    basis="the Optional Protocol to the Covenant (in force for Kazakhstan since 30 September 2009)",
    articles="covenant_articles",
    example="articles 6 and 7",
)
# The outputs that are complaints to a treaty body, and the body each goes to.
TREATY_BODIES = {Output.CAT: CAT_BODY, Output.HRC: HRC_BODY}


def _at_risk(case: CaseOut) -> list[tuple[str, str, str]]:
    """The provisions the person's removal violates or puts at risk: not those the State
    invokes to remove them (Minsk, Shanghai) nor those only marked relevant."""
    risks = {Assessment.VIOLATED.label, Assessment.AT_RISK.label}
    return [
        (code, title, assessment)
        for code, title, assessment, _status in case.provisions
        if assessment in risks
    ]


def is_convention_article(case: CaseOut, code: str, body: TreatyBody = CAT_BODY) -> bool:
    """A provision of the treaty the committee examines ("CAT:3", "ICCPR:7"), by its
    instrument: not its General Comment nor the Committee's rules or decisions, which are
    instruments of their own."""
    return code in body.article_codes(case)


def personal_risk(case: CaseOut, body: TreatyBody = CAT_BODY) -> list[str]:
    """The articles of the committee's treaty the person's removal violates or puts at risk,
    the only grounds it examines; then counsel's analysis of each (reviewed free text only),
    which is what shows the risk to the person."""
    at_risk = [p for p in _at_risk(case) if is_convention_article(case, p[0], body)]
    codes = {code for code, _title, _assessment in at_risk}
    return [f"{code} {title}: {assessment.lower()}" for code, title, assessment in at_risk] + [
        f"{code}: {analysis}" for code, analysis in case.analyses if code in codes
    ]


def other_obligations(case: CaseOut, body: TreatyBody = CAT_BODY) -> list[str]:
    """The provisions of other instruments (the other committee's treaty, the Refugee
    Convention...) the removal violates or puts at risk: context for the committee, never its
    grounds."""
    return [
        f"{code} {title}: {assessment.lower()}"
        for code, title, assessment in _at_risk(case)
        if not is_convention_article(case, code, body)
    ]


def remedy_status(remedy: RemedyOut) -> str:
    """Exhausted, or not, and then whether counsel shows it not to be effective (UN complaints
    need remedies exhausted or shown to be ineffective)."""
    if remedy.exhausted:
        return "exhausted"
    if remedy.ineffective_because:
        return f"not exhausted; not effective: {remedy.ineffective_because}"
    if remedy.argued_ineffective:
        return "not exhausted; argued not to be effective (the reasons leave after review)"
    return "not exhausted"


def remedy_dates(remedy: RemedyOut) -> str:
    """ " (filed 2009-03; decided c. 2010-08)": the dates as recorded, at their precision and
    "c. " before an approximate one, as the act's date is given; "" when none is recorded."""
    dates = [f"filed {remedy.filed}"] if remedy.filed else []
    dates += [f"decided {remedy.decided}"] if remedy.decided else []
    return f" ({'; '.join(dates)})" if dates else ""


def domestic_remedies(case: CaseOut) -> list[str]:
    """The domestic remedies as recorded, each with the authority that hears it once the free
    text is reviewed (the lawyer types it): whether one had suspensive effect or was available
    at all is counsel's argument, given only where counsel recorded it."""
    return [
        f"{r.kind}{f', {r.authority}' if r.authority else ''}{remedy_dates(r)}: {r.outcome}; "
        f"{remedy_status(r)}"
        for r in case.remedies
    ] or ["No domestic remedy recorded."]


def facts(case: CaseOut) -> list[str]:
    """The timeline, in order, as sentences."""
    lines = []
    for event in case.events:
        line = f"{event.date}: {event.kind}"
        if event.place:
            line += f", {event.place}"
        if event.agencies:
            line += f" ({', '.join(event.agencies)})"
        if event.description:
            line += f". {event.description}"
        lines.append(line)
    return lines


def removal_carried_out(case: CaseOut) -> bool:
    """Whether the removal happened: a case not marked imminent, or one whose timeline records
    the removal or whose person is removed. An imminent case's act recorded at intake is the
    arrest or decision the removal follows from (``cases.events.act_event_type``)."""
    return (
        not case.imminent
        or any(e.kind == EventType.REMOVAL.label for e in case.events)
        or case.situation == Situation.REMOVED.label
    )


def after_return(case: CaseOut) -> list[str]:
    """What became of the person after return (detention, trial, torture), once reviewed: the
    end of the facts, after the timeline."""
    return [f"After return: {case.after_return}"] if case.after_return else []


# --- what a treaty body asks of the representation -----------------------------------------

AUTHORISATION_MISSING = (
    "No authorisation of the alleged victim is recorded yet: counsel attaches it, or explains "
    "why it cannot be obtained, before this request is sent."
)
_AUTHORISED = {
    Authorisation.WRITTEN: "in writing",
    Authorisation.ORAL: "orally",
    Authorisation.THROUGH_FAMILY: "through the alleged victim's family",
}


def authorisation_lines(case: CaseOut) -> list[str]:
    """How the alleged victim authorised the author, or why it cannot be obtained. The form and
    the date always leave; who gave it, how, and why it cannot be had are free text (a
    relative's name, a number), given once reviewed."""
    if case.authorisation == Authorisation.CANNOT_BE_OBTAINED:
        line = "The alleged victim's authorisation cannot be obtained"
        if case.authorisation_note:
            return [f"{line}: {case.authorisation_note}"]
        if case.authorisation_note_recorded:
            return [f"{line} (the reasons leave after review)."]
        return [
            f"{line}; the reasons are not recorded yet: counsel explains them before this "
            "request is sent."
        ]
    how = _AUTHORISED.get(case.authorisation)
    if how is None:  # not recorded
        return [AUTHORISATION_MISSING]
    when = f" on {case.authorised_on}" if case.authorised_on else ""
    lines = [f"The alleged victim authorised the author to act on their behalf {how}{when}."]
    if case.authorised_by:
        lines.append(f"Given by {case.authorised_by}.")
    if case.authorisation_note:
        lines.append(case.authorisation_note)
    if not case.free_text_reviewed and (
        case.authorised_by_recorded or case.authorisation_note_recorded
    ):
        lines.append("(who gave it and how leave after review)")
    return lines


OTHER_PROCEDURE = "another procedure of international investigation or settlement"
_OTHER_PROCEDURES = {
    OtherProcedure.NONE: f"The same matter has not been, and is not being, examined under "
    f"{OTHER_PROCEDURE}",
    OtherProcedure.PENDING: f"The same matter is being examined under {OTHER_PROCEDURE}",
    OtherProcedure.EXAMINED: f"The same matter has been examined under {OTHER_PROCEDURE}",
    OtherProcedure.WITHDRAWN: f"The same matter was submitted to {OTHER_PROCEDURE} and "
    "withdrawn before it was examined",
}


def other_procedures_lines(case: CaseOut) -> list[str]:
    """Whether the same matter went to another procedure of international investigation or
    settlement (article 22(5)(a)), with which body, when and where it stands once reviewed."""
    statement = _OTHER_PROCEDURES.get(case.other_procedures)
    if statement is None:  # not stated
        statement = (
            f"Not stated yet: counsel states whether the same matter has been or is being "
            f"examined under {OTHER_PROCEDURE} before this request is sent"
        )
    if case.other_procedures_details:
        return [f"{statement}: {case.other_procedures_details}"]
    if case.other_procedures_recorded:
        return [f"{statement} (the details leave after review)."]
    return [f"{statement}."]


# --- Special Procedures communication -------------------------------------------------------


_NAMING = {
    Disclosure.NAMED: "consents to being named in public reports.",
    Disclosure.PSEUDONYM: "does not consent to being named: use the pseudonym {label} only.",
    Disclosure.WITHHELD: "does not consent to being identified: no name, initials or pseudonym.",
}
_GOVERNMENT = {
    GovernmentContact.AGREES: "consents to the government being contacted.",
    GovernmentContact.REFUSES: "does not consent to the government being contacted.",
    GovernmentContact.NOT_ASKED: "has not yet been asked whether the government may be contacted: "
    "ask before this communication is sent.",
}


def consent_lines(people: list[PersonOut], family: bool) -> list[str]:
    """What the Special Procedures ask of consent: to being named, and to the government
    being contacted, for each victim (as ``person_line`` names them when there are several)."""
    lines = [] if people else [f"{NO_VICTIM} Their consent is not known."]
    for p in people:
        who = "The victim" if len(people) == 1 else p.label
        lines.append(f"{who} {_NAMING[p.disclosure].format(label=p.label)}")
        lines.append(f"{who} {_GOVERNMENT[p.government_contact]}")
    lines.append(
        "The family must not be contacted: relatives in the country of origin are at risk."
        if family
        else "Contact with the family only through the submitting organisation."
    )
    return lines


def communication_kind(case: CaseOut) -> str:
    return "Urgent appeal" if case.imminent else "Allegation letter"


def communication_sections(case: CaseOut) -> list[Section]:
    """The fields the OHCHR Special Procedures submission form asks for, in its order."""
    people = victims(case)
    family = any(p.family_at_risk for p in case.people)
    perpetrators = sorted({a for e in case.events for a in e.agencies})
    unnamed = (
        "State agents of the Republic of Kazakhstan (agency not recorded)."
        if case.free_text_reviewed
        else "State agents of the Republic of Kazakhstan (the agencies are withheld until the "
        "case has been reviewed for release)."
    )
    description = [case.narrative] if case.narrative else []
    description += facts(case) + after_return(case)
    return [
        Section(
            "Type of communication",
            [
                f"{communication_kind(case)}. {removal_date(case)}"
                if case.imminent
                else f"{communication_kind(case)}: the facts below have occurred or are ongoing."
            ],
            numbered=False,
        ),
        Section("Victim(s)", victim_lines(case), numbered=False),
        Section("Alleged perpetrators", perpetrators or [unnamed], numbered=False),
        Section(
            "Date and place",
            [
                f"Date: {case.act_date or 'not known'}. Place: {case.place or 'Kazakhstan'}."
                + (f" Destination: {case.destination}." if case.destination else "")
            ],
            numbered=False,
        ),
        Section(
            "Description of the facts",
            description
            or ["The detailed account is withheld until it has been reviewed for release."],
            numbered=False,
        ),
        Section(
            "Domestic remedies",
            domestic_remedies(case),
            numbered=False,
        ),
        Section("Consent", consent_lines(people, family), numbered=False),
    ]


def communication_docx(case: CaseOut, profile: OrganisationProfile) -> bytes:
    document = new_document(footer=case.reference)
    heading(
        document, f"{communication_kind(case)} to the Special Procedures: case {case.reference}", 1
    )
    add_sections(document, communication_sections(case))
    document.add_page_break()
    document.add_heading("Submitting organisation (confidential)", level=2)
    organisation_block(document, profile, [])
    return to_bytes(document)


def communication_text(case: CaseOut, profile: OrganisationProfile) -> str:
    lines = [f"{communication_kind(case).upper()}: case {case.reference}", ""]
    for section in communication_sections(case):
        lines += [section.heading.upper(), *section.paragraphs, ""]
    lines += ["SUBMITTING ORGANISATION (CONFIDENTIAL)", profile.name or ""]
    if profile.contact:
        lines.append(profile.contact)
    return "\n".join(lines) + "\n"


# --- Treaty-body complaint with interim measures (CAT rule 114, HRC rule 94) ----------------


def removal_date(case: CaseOut) -> str:
    """The removal's date or its imminence. On an imminent case a removal event dated before
    today is the act as recorded at intake (an arrest, a decision), not a removal that took
    place: only a date still ahead is the one the removal is set for."""
    # Dated ones only ("date unknown" is no date), each read at its precision.
    dated = [
        (e.date, PartialDate.parse(e.date.removeprefix("c. ")))
        for e in case.events
        if e.kind.startswith("Removal") and re.match(r"(c\. )?\d{4}", e.date)
    ]
    removals = [text for text, _value in dated]
    if case.imminent:
        # Still ahead while its last possible day is: a removal expected "this month" is.
        ahead = [text for text, value in dated if value and value.latest() >= date.today()]
        if ahead:
            on_a_day = re.fullmatch(r"(c\. )?\d{4}-\d{2}-\d{2}", ahead[0])
            return f"Removal is imminent: it is expected {'on' if on_a_day else 'in'} {ahead[0]}."
        return "Removal is imminent; no date has been communicated."
    if removals:
        return f"Removal date recorded: {removals[-1]}."
    return "The date of removal is not known."


def _removed(case: CaseOut) -> list[str] | None:
    """The dates of the removals that took place (``[]`` when removed on an unknown day), or
    None while the person is not removed. Removed: a removal on the timeline or the person's
    situation, on a case no longer imminent (on an imminent one a past removal event is read as
    ``removal_date`` reads it: the act recorded at intake)."""
    removed = [e.date for e in case.events if e.kind == EventType.REMOVAL.label]
    if case.imminent or not (removed or case.situation == Situation.REMOVED.label):
        return None
    return [d for d in removed if re.match(r"(c\. )?\d{4}", d)]


def interim_measures_request(case: CaseOut, body: TreatyBody = CAT_BODY) -> list[str]:
    """Not to remove the person; once removed, the measures the rule names: those needed to
    avoid possible irreparable damage (not a request to stop what took place)."""
    dated = _removed(case)
    if dated is None:
        return [
            f"The Committee is respectfully requested, under {body.rule} of its rules of "
            "procedure, to ask the State party not to remove the alleged victim while the "
            f"{body.complaint} is under examination."
        ]
    if dated:
        on_a_day = re.fullmatch(r"(c\. )?\d{4}-\d{2}-\d{2}", dated[-1])
        fact = f"The alleged victim was removed {'on' if on_a_day else 'in'} {dated[-1]}."
    else:
        fact = "The alleged victim has been removed."
    return [
        fact,
        f"The Committee is respectfully requested, under {body.rule} of its rules of procedure, "
        "to ask the State party to take the interim measures needed to avoid possible "
        f"irreparable damage to the alleged victim while the {body.complaint} is under "
        "examination.",
    ]


def article_number(code: str) -> str:
    """ "CAT:3.2" → "3(2)", "ICCPR:7" → "7": a provision's number as its treaty's text cites
    it (the code itself when it has none)."""
    number = code.partition(":")[2]
    if not number:
        return code
    head, _dot, paragraph = number.partition(".")
    return f"{head}({paragraph})" if paragraph else head


def articles_cited(codes: list[str]) -> str:
    """ "article 7", "articles 6 and 7", in the treaty's order."""

    def order(code: str) -> tuple:
        return tuple(int(n) if n.isdigit() else 0 for n in re.split(r"\D+", code) if n)

    numbers = [article_number(c) for c in sorted(codes, key=order)]
    if len(numbers) == 1:
        return f"article {numbers[0]}"
    return f"articles {', '.join(numbers[:-1])} and {numbers[-1]}"


def remedy_sought(case: CaseOut, body: TreatyBody = CAT_BODY) -> list[str]:
    """What the complaint asks the committee to find, on the articles counsel relies on:
    that a removal still ahead would violate them, or that the one carried out did, with the
    remedy owed (compensation and monitoring of the person's treatment where they are)."""
    codes = [code for code, _title, _a in _at_risk(case) if is_convention_article(case, code, body)]
    if not codes:
        return [f"Not stated yet: {body.no_grounds}"]
    articles = f"{articles_cited(codes)} of {body.treaty}"
    where = f" to {case.destination}" if case.destination else ""
    if _removed(case) is None:
        return [
            f"The author asks the Committee to find that the removal of the alleged victim"
            f"{where} would violate {articles}, and that the State party is under an "
            "obligation to refrain from removing them."
        ]
    return [
        f"The author asks the Committee to find that the removal of the alleged victim{where} "
        f"violated {articles}, and to request the State party to provide them with an "
        "effective remedy, including compensation and effective measures to monitor their "
        "treatment after return, and to prevent similar violations in the future."
    ]


def _heading(body: TreatyBody) -> str:
    if body is CAT_BODY:
        return (
            "Request for interim measures under rule 114 of the rules of procedure of the "
            "Committee against Torture"
        )
    return (
        f"Communication to the {body.committee} under {body.basis}, with a request for interim "
        f"measures under {body.rule} of its rules of procedure"
    )


def treaty_body_docx(case: CaseOut, profile: OrganisationProfile, body: TreatyBody) -> bytes:
    """The complaint to a treaty body, with its request for interim measures: in the order of
    what the committee asks (identity and authorisation, State party, facts, rights, domestic
    remedies, other procedures), then the request and the remedy sought."""
    document = new_document(footer=case.reference)
    document.add_heading(_heading(body), level=1)
    organisation_block(document, profile, [])
    removal = removal_date(case)
    risk = personal_risk(case, body)
    context = other_obligations(case, body)
    add_sections(
        document,
        [
            Section("Alleged victim", victim_lines(case), numbered=False),
            Section("Authorisation", authorisation_lines(case), numbered=False),
            Section(
                "State party",
                ["Kazakhstan." + (f" Removal to {case.destination}." if case.destination else "")],
                numbered=False,
            ),
            Section(
                "Facts in chronological order",
                ([case.narrative] if case.narrative else []) + facts(case) + after_return(case),
            ),
            Section("Personal risk on return", risk or [body.no_grounds]),
            *(
                [
                    Section(
                        "Other obligations of the State party (context)",
                        [
                            "The removal also engages the following obligations of the State "
                            "party under other instruments. They are given as context only and "
                            f"are not submitted to the Committee, which examines {body.treaty}."
                        ]
                        + context,
                        numbered=False,
                    )
                ]
                if context
                else []
            ),
            Section(
                "Domestic remedies",
                domestic_remedies(case),
            ),
            Section(
                "Other procedures of international investigation or settlement",
                other_procedures_lines(case),
            ),
            Section("Date of removal", [removal]),
            Section("Request", interim_measures_request(case, body)),
            Section("Remedy sought", remedy_sought(case, body)),
        ],
    )
    return to_bytes(document)
