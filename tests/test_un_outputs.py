"""What UN bodies read: the legal content of the CAT request, the language and the figures of
the UPR submission, and the dates every document gives."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import docx
import pytest
from sqlalchemy import func, select

from casework.advocacy.models import UPRCycle
from casework.cases.models import Case, CaseMember
from casework.core.db import db
from casework.core.types import PartialDate
from casework.core.vocab import (
    ActionStatus,
    ActionType,
    Assessment,
    CaseStatus,
    TeamRole,
)
from casework.legal import services as legal
from casework.legal.models import Instrument, Provision
from casework.reports import services
from casework.reports.anonymise import Output
from casework.reports.views import case_document
from tests import report_world
from tests.clients import client_for
from tests.extract import text_of


@pytest.fixture
def world(app):
    return report_world.build()


def _docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def _cat_request(app, world) -> str:
    with app.test_request_context():
        text = _docx_text(
            case_document(world.coordinator, world.case, Output.CAT, "docx", anonymise=False)
        )
    # As the request that makes it: what it recorded (a pseudonym given) is committed, else
    # the test's open transaction holds the rows a request of the client then writes.
    db.session.commit()
    return text


def _provision(code: str, title: str, direction: str) -> Provision:
    instrument = Instrument(
        code=code.split(":")[0] + "X",
        title=title,
        instrument_type="regional_agreement",
        direction=direction,
    )
    db.session.add(instrument)
    db.session.flush()
    provision = Provision(instrument_id=instrument.id, code=code, title=title)
    db.session.add(provision)
    db.session.flush()
    return provision


def test_cat_request_gives_as_personal_risk_only_the_provisions_violated_or_at_risk(app, world):
    """The Minsk Convention the State invokes to extradite is no risk to the person."""
    minsk = _provision("MINSK93:56", "Minsk Convention, duty to extradite", "justifying")
    legal.add_link(world.lawyer, world.case, provision=minsk, assessment=Assessment.INVOKED)
    _cat_article(world, assessment=Assessment.VIOLATED)
    text = _cat_request(app, world)
    risk = text.split("Personal risk on return")[1].split("Domestic remedies")[0]
    assert "CAT:3 Article 3: non-refoulement: violated" in risk
    assert "MINSK93" not in risk


def test_cat_request_claims_nothing_about_remedies_that_the_file_does_not_say(app, world):
    """A pending appeal is not one "without suspensive effect"; no remedy recorded is not "no
    remedy available": counsel must show either, the document cannot assume it."""
    text = _cat_request(app, world)
    remedies = text.split("Domestic remedies")[1].split("Date of removal")[0]
    assert "Court appeal against extradition (filed 2012-06-20): Pending; not exhausted" in remedies
    assert "suspensive" not in remedies
    for remedy in legal.case_remedies(world.case):
        legal.hide_remedy(world.lawyer, remedy, "recorded twice")
    db.session.commit()
    remedies = _cat_request(app, world).split("Domestic remedies")[1].split("Date of removal")[0]
    assert "No domestic remedy recorded." in remedies
    assert "available" not in remedies


def test_upr_draft_of_a_russian_speaking_coordinator_is_in_english(app, world):
    """The submission goes to OHCHR in English: vocabulary, countries and sentences alike."""
    from casework.reports.models import ReportDraft

    world.coordinator.language = "ru"
    db.session.commit()
    browser = client_for(app, world.coordinator)
    response = browser.post(
        "/reports/upr", data={"period_from": "2010-01-01", "period_to": "2013-01-01"}
    )
    assert response.status_code == 302
    body = db.session.scalar(select(ReportDraft)).body
    assert "extradition to Uzbekistan" in body
    assert not re.search("[А-Яа-яЁё]", body), body


def _interim_measures(user) -> dict[str, int]:
    from casework.reports.statistics import Filters, statistics

    tables = {t.key: t for t in statistics(user, Filters(statuses=(CaseStatus.VERIFIED,)))}
    return dict(tables["interim_measures"].rows)


def test_interim_measures_breach_counts_a_removal_after_the_grant_only(app, world):
    """The case was removed in 2012 and interim measures granted last week: no breach of
    them, as the case file says; the submission must not accuse the State of one."""
    from casework.advocacy.compliance import interim_measures_breach
    from casework.cases.events import add_event

    assert interim_measures_breach(world.case) is None
    counts = _interim_measures(world.coordinator)
    assert counts["Granted"] == 1
    assert counts["Granted, yet the person was removed"] == 0
    add_event(world.lawyer, world.case, {"event_type": "removal", "date": date.today().isoformat()})
    db.session.commit()
    assert interim_measures_breach(world.case) is not None
    assert _interim_measures(world.coordinator)["Granted, yet the person was removed"] == 1


def test_a_planned_interim_measures_request_is_not_counted_as_requested(app, world):
    from casework.advocacy import services as advocacy

    other = Case(
        reference="KZ-2012-0003",
        created_by_id=world.coordinator.id,
        status=CaseStatus.VERIFIED,
        act_date=PartialDate(2012, 8),
    )
    other.members.append(CaseMember(user_id=world.coordinator.id, team_role=TeamRole.MEMBER))
    db.session.add(other)
    db.session.flush()
    for status in (ActionStatus.PLANNED, ActionStatus.DRAFTING):
        advocacy.create_action(
            world.coordinator,
            advocacy.ActionData(
                action_type=ActionType.INTERIM_MEASURES_REQUEST,
                title=f"Rule 114 request ({status.value})",
                status=status,
                case_references=[other.reference],
            ),
        )
    db.session.commit()
    assert _interim_measures(world.coordinator)["Requested"] == 1  # world.case's, granted


def test_a_monitors_suggestion_is_not_counted_as_a_provision_violated(app, world):
    """Violations are a lawyer's assessment: a suggestion awaiting one is not counted."""
    from casework.reports.statistics import Filters, statistics

    monitor = db.session.get(type(world.coordinator), world.case.created_by_id)
    iccpr = _provision("ICCPR:7", "Torture and ill-treatment", "protective")
    legal.suggest_link(monitor, world.case, provision=iccpr, assessment=Assessment.VIOLATED)
    db.session.commit()
    tables = {t.key: t for t in statistics(world.coordinator, Filters())}
    assert tables["provisions"].rows == [["TSTR:3 Non-refoulement", 1]]


