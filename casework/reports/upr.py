"""The UPR stakeholder submission: generated text, drafts with versions, the Word document.

A draft's text is plain lines: ``# title``, ``## section``, ``> `` an unnumbered paragraph
(notes, lists), anything else a numbered paragraph; blank lines separate paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import insert, or_, select

from casework import permissions
from casework.advocacy.models import UPRCycle, UPRRecommendation, recommendation_cases
from casework.audit.services import record
from casework.cases.models import Case
from casework.core.db import db
from casework.core.errors import ValidationFailed, check_version
from casework.core.i18n import english
from casework.core.i18n import gettext as _
from casework.core.vocab import CaseStatus
from casework.reports import documents, services
from casework.reports.anonymise import (
    CaseOut,
    Disclosure,
    Output,
    disclose_case,
    disclosure_facts,
    scrub_for_cases,
)
from casework.reports.models import (
    UPR_WORD_LIMIT_INDIVIDUAL,
    UPR_WORD_LIMIT_JOINT,
    ReportDraft,
    ReportDraftVersion,
    report_draft_cases,
)
from casework.reports.statistics import Filters, published_statistics

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
# The State the submissions are about, unless a cycle names another.
STATE = "Kazakhstan"
# The statistics a submission gives, in this order.
_STATISTICS = ("year", "destination", "after_return", "interim_measures")
# A UPR cycle: about four and a half years between a State's reviews.
CYCLE_DAYS = round(4.5 * 365.25)


def word_count(text: str) -> int:
    """Words as OHCHR counts them (markup signs are not words)."""
    return len(_WORD.findall(text or ""))


def word_limit(joint: bool) -> int:
    key = "UPR_WORD_LIMIT_JOINT" if joint else "UPR_WORD_LIMIT_INDIVIDUAL"
    default = UPR_WORD_LIMIT_JOINT if joint else UPR_WORD_LIMIT_INDIVIDUAL
    return int(current_app.config.get(key, default))


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationFailed({"period_to": [_("The period ends before it starts.")]})


def period_warning(period: Period, state: str = STATE) -> str | None:
    """Why ``period`` may not be the one since the State's last review, which a submission
    covers: it starts before the last review recorded by its end; or, none recorded by then,
    it is longer than a cycle. None when it fits (a warning: the draft is made all the same)."""
    reviews = [
        cycle
        for cycle in db.session.scalars(
            select(UPRCycle).where(
                UPRCycle.state_under_review == state, UPRCycle.review_date.is_not(None)
            )
        )
        if cycle.review_date.earliest() <= period.end
    ]
    if reviews:
        last = max(reviews, key=lambda cycle: cycle.review_date.earliest())
        if period.start < last.review_date.earliest():
            return _(
                "The period starts before the last review of %(state)s (%(review)s, cycle "
                "%(number)s): a submission covers the period since the last review, and what "
                "came before belongs to the earlier cycle. Start the period at that review.",
                state=state,
                review=last.review_date.iso(),
                number=last.number,
            )
        return None
    if (period.end - period.start).days > CYCLE_DAYS:
        return _(
            "The period is longer than a UPR cycle (about 4.5 years): a submission covers the "
            "period since the State's last review. Record the reviews under UPR cycles, or "
            "shorten the period."
        )
    return None


def period_cases(user: Any, period: Period, loaded: str = "summary") -> list[Case]:
    """Verified and closed cases of the period that the user may read, loaded with what the
    submission says of them (``disclose_case`` with ``summary``), or with their ``people``
    only (what its text is scrubbed against)."""
    return services.readable_cases(
        user,
        statuses=[CaseStatus.VERIFIED, CaseStatus.CLOSED],
        date_from=period.start,
        date_to=period.end,
        loaded=loaded,
    )


def _recommendations(
    cases: list[Case], period: Period, cycle: UPRCycle | None
) -> list[tuple[UPRRecommendation, list[Case]]]:
    """The earlier recommendations linked to the cases, each with those of ``cases`` linked to
    it (in the order the recommendation lists its cases; its other cases are not read: a
    recommendation of long ago may be linked to thousands): of reviews held by the period's end
    (or of an unknown date) and, for a submission to a given cycle, of the cycles before it. In
    the order of the reviews, then of their paragraph numbers read as numbers (99.1 before
    121.45)."""
    if not cases:
        return []
    by_id = {c.id: c for c in cases}
    linked = (
        recommendation_cases.c.case_id.in_(list(by_id)),
        or_(UPRCycle.review_date.is_(None), UPRCycle.review_date <= period.end.isoformat()),
        *([UPRCycle.number < cycle.number] if cycle is not None else []),
    )
    recs = db.session.scalars(
        select(UPRRecommendation)
        .join(UPRCycle, UPRCycle.id == UPRRecommendation.cycle_id)
        .join(
            recommendation_cases,
            recommendation_cases.c.recommendation_id == UPRRecommendation.id,
        )
        .where(*linked)
        .distinct()
    ).all()
    if not recs:
        return []
    ours: dict[int, list[Case]] = {}
    for rec_id, case_id in db.session.execute(
        select(recommendation_cases.c.recommendation_id, recommendation_cases.c.case_id)
        .join(UPRRecommendation, UPRRecommendation.id == recommendation_cases.c.recommendation_id)
        .join(UPRCycle, UPRCycle.id == UPRRecommendation.cycle_id)
        .join(Case, Case.id == recommendation_cases.c.case_id)
        .where(*linked)
        .order_by(Case.reference_key)  # as a recommendation lists its cases
    ):
        ours.setdefault(rec_id, []).append(by_id[case_id])
    return sorted(((rec, ours[rec.id]) for rec in recs), key=lambda pair: _review_order(pair[0]))


def _review_order(rec: UPRRecommendation) -> tuple[Any, ...]:
    review = rec.cycle.review_date
    number = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in rec.number.split(".")
    )
    return (review is None, review.iso() if review else "", rec.cycle.number, number)


def _implementation(rec: UPRRecommendation, ours: list[Case]) -> str:
    """Implemented, as far as our cases show (``ours``, those of the period linked to it): any
    case of ours after the review says no."""
    review = rec.cycle.review_date
    # On the recorded dates: a document's "c. 2011-06" does not sort as a date.
    later = [c for c in ours if review is None or (c.act_date and c.act_date.iso() >= review.iso())]
    if later:
        refs = ", ".join(c.reference for c in later)
        return f"Not implemented as far as our cases show: {len(later)} case(s) since ({refs})."
    return "No case of ours contradicts it in this period."


def _case_summary(c: CaseOut, note: int) -> str:
    victim = documents.victims(c)
    who = documents.person_line(victim[0]) if victim else "a person"
    if victim and victim[0].disclosure == Disclosure.WITHHELD:
        who = "a person whose identity is withheld"
    act = (c.act_type or "removal").lower() + (f" to {c.destination}" if c.destination else "")
    if not documents.removal_carried_out(c):
        # The act recorded is the arrest or the decision the removal follows from.
        since = f"since {c.act_date}, " if c.act_date else ""
        text = f"Case {c.reference}: {since}{who} faces {act}; the removal is imminent."
    else:
        # "on" a day, "in" a month or a year (an approximate one too: "in c. 2012-06").
        on_a_day = bool(c.act_date and re.fullmatch(r"(c\. )?\d{4}-\d{2}-\d{2}", c.act_date))
        text = (
            f"Case {c.reference}: {'on' if on_a_day else 'in'} "
            f"{c.act_date or 'an unknown month'}, {who} was subjected to {act}."
        )
    text += f" Current situation: {c.situation.lower()}."
    if c.narrative:
        text += f" {c.narrative}"
    return f"{text} [{note}]"


def generate_text(
    user: Any,
    period: Period,
    joint: bool,
    cycle: UPRCycle | None = None,
    cases: list[Case] | None = None,
) -> str:
    """The first text of a submission from the cases of the period (anonymised summaries):
    ``cases``, or those of the period the user reads. In English, whoever generates it: the
    submission goes to OHCHR."""
    with english():
        return _submission_text(user, period, joint, cycle, cases)


def _submission_text(
    user: Any, period: Period, joint: bool, cycle: UPRCycle | None, cases: list[Case] | None
) -> str:
    cases = period_cases(user, period) if cases is None else cases
    facts = disclosure_facts(cases, Output.UPR, summary=True)
    disclosed = {
        c.reference: disclose_case(c, Output.UPR, facts=facts[c.id], summary=True) for c in cases
    }
    state = cycle.state_under_review if cycle else STATE
    tables = {
        t.key: t
        # Published: the submission leaves the organisation (no small count, ``publish``).
        for t in published_statistics(
            user,
            # The cases of the period, as the text counts them: not its whole years.
            Filters(
                statuses=(CaseStatus.VERIFIED, CaseStatus.CLOSED),
                date_from=period.start,
                date_to=period.end,
            ),
            _STATISTICS,
        )
    }
    lines = [
        f"# {'Joint stakeholder' if joint else 'Stakeholder'} submission to the Universal "
        f"Periodic Review of {state}",
        "## Executive summary",
        f"This submission covers {period.start.isoformat()} to {period.end.isoformat()}. "
        f"We documented {len(cases)} verified case(s) of refoulement or attempted removal from "
        f"{state} in this period, and assess the implementation of earlier recommendations "
        "against them.",
        "## Statistics",
    ]
    for key in _STATISTICS:
        table = tables[key]
        if table.rows:
            parts = ", ".join(f"{row[0]}: {row[1]}" for row in table.rows)
            lines.append(f"{table.title}: {parts}.")
    # Case summaries by theme: the kind of removal.
    notes: list[str] = []
    themes: dict[str, list[CaseOut]] = {}
    for c in disclosed.values():
        themes.setdefault(c.act_type or "Other removals", []).append(c)
    for theme, members in sorted(themes.items()):
        lines.append(f"## Cases: {theme.lower()}")
        for c in members:
            notes.append(
                f"> [{len(notes) + 1}] Case file {c.reference}, documented and verified by the author."
            )
            lines.append(_case_summary(c, len(notes)))
    lines.append("## Implementation of earlier recommendations")
    recs = _recommendations(cases, period, cycle)
    if not recs:
        lines.append(_("No earlier recommendation is linked to the cases of this period."))
    for rec, ours in recs:
        lines.append(
            f"Recommendation {rec.number} ({rec.recommending_state}, {rec.cycle.label}; "
            f"{rec.response.label.lower()}): {rec.text} {_implementation(rec, ours)}"
        )
    lines += [
        "## Recommendations",
        f"We recommend that {state}: respect the absolute prohibition of refoulement; give "
        "every appeal against extradition or expulsion suspensive effect; comply with interim "
        "measures of UN treaty bodies; and stop relying on diplomatic assurances.",
        "## Notes",
        *notes,
    ]
    return "\n\n".join(lines) + "\n"


# --- drafts ---------------------------------------------------------------------------------


def check_co_authors(joint: bool, co_authors: str | None) -> None:
    """A joint submission names its co-authors at the top (OHCHR), and only a joint one has the
    longer word limit: none named, it is no joint submission."""
    if joint and not co_author_list(co_authors):
        raise ValidationFailed(
            {
                "co_authors": [
                    _(
                        "A joint submission names its co-authors (one organisation a line): "
                        "OHCHR lists them at the top, and gives the longer word limit only to "
                        "joint submissions."
                    )
                ]
            }
        )


def create_draft(
    actor: Any, period: Period, *, joint: bool, co_authors: str = "", title: str = ""
) -> ReportDraft:
    check_co_authors(joint, co_authors)
    cases = period_cases(actor, period)
    body = generate_text(actor, period, joint, cases=cases)
    draft = ReportDraft(
        kind=Output.UPR.value,
        title=title or f"UPR submission {period.start.year}-{period.end.year}",
        period_from=period.start,
        period_to=period.end,
        joint=joint,
        co_authors=co_authors or None,
        word_limit=word_limit(joint),
        body=body,
        created_by_id=actor.id,
        cases_recorded=True,
    )
    db.session.add(draft)
    db.session.flush()
    if cases:
        db.session.execute(
            insert(report_draft_cases), [{"draft_id": draft.id, "case_id": c.id} for c in cases]
        )
    db.session.add(ReportDraftVersion(draft_id=draft.id, number=1, body=body, saved_by_id=actor.id))
    record(actor, "report.draft_created", draft, output="upr")
    return draft


def save_draft(
    actor: Any, draft: ReportDraft, body: str, co_authors: str, version: int | str | None
) -> int:
    """Save the edited text as a new version; return its word count (over the limit is allowed,
    and shown as a warning: never cut)."""
    check_version(draft, version, {"body": body, "co_authors": co_authors})
    check_co_authors(draft.joint, co_authors)
    body = body.replace("\r\n", "\n")
    number = (draft.versions[0].number if draft.versions else 0) + 1
    draft.body = body
    draft.co_authors = co_authors or None
    db.session.add(
        ReportDraftVersion(draft_id=draft.id, number=number, body=body, saved_by_id=actor.id)
    )
    db.session.flush()
    record(actor, "report.draft_saved", draft, output="upr", version=number)
    return word_count(body)


def drafts(user: Any) -> list[ReportDraft]:
    """The drafts ``user`` may read (``permissions.visible_drafts_clause``), latest first."""
    return list(
        db.session.scalars(
            select(ReportDraft)
            .where(permissions.visible_drafts_clause(user))
            .order_by(ReportDraft.updated_at.desc())
        )
    )


def co_author_list(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def draft_cases(draft: ReportDraft) -> list[Case]:
    """The cases the draft's text was generated from, whatever became of them since (another
    status, another act date), with their people and names (``services.with_people``)."""
    return list(
        db.session.scalars(
            services.with_people(
                select(Case)
                .join(report_draft_cases, report_draft_cases.c.case_id == Case.id)
                .where(report_draft_cases.c.draft_id == draft.id)
                .order_by(Case.id)
            )
        )
    )


def render_docx(
    actor: Any,
    body: str,
    *,
    co_authors: list[str],
    period: Period,
    written_from: list[Case] | None = None,
) -> tuple[bytes, int]:
    """The Word document of a submission text, scrubbed against every person of the period's
    cases the actor may read and of the cases the text was ``written_from`` (an edit cannot
    put a withheld name back, nor can a case that left the period since): (content, cases)."""
    cases = period_cases(actor, period, loaded="people")
    counted = {case.id for case in cases}
    body = scrub_for_cases(
        cases + [case for case in written_from or [] if case.id not in counted], body
    )
    profile = services.organisation(current_app.config["ORGANISATION_NAME"])
    document = documents.new_document()
    documents.organisation_block(document, profile, co_authors)
    number = 1
    for block in re.split(r"\n\s*\n", body):
        text = " ".join(block.split())
        if not text:
            continue
        if text.startswith("## "):
            documents.heading(document, text[3:], level=2)
        elif text.startswith("# "):
            documents.heading(document, text[2:], level=1)
        elif text.startswith("> "):
            documents.paragraph(document, text[2:])
        else:
            documents.paragraph(document, f"{number}. {text}")
            number += 1
    return documents.to_bytes(document), len(cases)


def export_draft(actor: Any, draft: ReportDraft) -> bytes:
    content, n = render_docx(
        actor,
        draft.body,
        co_authors=co_author_list(draft.co_authors),
        period=Period(draft.period_from, draft.period_to),
        written_from=draft_cases(draft),
    )
    services.record_output(actor, Output.UPR.value, "docx", n, draft=draft.public_id)
    return content


def generate_docx(
    actor: Any, period: Period, *, joint: bool, co_authors: list[str]
) -> tuple[bytes, int]:
    """Generate and render at once (the command line): the document and its word count."""
    text = generate_text(actor, period, joint)
    content, n = render_docx(actor, text, co_authors=co_authors, period=period)
    services.record_output(actor, Output.UPR.value, "docx", n)
    return content, word_count(text)
