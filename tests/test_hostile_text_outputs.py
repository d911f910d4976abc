"""Hostile text in a case must not break its outputs.

A narrative holding a C0 control character -- U+000B, the "manual line break" that text
copied out of Word, PDF viewers and messengers carries, or any character a manipulated
source plants on purpose -- is accepted and stored by the edit form, shown by every page and
the print view, but makes the Word documents for UN bodies (the Special Procedures
communication, the CAT rule 114 interim-measures request) and the UPR submission fail with a
500: python-docx refuses strings that are not XML-compatible. For a case marked "imminent
removal" that blocks the urgent appeal until someone finds and removes an invisible character.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from casework.cases.models import Case
from casework.core.db import db
from casework.reports.models import ReportDraft
from tests import report_world
from tests.clients import client_for
from tests.extract import text_of

PASTED = "He was taken at dawn.\x0bThe officers wore no uniform."


def _edit_narrative(client, case, narrative: str) -> None:
    html = client.get(f"/cases/{case.public_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)
    response = client.post(
        f"/cases/{case.public_id}/edit",
        data={
            "version": version,
            "title": "",
            "act_type": "extradition",
            "act_date": "2012-06",
            "act_place": "Almaty",
            "destination_country": "UZ",
            "urgency": "imminent",
            "current_situation": "detained",
            "narrative": narrative,
            "after_return": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()


@pytest.mark.parametrize("output", ["special_procedures", "cat"])
@pytest.mark.parametrize(
    "narrative", ["He was taken at dawn. The officers wore no uniform.", PASTED]
)
def test_case_documents_are_produced_whatever_characters_the_narrative_holds(
    app, output, narrative
):
    world = report_world.build()
    db.session.commit()
    lawyer = client_for(app, world.lawyer)
    _edit_narrative(lawyer, world.case, narrative)
    stored = db.session.scalar(select(Case).where(Case.id == world.case.id)).narrative
    assert stored == narrative  # the form kept it as typed
    assert lawyer.get(f"/cases/{world.case.public_id}").status_code == 200
    assert lawyer.get(f"/cases/{world.case.public_id}/print").status_code == 200
    lawyer.post(f"/cases/{world.case.public_id}/outputs/{output}/review", data={})
    response = lawyer.get(f"/cases/{world.case.public_id}/outputs/{output}/file?format=docx")
    assert response.status_code == 200, response.status_code  # 500 with U+000B
    text = text_of(response.get_data(), "docx")
    assert "The officers wore no uniform." in text


# The UPR export joins whitespace (so U+000B passes) but not other C0 characters.
PLANTED = "The officers wore no uniform \x02(statement of a witness)."


@pytest.mark.parametrize("body_line", ["The officers wore no uniform.", PLANTED])
def test_a_upr_draft_exports_whatever_characters_its_text_holds(app, body_line):
    world = report_world.build()
    db.session.commit()
    client = client_for(app, world.coordinator)
    response = client.post(
        "/reports/upr", data={"period_from": "2010-01-01", "period_to": "2014-12-31"}
    )
    assert response.status_code == 302
    draft = db.session.scalar(select(ReportDraft))
    url = f"/reports/upr/{draft.public_id}"
    response = client.post(
        url,
        data={"body": draft.body + "\n\n" + body_line, "co_authors": "", "version": draft.version},
    )
    assert response.status_code == 302
    response = client.get(f"{url}/docx")
    assert response.status_code == 200, response.status_code  # 500 with U+0002
    assert "wore no uniform" in text_of(response.get_data(), "docx")


def test_an_xlsx_export_holds_a_reviewed_narrative_whatever_its_characters(app):
    from casework.reports import services
    from casework.reports.anonymise import Output

    world = report_world.build()
    world.case.narrative = PASTED
    db.session.commit()
    services.review_free_text(world.coordinator, world.case, Output.EXPORT)
    db.session.commit()
    content, *_ = services.export_cases(world.coordinator, "xlsx")
    text = text_of(content, "xlsx")
    assert "He was taken at dawn." in text and "The officers wore no uniform." in text