def _communication(app, world) -> str:
    with app.test_request_context():
        content = case_document(
            world.coordinator, world.case, Output.SPECIAL_PROCEDURES, "txt", anonymise=False
        )
    return content.decode()


def test_communication_gives_the_date_of_the_act_to_the_day_known(app, world):
    """Special Procedures ask for the date: a day recorded is not cut to its month."""
    world.case.act_date = PartialDate(2012, 6, 9)
    db.session.commit()
    assert "Date: 2012-06-09. Place: Almaty." in _communication(app, world)


def test_an_approximate_date_leaves_as_approximate(app, world):
    """A date the monitor marked approximate is not presented to a UN body as established."""
    world.case.act_date_approximate = True
    for event in world.case.events:
        event.date_approximate = event.event_type.value == "arrest"
    db.session.commit()
    text = _communication(app, world)
    assert "Date: c. 2012-06. Place: Almaty." in text
    assert "c. 2012-06-09: Arrest, Almaty" in text
    assert "\n2012-07-01: Removal" in text
    from casework.reports import upr

    period = upr.Period(date(2010, 1, 1), date(2013, 1, 1))
    submission = upr.generate_text(world.coordinator, period, False)
    assert "Case KZ-2012-0001: in c. 2012-06," in submission
    assert "1 case(s) since (KZ-2012-0001)" in submission


def test_age_band_is_the_age_at_the_time_of_the_act(app, world):
    """Born in 1985, extradited in 2012: 26-35 then, whatever their age today (a child at
    the time stays a child in the submission)."""
    text = _communication(app, world)
    assert "person at risk (Male, 26-35, Uzbekistan)" in text


def test_statistics_page_and_csv_in_russian_for_a_russian_reader(app, world):
    """The statistics page and its CSV follow the reader's language: titles, headings and
    labels too, not only the vocabulary inside them."""
    from casework.reports.statistics import Filters, statistics

    english_tables = statistics(world.coordinator, Filters())
    world.coordinator.language = "ru"
    db.session.commit()
    browser = client_for(app, world.coordinator)
    page = browser.get("/reports/statistics").get_data(as_text=True)
    for table in english_tables:
        assert table.title not in page
    csv_text = browser.get("/reports/statistics/interim_measures.csv").get_data(as_text=True)
    assert "Interim measures" not in csv_text
    assert "Granted" not in csv_text


def _consent(app, world) -> str:
    return _communication(app, world).split("CONSENT")[1].split("SUBMITTING ORGANISATION")[0]


