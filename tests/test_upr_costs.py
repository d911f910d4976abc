"""What the UPR document reads: the cases of its period and what it says of them, not the rest
of the archive, nor what it does not say."""

from __future__ import annotations

from datetime import date

from casework.advocacy import upr as recommendations
from casework.advocacy.models import UPRCycle
from casework.core.db import db
from casework.core.types import PartialDate
from casework.core.vocab import CaseStatus, Role
from casework.reports import upr
from tests.case_helpers import decrypted_columns
from tests.factories import make_case, make_user

PERIOD = upr.Period(date(2021, 1, 1), date(2021, 12, 31))


def _case(coordinator, reference: str, act_date: str):
    return make_case(
        coordinator,
        reference=reference,
        act_date=act_date,
        status=CaseStatus.VERIFIED,
        title="Internal working title",
        narrative="Detained in Almaty pending extradition.",
    )


def _generated(coordinator) -> tuple[str, list[str]]:
    db.session.expire_all()
    with decrypted_columns() as opened:
        text = upr.generate_text(coordinator, PERIOD, joint=False)
    return text, opened


def test_a_recommendation_s_cases_outside_the_period_are_not_read(app):
    """The implementation of a recommendation is judged from the period's cases: the other
    cases linked to it, however many, are neither read nor decrypted, and change nothing."""
    coordinator = make_user(Role.COORDINATOR)
    inside = _case(coordinator, "KZ-2021-0001", "2021-03")
    cycle = UPRCycle(state_under_review="Kazakhstan", number=3, review_date=PartialDate(2019, 11))
    db.session.add(cycle)
    db.session.flush()
    rec = recommendations.create_recommendation(
        coordinator,
        recommendations.RecommendationData(
            cycle=cycle, number="139.24", recommending_state="Germany", text="Respect it."
        ),
    )
    recommendations.link_case(coordinator, rec, inside.reference)
    db.session.commit()
    upr.generate_text(coordinator, PERIOD, joint=False)  # pseudonyms given first
    text, few = _generated(coordinator)
    assert "Recommendation 139.24 (Germany" in text, text
    assert "1 case(s) since (KZ-2021-0001)" in text, text
    for n in range(10):
        outside = _case(coordinator, f"KZ-2015-{n:04d}", "2015-06")
        recommendations.link_case(coordinator, rec, outside.reference)
    db.session.commit()
    again, many = _generated(coordinator)
    assert again == text
    assert sorted(many) == sorted(few), sorted(set(many) - set(few))


# What the document says of a case: the act, the narrative (reviewed, scrubbed of the people of
# the case by their names, numbers, contacts and addresses) and who authorised, which the
# narrative may name.
SAID = {
    "cases.narrative",
    "cases.authorised_by",
    "people.unhcr_number",
    "people.contacts",
    "people.address",
    "person_names.name",
}


