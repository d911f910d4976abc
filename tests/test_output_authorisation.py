"""Who authorised the representation, as the outputs give it: a name typed in free text, which
leaves on the consent rules of every other name."""

from __future__ import annotations

import pytest

from casework.core.db import db
from casework.reports import services
from casework.reports.anonymise import Output, disclose_case
from tests import report_world


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