def test_communication_says_whether_each_victim_agrees_that_the_government_be_contacted(app, world):
    """Special Procedures ask whether the victim consents to the government being contacted:
    the lawyer records the answer on the person, and the communication gives it."""
    consent = _consent(app, world)
    # Not recorded yet: the document says so, and says to ask, rather than guessing.
    assert consent.count("has not yet been asked whether the government may be contacted") == 2
    # The withheld victim has no pseudonym to use; the other is named by theirs.
    withheld = world.people["none"]
    assert "Person at risk (identity withheld) does not consent to being identified" in consent
    pseudonym = world.people["family_at_risk"].pseudonym
    assert f"{pseudonym} does not consent to being named: use the pseudonym {pseudonym}" in consent
    db.session.commit()  # the pseudonym given on first use

    monitor = client_for(app, world.case.members[0].user)
    for person, answer in ((withheld, "refuses"), (world.people["family_at_risk"], "agrees")):
        url = f"/cases/{world.case.public_id}/people/{person.public_id}"
        form = monitor.get(url).get_data(as_text=True)
        assert 'name="government_contact"' in form
        response = monitor.post(
            url,
            data={
                "gender": "male",
                "consent": person.consent.value,
                "family_at_risk": "y" if person.family_at_risk else "",
                "government_contact": answer,
                "version": person.version,
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert withheld.government_contact.value == "refuses"
    consent = _consent(app, world)
    assert (
        "Person at risk (identity withheld) does not consent to the government being contacted"
        in consent
    )
    assert f"{pseudonym} consents to the government being contacted." in consent
    assert "not yet been asked" not in consent
    # The case file shows the answer to the team.
    html = monitor.get(f"/cases/{world.case.public_id}").get_data(as_text=True)
    assert "Government may be contacted" in html and "Does not agree" in html
    # A value outside the list is refused with the form's message, and nothing changes.
    url = f"/cases/{world.case.public_id}/people/{withheld.public_id}"
    bad = monitor.post(
        url, data={"gender": "male", "government_contact": "maybe", "version": withheld.version}
    )
    assert bad.status_code == 200 and "Not a valid choice" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert withheld.government_contact.value == "refuses"


def test_communication_says_the_agencies_are_withheld_until_review_not_unrecorded(app, world):
    """Before the free-text review the agencies (free text) stay in: the document must not
    tell a UN body that none was recorded."""
    text = _communication(app, world)
    perpetrators = text.split("ALLEGED PERPETRATORS")[1].split("DATE AND PLACE")[0]
    assert "withheld until the case has been reviewed" in perpetrators
    assert "agency not recorded" not in perpetrators


def test_preview_of_an_event_with_agencies_and_no_description_shows_no_none(app, world):
    from casework.cases.events import add_event

    add_event(
        world.case.members[0].user,
        world.case,
        {
            "event_type": "detention_pending_extradition",
            "date": "2012-06-10",
            "agencies": "Migration police",
        },
    )
    db.session.commit()
    client = client_for(app, world.coordinator)
    html = client.get(f"/cases/{world.case.public_id}/outputs/special_procedures").get_data(
        as_text=True
    )
    line = next(ln for ln in html.splitlines() if "Migration police" in ln)
    assert "None" not in line


def test_cat_request_says_which_remedies_counsel_shows_to_be_ineffective(app, world):
    """Exhausted, or shown to be ineffective: the reason leaves only with the reviewed free
    text (it may name people), and withheld names are scrubbed from it."""
    from casework.legal.models import Remedy

    remedy = db.session.scalar(select(Remedy).where(Remedy.case_id == world.case.id))
    remedy.ineffective_because = "No suspensive effect: Kholmatov could be removed meanwhile."
    db.session.commit()
    remedies = _cat_request(app, world).split("Domestic remedies")[1].split("Date of removal")[0]
    assert "not exhausted; argued not to be effective (the reasons leave after review)" in remedies
    assert "Kholmatov" not in remedies
    db.session.commit()  # the pseudonyms given on first use
    client = client_for(app, world.coordinator)
    client.post(f"/cases/{world.case.public_id}/outputs/cat/review", data={})
    remedies = _cat_request(app, world).split("Domestic remedies")[1].split("Date of removal")[0]
    assert "not exhausted; not effective: No suspensive effect:" in remedies
    assert "Kholmatov" not in remedies and "could be removed meanwhile" in remedies


def _remedies_of_cat_request(app, world) -> str:
    return _cat_request(app, world).split("Domestic remedies")[1].split("Date of removal")[0]


def test_reasons_written_after_the_review_wait_for_another_review(app, world):
    """Why a remedy is not effective is free text that may name people: text written or changed
    after the free text was reviewed leaves only once it is reviewed in its turn."""
    import time_machine

    from casework.legal.models import Remedy

    remedy = db.session.scalar(select(Remedy).where(Remedy.case_id == world.case.id))
    db.session.commit()
    client = client_for(app, world.coordinator)
    client.post(f"/cases/{world.case.public_id}/outputs/cat/review", data={})
    assert "not exhausted; not effective" not in _remedies_of_cat_request(app, world)
    with time_machine.travel(remedy.updated_at.timestamp() + 60, tick=False):
        legal.update_remedy(
            world.lawyer,
            remedy,
            remedy.version,
            kind=remedy.kind,
            filed_on=remedy.filed_on,
            outcome=remedy.outcome,
            ineffective_because="The neighbour Murat Abenov saw the arrest; no suspensive effect.",
        )
        db.session.commit()
    remedies = _remedies_of_cat_request(app, world)
    assert "Murat Abenov" not in remedies and "no suspensive effect" not in remedies
    assert "argued not to be effective (the reasons leave after review)" in remedies
    # Reviewed again, the reasons leave.
    with time_machine.travel(remedy.updated_at.timestamp() + 120, tick=False):
        client.post(f"/cases/{world.case.public_id}/outputs/cat/review", data={})
    assert "no suspensive effect" in _remedies_of_cat_request(app, world)


def test_the_review_page_shows_the_reasons_a_remedy_is_not_effective(app, world):
    """The reviewer confirms the free text that will leave: the reasons a remedy is not
    effective are shown to them, as they would leave (withheld names replaced)."""
    from casework.legal.models import Remedy

    remedy = db.session.scalar(select(Remedy).where(Remedy.case_id == world.case.id))
    remedy.ineffective_because = "No suspensive effect: Kholmatov could be removed meanwhile."
    db.session.commit()
    client = client_for(app, world.coordinator)
    html = client.get(f"/cases/{world.case.public_id}/outputs/cat").get_data(as_text=True)
    free_text = html.split("Free text")[1]
    assert "could be removed meanwhile" in free_text
    assert "Kholmatov" not in free_text


def test_remedy_dates_leave_at_their_precision_and_approximate_ones_as_approximate(app, world):
    """ "Filed c. June 2012, rejected in August 2012": the CAT request, the communication and
    the dossier give the dates as the act's date is given, never as established days."""
    from casework.legal.models import Remedy

    remedy = db.session.scalar(select(Remedy).where(Remedy.case_id == world.case.id))
    remedy.filed_on = PartialDate(2012, 6)
    remedy.filed_on_approximate = True
    remedy.decided_on = PartialDate(2012, 8)
    db.session.commit()
    line = "Court appeal against extradition (filed c. 2012-06; decided 2012-08): Pending;"
    remedies = _cat_request(app, world).split("Domestic remedies")[1].split("Date of removal")[0]
    assert line in remedies
    assert line in _communication(app, world)
    with app.test_request_context():
        pdf = case_document(world.coordinator, world.case, Output.DOSSIER, "pdf", anonymise=False)
    dossier = " ".join(text_of(pdf, "pdf").split())
    assert "c. 2012-06 2012-08 Pending" in dossier


def test_an_agency_leaves_with_its_state_once_reviewed(app, world):
    """The perpetrators a UN body reads say whose agents they were, as the file records it."""
    from casework.cases.events import add_event
    from casework.reports import services

    add_event(
        world.lawyer,
        world.case,
        {
            "event_type": "arrest",
            "date": "2012-06-11",
            "agencies": "SNB",
            "agencies_country": "UZ",
        },
    )
    services.review_free_text(world.coordinator, world.case, Output.SPECIAL_PROCEDURES)
    db.session.commit()
    text = _communication(app, world)
    perpetrators = text.split("ALLEGED PERPETRATORS")[1].split("DATE AND PLACE")[0]
    assert "SNB (Uzbekistan)" in perpetrators
    assert "2012-06-11: Arrest (SNB (Uzbekistan))" in text


def test_cat_request_on_an_imminent_removal_gives_no_past_date_as_the_removal(app, world):
    """The intake records the act as the first event of the timeline; on a case whose removal is
    still imminent, its date (an arrest, a decision) is not a removal that already took place:
    the request asks that the person not be removed."""
    from casework.core.vocab import Urgency

    world.case.urgency = Urgency.IMMINENT
    db.session.commit()
    removal = _cat_request(app, world).split("Date of removal")[1].split("Request")[0]
    assert "Removal date recorded: 2012" not in removal
    assert "imminent" in removal


def test_upr_submission_gives_a_day_with_on_and_a_month_or_year_with_in(app, world):
    """ "in 2012-06-09" is not English: a day takes "on"."""
    from casework.reports import upr

    world.case.act_date = PartialDate(2012, 6, 9)
    db.session.commit()
    period = upr.Period(date(2010, 1, 1), date(2013, 1, 1))
    submission = upr.generate_text(world.coordinator, period, False)
    assert "Case KZ-2012-0001: on 2012-06-09," in submission


def test_upr_submission_assesses_earlier_recommendations_only_in_the_order_of_the_reviews(
    app, world
):
    """'Implementation of earlier recommendations': a recommendation of a review held after
    the period (or of the cycle the submission is for) is not an earlier one; the rest follow
    the reviews, and paragraph numbers read as numbers (99.1 before 121.45)."""
    from casework.advocacy.models import UPRCycle, UPRRecommendation
    from casework.reports import upr

    second = db.session.scalar(select(UPRCycle).where(UPRCycle.number == 2))
    third = UPRCycle(state_under_review="Kazakhstan", number=3, review_date=PartialDate(2014, 11))
    fourth = UPRCycle(state_under_review="Kazakhstan", number=4, review_date=PartialDate(2025, 1))
    db.session.add_all([third, fourth])
    db.session.flush()
    for cycle, number in ((fourth, "139.24"), (third, "121.45"), (second, "99.1")):
        rec = UPRRecommendation(
            cycle_id=cycle.id, number=number, recommending_state="Norway", text=f"Text {number}."
        )
        rec.cases.append(world.case)
        db.session.add(rec)
    db.session.commit()
    section = (
        upr.generate_text(
            world.coordinator, upr.Period(date(2010, 1, 1), date(2024, 12, 31)), False
        )
        .split("## Implementation of earlier recommendations")[1]
        .split("## Recommendations")[0]
    )
    order = re.findall(r"Recommendation ([\d.]+) ", section)
    assert order == ["98.12", "99.1", "121.45"]  # 139.24 came after the period
    for_third = upr.generate_text(
        world.coordinator, upr.Period(date(2010, 1, 1), date(2024, 12, 31)), False, cycle=third
    )
    assert re.findall(r"Recommendation ([\d.]+) ", for_third) == ["98.12", "99.1"]


def test_cat_request_gives_counsels_analysis_of_the_personal_risk_once_reviewed(app, world):
    """The Committee asks for the personal risk on return: a list of provisions "at risk" does
    not show it, the lawyer's analysis does. It leaves with the reviewed free text only, withheld
    names replaced; an analysis of a norm the State invokes is no risk to the person."""
    minsk = _provision("MINSK93:56", "Minsk Convention, duty to extradite", "justifying")
    legal.add_link(
        world.lawyer,
        world.case,
        provision=minsk,
        assessment=Assessment.INVOKED,
        analysis="The request under Minsk lacks the required guarantees.",
    )
    _cat_article(world, assessment=Assessment.VIOLATED, analysis="Kholmatov faces torture.")
    risk = (
        _cat_request(app, world).split("Personal risk on return")[1].split("Domestic remedies")[0]
    )
    assert "faces torture" not in risk  # not reviewed yet
    db.session.commit()  # the pseudonyms given on first use
    client = client_for(app, world.coordinator)
    client.post(f"/cases/{world.case.public_id}/outputs/cat/review", data={})
    risk = (
        _cat_request(app, world).split("Personal risk on return")[1].split("Domestic remedies")[0]
    )
    assert "CAT:3 Article 3: non-refoulement: violated" in risk
    assert "CAT:3: [name withheld] faces torture" in risk
    assert "Kholmatov" not in risk and "Yusupova" not in risk
    assert "Minsk" not in risk


def test_what_happened_after_return_leaves_with_the_reviewed_free_text(app, world):
    """An allegation letter is about what happened: the account of the person's fate after
    return (detention, trial, torture) is part of the facts a UN body reads, as is it of the
    CAT request and the dossier. The review page shows it as leaving with the output: once
    reviewed it does, withheld names replaced; before, it does not."""
    from casework.core.vocab import Situation, Urgency
    from casework.reports import services

    world.case.urgency = Urgency.ROUTINE
    world.case.current_situation = Situation.REMOVED
    db.session.commit()
    assert "held in Tashkent" not in _communication(app, world)
    for kind in (Output.SPECIAL_PROCEDURES, Output.CAT, Output.DOSSIER):
        services.review_free_text(world.coordinator, world.case, kind)
    db.session.commit()
    letter = _communication(app, world)
    facts = letter.split("DESCRIPTION OF THE FACTS")[1].split("DOMESTIC REMEDIES")[0]
    assert "After return: [name withheld] is held in Tashkent" in facts
    assert "Холматов" not in letter and "Mirzaev" not in letter
    cat = _cat_request(app, world)
    facts = cat.split("Facts in chronological order")[1].split("Personal risk on return")[0]
    assert "After return: [name withheld] is held in Tashkent" in facts
    with app.test_request_context():
        pdf = case_document(world.coordinator, world.case, Output.DOSSIER, "pdf", anonymise=False)
    dossier = " ".join(text_of(pdf, "pdf").split())
    assert "After return [name withheld] is held in Tashkent" in dossier
    assert "Холматов" not in dossier and "Mirzaev" not in dossier


def test_upr_submission_does_not_present_an_imminent_removal_as_carried_out(app, world):
    """A case whose removal is imminent, with no removal on its timeline, has not been removed
    (the act recorded at intake is then no removal event): the submission must not tell OHCHR
    that the person "was subjected to extradition". A removal recorded, it says so."""
    from casework.core.hiding import hide
    from casework.core.vocab import EventType, Urgency
    from casework.reports import upr

    period = upr.Period(date(2010, 1, 1), date(2013, 1, 1))

    def summary() -> str:
        text = upr.generate_text(world.coordinator, period, False)
        return next(line for line in text.splitlines() if line.startswith("Case KZ-2012-0001"))

    assert world.case.urgency == Urgency.IMMINENT
    assert "was subjected to extradition to Uzbekistan." in summary()  # removed on 2012-07-01
    removal = next(e for e in world.case.events if e.event_type == EventType.REMOVAL)
    hide(removal, world.lawyer, "recorded in error", case=world.case)
    db.session.commit()
    pending = summary()
    assert "was subjected to" not in pending
    assert "since 2012-06," in pending
    assert "faces extradition to Uzbekistan; the removal is imminent." in pending
    world.case.urgency = Urgency.ROUTINE  # a case no longer imminent: its act happened
    db.session.commit()
    assert "was subjected to extradition to Uzbekistan." in summary()


def test_urgent_appeal_says_when_the_removal_is_expected(app, world):
    """An urgent appeal is sent because removal is imminent: the mandate needs the date it is
    expected on, which the file records, as the CAT request gives it; without one, it says that
    none has been communicated."""
    from casework.cases.events import add_event

    def kind_of_communication() -> str:
        return _communication(app, world).split("TYPE OF COMMUNICATION")[1].split("VICTIM(S)")[0]

    assert "Removal is imminent; no date has been communicated." in kind_of_communication()
    expected = (date.today() + timedelta(days=5)).isoformat()
    add_event(world.lawyer, world.case, {"event_type": "removal_pending", "date": expected})
    db.session.commit()
    assert f"Removal is imminent: it is expected on {expected}." in kind_of_communication()


def test_the_expected_removal_date_is_read_at_its_precision(app, world):
    """A removal expected "this month" is still ahead (its last day is), and is "in" that month,
    not "on" it; a pending removal with no date recorded has no date to give, not "date
    unknown" as if it were one."""
    from casework.cases.events import add_event
    from casework.core.hiding import hide

    def removal() -> str:
        return _cat_request(app, world).split("Date of removal")[1].split("Request")[0]

    pending = add_event(world.lawyer, world.case, {"event_type": "removal_pending"})
    db.session.commit()
    assert "Removal is imminent; no date has been communicated." in removal()
    hide(pending, world.lawyer, "recorded in error", case=world.case)
    this_month = date.today().isoformat()[:7]
    add_event(world.lawyer, world.case, {"event_type": "removal_pending", "date": this_month})
    db.session.commit()
    assert f"Removal is imminent: it is expected in {this_month}." in removal()
    assert f"Removal is imminent: it is expected in {this_month}." in _communication(app, world)


def test_a_joint_upr_submission_names_its_co_authors(app, world):
    """OHCHR names every co-author at the top of a joint submission and gives the longer limit
    (5,630 words) to joint submissions only: a "joint" one with no co-author would go out under
    a title and a limit it has no right to. It is refused, and a co-author named gets through."""
    from casework.reports.models import ReportDraft

    client = client_for(app, world.coordinator)
    period = {"period_from": "2010-01-01", "period_to": "2013-01-01", "joint": "y"}
    response = client.post("/reports/upr", data={**period, "co_authors": "  "})
    assert response.status_code == 200
    assert "A joint submission names its co-authors" in response.get_data(as_text=True)
    assert db.session.scalar(select(ReportDraft)) is None
    response = client.post("/reports/upr", data={**period, "co_authors": "Partner NGO"})
    assert response.status_code == 302
    draft = db.session.scalar(select(ReportDraft))
    assert draft.joint and draft.word_limit == 5630
    url = f"/reports/upr/{draft.public_id}"
    response = client.post(url, data={"body": draft.body, "co_authors": "", "version": 1})
    assert response.status_code == 200
    assert "A joint submission names its co-authors" in response.get_data(as_text=True)
    db.session.expire_all()
    assert draft.co_authors == "Partner NGO" and len(draft.versions) == 1
    text = text_of(client.get(f"{url}/docx").get_data(), "docx")
    assert "Joint submission with: Partner NGO" in text
    assert "Joint stakeholder submission" in text


def test_a_witness_or_relative_is_never_presented_as_the_victim(app, world):
    """A case may hold only the relative who reported it, or a witness, before the person at
    risk is recorded: none of them is the victim, and a document must not present them as one,
    nor state the victim's consent from theirs."""
    from casework.cases import services as cases

    monitor = world.case.members[0].user
    cases.add_person_to_case(monitor, world.case, world.people["none"], "witness")
    cases.add_person_to_case(monitor, world.case, world.people["family_at_risk"], "family")
    db.session.commit()
    letter = _communication(app, world)
    victims = letter.split("VICTIM(S)")[1].split("ALLEGED PERPETRATORS")[0]
    assert victims.strip() == "No person at risk is recorded in the file."
    consent = letter.split("CONSENT")[1].split("SUBMITTING ORGANISATION")[0]
    assert "victim" not in consent.lower()
    assert "No person at risk is recorded" in consent
    cat = _cat_request(app, world)
    alleged = cat.split("Alleged victim")[1].split("Authorisation")[0]
    assert alleged.strip() == "No person at risk is recorded in the file."
    # The person at risk recorded, they are the victim.
    cases.add_person_to_case(monitor, world.case, world.people["family_at_risk"], "at_risk")
    db.session.commit()
    victims = _communication(app, world).split("VICTIM(S)")[1].split("ALLEGED PERPETRATORS")[0]
    assert "person at risk (Male, 26-35, Uzbekistan)" in victims


def test_cat_request_does_not_ask_to_stop_a_removal_that_took_place(app, world):
    """The person removed on 2012-07-01 (the case no longer imminent): asking the Committee
    to request that the State "not remove" them contradicts the request's own date of removal.
    It asks, in the words of rule 114, for the measures needed to avoid possible irreparable
    damage."""
    from casework.core.hiding import hide
    from casework.core.vocab import EventType, Situation, Urgency

    def request() -> str:
        return _cat_request(app, world).split("\nRequest\n")[1]

    assert "not to remove the alleged victim" in request()  # imminent
    world.case.urgency = Urgency.ROUTINE
    db.session.commit()
    text = request()
    assert "not to remove" not in text
    assert "The alleged victim was removed on 2012-07-01." in text
    assert "to avoid possible irreparable damage to the alleged victim" in text
    # No removal on the timeline, the person detained: the removal is still to be stopped.
    removal = next(e for e in world.case.events if e.event_type == EventType.REMOVAL)
    hide(removal, world.lawyer, "recorded in error", case=world.case)
    db.session.commit()
    assert "not to remove the alleged victim" in request()
    world.case.current_situation = Situation.REMOVED
    db.session.commit()
    assert "The alleged victim has been removed." in request()


def _cat_article(world, code: str = "CAT:3", assessment=Assessment.AT_RISK, analysis=None):
    """A provision of the Convention against Torture (instrument ``CAT``) linked to the case."""
    instrument = db.session.scalar(select(Instrument).where(Instrument.code == "CAT"))
    if instrument is None:
        instrument = Instrument(
            code="CAT",
            title="Convention against Torture",
            instrument_type="treaty",
            direction="protective",
        )
        db.session.add(instrument)
        db.session.flush()
    provision = Provision(
        instrument_id=instrument.id, code=code, title="Article 3: non-refoulement"
    )
    db.session.add(provision)
    db.session.flush()
    legal.add_link(
        world.lawyer, world.case, provision=provision, assessment=assessment, analysis=analysis
    )
    db.session.commit()
    return provision


def test_cat_request_argues_the_convention_only_other_instruments_as_context(app, world):
    """The Committee against Torture examines the Convention against Torture only: the
    request's grounds are its articles (art. 3 above all); the ICCPR or the Refugee Convention
    linked to the case are mentioned apart, as context, never as the Committee's grounds."""
    iccpr = _provision("ICCPR:7", "Torture and ill-treatment", "protective")
    refugee = _provision("CSR51:33", "Refugee Convention, non-refoulement", "protective")
    legal.add_link(world.lawyer, world.case, provision=iccpr, assessment=Assessment.AT_RISK)
    legal.add_link(world.lawyer, world.case, provision=refugee, assessment=Assessment.VIOLATED)
    _cat_article(world, analysis="Kholmatov was tortured in 2005 and is sought again.")
    services.review_free_text(world.coordinator, world.case, Output.CAT)
    db.session.commit()
    text = _cat_request(app, world)
    risk = text.split("Personal risk on return")[1].split("Other obligations")[0]
    assert "CAT:3 Article 3: non-refoulement: at risk" in risk
    assert "CAT:3: [name withheld] was tortured in 2005" in risk
    for code in ("ICCPR", "CSR51", "TSTR"):
        assert code not in risk
    context = text.split("Other obligations")[1].split("Domestic remedies")[0]
    assert "not submitted to the Committee" in context
    assert "ICCPR:7 Torture and ill-treatment" in context
    assert "CSR51:33 Refugee Convention, non-refoulement" in context
    assert "Kholmatov" not in text


def test_cat_request_with_no_article_of_the_convention_says_so_before_it_is_made(app, world):
    """The case links the ICCPR only (and an article of the Convention as merely relevant):
    the review page says, as it shows what else is missing, that the Committee has no ground
    to examine, and the request does not present another instrument in its place. Article 3
    linked as at risk, the warning goes."""
    iccpr = _provision("ICCPR:7", "Torture and ill-treatment", "protective")
    legal.add_link(world.lawyer, world.case, provision=iccpr, assessment=Assessment.AT_RISK)
    _cat_article(world, code="CAT:22", assessment=Assessment.RELEVANT)
    client = client_for(app, world.coordinator)
    warning = "No article of the Convention against Torture is linked to this case"
    html = client.get(f"/cases/{world.case.public_id}/outputs/cat").get_data(as_text=True)
    assert warning in html
    assert "flash-error" in html.split(warning)[0].rsplit("<p", 1)[1]
    # Not a warning of the Special Procedures' communication, which is no treaty complaint.
    page = client.get(f"/cases/{world.case.public_id}/outputs/special_procedures")
    assert warning not in page.get_data(as_text=True)
    risk = _cat_request(app, world).split("Personal risk on return")[1].split("Other obligations")
    assert "No article of the Convention is relied on yet" in risk[0]
    assert "ICCPR" not in risk[0]
    _cat_article(world)
    html = client.get(f"/cases/{world.case.public_id}/outputs/cat").get_data(as_text=True)
    assert warning not in html


def test_an_article_of_the_convention_is_known_by_its_instrument_not_its_code(app, world):
    """A lawyer adds an article to the catalogue under the Convention with a code of another
    shape ("CAT-3BIS"): it is a ground the Committee examines. A code that only looks like one
    ("CAT:99" of another instrument) is context."""
    _cat_article(world, code="CAT-3BIS")
    lookalike = _provision("CAT:99", "Look-alike", "protective")
    legal.add_link(world.lawyer, world.case, provision=lookalike, assessment=Assessment.AT_RISK)
    services.review_free_text(world.coordinator, world.case, Output.CAT)
    db.session.commit()
    text = _cat_request(app, world)
    risk = text.split("Personal risk on return")[1].split("Other obligations")[0]
    assert "CAT-3BIS Article 3: non-refoulement: at risk" in risk
    assert "CAT:99" not in risk
    assert "CAT:99 Look-alike" in text.split("Other obligations")[1]


def test_a_victim_whose_identity_is_withheld_is_flagged_before_the_un_outputs(app, world):
    """The person at risk gave no consent (``none``): the documents call them "identity
    withheld", and must go on doing so; but UN treaty bodies do not consider anonymous
    complaints and the Special Procedures need the victim's identity to act. The review page of
    each says so, as it shows what else is missing, before anything is sent; once the person
    consents to be identified to the body, the warning goes."""
    client = client_for(app, world.coordinator)
    warnings = {
        "cat": "The Committee against Torture does not consider anonymous complaints",
        "special_procedures": "The Special Procedures do not act on anonymous communications",
    }
    for output, warning in warnings.items():
        html = client.get(f"/cases/{world.case.public_id}/outputs/{output}").get_data(as_text=True)
        assert warning in html
        assert "flash-error" in html.split(warning)[0].rsplit("<p", 1)[1]
        assert "obtain their consent" in html
        assert "Kholmatov" not in html and "Холматов" not in html
    dossier = client.get(f"/cases/{world.case.public_id}/outputs/dossier").get_data(as_text=True)
    assert "anonymous" not in dossier  # counsel's dossier goes to no UN body
    # The documents still withhold the name.
    letter = _communication(app, world)
    cat = _cat_request(app, world)
    for text in (letter, cat):
        assert "Person at risk (identity withheld)" in text
        for value in report_world.NONE_PERSON["names"] + report_world.NONE_PERSON["spellings"]:
            assert value not in text
    # Consent to be identified (a pseudonym in public, the identity to the body): no warning.
    world.people["none"].consent = "anonymised"
    world.people["none"].consent_date = date(2024, 3, 1)
    db.session.commit()
    for output, warning in warnings.items():
        html = client.get(f"/cases/{world.case.public_id}/outputs/{output}").get_data(as_text=True)
        assert warning not in html


def test_the_un_outputs_say_the_victims_legal_status_unless_their_identity_is_withheld(app, world):
    """Who the victim is, for a UN body, includes whether they are an asylum seeker or a
    refugee recognised by UNHCR: the communication, the CAT request and counsel's dossier give
    it with the other details of a person who may be described. A person whose identity is
    withheld leaves with nothing but their role, legal status included."""
    world.people["family_at_risk"].legal_status = "mandate_refugee"
    world.people["none"].legal_status = "rejected"
    db.session.commit()
    line = "person at risk (Male, 26-35, Uzbekistan); legal status: mandate refugee (UNHCR)"
    victims = _communication(app, world).split("VICTIM(S)")[1].split("ALLEGED PERPETRATORS")[0]
    assert line in victims
    assert "Person at risk (identity withheld)\n" in victims
    assert "rejected" not in victims.lower()
    alleged = _cat_request(app, world).split("Alleged victim")[1].split("State party")[0]
    assert line in alleged and "rejected" not in alleged.lower()
    with app.test_request_context():
        pdf = case_document(world.coordinator, world.case, Output.DOSSIER, "pdf", anonymise=False)
    dossier = " ".join(text_of(pdf, "pdf").split())
    assert "Mandate refugee (UNHCR)" in dossier
    assert "Rejected asylum seeker" not in dossier


def test_the_un_outputs_name_the_authority_that_decided_each_remedy_once_reviewed(app, world):
    """A UN body weighs the remedies by the authority that heard them (a city court, the
    migration service): the CAT request, the communication and the dossier name it. It is free
    text the lawyer typed, so it leaves with the reviewed free text only, withheld names
    replaced, and the review page shows it to the reviewer."""
    from casework.legal.models import Remedy

    remedy = db.session.scalar(select(Remedy).where(Remedy.case_id == world.case.id))
    remedy.body = "Almaty city court (appeal of Kholmatov)"
    db.session.commit()
    assert "Almaty city court" not in _remedies_of_cat_request(app, world)
    assert "Almaty city court" not in _communication(app, world)
    db.session.commit()  # the pseudonyms given on first use
    client = client_for(app, world.coordinator)
    html = client.get(f"/cases/{world.case.public_id}/outputs/cat").get_data(as_text=True)
    free_text = html.split("Free text")[1]
    assert "Almaty city court" in free_text and "Kholmatov" not in free_text
    for kind in (Output.CAT, Output.SPECIAL_PROCEDURES, Output.DOSSIER):
        services.review_free_text(world.coordinator, world.case, kind)
    db.session.commit()
    line = (
        "Court appeal against extradition, Almaty city court (appeal of [name withheld]) "
        "(filed 2012-06-20): Pending; not exhausted"
    )
    assert line in _remedies_of_cat_request(app, world)
    letter = _communication(app, world)
    assert line in letter and "Kholmatov" not in letter
    with app.test_request_context():
        pdf = case_document(world.coordinator, world.case, Output.DOSSIER, "pdf", anonymise=False)
    dossier = " ".join(text_of(pdf, "pdf").split())
    assert "Almaty city court (appeal of [name withheld])" in dossier
    assert "Kholmatov" not in dossier


def test_a_upr_draft_whose_period_is_not_the_one_since_the_last_review_is_flagged(
    app, world, tmp_path
):
    """A submission covers the period since the State's last review (a cycle, about 4.5
    years). Kazakhstan was reviewed in February 2010: a draft from January 2010 reaches back
    into the cycle before; with no review recorded before it, a period longer than a cycle
    cannot be the one since the last review. The draft is made (nothing typed is lost) and its
    page says so, as it says a text is over the word limit; a period that fits says nothing."""
    from casework.reports.models import ReportDraft

    client = client_for(app, world.coordinator)

    def draft_page(start: str, end: str) -> str:
        response = client.post("/reports/upr", data={"period_from": start, "period_to": end})
        assert response.status_code == 302
        return client.get(response.headers["Location"]).get_data(as_text=True)

    before_review = "starts before the last review of Kazakhstan (2010-02, cycle 2)"
    page = draft_page("2010-01-01", "2013-01-01")
    assert before_review in page
    assert "flash-error" in page.split(before_review)[0].rsplit("<p", 1)[1]
    assert db.session.scalar(select(func.count(ReportDraft.id))) == 1
    assert before_review not in draft_page("2010-03-01", "2014-06-30")
    longer = "longer than a UPR cycle"
    assert longer in draft_page("2000-01-01", "2009-12-31")  # no review recorded before it
    assert longer not in draft_page("2006-01-01", "2009-12-31")
    # A review recorded in the period's past decides, whatever the cycle's usual length:
    # Kazakhstan's fourth review came five years after the third.
    third = UPRCycle(state_under_review="Kazakhstan", number=3, review_date=PartialDate(2019, 11))
    db.session.add(third)
    db.session.commit()
    page = draft_page("2019-11-01", "2024-12-31")
    assert longer not in page and "starts before the last review" not in page
    # The command line says it too, and writes the document all the same.
    out = tmp_path / "upr.docx"
    args = ["report", "upr", "--from", "2010-01-01", "--to", "2013-01-01", "--out", str(out)]
    result = app.test_cli_runner().invoke(args=[*args, "--as", world.coordinator.email])
    assert result.exit_code == 0, result.output
    assert "starts before the last review of Kazakhstan" in result.output and out.exists()


def test_a_documents_properties_say_nothing_of_how_it_was_made(app, world):
    """A Word file's properties travel with it to the UN body: python-docx's template gave
    "python-docx" as author, "generated by python-docx" as comment and 2013 as its date."""
    with app.test_request_context():
        content = case_document(world.coordinator, world.case, Output.CAT, "docx", anonymise=False)
    properties = docx.Document(io.BytesIO(content)).core_properties
    assert (properties.author, properties.last_modified_by, properties.comments) == ("", "", "")
    assert properties.created.year >= 2026 and properties.created == properties.modified
    with app.test_request_context():
        content = case_document(
            world.coordinator, world.case, Output.SPECIAL_PROCEDURES, "docx", anonymise=False
        )
    properties = docx.Document(io.BytesIO(content)).core_properties
    assert "python-docx" not in (properties.author + properties.comments)


def test_the_archive_of_a_withheld_victim_is_flagged_as_the_communication_it_bundles(app, world):
    """The archive bundles the communication to the Special Procedures: a victim whose identity
    is withheld leaves it anonymous, and its review page says so, with the communication's own
    warning (one function for every output), before anything is sent; once the person consents
    to be identified, the warning goes."""
    client = client_for(app, world.coordinator)
    warning = "The Special Procedures do not act on anonymous communications"
    url = f"/cases/{world.case.public_id}/outputs/archive"
    html = client.get(url).get_data(as_text=True)
    assert warning in html
    assert "flash-error" in html.split(warning)[0].rsplit("<p", 1)[1]
    assert "Kholmatov" not in html and "Холматов" not in html
    world.people["none"].consent = "anonymised"
    world.people["none"].consent_date = date(2024, 3, 1)
    db.session.commit()
    assert warning not in client.get(url).get_data(as_text=True)


def _cat_section(text: str, heading: str, following: str) -> str:
    return text.split(heading)[1].split(following)[0]


def _record(world, **values) -> None:
    for key, value in values.items():
        setattr(world.case, key, value)
    db.session.commit()


AUTHORISATION_MISSING = "No authorisation of the alleged victim is recorded"


def test_cat_request_states_the_victims_authorisation_its_giver_once_reviewed(app, world):
    """A treaty body needs the victim's authorisation of the author. Its form and date always
    leave; who gave it is free text (a relative's name, a number) and leaves only once the free
    text is reviewed, withheld names replaced."""
    text = _cat_request(app, world)
    authorisation = _cat_section(text, "Authorisation", "State party")
    assert "through the alleged victim's family" in authorisation
    assert "on 2012-06-12" in authorisation
    assert "Yusupova" not in authorisation and "Юсупова" not in authorisation
    assert "(who gave it and how leave after review)" in authorisation
    db.session.commit()  # the pseudonyms given on first use
    client = client_for(app, world.coordinator)
    client.post(f"/cases/{world.case.public_id}/outputs/cat/review", data={})
    authorisation = _cat_section(_cat_request(app, world), "Authorisation", "State party")
    assert "Given by [name withheld]" in authorisation and "for [name withheld]" in authorisation
    assert "held incommunicado by the KNB" in authorisation
    for value in ("Yusupova", "Юсупова", "Kholmatov", "702 111 2222"):
        assert value not in authorisation, value


def test_a_missing_authorisation_is_a_warning_before_the_cat_request_not_a_block(app, world):
    """Nothing recorded: the request says counsel adds it, the review page warns the
    coordinator before sending, and the request can still be made. Recorded, the warning
    goes; it is the Committee's need, not the Special Procedures'."""
    _record(world, authorisation="not_recorded", authorised_by=None, authorised_on=None)
    client = client_for(app, world.coordinator)
    html = client.get(f"/cases/{world.case.public_id}/outputs/cat").get_data(as_text=True)
    assert AUTHORISATION_MISSING in html
    assert "flash-error" in html.split(AUTHORISATION_MISSING)[0].rsplit("<p", 1)[1]
    page = client.get(f"/cases/{world.case.public_id}/outputs/special_procedures")
    assert AUTHORISATION_MISSING not in page.get_data(as_text=True)
    response = client.get(f"/cases/{world.case.public_id}/outputs/cat/file?format=docx")
    assert response.status_code == 200
    authorisation = _cat_section(_docx_text(response.get_data()), "Authorisation", "State party")
    assert AUTHORISATION_MISSING in authorisation
    _record(world, authorisation="written")
    html = client.get(f"/cases/{world.case.public_id}/outputs/cat").get_data(as_text=True)
    assert AUTHORISATION_MISSING not in html
    assert "in writing" in _cat_section(_cat_request(app, world), "Authorisation", "State party")


def test_an_authorisation_that_cannot_be_obtained_needs_its_reasons(app, world):
    """UN bodies accept a complaint without the authorisation when the reason is explained (a
    person held incommunicado, disappeared): the reason leaves once reviewed; none recorded,
    the coordinator is warned before sending."""
    _record(
        world,
        authorisation="cannot_be_obtained",
        authorised_by=None,
        authorised_on=None,
        authorisation_note=None,
    )
    client = client_for(app, world.coordinator)
    warning = "no reason is recorded"
    html = client.get(f"/cases/{world.case.public_id}/outputs/cat").get_data(as_text=True)
    assert warning in html and AUTHORISATION_MISSING not in html
    assert "cannot be obtained" in _cat_section(_cat_request(app, world), "Authorisation", "State")
    _record(world, authorisation_note="Kholmatov has disappeared since his removal.")
    html = client.get(f"/cases/{world.case.public_id}/outputs/cat").get_data(as_text=True)
    assert warning not in html
    authorisation = _cat_section(_cat_request(app, world), "Authorisation", "State party")
    assert "(the reasons leave after review)" in authorisation
    assert "disappeared" not in authorisation
    client.post(f"/cases/{world.case.public_id}/outputs/cat/review", data={})
    authorisation = _cat_section(_cat_request(app, world), "Authorisation", "State party")
    assert "[name withheld] has disappeared since his removal." in authorisation


def test_cat_request_states_the_other_procedures_of_international_investigation(app, world):
    """Article 22(5)(a): the Committee considers no matter examined, or being examined, under
    another procedure of international investigation or settlement. The request says which;
    not stated, or examined elsewhere, the coordinator is warned before sending."""
    heading = "Other procedures of international investigation or settlement"
    client = client_for(app, world.coordinator)
    url = f"/cases/{world.case.public_id}/outputs/cat"
    _record(world, other_procedures="none", other_procedures_details=None)
    section = _cat_section(_cat_request(app, world), heading, "Date of removal")
    assert "has not been, and is not being, examined under another procedure" in section
    html = client.get(url).get_data(as_text=True)
    assert "article 22(5)(a)" not in html and "whether the same matter" not in html
    _record(world, other_procedures="not_stated")
    section = _cat_section(_cat_request(app, world), heading, "Date of removal")
    assert "Not stated yet" in section
    assert "whether the same matter" in client.get(url).get_data(as_text=True)
    _record(
        world,
        other_procedures="pending",
        other_procedures_details="Human Rights Committee, sent for Kholmatov in 2012.",
    )
    assert "article 22(5)(a)" in client.get(url).get_data(as_text=True)
    section = _cat_section(_cat_request(app, world), heading, "Date of removal")
    assert "is being examined under another procedure" in section
    assert "(the details leave after review)" in section and "Kholmatov" not in section
    client.post(f"/cases/{world.case.public_id}/outputs/cat/review", data={})
    section = _cat_section(_cat_request(app, world), heading, "Date of removal")
    assert "Human Rights Committee, sent for [name withheld] in 2012." in section


def test_the_review_page_of_the_cat_request_shows_who_authorised_as_it_would_leave(app, world):
    """The reviewer confirms the free text that leaves with the request: who authorised, how,
    and the other procedure's details, withheld names replaced; the communication, which does
    not carry them, does not show them."""
    client = client_for(app, world.coordinator)
    html = client.get(f"/cases/{world.case.public_id}/outputs/cat").get_data(as_text=True)
    free_text = html.split("Free text")[1]
    assert "held incommunicado by the KNB" in free_text and "withdrawn." in free_text
    # What the reviewer confirms is named with the rest of the free text.
    assert "who authorised the representation" in free_text
    for value in ("Yusupova", "Юсупова", "Kholmatov", "UNHCR-123-45678", "702 111 2222"):
        assert value not in free_text, value
    page = client.get(f"/cases/{world.case.public_id}/outputs/special_procedures")
    assert "held incommunicado" not in page.get_data(as_text=True)
    assert "who authorised the representation" not in page.get_data(as_text=True)
