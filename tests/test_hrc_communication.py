"""The communication to the Human Rights Committee (Optional Protocol to the ICCPR) with its
request for interim measures under rule 94: the Covenant's articles as its grounds, what the
Committee asks before it acts, and the remedy sought in both treaty bodies' documents."""

from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import select

from casework.cases.models import Case
from casework.core.db import db
from casework.core.vocab import Assessment, OtherProcedure, Situation, Urgency
from casework.legal import services as legal
from casework.legal.models import Instrument, Provision
from casework.reports import services
from casework.reports.anonymise import Output
from casework.reports.views import case_document
from tests import report_world
from tests.clients import client_for


@pytest.fixture
def world(app):
    return report_world.build()


def _link(world, code: str, title: str, assessment=Assessment.AT_RISK, analysis=None):
    """A provision of the instrument its code names ("ICCPR:7" of ``ICCPR``), linked."""
    instrument_code = code.split(":")[0]
    instrument = db.session.scalar(select(Instrument).where(Instrument.code == instrument_code))
    if instrument is None:
        instrument = Instrument(
            code=instrument_code, title=instrument_code, instrument_type="treaty",
            direction="protective",
        )  # fmt: skip
        db.session.add(instrument)
        db.session.flush()
    provision = Provision(instrument_id=instrument.id, code=code, title=title)
    db.session.add(provision)
    db.session.flush()
    legal.add_link(
        world.lawyer, world.case, provision=provision, assessment=assessment, analysis=analysis
    )
    db.session.commit()


def _document(app, world, kind: Output) -> str:
    with app.test_request_context():
        content = case_document(world.coordinator, world.case, kind, "docx", anonymise=False)
    db.session.commit()
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def _between(text: str, start: str, end: str) -> str:
    return text.split(start)[1].split(end)[0]


def test_the_communication_argues_the_covenant_and_gives_the_convention_as_context(app, world):
    _link(world, "ICCPR:7", "Torture and ill-treatment", analysis="Kholmatov was beaten.")
    _link(world, "ICCPR:6", "Right to life", assessment=Assessment.VIOLATED)
    _link(world, "CAT:3", "Article 3: non-refoulement")
    services.review_free_text(world.coordinator, world.case, Output.HRC)
    db.session.commit()
    text = _document(app, world, Output.HRC)
    assert "Communication to the Human Rights Committee under the Optional Protocol" in text
    assert "rule 94 of its rules of procedure" in text
    risk = _between(text, "Personal risk on return", "Other obligations")
    assert "ICCPR:7 Torture and ill-treatment: at risk" in risk
    assert "ICCPR:6 Right to life: violated" in risk
    assert "ICCPR:7: [name withheld] was beaten." in risk
    assert "CAT" not in risk
    context = _between(text, "Other obligations", "Domestic remedies")
    assert "CAT:3 Article 3: non-refoulement: at risk" in context
    assert "which examines the Covenant" in context
    # The person is still in Kazakhstan: not to remove them while it is examined.
    request = _between(text, "Request", "Remedy sought")
    assert "under rule 94 of its rules of procedure, to ask the State party not to remove" in (
        " ".join(request.split())
    )
    assert "communication is under examination" in request
    remedy = text.split("Remedy sought")[1]
    assert "would violate articles 6 and 7 of the Covenant" in remedy
    assert "Kholmatov" not in text


def test_the_communication_with_no_article_of_the_covenant_says_so(app, world):
    """Only the Convention linked: the HRC page warns that the Committee has no ground, and
    the document gives no other instrument as its grounds; the CAT request has no such
    warning. Article 7 linked, the warning goes."""
    _link(world, "CAT:3", "Article 3: non-refoulement")
    client = client_for(app, world.coordinator)
    warning = "No article of the International Covenant on Civil and Political Rights is linked"
    assert warning in client.get(f"/cases/{world.case.public_id}/outputs/hrc").get_data(True)
    assert warning not in client.get(f"/cases/{world.case.public_id}/outputs/cat").get_data(True)
    text = _document(app, world, Output.HRC)
    assert "No article of the Covenant is relied on yet" in _between(
        text, "Personal risk on return", "Other obligations"
    )
    assert "Not stated yet" in text.split("Remedy sought")[1]
    _link(world, "ICCPR:7", "Torture and ill-treatment")
    assert warning not in client.get(f"/cases/{world.case.public_id}/outputs/hrc").get_data(True)