def test_the_document_decrypts_only_what_it_says(app):
    """A case's other texts (its title, the place of the act, the account after return, the
    events' descriptions, a person's notes, the legal analyses, the remedies) are not in the
    document: not one of them is decrypted, and the narrative still leaves scrubbed."""
    from casework.cases import services as cases
    from casework.cases.events import add_event
    from casework.core.vocab import Assessment, Role
    from casework.legal import services as legal
    from casework.legal.models import Instrument, Provision
    from casework.legal.services import add_remedy
    from casework.people import services as people
    from casework.people.services import NameInput
    from casework.reports import services
    from casework.reports.anonymise import Output

    coordinator = make_user(Role.COORDINATOR)
    lawyer = make_user(Role.LAWYER)
    case = _case(coordinator, "KZ-2021-0001", "2021-03")
    case.narrative = "Farrukh Umarov was detained in Almaty; call +7 701 555 0042."
    case.act_place = "Abay avenue 10, Almaty"
    case.after_return = "Sentenced in Tashkent."
    person = people.create_person(
        coordinator,
        [NameInput("Farrukh Umarov", None, "as_given")],
        consent="none",
        notes="Lives with his aunt.",
        unhcr_number="UNHCR-123",
    )
    cases.add_person_to_case(coordinator, case, person, "at_risk")
    add_event(
        coordinator, case, {"event_type": "arrest", "date": "2021-03", "description": "At home."}
    )
    from casework.cases.models import CaseMember
    from casework.core.vocab import TeamRole

    case.members.append(CaseMember(user_id=lawyer.id, team_role=TeamRole.LAWYER))
    db.session.flush()
    instrument = Instrument(
        code="CAT", title="Convention", instrument_type="treaty", direction="protective"
    )
    db.session.add(instrument)
    db.session.flush()
    provision = Provision(instrument_id=instrument.id, code="CAT:3", title="Art 3")
    db.session.add(provision)
    db.session.flush()
    legal.add_link(
        lawyer,
        case,
        provision=provision,
        assessment=Assessment.AT_RISK,
        analysis="Umarov faces torture.",
    )
    add_remedy(lawyer, case, kind="extradition_appeal")
    case.status = CaseStatus.VERIFIED
    db.session.commit()
    services.review_free_text(coordinator, case, Output.UPR)
    db.session.commit()
    upr.generate_text(coordinator, PERIOD, joint=False)  # pseudonyms given first
    text, opened = _generated(coordinator)
    summary = next(line for line in text.splitlines() if line.startswith("Case KZ-2021-0001"))
    assert "[name withheld] was detained in Almaty; call [contact withheld]." in summary, summary
    assert "Umarov" not in text and "Tashkent" not in text, text
    assert set(opened) <= SAID, sorted(set(opened) - SAID)


def test_the_document_counts_only_the_statistics_it_gives(app, count_queries):
    """The submission gives the cases by year and by destination, what became of people after
    return and the interim measures: it counts those, not the people by nationality, the
    provisions found violated or the advocacy, which it does not give."""
    coordinator = make_user(Role.COORDINATOR)
    for n in range(6):
        case = _case(coordinator, f"KZ-2021-{n:04d}", "2021-03")
        case.destination_country = "UZ"
    db.session.commit()
    upr.generate_text(coordinator, PERIOD, joint=False)
    db.session.expire_all()
    with count_queries() as counter:
        text = upr.generate_text(coordinator, PERIOD, joint=False)
    assert ": 2021: 6." in text, text
    assert "Uzbekistan: 6" in text, text
    read = [" ".join(s.split()) for s in counter["statements"]]
    counted = [s for s in read if "count(" in s.lower()]
    assert counted
    not_given = ("people.nationality", "advocacy_actions", "provisions.code")
    assert not [s for s in counted if any(word in s for word in not_given)], counted


def test_the_word_document_decrypts_only_what_it_withholds(app):
    """The Word document of a draft scrubs the draft's text against the people of its cases:
    it reads their names, numbers, contacts and addresses and who authorised the
    representation, not the cases' narratives, titles or events, nor the people's notes; and
    the text it gives withholds a name typed into the draft."""
    import io
    import zipfile

    from casework.cases import services as cases
    from casework.cases.events import add_event
    from casework.people import services as people
    from casework.people.services import NameInput

    coordinator = make_user(Role.COORDINATOR)
    case = _case(coordinator, "KZ-2021-0001", "2021-03")
    person = people.create_person(
        coordinator,
        [NameInput("Farrukh Umarov", None, "as_given")],
        consent="none",
        notes="Lives with his aunt.",
    )
    cases.add_person_to_case(coordinator, case, person, "at_risk")
    add_event(
        coordinator, case, {"event_type": "arrest", "date": "2021-03", "description": "Home."}
    )
    case.status = CaseStatus.VERIFIED
    db.session.commit()
    draft = upr.create_draft(coordinator, PERIOD, joint=False)
    draft.body += "\n\nFarrukh Umarov was seen in Tashkent.\n"
    db.session.commit()
    upr.export_draft(coordinator, draft)  # pseudonyms given first
    db.session.commit()
    db.session.expire_all()
    with decrypted_columns() as opened:
        content = upr.export_draft(coordinator, draft)
    document = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    assert "[name withheld] was seen in Tashkent." in document
    assert "Umarov" not in document
    withheld = SAID - {"cases.narrative"}
    read = set(opened) - {"report_drafts.body", "report_drafts.co_authors"}
    assert read <= withheld, sorted(read - withheld)
