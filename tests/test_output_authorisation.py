"""Who authorised the representation, as the outputs give it: a name typed in free text, which
leaves on the consent rules of every other name, and what counsel's dossier says of the
authorisation and of other international procedures."""

from __future__ import annotations

import csv
import io

import pytest

from casework.core.db import db
from casework.reports import services
from casework.reports.anonymise import Output, disclose_case
from casework.reports.views import case_document
from tests import report_world
from tests.extract import text_of


@pytest.fixture
def world(app):
    return report_world.build()


def _record(world, **values) -> None:
    for key, value in values.items():
        setattr(world.case, key, value)
    db.session.commit()


def _reviewed(world, output: Output):
    services.review_free_text(world.coordinator, world.case, output)
    db.session.commit()
    return disclose_case(world.case, output)


def test_an_authoriser_who_is_no_person_of_the_case_is_withheld_everywhere(app, world):
    """A brother who signed for the victim is named in the field, and often in the narrative
    too; he is no person of the case, so he gave no consent to be named: his name leaves
    nowhere, in any spelling, while the words about him stay."""
    _record(
        world,
        authorised_by="His brother Farkhod Osmonov, by power of attorney",
        narrative="Осмонов, the brother, signed the power of attorney in Almaty.",
    )
    for output in (Output.CAT, Output.ARCHIVE, Output.DOSSIER):
        disclosed = _reviewed(world, output)
        assert disclosed.authorised_by == ("His brother [name withheld], by power of attorney"), (
            output
        )
        assert disclosed.narrative == (
            "[name withheld], the brother, signed the power of attorney in Almaty."
        )


def test_an_authoriser_named_with_consent_is_named_and_the_role_words_stay(app, world):
    """The lawyer of the case, who consented to be named, is named; "The person themselves"
    says who without naming anyone and takes no word out of the other texts."""
    _record(world, authorised_by="Lawyer Bakhrom Toshev, for the family")
    disclosed = _reviewed(world, Output.CAT)
    assert disclosed.authorised_by == "Lawyer Bakhrom Toshev, for the family"
    assert "Bakhrom Toshev, the lawyer, filed an appeal." in disclosed.narrative
    _record(world, authorised_by="The person themselves")
    disclosed = _reviewed(world, Output.CAT)
    assert disclosed.authorised_by == "The person themselves"
    assert "Bakhrom Toshev, the lawyer, filed an appeal." in disclosed.narrative
    assert "saw the arrest" in disclosed.narrative


def _dossier(app, world) -> str:
    with app.test_request_context():
        pdf = case_document(world.coordinator, world.case, Output.DOSSIER, "pdf", anonymise=False)
    db.session.commit()  # as the request that makes it: the pseudonyms it gave
    return " ".join(text_of(pdf, "pdf").split())


def test_the_dossier_tells_counsel_of_the_authorisation_and_other_procedures(app, world):
    """Counsel reads how and when the victim authorised us and whether the matter went to
    another international procedure; who gave it and the procedure's details are free text,
    left out until reviewed for the dossier, then given with withheld names replaced."""
    dossier = _dossier(app, world)
    assert "Authorisation Through the family, 2012-06-12" in dossier
    assert "Other international procedures Submitted elsewhere: withdrawn, not examined" in dossier
    assert "who authorised" in dossier.split("left out until someone reviews")[0]
    for value in ("held incommunicado", "Sent for", "Yusupova", "Юсупова", "702 111 2222"):
        assert value not in dossier, value
    services.review_free_text(world.coordinator, world.case, Output.DOSSIER)
    db.session.commit()
    dossier = _dossier(app, world)
    assert "Given by [name withheld] ([contact withheld]), for [name withheld]" in dossier
    assert "[name withheld] signed it; [name withheld] is held incommunicado by the KNB." in (
        dossier
    )
    assert "Sent for [name withheld] in 2012 ([withheld]), withdrawn." in dossier
    for value in ("Yusupova", "Юсупова", "Kholmatov", "702 111 2222", "UNHCR-123-45678"):
        assert value not in dossier, value


def test_the_dossier_says_when_the_authorisation_cannot_be_obtained_and_why(app, world):
    _record(
        world,
        authorisation="cannot_be_obtained",
        authorised_by=None,
        authorised_on=None,
        authorisation_note="Held incommunicado since his removal.",
        other_procedures="not_stated",
        other_procedures_details=None,
    )
    services.review_free_text(world.coordinator, world.case, Output.DOSSIER)
    db.session.commit()
    dossier = _dossier(app, world)
    assert "Authorisation Cannot be obtained" in dossier
    assert "Why it cannot be obtained Held incommunicado since his removal." in dossier
    assert "Given by" not in dossier
    assert "Other international procedures Not stated yet" in dossier


def test_the_dossier_review_page_shows_who_authorised_as_it_would_leave(app, world):
    """The reviewer of the dossier confirms the free text that leaves with it: who authorised
    too, now that the dossier carries it."""
    from tests.clients import client_for

    client = client_for(app, world.coordinator)
    html = client.get(f"/cases/{world.case.public_id}/outputs/dossier").get_data(as_text=True)
    free_text = html.split("Free text")[1]
    assert "who authorised the representation" in free_text
    assert "held incommunicado by the KNB" in free_text
    assert "Yusupova" not in free_text


def _exported(world, *, anonymise: bool = False) -> dict[str, str]:
    content, *_ = services.export_cases(world.coordinator, "csv", anonymise=anonymise)
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    return next(r for r in rows if r["reference"] == world.case.reference)


def test_the_spreadsheet_export_gives_the_authorisation_and_other_procedures(app, world):
    """The CSV and XLSX exports, one row a case, say how and when the victim authorised us and
    whether the matter went elsewhere, as the JSON export does; who gave it and the details
    leave once reviewed for the export, withheld names replaced, and never anonymised."""
    row = _exported(world)
    assert row["authorisation"] == "Through the family"
    assert row["authorised_on"] == "2012-06-12"
    assert row["other_procedures"] == "Submitted elsewhere: withdrawn, not examined"
    services.review_free_text(world.coordinator, world.case, Output.EXPORT)
    db.session.commit()
    row = _exported(world)
    assert row["authorisation"] == (
        "Through the family; given by [name withheld] ([contact withheld]), for [name "
        "withheld]; [name withheld] signed it; [name withheld] is held incommunicado by the KNB."
    )
    assert row["other_procedures"] == (
        "Submitted elsewhere: withdrawn, not examined: Sent for [name withheld] in 2012 "
        "([withheld]), withdrawn."
    )
    row = _exported(world, anonymise=True)
    assert row["authorisation"] == "Through the family"
    assert row["other_procedures"] == "Submitted elsewhere: withdrawn, not examined"