def test_once_removed_the_communication_asks_for_measures_and_a_remedy(app, world):
    case = db.session.get(Case, world.case.id)
    case.urgency = Urgency.ROUTINE
    case.current_situation = Situation.REMOVED
    db.session.commit()
    _link(world, "ICCPR:7", "Torture and ill-treatment")
    text = _document(app, world, Output.HRC)
    request = " ".join(_between(text, "Request", "Remedy sought").split())
    assert "The alleged victim has been removed." in request or "was removed" in request
    assert "interim measures needed to avoid possible irreparable damage" in request
    remedy = text.split("Remedy sought")[1]
    assert "violated article 7 of the Covenant" in remedy
    assert "effective remedy" in remedy


def test_the_cat_request_states_the_remedy_sought_on_the_convention(app, world):
    _link(world, "CAT:3", "Article 3: non-refoulement")
    _link(world, "ICCPR:7", "Torture and ill-treatment")
    text = _document(app, world, Output.CAT)
    remedy = text.split("Remedy sought")[1]
    assert "would violate article 3 of the Convention" in remedy
    assert "ICCPR" not in remedy and "article 7" not in remedy


def test_what_the_human_rights_committee_asks_of_other_procedures(app, world):
    """Article 5(2)(a) of the Optional Protocol bars a matter being examined elsewhere at the
    same time; one examined before is barred only by a State's reservation. The CAT request
    keeps article 22(5)(a) of the Convention, which bars both."""
    case = db.session.get(Case, world.case.id)
    case.other_procedures = OtherProcedure.PENDING
    db.session.commit()
    client = client_for(app, world.coordinator)
    hrc = client.get(f"/cases/{world.case.public_id}/outputs/hrc").get_data(as_text=True)
    assert "article 5(2)(a) of the Optional Protocol" in hrc
    assert "article 22(5)(a)" not in hrc
    cat = client.get(f"/cases/{world.case.public_id}/outputs/cat").get_data(as_text=True)
    assert "article 22(5)(a)" in cat
    case.other_procedures = OtherProcedure.EXAMINED
    db.session.commit()
    hrc = client.get(f"/cases/{world.case.public_id}/outputs/hrc").get_data(as_text=True)
    assert "reservation can bar one examined before" in hrc
    assert "article 22(5)(a)" not in hrc


def test_an_anonymous_victim_is_flagged_before_the_communication_is_sent(app, world):
    """The report world's person at risk gave no consent to be named: the Committee does not
    consider anonymous communications, and the page says so."""
    client = client_for(app, world.coordinator)
    html = client.get(f"/cases/{world.case.public_id}/outputs/hrc").get_data(as_text=True)
    assert "The Human Rights Committee does not consider anonymous communications" in html


def test_the_review_of_one_treaty_body_document_does_not_release_the_other(app, world):
    """Free text is reviewed per output: the narrative reviewed for the CAT request does not
    leave in the HRC communication until it is reviewed for it too."""
    narrative = "was arrested at his home"
    client = client_for(app, world.coordinator)
    client.post(f"/cases/{world.case.public_id}/outputs/cat/review", data={})
    assert narrative in _document(app, world, Output.CAT)
    assert narrative not in _document(app, world, Output.HRC)
    client.post(f"/cases/{world.case.public_id}/outputs/hrc/review", data={})
    assert narrative in _document(app, world, Output.HRC)


def test_the_communication_is_refused_to_those_who_may_not_see_the_case(app, world):
    off = client_for(app, world.off_coordinator)
    assert off.get(f"/cases/{world.restricted.public_id}/outputs/hrc").status_code == 403
    assert off.get(f"/cases/{world.restricted.public_id}/outputs/hrc/file").status_code == 403
    ok = client_for(app, world.coordinator)
    assert ok.get(f"/cases/{world.case.public_id}/outputs/hrc").status_code == 200
    response = ok.get(f"/cases/{world.case.public_id}/outputs/hrc/file")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
